"""Making untrusted record text inert for a terminal: control, bidi and invisible characters made visible.

Shown as escapes (`\\e`, `\\x9b`, `<U+200D>`) instead of written:

- controls (C0, C1, DEL: every escape sequence starts with one), which act on the terminal,
  and the line and paragraph separators, which split a line;
- format characters, Unicode's category Cf taken as a class: bidi marks and overrides,
  zero-width spaces and joiners, the soft hyphen, the word joiner, the invisible operators,
  the tag characters U+E0000–U+E007F (they spell hidden ASCII), which reorder or hide text;
- the other characters Unicode says to draw as nothing (Default_Ignorable_Code_Point): the
  Hangul fillers, the combining grapheme joiner, the unassigned rest of the tag plane.

Two kinds of invisible characters stay where text needs them, and are shown anywhere else:

- the zero-width joiner and non-joiner (U+200D, U+200C) between two letters or marks of a
  script that uses them to choose letter forms (Arabic, Persian, Syriac, N'Ko, the Indic
  scripts, Myanmar, Khmer, Mongolian): there they shape visible letters, and escaping them
  would garble Persian and Hindi. Between emoji they are shown (`👩<U+200D>💻`): a joiner can
  fuse pictographs into a glyph that is not what the text holds, and terminals disagree on
  its width; safety first, and a title rarely has one;
- a variation selector right after the kind of character it varies: U+FE0E/U+FE0F (text or
  emoji style) after any character, U+FE00–U+FE0D after a non-ASCII one, the ideographic
  ones (U+E0100–U+E01EF) after a CJK ideograph, Mongolian's after a Mongolian letter. A run
  of selectors is shown after its first: runs of them are a known way to hide bytes.

Everything else (CJK, emoji, combining accents, every script) is kept as it is.
"""

from __future__ import annotations

import re

_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff"
# Category Cf of the Unicode database (the tests check it against unicodedata) without the two
# joiners, which depend on their neighbours; with it the default-ignorable code points that are
# neither Cf nor variation selectors; and U+13439–U+1343F, format characters since Unicode 15.
_HIDDEN_BMP = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u206f\ufeff\ufff0-\ufffb\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0"
)
_HIDDEN_ASTRAL = (
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e00ff\U000e01f0-\U000e0fff"
)
_JOINERS = "\u200c\u200d"
_SELECTORS = "\u180b-\u180d\u180f\ufe00-\ufe0f\U000e0100-\U000e01ef"
_ALWAYS = re.compile(f"[{_CONTROLS}{_HIDDEN_BMP}{_HIDDEN_ASTRAL}]")
_SELECTOR = re.compile(f"[{_SELECTORS}]")
# One scan finds every character that may need showing; everything beyond the BMP (emoji, rare
# CJK) is a candidate and sorted out in `_show`. A character class with ranges up there scans
# several times slower than one within the BMP, and this runs on every row drawn.
_CANDIDATE = re.compile(f"[{_CONTROLS}{_HIDDEN_BMP}{_JOINERS}\u180b-\u180d\u180f\ufe00-\ufe0f\U00010000-\U0010ffff]")
# Letters and marks of the scripts where a joiner chooses a letter's form (their Cf excluded).
_SHAPING = re.compile(
    "[\u0610-\u061a\u0620-\u06dc\u06de-\u06ff\u0710-\u077f\u07c0-\u07ff\u0870-\u088f\u0898-\u08e1"
    "\u08e3-\u08ff\u0900-\u0dff\u1000-\u109f\u1780-\u17b3\u17b6-\u17ff\u1820-\u18af\ufb50-\ufdff\ufe70-\ufefc]"
)
_IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_MONGOLIAN = re.compile("[\u1820-\u18af]")
_NAMES = {"\x1b": "\\e", "\r": "\\r", "\t": "\\t", "\x07": "\\a", "\x08": "\\b"}


def _kept(char: str, text: str, at: int) -> bool:
    """Whether a joiner or a variation selector at `text[at]` does its job there (see above)."""
    before = text[at - 1] if at else ""
    if char in _JOINERS:
        return bool(before and _SHAPING.match(before) and _SHAPING.match(text, at + 1))
    if not before or _SELECTOR.match(before):
        return False  # at the start, or one of a run
    if char in "\ufe0e\ufe0f":
        return True
    if char <= "\ufe0d":
        return not before.isascii() if char >= "\ufe00" else bool(_MONGOLIAN.match(before))
    return bool(_IDEOGRAPH.match(before))


def _show(match: re.Match[str]) -> str:
    char = match.group()
    if not _ALWAYS.match(char):
        if char not in _JOINERS and not _SELECTOR.match(char):
            return char  # an ordinary character beyond the BMP: an emoji, a rare ideograph
        if _kept(char, match.string, match.start()):
            return char
    if char in _NAMES:
        return _NAMES[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # an undecodable byte (surrogateescape), as bytes are shown
    return f"\\x{code:02x}" if code < 0x100 else f"<U+{code:04X}>"


def visible(text: str, *, keep_newlines: bool = True) -> str:
    """Text with every control character shown as an escape, so none can act on the terminal."""
    text = _CANDIDATE.sub(_show, text)
    return text if keep_newlines else text.replace("\n", " ")


def one_line(text: str) -> str:
    """Visible text folded onto one line, as a table cell needs."""
    return " ".join(visible(text, keep_newlines=False).split())
