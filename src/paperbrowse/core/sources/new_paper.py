"""A paper about to join the collection: what a source told us, before it has an id or a file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from paperbrowse.core.records.bibliography import Bibliography
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.records.schema import PAPER_FIELDS


@dataclass(frozen=True, slots=True)
class NewPaper:
    title: str
    authors: tuple[str, ...]
    date: PaperDate
    arxiv: str = ""
    url: str = ""
    pdf: str = ""
    venue: str = ""
    orgs: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    summary: str = ""
    bib: Bibliography | None = None
    origin: str = ""  # where it came from, for messages: "arXiv 2302.13971", "refs.bib:12"

    def table(self, paper_id: str, category: str) -> dict[str, Any]:
        """The `[[paper]]` table to write: fields in the README's order, empty ones left out."""
        values: dict[str, Any] = {
            "id": paper_id,
            "title": one_line(self.title),
            "authors": [one_line(a) for a in self.authors],
            "date": _toml_date(self.date),
            "category": category,
            "orgs": [one_line(o) for o in self.orgs],
            "venue": one_line(self.venue),
            "arxiv": self.arxiv,
            "url": self.url,
            "pdf": self.pdf,
            "tags": [one_line(t) for t in self.tags],
            "summary": self.summary.strip(),
        }
        # `authors` even when empty (a work that names no one): the field is required.
        table = {key: values[key] for key in PAPER_FIELDS if values.get(key) or key == "authors"}
        if self.bib is not None:
            # After the venue, as a record written by hand has them; `bibtex`, a table, last.
            at = list(table).index("venue") + 1 if "venue" in table else len(table)
            items = list(table.items())
            table = dict(items[:at] + list(self.bib.table().items()) + items[at:])
            if "bibtex" in table:
                table["bibtex"] = table.pop("bibtex")
        return table


def _toml_date(date: PaperDate) -> dt.date | str:
    """A full date as a TOML date; a month or a year alone as the string records accept."""
    if date.year and date.month and date.day:
        return dt.date(date.year, date.month, date.day)
    return date.isoformat()
