"""Choosing and ordering the papers of a reading list, for export from the CLI and the TUI."""

from __future__ import annotations

from collections.abc import Sequence

from paperbrowse.core.export import ExportItem
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.schema import Paper
from paperbrowse.core.search.engine import SearchIndex

SORTS = ("starred", "date", "title", "rank")


def select_papers(
    index: SearchIndex,
    library: Library,
    query: str | None,
    *,
    sort: str | None = None,
    ids: Sequence[str] | None = None,
) -> tuple[list[Paper], tuple[str, ...]]:
    """The papers `ids` names (in that order, each once; the browser's marked papers), else the
    starred list (query None) in star order, else a query's hits by rank; then `sort`."""
    if ids is not None:
        by_id = index.catalog.by_id
        papers = [by_id[pid] for pid in dict.fromkeys(ids) if pid in by_id]
        hints: tuple[str, ...] = ()
    elif query is None:
        by_id = index.catalog.by_id
        papers = [by_id[pid] for pid in library.starred_ids() if pid in by_id]
        hints = ()
    else:
        result = index.search(query, library)
        papers, hints = result.papers, result.hints
    if sort == "date":
        papers.sort(key=lambda p: (p.date, p.title.lower()))
    elif sort == "title":
        papers.sort(key=lambda p: p.title.lower())
    elif sort == "starred":
        papers = order_by_star(papers, library)
    return papers, hints


def order_by_star(papers: Sequence[Paper], library: Library) -> list[Paper]:
    """Starred papers first, in the order they were starred; the rest keep their order."""
    order = {pid: i for i, pid in enumerate(library.starred_ids())}
    return sorted(papers, key=lambda p: order.get(p.id, len(order)))


def export_items(papers: Sequence[Paper], library: Library) -> list[ExportItem]:
    items = []
    for paper in papers:
        entry = library.entry(paper.id)
        items.append(
            ExportItem(paper, entry.note, entry.tags, entry.starred_at if entry.starred else None, entry.status)
        )
    return items
