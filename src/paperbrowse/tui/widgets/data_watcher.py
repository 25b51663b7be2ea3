"""Noticing data files edited, added or deleted while the browser runs, and loading them again.

A `ChangeWatcher` (core) says whether the files changed: on Linux the kernel tells it, elsewhere
it looks at them, no more often than keeps that cheap. Every few seconds the UI thread only asks
whether there is anything to ask (no I/O); when there is, a thread asks, and when the files
changed it loads the collection again (only the changed files are parsed; with inotify, from
the second reload on, only the files it heard of are looked at, and only their runs of small
files read again) and announces it.

The start's catalog keeps no scan and no load for such a reload to start from: once the watch
is up and the collection has been shown for PRIME_AFTER seconds, a tick with nothing to ask gives
it them instead (`store.primed`: a scan, checked against the catalog's snapshot key, and the
units rebuilt from the catalog), so that the first reload is told what changed too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from textual import on, work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from paperbrowse.core.files.changes import ChangeWatcher, Signature
from paperbrowse.core.records.catalog import Catalog, settle
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.store.cache import reload_catalog
from paperbrowse.core.store.primed import needs_priming, prime
from paperbrowse.tui.foreground import building_now, froze_of, loading_of, quiet_in_of, reloading
from paperbrowse.tui.parcel import Parcel

WATCH_SECONDS = 3.0
# Seconds after the browser showed a collection (or was handed one) before its catalog is
# primed: the scan it takes (2 s of processor time at 100,000 one-paper files) must not
# compete with the first query, nor with the start's background work.
PRIME_AFTER = 10.0
clock: Callable[[], float] = time.monotonic  # what PRIME_AFTER is measured with (tests set it)


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
        self._changes: ChangeWatcher | None = None  # made for `catalog` by the next check
        self._known: Signature | None = None  # what the files of a followed catalog looked like
        self._failed = False
        self._told_polling = False
        self._how = ""
        self._checking = False  # a reload can take longer than the interval: one at a time
        self._owed = False  # a change was reported but its reload failed: try again
        self._prime_at = float("inf")  # when the catalog may be primed (see `_prime_due`)
        self._primed: Catalog | None = None  # the catalog priming was last tried for

    def on_mount(self) -> None:
        self._prime_at = clock() + PRIME_AFTER
        self.check()
        self.set_interval(WATCH_SECONDS, self._tick)

    def on_unmount(self) -> None:
        if self._changes is not None:
            self._changes.close()

    def follow(self, catalog: Catalog, signature: tuple[object, ...] | None = None) -> None:
        """Watch the files of a collection loaded elsewhere (a paper was added); `signature`:
        what its files looked like just before it was loaded (`files_signature`), else the next
        check starts from what they look like then."""
        if catalog is not self.catalog:
            self.catalog = catalog
            self._known = signature if isinstance(signature, Signature) else None
            self._prime_at = clock() + PRIME_AFTER
            if self._changes is not None:
                self._changes.close()
                self._changes = None

    def check(self) -> None:
        """Look now, even if polling would not look yet."""
        self._ask(now=True)

    def _tick(self) -> None:
        if self._owed or self._changes is None or self._changes.pending():
            self._ask(now=False)
        elif self._prime_due():
            self._primed = self.catalog  # tried once per catalog: a refusal stands until it changes
            self._ask(now=False, primes=True)

    def _prime_due(self) -> bool:
        """Whether this tick, which has nothing to ask, should prime the catalog: the watch is
        up and hears names (inotify, which `pending` said has nothing queued), the collection
        has been shown for PRIME_AFTER seconds, no key came in the last moment, no word indexes
        are being made, and the catalog was not tried and needs it."""
        changes = self._changes
        return (
            changes is not None
            and changes.how == "inotify"
            and not self._checking
            and not self._owed
            and self._primed is not self.catalog
            and clock() >= self._prime_at
            and not quiet_in_of(self.app)  # not while keys come: its scan holds the interpreter in pieces
            # Nor beside the word indexes' build (after the data changed): both threads' young
            # objects in one collector's passes, the browser's frames waited 30-90 ms.
            and not building_now()
            and needs_priming(self.catalog)
        )

    def _ask(self, *, now: bool, primes: bool = False) -> None:
        if self._checking:
            return
        if self._changes is None:
            # Made here, on the UI thread, so that unmounting always closes it; it does no I/O
            # until the worker asks it.
            self._changes = ChangeWatcher(self.catalog.sources, self._known)
            self._known = None
        self._checking = True
        self._check(Parcel(self.catalog), self._changes, now, self._owed, primes)

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def _check(
        self, parcel: Parcel[Catalog], changes: ChangeWatcher, now: bool, owed: bool, primes: bool = False
    ) -> None:
        catalog = parcel.take()  # see `tui.parcel`
        if not changes.changed(now=now) and not owed:
            if primes:
                # The names taken first, then the scan: a change after this call is in the next
                # answer, one before it is in the scan (and makes `prime` refuse).
                changes.heard()
                try:
                    # Its 100,000 stats and the columns made of them set off the collector's
                    # full passes, 100-400 ms each of the browser's objects: held off meanwhile,
                    # and what it made (kept for the catalog's life) frozen as a reload's is,
                    # or the first full pass after it walked them all: 85-95 ms.
                    with reloading(froze_of(self.app)), loading_of(self.app):
                        prime(catalog)
                except Exception as err:  # only a reload that looks at every file, as without it
                    self.app.call_from_thread(self.log.warning, f"priming the reload failed: {err!r}")
            self.app.call_from_thread(self._checked, changes)
            return
        # Only the changed files are parsed again; with inotify, only those heard of looked at.
        # Asked after the events were read and before the load: a change meanwhile is heard next.
        heard = changes.heard()
        with reloading(froze_of(self.app)), loading_of(self.app):
            fresh = reload_catalog(catalog, None if owed else heard)  # a failed reload took what was heard
            index = SearchIndex(settle(fresh))
        self.app.call_from_thread(self._loaded, catalog, fresh, index, changes)

    def _checked(self, changes: ChangeWatcher) -> None:
        self._checking = False
        if changes.how != self._how:
            self._how = changes.how
            self.log.info(f"watching the data files: {changes.how}")
        if changes.fallback is not None and changes.polling and not self._told_polling:
            self._told_polling = True  # told once: it stays so until the browser starts again
            self.notify(
                f"Looking at the data files for changes every {changes.interval:.0f} s, as the system "
                f"will not watch them: {changes.fallback}.",
                severity="warning",
                timeout=10,
                markup=False,
            )

    def _loaded(self, old: Catalog, fresh: Catalog, index: SearchIndex, changes: ChangeWatcher) -> None:
        self._checked(changes)
        self._owed = False
        if old is not self.catalog:
            return  # loaded again meanwhile (a paper was added): the next check compares again
        self.catalog = fresh
        self.post_message(self.Reloaded(old, fresh, index))

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self._checking = False
            self._owed = True  # the watcher may have reported the change already: it would not again
            self.log.error(f"checking the data files failed: {event.worker.error!r}")
            if not self._failed:  # told once: the next checks would say the same every 3 s
                self._failed = True
                self.notify(
                    f"Cannot check the data files for changes: {event.worker.error}",
                    severity="warning",
                    timeout=10,
                    markup=False,
                )
