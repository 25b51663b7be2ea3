"""Reading the arXiv API's Atom feed into new-paper drafts.

The feed is untrusted input from the network. ElementTree never fetches external entities or
DTDs, and the expat it uses (2.4.1 and later) refuses exponential entity expansion, so a
hostile feed costs at most the bytes we agreed to read (see arxiv_api.MAX_BYTES).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.schema import check_link
from paperbrowse.core.sources.arxiv_id import parse_arxiv_id
from paperbrowse.core.sources.new_paper import NewPaper

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"


class FeedError(Exception):
    """The response is not an arXiv Atom feed we can read."""


@dataclass(frozen=True, slots=True)
class FeedErrorEntry:
    """An entry the API sends instead of results, e.g. for a malformed id."""

    message: str


def parse_feed(data: bytes) -> tuple[list[NewPaper], list[FeedErrorEntry]]:
    """The papers in a feed, and the errors the API reported in it; FeedError if unreadable."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        line = err.position[0] if err.position else None
        where = f" (line {line})" if line else ""
        raise FeedError(f"the response is not valid XML{where}") from None
    if root.tag != f"{_ATOM}feed":
        raise FeedError(f"the response is not an Atom feed (its root element is <{_local(root.tag)}>)")
    papers: list[NewPaper] = []
    errors: list[FeedErrorEntry] = []
    for entry in root.iter(f"{_ATOM}entry"):
        entry_id = _text(entry, f"{_ATOM}id")
        if "/api/errors" in entry_id:
            errors.append(FeedErrorEntry(_clean(_text(entry, f"{_ATOM}summary")) or "error"))
            continue
        paper = _paper(entry, entry_id)
        if isinstance(paper, FeedErrorEntry):
            errors.append(paper)
        elif paper is not None:
            papers.append(paper)
    return papers, errors


def _paper(entry: ET.Element, entry_id: str) -> NewPaper | FeedErrorEntry | None:
    # <id>http://arxiv.org/abs/2302.13971v1</id>; an entry without one (the old API's answer
    # for an unknown id) or without a title is no paper.
    arxiv = parse_arxiv_id(entry_id)
    title = _clean(_text(entry, f"{_ATOM}title"))
    if arxiv is None or not title:
        return None
    date = _published(_text(entry, f"{_ATOM}published"))
    if date is None:
        return FeedErrorEntry(f"{arxiv.id}: the feed gives no publication date")
    authors: list[str] = []
    orgs: list[str] = []
    for author in entry.findall(f"{_ATOM}author"):
        name = _clean(_text(author, f"{_ATOM}name"))
        if name:
            authors.append(name)
        for affiliation in author.findall(f"{_ARXIV}affiliation"):
            org = _clean(affiliation.text or "")
            if org and org not in orgs:
                orgs.append(org)
    pdf = ""
    for link in entry.findall(f"{_ATOM}link"):
        if link.get("title") == "pdf":
            pdf = _https(link.get("href", ""))
    primary = entry.find(f"{_ARXIV}primary_category")
    category = (primary.get("term", "") if primary is not None else "").strip()
    doi = _clean(_text(entry, f"{_ARXIV}doi")).split(" ")[0]
    return NewPaper(
        title=title,
        authors=tuple(authors),
        date=date,
        arxiv=arxiv.id,
        # The version of record when the paper was published (its DOI), else the abstract page.
        url=f"https://doi.org/{doi}"
        if doi and check_link(f"https://doi.org/{doi}") is None
        else f"https://arxiv.org/abs/{arxiv.id}",
        pdf=pdf if pdf and check_link(pdf) is None else f"https://arxiv.org/pdf/{arxiv.id}",
        venue=_clean(_text(entry, f"{_ARXIV}journal_ref")),
        orgs=tuple(orgs),
        tags=(category,) if category else (),
        summary=_clean(_text(entry, f"{_ATOM}summary")),
        origin=f"arXiv {arxiv.id}",
    )


def _text(element: ET.Element, tag: str) -> str:
    found = element.find(tag)
    return "".join(found.itertext()) if found is not None else ""


def _clean(text: str) -> str:
    """arXiv wraps titles and abstracts at ~80 columns: fold every run of spaces into one."""
    return " ".join(text.split())


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _https(url: str) -> str:
    url = url.strip()
    return "https://" + url[7:] if url.startswith("http://arxiv.org/") else url


def _published(text: str) -> PaperDate | None:
    """`2023-02-27T17:11:15Z`: the first version's date, as the shipped records give it."""
    try:
        day = dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None
    return PaperDate(day.year, day.month, day.day)
