"""Text that fits: at 160x48, 80x24 and 60x20 nothing a user must read or type is cut without a
way to see it whole (issue 15, item 7). Each test reads what the terminal shows."""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len
from textual.widgets import Label

from paperbrowse.core.library.user_library import Library
from paperbrowse.tui.screens.tags_dialog import TagsDialog
from paperbrowse.tui.widgets.category_tree import CategoryTree
from tui_support import list_rows, make_app, plain, plist, run, settle, until

SIZES = [(160, 48), (80, 24), (60, 20)]


def screen_lines(app) -> list[str]:
    """What the terminal shows, line by line (the active screen, dialogs over the main one)."""
    return ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]


def shown_in(app, widget) -> str:
    """The text the terminal shows in `widget`'s region (English text: a character is a cell),
    its lines joined by spaces."""
    region = widget.region
    lines = screen_lines(app)[region.y : region.bottom]
    return " ".join(line[region.x : region.right].strip() for line in lines)


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_footer_never_cuts_a_key_and_always_shows_help_and_quit(tmp_path, size, language):
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        await until(pilot, lambda: "Quit" in screen_lines(app)[-1])
        if language == "zh":
            await pilot.press("L")
            await settle(pilot)
            await until(pilot, lambda: "退出" in screen_lines(app)[-1])
        footer = screen_lines(app)[-1]
        help_key, quit_key = ("? 帮助", "q 退出") if language == "zh" else ("? Help", "q Quit")
        assert help_key in footer and quit_key in footer
        keys = [k for k in app.screen.query("FooterKey") if k.display]
        for key in keys:  # each key shown is shown whole
            assert f"{key.key_display} {key.description}" in footer
        assert sum(key.outer_size.width for key in keys) <= size[0]
        if size[0] >= 160:
            assert len(keys) == 10  # the wide terminal keeps all nine keys and the palette's

    run(app, scenario, size=size)


def test_the_title_column_takes_the_room_there_is(tmp_path):
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        rows = list_rows(plist(app))
        # 52 characters: cut at 38 before; whole now, the year right after it.
        title = "Gemini: A Family of Highly Capable Multimodal Models"
        assert any(title in row for row in rows)
        widths = [cell_len(row.split("  20")[0]) for row in rows if "…" in row]
        assert widths and min(widths) >= 55  # a long title gets all but the year's cells

    run(app, scenario, size=(160, 48))


def test_a_long_tag_keeps_its_count_and_the_header_names_it_whole(tmp_path):
    library_path = tmp_path / "library.toml"
    library = Library.load(library_path)
    tag = "a-tag-far-longer-than-the-tree-is-wide"
    library.edit_tags("medusa", add=(tag,))
    library.save()
    app = make_app(None, library_path)

    async def scenario(pilot) -> None:
        tree = app.screen.query_one(CategoryTree)
        await pilot.press("c")
        tree.root.children[-1].expand()  # Tags
        await settle(pilot)
        tree.select_key(f"tag:{tag}")
        await settle(pilot)
        rows = [line[: tree.region.right] for line in screen_lines(app)]
        row = next(line for line in rows if "#a-tag-far" in line)
        assert re.search(r"#a-tag-far[^ ]*…  1 ", row), row  # the name cut, its count whole
        assert plain(app.screen.query_one("#count")).startswith(f"#{tag} · 1 of 26 papers")

    run(app, scenario, size=(160, 48))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_tags_dialogs_title_wraps_instead_of_being_cut(tmp_path, size):
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TagsDialog)
        title = app.screen.query_one(".dialog-title", Label)
        expected = "Your tags · Break the Sequential Dependency of LLM Inference Using Lookahead Decoding"
        assert words(shown_in(app, title)) == expected
        hint = app.screen.query(".dialog-hint").last()
        assert words(shown_in(app, hint)) == "enter save · escape cancel · separate tags with commas"

    run(app, scenario, size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_query_hint_is_shown_whole(tmp_path, size):
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        await pilot.press("slash", *"cat:nowhere")
        await settle(pilot)
        hint = app.screen.query_one("#hint", Label)
        text = plain(hint)
        assert text.startswith("⚠ unknown category 'nowhere' (known:") and len(text) > 60
        assert words(shown_in(app, hint)) == words(text)
        await pilot.press("ctrl+u")  # a query without a hint: the line goes
        await settle(pilot)
        assert not hint.display

    run(app, scenario, size=size)


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_search_placeholder_fits_its_box(tmp_path, size, language):
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        if language == "zh":
            await pilot.press("L")
            await settle(pilot)
        box = app.screen.query_one("#search")
        assert 0 < cell_len(box.placeholder) <= box.content_size.width
        assert "?" in box.placeholder or "is:starred" in box.placeholder  # the whole syntax, or where it is

    run(app, scenario, size=size)


def test_the_lists_header_names_node_query_count_and_order_in_one_narrow_line(tmp_path):
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        app.screen.query_one(CategoryTree).select_key("cat:inference")
        await settle(pilot)
        await pilot.press("slash", *"decoding", "enter", "S")
        await settle(pilot)
        count = app.screen.query_one("#count", Label)
        text = plain(count)
        assert re.fullmatch(r"Efficient inference · decoding · \d of 26 papers · by date", text), text
        assert cell_len(text) <= count.content_size.width
        assert words(shown_in(app, count)) == text

    run(app, scenario, size=(60, 20))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_header_names_the_collection_whole(tmp_path, size):
    """Where the collection and its count do not fit the header, it names the collection only
    (the list's header counts the papers)."""
    app = make_app(None, tmp_path / "library.toml", collection="2023 landmark AI papers · 26 papers")

    async def scenario(pilot) -> None:
        await until(pilot, lambda: "paperbrowse" in screen_lines(app)[0])
        header = screen_lines(app)[0]
        assert "…" not in header
        if size[0] >= 80:
            assert "paperbrowse — 2023 landmark AI papers · 26 papers" in header
        else:
            assert "paperbrowse — 2023 landmark AI papers" in header and "26 of 26 papers" in screen_lines(app)[2]

    run(app, scenario, size=size)
