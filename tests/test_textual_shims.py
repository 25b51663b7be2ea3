"""Each workaround in `tui/textual_shims.py` is tested twice: that it works, and that Textual
still needs it. When a Textual release makes one unnecessary, the second test fails: drop the
workaround then."""

from __future__ import annotations

import asyncio

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.keys import key_to_character
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Label

from paperbrowse.tui.textual_shims import KEY_CHARACTERS, FooterKey, SearchInput, style_scrollbar_now


@pytest.mark.parametrize("key", sorted(KEY_CHARACTERS))
def test_textual_still_cannot_tell_these_keys_characters(key) -> None:
    assert key_to_character(key) is None, f"Textual knows {key!r} now: drop it from KEY_CHARACTERS"


@pytest.mark.parametrize("key", sorted(KEY_CHARACTERS))
def test_the_search_input_claims_them(key) -> None:
    assert SearchInput().check_consume_key(key, None)
    assert not Input().check_consume_key(key, None)  # what Textual does without the shim


class _Counting(App[None]):
    layouts = 0  # the screen's layouts so far


def _count_layouts(app: _Counting) -> None:
    layout = app.screen._refresh_layout

    def counted(*args, **kwargs):
        app.layouts += 1
        return layout(*args, **kwargs)

    app.screen._refresh_layout = counted  # type: ignore[method-assign]


class _Typing(_Counting):
    """An input, a label beside it, and a count of the screen's layouts."""

    def __init__(self, kind: type[Input]) -> None:
        super().__init__()
        self.kind = kind
        self.layouts = 0

    def compose(self) -> ComposeResult:
        yield self.kind(id="box")
        yield Label("beside it")

    def on_mount(self) -> None:
        _count_layouts(self)


async def _layouts_while_typing(kind: type[Input]) -> tuple[int, str]:
    app = _Typing(kind)
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        before = app.layouts
        await pilot.press(*"a query typed key by key")
        await pilot.pause()
        return app.layouts - before, app.query_one("#box", Input).value


def test_textual_still_lays_out_the_screen_for_each_key_typed_in_an_input() -> None:
    layouts, value = asyncio.run(_layouts_while_typing(Input))
    assert value == "a query typed key by key"
    assert layouts >= 10, "Textual no longer lays out per key: drop SearchInput's virtual_size"


def test_the_search_input_only_repaints() -> None:
    layouts, value = asyncio.run(_layouts_while_typing(SearchInput))
    assert value == "a query typed key by key"
    assert layouts <= 1


def test_textual_still_keeps_the_footers_key_widget_private() -> None:
    import textual.widgets

    assert not hasattr(textual.widgets, "FooterKey"), "Textual exports FooterKey now: import it from there"
    key = FooterKey("q", "q", "Quit", "quit")
    assert (key.key_display, key.description, key.action) == ("q", "Quit", "quit")  # what the footer reads


class _Scrolling(_Counting):
    """A scrolling list of lines and an input to move the focus to; with or without the shim."""

    def __init__(self, shim: bool) -> None:
        super().__init__()
        self.shim = shim
        self.layouts = 0

    def compose(self) -> ComposeResult:
        yield Input(id="box")
        yield _Lines(self.shim)

    def on_mount(self) -> None:
        _count_layouts(self)


class _Lines(ScrollView, can_focus=True):
    def __init__(self, shim: bool) -> None:
        super().__init__()
        self.shim = shim

    def on_mount(self) -> None:
        self.virtual_size = Size(10, 1000)
        if self.shim:
            style_scrollbar_now(self)

    def render_line(self, y: int) -> Strip:
        return Strip.blank(self.size.width)


async def _layouts_when_the_focus_comes(shim: bool) -> int:
    app = _Scrolling(shim)
    async with app.run_test(size=(40, 10)) as pilot:
        for _ in range(3):
            await pilot.pause()
        assert app.query_one(_Lines).show_vertical_scrollbar
        before = app.layouts
        app.query_one(_Lines).focus()  # the list's restyle styles its scrollbar, if not yet styled
        for _ in range(3):
            await pilot.pause()
        return app.layouts - before


def test_textual_still_lays_the_screen_out_when_it_first_styles_a_scrollbar() -> None:
    assert asyncio.run(_layouts_when_the_focus_comes(shim=False)) >= 1, (
        "Textual styles a scrollbar as it makes it now: drop style_scrollbar_now"
    )


def test_a_scrollbar_styled_on_mount_lays_nothing_out_when_the_focus_comes() -> None:
    assert asyncio.run(_layouts_when_the_focus_comes(shim=True)) == 0
