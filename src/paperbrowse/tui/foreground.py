"""Background work gives way while the user types.

Python runs one thread at a time (the GIL). A builder thread (related papers, the titles'
layout) that keeps it takes it back each time the UI thread lets go, which the event loop does
on every turn: the UI thread then waits up to the switch interval (5 ms) per turn, and a
keystroke, dozens of turns from the key to the repainted list, took 0.3-1 s while it ran. So
those builders call `pause` between short slices, and it sleeps while a key came in the last
`QUIET` seconds, and while a search scans the texts (`refine`): the keystroke and its search
have the interpreter to themselves. The word indexes' build pauses too (the scan answers
meanwhile); their read, which a typed search waits for, does not. Between two of its pauses
the build can still run a few hundred milliseconds: `building` shortens the interpreter's
switch interval and holds the cycle collector's full passes off meanwhile.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from textual.app import App

QUIET = 0.3  # seconds after a key during which builders sleep
_SCAN_POLL = 0.02  # seconds between a sleeping builder's looks at whether a scan ended


class Foreground:
    def __init__(self, froze: Callable[[], bool] = lambda: False) -> None:
        """`froze`: whether the start froze its collection out of the collector's sight (the
        entry point knows: `cli/collector.py`); a reload then freezes what it loaded too."""
        self.froze = froze
        self._last_key = float("-inf")
        self.quiet = QUIET
        self._scans = 0  # searches answering from the texts (see `refine`) running now
        self._loads = 0  # reloads and primings of the collection running now (see `loading`)

    def key_pressed(self) -> None:
        self._last_key = time.monotonic()

    def busy(self) -> None:
        """The UI thread has a burst of work to do (a reload to show): builders sleep for
        `quiet` seconds, as after a key."""
        self._last_key = time.monotonic()

    def quiet_in(self) -> float:
        """Seconds until no key has come for `quiet` seconds (0: none has)."""
        return max(0.0, self._last_key + self.quiet - time.monotonic())

    def pause(self) -> None:
        """Called from a builder thread between slices: sleep while the user is typing, and
        let go of the interpreter for a moment in any case."""
        time.sleep(0)  # releases the GIL: a waiting UI thread takes it
        while (wait := self._last_key + self.quiet - time.monotonic()) > 0 or self._scans or self._loads:
            time.sleep(max(wait, _SCAN_POLL))

    @contextmanager
    def loading(self) -> Iterator[None]:
        """Held by a thread that loads the collection again, or primes it for that (the data
        watcher's): builders sleep meanwhile. The user waits for the reload, not for them, and
        with a build beside it three threads wanted two shared cores: the UI thread had a third
        of the interpreter, and a reload's frames waited 50-90 ms at 100,000 papers."""
        self._loads += 1
        try:
            yield
        finally:
            self._loads -= 1

    @contextmanager
    def scanning(self) -> Iterator[None]:
        """Held by a search that scans the texts: builders sleep meanwhile."""
        self._scans += 1
        try:
            yield
        finally:
            self._scans -= 1


# While the word indexes are built (see `building`): the cycle collector's full passes held
# off, and the interpreter handed between threads every millisecond instead of every five.
_FULL_PASS_OFF = 1 << 30
_SWITCH = 0.001


class _Builders:
    """How many builders hold `building`, and what to restore when the last one ends."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()
        self.restore = (gc.get_threshold(), sys.getswitchinterval())


_builders = _Builders()


@contextmanager
def building() -> Iterator[None]:
    """Held by the builder of the word indexes (threads may hold it at once).

    The build allocates millions of short-lived lists (each word's papers, before they become
    bits or arrays), so the collector's full passes came every second or so of it and each
    walked them all, holding the interpreter 50-200 ms (a stall of the browser's frames and of
    a scan's first slice). None of them can be garbage in a cycle: they are freed as the build
    goes, and the young generations' passes still run.

    A thread that wants the interpreter waits for its holder's switch interval: the UI
    thread, on each turn of the event loop (a keystroke is dozens of turns), and a scan, on
    each of its C-level steps. Between two of its `pause` calls a build step can run a few
    hundred milliseconds (sorting a vocabulary, reading a column): a millisecond's interval
    keeps the keystroke's and the scan's waits short meanwhile, for a few percent of the
    build's own time."""
    held = _builders
    with held.lock:
        if not held.count:
            held.restore = (gc.get_threshold(), sys.getswitchinterval())
            threshold = held.restore[0]
            gc.set_threshold(threshold[0], threshold[1], _FULL_PASS_OFF)
            sys.setswitchinterval(_SWITCH)
        held.count += 1
    try:
        yield
    finally:
        with held.lock:
            held.count -= 1
            if not held.count:
                gc.set_threshold(*held.restore[0])
                sys.setswitchinterval(held.restore[1])


def building_now() -> bool:
    """Whether a thread holds `building` (the word indexes read, carried or built; a reload):
    the data watcher's priming waits for it (see `DataWatcher`)."""
    return _builders.count > 0


@contextmanager
def reloading(frozen: bool) -> Iterator[None]:
    """Held by a thread that loads the collection again (the data watcher, an add): as
    `building`, and when the start's collection was `frozen` out of the collector's sight
    (`cli/collector.py`, for a large one), what it loaded is frozen too.

    Otherwise the first full pass after the reload walks every object of the new catalog,
    50-60 ms of processor time at 100,000 papers (ten times that at 1,000,000) on whichever
    thread allocates next, the UI thread's frames included, and again each time the old
    generation grows by a quarter. The catalogs and their indexes hold no cycles, so a frozen
    one is freed all the same when dropped (`tui.retire`). What the freeze keeps for good is
    the garbage of the old generation not yet collected, and what was alive then and later
    dies in a cycle: about 3,000 of the browser's objects once (its widgets' line caches) and
    150 per reload after. A full pass first would keep 70 per reload, but it walks the word
    indexes built since the last freeze: 35-40 ms of the interpreter, the stall it is here to
    avoid. A pass of the young generations first kept no fewer (3,105 against 3,235 objects
    after three reloads) and took up to 40 ms when a builder's long young lists were about.

    Whether the start froze is told, not asked: `gc.get_freeze_count()` walks every frozen
    object (millions at 100,000 papers), holding the interpreter 40-60 ms."""
    with building():
        yield
        if frozen:
            gc.freeze()


def scanning_of(app: App[object]) -> AbstractContextManager[None]:
    """The app's `Foreground.scanning()`, or nothing to hold for an app without one."""
    foreground = getattr(app, "foreground", None)
    return foreground.scanning() if isinstance(foreground, Foreground) else nullcontext()


def loading_of(app: App[object]) -> AbstractContextManager[None]:
    """The app's `Foreground.loading()`, or nothing to hold for an app without one."""
    foreground = getattr(app, "foreground", None)
    return foreground.loading() if isinstance(foreground, Foreground) else nullcontext()


def busy_of(app: App[object]) -> None:
    """The app's `Foreground.busy()`, if it has one."""
    foreground = getattr(app, "foreground", None)
    if isinstance(foreground, Foreground):
        foreground.busy()


def froze_of(app: App[object]) -> bool:
    """Whether the app's start froze its collection (see `Foreground`); False for an app
    without a `Foreground`."""
    foreground = getattr(app, "foreground", None)
    return foreground.froze() if isinstance(foreground, Foreground) else False


def pause_of(app: App[object]) -> Callable[[], None] | None:
    """The app's `Foreground.pause`, or None for an app without one."""
    foreground = getattr(app, "foreground", None)
    return foreground.pause if isinstance(foreground, Foreground) else None


def quiet_in_of(app: App[object]) -> float:
    """The app's `Foreground.quiet_in()`, or 0 for an app without one."""
    foreground = getattr(app, "foreground", None)
    return foreground.quiet_in() if isinstance(foreground, Foreground) else 0.0
