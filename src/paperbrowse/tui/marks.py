"""The papers the user marked in the browser (`space`/`v`, `*`), for acting on many at once.

No Textual here. Marks are paper ids, kept in the order they were marked (what a bulk export
or citation follows); a search or a node that hides a marked paper leaves it marked.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator

from paperbrowse.tui.labels import tr

MARK = "●"  # the list's mark column


def n_papers(count: int, language: str = "en") -> str:
    """`1 paper`, `5 papers`: what a toast says it changed."""
    if count == 1:
        return tr("1 paper", language)
    return tr("{count} papers", language, count=f"{count:,}")


class Marks:
    def __init__(self) -> None:
        self._ids: dict[str, None] = {}  # a dict: a set that keeps the order of marking

    def __len__(self) -> int:
        return len(self._ids)

    def __bool__(self) -> bool:
        return bool(self._ids)

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._ids))

    def toggle(self, paper_id: str) -> bool:
        """Mark the paper, or unmark it when marked; whether it is marked now."""
        if paper_id in self._ids:
            del self._ids[paper_id]
            return False
        self._ids[paper_id] = None
        return True

    def toggle_all(self, shown: Iterable[str]) -> tuple[bool, int]:
        """Mark every paper shown, or, when all are marked already, unmark them (marks hidden by
        the search stay); whether they are marked now, and how many changed."""
        shown = list(shown)
        if shown and all(paper_id in self._ids for paper_id in shown):
            for paper_id in shown:
                del self._ids[paper_id]
            return False, len(shown)
        fresh = [paper_id for paper_id in shown if paper_id not in self._ids]
        self._ids.update(dict.fromkeys(fresh))
        return True, len(fresh)

    def clear(self) -> int:
        count = len(self._ids)
        self._ids.clear()
        return count

    def keep_only(self, known: Container[str]) -> None:
        """Forget marks of papers no longer in the collection (a file edited, say)."""
        for paper_id in [p for p in self._ids if p not in known]:
            del self._ids[paper_id]

    def summary(self, shown: Container[str], language: str = "en") -> str:
        """What the list's header says: `3 marked`, `3 marked (1 hidden)`; '' with no marks."""
        if not self._ids:
            return ""
        hidden = sum(paper_id not in shown for paper_id in self._ids)
        marked = tr("{count} marked", language, count=f"{len(self._ids):,}")
        return marked + (tr(" ({count} hidden)", language, count=f"{hidden:,}") if hidden else "")
