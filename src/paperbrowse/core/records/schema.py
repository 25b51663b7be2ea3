"""Paper and category records, and the validation that turns a TOML table into one."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import repeat
from types import MemberDescriptorType
from typing import Any, Protocol, TypeVar
from urllib.parse import SplitResult, quote, urlsplit

from paperbrowse.core.records.bibliography import BIB_FIELDS, DOI_PATTERN, Bibliography, bibliography_from_table
from paperbrowse.core.records.dates import PaperDate, type_name

ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,199})$")
ARXIV_PATTERN = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")

PAPER_FIELDS = (
    "id",
    "title",
    "authors",
    "date",
    "category",
    "orgs",
    "venue",
    "arxiv",
    "url",
    "pdf",
    "code",
    "tags",
    "sources",
    "aliases",
    "unverified",
    "summary",
    "summary_zh",
    "highlight",
    "highlight_zh",
    "builds_on",
)
CATEGORY_FIELDS = ("id", "name", "name_zh", "parent", "order")
REQUIRED_PAPER_FIELDS = ("id", "title", "authors", "date", "category")
_STRING_FIELDS = ("venue", "summary", "summary_zh", "highlight", "highlight_zh")
_LIST_FIELDS = ("orgs", "tags", "aliases")
_LINK_FIELDS = ("url", "code")


@dataclass(frozen=True, slots=True)
class Paper:
    id: str
    title: str
    authors: tuple[str, ...]
    date: PaperDate
    category: str
    orgs: tuple[str, ...] = ()
    venue: str = ""
    arxiv: str = ""
    url: str = ""
    pdf: str = ""
    code: str = ""
    tags: tuple[str, ...] = ()
    summary: str = ""
    summary_zh: str = ""
    highlight: str = ""
    highlight_zh: str = ""
    builds_on: tuple[str, ...] = ()  # ids of papers this one builds on; unknown ids are kept
    bib: Bibliography | None = None  # entry type, citation key, pages, DOI...: see bibliography.py
    sources: tuple[str, ...] = ()  # http(s) pages the record's facts were checked against
    aliases: tuple[str, ...] = ()  # other names people search by (`FA2`, `OPTQ`)
    unverified: tuple[str, ...] = ()  # notes on facts no source confirms, shown as such
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)
    source: str = field(default="", compare=False)
    line: int | None = field(default=None, compare=False)

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def link(self) -> str:
        """The page a reader opens: the record's url, else its DOI's, else its arXiv abstract page."""
        if self.url:
            return self.url
        if self.bib is not None and DOI_PATTERN.fullmatch(self.bib.get("doi")):
            return f"https://doi.org/{quote(self.bib.get('doi'), safe='/:;()._-')}"
        if self.arxiv:
            return f"https://arxiv.org/abs/{self.arxiv}"
        return ""


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    name: str
    name_zh: str = ""
    parent: str | None = None
    order: int = 0
    source: str = field(default="", compare=False)
    line: int | None = field(default=None, compare=False)


class RecordError(Exception):
    """A field that makes its record unusable; `key` names it so the loader can find its line."""

    def __init__(self, key: str | None, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


@dataclass(slots=True)
class Findings:
    """What validating one record found: errors skip the record, warnings do not."""

    errors: list[RecordError] = field(default_factory=list)
    warnings: list[RecordError] = field(default_factory=list)

    def error(self, key: str, message: str) -> None:
        self.errors.append(RecordError(key, message))

    def warning(self, key: str, message: str) -> None:
        self.warnings.append(RecordError(key, message))


def _text(table: Mapping[str, Any], key: str, findings: Findings, *, required: bool) -> str:
    value = table.get(key)
    if value is None:
        if required:
            findings.errors.append(RecordError(key, f"missing required field '{key}'"))
        return ""
    if not isinstance(value, str):
        findings.errors.append(RecordError(key, f"field '{key}' must be a string, not {type_name(value)}"))
        return ""
    if required and not value.strip():
        findings.errors.append(RecordError(key, f"field '{key}' is empty"))
    return value


def _strings(table: Mapping[str, Any], key: str, findings: Findings, *, required: bool) -> tuple[str, ...]:
    value = table.get(key)
    if value is None:
        if required:
            findings.errors.append(RecordError(key, f"missing required field '{key}'"))
        return ()
    if not isinstance(value, list) or not set(map(type, value)) <= {str}:  # C-level: 100,000s of lists
        findings.errors.append(RecordError(key, f"field '{key}' must be an array of strings, not {type_name(value)}"))
        return ()
    items = tuple(filter(str.strip, value))
    if required and not items:
        findings.errors.append(RecordError(key, f"field '{key}' is empty"))
    return items


def _split(value: str) -> SplitResult | None:
    """urlsplit, or None for what it cannot even split (`https://[oops` raises ValueError)."""
    try:
        return urlsplit(value)
    except ValueError:
        return None


def is_web_link(value: str) -> bool:
    """An http(s) URL with a host: the only links paperbrowse ever opens or exports as links."""
    parts = _split(value)
    return parts is not None and parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


_BAD_LINK_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f<>\"\\`{}|^]")


def check_link(value: str, *, allow_relative: bool = False) -> str | None:
    """Why a link is unacceptable, or None. Only http(s) links ever reach a browser."""
    parts = _split(value)
    if parts is None:
        return "is not a valid URL"
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if _BAD_LINK_CHARS.search(value):
            return "contains spaces, quotes or control characters; percent-encode them"
        return None if parts.netloc else "has no host"
    if not scheme and allow_relative:
        segments = value.replace("\\", "/").split("/")
        if value.startswith(("/", "\\")) or ".." in segments or re.match(r"^[A-Za-z]:", value):
            return "must be a path inside the data folder (relative, without '..')"
        return "contains control characters" if re.search(r"[\x00-\x1f\x7f-\x9f]", value) else None
    shown = f"'{scheme}:'" if scheme else "no scheme"
    return f"has {shown}; only http:// and https:// links are allowed"


def paper_from_table(
    table: Mapping[str, Any], *, source: str = "", line: int | None = None
) -> tuple[Paper | None, Findings]:
    """Validate one `[[paper]]` table; the paper is None when any error makes it unusable."""
    findings = Findings()
    paper_id = _text(table, "id", findings, required=True)
    if paper_id and (not ID_PATTERN.fullmatch(paper_id) or ".." in paper_id):
        findings.errors.append(
            RecordError(
                "id",
                f"id {paper_id!r} must be lowercase letters, digits, '-', '_' or '.' (at most 200, no '..')",
            )
        )
    title = _text(table, "title", findings, required=True)
    # A bibliography entry (it has a `type`) may name no one: a web page, a dataset, a standard.
    anonymous = table.get("authors") == [] and "type" in table
    authors = _strings(table, "authors", findings, required=not anonymous)
    date = PaperDate(1000)
    if "date" not in table:
        findings.errors.append(RecordError("date", "missing required field 'date'"))
    else:
        try:
            date = PaperDate.parse(table["date"])
        except ValueError as err:
            findings.errors.append(RecordError("date", f"bad date: {err}"))
    category = _text(table, "category", findings, required=True)
    values: dict[str, Any] = {key: _text(table, key, findings, required=False) for key in _STRING_FIELDS}
    for key in _LIST_FIELDS:
        values[key] = _strings(table, key, findings, required=False)
    for key in (*_LINK_FIELDS, "pdf"):
        link = _text(table, key, findings, required=False)
        problem = check_link(link, allow_relative=key == "pdf") if link else None
        if problem:
            findings.errors.append(RecordError(key, f"link in '{key}' {problem}"))
        values[key] = link
    arxiv = _text(table, "arxiv", findings, required=False).strip()
    if arxiv.lower().startswith("arxiv:"):
        arxiv = arxiv[6:]
    if arxiv and not ARXIV_PATTERN.fullmatch(arxiv):
        findings.errors.append(
            RecordError("arxiv", f"arxiv {arxiv!r} is not an arXiv id like 2302.13971 or hep-th/9901001")
        )
    values["builds_on"] = _paper_ids(table, paper_id, findings)
    bib = bibliography_from_table(table, findings)
    values["sources"] = _sources(table, findings)
    values["unverified"] = _notes(table, "unverified", findings)
    extra = {key: value for key, value in table.items() if key not in PAPER_FIELDS and key not in BIB_FIELDS}
    for key in extra:
        findings.warnings.append(RecordError(key, f"unknown field '{key}' (kept)"))
    if findings.errors:
        return None, findings
    paper = Paper(
        id=paper_id,
        title=title,
        authors=authors,
        date=date,
        category=category,
        arxiv=arxiv,
        bib=bib,
        extra=extra,
        source=source,
        line=line,
        **values,
    )
    return paper, findings


def _sources(table: Mapping[str, Any], findings: Findings) -> tuple[str, ...]:
    """`sources`: links like `url`, each checked, so a bad one is named by its place in the list."""
    links = tuple(link.strip() for link in _strings(table, "sources", findings, required=False))
    for number, link in enumerate(links, start=1):
        problem = check_link(link)
        if problem:
            findings.errors.append(RecordError("sources", f"link {number} in 'sources' {problem}"))
    return links


def _notes(table: Mapping[str, Any], key: str, findings: Findings) -> tuple[str, ...]:
    """A note or a list of notes: one line of doubt is written most naturally as a string."""
    value = table.get(key)
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    return _strings(table, key, findings, required=False)


def _paper_ids(table: Mapping[str, Any], paper_id: str, findings: Findings) -> tuple[str, ...]:
    """`builds_on`: ids of other papers. Whether they exist only the whole collection can tell
    (a warning from the catalog); here only what can never name a paper is a warning."""
    ids = _strings(table, "builds_on", findings, required=False)
    kept: list[str] = []
    for other in dict.fromkeys(item.strip() for item in ids):
        if other == paper_id:
            findings.warnings.append(RecordError("builds_on", f"builds_on names the paper itself ('{other}'; ignored)"))
        elif not ID_PATTERN.fullmatch(other) or ".." in other:
            findings.warnings.append(RecordError("builds_on", f"builds_on: {other!r} is not a paper id (ignored)"))
        else:
            kept.append(other)
    return tuple(kept)


def category_from_table(
    table: Mapping[str, Any], *, source: str = "", line: int | None = None
) -> tuple[Category | None, Findings]:
    findings = Findings()
    category_id = _text(table, "id", findings, required=True)
    if category_id and not ID_PATTERN.fullmatch(category_id):
        findings.errors.append(RecordError("id", f"category id {category_id!r} is not a valid slug"))
    name = _text(table, "name", findings, required=True)
    name_zh = _text(table, "name_zh", findings, required=False)
    parent = _text(table, "parent", findings, required=False) or None
    order = table.get("order", 0)
    if not isinstance(order, int) or isinstance(order, bool):
        findings.errors.append(RecordError("order", f"field 'order' must be an integer, not {type_name(order)}"))
        order = 0
    for key in table:
        if key not in CATEGORY_FIELDS:
            findings.warnings.append(RecordError(key, f"unknown field '{key}' (kept)"))
    if findings.errors:
        return None, findings
    return Category(category_id, name, name_zh, parent, order, source, line), findings


def papers_from_columns(columns: Mapping[str, Iterable[Any]], count: int, kind: type[Paper] = Paper) -> list[Paper]:
    """`count` papers (of `kind`, Paper or a subclass with slots of its own) from one column of
    values per slot, every value already validated (a snapshot). A column may be longer than
    `count`, or endless (`itertools.repeat`): only its first `count` values are read.

    Calling the frozen dataclass's __init__ costs 2.5 us a paper (20 guarded setattr calls);
    setting each slot for all papers at once, through the slot's own descriptor, runs in C.
    """
    papers: list[Paper] = list(map(object.__new__, repeat(kind, count)))
    for name, values in columns.items():
        slot = next(c.__dict__[name] for c in kind.__mro__ if isinstance(c.__dict__.get(name), MemberDescriptorType))
        deque(map(slot.__set__, papers, values), maxlen=0)
    return papers


_Record_co = TypeVar("_Record_co", Paper, Category, covariant=True)


class Validator(Protocol[_Record_co]):
    """paper_from_table or category_from_table: a table to its record (None when unusable)."""

    def __call__(
        self, table: Mapping[str, Any], *, source: str = ..., line: int | None = ...
    ) -> tuple[_Record_co | None, Findings]: ...
