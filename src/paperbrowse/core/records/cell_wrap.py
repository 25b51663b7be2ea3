"""Wrapping text to a width in terminal cells, for English and Chinese alike.

`textwrap` counts characters and breaks only at spaces: a Chinese paragraph, which has no
spaces and two cells per character, came out as one "word" folded at twice the width. Here a
line may break between any two CJK characters, or at a space, and the width is counted in cells.
The usual Chinese line-breaking rules hold: no line starts with closing punctuation (`，` `。`
`”` `）` ...) and none ends with opening punctuation (`“` `（` ...); the character before is
carried to the next line with it instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# Closing punctuation and the like, which must not start a line (GB/T 15834, JIS X 4051).
# ASCII punctuation is not here: it belongs to the word it follows (`GPT-4,` `https://`).
NO_START = frozenset("，。、；：！？）】》〉」』”’…—·％‰℃" + "\u3015\u3017\u3019\u301b\uff60\uff09\uff3d\uff5d")
# Opening punctuation, which must not end a line.
NO_END = frozenset("（【《〈「『“‘" + "\u3014\u3016\u3018\u301a\uff5f\uff08\uff3b\uff5b")
_TOKEN = re.compile(r"\s+|[^\s]")


def _breaks_anywhere(character: str) -> bool:
    """CJK ideographs, kana, Hangul and full-width forms: a line may break before and after."""
    return unicodedata.east_asian_width(character) in ("W", "F") or character in NO_START or character in NO_END


def _tokens(text: str) -> Iterator[str]:
    """Words and single wide characters, spaces as their own tokens; a run of narrow letters
    (an English word, `GPT-4`, a URL) stays one token."""
    word = ""
    for match in _TOKEN.finditer(text):
        piece = match.group()
        if piece.isspace() or _breaks_anywhere(piece):
            if word:
                yield word
                word = ""
            yield " " if piece.isspace() else piece
        else:
            word += piece
    if word:
        yield word


def cells(text: str) -> int:
    """The cells `text` takes in a terminal: two for wide characters, none for combining marks
    and invisible format characters."""
    total = 0
    for character in text:
        if unicodedata.combining(character) or unicodedata.category(character) == "Cf":
            continue
        total += 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1
    return total


def wrap_cells(text: str, width: int, *, first: str = "", indent: str = "") -> list[str]:
    """`text` in lines of at most `width` cells, the first starting with `first` and the others
    with `indent`; a word wider than a line is cut by cells."""
    width = max(width, cells(indent) + 2, cells(first) + 2)
    full = width - cells(indent)  # the room of every line but the first
    lines: list[list[str]] = []
    line: list[str] = []
    room = width - cells(first)

    def flush() -> None:
        nonlocal line, room
        while line and line[-1] == " ":
            line.pop()
        lines.append(line)
        line, room = [], full

    for token in _tokens(text):
        if token == " ":
            if line and line[-1] != " ":
                line.append(" ")
                room -= 1
            continue
        size = cells(token)
        if size <= room:
            line.append(token)
            room -= size
        elif size > full:  # a word longer than a whole line: cut it
            for piece in _cut(token, room, full):
                if cells(piece) > room:
                    flush()
                line.append(piece)
                room -= cells(piece)
        else:
            carried = _carried(line, token)
            if sum(map(cells, carried)) + size > full:  # the rules would make a line overflow
                line += carried
                carried = []
            flush()
            for piece in [*carried, token]:
                line.append(piece)
                room -= cells(piece)
    if line or not lines:
        flush()
    return [(first if number == 0 else indent) + "".join(tokens) for number, tokens in enumerate(lines)]


def _carried(line: list[str], token: str) -> list[str]:
    """What leaves the full `line` for the next one with `token`, so that the next line does not
    start with closing punctuation and this one does not end with opening punctuation."""
    carried: list[str] = []
    if token in NO_START:
        # The character before goes too (and the punctuation before it: `。”`), but one stays.
        while len(line) > 1 and line[-1] != " ":
            carried.insert(0, line.pop())
            if carried[0] not in NO_START:
                break
    while len(line) > 1 and line[-1] in NO_END:
        carried.insert(0, line.pop())
    return carried


def _cut(word: str, room: int, width: int) -> Iterator[str]:
    piece = ""
    for character in word:
        if cells(piece + character) > (room if room > 0 else width):
            yield piece
            piece, room = "", width
        piece += character
    if piece:
        yield piece
