"""Saved searches in the browser: `ctrl+s` keeps the search under a name, and the tree's
Saved searches node lists them; `d` there deletes one (asking first), `r` renames it.

Mixed into the main screen. A saved search is a node of the tree like a tag: choosing it goes
through the back/forward history as every jump does, the list's header names it and shows its
query. Every change goes through the core `Library` calls the CLI's `saved` command makes, and
is saved through the same merging save as a star.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.screen import Screen

from paperbrowse.core.library.saved_searches import sentence
from paperbrowse.core.library.user_library import Library, SavedSearchError, SavedSearchExists
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.tui import undo
from paperbrowse.tui.widgets.category_tree import SAVED_BRANCH, CategoryTree, Node, saved_node

if TYPE_CHECKING:
    from paperbrowse.tui.session import Session
    from paperbrowse.tui.widgets.search_box import SearchBox


class SavedSearchActions(Screen[None]):
    if TYPE_CHECKING:
        session: Session
        node: Node
        undo: undo.UndoStack

        @property
        def search_box(self) -> SearchBox: ...
        def _writable(self) -> bool: ...
        def save_soon(self) -> None: ...
        def run_search(self, *, here: bool = False) -> None: ...

    def action_save_search(self) -> None:
        """Keep what the list shows (the node's filter and the query typed) under a name."""
        if not self._writable():
            return
        text = self.search_box.value.strip()
        query = f"{self.node.filter} {text}".strip()
        if not query:
            self.notify("Type a query or choose a node first: there is no search to save.", timeout=4, markup=False)
            return
        from paperbrowse.tui.screens.name_dialog import NameDialog

        def named(name: str | None) -> None:
            if name is not None:
                self._keep_search(name, query)

        self.app.push_screen(NameDialog("Save this search as", query, text or self.node.label), named)

    def _keep_search(self, name: str, query: str) -> None:
        def done() -> None:
            self.notify(
                f"Saved search “{one_line(name)}”: it is in the tree under {SAVED_BRANCH} (c)", timeout=5, markup=False
            )

        self._saved_change(lambda library, replace: library.save_search(name, query, replace=replace), done)

    @on(CategoryTree.DeleteSaved)
    def _delete_saved(self, event: CategoryTree.DeleteSaved) -> None:
        from paperbrowse.tui.screens.confirm import Confirm

        if not self._writable():
            return
        name = event.name

        def done() -> None:
            self.notify(f"Deleted the saved search “{one_line(name)}”", timeout=4, markup=False)

        def answered(delete: bool | None) -> None:
            if delete:
                self._saved_change(lambda library, _replace: library.delete_search(name), done)

        question = f"Delete the saved search “{one_line(name)}” ({one_line(event.query)})?"
        self.app.push_screen(Confirm(question, "Delete", "Keep it"), answered)

    @on(CategoryTree.RenameSaved)
    def _rename_saved(self, event: CategoryTree.RenameSaved) -> None:
        from paperbrowse.tui.screens.name_dialog import NameDialog

        if not self._writable():
            return
        old, query = event.name, event.query

        def named(new: str | None) -> None:
            if new is None or new == old:
                return

            def done() -> None:
                old_key, new_key = saved_node(old, query).key, saved_node(new, query).key
                order = self.session.sort_for(old_key)  # the order chosen for it goes with it
                self.session.set_sort(old_key, "relevance")
                self.session.set_sort(new_key, order)
                tree = self.query_one(CategoryTree)
                if self.node.key == old_key:
                    # The list shows it still, under its new name.
                    self.node = saved_node(new, query)
                    tree.select_key(self.node.key)
                    self.run_search()

            self._saved_change(lambda library, replace: library.rename_search(old, new, replace=replace), done)

        self.app.push_screen(NameDialog(f"Rename “{one_line(old)}” to", query, old), named)

    def _saved_change(
        self, change: Callable[[Library, bool], object], done: Callable[[], None], *, replace: bool = False
    ) -> None:
        """Apply a change of the saved searches (told whether it may replace a name that is
        taken), save it, show the tree again, then `done`. A taken name asks first."""
        from paperbrowse.tui.screens.confirm import Confirm

        library = self.session.library
        library.refresh()  # another copy may have saved a search of that name meanwhile
        before = library.saved_searches()
        try:
            change(library, replace)
        except SavedSearchExists as taken:

            def answered(yes: bool | None) -> None:
                if yes:
                    self._saved_change(change, done, replace=True)

            question = f"A saved search “{one_line(taken.name)}” exists ({one_line(taken.query)}). Replace it?"
            self.app.push_screen(Confirm(question, "Replace", "Cancel"), answered)
            return
        except SavedSearchError as err:
            self.notify(sentence(str(err)), severity="error", timeout=8, markup=False)
            return
        self.undo.record(undo.searches_change(before, library.saved_searches()))  # `u` takes it back
        self.save_soon()
        self.query_one(CategoryTree).rebuild()
        done()
