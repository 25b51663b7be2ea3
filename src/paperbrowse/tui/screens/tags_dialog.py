"""Editing the user's own tags of a paper: one line, the tags separated by commas.

A tag keeps its inner spaces and its `#` ("machine learning", "#1-priority"); one holding a comma
or starting with a quote is shown in double quotes. The dialog answers with the tags the user
added and removed, never with a whole list: applied to the tags as they are when it is saved, so
that a tag added meanwhile elsewhere stays.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from paperbrowse.core.records.safe_text import one_line
from paperbrowse.tui.keys import bindings
from paperbrowse.tui.labels import language_of, tr
from paperbrowse.tui.screens.typeahead import keep_typed_ahead


@dataclass(frozen=True)
class TagChanges:
    add: tuple[str, ...]
    remove: tuple[str, ...]


def split_tags(text: str) -> list[str]:
    """The tags of the dialog's line: comma-separated, each stripped; "a, b" quotes a comma."""
    try:
        fields = next(csv.reader([text], skipinitialspace=True), [])
    except csv.Error:  # a NUL pasted in: no quoting then
        fields = text.split(",")
    return [tag.strip() for tag in fields if tag.strip()]


def _quoted(tag: str) -> str:
    if "," in tag or tag.startswith('"'):
        return '"' + tag.replace('"', '""') + '"'
    return tag


def join_tags(tags: list[str]) -> str:
    return ", ".join(_quoted(tag) for tag in tags)


def tag_changes(opened: list[str], text: str) -> TagChanges:
    """What the user changed on the line `text`, relative to the tags the dialog `opened` with.

    A tag is compared as it was shown (control characters made visible): one left as shown is
    kept exactly as stored.
    """
    shown = [one_line(tag) for tag in opened]
    now = split_tags(text)
    return TagChanges(
        add=tuple(tag for tag in now if tag not in shown),
        remove=tuple(tag for tag, seen in zip(opened, shown, strict=True) if seen not in now),
    )


class TagsDialog(ModalScreen[TagChanges | None]):
    BINDINGS = bindings("dialog")

    def __init__(self, title: str, tags: list[str], record_tags: list[str], *, note: str = "") -> None:
        """`note`: a line saying how the tags apply (to many papers, say)."""
        super().__init__(classes="dialog-screen")
        self.paper_title, self.tags, self.record_tags, self.note = title, tags, record_tags, note

    def compose(self) -> ComposeResult:
        language = language_of(self)
        with Vertical(classes="dialog"):
            title = tr("Your tags · {title}", language, title=one_line(self.paper_title))
            yield Label(title, markup=False, classes="dialog-title")
            if self.record_tags:
                yield Label(
                    tr("The record's own: ", language) + one_line(" ".join(f"#{t}" for t in self.record_tags)),
                    markup=False,
                    classes="dialog-hint",
                )
            if self.note:
                yield Label(self.note, markup=False, classes="dialog-hint")
            # The cursor waits after the tags, nothing selected: a tag typed at once is added to
            # them, never typed over them.
            yield Input(
                self.shown,
                placeholder=tr("to-read, machine learning, thesis", language),
                id="tags-input",
                select_on_focus=False,
            )
            yield Label(tr("enter save · escape cancel · separate tags with commas", language), classes="dialog-hint")

    def on_key(self, event: events.Key) -> None:
        keep_typed_ahead(event, self.query_one(Input).insert_text_at_cursor)

    @property
    def shown(self) -> str:
        """The tags as the input shows them: control characters made visible, never obeyed."""
        return join_tags([one_line(tag) for tag in self.tags])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        changes = tag_changes(self.tags, event.value)
        self.dismiss(changes if changes.add or changes.remove else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
