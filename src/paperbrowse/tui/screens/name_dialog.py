"""Asking a saved search's name: to save the search (`ctrl+s`) or to rename one (`r` in the tree).

The name is checked here, as the core checks it, so that a bad one is told in the dialog and can
be corrected; whether the name is taken is the screen's question, asked after.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from paperbrowse.core.library.saved_searches import NAME_LIMIT, SavedSearchError, check_name, sentence
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.tui.keys import bindings
from paperbrowse.tui.labels import language_of, tr
from paperbrowse.tui.screens.typeahead import keep_typed_ahead


class NameDialog(ModalScreen[str | None]):
    BINDINGS = bindings("dialog")
    DEFAULT_CSS = "NameDialog #name-error { color: $error; }"

    def __init__(self, title: str, query: str, name: str) -> None:
        super().__init__(classes="dialog-screen")
        self.dialog_title, self.search_query, self.suggested = title, query, name

    def compose(self) -> ComposeResult:
        language = language_of(self)
        with Vertical(classes="dialog"):
            yield Label(tr(self.dialog_title, language), markup=False, classes="dialog-title")
            query = tr("Query: {query}", language, query=one_line(self.search_query))
            yield Label(query, markup=False, classes="dialog-hint", id="query")
            # Prefilled and selected: enter keeps it, typing replaces it.
            yield Input(
                one_line(self.suggested)[:NAME_LIMIT],
                placeholder=tr("a name for this search", language),
                max_length=NAME_LIMIT,
                id="name-input",
            )
            error = Label("", id="name-error", markup=False)
            error.display = False  # shown with the first name refused
            yield error
            yield Label(tr("enter save · escape cancel", language), classes="dialog-hint")

    def on_key(self, event: events.Key) -> None:
        keep_typed_ahead(event, self.query_one(Input).insert_text_at_cursor)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            name = check_name(event.value)
        except SavedSearchError as err:
            error = self.query_one("#name-error", Label)
            error.update(sentence(str(err)))
            error.display = True
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)
