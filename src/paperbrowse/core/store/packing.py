"""One file's parsed records as plain tuples, which unpickle several times faster than dataclasses.

A packed file is the path its records were read from, then each paper, category and problem as
a tuple of its fields in field order (a paper's date as a tuple too).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields, replace
from typing import Any

from paperbrowse.core.records.bibliography import pack_bib, unpack_bib
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.loader import FileRecords
from paperbrowse.core.records.problems import Problem, Severity
from paperbrowse.core.records.schema import Category, Paper

_PAPER_FIELDS = [f.name for f in fields(Paper)]
_DATE = _PAPER_FIELDS.index("date")
_SOURCE = _PAPER_FIELDS.index("source")
_BIB = _PAPER_FIELDS.index("bib")

Row = tuple[Any, ...]
ProblemRow = tuple[str, int | None, str, Severity, int | None]
Packed = tuple[str, list[Row], list[Row], list[ProblemRow]]


def pack(records: FileRecords) -> Packed:
    papers: list[Row] = []
    for paper in records.papers:
        row = [getattr(paper, name) for name in _PAPER_FIELDS]
        row[_DATE] = (paper.date.year, paper.date.month, paper.date.day)
        row[_BIB] = pack_bib(paper.bib)
        papers.append(tuple(row))
    categories = [tuple(getattr(c, f.name) for f in fields(Category)) for c in records.categories]
    problems = [(p.file, p.line, p.message, p.severity, p.column) for p in records.problems]
    return (records.path, papers, categories, problems)


def unpack(packed: Packed, shown: str) -> FileRecords:
    """The stored records, with the file named as it is reached now (`shown`)."""
    stored, papers, categories, problems = packed
    result = FileRecords(shown)
    add_papers(result.papers, papers, shown)
    if categories:  # most files have none: no list built for them (a one-paper file's cost counts)
        result.categories = [replace(Category(*row), source=shown) for row in categories]
    if problems:
        result.problems = [
            Problem(shown if file == stored else file, line, message, severity, column)
            for file, line, message, severity, column in problems
        ]
    return result


def add_papers(found: list[Paper], rows: Iterable[Row], shown: str | None = None) -> None:
    """The papers of `rows` to `found`; from the file `shown` (None: where they were read)."""
    for row in rows:
        values = list(row)
        values[_DATE] = PaperDate(*values[_DATE])
        values[_BIB] = unpack_bib(values[_BIB])
        if shown is not None:
            values[_SOURCE] = shown
        found.append(Paper(*values))
