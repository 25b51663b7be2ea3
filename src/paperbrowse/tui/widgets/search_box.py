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

from rich.cells import cell_len
from textual.message import Message
from textual.reactive import reactive
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

    @dataclass
    class Committed(Message):
        """The user left the box for the results with this query: worth keeping in the history."""

        value: str

    @dataclass
    class MoveResults(Message):
        """ctrl+n / ctrl+p: move the list's cursor by `step` while typing on."""

        step: int

    # What the empty box says, longest first: the longest that fits the box is shown.
    placeholders: reactive[tuple[str, ...]] = reactive((), init=False)

    def __init__(self, *, results: str, placeholders: tuple[str, ...] = (), id: str | None = None) -> None:
        """`results`: the id of the widget that enter, down and escape move the focus to."""
        # Coming back to the search refines the query: selecting it all would make the next
        # key replace it.
        super().__init__(
            placeholder=placeholders[0] if placeholders else "", id=id, select_on_focus=False, compact=True
        )
        self.set_reactive(SearchBox.placeholders, placeholders)
        self.results = results
        self._announced = ""  # the last text the screen was told of
        self.history: list[str] = []  # earlier queries, oldest first (the screen keeps them)
        self._at: int | None = None  # the history entry shown, while going through it
        self._draft = ""  # what was typed before going into the history

    def watch_placeholders(self) -> None:
        self._fit_placeholder()

    def on_resize(self) -> None:
        self._fit_placeholder()

    def _fit_placeholder(self) -> None:
        room = self.content_size.width
        fitting = [text for text in self.placeholders if cell_len(text) <= room]
        self.placeholder = fitting[0] if fitting else (self.placeholders[-1] if self.placeholders else "")

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
        self._at = None
        # Letters typed just before enter are still queued for this box: commit after them.
        self.call_later(self._commit)
        self.screen.set_focus(self._results())

    def _commit(self) -> None:
        if self.value.strip():
            self.post_message(self.Committed(self.value))

    def action_older(self) -> None:
        if not self.history:
            return
        if self._at is None:
            self._at, self._draft = len(self.history), self.value
        if self._at > 0:
            self._at -= 1
            self._show_entry(self.history[self._at])

    def action_newer_or_results(self) -> None:
        if self._at is None:
            self.action_to_results()
            return
        self._at += 1
        if self._at >= len(self.history):
            self._at = None
            self._show_entry(self._draft)
        else:
            self._show_entry(self.history[self._at])

    def _show_entry(self, text: str) -> None:
        self.value = text
        self.cursor_position = len(text)

    def action_move_results(self, step: int) -> None:
        self.post_message(self.MoveResults(step))

    def action_clear_search(self) -> None:
        self._at = None
        # Letters typed just before escape are still queued for this box: clear after them.
        self.call_later(setattr, self, "value", "")
        self.action_to_results()
