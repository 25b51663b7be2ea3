"""RIS export: what EndNote, Zotero, Mendeley and reference databases read, one entry per paper.

RIS has no escaping: a line is a tag and its value, and a value that held a line break could
start a tag of its own (`ER  -`, ending the entry early). So every value is written on one
line, its whitespace folded and control characters shown as escapes: no record text can make
a line of its own. Authors are `Family, Given`; a page range is `SP` and `EP`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from paperbrowse.core.export.bibtex import paper_type
from paperbrowse.core.records.interchange import export_types, split_name
from paperbrowse.core.records.safe_text import one_line

if TYPE_CHECKING:
    from paperbrowse.core.export import ExportItem

ET_AL = ("et al.", "others")
# The record's text field -> its RIS tag, for the fields that map one to one.
TEXT_TAGS = (
    ("series", "T3"),
    ("volume", "VL"),
    ("number", "IS"),
    ("chapter", "SE"),
    ("edition", "ET"),
    ("address", "CY"),
    ("doi", "DO"),
)


def line(tag: str, value: str) -> str:
    """`TI  - value`: the value on one line, whatever it held."""
    return f"{tag}  - {one_line(' '.join(value.split()))}"


def _lines(export: ExportItem, key: str) -> Iterator[tuple[str, str]]:
    paper = export.paper
    bib = paper.bib
    record_type = paper_type(paper)  # the record's own, else guessed from the venue as BibTeX does
    yield "TY", export_types(record_type)[1]
    yield "ID", key  # the user's citation key only: RIS files mostly have none, and get none
    yield "TI", paper.title
    for name in paper.authors:
        if name.lower() not in ET_AL:
            yield "AU", _name(name, bib.corporate_authors if bib else ())
    for name in bib.editor if bib else ():
        yield "A2", _name(name, ())
    if bib and bib.venue_year and bib.venue_year != paper.date.year:
        yield "PY", str(bib.venue_year)  # a preprint of 2022 in ICML 2023 is cited as of 2023
    elif paper.date.year:
        yield "PY", str(paper.date.year)
        if paper.date.month:
            yield (
                "DA",
                f"{paper.date.year:04d}/{paper.date.month:02d}/{f'{paper.date.day:02d}' if paper.date.day else ''}",
            )
    book = record_type in ("book", "proceedings")
    yield "T2", bib.get("series") if bib and book else paper.venue  # a book's T2 is its series
    if bib:
        for field, tag in TEXT_TAGS:
            if not (book and field == "series"):
                yield tag, bib.get(field)
        start, _, end = bib.get("pages").partition("--")
        yield "SP", start
        yield "EP", end
        yield "PB", bib.get("publisher") or bib.get("school") or bib.get("institution")
        if record_type == "mastersthesis":
            yield "M3", "Master's thesis"
        for field in ("isbn", "issn"):
            for number in bib.get(field).split(", "):
                yield "SN", number
        yield "N1", bib.get("note")
    yield "UR", paper.url
    if paper.arxiv and paper.url != f"https://arxiv.org/abs/{paper.arxiv}":
        yield "UR", f"https://arxiv.org/abs/{paper.arxiv}"  # the arXiv id comes back from it
    yield "AB", paper.summary
    for tag in dict.fromkeys((*paper.tags, *export.user_tags)):
        yield "KW", tag
    for org in paper.orgs:
        yield "AD", org


def _name(name: str, corporate: Sequence[str]) -> str:
    if name in corporate:
        return name
    parts = split_name(name)
    return ", ".join(part for part in (parts.family, parts.given, parts.suffix) if part)


def entry(export: ExportItem) -> str:
    key = export.paper.bib.key if export.paper.bib else ""
    body = "\n".join(line(tag, value) for tag, value in _lines(export, key) if value.strip())
    return f"{body}\nER  - \n"


def to_ris(items: Sequence[ExportItem]) -> str:
    """One entry per item, a blank line between; the user's notes are not exported."""
    return "\n".join(map(entry, items))
