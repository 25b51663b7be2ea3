"""BibTeX export: an entry type guessed from the venue, stable citation keys, escaped values.

Every value is folded onto one line and LaTeX-escaped, braces included, so no record text
can close its field early or open a new entry; URLs are percent-encoded instead, since
biblatex reads them verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import count, product
from string import ascii_lowercase
from typing import TYPE_CHECKING
from urllib.parse import quote

from paperbrowse.core.records.citation_key import key_base
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.records.schema import Paper, is_web_link

if TYPE_CHECKING:
    from paperbrowse.core.export import ExportItem

_CONFERENCE = re.compile(
    r"\b(NeurIPS|NIPS|ICML|ICLR|ACL|EMNLP|NAACL|EACL|COLING|CVPR|ICCV|ECCV|AAAI|IJCAI|ASPLOS|OSDI|SOSP"
    r"|NSDI|MLSys|KDD|SIGIR|COLM|Conference|Workshop|Symposium|Proceedings)\b",
    re.IGNORECASE,
)
_JOURNAL = re.compile(
    r"\b(TMLR|JMLR|TPAMI|Transactions|Journal|Computing Surveys|Nature|Science|Letters)\b",
    re.IGNORECASE,
)
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


def base_key(paper: Paper) -> str:
    """`touvron2023llama`: first author's last name, year, first significant title word."""
    return key_base(paper.authors, paper.year, paper.title)


def _suffixes() -> Iterator[str]:
    yield ""
    for length in count(1):
        for letters in product(ascii_lowercase, repeat=length):
            yield "".join(letters)


def citation_keys(papers: Sequence[Paper]) -> list[str]:
    """A unique key per paper; a repeated key gets a, b, c... in input order."""
    used: set[str] = set()
    keys = []
    for paper in papers:
        base = base_key(paper)
        key = next(base + suffix for suffix in _suffixes() if base + suffix not in used)
        used.add(key)
        keys.append(key)
    return keys


def _author(name: str) -> str:
    if one_line(name).lower() == "others":
        return "others"
    text = escape(name)
    # " and " inside one name would split it in two, and more than two commas are an error to
    # BibTeX ("Last, Jr, First" is the most): brace such a name to keep it whole.
    unsplittable = re.search(r"\sand\s", text, re.IGNORECASE) or text.count(",") > 2
    return "{" + text + "}" if unsplittable else text


def _url(url: str) -> str:
    """An http(s) URL percent-encoded so it holds no braces, spaces or backslashes, else ''."""
    url = url.strip()
    return quote(url, safe=_URL_SAFE) if url and is_web_link(url) else ""


def _braced(value: str) -> str:
    return "{" + value + "}" if value else ""


def _fields(item: ExportItem) -> Iterator[tuple[str, str]]:
    """(name, value as written) pairs; empty values are left out by the caller."""
    paper = item.paper
    kind, venue = entry_type(paper.venue), escape(paper.venue)
    yield "title", "{{" + escape(paper.title) + "}}"  # double braces keep the capitalisation
    yield "author", _braced(" and ".join(filter(None, map(_author, paper.authors))))
    yield "year", _braced(str(paper.year))
    if 1 <= paper.date.month <= 12:
        yield "month", _MONTHS[paper.date.month - 1]  # BibTeX's month macro, unbraced
    if kind == "inproceedings":
        yield "booktitle", _braced(venue)
    elif kind == "article":
        yield "journal", _braced(venue)
    elif venue:
        yield "howpublished", _braced(venue)
    elif paper.arxiv:
        yield "howpublished", _braced(escape(f"arXiv preprint arXiv:{paper.arxiv}"))
    if paper.arxiv:
        yield "eprint", _braced(escape(paper.arxiv))
        yield "archivePrefix", "{arXiv}"
    yield "url", _braced(_url(paper.link))
    tags = dict.fromkeys(filter(None, map(escape, (*paper.tags, *item.user_tags))))
    yield "keywords", _braced(", ".join(tags))


def entry(item: ExportItem, key: str) -> str:
    fields = ",\n".join(f"  {name} = {value}" for name, value in _fields(item) if value)
    return f"@{entry_type(item.paper.venue)}{{{key},\n{fields}\n}}\n"


def to_bibtex(items: Sequence[ExportItem]) -> str:
    """One entry per item, separated by blank lines; the user's notes are not exported."""
    keys = citation_keys([item.paper for item in items])
    return "\n".join(entry(item, key) for item, key in zip(items, keys, strict=True))
