"""The `?` screen: every key, grouped the way a reading session uses them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Moving",
        [
            ("/", "search (fzf syntax: 'exact ^prefix suffix$ !not a|b, cat: tag: year: is: has:)"),
            ("enter / ↓", "from the search: go to the results"),
            ("escape", "in the search: clear it and return to the list"),
            ("j k ↑ ↓", "move in the list (j k also scroll the details)"),
            ("g G", "first / last paper"),
            ("pageup pagedown", "a page up / down"),
            ("tab shift+tab", "next / previous pane"),
            ("enter", "on a paper: move into its details to scroll them"),
            ("c", "show or hide the category tree (narrow terminals)"),
        ],
    ),
    (
        "Reading",
        [
            ("s", "star / unstar"),
            ("r", "cycle reading status: unread → reading → read"),
            ("] [", "next / previous unread paper in the list"),
            ("n", "edit the note (ctrl+s saves, escape asks before discarding)"),
            ("t", "edit your tags"),
            ("o", "open the paper's link in the browser (marks it reading)"),
            ("y", "copy its BibTeX to the clipboard"),
            ("e", "export the starred list (Markdown, BibTeX, CSV, JSON)"),
            ("L", "summaries in English / Chinese"),
            ("R", "find related papers (automatic up to 20,000 papers)"),
        ],
    ),
    (
        "Growing the collection",
        [
            ("a", "add a paper: an arXiv id or link, or title, authors, year, category by hand"),
            ("1 … 5", "go to a related paper (the details list the five nearest)"),
            ("6 … 9", "follow a builds-on / built-on-by link (or click any link)"),
        ],
    ),
    (
        "App",
        [
            ("?", "this help"),
            ("!", "problems found in the data"),
            ("ctrl+p", "command palette (every action, themes)"),
            ("q ctrl+q", "quit"),
        ],
    ),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="help-dialog"):
            yield Label("paperbrowse keys", classes="dialog-title")
            with VerticalScroll():
                for group, keys in KEYS:
                    parts: list = [(group, "bold $accent"), "\n"]
                    for key, text in keys:
                        parts += [(f"  {key:<17}", "bold"), text, "\n"]
                    yield Static(Content.assemble(*parts))
            yield Label("escape to close", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
