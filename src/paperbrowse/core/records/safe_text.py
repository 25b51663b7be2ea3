"""Making untrusted record text inert for a terminal: control and bidi characters made visible."""

from __future__ import annotations

import re

# C0 and C1 controls (ESC starts every escape sequence), DEL, and the bidi embedding, override
# and isolate marks that can make text display in an order other than the one stored.
# Line and paragraph separators and zero-width spaces are shown too: they hide or split text.
_UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029\u200b\ufeff\ud800-\udfff]"
)
_NAMES = {"\x1b": "\\e", "\r": "\\r", "\t": "\\t", "\x07": "\\a", "\x08": "\\b"}


def _show(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMES:
        return _NAMES[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # an undecodable byte (surrogateescape), as bytes are shown
    return f"\\x{code:02x}" if code < 0x100 else f"<U+{code:04X}>"


def visible(text: str, *, keep_newlines: bool = True) -> str:
    """Text with every control character shown as an escape, so none can act on the terminal."""
    text = _UNSAFE.sub(_show, text)
    return text if keep_newlines else text.replace("\n", " ")


def one_line(text: str) -> str:
    """Visible text folded onto one line, as a table cell needs."""
    return " ".join(visible(text, keep_newlines=False).split())
