"""The problems found while loading the records: file, line and message, one per row."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList

from paperbrowse.core.records.problems import Problem
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.tui.keys import bindings
from paperbrowse.tui.labels import language_of, tr


class ProblemsScreen(ModalScreen[None]):
    BINDINGS = bindings("problems")

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(classes="dialog-screen")
        self.problems = problems

    def compose(self) -> ComposeResult:
        errors = sum(1 for p in self.problems if p.severity == "error")
        language = language_of(self)
        warnings = len(self.problems) - errors
        with Vertical(classes="dialog wide", id="problems-dialog"):
            yield Label(
                tr(
                    "Problems in the data · errors: {errors}, warnings: {warnings}",
                    language,
                    errors=errors,
                    warnings=warnings,
                ),
                classes="dialog-title",
            )
            if self.problems:
                yield OptionList(*(self._row(p) for p in self.problems), id="problems-list")
            else:
                yield Label(tr("No problems: every record loaded.", language), id="problems-none")
            yield Label(
                tr(
                    "Bad records are skipped; fix the file and it is read again within seconds. escape to close",
                    language,
                ),
                classes="dialog-hint",
            )

    @staticmethod
    def _row(problem: Problem) -> Content:
        style = "$error" if problem.severity == "error" else "$warning"
        return Content.assemble((one_line(problem.location()), style), "  ", one_line(problem.message))

    def action_close(self) -> None:
        self.dismiss(None)
