"""CSL-JSON export: what Zotero, Mendeley, pandoc and every citeproc read, one item per paper.

Record text goes into JSON strings, which hold anything safely; but citeproc reads `<i>`,
`<b>`, `<sup>`, `<span …>` in a string as markup, so `<` and `>` are written as `&lt;` and
`&gt;` (and an `&` that would read as one of those as `&amp;`; the importer reads them back).
A plain `&`, common in titles, stays as it is. The item's `id` is its citation key: the
user's, else the one the BibTeX export makes, so `[@key]` in pandoc and `\\cite{key}` agree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from paperbrowse.core.export.bibtex import citation_keys, paper_type
from paperbrowse.core.records.interchange import export_types, split_name

if TYPE_CHECKING:
    from paperbrowse.core.export import ExportItem

ET_AL = ("et al.", "others")  # a record's "and others": CSL has no name for it
# The record's text field -> its CSL variable, for the fields that map one to one.
TEXT_VARIABLES = {
    "volume": "volume",
    "pages": "page",
    "chapter": "chapter-number",
    "edition": "edition",
    "series": "collection-title",
    "address": "publisher-place",
    "howpublished": "medium",
    "note": "note",
    "doi": "DOI",
    "isbn": "ISBN",
    "issn": "ISSN",
}
_JOURNALS = ("article-journal", "article-magazine", "article-newspaper", "paper-conference")


_ENTITY = re.compile(r"&(?=(?:lt|gt|amp);)")


def escape(text: str) -> str:
    """Text that citeproc shows as it is: its markup characters written as entities."""
    return _ENTITY.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


def item(export: ExportItem, key: str) -> dict[str, Any]:
    """One CSL item; empty values are left out."""
    paper = export.paper
    bib = paper.bib
    record_type = paper_type(paper)  # the record's own, else guessed from the venue as BibTeX does
    csl_type = export_types(record_type)[0]
    values: dict[str, Any] = {"id": key, "type": csl_type, "title": escape(paper.title)}
    corporate = set(bib.corporate_authors) if bib else set()
    values["author"] = _names([a for a in paper.authors if a.lower() not in ET_AL], corporate)
    values["editor"] = _names(list(bib.editor) if bib else [], set())
    if bib and bib.venue_year and bib.venue_year != paper.date.year:
        # A preprint of 2022 in ICML 2023 is cited as of 2023, as its BibTeX says.
        values["issued"] = {"date-parts": [[bib.venue_year]]}
    elif paper.date.year:
        parts = [paper.date.year, paper.date.month, paper.date.day]
        values["issued"] = {"date-parts": [parts[: 3 if paper.date.day else 2 if paper.date.month else 1]]}
    values["container-title"] = escape(paper.venue)
    if bib:
        for field, variable in TEXT_VARIABLES.items():
            values[variable] = escape(bib.get(field))
        values["page"] = values["page"].replace("--", "-")
        number = escape(bib.get("number"))
        values["issue" if csl_type in _JOURNALS else "number"] = number
        values["publisher"] = escape(bib.get("publisher") or bib.get("school") or bib.get("institution"))
        if record_type == "mastersthesis":
            values["genre"] = "Master's thesis"
        if bib.get("eprint") and not paper.arxiv:
            values["archive"], values["archive_location"] = escape(bib.get("eprinttype")), escape(bib.get("eprint"))
    if paper.arxiv:
        values["archive"], values["archive_location"] = "arXiv", paper.arxiv
    values["URL"] = paper.url
    values["abstract"] = escape(paper.summary)
    values["keyword"] = escape(", ".join(dict.fromkeys((*paper.tags, *export.user_tags))))
    return {name: value for name, value in values.items() if value}


def _names(names: list[str], corporate: set[str]) -> list[dict[str, str]]:
    found = []
    for name in names:
        if name in corporate:
            found.append({"literal": escape(name)})
            continue
        parts = split_name(name)
        person = {"family": escape(parts.family), "given": escape(parts.given), "suffix": escape(parts.suffix)}
        found.append({key: value for key, value in person.items() if value})
    return found


def to_csl_json(items: Sequence[ExportItem]) -> str:
    """A JSON array of CSL items, indented, non-ASCII kept; the user's notes are not exported."""
    # The user's key where the record has one (a CSL file's ids come back as they were).
    keys = citation_keys([export.paper for export in items])
    entries = [item(export, key) for export, key in zip(items, keys, strict=True)]
    return json.dumps(entries, ensure_ascii=False, indent=2) + "\n"
