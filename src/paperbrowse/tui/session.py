"""What the TUI holds: the loaded core objects, and saving changes off the UI thread.

Every change goes through the core `Library` (the same calls the CLI makes) and is saved at
once by a thread worker; a failed save keeps the change in memory and retries.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from paperbrowse.core.export import ExportItem, export
from paperbrowse.core.export.bibtex import to_bibtex
from paperbrowse.core.export.reading_list import export_items, order_by_star, select_papers
from paperbrowse.core.files.atomic import write_new
from paperbrowse.core.library.user_library import Library, LibraryError
from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.schema import Paper
from paperbrowse.core.search.engine import SearchIndex

if TYPE_CHECKING:
    from textual.app import App

RETRY_SECONDS = 5.0


class Session:
    def __init__(self, catalog: Catalog, library: Library, index: SearchIndex | None = None) -> None:
        self.catalog = catalog
        self.library = library
        self.index = index or SearchIndex(catalog)
        self.app: App | None = None
        self._quit_unsaved = False

    def replace_catalog(self, catalog: Catalog, index: SearchIndex) -> None:
        """The collection was reloaded (a paper was added): everything reads the new one."""
        self.catalog, self.index = catalog, index

    # Reading.
    def list_papers(self, node_filter: str, text: str, *, star_order: bool = False):
        result = self.index.search(f"{node_filter} {text}".strip(), self.library)
        papers = result.view  # rows are read as they are drawn
        if star_order and not text.strip():
            papers = order_by_star(papers, self.library)
        return papers, result.hints

    def starred_papers(self) -> list[Paper]:
        return select_papers(self.index, self.library, None)[0]

    def bibtex(self, paper: Paper) -> str:
        return to_bibtex([ExportItem(paper)])

    def export_starred(self, fmt: str, path: Path, *, force: bool) -> int:
        papers = self.starred_papers()
        text = export(export_items(papers, self.library), fmt, self.catalog)
        write_new(path, text.encode("utf-8"), force=force)
        return len(papers)

    # Changing.
    def writable(self) -> bool:
        if self.library.read_only:
            self._notify(f"Your library is read-only: {self.library.error}", "error")
            return False
        return True

    def change(self, apply: Callable[[Library], object], *, quiet: bool = False) -> bool:
        """Apply a change through the core and save it in the background.

        `quiet`: a side effect of another action (opening a link marks it read): on a
        read-only library it is skipped without an error.
        """
        if quiet and self.library.read_only:
            return False
        if not self.writable():
            return False
        apply(self.library)
        self.save_soon()
        return True

    def opened(self, paper_id: str) -> None:
        if not self.library.read_only:
            self.library.mark_opened(paper_id)
            self.save_soon()

    def remember(self, category: str, query: str, selected: str) -> None:
        if not self.library.read_only:
            self.library.set_state(category=category, query=query, selected=selected)

    def save_soon(self) -> None:
        if self.app is not None:
            self.app.run_worker(self._save, thread=True, group="save", exit_on_error=False)

    def _save(self) -> None:
        try:
            self.library.save()
        except LibraryError as err:
            if self.app is not None:
                self.app.call_from_thread(self._save_failed, str(err))

    def _save_failed(self, message: str) -> None:
        self._notify(f"{message}. Retrying in {RETRY_SECONDS:.0f} s.", "error", title="Not saved")
        if self.app is not None:
            self.app.set_timer(RETRY_SECONDS, self.save_soon)

    def save_now(self) -> bool:
        """Save before quitting; on failure warn once, and let a second quit go anyway."""
        if self.library.read_only or not self.library.unsaved:
            return True
        try:
            self.library.save()
            return True
        except LibraryError as err:
            if self._quit_unsaved:
                return True
            self._quit_unsaved = True
            self._notify(f"{err}. Press q again to quit without saving.", "error", title="Not saved")
            return False

    def _notify(self, message: str, severity: str = "information", title: str = "") -> None:
        if self.app is not None:
            self.app.notify(message, severity=severity, title=title, timeout=10, markup=False)
