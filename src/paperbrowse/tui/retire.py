"""Letting go of the collection a reload replaced, off the UI thread and a piece at a time.

Its last reference used to go on the UI thread (the session took the new one) or inside one of
the cycle collector's passes, and its papers, their texts and the search's indexes were then
freed in one C-level cascade: 40-110 ms at 100,000 papers, the browser's frames waiting. A
thread worker takes them instead, a moment after the reload is shown (the message that
announced it and a search still running on the old index have let go by then), and frees the
index, then the catalog a piece at a time (`records.catalog.dismantle`). Anything that still
holds one of them is left alone: it is freed where that lets go, as before.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from paperbrowse.core.records.catalog import Catalog, dismantle
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.tui.parcel import Parcel

RELEASE_AFTER = 1.0  # seconds after the reload is shown
_ALONE = 2  # sys.getrefcount of a value one list slot holds (getrefcount's argument is the other)


def release(parcel: Parcel[tuple[Catalog, SearchIndex]], pause: Callable[[], None] | None = None) -> bool:
    """Free a replaced catalog and its index (called in a worker thread); False when something
    else still held one of them (it is freed where that lets go)."""
    pause = pause or _switch
    held: list[object] = list(parcel.take())  # the only references here: [catalog, index]
    while held:
        if sys.getrefcount(held[-1]) > _ALONE:  # the index first: it holds the catalog
            return False
        last = held[-1]
        if isinstance(last, Catalog):
            dismantle(last, pause)
        del last
        held.pop()  # the index's word indexes and layout: a few milliseconds
        pause()
    return True


def _switch() -> None:
    time.sleep(0)  # lets a waiting thread take the interpreter
