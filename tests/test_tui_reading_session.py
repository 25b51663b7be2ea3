"""A reading session that flows (issue 15): the list names its scope, back returns from every
jump, the search keeps a history, and vim's keys work in the tree, the list, the details, help."""

from __future__ import annotations

from pathlib import Path

from textual.containers import VerticalScroll

from paperbrowse.core.library.user_library import Library
from paperbrowse.tui.screens.help import HelpScreen
from paperbrowse.tui.widgets.category_tree import CategoryTree
from paperbrowse.tui.widgets.detail_pane import DetailPane
from paperbrowse.tui.widgets.search_box import SearchBox
from tui_support import SHIPPED_COUNT, burst, make_app, plain, plist, run, settle


def header(app) -> str:
    return plain(app.screen.query_one("#count"))


def current(app) -> str:
    paper = plist(app).current
    return paper.id if paper else ""


def started_on(tmp_path: Path, **state: str):
    library = tmp_path / "library.toml"
    if state:
        saved = Library.load(library)
        saved.set_state(**state)
        saved.save()
    return make_app(None, library)


def test_the_header_names_the_node_and_the_query_and_A_searches_everywhere(tmp_path: Path) -> None:
    app = started_on(tmp_path, category="cat:agents")  # a node restored silently, before

    async def scenario(pilot) -> None:
        assert header(app).startswith("Agents and tools · ")
        await pilot.press("slash")
        await burst(pilot, *"decoding", "enter")
        assert header(app).startswith(f"Agents and tools · decoding · 0 of {SHIPPED_COUNT} papers")
        assert "A: search all papers" in header(app)
        await pilot.press("A")
        await settle(pilot)
        assert app.screen.node.key == "all" and app.screen.query_one(CategoryTree).cursor_node.data.key == "all"
        assert header(app).startswith("decoding · ") and not header(app).startswith("decoding · 0 ")
        await pilot.press("backspace")  # and back to the node it was in
        await settle(pilot)
        assert header(app).startswith("Agents and tools · decoding · 0 of")

    run(app, scenario)


def test_back_and_forward_over_a_followed_link(tmp_path: Path) -> None:
    app = started_on(tmp_path, selected="llama")

    async def scenario(pilot) -> None:
        await pilot.press("slash")
        await burst(pilot, *"llama", "enter")
        assert plist(app).papers and current(app)
        before = current(app)
        app.screen.select_paper("flm-101b")  # what 1-9 and a click on a link do
        await settle(pilot)
        assert current(app) == "flm-101b" and app.screen.search_box.value == ""
        await pilot.press("backspace")
        await settle(pilot)
        assert (app.screen.search_box.value, current(app)) == ("llama", before)
        await pilot.press("alt+right")
        await settle(pilot)
        assert (app.screen.search_box.value, current(app)) == ("", "flm-101b")
        await pilot.press("ctrl+o")  # the other back key
        await settle(pilot)
        assert app.screen.search_box.value == "llama"
        await pilot.press("ctrl+o")  # back before the search
        await settle(pilot)
        assert (app.screen.search_box.value, current(app)) == ("", "llama")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert any("Nothing to go back to" in n.message for n in app._notifications)

    run(app, scenario)


def test_a_node_chosen_in_the_tree_is_a_jump_too(tmp_path: Path) -> None:
    app = started_on(tmp_path)

    async def scenario(pilot) -> None:
        await pilot.press("c")  # the tree takes the focus, wide or narrow
        await settle(pilot)
        tree = app.screen.query_one(CategoryTree)
        assert app.focused is tree
        await pilot.press("G")
        await settle(pilot)
        assert tree.cursor_line == tree.last_line > 4
        await pilot.press("g")
        await pilot.press("j", "j", "j", "j")  # down to a category
        await settle(pilot)
        chosen = tree.cursor_node.data.key
        assert chosen != "all"
        await pilot.press("enter")  # its papers, in the list
        await settle(pilot)
        assert app.focused is plist(app) and app.screen.node.key == chosen
        assert header(app).startswith(tree.cursor_node.data.label)
        await pilot.press("backspace")
        await settle(pilot)
        assert app.screen.node.key == "all" and len(plist(app).papers) == SHIPPED_COUNT

    run(app, scenario)


def test_c_on_a_narrow_terminal_shows_and_focuses_the_tree_and_enter_brings_the_list_back(tmp_path: Path) -> None:
    app = started_on(tmp_path)

    async def scenario(pilot) -> None:
        tree = app.screen.query_one(CategoryTree)
        await pilot.press("c")
        await settle(pilot)
        assert app.focused is tree and tree.region.width > 0
        await pilot.press("j", "enter")
        await settle(pilot)
        assert app.focused is plist(app) and tree.region.width == 0
        assert app.screen.node.key == "starred"

    run(app, scenario, size=(80, 24))


def test_the_search_history_goes_back_and_forth_and_lasts(tmp_path: Path) -> None:
    app = started_on(tmp_path)

    async def scenario(pilot) -> None:
        for query in ("dpo", "moe"):
            await pilot.press("slash", "ctrl+u")
            await burst(pilot, *query, "enter")
        await pilot.press("slash", "ctrl+u")
        await burst(pilot, *"dra")
        box = app.screen.query_one(SearchBox)
        await pilot.press("up")
        assert box.value == "moe"
        await pilot.press("up", "up")
        assert box.value == "dpo"  # the oldest stays
        await pilot.press("down")
        assert box.value == "moe"
        await pilot.press("down")
        assert box.value == "dra" and app.focused is box  # the draft comes back
        await pilot.press("down")
        assert app.focused is plist(app)  # then the results
        await pilot.press("q")

    run(app, scenario)
    again = make_app(None, tmp_path / "library.toml")

    async def restarted(pilot) -> None:
        await pilot.press("slash", "ctrl+u", "up")
        assert again.screen.query_one(SearchBox).value == "dra"  # leaving for the results kept it too

    run(again, restarted)


def test_ctrl_n_and_ctrl_p_move_the_results_from_the_search_and_up_at_the_top_returns(tmp_path: Path) -> None:
    app = started_on(tmp_path)

    async def scenario(pilot) -> None:
        await pilot.press("slash")
        await burst(pilot, *"model")
        first = current(app)
        await pilot.press("ctrl+n", "ctrl+j")
        await settle(pilot)
        assert plist(app).cursor == 2 and isinstance(app.focused, SearchBox)
        await pilot.press("ctrl+k")
        await settle(pilot)
        assert plist(app).cursor == 1
        await pilot.press("enter")
        await pilot.press("k")
        assert current(app) == first and app.focused is plist(app)
        await pilot.press("up")  # at the top: back to the search
        assert isinstance(app.focused, SearchBox)

    run(app, scenario)


def test_half_pages_and_the_ends_in_the_list_the_details_and_help(tmp_path: Path) -> None:
    app = started_on(tmp_path)

    async def scenario(pilot) -> None:
        papers = plist(app)
        half = papers.scrollable_content_region.height // 2
        await pilot.press("ctrl+d")
        assert papers.cursor == half
        await pilot.press("ctrl+u")
        assert papers.cursor == 0
        await pilot.press("enter")  # into the details
        detail = app.screen.query_one(DetailPane)
        assert app.focused is detail
        await pilot.press("G")
        await settle(pilot)
        assert detail.scroll_y == detail.max_scroll_y > 0
        await pilot.press("g")
        await settle(pilot)
        assert detail.scroll_y == 0
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert detail.scroll_y > 0
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        scroll = app.screen.query_one(VerticalScroll)
        assert scroll.max_scroll_y > 0  # the last section is below the fold
        await pilot.press("j", "j")
        await settle(pilot)
        assert scroll.scroll_y == 2
        await pilot.press("G")
        await settle(pilot)
        assert scroll.scroll_y == scroll.max_scroll_y
        await pilot.press("k")
        await settle(pilot)
        assert scroll.scroll_y == scroll.max_scroll_y - 1

    run(app, scenario, size=(100, 30))


def test_export_takes_two_keys_and_remembers_the_format_and_folder(tmp_path: Path, monkeypatch) -> None:
    from textual.widgets import RadioButton

    from paperbrowse.tui.screens.export_dialog import ExportDialog

    documents = tmp_path / "Documents"
    documents.mkdir()
    monkeypatch.setattr("platformdirs.user_documents_dir", lambda: str(documents))
    app = started_on(tmp_path)
    elsewhere = tmp_path / "reading"
    elsewhere.mkdir()

    async def scenario(pilot) -> None:
        await pilot.press("s", "e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        path = dialog.query_one("#export-path")
        assert path.value == str(documents / "paperbrowse-starred.md")  # never the current folder
        next(button for button in dialog.query(RadioButton) if button.name == "bibtex").value = True
        await settle(pilot)
        path.value = str(elsewhere / "mine.bib")
        path.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert (elsewhere / "mine.bib").read_text(encoding="utf-8").startswith("@")
        await pilot.press("e")  # the next time: the same format and folder, enter exports
        await settle(pilot)
        again = app.screen.query_one("#export-path").value
        assert again == str(elsewhere / "paperbrowse-starred.bib")

    run(app, scenario)


def test_saving_tags_keeps_the_tags_node_open(tmp_path: Path) -> None:
    app = started_on(tmp_path)

    async def scenario(pilot) -> None:
        tree = app.screen.query_one(CategoryTree)
        [tags] = [node for node in tree.root.children if str(node.label) == "Tags"]
        tags.expand()  # what l or → on it does
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await burst(pilot, *"mine", "enter")
        await settle(pilot)
        [tags] = [node for node in tree.root.children if str(node.label) == "Tags"]
        assert tags.is_expanded and any(str(child.label).startswith("#mine") for child in tags.children)

    run(app, scenario)


def test_back_after_a_search_typed_in_one_burst(tmp_path: Path) -> None:
    """From a real terminal "/dec⏎" arrives at once, the search's focus event after the letters:
    the place to go back to is taken when `/` is pressed, before them."""
    app = started_on(tmp_path)

    async def scenario(pilot) -> None:
        await burst(pilot, "slash", *"dec", "enter")
        assert app.screen.search_box.value == "dec"
        await pilot.press("backspace")
        await settle(pilot)
        assert app.screen.search_box.value == ""

    run(app, scenario)
