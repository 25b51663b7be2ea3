"""BibTeX and biblatex export: the entry as it was imported, or as well as a record tells it.

A record with a bibliography (an imported entry, or a shipped record that says its type) keeps
its entry type, citation key and fields; the LaTeX it was imported with is written back for
every field whose plain text was not edited since. Anything else is folded onto one line and
LaTeX-escaped, braces included, so no record text can close its field early or open a new
entry; a kept value goes out verbatim only when its braces pair up. URLs are percent-encoded,
since biblatex reads them verbatim.

The two dialects differ in names only: `journal`/`journaltitle`, `address`/`location`,
`year`+`month`/`date`, `archivePrefix`/`eprinttype`, `primaryClass`/`eprintclass`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import count, product
from string import ascii_lowercase
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

from paperbrowse.core.records.bibliography import (
    TEXT_FIELDS,
    Bibliography,
    balanced,
    same_people,
    still_reads_as,
)
from paperbrowse.core.records.citation_key import key_base
from paperbrowse.core.records.latex_text import latex_to_text
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.records.schema import Paper, is_web_link

if TYPE_CHECKING:
    from paperbrowse.core.export import ExportItem

Dialect = Literal["bibtex", "biblatex"]

_CONFERENCE = re.compile(
    r"\b(NeurIPS|NIPS|ICML|ICLR|ACL|EMNLP|NAACL|EACL|COLING|CVPR|ICCV|ECCV|AAAI|IJCAI|ASPLOS|OSDI|SOSP"
    r"|NSDI|MLSys|KDD|SIGIR|COLM|Conference|Workshop|Symposium|Proceedings)\b",
    re.IGNORECASE,
)
_JOURNAL = re.compile(
    r"\b(TMLR|JMLR|TPAMI|Transactions|Journal|Computing Surveys|Nature|Science|Letters)\b",
    re.IGNORECASE,
)
_MONTH_WORD = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.IGNORECASE)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_LATEX_SPECIAL = re.compile("|".join(re.escape(char) for char in _LATEX_SPECIALS))
# RFC 3986 reserved and unreserved characters, and `%` for escapes already made.
_URL_SAFE = ":/?#[]@!$&'()*+,;=-._~%"
ET_AL = ("others", "et al.")
_VENUES = ("journal", "journaltitle", "booktitle")
# Field names that differ between the dialects: BibTeX's, then biblatex's.
_NAMES = {
    "journal": ("journal", "journaltitle"),
    "journaltitle": ("journal", "journaltitle"),
    "address": ("address", "location"),
    "location": ("address", "location"),
    "eprinttype": ("archivePrefix", "eprinttype"),
    "archiveprefix": ("archivePrefix", "eprinttype"),
    "eprintclass": ("primaryClass", "eprintclass"),
    "primaryclass": ("primaryClass", "eprintclass"),
}
# Values that are identifiers or numbers: written as they are (when their braces pair up).
_LITERAL = frozenset({"volume", "number", "pages", "doi", "isbn", "issn", "eprint", "eprinttype", "eprintclass"})


def escape(text: str) -> str:
    """Text as a BibTeX value: on one line, control characters shown, LaTeX specials escaped."""
    return _LATEX_SPECIAL.sub(lambda m: _LATEX_SPECIALS[m.group()], one_line(text))


def entry_type(venue: str) -> str:
    """`inproceedings` for conferences and workshops, `article` for journals, else `misc`."""
    if _CONFERENCE.search(venue):
        return "inproceedings"
    if _JOURNAL.search(venue):
        return "article"
    return "misc"


def paper_type(paper: Paper) -> str:
    """The record's own entry type, else one guessed from its venue."""
    return paper.bib.type if paper.bib is not None and paper.bib.type else entry_type(paper.venue)


def base_key(paper: Paper) -> str:
    """`touvron2023llama`: first author's last name (else editor's, else organisation's), the
    venue's year (else the paper's; `nd` for an undated work), first significant title word."""
    bib = paper.bib or Bibliography()
    people = [name for name in paper.authors if name not in ET_AL] or list(bib.editor)
    people = people or (list(paper.orgs) if paper.bib is not None else [])  # an imported work by an organisation
    corporate = bool(people) and people[0] in bib.corporate_authors
    return key_base(people, bib.venue_year or paper.year, paper.title, corporate=corporate)


def _suffixes() -> Iterator[str]:
    yield ""
    for length in count(1):
        for letters in product(ascii_lowercase, repeat=length):
            yield "".join(letters)


def citation_keys(papers: Sequence[Paper]) -> list[str]:
    """A unique key per paper: the user's own where the record has one, else made from author,
    year and title; a repeated key gets a, b, c... in input order. BibTeX compares keys
    ignoring case, so uniqueness does too."""
    own = [paper.bib.key if paper.bib is not None else "" for paper in papers]
    used: set[str] = set()
    keys = []
    for paper, mine in zip(papers, own, strict=True):
        if mine and mine.lower() not in used:
            key = mine
        else:
            base = mine or base_key(paper)
            reserved = {key.lower() for key in own if key}
            key = next(
                base + suffix
                for suffix in _suffixes()
                if (base + suffix).lower() not in used and (base + suffix).lower() not in reserved - {mine.lower()}
            )
        used.add(key.lower())
        keys.append(key)
    return keys


def _author(name: str, corporate: bool = False) -> str:
    if one_line(name).lower() in ET_AL:
        return "others"
    text = escape(name)
    # " and " inside one name would split it in two, and more than two commas are an error to
    # BibTeX ("Last, Jr, First" is the most): brace such a name to keep it whole, as an
    # organisation's name always is.
    unsplittable = corporate or re.search(r"\sand\s", text, re.IGNORECASE) or text.count(",") > 2
    return "{" + text + "}" if unsplittable else text


def _url(url: str) -> str:
    """An http(s) URL percent-encoded so it holds no braces, spaces or backslashes, else ''."""
    url = url.strip()
    return quote(url, safe=_URL_SAFE) if url and is_web_link(url) else ""


def _braced(value: str) -> str:
    return "{" + value + "}" if value else ""


def _verbatim(value: str) -> str:
    """A kept value as written, if that is safe: its braces pair up (it cannot close the field)."""
    return "{" + one_line(" ".join(value.split())) + "}" if balanced(value) else _braced(escape(value))


def _name(field: str, dialect: Dialect) -> str:
    names = _NAMES.get(field)
    return names[dialect == "biblatex"] if names else field


class _Entry:
    """The fields of one entry, in order: each kept value once, whatever its name."""

    def __init__(self, item: ExportItem, dialect: Dialect) -> None:
        self.item, self.paper, self.dialect = item, item.paper, dialect
        self.bib = item.paper.bib or Bibliography()
        # An entry from a bibliography (it names its type): its summary is its abstract, its
        # title's capitals are protected as written. A curated record is neither.
        self.imported = bool(self.bib.type)
        self.done: set[str] = set()  # written fields (lowercase names, both dialects' spellings)
        self.fields: list[tuple[str, str]] = []

    def add(self, field: str, value: str, *also: str) -> None:
        if value and field.lower() not in self.done:
            self.fields.append((field, value))
        self.done |= {field.lower(), *also}

    def kept(self, field: str, plain: str) -> str:
        """The field as written at import when the record still says the same, else ''."""
        written = self.bib.written(field)
        return _verbatim(written) if written and still_reads_as(written, plain) else ""

    def build(self) -> list[tuple[str, str]]:
        paper, bib = self.paper, self.bib
        kind = paper_type(paper)
        title = self.kept("title", paper.title) or (
            _braced(escape(paper.title)) if bib.written("title") or self.imported else "{{" + escape(paper.title) + "}}"
        )
        self.add("title", title)  # double braces keep a shipped title's capitals
        self.add("author", self.people("author", paper.authors))
        self.add("editor", self.people("editor", bib.editor))
        self.dates()
        self.venue(kind)
        for field in TEXT_FIELDS:
            value = bib.get(field)
            if not value:
                continue
            written = bib.written(field)
            if field in _LITERAL:
                # `doi:10.1/x` as written, when the record still holds its DOI `10.1/x`
                out = _verbatim(written if written and value in " ".join(written.split()) else value)
            else:
                out = self.kept(field, value) or _braced(escape(value))
            self.add(_name(field, self.dialect), out, field, *_NAMES.get(field, ()))
        if paper.arxiv and not bib.get("eprint"):
            self.add("eprint", _braced(escape(paper.arxiv)))
            arxiv = "{arXiv}" if self.dialect == "bibtex" else "{arxiv}"
            self.add(_name("eprinttype", self.dialect), arxiv, "eprinttype", "archiveprefix")
        self.add("url", _braced(_url(paper.url if self.imported else paper.link)))
        tags = dict.fromkeys(filter(None, map(escape, (*paper.tags, *self.item.user_tags))))
        keywords = "" if self.item.user_tags else self.kept("keywords", ", ".join(paper.tags))
        self.add("keywords", keywords or _braced(", ".join(tags)))
        if self.imported:
            self.add("abstract", self.kept("abstract", paper.summary) or _braced(escape(paper.summary)))
        for field, written in bib.bibtex:
            if field in self.done or field in ("date", "year", "month"):
                continue
            name = _name(field, self.dialect)
            if name.lower() in self.done:  # both `address` and `location` in one entry: keep both
                name = next((n for n in _NAMES.get(field, ()) if n.lower() not in self.done), field)
            self.add(name, _verbatim(written), field)
        return self.fields

    def people(self, field: str, names: Sequence[str]) -> str:
        written = self.bib.written(field)
        if written and same_people(written, names, ET_AL):
            return _verbatim(written)
        corporate = set(self.bib.corporate_authors) if field == "author" else set()
        return _braced(" and ".join(filter(None, (_author(name, name in corporate) for name in names))))

    def dates(self) -> None:
        """`year` and `month` (BibTeX), `date` (biblatex): the venue's year where the record
        gives one; a year as written when it still names the year (`1995--1996`, `in press`)."""
        paper, bib = self.paper, self.bib
        year = bib.venue_year or paper.year
        written_year, written_date, written_month = bib.written("year"), bib.written("date"), bib.written("month")

        def fits(text: str) -> bool:
            return bool(text) and (not year or str(year) in text)

        month = _MONTHS[paper.date.month - 1] if paper.date.month and not bib.venue_year else ""
        month = _verbatim(written_month) if written_month else month
        if fits(written_year) and _MONTH_WORD.search(latex_to_text(written_year)) and not written_month:
            month = ""  # `year = {August, 2005}` says its month itself
        if self.dialect == "biblatex" and not fits(written_year):
            if fits(written_date):
                self.add("date", _verbatim(written_date), "year", "month")
            elif year:
                self.add("date", _braced(str(year) if bib.venue_year else paper.date.isoformat()), "year", "month")
            return
        self.add("year", _verbatim(written_year) if fits(written_year) else _braced(str(year) if year else ""))
        self.add("month", month)

    def venue(self, kind: str) -> None:
        paper, bib = self.paper, self.bib
        for field in _VENUES:
            written = bib.written(field)
            if written and (not paper.venue or still_reads_as(written, paper.venue)):
                self.add(_name(field, self.dialect), _verbatim(written), field, *_NAMES.get(field, ()))
                return
        venue = escape(paper.venue)
        if kind in ("article", "periodical"):
            self.add(_name("journal", self.dialect), _braced(venue), "journal", "journaltitle")
        elif kind != "misc" or (self.imported and venue):
            self.add("booktitle", _braced(venue))
        elif venue and not bib.get("howpublished"):
            self.add("howpublished", _braced(venue))
        elif paper.arxiv and not self.imported and not bib.get("howpublished"):
            self.add("howpublished", _braced(escape(f"arXiv preprint arXiv:{paper.arxiv}")))


def entry(item: ExportItem, key: str, dialect: Dialect = "bibtex") -> str:
    fields = ",\n".join(f"  {name} = {value}" for name, value in _Entry(item, dialect).build())
    return f"@{paper_type(item.paper)}{{{key},\n{fields}\n}}\n"


def to_bibtex(items: Sequence[ExportItem], dialect: Dialect = "bibtex") -> str:
    """One entry per item, separated by blank lines; the user's notes are not exported."""
    keys = citation_keys([item.paper for item in items])
    return "\n".join(entry(item, key, dialect) for item, key in zip(items, keys, strict=True))


def to_biblatex(items: Sequence[ExportItem]) -> str:
    """The same entries for biblatex and biber: `journaltitle`, `date`, `location`, `eprinttype`."""
    return to_bibtex(items, "biblatex")
