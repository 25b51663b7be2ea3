"""Asking for the path of a PDF to attach to a paper, and whether to copy or link it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label

from paperbrowse.core.records.safe_text import one_line
from paperbrowse.tui.keys import bindings
from paperbrowse.tui.labels import language_of, tr


@dataclass(frozen=True, slots=True)
class AttachChoice:
    path: Path
    link: bool  # record where it is instead of copying it into pdfs/


class AttachDialog(ModalScreen[AttachChoice | None]):
    BINDINGS = bindings("dialog")

    def __init__(self, title: str) -> None:
        super().__init__(classes="dialog-screen")
        self.paper_title = title

    def compose(self) -> ComposeResult:
        language = language_of(self)
        with Vertical(classes="dialog", id="attach-dialog"):
            title = tr("Attach a PDF to: {title}", language, title=one_line(self.paper_title)[:200])
            yield Label(Content(title), classes="dialog-title")
            yield Input(placeholder="path/to/paper.pdf", id="attach-path")
            link = tr("link it where it is (instead of copying it into pdfs/)", language)
            yield Checkbox(Content(link), id="attach-link")
            yield Label(tr("enter attach · escape cancel", language), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#attach-path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            link = self.query_one("#attach-link", Checkbox).value
            self.dismiss(AttachChoice(Path(event.value.strip()).expanduser(), link))

    def action_cancel(self) -> None:
        self.dismiss(None)
