"""Undo and redo for the changes made to the library in this session (star, status, tags, note,
the PDF recorded, the saved searches).

No Textual here. A change is recorded as the paper's values before and after; undoing applies
the way back through the same core calls as any change, and only for the fields it changed, so
what another process saved meanwhile stays: a note goes back by three-way merge (the text the
change made -> the text before it, replayed on what the file holds), tags by adding back what
was removed and removing what was added.

A change made to many papers at once (the marked ones) is one `Group`: one `u` takes all of it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.tui.labels import to_translate, tr
from paperbrowse.tui.marks import n_papers

LIMIT = 200
_NAMES = {
    "starred": to_translate("star"),
    "status": to_translate("status"),
    "tags": to_translate("tags"),
    "note": to_translate("note"),
    "pdf": "PDF",
}
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

    def describe(self, language: str = "en") -> str:
        if SEARCHES in self.before:  # the library's saved searches, not a paper's fields
            names = ", ".join(f"“{one_line(name)}”" for name in self.before[SEARCHES])
            return tr("saved search {names}", language, names=names)
        fields = ", ".join(tr(_NAMES[name], language) for name in self.before)
        return tr("{fields} of {paper}", language, fields=fields, paper=self.paper_id)


def searches_change(before: dict[str, str], after: dict[str, str]) -> Change | None:
    """A change of the saved searches, from the library's `saved_searches()` before and after it."""
    names = [name for name in {**before, **after} if before.get(name) != after.get(name)]
    if not names:
        return None
    return Change("", {SEARCHES: {n: before.get(n) for n in names}}, {SEARCHES: {n: after.get(n) for n in names}})


@dataclass(frozen=True, slots=True)
class Group:
    """One change made to many papers (the marked ones): undone and redone as one step."""

    changes: tuple[Change, ...]

    def describe(self, language: str = "en") -> str:
        fields = dict.fromkeys(tr(_NAMES[name], language) for done in self.changes for name in done.before)
        return tr(
            "{fields} of {paper}", language, fields=", ".join(fields), paper=n_papers(len(self.changes), language)
        )


Step = Change | Group


def group(changes: list[Change | None]) -> Step | None:
    """The changes made by one action to many papers, as one step; None when nothing changed."""
    done = tuple(change for change in changes if change is not None)
    if len(done) <= 1:
        return done[0] if done else None
    return Group(done)


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


def _back(library: Library, step: Step) -> None:
    for done in reversed(step.changes) if isinstance(step, Group) else (step,):
        _go(library, done.paper_id, done.after, done.before)


def _again(library: Library, step: Step) -> None:
    for done in step.changes if isinstance(step, Group) else (step,):
        _go(library, done.paper_id, done.before, done.after)


class UndoStack:
    def __init__(self) -> None:
        self._done: list[Step] = []
        self._undone: list[Step] = []

    def record(self, done: Step | None) -> None:
        if done is not None:
            self._done.append(done)
            del self._done[:-LIMIT]
            self._undone.clear()

    def undo(self, library: Library) -> Step | None:
        if not self._done:
            return None
        done = self._done.pop()
        _back(library, done)
        self._undone.append(done)
        return done

    def redo(self, library: Library) -> Step | None:
        if not self._undone:
            return None
        done = self._undone.pop()
        _again(library, done)
        self._done.append(done)
        return done
