"""Noticing data files edited, added or deleted while the browser runs, and loading them again.

Every few seconds a thread compares what the data files look like now (one stat per file)
with what was loaded; when they differ it loads the collection again (only the changed files
are parsed) and announces it. Nothing of this runs on the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.store.cache import files_signature, load_catalog_cached

WATCH_SECONDS = 3.0


class DataWatcher(Widget):
    DEFAULT_CSS = "DataWatcher { display: none; }"

    @dataclass
    class Reloaded(Message):
        """The data changed on disk: `fresh` replaces `old`."""

        old: Catalog
        fresh: Catalog
        index: SearchIndex

    def __init__(self, catalog: Catalog, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.catalog = catalog
        self._signature: tuple[object, ...] | None = None  # taken by the first check
        self._failed = False
        self._checking = False  # a reload can take longer than the interval: one at a time

    def on_mount(self) -> None:
        self.check()
        self.set_interval(WATCH_SECONDS, self.check)

    def follow(self, catalog: Catalog, signature: tuple[object, ...] | None = None) -> None:
        """Watch the files of a collection loaded elsewhere (a paper was added); `signature`:
        what its files looked like just before it was loaded, else the next check looks."""
        if catalog is not self.catalog:
            self.catalog, self._signature = catalog, signature

    def check(self) -> None:
        if not self._checking:
            self._checking = True
            self._check(self.catalog, self._signature)

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def _check(self, catalog: Catalog, known: tuple[object, ...] | None) -> None:
        signature = files_signature(catalog.sources)
        if known is None or signature == known:
            self.app.call_from_thread(self._checked, catalog, signature)
            return
        fresh = load_catalog_cached(catalog.sources)  # only the changed files are parsed again
        index = SearchIndex(fresh)
        self.app.call_from_thread(self._loaded, catalog, fresh, index, signature)

    def _checked(self, catalog: Catalog, signature: tuple[object, ...]) -> None:
        self._checking = False
        if catalog is self.catalog and self._signature is None:
            self._signature = signature

    def _loaded(self, old: Catalog, fresh: Catalog, index: SearchIndex, signature: tuple[object, ...]) -> None:
        self._checking = False
        if old is not self.catalog:
            return  # loaded again meanwhile (a paper was added): the next check compares again
        self.catalog, self._signature = fresh, signature
        self.post_message(self.Reloaded(old, fresh, index))

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self._checking = False
            self.log.error(f"checking the data files failed: {event.worker.error!r}")
            if not self._failed:  # told once: the next checks would say the same every 3 s
                self._failed = True
                self.notify(
                    f"Cannot check the data files for changes: {event.worker.error}",
                    severity="warning",
                    timeout=10,
                    markup=False,
                )
