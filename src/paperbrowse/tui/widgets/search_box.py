"""The search input: enter or down goes to the results, escape clears and goes back.

Those keys move the focus at once (priority bindings), because Textual routes each key to the
widget focused when it arrives: a focus change that waited for a message would send the next
keys of a fast typist (`/spec⏎s`) to the wrong place.

Each change of the query is posted to the screen as `QueryChanged`, straight from the change:
Input's own `Changed` first goes through the box's queue and then bubbles through two
containers, a turn of the event loop each, and the list's update then missed the frame that
echoes the letter (keystroke to repainted list 25 ms before, 50 ms that way, at 10,000 papers).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.widget import Widget

from paperbrowse.tui.keys import bindings
from paperbrowse.tui.textual_shims import SearchInput


class SearchBox(SearchInput):
    DEFAULT_CSS = """
    SearchBox, SearchBox.-textual-compact {
        padding: 0 1;
        background: $boost;
    }
    SearchBox:focus {
        background: $primary 25%;
    }
    """
    BINDINGS = bindings("search")

    @dataclass
    class QueryChanged(Message):
        """The query's text changed (by the user, or a paper action clearing it)."""

        value: str

    def __init__(self, *, results: str, placeholder: str = "", id: str | None = None) -> None:
        """`results`: the id of the widget that enter, down and escape move the focus to."""
        # Coming back to the search refines the query: selecting it all would make the next
        # key replace it.
        super().__init__(placeholder=placeholder, id=id, select_on_focus=False, compact=True)
        self.results = results
        self._announced = ""  # the last text the screen was told of

    def restore(self, value: str) -> None:
        """Show a remembered query without announcing it: the screen searches it itself."""
        self._announced = value
        self.value = value

    def watch_value(self, value: str) -> None:
        if value != self._announced and self.is_mounted:
            self._announced = value
            self.screen.post_message(self.QueryChanged(value))

    def _results(self) -> Widget:
        return self.screen.query_one(f"#{self.results}")

    def action_to_results(self) -> None:
        self.screen.set_focus(self._results())

    def action_clear_search(self) -> None:
        # Letters typed just before escape are still queued for this box: clear after them.
        self.call_later(setattr, self, "value", "")
        self.action_to_results()
