"""Marking papers (`space`/`v`, `*`, `escape`) and acting on all the marked ones at once.

Mixed into the main screen. While marks exist, `s`, `r`, `t`, `e` and `y` act on the marked
papers instead of the highlighted one (the screen's action asks `*_marked` first). Every bulk
change goes through `core.library.bulk`, as the CLI's `star`, `status` and `tag` with many ids
do, is saved by the same save as one paper's change, and is one step for `u`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Container, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.actions import SkipAction
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Label

from paperbrowse.core.library import bulk
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.records.schema import Paper
from paperbrowse.core.search.engine import PaperView
from paperbrowse.tui import undo
from paperbrowse.tui.labels import language_of, tr
from paperbrowse.tui.marks import Marks, n_papers
from paperbrowse.tui.widgets.library_watcher import LibraryWatcher
from paperbrowse.tui.widgets.paper_list import PaperList

if TYPE_CHECKING:
    from paperbrowse.tui.session import Session


class MarkActions(Screen[None]):
    if TYPE_CHECKING:
        session: Session
        undo: undo.UndoStack

        @property
        def papers(self) -> PaperList: ...
        def _after_search(self, action: Callable[[], object]) -> bool: ...
        def _writable(self) -> bool: ...
        def save_soon(self) -> None: ...
        def refresh_paper(self, *, tags: bool = False) -> None: ...
        def tell_copied(self, what: str, text: str) -> None: ...

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.marks = Marks()
        self._count = Content("")  # the list's header without the marks
        self._shown: tuple[Sequence[Paper] | None, Container[str]] = (None, frozenset())

    # The marks, and the list's header that counts them.
    def action_toggle_mark(self) -> None:
        """Mark or unmark the highlighted paper and move down, as in ranger or lazygit."""
        if self._after_search(self.action_toggle_mark):
            return
        paper = self.papers.current
        if paper is not None:
            self.marks.toggle(paper.id)
            self.papers.cursor += 1
            self._marks_changed()

    def action_mark_all(self) -> None:
        if self._after_search(self.action_mark_all):
            return
        marked, count = self.marks.toggle_all(paper.id for paper in self.papers.papers)
        self._marks_changed()
        done = "Marked {papers}." if marked else "Unmarked {papers}."
        self.notify(tr(done, language_of(self), papers=n_papers(count, language_of(self))), timeout=2, markup=False)

    def action_clear_marks(self) -> None:
        if not self.marks:
            raise SkipAction()  # escape then does what it does without marks
        count = self.marks.clear()
        self._marks_changed()
        cleared = tr("Cleared the marks of {papers}.", language_of(self), papers=n_papers(count, language_of(self)))
        self.notify(cleared, timeout=2, markup=False)

    def _marks_changed(self) -> None:
        self.papers.show_marks(self.marks)
        self._show_count(self._count)

    def _show_count(self, count: Content) -> None:
        """The list's header, the marks first: `● 3 marked (1 hidden) · 12 of 26 papers`."""
        self._count = count
        self.marks.keep_only(self.session.catalog.by_id)
        summary = self.marks.summary(self._shown_ids(), language_of(self)) if self.marks else ""
        if summary:
            count = Content.assemble((f"● {summary}", "bold $success"), " · ", count)
        self.query_one("#count", Label).update(count, layout=False)  # its size is fixed in the CSS

    def _shown_ids(self) -> Container[str]:
        """What answers "does the list show this id?", made once per result, only while there
        are marks: the whole collection shown hides nothing; a search's result is asked by
        places (a set of ints, several times quicker to make than one of 100,000 ids)."""
        shown = self.papers.papers
        if self._shown[0] is not shown:
            index = self.session.index
            test: Container[str]
            if len(shown) == len(index.papers):
                test = index.positions  # every paper: each id the marks keep is shown
            elif isinstance(shown, PaperView) and shown.papers is index.papers:
                test = _ByPlace(index.positions, frozenset(shown.places))
            else:
                test = frozenset(paper.id for paper in shown)
            self._shown = (shown, test)
        return self._shown[1]

    def _marked_ids(self) -> list[str]:
        self.marks.keep_only(self.session.catalog.by_id)
        return list(self.marks)

    # Changes to many papers: one save, one undo step, as for one paper.
    def change_papers(self, apply: Callable[[Library], object], ids: Collection[str], *, tags: bool = False) -> bool:
        """Apply a change to these papers' entries through the core, save it, keep it as one
        step for `u`; False when the library is read-only."""
        if not self._writable():
            return False
        library = self.session.library
        # Another copy may have saved since the last look: the change applies to what the file
        # says now, and so wins over it (a change made after reading a value is newer than it).
        library.refresh()
        before = {paper_id: undo.values(library, paper_id) for paper_id in ids}
        self.session.change(apply)
        self.undo.record(undo.group([undo.change(p, before[p], undo.values(library, p)) for p in ids]))
        self.save_soon()
        self.refresh_paper(tags=tags)
        self.query_one(LibraryWatcher).show_news()
        return True

    def star_marked(self) -> bool:
        """`s` with marks: star them all, or unstar them all when all are starred. False: no marks."""
        ids = self._marked_ids()
        if not ids:
            return False
        starred: list[bool] = []
        if self.change_papers(lambda library: starred.append(bulk.star_all(library, ids)), ids):
            done = "Starred {papers}." if starred[0] else "Unstarred {papers}."
            self.notify(
                tr(done, language_of(self), papers=n_papers(len(ids), language_of(self))), timeout=3, markup=False
            )
        return True

    def status_marked(self) -> bool:
        """`r` with marks: all of them to the status after the first marked paper's."""
        ids = self._marked_ids()
        if not ids:
            return False
        chosen: list[str] = []

        def apply(library: Library) -> None:
            chosen.append(bulk.next_status(library, ids))
            bulk.set_status_all(library, ids, chosen[0])

        if self.change_papers(apply, ids):
            papers = n_papers(len(ids), language_of(self))
            status = tr(chosen[0], language_of(self))
            self.notify(
                tr("Set {papers} to {status}.", language_of(self), papers=papers, status=status),
                timeout=3,
                markup=False,
            )
        return True

    def tags_marked(self) -> bool:
        """`t` with marks: one line of the tags any of them has; what is added goes on all of
        them, what is removed comes off all of them, the rest stays as each paper has it."""
        from paperbrowse.tui.screens.tags_dialog import TagChanges, TagsDialog

        language = language_of(self)
        ids = self._marked_ids()
        if not ids:
            return False
        if not self._writable():
            return True

        def saved(changes: TagChanges | None) -> None:
            if changes is None:
                return
            if self.change_papers(
                lambda lib: bulk.edit_tags_all(lib, ids, changes.add, changes.remove), ids, tags=True
            ):
                told = [f"+{one_line(t)}" for t in changes.add] + [f"-{one_line(t)}" for t in changes.remove]
                papers = n_papers(len(ids), language)
                self.notify(
                    tr("Tags of {papers}: {changes}", language, papers=papers, changes=" ".join(told)),
                    timeout=4,
                    markup=False,
                )

        self.session.library.refresh(wait=1.0)  # open on what the file says now
        shown = bulk.tags_of_any(self.session.library, ids)
        count = n_papers(len(ids), language)
        hint = tr(
            "shown: the tags any of them has · one you add goes on all {papers}, one you remove comes off all",
            language,
            papers=count,
        )
        title = tr("{papers} marked", language, papers=count)
        self.app.push_screen(TagsDialog(title, shown, [], note=hint), saved)
        return True

    def cite_marked(self) -> bool:
        """`y` with marks: the BibTeX of all of them, in the order they were marked."""
        ids = self._marked_ids()
        if not ids:
            return False
        by_id = self.session.catalog.by_id
        self.tell_copied(f"BibTeX of {n_papers(len(ids))}", self.session.bibtex(*(by_id[p] for p in ids)))
        return True


@dataclass(frozen=True, slots=True)
class _ByPlace:
    """Whether a search's result holds a paper, asked by the paper's place in the index."""

    places: Mapping[str, int]
    shown: frozenset[int]

    def __contains__(self, paper_id: object) -> bool:
        return isinstance(paper_id, str) and self.places.get(paper_id, -1) in self.shown
