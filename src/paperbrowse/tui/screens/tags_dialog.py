"""Editing the user's own tags of a paper: one line, comma- or space-separated."""

from __future__ import annotations

import re

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from paperbrowse.core.records.safe_text import one_line
from paperbrowse.tui.keys import bindings
from paperbrowse.tui.screens.typeahead import keep_typed_ahead


def split_tags(text: str) -> list[str]:
    return [t.lstrip("#") for t in re.split(r"[,\s]+", text) if t.lstrip("#")]


class TagsDialog(ModalScreen[list[str] | None]):
    BINDINGS = bindings("dialog")

    def __init__(self, title: str, tags: list[str], record_tags: list[str]) -> None:
        super().__init__(classes="dialog-screen")
        self.paper_title, self.tags, self.record_tags = title, tags, record_tags

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Your tags · {one_line(self.paper_title)}", markup=False, classes="dialog-title")
            if self.record_tags:
                yield Label(
                    "The record's own: " + one_line(" ".join(f"#{t}" for t in self.record_tags)),
                    markup=False,
                    classes="dialog-hint",
                )
            yield Input(self.shown, placeholder="to-read reproduce, thesis", id="tags-input")
            yield Label("enter save · escape cancel · separate with spaces or commas", classes="dialog-hint")

    def on_key(self, event: events.Key) -> None:
        keep_typed_ahead(event, self.query_one(Input).insert_text_at_cursor)

    @property
    def shown(self) -> str:
        """The tags as the input shows them: control characters made visible, never obeyed."""
        return one_line(" ".join(self.tags))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(None if event.value == self.shown else split_tags(event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
