"""A cold start: the browser opens on the first papers read, while a thread reads the rest.

Reading 100,000 papers without a cache takes seconds (6.5 s at 100,000, over a minute at
1,000,000). The load runs in a thread from the start; if it has not finished by the time it
hands over its first part (`store.cache.EARLY`), the browser opens on that part with a progress
bar, and takes in the whole collection when it is read, as it does after an edit on disk. The
thread gives way while keys arrive (`pause`, set once the screen is up).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.search.engine import SearchIndex

Loaded = tuple[Catalog, SearchIndex]
# The load itself: it hands `early` the first part of the collection and tells `progress`
# (files read, files in all) how far it has come.
Load = Callable[[Callable[[Catalog], None], Callable[[int, int], None]], Loaded]


class BackgroundLoad:
    def __init__(self, load: Load) -> None:
        self.first = threading.Event()  # set once there is something to show (all of it, or a part)
        self.finished = threading.Event()
        self.partial: Catalog | None = None
        self.result: Loaded | None = None
        self.error: BaseException | None = None
        self.read = (0, 0)  # files read, files in all
        self.pause: Callable[[], None] | None = None
        # A daemon: quitting while it reads does not wait for it (every cache write is atomic).
        self._thread = threading.Thread(target=self._run, args=(load,), name="paperbrowse-load", daemon=True)
        self._thread.start()

    def _run(self, load: Load) -> None:
        try:
            self.result = load(self._early, self._progress)
        except BaseException as error:  # handed to whoever waits: the UI thread reports it
            self.error = error
        finally:
            self.finished.set()
            self.first.set()

    def _early(self, catalog: Catalog) -> None:
        self.partial = catalog
        self.first.set()

    def _progress(self, done: int, total: int) -> None:
        self.read = (done, total)
        pause = self.pause
        if pause is not None:
            pause()
