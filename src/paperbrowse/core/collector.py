"""Pausing Python's cycle collector while a large collection is built.

Building 100,000 papers triggers the collector hundreds of times, for nothing: none of the new
objects can be garbage yet, and each pass walks them all again. Pausing it roughly halves the
time. A collection this size then lives as long as the process, so it is frozen out of the
collector's sight (gc.freeze): otherwise the first collection after the pause, and every full
one after it, would walk its million objects again (0.1 s at 100,000 papers).

The search index's own lists (every paper, in its order; the lower-cased titles) are built
after that, and a full collection walks every item of a list it has not frozen: at 1,000,000
papers each of the handful of full collections while typing then cost 130 ms, a keystroke's
whole budget. `freeze_large` freezes those too, once they are built.
"""

from __future__ import annotations

import gc
from typing import Self

FREEZE_FROM = 10_000  # papers: below this, walking them costs less than keeping them frozen


class CollectorPaused:
    """`with CollectorPaused(): ...` builds with the collector paused (see freeze_large)."""

    def __init__(self) -> None:
        self._was_enabled = False

    def __enter__(self) -> Self:
        self._was_enabled = gc.isenabled()
        gc.disable()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._was_enabled:
            gc.enable()


def freeze_large(papers: int) -> None:
    """Freeze what exists now (see the module's note) when the collection is large."""
    if papers >= FREEZE_FROM:
        gc.freeze()
