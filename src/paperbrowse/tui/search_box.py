"""The search input: enter or down goes to the results, escape clears and goes back.

Its keys are priority bindings and move focus at once: Textual routes each key to the widget
focused when the key arrives, so a focus change that waited for a message would send the next
keys of a fast typist (`/spec⏎s`) to the wrong place.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input


class SearchBox(Input):
    BINDINGS = [
        Binding("down,enter", "to_results", "Results", show=False, priority=True),
        Binding("escape", "clear_search", "Clear", tooltip="Clear the search and return to the list", priority=True),
    ]

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        # Coming back to the search refines the query: selecting it all would make the next
        # key replace it.
        super().__init__(placeholder=placeholder, id=id, select_on_focus=False)
        self.results: Widget | None = None  # where enter, down and escape send the focus

    def action_to_results(self) -> None:
        if self.results is not None:
            self.screen.set_focus(self.results)

    def action_clear_search(self) -> None:
        # Letters typed just before escape are still queued for this box: clear after them.
        self.call_later(setattr, self, "value", "")
        self.action_to_results()
