"""The `?` screen: every key, grouped the way a reading session uses them (from `tui.keys`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Label, Static

from paperbrowse.tui.keys import bindings, help_groups


def _rows(rows: Iterable[tuple[str, str]]) -> Iterator[Widget]:
    """Keys and what they do in two columns: a long line wraps under its own column."""
    for keys, text in rows:  # Content, never markup: a keymap's ids come from a file
        yield Horizontal(
            Static(Content.styled("  " + keys, "bold"), classes="help-keys"),
            Static(Content(text), classes="help-text"),
            classes="help-row",
        )


class HelpScreen(ModalScreen[None]):
    BINDINGS = bindings("help")
    DEFAULT_CSS = """
    HelpScreen #help-dialog VerticalScroll {
        overflow-y: scroll;  /* the bar shows there is more below the fold */
    }
    HelpScreen .help-group {
        margin-top: 1;
    }
    HelpScreen .help-group:first-child {
        margin-top: 0;
    }
    HelpScreen .help-row {
        height: auto;
    }
    HelpScreen .help-keys {
        width: 20;
    }
    HelpScreen .help-text {
        width: 1fr;
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
                    yield Static(Content.styled(group, "bold $accent"), classes="help-group")
                    yield from _rows((key.written(), key.help) for key in keys)
                if self.keymap:
                    title = "Your keys (config.toml), instead of those above"
                    yield Static(Content.styled(title, "bold $accent"), classes="help-group")
                    yield from _rows((bound.replace(",", " "), binding_id) for binding_id, bound in self.keymap.items())
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
