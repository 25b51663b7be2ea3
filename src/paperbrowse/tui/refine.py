"""A query typed while the word indexes are built: answered from the texts, then refined.

After the data changed (or at a collection's first start) the word indexes are built, not read:
1.5 s at 20,000 papers, 10 s at 100,000. A search that waited for them left the list as it was
for that long. Instead, the search thread scans the papers' texts a slice at a time
(`core.search.scan`, the same rules and points as the indexed search), shows what it found so
far with "refining…" in the count line (the first slice's finds at once: a small slice, so
that they are on screen a tenth of a second after the key; then every quarter of a second),
stops at the next keystroke (the worker is cancelled and checks between slices), and once the
indexes are in, runs the query through them and replaces the list. Kept indexes are only read
(a twentieth of a second at 100,000 papers, and read before any scan could finish): a query
waits for that read, and scans if the read finds none and turns into a build.

Nothing is prepared for a scan before a key: each slice is read and lower-cased when a scan
first reaches it, and kept for the next keystroke. A warm-up of every slice in the background
(2-3 s beside the build at 100,000 papers) held the first frame back by most of a second and
the first keystroke's handling with it, for a whole answer up to a second sooner.

Background builders (related papers, the titles' layout, the word indexes' build) sleep
while a scan runs, as they do while keys arrive (`foreground`), at their next `pause`.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager

from textual.worker import get_current_worker

from paperbrowse.core.records.schema import Paper
from paperbrowse.core.search.engine import PaperView, SearchIndex
from paperbrowse.core.search.scan import Scanner
from paperbrowse.core.store.kept_search import prepare_search
from paperbrowse.tui.session import Session

SHOW_EVERY = 0.25  # seconds between the partial lists a long scan shows
_POLL = 0.02  # seconds between looks at whether the indexes came (or the key that cancels)

# Papers found so far, hints, and how many papers were searched (all of them: the list is
# complete, only its order may change once refined).
Show = Callable[[Sequence[Paper], tuple[str, ...], int], None]

# One scanner per index, dropped with it: its slices keep their texts lower-cased for the
# next keystroke.
_scanners: weakref.WeakKeyDictionary[SearchIndex, Scanner] = weakref.WeakKeyDictionary()


def _scanner(index: SearchIndex) -> Scanner:
    scanner = _scanners.get(index)
    if scanner is None:
        scanner = _scanners.setdefault(index, Scanner(index))
    return scanner


def _wait_while_read(index: SearchIndex, cancelled: Callable[[], bool]) -> bool:
    """Wait until the index's word indexes are known to be built, or are in: before the
    background's load starts, and while it reads them from the cache (a fraction of a second,
    faster than any scan; a read that finds none kept turns into a build). False if
    `cancelled()` came first."""
    while index.words_from in ("", "read") and not index.ready():
        if cancelled():
            return False
        if index.words_from == "read" and index.preparing.acquire(timeout=_POLL):
            index.preparing.release()  # the read ended (ready, or turned into a build): at once
            time.sleep(0)
        elif index.words_from != "read":
            time.sleep(_POLL)
    return True


def answer(
    session: Session,
    query: str,
    arrange: Callable[[Sequence[Paper]], Sequence[Paper]],
    show: Show,
    scanning: AbstractContextManager[None],
) -> bool:
    """From a search worker: until the word indexes are in, show the query's papers as a scan
    finds them (`show` is called from this thread: it must hand over to the UI thread).
    True once the indexes are in and the query should run through them; False when the
    worker was cancelled (a newer key came).

    `query` is the whole query (the node's filter and the typed text); `arrange` orders the
    found papers as the node's list is read; `scanning` is held while the scan runs.
    """
    worker = get_current_worker()
    index = session.index
    if not _wait_while_read(index, lambda: worker.is_cancelled):
        return False
    if index.words_from != "build" or index.ready():
        prepare_search(index)  # a read that failed is tried again here, and its error told
        return not worker.is_cancelled
    scanner = _scanner(index)
    shown = float("-inf")  # the first slice's finds show at once: they are what a user waits for
    with scanning:
        for found in scanner.scan(query, session.user_state()):
            if worker.is_cancelled:
                return False
            if index.ready():
                break
            if found.done or time.monotonic() - shown >= SHOW_EVERY:
                show(arrange(PaperView(index.papers, found.positions())), found.hints, found.searched)
                shown = time.monotonic()
    while not index.ready() and index.words_from == "build":
        if worker.is_cancelled:
            return False
        time.sleep(_POLL)
    _scanners.pop(index, None)
    prepare_search(index)  # a build that failed is tried again here, and its error told
    return not worker.is_cancelled
