"""Reading a RIS file (EndNote, Zotero, Scopus, Embase, ProQuest, Ovid, Web of Science) into drafts.

RIS is line-based: `TY  - JOUR` starts an entry, `ER  -` ends it, each line between is a tag,
two spaces, a dash, a space and the value. A line that is not a tag continues the value
before it (Scopus wraps its reference lists so); the parts are joined with a space, as rispy
and EndNote join them. Every problem names its line. A file's vendor header (`Provider:`,
`Content: text/plain`) before the first entry is skipped without a word.

Authors are written `Family, Given` (or `Family,Given`): records hold them first name first.
The date is `DA` when it says more than `PY`, else `PY` (`2014//`, `1990/2/27`, `2009`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from paperbrowse.core.records.bibliography import TEXT_FIELDS, Bibliography
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.interchange import RIS_TYPES, export_types, joined_name
from paperbrowse.core.records.problems import Problem
from paperbrowse.core.records.schema import check_link
from paperbrowse.core.sources.arxiv_id import parse_arxiv_id
from paperbrowse.core.sources.file_import import FileImport, Losses, fold, pages_from, read_with
from paperbrowse.core.sources.new_paper import NewPaper

TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*)|\s*)$")
_TITLES = ("TI", "T1", "CT")
_VENUES = ("T2", "JF", "JO", "BT", "JA", "J2")  # best first: a full name before an abbreviation
_DATES = ("DA", "PY", "Y1")
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_ISBN = re.compile(r"^(?:97[89][\d-]{10,14}|[\d-]{9,12}[\dXx])\b")
# Tags whose value the record keeps; the rest are told once per tag as not kept.
HANDLED = frozenset(
    {"TY", "ER", "ID", *_TITLES, "AU", "A1", "A2", "ED", *_VENUES, *_DATES, "VL", "IS", "SP", "EP", "T3", "CY", "PB"}
    | {"SN", "DO", "UR", "AB", "N2", "KW", "N1", "ET", "AD", "SE"}
)


@dataclass(slots=True)
class _Entry:
    line: int  # of its TY line
    tags: list[tuple[str, str, int]] = field(default_factory=list)  # (tag, value, line)

    def all(self, *tags: str) -> list[str]:
        return [value for tag, value, _ in self.tags if tag in tags and value]

    def first(self, *tags: str) -> str:
        """The value of the first of `tags` the entry has (in the order of `tags`), or ''."""
        for tag in tags:
            if found := self.all(tag):
                return found[0]
        return ""

    def line_of(self, tag: str) -> int:
        return next((line for name, _, line in self.tags if name == tag), self.line)


def read_ris(path: Path) -> FileImport:
    """Raises OSError when the file cannot be read; everything else becomes a problem."""
    return read_with(path, parse_ris)


def parse_ris(text: str, name: str) -> FileImport:
    result = FileImport()
    losses = Losses()
    for entry in _entries(text, name, result.problems):
        result.entries += 1
        paper = _paper(entry, name, losses, result.problems)
        if paper is not None:
            result.papers.append(paper)
    result.problems += losses.problems(name)
    return result


def _entries(text: str, name: str, problems: list[Problem]) -> Iterator[_Entry]:
    entry: _Entry | None = None
    started = False  # before the first entry, a vendor's header is expected: not told
    # splitlines() also splits at \x1c-\x1e, \x85, \u2028: RIS lines end at \n (and \r\n) only.
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        match = TAG_LINE.match(line)
        if match is None:
            if entry is not None and entry.tags and line.strip():
                tag, value, at = entry.tags[-1]
                entry.tags[-1] = (tag, f"{value} {line.strip()}".strip(), at)
            elif entry is None and line.strip() and started and not _numbering(line):
                problems.append(Problem(name, number, "a line outside any entry (ignored)", "warning"))
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "TY":
            if entry is not None:
                problems.append(Problem(name, number, f"the entry at line {entry.line} has no ER line; ended here"))
                yield entry
            entry = _Entry(number)
            entry.tags.append((tag, value, number))
            started = True
        elif entry is None:
            if tag != "ER":
                where = "after an ER line" if started else "before any TY line"
                problems.append(Problem(name, number, f"the tag {tag} comes {where} (ignored)", "warning"))
        elif tag == "ER":
            yield entry
            entry = None
        else:
            entry.tags.append((tag, value, number))
    if entry is not None:
        problems.append(Problem(name, entry.line, "the last entry has no ER line; read to the end of the file"))
        yield entry


def _numbering(line: str) -> bool:
    return bool(re.fullmatch(r"\s*\d+\.\s*", line))  # `1.` before an entry, as some exports number them


def _paper(entry: _Entry, name: str, losses: Losses, problems: list[Problem]) -> NewPaper | None:
    label = f"line {entry.line}"
    for tag in dict.fromkeys(tag for tag, value, _ in entry.tags if value and tag not in HANDLED):
        losses.add(f"the tag {tag}", label)
    ris_type = entry.first("TY").upper()
    record_type = RIS_TYPES.get(ris_type, "misc")
    if ris_type not in RIS_TYPES:
        problems.append(Problem(name, entry.line, f"unknown entry type {ris_type[:20]!r}: read as GEN", "warning"))
    elif export_types(record_type)[1] != ris_type:
        losses.add(f"the type {ris_type} (read as {record_type})", label)
    if record_type == "phdthesis" and re.search(r"master|m\.?a\.|m\.?sc", entry.first("M3"), re.IGNORECASE):
        record_type = "mastersthesis"  # M3, the type of work, says which thesis
    elif entry.first("M3"):
        losses.add("the tag M3", label)
    title = fold(entry.first(*_TITLES))
    if not title:
        problems.append(Problem(name, entry.line, "the entry has no title (TI, T1 or CT); skipped"))
        return None
    if len(entry.all(*_TITLES)) > 1:
        losses.add("a second title", label)
    fields: dict[str, str] = {
        "volume": entry.first("VL"),
        "number": entry.first("IS"),
        # A book's T2 is its series; a chapter's or an article's T2 is where it appeared.
        "series": entry.first("T3") or (entry.first("T2") if record_type == "book" else ""),
        "address": entry.first("CY"),
        "edition": entry.first("ET"),
        "chapter": entry.first("SE"),
        "doi": _DOI.sub("", entry.first("DO")),
        "note": " ".join(entry.all("N1")),
    }
    holder = {"phdthesis": "school", "mastersthesis": "school", "techreport": "institution"}.get(record_type)
    fields[holder or "publisher"] = entry.first("PB")
    start, end = entry.first("SP"), entry.first("EP")
    fields["pages"] = pages_from(f"{start}--{end}" if start and end else start or end)
    for number in entry.all("SN"):
        kind = "isbn" if _ISBN.match(number) or record_type in ("book", "incollection") else "issn"
        fields[kind] = f"{fields[kind]}, {number}" if fields.get(kind) else number
    venue = "" if record_type == "book" else fold(entry.first(*_VENUES))
    for tag in _VENUES:  # an abbreviation beside the full name, say: told, not dropped unsaid
        if any(fold(value) not in (venue, fields["series"]) for value in entry.all(tag)):
            losses.add(f"the tag {tag}", label)
    summaries = dict.fromkeys(fold(value) for value in entry.all("AB", "N2"))
    if len(summaries) > 1:
        losses.add("a second abstract", label)
    urls = [fold(u) for u in entry.all("UR")]
    arxiv = next((p.id for u in urls if (p := parse_arxiv_id(u)) is not None), "")
    if urls and check_link(urls[0]) is not None:
        losses.add("a URL that is not an http(s) link", label)
        urls = []
    if len({u for u in urls[1:] if parse_arxiv_id(u) is None} - {urls[0] if urls else ""}) > 0:
        losses.add("a second URL", label)
    bib = Bibliography(
        type=record_type,
        key=fold(entry.first("ID")) if re.fullmatch(r"[^\s,{}()\"#%'=\\~]{1,200}", entry.first("ID")) else "",
        editor=tuple(_name(n) for n in entry.all("A2", "ED")),
        fields=tuple((key, fold(fields[key])) for key in TEXT_FIELDS if fold(fields.get(key, ""))),
    )
    return NewPaper(
        title=title,
        authors=tuple(_name(n) for n in entry.all("AU", "A1")),
        date=_date(entry, label, losses),
        arxiv=arxiv,
        url=urls[0] if urls else "",
        venue=venue,
        orgs=tuple(dict.fromkeys(fold(a) for a in entry.all("AD"))),
        tags=tuple(dict.fromkeys(fold(k) for k in entry.all("KW"))),
        summary=fold(entry.first("AB", "N2")),
        bib=bib,
        origin=f"{name}:{entry.line}",
    )


_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")


def _name(text: str) -> str:
    """`Family, Given` (or `Family,Given`, `Family, Given, Jr.`) first name first; `Liu R.`,
    `van Werkhoven CH` (Embase's and PubMed's family name and initials) too; else as written."""
    parts = [fold(p) for p in text.split(",")]
    if len(parts) == 1:
        words = parts[0].split(" ")
        if len(words) > 1 and _INITIALS.match(words[-1]) and not _INITIALS.match(words[0]):
            return joined_name(words[-1], " ".join(words[:-1]))
        return parts[0]
    family, given, *rest = parts
    return joined_name(given, family, " ".join(rest))


def _date(entry: _Entry, label: str, losses: Losses) -> PaperDate:
    best = PaperDate(0)
    for tag in _DATES:
        for text in entry.all(tag):
            date = _read_date(text)
            if date is None:
                losses.add(f"a {tag} that is not a date", label)
            elif best.year == 0 or (date.year == best.year and (date.month, date.day) > (best.month, best.day)):
                best = date  # `PY 2009` and `DA 2009/06/26`: the fuller one
    return best


def _read_date(text: str) -> PaperDate | None:
    """`2014//`, `1990/2/27`, `2020/03/05/`, `2009`, `2009-06-26`; a year alone in other text."""
    match = re.match(r"^\s*(\d{4})(?:[/-](\d{1,2})?(?:[/-](\d{1,2})?)?)?", text)
    if match is None:
        return None
    year, month, day = (int(g) if g else 0 for g in match.groups())
    if not 1 <= month <= 12:
        return PaperDate(year)
    try:
        return PaperDate.parse(PaperDate(year, month, day).isoformat())
    except ValueError:
        return PaperDate(year, month)
