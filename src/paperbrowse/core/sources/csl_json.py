"""Reading a CSL-JSON file (Zotero, Better BibTeX, Mendeley, pandoc) into new-paper drafts.

A file is an array of items (or one item). Each item becomes a draft, or a problem naming its
index and the field at fault; the other items are read. What a record has no place for (the
date it was accessed, the language, a second date of a range) is told once per variable with
the entries it concerns. CSL's rich-text tags (`<i>`, `<sup>`, `<span class="nocase">`) are
dropped from titles, and `&lt;`, `&gt;`, `&amp;` (how paperbrowse writes `<`, `>`, `&`) decoded;
any other `&` is text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from paperbrowse.core.records.bibliography import KEY_PATTERN, TEXT_FIELDS, Bibliography
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.interchange import CSL_TYPES, export_types, joined_name
from paperbrowse.core.records.problems import Problem
from paperbrowse.core.records.schema import check_link
from paperbrowse.core.sources.arxiv_id import parse_arxiv_id
from paperbrowse.core.sources.file_import import FileImport, Losses, fold, pages_from, read_with
from paperbrowse.core.sources.new_paper import NewPaper

# CSL variable -> the record's text field, for the variables that map one to one.
TEXT_VARIABLES = {
    "volume": "volume",
    "page": "pages",
    "chapter-number": "chapter",
    "edition": "edition",
    "collection-title": "series",
    "publisher-place": "address",
    "medium": "howpublished",
    "note": "note",
    "DOI": "doi",
    "ISBN": "isbn",
    "ISSN": "issn",
}
# What a record holds elsewhere, or what is only bookkeeping.
HANDLED = frozenset(
    {
        *TEXT_VARIABLES,
        "id",
        "citation-key",
        "type",
        "title",
        "author",
        "editor",
        "issued",
        "container-title",
        "issue",
        "number",
        "publisher",
        "genre",
        "URL",
        "abstract",
        "keyword",
        "archive",
        "archive_location",
    }
)
_RICH_TEXT = re.compile(r"</?(?:i|b|sup|sub|sc)>|<span(?: [^<>]{0,100})?>|</span>")
_ENTITIES = re.compile(r"&(?:lt|gt|amp);")
_DECODED = {"&lt;": "<", "&gt;": ">", "&amp;": "&"}
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


class _Bad(Exception):
    """An item that cannot be a paper: the field at fault and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def read_csl_json(path: Path) -> FileImport:
    """Raises OSError when the file cannot be read; everything else becomes a problem."""
    return read_with(path, parse_csl_json)


def parse_csl_json(text: str, name: str) -> FileImport:
    result = FileImport()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        result.problems.append(Problem(name, err.lineno, f"not JSON: {err.msg} (column {err.colno})", column=err.colno))
        return result
    except RecursionError:
        result.problems.append(Problem(name, None, "JSON nested too deep to read"))
        return result
    items = [data] if isinstance(data, dict) else data
    if not isinstance(items, list):
        result.problems.append(Problem(name, 1, "not CSL-JSON: the file must hold an array of items"))
        return result
    result.entries = len(items)
    losses = Losses()
    for index, item in enumerate(items):
        label = f"entry {index}"
        try:
            if not isinstance(item, dict):
                raise _Bad("", f"must be an object, not {_kind(item)}")
            if isinstance(item.get("id"), str | int) and not isinstance(item.get("id"), bool):
                label += f" ({str(item['id'])[:60]!r})"
            result.papers.append(_paper(item, f"{name}: {label}", label, losses))
        except _Bad as bad:
            where = f"field '{bad.field}': " if bad.field else ""
            result.problems.append(Problem(name, None, f"{label}: {where}{bad.message} (entry skipped)"))
    result.problems += losses.problems(name)
    return result


def _paper(item: Mapping[str, Any], origin: str, label: str, losses: Losses) -> NewPaper:
    for variable in item:
        if variable not in HANDLED:
            losses.add(f"'{variable}'", label)
    csl_type = _text(item, "type")
    record_type = CSL_TYPES.get(csl_type, "misc")
    if csl_type and export_types(record_type)[0] != csl_type:
        written = export_types(record_type)[0]
        losses.add(f"the type '{csl_type}' (kept as '{record_type}', written back as '{written}')", label)
    genre = _text(item, "genre")
    if record_type == "phdthesis" and re.search(r"master|m\.?a\.|m\.?sc", genre, re.IGNORECASE):
        record_type = "mastersthesis"
    title = _plain(_text(item, "title"))
    if not title:
        raise _Bad("title", "missing or empty")
    authors, corporate = _names(item, "author")
    editors, _ = _names(item, "editor")
    fields = {target: _text(item, variable) for variable, target in TEXT_VARIABLES.items()}
    fields["pages"] = pages_from(fields["pages"])
    fields["doi"] = _DOI.sub("", fields["doi"])
    # `issue` is a journal's; `number` a report's or a patent's: a record has one `number`.
    fields["number"] = _text(item, "issue") or _text(item, "number")
    if _text(item, "issue") and _text(item, "number"):
        losses.add("'number' beside 'issue'", label)
    publisher = _plain(_text(item, "publisher"))
    holder = {"phdthesis": "school", "mastersthesis": "school", "techreport": "institution"}.get(record_type)
    fields[holder or "publisher"] = publisher
    archive, location = _text(item, "archive"), _text(item, "archive_location")
    arxiv = parse_arxiv_id(location) if archive.lower() == "arxiv" else None
    if archive and arxiv is None:
        fields["eprinttype"], fields["eprint"] = archive, location
    key = _text(item, "citation-key") or str(item.get("id", ""))
    bib = Bibliography(
        type=record_type,
        key=key if KEY_PATTERN.fullmatch(key) else "",
        corporate_authors=corporate,
        editor=editors,
        fields=tuple((name, fold(fields[name])) for name in TEXT_FIELDS if fold(fields.get(name, ""))),
    )
    keywords = _text(item, "keyword")
    url = fold(_text(item, "URL"))
    if url and check_link(url) is not None:
        losses.add("a URL that is not an http(s) link", label)
        url = ""
    return NewPaper(
        title=title,
        authors=authors,
        date=_date(item, label, losses),
        arxiv=arxiv.id if arxiv else "",
        url=url,
        venue=_plain(_text(item, "container-title")),
        tags=tuple(dict.fromkeys(t.strip() for t in re.split(r"[,;]", keywords) if t.strip())),
        summary=_plain(_text(item, "abstract"), keep_lines=True),
        bib=bib,
        origin=origin,
    )


def _names(item: Mapping[str, Any], variable: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    value = item.get(variable, [])
    if not isinstance(value, list):
        raise _Bad(variable, f"must be an array of names, not {_kind(value)}")
    names: list[str] = []
    corporate: list[str] = []
    for position, person in enumerate(value):
        if not isinstance(person, dict):
            raise _Bad(variable, f"name {position} must be an object, not {_kind(person)}")
        # CSL's switches on a name (`parse-names`, `comma-suffix`, `static-ordering`) are about
        # how to print it; `isInstitution` says it is an organisation.
        institution = person.get("isInstitution") is True
        parts = {
            key: _plain(_text(person, key, f"{variable}[{position}].{key}"))
            for key, value in person.items()
            if not isinstance(value, bool)
        }
        if institution and not parts.get("literal"):
            parts["literal"] = " ".join(filter(None, (parts.get("given"), parts.get("family"))))
        if literal := parts.get("literal", ""):
            names.append(literal)
            corporate.append(literal)
            continue
        family = " ".join(
            p for p in (parts.get("dropping-particle"), parts.get("non-dropping-particle"), parts.get("family")) if p
        )
        name = fold(joined_name(parts.get("given", ""), family, parts.get("suffix", "")))
        if name:
            names.append(name)
    return tuple(names), tuple(corporate)


def _date(item: Mapping[str, Any], label: str, losses: Losses) -> PaperDate:
    issued = item.get("issued")
    if issued is None:
        return PaperDate(0)
    if not isinstance(issued, dict):
        raise _Bad("issued", f"must be a date object, not {_kind(issued)}")
    parts = issued.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        numbers = []
        for part in parts[0][:3]:
            text = str(part).strip() if isinstance(part, int | str) and not isinstance(part, bool) else ""
            if not text.isdigit():
                break
            numbers.append(int(text))
        if len(parts) > 1:
            losses.add("the end of a date range", label)
        for other in ("circa", "season"):
            if other in issued:
                losses.add(f"'issued.{other}'", label)
        if numbers and 1000 <= numbers[0] <= 9999:
            year, month, day = [*numbers, 0, 0][:3]
            if not 1 <= month <= 12:
                if month:
                    losses.add("a month outside 1-12 (a season)", label)
                return PaperDate(year)
            try:
                return PaperDate.parse(PaperDate(year, month, day).isoformat())
            except ValueError:
                return PaperDate(year, month)
    raw = issued.get("raw") or issued.get("literal")
    found = re.search(r"\b(\d{4})\b", raw) if isinstance(raw, str) else None
    if found:
        losses.add("a date written as text (its year is kept)", label)
        return PaperDate(int(found.group(1)))
    losses.add("a date that is not one", label)
    return PaperDate(0)


def _plain(text: str, *, keep_lines: bool = False) -> str:
    text = _ENTITIES.sub(lambda m: _DECODED[m.group()], _RICH_TEXT.sub("", text))
    if keep_lines:  # an abstract's paragraphs
        paragraphs = (fold(p) for p in re.split(r"\n\s*\n", text))
        return "\n\n".join(p for p in paragraphs if p)
    return fold(text)


def _text(item: Mapping[str, Any], key: str, field: str = "") -> str:
    value = item.get(key, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # `"volume": 7`, `"page": 12`
    if not isinstance(value, str):
        raise _Bad(field or key, f"must be a string, not {_kind(value)}")
    return value


def _kind(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
