"""Keys typed right after the key that opened a dialog, before its field has the focus.

Textual routes a key to the widget focused when it arrives: in a burst ("n" then "read…", or a
paste), the dialog's screen gets the first letters before its field does. They are given to the
field instead of being lost (the field stops the keys it gets itself, so none comes twice).
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events


def keep_typed_ahead(event: events.Key, insert: Callable[[str], object]) -> None:
    if event.is_printable and event.character:
        insert(event.character)
        event.stop()
