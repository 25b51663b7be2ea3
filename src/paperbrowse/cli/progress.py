"""A one-line progress bar on stderr, for `import` of a large file; nothing when stderr is no terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """`reading refs.bib  [#########.........]  9,000/15,000`, redrawn at most ten times a second."""

    WIDTH = 30

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or total <= 0 or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        filled = self.WIDTH * done // total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\r{self.label}  [{bar}]  {done:,}/{total:,}")
        self.stream.flush()
        self._shown = True

    def done(self) -> None:
        """Clear the line, so that the messages that follow start on a clean one."""
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False
