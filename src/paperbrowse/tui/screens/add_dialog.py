"""Adding a paper: an arXiv id or URL, a DOI, or its title, authors, year and category by hand.

The dialog only checks what was typed; the main screen does the adding through the core
(the same `Adder` the `add` command uses), in a worker, since arXiv and Crossref are a network away.
"""

from __future__ import annotations

import datetime as dt
import re

from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.records.schema import Category
from paperbrowse.core.sources.arxiv_id import parse_arxiv_id
from paperbrowse.core.sources.doi import parse_doi
from paperbrowse.core.sources.papers_folder import INBOX, INBOX_CATEGORY
from paperbrowse.tui.add_worker import AddRequest
from paperbrowse.tui.keys import bindings
from paperbrowse.tui.labels import language_of, to_translate, tr


def split_authors(text: str) -> tuple[str, ...]:
    """`Ada Lovelace, Alan Turing`; with a `;` anywhere, `Lovelace, Ada; Turing, Alan`."""
    separator = ";" if ";" in text else ","
    return tuple(name for name in (" ".join(part.split()) for part in re.split(separator, text)) if name)


def category_options(catalog: Catalog, language: str = "en") -> list[tuple[str, str]]:
    """(label, id) in tree order, nested ones indented; the inbox first, made on first use.
    In Chinese, a category's Chinese name where it has one."""

    def name(category: Category) -> str:
        return one_line(category.name_zh if language == "zh" and category.name_zh else category.name)

    options = [("  " * depth + name(category), category.id) for depth, category in catalog.tree()]
    if INBOX not in catalog.categories:
        options.insert(0, (name(INBOX_CATEGORY), INBOX))
    return options


class AddDialog(ModalScreen[AddRequest | None]):
    BINDINGS = bindings("dialog")

    def __init__(self, catalog: Catalog) -> None:
        super().__init__(classes="dialog-screen")
        self.catalog = catalog

    def compose(self) -> ComposeResult:
        # Compact one-line fields in a label | field grid: the whole form fits an 80x24 terminal.
        self.options = category_options(self.catalog, language_of(self))
        inbox = INBOX if any(value == INBOX for _, value in self.options) else self.options[0][1]
        language = language_of(self)
        with Vertical(classes="dialog", id="add-dialog"):
            yield Label(tr("Add a paper", language), classes="dialog-title")
            with Grid(id="add-form"):
                yield Label(tr("arXiv/DOI", language))
                example = tr("2302.13971, an arXiv link, or a DOI 10.…", language)
                yield Input(placeholder=example, id="add-arxiv", compact=True)
                yield Label("")
                yield Label(tr("or by hand:", language), classes="add-or")
                yield Label(tr("Title", language))
                yield Input(placeholder=tr("the paper's title", language), id="add-title", compact=True)
                yield Label(tr("Authors", language))
                yield Input(placeholder=tr("Ada Lovelace, Alan Turing", language), id="add-authors", compact=True)
                yield Label(tr("Year", language))
                yield Input(placeholder="2024", id="add-year", max_length=4, restrict=r"[0-9]*", compact=True)
                yield Label(tr("Category", language))
                yield Select(self.options, value=inbox, allow_blank=False, id="add-category", compact=True)
            yield Label("", id="add-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(tr("Cancel", language), id="add-cancel", compact=True)
                yield Button(tr("Add", language), id="add-ok", variant="primary", compact=True)
            yield Label(tr("enter add · tab next field · escape cancel", language), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#add-arxiv", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "add-ok":
            self._submit()
        else:
            self.action_cancel()

    def _submit(self) -> None:
        request, problem = self.request()
        if request is None:
            error = self.query_one("#add-error", Label)
            error.update(tr(problem, language_of(self)))
            error.display = True
        else:
            self.dismiss(request)

    def request(self) -> tuple[AddRequest | None, str]:
        """What was asked for, or why it cannot be added as typed."""
        value = self.query_one("#add-category", Select).value
        category = value if isinstance(value, str) else INBOX
        arxiv = self.query_one("#add-arxiv", Input).value.strip()
        if arxiv:
            if parse_arxiv_id(arxiv) is None and parse_doi(arxiv) is None:
                return None, to_translate(
                    "Not an arXiv id or link, nor a DOI (like 2302.13971 or 10.1145/3292500.3330701)."
                )
            return AddRequest(category, arxiv=arxiv), ""
        title = " ".join(self.query_one("#add-title", Input).value.split())
        authors = split_authors(self.query_one("#add-authors", Input).value)
        year = self.query_one("#add-year", Input).value.strip()
        if not title:
            return None, to_translate("Give an arXiv id or a DOI, or at least a title, authors and a year.")
        if not authors:
            return None, to_translate("Name at least one author.")
        if not re.fullmatch(r"\d{4}", year) or not 1000 <= int(year) <= dt.date.today().year + 1:
            return None, to_translate("The year must have four digits.")
        return AddRequest(category, title=title, authors=authors, year=int(year)), ""

    def action_cancel(self) -> None:
        self.dismiss(None)
