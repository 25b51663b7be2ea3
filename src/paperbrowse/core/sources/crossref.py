"""A Crossref work (the `message` of `GET /works/{doi}`) read into a bibliographic entry.

The answer is untrusted JSON: every value is checked for its type and a wrong one is left out
rather than trusted. Titles and abstracts carry JATS or HTML inline markup (`<scp>`, `<i>`,
`<jats:p>`): the tags go, their text stays, and entities are decoded once.

Crossref's types become BibTeX's: `journal-article` → article, `proceedings-article` →
inproceedings, a chapter or reference entry → incollection, a book → book, `dissertation` →
phdthesis, `report` → techreport, anything else → misc. A chapter's `container-title` lists
the series before the book (Springer: `["Lecture Notes in …", "Computer Vision – ECCV 2014"]`):
the last is the book, the first the series.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from paperbrowse.core.records.bibliography import TEXT_FIELDS, Bibliography
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.sources.doi import doi_link, parse_doi
from paperbrowse.core.sources.new_paper import NewPaper

ENTRY_TYPES = {
    "journal-article": "article",
    "proceedings-article": "inproceedings",
    "book-chapter": "incollection",
    "book-section": "incollection",
    "book-part": "incollection",
    "book-track": "incollection",
    "reference-entry": "incollection",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "book-set": "book",
    "book-series": "book",
    "proceedings": "proceedings",
    "proceedings-series": "proceedings",
    "dissertation": "phdthesis",
    "report": "techreport",
    "report-series": "techreport",
    "report-component": "techreport",
}
_IN_A_BOOK = ("inproceedings", "incollection")
# Where a work's date is, best first: `issued` is the earliest of print and online.
_DATES = ("issued", "published", "published-print", "published-online", "posted")
_TAG = re.compile(r"<[^<>]{0,500}>")


class CrossrefFormatError(Exception):
    """The answer is not a Crossref work paperbrowse can read."""


@dataclass(frozen=True, slots=True)
class Person:
    """An author or editor: a person (given, family) or an organisation (`name`)."""

    given: str = ""
    family: str = ""
    organisation: str = ""

    @property
    def name(self) -> str:
        """First name first, as records hold names; an organisation by its name."""
        return self.organisation or " ".join(filter(None, (self.given, self.family)))


@dataclass(frozen=True, slots=True)
class Work:
    doi: str
    crossref_type: str
    entry_type: str  # BibTeX's
    title: str
    authors: tuple[Person, ...]
    editors: tuple[Person, ...]
    date: PaperDate | None  # None: Crossref gives no date at all
    fields: Mapping[str, str] = field(default_factory=dict)  # BibTeX field -> plain-text value
    abstract: str = ""
    venue: str = ""  # what a reader calls where it appeared: the journal, the book, the server

    @property
    def url(self) -> str:
        return doi_link(self.doi)


def parse_answer(data: bytes) -> Work:
    """The work in a `/works/{doi}` answer; CrossrefFormatError says why when there is none."""
    try:
        answer = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        where = f" (line {err.lineno}, column {err.colno})" if isinstance(err, json.JSONDecodeError) else ""
        raise CrossrefFormatError(f"the answer is not JSON{where}") from None
    except RecursionError:
        raise CrossrefFormatError("the answer is JSON nested too deep to read") from None
    if not isinstance(answer, dict) or not isinstance(answer.get("message"), dict):
        raise CrossrefFormatError("the answer has no `message` object: not a Crossref work")
    if answer.get("message-type", "work") != "work":
        raise CrossrefFormatError(f"the answer is a {_text(answer.get('message-type'))[:40]!r}, not a work")
    return read_work(answer["message"])


def read_work(message: Mapping[str, Any]) -> Work:
    doi = parse_doi(_text(message.get("DOI")))
    if doi is None:
        raise CrossrefFormatError("the work has no DOI")
    crossref_type = _text(message.get("type"))
    entry_type = ENTRY_TYPES.get(crossref_type, "misc")
    title = _joined_title(_texts(message.get("title")), _texts(message.get("subtitle")))
    containers = [_plain(t) for t in _texts(message.get("container-title"))]
    containers = [t for t in containers if t]
    fields: dict[str, str] = {}
    venue = ""
    if entry_type == "article" and containers:
        fields["journal"] = venue = containers[0]
    elif entry_type in _IN_A_BOOK and containers:
        fields["booktitle"] = venue = containers[-1]
        if len(containers) > 1:
            fields["series"] = containers[0]
    elif entry_type == "book" and containers:
        fields["series"] = containers[0]
    institutions = [_plain(_text(i.get("name"))) for i in _objects(message.get("institution"))]
    publisher = _plain(_text(message.get("publisher")))
    if entry_type == "phdthesis":
        fields["school"] = (institutions or [publisher])[0]
    elif entry_type == "techreport":
        fields["institution"] = (institutions or [publisher])[0]
    elif entry_type == "misc" and institutions and institutions[0]:
        fields["howpublished"] = institutions[0]  # a preprint server, an archive
    for key, crossref_key in (("volume", "volume"), ("number", "issue"), ("edition", "edition-number")):
        if value := _plain(_number(message.get(crossref_key))):
            fields[key] = value
    if pages := _plain(_text(message.get("page"))):
        fields["pages"] = re.sub(r"\s*[-–—]+\s*", "--", pages)  # BibTeX's range dash
    if publisher:
        fields["publisher"] = publisher
    event = message.get("event")
    location = _text(message.get("publisher-location")) or (
        _text(event.get("location")) if isinstance(event, dict) else ""
    )
    if location := _plain(location):
        fields["address"] = location
    fields["doi"] = doi
    for key, crossref_key in (("isbn", "ISBN"), ("issn", "ISSN")):
        numbers = list(dict.fromkeys(_plain(n) for n in _texts(message.get(crossref_key))))
        if numbers := [n for n in numbers if n]:
            fields[key] = ", ".join(numbers)
    return Work(
        doi=doi,
        crossref_type=crossref_type,
        entry_type=entry_type,
        title=title,
        authors=_people(message.get("author")),
        editors=_people(message.get("editor")),
        date=_date(message),
        fields=fields,
        abstract=_abstract(_text(message.get("abstract"))),
        venue=venue,
    )


def draft(work: Work, origin: str = "") -> NewPaper:
    """The new paper a work becomes: its bibliographic fields in the record's `bib`; a work
    Crossref gives no date is undated (`n.d.`), an organisation among its authors corporate."""
    bib = Bibliography(
        type=work.entry_type,
        corporate_authors=tuple(person.name for person in work.authors if person.organisation),
        editor=tuple(person.name for person in work.editors),
        fields=tuple((name, work.fields[name]) for name in TEXT_FIELDS if work.fields.get(name)),
    )
    return NewPaper(
        title=work.title,
        authors=tuple(person.name for person in work.authors),
        date=work.date or PaperDate(0),
        url=work.url,
        venue=work.venue,
        summary=work.abstract,
        bib=bib,
        origin=origin or f"DOI {work.doi}",
    )


def _joined_title(titles: Sequence[str], subtitles: Sequence[str]) -> str:
    title = _plain(titles[0]) if titles else ""
    subtitle = _plain(subtitles[0]) if subtitles else ""
    if subtitle and subtitle.casefold() not in title.casefold():
        return f"{title}: {subtitle}" if title else subtitle
    return title


def _people(value: object) -> tuple[Person, ...]:
    people = []
    for item in _objects(value):
        given, family = _plain(_text(item.get("given"))), _plain(_text(item.get("family")))
        if suffix := _plain(_text(item.get("suffix"))):
            family = f"{family}, {suffix}" if family else suffix
        name = _plain(_text(item.get("name")))
        if family or given:
            people.append(Person(given, family))
        elif name:
            people.append(Person(organisation=name))
    return tuple(people)


def _date(message: Mapping[str, Any]) -> PaperDate | None:
    for key in _DATES:
        holder = message.get(key)
        parts = holder.get("date-parts") if isinstance(holder, dict) else None
        first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) else []
        numbers: list[int] = []
        for part in first[:3]:
            if isinstance(part, bool) or not isinstance(part, int | str) or not str(part).isdigit():
                break
            numbers.append(int(part))
        if numbers and 1000 <= numbers[0] <= 9999:
            year, month, day = [*numbers, 0, 0][:3]
            if not 1 <= month <= 12:
                return PaperDate(year)
            try:
                return PaperDate(year, month, dt.date(year, month, day).day) if day else PaperDate(year, month)
            except ValueError:  # 31 February
                return PaperDate(year, month)
    return None


def _abstract(text: str) -> str:
    """JATS to paragraphs: section titles lead their paragraph, a lone "Abstract" heading goes."""
    if not text:
        return ""
    text = re.sub(r"^\s*<jats:title>\s*abstract\s*</jats:title>", "", text, flags=re.IGNORECASE)
    text = re.sub(r"</jats:title>", ": ", text)
    text = re.sub(r"</jats:p>|</jats:sec>|<br\s*/?>", "\n\n", text)
    paragraphs = (" ".join(html.unescape(_TAG.sub("", chunk)).split()) for chunk in text.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p and p != ":")


def _plain(text: str) -> str:
    """Inline markup dropped, entities decoded, whitespace folded to single spaces."""
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _number(value: object) -> str:
    """A volume, issue or edition: a string, or a number from a less careful API (`volume: 7`)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _text(value)


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]  # CSL-JSON from doi.org gives one string where the REST API gives a list
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _objects(value: object) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
