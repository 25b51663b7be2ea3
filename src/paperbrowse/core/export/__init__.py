"""Exporting papers with the user's state: a Markdown reading list, BibTeX, CSL-JSON, RIS, CSV, JSON.

Record text is untrusted: every format escapes or neutralises it so that no title, author or
note can break out of its field, run a spreadsheet formula or plant a link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from paperbrowse.core.export.bibtex import to_bibtex
from paperbrowse.core.export.csl_json import to_csl_json
from paperbrowse.core.export.csv_table import to_csv
from paperbrowse.core.export.json_list import to_json
from paperbrowse.core.export.markdown import to_markdown
from paperbrowse.core.export.ris import to_ris
from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.schema import Paper

if TYPE_CHECKING:
    from paperbrowse.core.library.entries import Status

__all__ = [
    "CITE_FORMATS",
    "FORMATS",
    "ExportItem",
    "cite",
    "export",
    "to_bibtex",
    "to_csl_json",
    "to_csv",
    "to_json",
    "to_markdown",
    "to_ris",
]

FORMATS = ("markdown", "bibtex", "csl-json", "ris", "csv", "json")
CITE_FORMATS = ("bibtex", "biblatex", "csl-json", "ris")


@dataclass(frozen=True, slots=True)
class ExportItem:
    """One paper to export, with what the user's library says about it."""

    paper: Paper
    note: str = ""  # the user's Markdown note, any length
    user_tags: tuple[str, ...] = ()
    starred_at: datetime | None = None
    status: Status = "unread"


def export(items: Sequence[ExportItem], fmt: str, catalog: Catalog) -> str:
    """The items, in the order given, as text in one of FORMATS; ValueError for any other."""
    if fmt == "markdown":
        return to_markdown(items, catalog)
    if fmt == "bibtex":
        return to_bibtex(items)
    if fmt == "csl-json":
        return to_csl_json(items)
    if fmt == "ris":
        return to_ris(items)
    if fmt == "csv":
        return to_csv(items)
    if fmt == "json":
        return to_json(items)
    raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")


def cite(papers: Sequence[Paper], fmt: str = "bibtex") -> str:
    """The bibliography entries of `papers`, in the order given, in one of CITE_FORMATS; what
    `paperbrowse cite` prints and the browser's `y` copies. Only the record: a citation carries
    none of the user's tags, notes or reading state."""
    items = [ExportItem(paper) for paper in papers]
    if fmt in ("bibtex", "biblatex"):
        return to_bibtex(items, "biblatex" if fmt == "biblatex" else "bibtex")
    if fmt == "csl-json":
        return to_csl_json(items)
    if fmt == "ris":
        return to_ris(items)
    raise ValueError(f"unknown citation format {fmt!r} (choose from {', '.join(CITE_FORMATS)})")
