"""Keys act in the order they were typed, however fast they come.

Textual routes a key the moment it reaches the app: a priority binding (`/`, `t`, `n`, `e`, `a`:
the keys that open a dialog or focus the search, so that what is typed next lands there) acts
at once, while any other key is queued at the focused widget and meets its bindings only once
it has bubbled back up to the app. In a burst (a fast typist, a paste, a slow frame) keys could
so act out of order: `L v v t` opened the tags dialog before `L v v` reached the list, and those
keys were then spent on the dialog; `ctrl+u` after letters in the search box cleared letters
typed after it.

Here the app routes one key at a time: a key is passed on only when the one before it has been
handled all the way up, which a message sent after it along the same path tells (a widget's
queue keeps its order, and the message bubbles the same way the key does).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from textual import events
from textual.message import Message
from textual.message_pump import MessagePump


class KeyHandled(Message):
    """Sent to the widget a key went to, right after it: arriving at the app, the key is done."""

    def __init__(self, serial: int) -> None:
        super().__init__()
        self.serial = serial


class KeyOrder:
    """The keys held back while an earlier one is still on its way, and which one that is."""

    def __init__(self) -> None:
        self.held: deque[events.Event] = deque()
        self._serial = 0
        self._waiting_on: MessagePump | None = None  # where the key in flight went

    def in_flight(self) -> bool:
        # A widget removed with the key still in its queue (a dialog closing) never answers.
        if self._waiting_on is not None and not self._waiting_on.is_attached:
            self._waiting_on = None
        return self._waiting_on is not None

    def hold(self, event: events.Event) -> bool:
        """True when `event` must wait (it is kept, in order); False: route it now."""
        if self.held or self.in_flight():
            self.held.append(event)
            return True
        return False

    def sent(self, target: MessagePump) -> None:
        """A key went to `target`: the next waits until the message posted after it comes back."""
        self._serial += 1
        self._waiting_on = target
        target.post_message(KeyHandled(self._serial))

    def handled(self, serial: int) -> None:
        if serial == self._serial:
            self._waiting_on = None

    def release(self) -> Iterator[events.Event]:
        """The held keys to route now, one by one, until one of them is in flight again."""
        while self.held and not self.in_flight():
            yield self.held.popleft()
