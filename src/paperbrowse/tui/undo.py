"""Undo and redo for the changes made to the library in this session (star, status, tags, note,
the PDF recorded, the saved searches).

No Textual here. A change is recorded as the paper's values before and after; undoing applies
the way back through the same core calls as any change, and only for the fields it changed, so
what another process saved meanwhile stays: a note goes back by three-way merge (the text the
change made -> the text before it, replayed on what the file holds), tags by adding back what
was removed and removing what was added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.safe_text import one_line

LIMIT = 200
_NAMES = {"starred": "star", "status": "status", "tags": "tags", "note": "note", "pdf": "PDF"}
SEARCHES = "saved_searches"  # a change of the saved searches: name -> query, None for none


def values(library: Library, paper_id: str) -> dict[str, Any]:
    return {
        "starred": library.is_starred(paper_id),
        "status": library.status(paper_id),
        "tags": tuple(library.user_tags(paper_id)),
        "note": library.note(paper_id),
        "pdf": library.pdf(paper_id),  # the file attached or downloaded stays; the record of it goes
    }


@dataclass(frozen=True, slots=True)
class Change:
    paper_id: str
    before: dict[str, Any]  # only the fields that changed
    after: dict[str, Any]

    def describe(self) -> str:
        if SEARCHES in self.before:  # the library's saved searches, not a paper's fields
            names = ", ".join(f"“{one_line(name)}”" for name in self.before[SEARCHES])
            return f"saved search {names}"
        return f"{', '.join(_NAMES[name] for name in self.before)} of {self.paper_id}"


def searches_change(before: dict[str, str], after: dict[str, str]) -> Change | None:
    """A change of the saved searches, from the library's `saved_searches()` before and after it."""
    names = [name for name in {**before, **after} if before.get(name) != after.get(name)]
    if not names:
        return None
    return Change("", {SEARCHES: {n: before.get(n) for n in names}}, {SEARCHES: {n: after.get(n) for n in names}})


def change(paper_id: str, before: dict[str, Any], after: dict[str, Any]) -> Change | None:
    changed = [name for name in before if before[name] != after[name]]
    if not changed:
        return None
    return Change(paper_id, {n: before[n] for n in changed}, {n: after[n] for n in changed})


def _go(library: Library, paper_id: str, now: dict[str, Any], target: dict[str, Any]) -> None:
    """Move each field from `now` (what the change left) to `target`."""
    for name, value in target.items():
        if name == "starred":
            library.star(paper_id, value)
        elif name == "status":
            library.set_status(paper_id, value)
        elif name == "tags":
            library.edit_tags(
                paper_id, add=[t for t in value if t not in now[name]], remove=[t for t in now[name] if t not in value]
            )
        elif name == "note":
            library.merge_note(paper_id, now[name], value)
        elif name == "pdf":
            library.set_pdf(paper_id, value)
        elif name == SEARCHES:
            for search, query in value.items():
                if query is not None:
                    library.save_search(search, query, replace=True)
                elif library.saved_search(search) is not None:
                    library.delete_search(search)


class UndoStack:
    def __init__(self) -> None:
        self._done: list[Change] = []
        self._undone: list[Change] = []

    def record(self, done: Change | None) -> None:
        if done is not None:
            self._done.append(done)
            del self._done[:-LIMIT]
            self._undone.clear()

    def undo(self, library: Library) -> Change | None:
        if not self._done:
            return None
        done = self._done.pop()
        _go(library, done.paper_id, done.after, done.before)
        self._undone.append(done)
        return done

    def redo(self, library: Library) -> Change | None:
        if not self._undone:
            return None
        done = self._undone.pop()
        _go(library, done.paper_id, done.before, done.after)
        self._done.append(done)
        return done
