"""Reading the entries of a .bib file as BibTeX and biber read them, with exact line numbers.

`@string` macros (and the month names) are expanded, `#` joins the pieces of a value, `@comment`
and `@preamble` are passed over, and text outside an entry is a comment. A broken entry is
reported at the line where it went wrong and reading starts again at the next line that begins
with `@`, so one missing brace costs one entry, not the rest of the file. Entries are returned
with their fields as written (outer braces or quotes removed); crossref and xdata are left to
the caller.

Each step jumps with a regular expression from one brace, quote or `@` to the next: a large
file reads several times faster than with bibtexparser, and a line number is a bisection.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
MONTHS = {name[:3].lower(): name for name in _MONTH_NAMES}

_ENTRY_START = re.compile(r"@[ \t\r\n]*([A-Za-z][\w:.+-]*)[ \t\r\n]*([{(])")
_SPACE = re.compile(r"(?:\s|%[^\n]*)*")  # between fields, `%` starts a comment (biber reads them so)
_NAME = re.compile(r"[^\s\"#%'(),={}]+")
_NUMBER = re.compile(r"\d+")
_BRACES = re.compile(r"[{}]")
_QUOTED = re.compile(r'[{}"]')
_RESUME = re.compile(r"^[ \t]*@", re.MULTILINE)


@dataclass(slots=True)
class Field:
    value: str
    line: int
    macros: tuple[str, ...] = ()  # @string names it used: an export can write them back


@dataclass(slots=True)
class RawEntry:
    type: str  # lowercase
    key: str
    line: int
    fields: dict[str, Field] = field(default_factory=dict)  # lowercase names, in file order


@dataclass(slots=True)
class Notice:
    line: int
    message: str
    severity: str  # "error" (the entry is lost) or "warning"


@dataclass(slots=True)
class ReadResult:
    entries: list[RawEntry] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    strings: dict[str, str] = field(default_factory=dict)


class _Broken(Exception):
    def __init__(self, position: int, message: str) -> None:
        super().__init__(message)
        self.position, self.message = position, message


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.result = ReadResult()
        self.strings = dict(MONTHS.items())

    def line(self, position: int) -> int:
        return bisect_right(self.newlines, position - 1) + 1

    def skip_space(self, position: int) -> int:
        match = _SPACE.match(self.text, position)
        return match.end() if match else position

    def read(self) -> ReadResult:
        position = 0
        while (start := self.text.find("@", position)) >= 0:
            match = _ENTRY_START.match(self.text, start)
            if match is None:
                position = start + 1  # an `@` in a comment
                continue
            kind = match.group(1).lower()
            try:
                position = self.block(kind, match.group(2), match.end(), start)
            except _Broken as broken:
                where = self.line(broken.position)
                self.result.notices.append(Notice(where, broken.message, "error"))
                resume = _RESUME.search(self.text, broken.position if broken.position > start else match.end())
                position = resume.start() + resume.group().index("@") if resume else len(self.text)
                if position <= start:
                    position = start + 1
        self.result.strings = {k: v for k, v in self.strings.items() if k not in MONTHS}
        return self.result

    def block(self, kind: str, opener: str, position: int, start: int) -> int:
        closer = "}" if opener == "{" else ")"
        if kind == "comment":
            return self.balanced_end(position - 1, start) if opener == "{" else position
        if kind == "preamble":
            end = self.value(self.skip_space(position), start, closer)[1]
            return self.expect(end, closer, "the @preamble")
        if kind == "string":
            position = self.skip_space(position)
            name = _NAME.match(self.text, position)
            if name is None:
                raise _Broken(position, "@string without a name")
            text, position, _ = self.value(self.after_equals(name.end(), name.group()), start, closer)
            self.strings[name.group().lower()] = text
            return self.expect(position, closer, "the @string")
        return self.entry(kind, closer, position, start)

    def entry(self, kind: str, closer: str, position: int, start: int) -> int:
        key_pattern = re.compile(r"\s*([^,\s}]*)\s*" if closer == "}" else r"\s*([^,\s)]*)\s*")
        key_match = key_pattern.match(self.text, position)
        key = key_match.group(1) if key_match else ""
        position = key_match.end() if key_match else position
        entry = RawEntry(kind, key, self.line(start))
        if self.text.startswith(closer, position):
            self.result.entries.append(entry)
            return position + 1
        if not self.text.startswith(",", position):
            raise _Broken(position, f"entry '{key}': expected ',' after the key")
        position += 1
        while True:
            position = self.skip_space(position)
            if self.text.startswith(closer, position):
                self.result.entries.append(entry)
                return position + 1
            name = _NAME.match(self.text, position)
            if name is None:
                raise _Broken(position, f"entry '{key}': expected a field name or '{closer}' to end the entry")
            field_line, field_start = self.line(position), position
            value, position, macros = self.value(self.after_equals(name.end(), name.group(), key), start, closer)
            field_name = name.group().lower()
            if field_name in entry.fields:
                first = entry.fields[field_name].line
                message = f"entry '{key}': the field '{field_name}' is given twice (line {first}); the first is kept"
                self.result.notices.append(Notice(field_line, message, "warning"))
            else:
                entry.fields[field_name] = Field(value, field_line, macros)
            position = self.skip_space(position)
            if self.text.startswith(",", position):
                position += 1
            elif _ENTRY_START.match(self.text, position):
                # The next entry begins where this one should go on: a brace in the value
                # closed the entry instead (`{Taylor {{\&} Francis}`). Say where it opened.
                message = f"entry '{key}': the value of '{field_name}' leaves a '{{' open, so the entry never ends"
                raise _Broken(field_start, message)
            elif not self.text.startswith(closer, position):
                raise _Broken(position, f"entry '{key}': expected ',' or '{closer}' after the value of '{field_name}'")

    def after_equals(self, position: int, name: str, key: str = "") -> int:
        position = self.skip_space(position)
        if not self.text.startswith("=", position):
            owner = f"entry '{key}': " if key else ""
            raise _Broken(position, f"{owner}expected '=' after '{name}'")
        return self.skip_space(position + 1)

    def value(self, position: int, start: int, closer: str) -> tuple[str, int, tuple[str, ...]]:
        """A value's pieces joined by `#`: its text, where it ends, the macros it used."""
        pieces: list[str] = []
        macros: list[str] = []
        while True:
            char = self.text[position : position + 1]
            if char == "{":
                end = self.balanced_end(position, start)
                pieces.append(self.text[position + 1 : end - 1])
            elif char == '"':
                end = self.quoted_end(position, start)
                pieces.append(self.text[position + 1 : end - 1])
            elif (number := _NUMBER.match(self.text, position)) is not None:
                end = number.end()
                pieces.append(number.group())
            elif (name := _NAME.match(self.text, position)) is not None:
                end = name.end()
                macro = name.group().lower()
                if macro not in self.strings:
                    self.result.notices.append(
                        Notice(
                            self.line(position),
                            f"@string '{name.group()}' is not defined (kept as its name)",
                            "warning",
                        )
                    )
                pieces.append(self.strings.get(macro, name.group()))
                macros.append(name.group())
            else:
                raise _Broken(position, 'expected a value: {...}, "...", a number or a @string name')
            position = self.skip_space(end)
            if not self.text.startswith("#", position):
                return "".join(pieces), position, tuple(macros)
            position = self.skip_space(position + 1)

    def balanced_end(self, position: int, start: int) -> int:
        """Just past the brace that closes the one at `position`."""
        depth = 0
        for match in _BRACES.finditer(self.text, position):
            if match.group() == "{":
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    self.runs_into_an_entry(position, match.end(), "{")
                    return match.end()
        self.runs_into_an_entry(position, len(self.text), "{")
        raise _Broken(start, "a '{' is never closed: the entry runs to the end of the file")

    def runs_into_an_entry(self, position: int, end: int, opener: str) -> None:
        """A value that holds a line starting a new entry lost its closing brace or quote: say
        so where it opened, rather than where the next entry's text stops making sense."""
        resume = _RESUME.search(self.text, position, end)
        if resume is not None and _ENTRY_START.match(self.text, resume.end() - 1):
            next_line = self.line(resume.end())
            raise _Broken(position, f"the '{opener}' opened here is not closed before the entry on line {next_line}")

    def quoted_end(self, position: int, start: int) -> int:
        depth = 0
        for match in _QUOTED.finditer(self.text, position + 1):
            char = match.group()
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth < 0:
                    raise _Broken(match.start(), "a '}' inside a quoted value closes no '{'")
            elif depth == 0:
                self.runs_into_an_entry(position, match.end(), '"')
                return match.end()
        self.runs_into_an_entry(position, len(self.text), '"')
        raise _Broken(start, "a '\"' is never closed: the entry runs to the end of the file")

    def expect(self, position: int, closer: str, what: str) -> int:
        position = self.skip_space(position)
        if not self.text.startswith(closer, position):
            raise _Broken(position, f"expected '{closer}' to end {what}")
        return position + 1


def read_bibtex(text: str) -> ReadResult:
    return _Reader(text).read()
