"""CSV export: one row per paper, RFC 4180 quoting, cells that a spreadsheet would run defused."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paperbrowse.core.export import ExportItem

COLUMNS = (
    "id",
    "title",
    "authors",
    "year",
    "date",
    "venue",
    "category",
    "orgs",
    "arxiv",
    "url",
    "code",
    "tags",
    "user_tags",
    "status",
    "starred_at",
    "note",
)
LIST_SEPARATOR = "; "
# A spreadsheet treats a cell starting with one of these as a formula (OWASP CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """The cell, prefixed with `'` when a spreadsheet would evaluate it."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _row(item: ExportItem) -> list[str]:
    paper = item.paper
    cells = (
        paper.id,
        paper.title,
        LIST_SEPARATOR.join(paper.authors),
        str(paper.year),
        paper.date.isoformat(),
        paper.venue,
        paper.category,
        LIST_SEPARATOR.join(paper.orgs),
        paper.arxiv,
        paper.link,
        paper.code,
        LIST_SEPARATOR.join(paper.tags),
        LIST_SEPARATOR.join(item.user_tags),
        item.status,
        item.starred_at.isoformat() if item.starred_at else "",
        item.note,
    )
    return [neutralise(cell) for cell in cells]


def to_csv(items: Sequence[ExportItem]) -> str:
    """A header row then one row per item; text is kept exactly, newlines inside quoted cells."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(item) for item in items)
    return out.getvalue()
