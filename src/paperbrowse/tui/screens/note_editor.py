"""The note editor: a modal Markdown text area. ctrl+s saves; escape asks before discarding."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

from paperbrowse.core.records.safe_text import one_line, visible
from paperbrowse.tui.keys import bindings
from paperbrowse.tui.labels import language_of, tr
from paperbrowse.tui.screens.confirm import Confirm
from paperbrowse.tui.screens.typeahead import keep_typed_ahead


class NoteEditor(ModalScreen[str | None]):
    """Dismisses with the new text, or None when the user leaves without saving."""

    BINDINGS = bindings("note")

    def __init__(self, title: str, text: str, *, draft: str | None = None) -> None:
        """`text`: the note as stored; `draft`: what to edit instead (a text not kept yet)."""
        super().__init__(classes="dialog-screen")
        self.paper_title = title
        # Control and bidi characters are shown as escapes (\e, <U+202E>), never sent to the
        # terminal; a note saved from here keeps what was shown.
        self.original = visible(text)
        self.draft = self.original if draft is None else draft

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="note-dialog"):
            language = language_of(self)
            yield Label(
                tr("Note · {title}", language, title=one_line(self.paper_title)), markup=False, classes="dialog-title"
            )
            area = TextArea(self.draft, id="note-text", soft_wrap=True, show_line_numbers=False, tab_behavior="indent")
            if "markdown" in area.available_languages:  # the grammar's wheel may be missing
                area.language = "markdown"
            yield area
            yield Label(tr("ctrl+s save · escape cancel · Markdown", language), classes="dialog-hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def on_key(self, event: events.Key) -> None:
        keep_typed_ahead(event, self.query_one(TextArea).insert)

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def action_save(self) -> None:
        if self.text == self.original:
            self.dismiss(None)  # unchanged: the stored note (control characters and all) stays
            return
        self.dismiss(self.text)

    def action_cancel(self) -> None:
        if self.text == self.original:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        language = language_of(self)
        question = tr("Discard the changes to this note?", language)
        self.app.push_screen(Confirm(question, tr("Discard", language), tr("Keep editing", language)), answered)
