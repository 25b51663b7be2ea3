"""A yes/no question in a modal."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from paperbrowse.tui.keys import bindings
from paperbrowse.tui.labels import language_of, tr


class Confirm(ModalScreen[bool]):
    BINDINGS = bindings("confirm")

    def __init__(self, question: str, yes: str = "", no: str = "") -> None:
        """`question` and the answers as shown (in the app's language); "": Yes and No."""
        super().__init__(classes="dialog-screen")
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        language = language_of(self)
        yes, no = self.yes or tr("Yes", language), self.no or tr("No", language)
        with Vertical(classes="dialog"):
            yield Label(self.question, markup=False, classes="dialog-question")
            with Horizontal(classes="buttons"):
                yield Button(tr("{answer} (y)", language, answer=yes), id="yes", variant="error")
                yield Button(tr("{answer} (n)", language, answer=no), id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
