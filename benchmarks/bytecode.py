"""Compile a checkout's modules before it is timed.

`pip install` compiles an installed package's modules, so a user's start reads them from
`__pycache__`. An editable checkout is compiled by its first run, unless the environment sets
PYTHONDONTWRITEBYTECODE (some sandboxes and containers do): then every run compiles every module
again, 0.1-0.2 s of each start and each command that the user never pays.
"""

from __future__ import annotations

import compileall
from pathlib import Path


def compile_checkout(root: Path) -> None:
    """Write the bytecode of `root`'s `src` (a paperbrowse checkout), as an install would."""
    compileall.compile_dir(root / "src", quiet=1)
