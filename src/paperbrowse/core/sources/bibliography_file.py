"""Which reader a bibliography file needs: BibTeX, CSL-JSON or RIS, by its name, else its content.

`.bib`/`.bibtex` → BibTeX, `.json`/`.csljson` → CSL-JSON, `.ris` → RIS. Any other name is
told by its first characters: `[` or `{` is JSON, a `TY  - ` line RIS, the rest BibTeX.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal, Protocol

from paperbrowse.core.records.problems import Problem
from paperbrowse.core.sources.new_paper import NewPaper

Format = Literal["bibtex", "csl-json", "ris"]
_BY_SUFFIX: dict[str, Format] = {
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".json": "csl-json",
    ".csljson": "csl-json",
    ".ris": "ris",
}
_RIS_LINE = re.compile(rb"^TY  - ", re.MULTILINE)
SNIFF = 64 * 1024


class Imported(Protocol):
    papers: list[NewPaper]
    problems: list[Problem]


def file_format(path: Path, head: bytes) -> Format:
    """The format of the file at `path`, whose first bytes are `head`."""
    if path.suffix.lower() in _BY_SUFFIX:
        return _BY_SUFFIX[path.suffix.lower()]
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start[:1] in (b"[", b"{"):
        return "csl-json"
    if _RIS_LINE.search(head):
        return "ris"
    return "bibtex"


def read_bibliography(path: Path, progress: Callable[[int, int], None] | None = None) -> tuple[Format, Imported]:
    """The papers of a BibTeX, CSL-JSON or RIS file and the problems met; OSError if unreadable.
    `progress(done, total)` hears how far a BibTeX file's reading got (the others read in one go)."""
    with path.open("rb") as file:
        head = file.read(SNIFF)
    kind = file_format(path, head)
    if kind == "csl-json":
        from paperbrowse.core.sources.csl_json import read_csl_json

        return kind, read_csl_json(path)
    if kind == "ris":
        from paperbrowse.core.sources.ris import read_ris

        return kind, read_ris(path)
    from paperbrowse.core.sources.bibtex_import import read_bibtex_file  # bibtexparser: only for .bib

    return kind, read_bibtex_file(path, progress)
