"""The `?` screen: every key, grouped the way a reading session uses them (from `tui.keys`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from paperbrowse.tui.keys import bindings, help_groups


def _table(rows: Iterable[tuple[str, str]]) -> Table:
    """Keys and what they do in two columns: a long line wraps under its own column."""
    table = Table.grid(padding=(0, 1, 0, 0))
    table.add_column(width=19, no_wrap=True, style="bold")
    table.add_column(ratio=1)
    for keys, text in rows:
        table.add_row(Text("  " + keys), Text(text))  # Text, never markup: keymap ids come from a file
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = bindings("help")
    DEFAULT_CSS = """
    HelpScreen #help-dialog VerticalScroll {
        overflow-y: scroll;  /* the bar shows there is more below the fold */
    }
    """

    def __init__(self, keymap: Mapping[str, str] | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.keymap = dict(keymap or {})  # config.toml's keys, which replace the defaults below

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="help-dialog"):
            yield Label("paperbrowse keys", classes="dialog-title")
            with VerticalScroll():
                for group, keys in help_groups():
                    yield Static(Content.styled(group, "bold $accent"))
                    yield Static(_table((key.written(), key.help) for key in keys))
                if self.keymap:
                    yield Static(Content.styled("Your keys (config.toml), instead of those above", "bold $accent"))
                    yield Static(
                        _table((bound.replace(",", " "), binding_id) for binding_id, bound in self.keymap.items())
                    )
            yield Label("j k space g G scroll · escape close", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)

    # The keys move the scrolling part, not the dialog around it.
    def action_scroll_down(self) -> None:
        self.query_one(VerticalScroll).scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.query_one(VerticalScroll).scroll_up(animate=False)

    def action_page_down(self) -> None:
        self.query_one(VerticalScroll).scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.query_one(VerticalScroll).scroll_page_up(animate=False)

    def action_scroll_home(self) -> None:
        self.query_one(VerticalScroll).scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.query_one(VerticalScroll).scroll_end(animate=False)
