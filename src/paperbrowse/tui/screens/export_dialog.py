"""Choosing what to export (the starred list, or the marked papers when there are marks), the
format and the file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, RadioButton, RadioSet

from paperbrowse.core.export import FORMATS
from paperbrowse.tui.keys import bindings
from paperbrowse.tui.labels import language_of, tr

EXTENSIONS = {
    "markdown": ".md",
    "bibtex": ".bib",
    "csl-json": ".csl.json",
    "ris": ".ris",
    "csv": ".csv",
    "json": ".json",
}


@dataclass(frozen=True, slots=True)
class ExportChoice:
    format: str
    path: Path
    marked: bool = False  # the marked papers rather than the starred list


class ExportDialog(ModalScreen[ExportChoice | None]):
    BINDINGS = bindings("dialog")

    def __init__(self, folder: Path, count: int, format: str = FORMATS[0], *, marked: int = 0) -> None:
        """`count` starred papers; `marked` papers marked, offered (and chosen) when there are any."""
        super().__init__(classes="dialog-screen")
        self.folder = folder
        self.count = count
        self.marked = marked
        self.format = format if format in FORMATS else FORMATS[0]

    def compose(self) -> ComposeResult:
        language = language_of(self)
        with Vertical(classes="dialog", id="export-dialog"):
            if self.marked:  # the choice is the title: the dialog keeps its height
                with RadioSet(id="export-what"):
                    yield RadioButton(
                        tr("the marked papers ({count})", language, count=self.marked), value=True, name="marked"
                    )
                    yield RadioButton(tr("the starred list ({count})", language, count=self.count), name="starred")
            else:
                title = (
                    tr("Export the starred list (1 paper)", language)
                    if self.count == 1
                    else tr("Export the starred list ({count} papers)", language, count=self.count)
                )
                yield Label(title, classes="dialog-title")
            with RadioSet(id="export-format"):
                for name in FORMATS:
                    yield RadioButton(name, value=name == self.format, name=name)
            stem = "paperbrowse-marked" if self.marked else "paperbrowse-starred"
            yield Input(str(self.folder / f"{stem}{EXTENSIONS[self.format]}"), id="export-path")
            yield Label(tr("enter export · tab: what and format · escape cancel", language), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        path_input = self.query_one("#export-path", Input)
        text = path_input.value or "paperbrowse-starred"
        # The longest known extension first: `.csl.json` is not `.json` with a stem ending `.csl`.
        for extension in sorted(EXTENSIONS.values(), key=len, reverse=True):
            if text.endswith(extension):
                text = text[: -len(extension)]
                break
        # The file's default name follows what is exported; a name the user typed stays.
        name = Path(text).name
        if name in ("paperbrowse-marked", "paperbrowse-starred"):
            text = text[: -len(name)] + ("paperbrowse-marked" if self._marked() else "paperbrowse-starred")
        path_input.value = text + EXTENSIONS.get(self._format(), "")

    def _format(self) -> str:
        pressed = self.query_one("#export-format", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else FORMATS[0]

    def _marked(self) -> bool:
        if not self.marked:
            return False
        pressed = self.query_one("#export-what", RadioSet).pressed_button
        return pressed is not None and pressed.name == "marked"

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(ExportChoice(self._format(), Path(event.value.strip()).expanduser(), self._marked()))

    def action_cancel(self) -> None:
        self.dismiss(None)
