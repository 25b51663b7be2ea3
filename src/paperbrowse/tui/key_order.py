"""Keys act in the order they were typed, however fast they come.

Textual routes a key the moment it reaches the app: a priority binding (`/`, `t`, `n`, `e`, `a`:
the keys that open a dialog or focus the search, so that what is typed next lands there) acts
at once, while any other key is queued at the focused widget and meets its bindings only once
it has bubbled back up to the app. In a burst (a fast typist, a paste, a slow frame) keys could
so act out of order: `L v v t` opened the tags dialog before `L v v` reached the list, and those
keys were then spent on the dialog; `ctrl+u` after letters in the search box cleared letters
typed after it.

So a key waits while an earlier key that meets a binding is still on its way (its binding may
move the focus, open a dialog or change the text), and a priority key waits for every earlier
key. A key is known to be handled once a message sent after it along the same path arrives (a
widget's queue keeps its order, and the message bubbles the way the key does). Letters typed
into the search box meet no binding: they go on at once, one behind the other in the box's own
queue, as fast as before (waiting for each to come back up cost 70 ms a key under load).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from typing import NamedTuple

from textual import events
from textual.message import Message
from textual.message_pump import MessagePump


class KeyHandled(Message):
    """Sent to the widget a key went to, right after it: arriving at the app, the key is done."""

    def __init__(self, serial: int) -> None:
        super().__init__()
        self.serial = serial


class Binds(NamedTuple):
    """What a key meets where it would go now: a binding at all, and a priority one."""

    bound: bool
    priority: bool


class KeyOrder:
    """The keys held back until the keys before them are handled, and those on their way."""

    def __init__(self, binds: Callable[[events.Event], Binds]) -> None:
        self.held: deque[events.Event] = deque()
        self._binds = binds
        self._serial = 0
        self._flight: dict[int, tuple[MessagePump, bool]] = {}  # serial -> (where it went, bound)

    def _must_wait(self, event: events.Event) -> bool:
        # A widget removed with a key still in its queue (a dialog closing) never answers.
        for serial, (target, _) in list(self._flight.items()):
            if not target.is_attached:
                del self._flight[serial]
        if not self._flight:
            return False
        if any(bound for _, bound in self._flight.values()):
            return True
        return self._binds(event).priority

    def hold(self, event: events.Event) -> bool:
        """True when `event` must wait (it is kept, in order); False: route it now."""
        if self.held or self._must_wait(event):
            self.held.append(event)
            return True
        return False

    def sent(self, event: events.Event, target: MessagePump) -> None:
        """`event` went to `target`: the message posted after it says when it is handled."""
        self._serial += 1
        self._flight[self._serial] = (target, self._binds(event).bound)
        target.post_message(KeyHandled(self._serial))

    def handled(self, serial: int) -> None:
        self._flight.pop(serial, None)

    def release(self) -> Iterator[events.Event]:
        """The held keys to route now, in order, until one of them must wait again."""
        while self.held and not self._must_wait(self.held[0]):
            yield self.held.popleft()
