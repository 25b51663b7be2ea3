"""LaTeX in BibTeX values turned into the plain text a record holds: `{{LLaMA}}` → LLaMA,
`\\&` → &, `M{\\"u}ller` → Müller, `--` → –."""

from __future__ import annotations

import re

from pylatexenc.latex2text import LatexNodes2Text

_CONVERTER = LatexNodes2Text()
# In LaTeX `%` starts a comment, so "50% faster" would lose everything after "50"; BibTeX
# files written by hand often leave it bare, meaning a percent sign.
_BARE_PERCENT = re.compile(r"(?<!\\)%")


def latex_to_text(value: str) -> str:
    """Plain text on one line; braces that only protected capitals disappear."""
    try:
        text = _CONVERTER.latex_to_text(_BARE_PERCENT.sub(r"\\%", value))
    except Exception:
        text = value.replace("{", "").replace("}", "")
    return " ".join(text.split())
