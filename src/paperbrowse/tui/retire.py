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

RELEASE_AFTER = 1.0  # seconds after the reload is shown, and between two tries
# Tries while another holder keeps the replaced index: the word indexes' worker holds it while
# it carries its words over, and waits for them first when the start's were still being built
# (seconds at 1,000,000 papers). Let go there, it would all be freed at once. A try is a
# moment's work: no thread sleeps meanwhile (workers share a pool of a few threads).
RELEASE_TRIES = 60
_ALONE = 2  # sys.getrefcount of a value one list slot holds (getrefcount's argument is the other)


def release(
    parcel: Parcel[tuple[Catalog, SearchIndex]],
    pause: Callable[[], None] | None = None,
    again: Callable[[Parcel[tuple[Catalog, SearchIndex]]], None] | None = None,
) -> bool:
    """Free a replaced catalog and its index (called in a worker thread); False when something
    else still held one of them: it is freed where that lets go, unless the index was the one
    held and `again` is given: it is then handed them back, in a new parcel, to try later."""
    pause = pause or _switch
    catalog, index = parcel.take()
    held: list[object] = [catalog, index]  # with the names, the only references here
    if again is not None and sys.getrefcount(index) > _ALONE + 1:  # + 1: the name `index`
        again(Parcel((catalog, index)))
        return False
    del catalog, index
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
