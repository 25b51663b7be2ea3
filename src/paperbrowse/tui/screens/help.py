"""The `?` screen: every key, grouped the way a reading session uses them (from `tui.keys`)."""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from paperbrowse.tui.keys import bindings, help_groups


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
                    parts: list[str | tuple[str, str]] = [(group, "bold $accent"), "\n"]
                    for key in keys:
                        parts += [(f"  {key.written():<17}", "bold"), key.help, "\n"]
                    yield Static(Content.assemble(*parts))
                if self.keymap:
                    parts = [("Your keys (config.toml), instead of those above", "bold $accent"), "\n"]
                    for binding_id, bound in self.keymap.items():
                        parts += [(f"  {bound.replace(',', ' '):<17}", "bold"), binding_id, "\n"]
                    yield Static(Content.assemble(*parts))
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
