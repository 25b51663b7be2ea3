"""Finding a paper by what a user types: its id, its citation key or its arXiv id, in any case.

`show`, `star` and every command that names papers take any of the three, since a user with a
bibliography knows the key (`Vaswani:2017`) and one with a link knows the arXiv id; the ids in
our records are only ours.
"""

from __future__ import annotations

import re

from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.schema import Paper

_ARXIV_URL = re.compile(r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?/?$", re.IGNORECASE)
_VERSION = re.compile(r"v\d+$")


def _arxiv_key(text: str) -> str:
    text = text.strip()
    url = _ARXIV_URL.match(text)
    if url:
        text = url.group(1)
    if text.lower().startswith("arxiv:"):
        text = text[6:]
    return _VERSION.sub("", text.strip().lower())


def _index(catalog: Catalog) -> dict[str, Paper]:
    """Every name a paper answers to, lower-cased; the first paper keeps a name two share."""
    index: dict[str, Paper] | None = catalog.derived.get("lookup")
    if index is None:
        index = {}
        for paper in catalog.papers:
            if paper.arxiv:
                index.setdefault(_arxiv_key(paper.arxiv), paper)
        for paper in catalog.papers:
            if paper.bib is not None and paper.bib.key:
                index[paper.bib.key.lower()] = paper  # a key outranks an arXiv id
        for paper in catalog.papers:
            index[paper.id.lower()] = paper  # and an id outranks both
        catalog.derived["lookup"] = index
    return index


def find_paper(catalog: Catalog, text: str) -> Paper | None:
    """The paper whose id, citation key or arXiv id is `text` (case aside), else None."""
    exact = catalog.by_id.get(text)
    if exact is not None:
        return exact
    index = _index(catalog)
    return index.get(text.strip().lower()) or index.get(_arxiv_key(text))


def names(catalog: Catalog) -> list[str]:
    """What find_paper answers to, as a user would type it: for suggestions on a miss."""
    shown = [paper.id for paper in catalog.papers]
    shown += [paper.bib.key for paper in catalog.papers if paper.bib is not None and paper.bib.key]
    return shown
