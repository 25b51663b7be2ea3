"""The orders a list of papers can be read in: the search's own (relevance) and five others.

One function for the browser's `S` and the CLI's `--sort`. Papers are sorted through their
places in the search index, whose papers are kept newest first: "date" is a sort of those
places, "title" and "added" a sort by a rank per place built once; "starred" and "opened" move
a few papers to the front and leave the rest in the order they had.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from itertools import filterfalse
from typing import Protocol

from paperbrowse.core.records.schema import Paper
from paperbrowse.core.search.engine import PaperView, SearchIndex

SORTS = ("relevance", "date", "title", "starred", "added", "opened")
LABELS = {
    "relevance": "relevance",
    "date": "date, newest first",
    "title": "title, A to Z",
    "starred": "starred first, in star order",
    "added": "date added, newest first",
    "opened": "last opened first",
}


class SortState(Protocol):
    """What the user's library tells the sort."""

    def starred_ids(self) -> list[str]: ...
    def opened_ids(self) -> list[str]: ...


def next_sort(order: str) -> str:
    """The order after this one, as `S` cycles them."""
    return SORTS[(SORTS.index(order) + 1) % len(SORTS)] if order in SORTS else SORTS[0]


def sort_papers(index: SearchIndex, papers: Sequence[Paper], order: str, user: SortState) -> Sequence[Paper]:
    """`papers` (of `index`) in `order`; "relevance" leaves them as they are."""
    if order == "relevance" or order not in SORTS:
        return papers
    if isinstance(papers, PaperView) and papers.papers is index.papers:
        places: Sequence[int] = papers.places
    else:
        where = index.positions
        places = [where[paper.id] for paper in papers]
    if order == "date":
        ordered = sorted(places)  # the index keeps its papers newest first
    elif order == "title":
        ordered = sorted(places, key=_rank(index, "title").__getitem__)
    elif order == "added":
        ordered = sorted(places, key=_rank(index, "added").__getitem__)
    else:
        ids = user.starred_ids() if order == "starred" else user.opened_ids()
        where = index.positions
        wanted = [where[pid] for pid in ids if pid in where]
        present = set(places)
        first = [place for place in wanted if place in present]
        chosen = set(first)
        ordered = first + list(filterfalse(chosen.__contains__, places))
    return PaperView(index.papers, ordered)


def _rank(index: SearchIndex, order: str) -> Sequence[int]:
    """Each place's rank in `order`, built once per index."""
    kept = index.derived.get(f"sort:{order}")
    if kept is None:
        papers = index.papers
        if order == "title":
            ranked = sorted(range(len(papers)), key=lambda i: papers[i].title.casefold())
        else:  # added: the newest data file first, a record further down a file added later
            times: dict[str, float] = {}
            for source in {paper.source for paper in papers}:
                try:
                    times[source] = os.stat(source).st_mtime if source else 0.0
                except OSError:
                    times[source] = 0.0
            ranked = sorted(range(len(papers)), key=lambda i: (-times[papers[i].source], -(papers[i].line or 0)))
        kept = [0] * len(papers)
        for rank, place in enumerate(ranked):
            kept[place] = rank
        index.derived[f"sort:{order}"] = kept
    return kept
