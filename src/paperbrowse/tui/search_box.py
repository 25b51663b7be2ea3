"""The search input: enter or down goes to the results, escape clears and goes back.

Its keys are priority bindings and move focus at once: Textual routes each key to the widget
focused when the key arrives, so a focus change that waited for a message would send the next
keys of a fast typist (`/spec⏎s`) to the wrong place.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import Input


class SearchBox(Input):
    BINDINGS = [
        Binding("down,enter", "to_results", "Results", show=False, priority=True),
        Binding("escape", "clear_search", "Clear", tooltip="Clear the search and return to the list", priority=True),
    ]

    # Input sets its virtual size (the text's width) at each keystroke, and Widget's reactive
    # then lays out the whole screen: 4 ms a key at 100,000 papers, taken from the search
    # thread. This box is one line of fixed size without scrollbars: a repaint is enough,
    # and scrolling to the cursor reads the new size directly.
    virtual_size = Reactive(Size(0, 0), layout=False)

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        # Coming back to the search refines the query: selecting it all would make the next
        # key replace it.
        super().__init__(placeholder=placeholder, id=id, select_on_focus=False)
        self.results: Widget | None = None  # where enter, down and escape send the focus
        # Called for each change, here rather than where the message would bubble to: each
        # hop up the DOM is a turn of the event loop, 1 ms a keystroke spent before searching.
        self.on_change: Callable[[], object] | None = None

    def _on_input_changed(self, event: Input.Changed) -> None:
        if self.on_change is not None and event.input is self:
            event.stop()
            self.on_change()

    def action_to_results(self) -> None:
        if self.results is not None:
            self.screen.set_focus(self.results)

    def action_clear_search(self) -> None:
        # Letters typed just before escape are still queued for this box: clear after them.
        self.call_later(setattr, self, "value", "")
        self.action_to_results()
