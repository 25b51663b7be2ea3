"""The bar a PDF download shows at the bottom of the screen while it runs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label, ProgressBar

from paperbrowse.core.records.safe_text import one_line


class PdfProgress(Horizontal):
    DEFAULT_CSS = """
    PdfProgress {
        dock: bottom;
        height: 1;
        margin-bottom: 1;
        background: $panel;
    }
    PdfProgress Label {
        width: auto;
        padding: 0 1;
    }
    """

    def __init__(self, paper_id: str) -> None:
        super().__init__(id="pdf-progress")
        self.paper_id = paper_id

    def compose(self) -> ComposeResult:
        yield Label(Content(f"PDF of {one_line(self.paper_id)[:60]}"), id="pdf-progress-what")
        yield ProgressBar(total=None, show_eta=False, id="pdf-progress-bar")
        yield Label("", id="pdf-progress-size")

    def advance_to(self, done: int, total: int | None) -> None:
        # Progress may come before the bar's parts are mounted: then the next report shows it.
        for bar in self.query(ProgressBar):
            if total:
                bar.update(total=total, progress=done)
        size = f"{done / 2**20:.1f} MB" + (f" of {total / 2**20:.1f} MB" if total else "")
        for label in self.query("#pdf-progress-size").results(Label):
            label.update(Content(size))
