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
    for number, line in enumerate(text.splitlines(), start=1):
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


def _track_multiline(line: str, open_quote: str | None) -> str | None:
    """Which multi-line string delimiter is still open after this line, if any."""
    position = 0
    while True:
        if open_quote is None:
            starts = [(line.find(q, position), q) for q in ('"""', "'''")]
            starts = [(index, q) for index, q in starts if index >= 0]
            if not starts:
                return None
            index, quote = min(starts)
            if "#" in line[position:index]:
                return None  # the delimiter sits in a comment
            open_quote, position = quote, index + 3
        else:
            index = line.find(open_quote, position)
            if index < 0:
                return open_quote
            while line.startswith(open_quote[0], index + 3):
                index += 1  # up to two quotes may close the string with the delimiter
            open_quote, position = None, index + 3


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
