"""Background work gives way while the user types.

Python runs one thread at a time (the GIL). A builder thread (related papers, the titles'
layout) that keeps it takes it back each time the UI thread lets go, which the event loop does
on every turn: the UI thread then waits up to the switch interval (5 ms) per turn, and a
keystroke, dozens of turns from the key to the repainted list, took 0.3-1 s while it ran. So
those builders call `pause` between short slices, and it sleeps while a key came in the last
`QUIET` seconds, and while a search scans the texts (`refine`): the keystroke and its search
have the interpreter to themselves. The word indexes' build pauses too (the scan answers
meanwhile); their read, which a typed search waits for, does not.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from textual.app import App

QUIET = 0.3  # seconds after a key during which builders sleep
_SCAN_POLL = 0.02  # seconds between a sleeping builder's looks at whether a scan ended


class Foreground:
    def __init__(self) -> None:
        self._last_key = float("-inf")
        self._scans = 0  # searches answering from the texts (see `refine`) running now

    def key_pressed(self) -> None:
        self._last_key = time.monotonic()

    def pause(self) -> None:
        """Called from a builder thread between slices: sleep while the user is typing, and
        let go of the interpreter for a moment in any case."""
        time.sleep(0)  # releases the GIL: a waiting UI thread takes it
        while (wait := self._last_key + QUIET - time.monotonic()) > 0 or self._scans:
            time.sleep(max(wait, _SCAN_POLL))

    @contextmanager
    def scanning(self) -> Iterator[None]:
        """Held by a search that scans the texts: builders sleep meanwhile."""
        self._scans += 1
        try:
            yield
        finally:
            self._scans -= 1


def scanning_of(app: App[object]) -> AbstractContextManager[None]:
    """The app's `Foreground.scanning()`, or nothing to hold for an app without one."""
    foreground = getattr(app, "foreground", None)
    return foreground.scanning() if isinstance(foreground, Foreground) else nullcontext()


def pause_of(app: App[object]) -> Callable[[], None] | None:
    """The app's `Foreground.pause`, or None for an app without one."""
    foreground = getattr(app, "foreground", None)
    return foreground.pause if isinstance(foreground, Foreground) else None
