"""What reading a bibliography file gives (drafts and problems), and the text of such a file.

Shared by the CSL-JSON and RIS readers; the BibTeX reader gives the same three things. A
file's bytes are decoded as the BibTeX reader decodes them: a byte-order mark says UTF-8, 16
or 32; else UTF-8; else Latin-1, with a warning, since old exports often are.
"""

from __future__ import annotations

import codecs
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from paperbrowse.core.records.problems import Problem
from paperbrowse.core.sources.new_paper import NewPaper

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(slots=True)
class FileImport:
    papers: list[NewPaper] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    entries: int = 0  # entries in the file, papers or not


def read_with(path: Path, parse: Callable[[str, str], FileImport]) -> FileImport:
    """`parse(text, name)` of the file's decoded text, after any problem decoding it; raises
    OSError when the file cannot be read, everything else becomes a problem."""
    decoding: list[Problem] = []
    text = decode(path.read_bytes(), str(path), decoding)
    if text is None:
        return FileImport(problems=decoding)
    parsed = parse(text, str(path))
    parsed.problems[:0] = decoding
    return parsed


def decode(raw: bytes, name: str, problems: list[Problem]) -> str | None:
    """The file's text; None (with an error in `problems`) when it cannot be decoded."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(codec)
            except UnicodeDecodeError as err:
                line = raw[len(bom) : len(bom) + err.start].count(b"\n") + 1
                problems.append(Problem(name, line, f"not valid {codec.upper()}: {err.reason}; nothing imported"))
                return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        problems.append(Problem(name, line, "not UTF-8; read as Latin-1", "warning"))
        return raw.decode("latin-1")


class Losses:
    """What an import could not keep, told once per kind with the entries it concerns, so that
    a 3,000-entry export with `accessed` in every entry says it in one line, not 3,000."""

    def __init__(self) -> None:
        self._where: defaultdict[str, list[str]] = defaultdict(list)

    def add(self, what: str, entry: str) -> None:
        self._where[what].append(entry)

    def problems(self, name: str) -> list[Problem]:
        found = []
        for what, entries in self._where.items():
            shown = ", ".join(entries[:5]) + (f" and {len(entries) - 5:,} more" if len(entries) > 5 else "")
            found.append(Problem(name, None, f"{what}: not kept ({shown})", "warning"))
        return found


def fold(text: str) -> str:
    """Whitespace folded to single spaces: what one RIS or CSL value keeps of its layout."""
    return " ".join(text.split())


def pages_from(text: str) -> str:
    """A page range as records hold it, BibTeX's way: `519--527` (from `519-527`, `519–527`)."""
    return re.sub(r"\s*(?:--|[-–—])\s*", "--", fold(text))
