"""A screen born with its size classes, laid out again only when the size changes.

Textual gives a screen its breakpoint classes (`-narrow`/`-wide`, `-short`/`-tall`) when a
Resize reaches it, and at start that is after the first frame: the first frame was laid out
without them, then every widget was restyled and the screen laid out and drawn again. And the
terminal's size arrives more than once at start, each time the same (the app's own, the
driver's, and the app re-sends the one it kept when it goes idle): each one laid the whole
screen out again. Measured in tmux at 120x40: three Resizes of an unchanged size in the first
0.1 s after the first screen, 90-130 ms of the UI thread, while the first keys typed waited.
"""

from __future__ import annotations

from typing import Any

from textual import events, on
from textual.geometry import Size
from textual.screen import Screen


def size_classes(screen: Screen[Any], size: Size) -> dict[str, bool]:
    """The breakpoint classes `screen` has at `size`, as Textual gives them on a Resize: for
    each direction, the class of the widest breakpoint the size reaches."""
    app = screen.app
    horizontal = app.HORIZONTAL_BREAKPOINTS if screen.HORIZONTAL_BREAKPOINTS is None else screen.HORIZONTAL_BREAKPOINTS
    vertical = app.VERTICAL_BREAKPOINTS if screen.VERTICAL_BREAKPOINTS is None else screen.VERTICAL_BREAKPOINTS
    classes: dict[str, bool] = {}
    for breakpoints, length in ((horizontal or [], size.width), (vertical or [], size.height)):
        reached = [name for least, name in sorted(breakpoints) if length >= least]
        classes.update({name: name == (reached[-1] if reached else None) for _, name in breakpoints})
    return classes


class SteadySize(Screen[None]):
    """Mixed into a screen before Textual's Screen: its size classes set before its first
    frame, and a Resize to the size it is already laid out at, with the classes that size
    gives, dropped."""

    def __init__(self) -> None:
        super().__init__()
        # No widget exists yet: the classes cost nothing now, and the first frame has them.
        self.update_classes(size_classes(self, self.app.size), update=False)

    @on(events.Resize)
    def drop_unchanged_size(self, event: events.Resize) -> None:
        classes = size_classes(self, event.size)
        unchanged = all(self.has_class(name) == present for name, present in classes.items())
        if event.size == self.size and unchanged:
            event.prevent_default()  # Textual's handler would lay the same screen out again
