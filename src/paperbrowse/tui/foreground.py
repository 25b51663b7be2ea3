"""Background work gives way while the user types.

Python runs one thread at a time (the GIL). A builder thread (related papers, the titles'
layout) that keeps it takes it back each time the UI thread lets go, which the event loop does
on every turn: the UI thread then waits up to the switch interval (5 ms) per turn, and a
keystroke, dozens of turns from the key to the repainted list, took 0.3-1 s while it ran. So
those builders call `pause` between short slices, and it sleeps while a key came in the last
`QUIET` seconds: the keystroke and its search have the interpreter to themselves. The word
indexes a typed search waits for do not pause (see `store.cache.prepare_search`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.app import App

QUIET = 0.3  # seconds after a key during which builders sleep


class Foreground:
    def __init__(self) -> None:
        self._last_key = float("-inf")

    def key_pressed(self) -> None:
        self._last_key = time.monotonic()

    def pause(self) -> None:
        """Called from a builder thread between slices: sleep while the user is typing, and
        let go of the interpreter for a moment in any case."""
        time.sleep(0)  # releases the GIL: a waiting UI thread takes it
        while (wait := self._last_key + QUIET - time.monotonic()) > 0:
            time.sleep(wait)


def pause_of(app: App[object]) -> Callable[[], None] | None:
    """The app's `Foreground.pause`, or None for an app without one."""
    foreground = getattr(app, "foreground", None)
    return foreground.pause if isinstance(foreground, Foreground) else None
