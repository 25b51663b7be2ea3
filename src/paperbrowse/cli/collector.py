"""The cycle collector, handled for the whole process at the entry point, once.

The core never touches it: how the collector should run is a property of the process (a
one-off command, a browser session), not of a function that loads papers.

Building 100,000 papers triggers the collector hundreds of times, for nothing: none of the new
objects can be garbage yet, and each pass walks them all again. Pausing it while the
collection loads cuts a warm start by a sixth and a cold one by a tenth (0.27 s to 0.20 s, and
7.6 s to 6.9 s, at 100,000 papers). The collection then lives as long as the process, so a
large one is frozen out of the collector's sight (gc.freeze) before anything else exists (the
browser's widgets come after it): otherwise every full collection would walk its objects again
(43 ms at 100,000 papers, ten times that at 1,000,000).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TypeVar

FREEZE_FROM = 10_000  # papers: below this, walking them costs less than keeping them frozen
_froze = [False]  # whether this process froze a collection (see `froze`)
Loaded = TypeVar("Loaded")


def load_for_the_process(load: Callable[[], Loaded], *, papers: Callable[[Loaded], int]) -> Loaded:
    """Run `load` with the collector paused, then freeze what it built when it holds many
    `papers`."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        loaded = load()
        if papers(loaded) >= FREEZE_FROM:
            gc.freeze()
            _froze[0] = True
    finally:
        if enabled:
            gc.enable()
    return loaded


def froze() -> bool:
    """Whether this process froze a collection. Told, not asked of the collector:
    `gc.get_freeze_count()` walks every frozen object, 40-60 ms at 100,000 papers."""
    return _froze[0]
