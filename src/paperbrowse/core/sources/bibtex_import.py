"""Reading a BibTeX or biblatex file into new-paper drafts that keep the whole entry.

`bibtex_reader` splits the file into entries (exact lines, `@string`, `#`); here crossref and
xdata parents lend their fields to their children, and each entry becomes a draft: title,
authors, date and venue as plain text for the browser, and everything else in its
`Bibliography` (records.bibliography): the type, the user's key, the standard fields, and the
rest verbatim, with the LaTeX of each field shown as plain text, so an export writes the entry
back as it came. Only an entry with no title, or one the file cannot express, is skipped; a
missing year or author is a warning.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts

from paperbrowse.core.records.bibliography import (
    DOI_PATTERN,
    FIELD_NAME,
    KEY_PATTERN,
    TEXT_FIELDS,
    Bibliography,
    split_names,
)
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.latex_text import FIELD_LIMIT, latex_to_text
from paperbrowse.core.records.problems import Problem
from paperbrowse.core.records.schema import check_link
from paperbrowse.core.sources.arxiv_id import parse_arxiv_id
from paperbrowse.core.sources.bibtex_reader import MONTHS, RawEntry, read_bibtex
from paperbrowse.core.sources.new_paper import NewPaper
from paperbrowse.core.sources.text_file import decode

ET_AL = "et al."
_MONTHS_OF = {name: number for number, name in enumerate(MONTHS, start=1)}  # "jan": 1
_ARXIV_IN_TEXT = re.compile(r"arxiv[:\s]+(?:abs/)?(\S+)", re.IGNORECASE)
# A "venue" that only says the paper is on arXiv: the record's `arxiv` field says that already.
PREPRINT_VENUE = re.compile(r"^(arxiv|corr)\b|^arxiv preprint", re.IGNORECASE)
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(1\d{3}|2\d{3})(?!\d)")
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_MONTH_WORD = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?", re.IGNORECASE)
# Parents that only lend fields to the entries citing them: a volume is not a paper.
_INHERITED_NOT = frozenset({"crossref", "xdata", "ids", "entryset", "related", "key", "sortkey", "label"})
_VENUES = ("journal", "journaltitle", "booktitle")
# Entry types whose parent's title is their booktitle (BibTeX and biber's crossref rule).
_PART_OF_A_BOOK = frozenset(
    {"inproceedings", "conference", "incollection", "inbook", "inreference", "bookinbook", "suppbook", "suppcollection"}
)
_PEOPLE = ("author", "editor")
# Fields a draft holds elsewhere (title, people, date, venue, links, tags, abstract, eprint).
_HANDLED = frozenset(
    {"title", *_PEOPLE, "year", "month", "date", *_VENUES, "url", "keywords", "abstract", "crossref", "xdata"}
)
# Fields kept as written: numbers and identifiers, where LaTeX decoding would eat `--`, `_`, `%`.
_LITERAL = frozenset({"volume", "number", "pages", "doi", "isbn", "issn", "eprint", "eprinttype", "eprintclass"})


@dataclass(slots=True)
class BibtexImport:
    papers: list[NewPaper] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    entries: int = 0  # entries in the file, papers or not


Progress = Callable[[int, int], None]  # (entries done, entries in all)


def read_bibtex_file(path: Path, progress: Progress | None = None) -> BibtexImport:
    """Raises OSError when the file cannot be read; everything else becomes a problem."""
    raw = path.read_bytes()
    result = BibtexImport()
    text, guessed = decode(raw, str(path), result.problems)
    if text is None:
        return result
    parsed = parse_bibtex(text, str(path), progress)
    result.papers, result.entries = parsed.papers, parsed.entries
    result.problems += parsed.problems
    if guessed and not parsed.papers and not parsed.problems:
        # Read with a guessed encoding and nothing looked like an entry: the guess was wrong,
        # or it is no BibTeX file. Either way, nothing was imported, and that is an error.
        result.problems.append(Problem(str(path), None, f"no BibTeX entries found (read as {guessed})"))
    return result


def parse_bibtex(text: str, name: str, progress: Progress | None = None) -> BibtexImport:
    """The drafts of a .bib file's text, and every problem with its line."""
    read = read_bibtex(text)
    result = BibtexImport(entries=len(read.entries))
    problems = result.problems
    for notice in read.notices:
        skipped = " (entry skipped)" if notice.severity == "error" else ""
        problems.append(Problem(name, notice.line, notice.message + skipped, notice.severity))  # type: ignore[arg-type]
    by_key: dict[str, RawEntry] = {}
    repeated: set[int] = set()
    for entry in read.entries:
        first = by_key.setdefault(entry.key.lower(), entry)
        if first is not entry and entry.key and _same(first, entry):
            repeated.add(id(entry))
            message = f"entry '{entry.key}' repeats the one on line {first.line} (skipped)"
            problems.append(Problem(name, entry.line, message, "warning"))
        elif first is not entry and entry.key:
            problems.append(
                Problem(
                    name,
                    entry.line,
                    f"entry key '{entry.key}' is used twice (first on line {first.line}); this one is imported"
                    " without it",
                    "warning",
                )
            )
            entry.key = ""
    parents = _inherit(read.entries, by_key, name, problems)
    unknown: dict[str, int] = {}
    done = 0
    for entry in read.entries:
        done += 1
        if progress is not None and done % 500 == 0:
            progress(done, len(read.entries))
        if entry.type == "xdata" or id(entry) in parents or id(entry) in repeated:  # told already
            continue
        if entry.type == "set":
            message = f"entry '{entry.key}' is a biblatex @set of other entries, not a paper (not imported)"
            problems.append(Problem(name, entry.line, message, "warning"))
            continue
        draft = _Draft(entry, name, problems, unknown)
        paper = draft.paper()
        if paper is not None:
            result.papers.append(paper)
    if progress is not None:
        progress(len(read.entries), len(read.entries))
    if unknown:
        names = sorted(unknown, key=unknown.__getitem__)
        shown = ", ".join(f"\\{macro}" for macro in names[:12]) + (
            f" and {len(names) - 12} more" if len(names) > 12 else ""
        )
        problems.append(
            Problem(
                name, unknown[names[0]], f"LaTeX macros this import does not know, kept as words: {shown}", "warning"
            )
        )
    problems.sort(key=lambda problem: problem.line or 0)
    return result


def _same(one: RawEntry, other: RawEntry) -> bool:
    """Two entries with one key that say the same (a file joined from two exports)."""
    values = {name: " ".join(found.value.split()) for name, found in one.fields.items()}
    return one.type == other.type and values == {n: " ".join(f.value.split()) for n, f in other.fields.items()}


def _inherit(entries: list[RawEntry], by_key: dict[str, RawEntry], name: str, problems: list[Problem]) -> set[int]:
    """Give each entry the fields its crossref and xdata parents have and it lacks (a parent's
    title becomes its children's booktitle, as BibTeX and biber do); the ids of the parents,
    which are not papers of their own."""
    parents: dict[int, RawEntry] = {}
    for entry in entries:
        chain: list[str] = []
        for link in ("xdata", "crossref"):
            found = entry.fields.get(link)
            if found is not None:
                chain += [key.strip() for key in found.value.split(",")] if link == "xdata" else [found.value.strip()]
        for key in chain:
            parent = by_key.get(key.lower())
            if parent is None or parent is entry:
                problems.append(
                    Problem(
                        name,
                        entry.line,
                        f"entry '{entry.key}': cross-references '{key}', which is not in this file (kept as written)",
                        "warning",
                    )
                )
                continue
            parents[id(parent)] = parent
            for field_name, value in parent.fields.items():
                if field_name not in _INHERITED_NOT:
                    entry.fields.setdefault(field_name, value)
            if "title" in parent.fields and entry.type in _PART_OF_A_BOOK:
                entry.fields.setdefault("booktitle", parent.fields["title"])
        if chain and all(key.lower() in by_key for key in chain):
            entry.fields.pop("crossref", None)
            entry.fields.pop("xdata", None)
    for entry in entries:
        if id(entry) in parents or entry.type == "xdata":
            problems.append(
                Problem(
                    name,
                    entry.line,
                    f"entry '{entry.key}' only lends its fields to the entries that cross-reference it:"
                    " not imported as a paper",
                    "warning",
                )
            )
    return set(parents)


class _Draft:
    """One entry on its way to a NewPaper."""

    def __init__(self, entry: RawEntry, name: str, problems: list[Problem], unknown: dict[str, int]) -> None:
        self.entry, self.name, self.problems, self.unknown = entry, name, problems, unknown
        self.written: dict[str, str] = {}  # the `bibtex` table: fields kept as written
        self.told: set[str] = set()
        self.consumed_eprint = False  # the eprint is the record's arXiv id
        self.used: set[str] = set()  # fields read into the standard ones

    def tell(self, line: int, message: str, severity: str = "warning") -> None:
        label = f"entry '{self.entry.key}'" if self.entry.key else f"entry on line {self.entry.line}"
        self.problems.append(Problem(self.name, line, f"{label}: {message}", severity))  # type: ignore[arg-type]

    def raw(self, key: str) -> str:
        found = self.entry.fields.get(key)
        return found.value.strip() if found is not None else ""

    def line_of(self, key: str) -> int:
        found = self.entry.fields.get(key)
        return found.line if found is not None else self.entry.line

    def plain(self, key: str, latex: str | None = None, *, keep: bool = True) -> str:
        """The field `key` (or `latex`, a part of it) as plain text; its LaTeX is kept as written
        when the text differs from it, and what is cut is told."""
        latex = self.raw(key) if latex is None else latex
        if len(latex) > FIELD_LIMIT and key not in self.told:
            self.told.add(key)
            self.tell(
                self.line_of(key),
                f"the {key} is {len(latex):,} characters long; only the first {FIELD_LIMIT:,} were imported",
            )
        line = self.line_of(key)

        def unknown(macro: str) -> None:
            self.unknown.setdefault(macro, line)

        text = latex_to_text(latex, unknown)
        if keep and latex and text != " ".join(latex.split()) and len(latex) <= FIELD_LIMIT:
            self.written[key] = latex
        return text

    def paper(self) -> NewPaper | None:
        entry = self.entry
        title = self.plain("title")
        if not title:
            self.tell(entry.line, "no title (entry skipped)", "error")
            return None
        authors, corporate = self.people("author")
        editors, _ = self.people("editor")
        orgs: tuple[str, ...] = ()
        if not authors and not editors:
            orgs = tuple(
                filter(None, (self.plain(k, keep=False) for k in ("organization", "institution", "publisher")))
            )[:1]
            shown = f"; shown under {orgs[0]}" if orgs else ""
            self.tell(entry.line, f"no author or editor (imported{shown})")
        date = self.date()
        venue_field = next((k for k in _VENUES if self.raw(k)), "")
        venue = self.plain(venue_field) if venue_field else ""
        if venue_field and venue_field != _venue_field(entry.type):
            self.written[venue_field] = self.raw(venue_field)  # exported back under its own name
        for other in _VENUES:
            if other != venue_field and self.raw(other):
                self.written[other] = self.raw(other)  # a second venue field, as written
        arxiv = self.arxiv(venue)
        if arxiv and PREPRINT_VENUE.search(venue):
            self.written[venue_field] = self.raw(venue_field)
            venue = ""
        fields = self.text_fields()
        url = self.raw("url")
        if url and check_link(url) is not None:
            self.written["url"] = url
            url = ""
        keywords = self.plain("keywords", keep=False)
        tags = tuple(dict.fromkeys(t.strip() for t in re.split(r"[,;]", keywords) if t.strip()))
        if keywords and ", ".join(tags) != " ".join(self.raw("keywords").split()):
            self.written["keywords"] = self.raw("keywords")
        summary = self.plain("abstract")
        for key, value in entry.fields.items():
            if key not in _HANDLED and key not in TEXT_FIELDS and key not in self.used:
                if FIELD_NAME.fullmatch(key):
                    self.written[key] = value.value
                else:
                    self.tell(value.line, f"the field name '{key}' cannot be kept (left out)")
        key = entry.key
        if key and not KEY_PATTERN.fullmatch(key):
            self.tell(entry.line, f"the key '{key}' cannot be a citation key (a new one is made at export)")
            key = ""
        bib = Bibliography(
            type=entry.type,
            key=key,
            corporate_authors=corporate,
            editor=editors,
            fields=fields,
            bibtex=tuple(self.written.items()),
        )
        return NewPaper(
            title=title,
            authors=authors,
            date=date,
            arxiv=arxiv,
            url=url,
            venue=venue,
            orgs=orgs,
            tags=tags,
            summary=summary,
            bib=bib,
            origin=f"{self.name}:{entry.line}",
        )

    def people(self, key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The names of `key`, first name first, and those that are organisations (braced whole)."""
        raw = self.raw(key)
        names: list[str] = []
        corporate: list[str] = []
        for person in split_names(raw):
            if person.lower() == "others":
                names.append(ET_AL)
                continue
            if _braced_whole(person):
                text = self.plain(key, person[1:-1], keep=False)
                corporate.append(text)
            else:
                with contextlib.suppress(InvalidNameError):
                    person = parse_single_name_into_parts(person, strict=False).merge_first_name_first
                text = self.plain(key, person, keep=False)
            if text:
                names.append(text)
        if raw and " and ".join(names) != " ".join(raw.split()):
            self.written[key] = raw  # the names as written: "Last, First", braces, LaTeX
        return tuple(names), tuple(corporate)

    def date(self) -> PaperDate:
        """biblatex's `date`, else `year` and `month`; what does not read as a date is kept as written."""
        where = "date" if self.raw("date") else "year"
        text = self.raw(where)
        date = _date(text, self.raw("month")) if text else None
        if date is None:
            shown = " ".join(text.split())[:40]
            self.tell(
                self.line_of(where),
                "no year (imported undated)" if not text else f"the {where} '{shown}' is not a date (imported undated)",
            )
            date = PaperDate(0)
        if text and text != (date.isoformat() if where == "date" else str(date.year)):
            self.written[where] = text
        month = self.raw("month")
        field = self.entry.fields.get("month")
        macros = field.macros if field is not None else ()
        by_macro = len(macros) == 1 and _MONTHS_OF.get(macros[0].lower()) == date.month
        if month and (where == "date" or not by_macro):
            self.written["month"] = month  # exported as written, unless it was BibTeX's own `aug`
        return date

    def arxiv(self, venue: str) -> str:
        prefix = (self.raw("eprinttype") or self.raw("archiveprefix")).lower()
        eprint = self.raw("eprint")
        candidates = [eprint] if eprint and prefix in ("", "arxiv") else []
        candidates += [match.group(1).rstrip(".,;") for match in _ARXIV_IN_TEXT.finditer(venue)]
        candidates.append(self.raw("url"))
        for candidate in candidates:
            parsed = parse_arxiv_id(candidate)
            if parsed is not None:
                if candidate is eprint and parsed.id == eprint:
                    self.consumed_eprint = True
                return parsed.id
        return ""

    def text_fields(self) -> tuple[tuple[str, str], ...]:
        values: dict[str, str] = {}
        aliases = {"address": "location", "eprinttype": "archiveprefix", "eprintclass": "primaryclass"}
        for key in TEXT_FIELDS:
            source = key if self.raw(key) or key not in aliases else aliases[key]
            raw = self.raw(source)
            if not raw:
                continue
            self.used.add(source)
            if key in _LITERAL:
                values[key] = " ".join(raw.split())
                if values[key] != raw:
                    self.written[key] = raw
            else:
                values[key] = self.plain(source)
        if self.consumed_eprint:
            values.pop("eprint", None)  # the record's `arxiv`; its type stays as written ("arXiv")
        doi = _DOI.match(values.get("doi", ""))
        if doi and doi.group(1) != values["doi"]:
            self.written["doi"] = values["doi"]
            values["doi"] = doi.group(1)
        elif values.get("doi") and not DOI_PATTERN.fullmatch(values["doi"]):
            self.written["doi"] = values.pop("doi")
        return tuple(values.items())


def _venue_field(kind: str) -> str:
    """The field a venue of this entry type is written in."""
    return "journal" if kind in ("article", "periodical", "suppperiodical") else "booktitle"


def _braced_whole(name: str) -> bool:
    """`{Gemini Team}`: one brace group around the whole name, the BibTeX way to say "do not split"."""
    if not (name.startswith("{") and name.endswith("}")):
        return False
    depth = 0
    for index, char in enumerate(name):
        depth += (char == "{") - (char == "}")
        if depth == 0 and index < len(name) - 1:
            return False
    return not name.startswith("{\\")  # `{\"O}zt{\"u}rk` is a person whose name starts with an accent


def _date(text: str, month: str) -> PaperDate | None:
    """`2012-09-17`, `2012-09-17T10:00:00Z`, `1995--1996`, `1995/1996`, `2005/06`, `August, 2005`,
    `{\\noopsort{1973b}}1973`: the first date of a range, to the month when it says one."""
    plain = latex_to_text(text).strip()
    first = re.split(r"/|--|–", plain)[0].strip() if not _ISO.match(plain) else plain
    iso = _ISO.match(first)
    if iso:
        year, number, day = (int(g) if g else 0 for g in iso.groups())
        named = _MONTH_WORD.match(month.strip())
        if not number and (named or month.strip().isdigit()):
            number = _MONTHS_OF[named.group(1).lower()] if named else int(month)
            number = number if 1 <= number <= 12 else 0
        with contextlib.suppress(ValueError):
            return PaperDate.parse(
                f"{year:04d}" + (f"-{number:02d}" if number else "") + (f"-{day:02d}" if day else "")
            )
    years = _YEAR.findall(plain)
    if not years:
        return None
    named = _MONTH_WORD.search(plain) or _MONTH_WORD.search(month)
    number = _MONTHS_OF.get(named.group(1).lower(), 0) if named else 0
    if not number and month.strip().isdigit() and 1 <= int(month) <= 12:
        number = int(month)
    return PaperDate(int(years[0]), number)
