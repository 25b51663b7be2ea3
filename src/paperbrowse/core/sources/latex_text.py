"""LaTeX in BibTeX values turned into the plain text a record holds: `{{LLaMA}}` → LLaMA,
`\\&` → &, `M{\\"u}ller` → Müller, `--` → –."""

from __future__ import annotations

import re

from pylatexenc.latex2text import LatexNodes2Text

# pylatexenc takes about 10 µs a character and grows a text node one character at a time, so
# its time is quadratic in a value's length: a 2 MB abstract took 49 s, 50 MB ran past five
# minutes. No real field comes close to this (arXiv abstracts stop at 1,920 characters; the
# browser's details pane shows 20,000), and each field then costs at most a few tenths of a
# second, so an import stays linear in the file. The caller reports what was cut.
FIELD_LIMIT = 20_000
_CUT_AT_SPACE = 200  # look this far back from the limit for a space to cut at, not mid-word

_CONVERTER = LatexNodes2Text()
# In LaTeX `%` starts a comment, so "50% faster" would lose everything after "50"; BibTeX
# files written by hand often leave it bare, meaning a percent sign.
_BARE_PERCENT = re.compile(r"(?<!\\)%")
# What pylatexenc changes in text: its specials, and the ligatures `--`, ``, '', !` and ?`.
# A value holding none of them (most abstracts, every plain name) is already plain text.
_LATEX = re.compile(r"[\\{}$%&~]|--|``|''|!`|\?`")
_SOFT_HYPHEN = "\u00ad"


def cut(value: str) -> str:
    """The first FIELD_LIMIT characters of `value`, ending at a space when one is near."""
    if len(value) <= FIELD_LIMIT:
        return value
    space = value.rfind(" ", FIELD_LIMIT - _CUT_AT_SPACE, FIELD_LIMIT)
    return value[: space if space > 0 else FIELD_LIMIT]


def latex_to_text(value: str) -> str:
    """Plain text on one line; braces that only protected capitals disappear, and so do soft
    hyphens (`\\-`, a line-breaking hint, which the records would show as `\\xad`). Only the
    first FIELD_LIMIT characters are read (see `cut`)."""
    value = cut(value)
    if not _LATEX.search(value):
        return " ".join(value.replace(_SOFT_HYPHEN, "").split())
    try:
        text = _CONVERTER.latex_to_text(_BARE_PERCENT.sub(r"\\%", value))
    except Exception:
        text = value.replace("{", "").replace("}", "")
    return " ".join(text.replace(_SOFT_HYPHEN, "").split())
