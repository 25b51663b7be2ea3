"""Line numbers for TOML tables and keys, which tomllib does not report.

tomllib gives us values only. To name the line of a bad field we scan the raw text once for
array-of-tables headers (`[[paper]]`) and the `key =` lines under each, skipping multi-line
strings so a summary that quotes `[[paper]]` cannot shift the count.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]\s*(?:#.*)?$")
_TABLE = re.compile(r"^\s*\[\s*[^\[]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')\s*=")
_ERROR_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass(slots=True)
class TableSpan:
    line: int  # 1-based line of the [[name]] header
    keys: dict[str, int] = field(default_factory=dict)


def scan(text: str) -> dict[str, list[TableSpan]]:
    """Map each array-of-tables name to its headers, in file order, with their key lines."""
    spans: dict[str, list[TableSpan]] = {}
    current: TableSpan | None = None
    open_quote: str | None = None
    for number, line in enumerate(_lines(text), start=1):
        if open_quote is None:
            header = _HEADER.match(line)
            if header:
                current = TableSpan(number)
                spans.setdefault(header.group(1).strip().strip("\"'"), []).append(current)
            elif _TABLE.match(line):
                current = None  # a plain [table] ends the array-of-tables entry
            elif current is not None:
                key = _KEY.match(line)
                if key:
                    current.keys.setdefault(key.group(1).strip("\"'"), number)
        open_quote = _track_multiline(line, open_quote)
    return spans


def _lines(text: str) -> list[str]:
    """TOML lines: split on LF only (str.splitlines would also split on U+2028 inside strings)."""
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def _track_multiline(line: str, open_quote: str | None) -> str | None:
    """Which multi-line string delimiter is still open after this line, if any.

    One-line strings are skipped whole, so a \'\'\' inside "..." (or \"\"\" inside '...') does not
    count, and a comment ends the scan.
    """
    position, length = 0, len(line)
    while position < length:
        if open_quote is not None:
            index = position
            while True:
                index = line.find(open_quote, index)
                if index < 0:
                    return open_quote
                if open_quote == '"""' and _escaped(line, index):
                    index += 1
                    continue
                break
            end = index + 3
            while end < length and line[end] == open_quote[0] and end - index < 5:
                end += 1  # up to two quotes may close the string with the delimiter
            open_quote, position = None, end
            continue
        char = line[position]
        if char == "#":
            return None
        if line.startswith('"""', position) or line.startswith("'''", position):
            open_quote, position = line[position : position + 3], position + 3
        elif char == '"':
            position = _string_end(line, position + 1, '"')
        elif char == "'":
            position = _string_end(line, position + 1, "'")
        else:
            position += 1
    return open_quote


def _escaped(line: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and line[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _string_end(line: str, position: int, quote: str) -> int:
    while True:
        index = line.find(quote, position)
        if index < 0:
            return len(line)
        if quote == '"' and _escaped(line, index):
            position = index + 1
            continue
        return index + 1


def error_position(err: tomllib.TOMLDecodeError, text: str) -> tuple[int, int | None]:
    """Line and column of a TOML syntax error (Python 3.11 keeps them only in the message)."""
    line = getattr(err, "lineno", None)
    if line:
        return line, getattr(err, "colno", None)
    match = _ERROR_AT.search(str(err))
    if match:
        return int(match.group(1)), int(match.group(2))
    return max(1, text.count("\n") + (0 if text.endswith("\n") else 1)), None


def error_message(err: tomllib.TOMLDecodeError) -> str:
    """The syntax error's text without the position, which the Problem carries separately."""
    message = getattr(err, "msg", None) or str(err)
    return _ERROR_AT.sub("", message).strip()


_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_DOTTED_PART = re.compile(r"\s*(\"(?:[^\"\\]|\\.)*\"|'[^']*'|[A-Za-z0-9_-]+)\s*(?:\.|$)")


def _dotted(key: str) -> tuple[str, ...] | None:
    parts, position = [], 0
    while position < len(key):
        match = _DOTTED_PART.match(key, position)
        if not match:
            return None
        part = match.group(1)
        parts.append(part[1:-1] if part[0] in "\"'" else part)
        position = match.end()
    return tuple(parts)


def _key_name(raw: str) -> str:
    """A key as TOML reads it: quotes removed, and escapes (`"\\u001b"`) decoded."""
    if raw.startswith('"') and "\\" in raw:
        try:
            return next(iter(tomllib.loads(f"{raw} = 0")))
        except (tomllib.TOMLDecodeError, StopIteration):
            return raw.strip('"')
    return raw.strip("\"'")


def scan_tables(text: str) -> dict[tuple[str, ...], TableSpan]:
    """Map each `[dotted.table]` header's key path to its line and key lines; () is the top."""
    spans: dict[tuple[str, ...], TableSpan] = {(): TableSpan(1)}
    current = spans[()]
    open_quote: str | None = None
    for number, line in enumerate(_lines(text), start=1):
        if open_quote is None:
            header = _TABLE_HEADER.match(line)
            path = _dotted(header.group(1)) if header else None
            if path is not None:
                for end in range(1, len(path)):  # `[a.b]` alone also defines table `a`
                    spans.setdefault(path[:end], TableSpan(number))
                    spans[path[:end]].keys.setdefault(path[end], number)
                current = spans.setdefault(path, TableSpan(number))
            else:
                key = _KEY.match(line)
                if key:
                    current.keys.setdefault(_key_name(key.group(1)), number)
        open_quote = _track_multiline(line, open_quote)
    return spans


# A `[[name]]` header, found by one regex pass over the whole text: starting at the literal
# `[[` lets the regex engine skip to candidates at C speed (what precedes it on its line is
# checked after).
_QUICK_HEADER = re.compile(r"\[\[[ \t]*([A-Za-z0-9_.\"' -]+?)[ \t]*\]\][ \t]*(?:#[^\n]*)?\r?$", re.MULTILINE)


class Locator:
    """Line numbers for one file, found only as far as they are needed.

    A file of valid records needs only the line of each `[[paper]]` header, which one regex
    pass finds. The full line-by-line scan (every key's line, multi-line strings tracked) runs
    when a record has something to report, or when the quick pass cannot be trusted: it found
    a different number of headers than there are tables (a multi-line string can hold a line
    that looks like a header).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._spans: dict[str, list[TableSpan]] | None = None
        self._tables: dict[tuple[str, ...], TableSpan] | None = None

    def spans(self) -> dict[str, list[TableSpan]]:
        if self._spans is None:
            self._spans = scan(self.text)
        return self._spans

    def key_line(self, key: str) -> int | None:
        """The line of a top-level key (or of its `[key]` table)."""
        if self._tables is None:
            self._tables = scan_tables(self.text)
        tables = self._tables
        return tables[()].keys.get(key) or (tables[(key,)].line if (key,) in tables else None)

    def header_lines(self, name: str, tables: int) -> list[int] | None:
        """The lines of the `tables` headers `[[name]]`, or None when they cannot be told apart."""
        text, lines, line, last = self.text, [], 1, 0
        for match in _QUICK_HEADER.finditer(text):
            start = match.start()
            if match.group(1).strip("\"'") == name and not text[text.rfind("\n", 0, start) + 1 : start].strip(" \t"):
                line += text.count("\n", last, match.start())
                last = match.start()
                lines.append(line)
        if len(lines) == tables:
            return lines
        spans = self.spans().get(name, [])
        return [span.line for span in spans] if len(spans) == tables else None

    def span(self, name: str, index: int, tables: int) -> TableSpan | None:
        """The header and key lines of the `index`th `[[name]]` table, for reporting a problem."""
        spans = self.spans().get(name, [])
        return spans[index] if len(spans) == tables else None
