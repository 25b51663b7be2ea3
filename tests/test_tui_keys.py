"""Pilot tests: every key of the README's "Using the browser" table, pressed for real.

Each test checks what the user sees (the list, the count, the details, the tree, dialogs,
notifications) and, for keys that change the library, what reached the library file.
"""

from __future__ import annotations

import json
import re
import time
import tomllib
from pathlib import Path

import bibtexparser
import pytest
from textual.widgets import Input, Markdown, OptionList, RadioSet, Static, TextArea
from textual.widgets.markdown import MarkdownBlock

from conftest import CATEGORIES_TOML, paper_toml, write_text
from paperbrowse.core.export import FORMATS
from paperbrowse.core.library.user_library import Library
from paperbrowse.tui.screens.confirm import Confirm
from paperbrowse.tui.screens.export_dialog import EXTENSIONS, ExportDialog
from paperbrowse.tui.screens.help import HelpScreen
from paperbrowse.tui.screens.main import MainScreen
from paperbrowse.tui.screens.note_editor import NoteEditor
from paperbrowse.tui.screens.problems import ProblemsScreen
from paperbrowse.tui.screens.tags_dialog import TagsDialog
from paperbrowse.tui.session import Session
from paperbrowse.tui.widgets.category_tree import CategoryTree
from paperbrowse.tui.widgets.detail_pane import DetailPane
from paperbrowse.tui.widgets.paper_list import PaperList
from paperbrowse.tui.widgets.search_box import SearchBox
from tui_support import SHIPPED_COUNT, burst, list_rows, make_app, notes, opened, plain, plist, run, settle

README = Path(__file__).resolve().parent.parent / "README.md"

# The shipped collection's default order (category tree order, newest first): the first rows.
FIRST = "lookahead-decoding"
SECOND = "medusa"


# ---------------------------------------------------------------------------------------------
# Helpers.
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def lib_path(tmp_path: Path) -> Path:
    return tmp_path / "library.toml"


@pytest.fixture
def calls() -> dict[str, list[str]]:
    return {"open_url": [], "clipboard": []}


def recording(app, calls: dict[str, list[str]]):
    """Never open a browser or touch the real clipboard: record the calls instead."""
    app.open_url = lambda url, **_: calls["open_url"].append(url)
    app.open_target = lambda target, command=None: opened(calls["open_url"], target)
    app.copy_to_clipboard = calls["clipboard"].append
    return app


@pytest.fixture
def app(lib_path: Path, calls, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)  # the export dialog proposes a file in the working folder
    return recording(make_app(None, lib_path), calls)


def disk(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def entry(path: Path, paper_id: str) -> dict:
    return disk(path).get("papers", {}).get(paper_id, {})


def current_id(app) -> str | None:
    paper = plist(app).current
    return paper.id if paper else None


def count_text(app) -> str:
    return plain(app.screen.query_one("#count"))


def counted(app) -> tuple[int, int]:
    """The count label's (shown, total): "3 / 26 papers" (or "3 of 26 papers")."""
    found = re.search(r"(\d+) (?:/|of) (\d+) papers", count_text(app))  # after the node and query
    assert found, count_text(app)
    return int(found[1]), int(found[2])


def head_text(app) -> str:
    return plain(app.screen.query_one("#detail-head", Static))


def body_text(app) -> str:
    return plain(app.screen.query_one("#detail-body", Static))


def tree_labels(app) -> list[str]:
    tree = app.screen.query_one(CategoryTree)
    labels: list[str] = []

    def walk(node) -> None:
        for child in node.children:
            labels.append(str(child.label.plain if hasattr(child.label, "plain") else child.label))
            walk(child)

    walk(tree.root)
    return labels


def title_of(app, paper_id: str) -> str:
    return app.session.catalog.by_id[paper_id].title


async def tree_down_to(pilot, key: str) -> CategoryTree:
    """Focus the tree (tab, tab from the list) and press ↓ until the node `key` is selected."""
    app = pilot.app
    await pilot.press("tab", "tab")
    tree = app.screen.query_one(CategoryTree)
    assert app.focused is tree
    target = _tree_node(tree, key)
    steps = target.line - tree.cursor_line
    assert steps >= 0, (key, target.line, tree.cursor_line)
    await burst(pilot, *["down"] * steps)
    assert tree.cursor_node is target
    return tree


def _tree_node(tree: CategoryTree, key: str):
    def walk(node):
        for child in node.children:
            yield child
            yield from walk(child)

    return next(n for n in walk(tree.root) if n.data is not None and n.data.key == key)


async def type_text(pilot, text: str) -> None:
    """Type `text` into whatever has the focus."""
    await burst(pilot, *text)


# ---------------------------------------------------------------------------------------------
# The start.
# ---------------------------------------------------------------------------------------------


def test_start_lists_every_paper_with_the_first_selected(app) -> None:
    async def scenario(pilot) -> None:
        assert isinstance(app.screen, MainScreen)
        assert counted(app) == (SHIPPED_COUNT, SHIPPED_COUNT)
        assert len(plist(app).papers) == SHIPPED_COUNT
        assert current_id(app) == FIRST
        assert app.focused is plist(app)
        assert head_text(app).startswith(title_of(app, FIRST))
        assert "Summary" in body_text(app)
        assert tree_labels(app)[:5] == ["All papers  26", "Starred  0", "Reading  0", "Unread  26", "With notes  0"]
        # Clean data: no warning at the start, and `!` says every record loaded.
        assert notes(app, "warning") == [] and notes(app, "error") == []
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        assert "every record loaded" in plain(app.screen.query_one("#problems-none"))
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)

    run(app, scenario)


# ---------------------------------------------------------------------------------------------
# `/` search: enter / ↓ to the results, escape clears and returns.
# ---------------------------------------------------------------------------------------------


def test_slash_then_typing_filters_the_list(app) -> None:
    async def scenario(pilot) -> None:
        await pilot.press("slash")
        search = app.screen.query_one("#search", SearchBox)
        assert app.focused is search
        await type_text(pilot, "medusa")
        assert search.value == "medusa"
        assert counted(app) == (1, SHIPPED_COUNT)
        assert [p.id for p in plist(app).papers] == ["medusa"]
        assert "Medusa" in list_rows(plist(app))[0]
        assert head_text(app).startswith(title_of(app, "medusa"))
        # A field filter narrows the same way; the first row is the best hit.
        await pilot.press("ctrl+u")
        await type_text(pilot, "^gptq")
        assert counted(app) == (1, SHIPPED_COUNT)
        assert current_id(app) == "gptq"
        # Nothing matches: the count says so and the details say no paper.
        await pilot.press("ctrl+u")
        await type_text(pilot, "zzzzqqq")
        assert counted(app) == (0, SHIPPED_COUNT)
        assert "No paper matches." in head_text(app)
        # A query that cannot be understood still runs, and the count says what was odd.
        await pilot.press("ctrl+u")
        await type_text(pilot, "medusa nosuchfield:x")
        assert counted(app)[1] == SHIPPED_COUNT
        hint = plain(app.screen.query_one("#hint"))  # on its own line, below the count, whole
        assert hint.startswith("⚠") and "nosuchfield" in hint

    run(app, scenario)


def test_an_abbreviation_finds_its_paper_once_the_titles_are_laid_out(app) -> None:
    """The browser lays the titles out for the scattered-letter test in the background; typing
    an abbreviation then finds the paper through it."""

    async def scenario(pilot) -> None:
        await settle(pilot)
        assert app.session.index._subsequence_planes is not None  # built after the first screen
        await pilot.press("slash")
        await type_text(pilot, "fa2")
        await settle(pilot)
        assert current_id(app) == "flashattention2"
        assert "FlashAttention-2" in list_rows(plist(app))[0]

    run(app, scenario)


def test_a_query_longer_than_the_box_shows_its_end_and_typing_lays_out_nothing(app) -> None:
    """The box repaints as you type; only a result that changes the list or the details lays
    the screen out again (each layout costs milliseconds at 100,000 papers)."""

    async def scenario(pilot) -> None:
        await pilot.press("slash")
        search = app.screen.query_one("#search", SearchBox)
        await type_text(pilot, "medusa ")
        await settle(pilot)
        layouts = []
        refresh_layout = app.screen._refresh_layout
        app.screen._refresh_layout = lambda *args, **kwargs: (layouts.append(1), refresh_layout(*args, **kwargs))
        typed = "medusa " * 12 + "zebra-tail"
        for char in typed[len("medusa ") :]:
            await type_text(pilot, char)
        await settle(pilot)
        assert search.value == typed and counted(app) == (0, SHIPPED_COUNT)
        assert search.scroll_offset.x > 0  # wider than the box: scrolled to the cursor
        assert search.render_line(0).text.rstrip().endswith("zebra-tail")
        await pilot.press("home")  # and back to its start
        await settle(pilot)
        assert search.scroll_offset.x == 0 and search.render_line(0).text.lstrip().startswith("medusa medusa")
        # A few, for the results that changed the list or the details: not one per key (77).
        assert len(layouts) <= 5, layouts

    run(app, scenario, size=(100, 30))


def test_enter_or_down_in_the_search_goes_to_the_results(app) -> None:
    async def scenario(pilot) -> None:
        search = app.screen.query_one("#search", SearchBox)
        for key in ("enter", "down"):
            await pilot.press("slash")
            assert app.focused is search
            query = "llama" if key == "enter" else "flash"
            await pilot.press("ctrl+u")  # "/" keeps the query to refine it; ctrl+u clears it
            await type_text(pilot, query)
            await pilot.press(key)
            await settle(pilot)
            assert app.focused is plist(app), key
            assert search.value == query  # kept, not cleared
            assert plist(app).cursor == 0
            # The list keys work at once: j moves down one row.
            await pilot.press("j")
            assert plist(app).cursor == 1

    run(app, scenario)


def test_escape_clears_the_search_and_returns_to_the_list(app) -> None:
    async def scenario(pilot) -> None:
        await pilot.press("slash")
        await type_text(pilot, "medusa")
        assert counted(app) == (1, SHIPPED_COUNT)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#search", SearchBox).value == ""
        assert app.focused is plist(app)
        assert counted(app) == (SHIPPED_COUNT, SHIPPED_COUNT)

    run(app, scenario)


def test_characters_typed_in_the_search_are_text_not_keys(app, lib_path: Path) -> None:
    """s, r, q, o, y... typed into the query must not star, quit, open or copy; and `/` in the
    box is a character (old-style arXiv ids hold one), not a refocus."""

    async def scenario(pilot) -> None:
        await pilot.press("slash", "a", "slash", "b")
        search = app.screen.query_one("#search", SearchBox)
        assert search.value == "a/b"
        await pilot.press("ctrl+u")
        await type_text(pilot, "sroyqentLc!?[]")
        assert search.value == "sroyqentLc!?[]"
        assert isinstance(app.screen, MainScreen) and app.is_running
        assert app.session.library.starred_ids() == []
        assert not app.session.library.unsaved

    run(app, scenario)
    assert not lib_path.exists()


def test_fast_typed_search_then_star_stars_the_first_hit(app, lib_path: Path, monkeypatch) -> None:
    """`/spec⏎s` with no pause: the star goes to the first hit of "spec", not the old row,
    even when the search is still running when `s` arrives."""
    slow = Session.list_papers

    def list_papers(self, *args, **kwargs):
        time.sleep(0.05)  # the search worker lags behind the typist
        return slow(self, *args, **kwargs)

    monkeypatch.setattr(Session, "list_papers", list_papers)

    expected = app.session.index.search("spec", app.session.library).hits[0].paper.id
    assert expected != FIRST

    async def scenario(pilot) -> None:
        assert current_id(app) == FIRST
        await burst(pilot, "slash", "s", "p", "e", "c", "enter", "s")
        assert app.session.library.starred_ids() == [expected]
        assert current_id(app) == expected
        assert list_rows(plist(app))[0].startswith("★")
        assert "★ starred" in head_text(app)

    run(app, scenario)
    assert entry(lib_path, expected)["starred"] is True
    assert Library.load(lib_path).starred_ids() == [expected]


def test_escape_typed_fast_after_a_query_clears_it(app) -> None:
    async def scenario(pilot) -> None:
        await burst(pilot, "slash", *"abc", "escape")
        assert app.focused is plist(app)
        assert app.screen.query_one("#search", SearchBox).value == ""
        assert counted(app) == (SHIPPED_COUNT, SHIPPED_COUNT)

    run(app, scenario)


def test_slash_typed_fast_inside_the_query_stays_in_place(app) -> None:
    async def scenario(pilot) -> None:
        await burst(pilot, "slash", *"hep-th/99")
        assert app.screen.query_one("#search", SearchBox).value == "hep-th/99"

    run(app, scenario)


# ---------------------------------------------------------------------------------------------
# Moving: j k ↑ ↓ g G pageup pagedown, tab / shift+tab, enter.
# ---------------------------------------------------------------------------------------------


def test_list_movement_keys_move_the_cursor_and_the_details_follow(app) -> None:
    async def scenario(pilot) -> None:
        papers = plist(app).papers
        last = len(papers) - 1

        async def check(key: str, row: int) -> None:
            await pilot.press(key)
            await pilot.pause()
            assert plist(app).cursor == row, key
            assert head_text(app).startswith(papers[row].title), key

        await check("j", 1)
        await check("down", 2)
        await check("k", 1)
        await check("up", 0)
        await check("G", last)
        assert papers[last].title[:20] in list_rows(plist(app))[-1]  # scrolled into view
        await check("down", last)  # stays at the bottom
        await check("g", 0)
        page = plist(app).scrollable_content_region.height - 1
        assert 1 <= page < last
        await check("pagedown", page)
        await check("pageup", 0)
        await check("pageup", 0)  # stays at the top
        await check("end", last)
        await check("home", 0)

    run(app, scenario, size=(120, 24))


def test_tab_and_shift_tab_cycle_the_panes(app) -> None:
    async def scenario(pilot) -> None:
        order = [
            plist(app),
            app.screen.query_one(DetailPane),
            app.screen.query_one(CategoryTree),
            app.screen.query_one("#search", SearchBox),
        ]
        assert app.focused is order[0]
        for step in range(1, 5):
            await pilot.press("tab")
            assert app.focused is order[step % 4]
        for step in range(1, 5):
            await pilot.press("shift+tab")
            assert app.focused is order[-step % 4]

    run(app, scenario)


def test_enter_focuses_the_details_and_records_last_opened(app, lib_path: Path) -> None:
    async def scenario(pilot) -> None:
        await pilot.press("j", "enter")
        await settle(pilot)
        assert app.focused is app.screen.query_one(DetailPane)
        # In the details, j scrolls them and leaves the list alone.
        await pilot.press("j")
        assert plist(app).cursor == 1

    run(app, scenario)
    opened = entry(lib_path, SECOND)
    assert "last_opened" in opened
    assert opened["status"] == "unread"  # reading the details does not change the status
    assert entry(lib_path, FIRST) == {}


def test_selecting_a_tree_node_filters_the_list(app) -> None:
    async def scenario(pilot) -> None:
        tree = app.screen.query_one(CategoryTree)
        category = app.session.catalog.children[None][0]
        await tree_down_to(pilot, f"cat:{category}")
        assert tree.cursor_node.data.key == f"cat:{category}"
        wanted = app.session.catalog.descendants(category)
        papers = plist(app).papers
        assert papers and all(p.category in wanted for p in papers)
        assert counted(app) == (len(papers), SHIPPED_COUNT)
        assert len(papers) == app.session.catalog.count(category)

    run(app, scenario)


def test_clicking_a_row_selects_it(app) -> None:
    async def scenario(pilot) -> None:
        await pilot.click(PaperList, offset=(10, 2))
        await settle(pilot)
        assert plist(app).cursor == 2
        assert head_text(app).startswith(plist(app).papers[2].title)
        assert app.is_running

    run(app, scenario)


def test_double_clicking_a_row_opens_its_details(app, lib_path: Path) -> None:
    async def scenario(pilot) -> None:
        await pilot.click(PaperList, offset=(10, 1), times=2)
        await settle(pilot)
        assert app.is_running
        assert plist(app).cursor == 1
        assert app.focused is app.screen.query_one(DetailPane)

    run(app, scenario)
    assert "last_opened" in entry(lib_path, SECOND)


# ---------------------------------------------------------------------------------------------
# s, r, ] [.
# ---------------------------------------------------------------------------------------------


def test_s_stars_and_unstars(app, lib_path: Path) -> None:
    async def scenario(pilot) -> None:
        await pilot.press("j", "s")
        await settle(pilot)
        rows = list_rows(plist(app))
        assert rows[1].startswith("★") and not rows[0].startswith("★")
        assert "★ starred" in head_text(app)
        assert "Starred  1" in tree_labels(app)
        saved = entry(lib_path, SECOND)
        assert saved["starred"] is True and "starred_at" in saved
        assert Library.load(lib_path).starred_ids() == [SECOND]

        await pilot.press("s")
        await settle(pilot)
        assert not list_rows(plist(app))[1].startswith("★")
        assert "☆ not starred" in head_text(app)
        assert "Starred  0" in tree_labels(app)
        assert entry(lib_path, SECOND).get("starred", False) is False
        assert Library.load(lib_path).starred_ids() == []

    run(app, scenario)


def test_starred_node_lists_papers_in_star_order(app) -> None:
    async def scenario(pilot) -> None:
        await burst(pilot, "G", "s", "g", "s", "j", "j", "s")
        papers = plist(app).papers
        expected = [papers[-1].id, papers[0].id, papers[2].id]
        await tree_down_to(pilot, "starred")
        assert [p.id for p in plist(app).papers] == expected
        assert counted(app) == (3, SHIPPED_COUNT)

    run(app, scenario)


def test_r_cycles_unread_reading_read(app, lib_path: Path) -> None:
    async def scenario(pilot) -> None:
        marks = []
        for expected in ("reading", "read", "unread"):
            await pilot.press("r")
            await settle(pilot)
            assert app.session.library.status(FIRST) == expected
            saved = entry(lib_path, FIRST)
            assert saved["status"] == expected
            marks.append(list_rows(plist(app))[0][1])
            if expected == "reading":
                assert "◐ reading" in head_text(app)
                assert "Reading  1" in tree_labels(app) and "Unread  25" in tree_labels(app)
            if expected == "read":
                assert "✓ read" in head_text(app)
                assert "Reading  0" in tree_labels(app) and "Unread  25" in tree_labels(app)
        assert marks == ["◐", "✓", "·"]
        history = entry(lib_path, FIRST)["history"]
        assert [h["status"] for h in history] == ["reading", "read", "unread"]
        assert history[0]["at"] <= history[1]["at"] <= history[2]["at"]

    run(app, scenario)


def test_brackets_jump_to_the_next_and_previous_unread(app) -> None:
    async def scenario(pilot) -> None:
        papers = plist(app).papers
        await burst(pilot, "j", "r", "j", "r", "r")  # row 1 reading, row 2 read
        await pilot.press("g", "right_square_bracket")
        await settle(pilot)
        assert plist(app).cursor == 3
        assert head_text(app).startswith(papers[3].title)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert plist(app).cursor == 0
        await pilot.press("left_square_bracket")  # nothing before the first row
        await settle(pilot)
        assert plist(app).cursor == 0
        assert any("No more unread" in n for n in notes(app))
        await pilot.press("G", "right_square_bracket")
        await settle(pilot)
        assert plist(app).cursor == len(papers) - 1

    run(app, scenario)


# ---------------------------------------------------------------------------------------------
# n: the note editor.
# ---------------------------------------------------------------------------------------------


def test_n_writes_a_note_and_ctrl_s_saves_it(app, lib_path: Path) -> None:
    async def scenario(pilot) -> None:
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NoteEditor)
        area = app.screen.query_one(TextArea)
        assert app.focused is area
        await pilot.press("number_sign", "space")
        await type_text(pilot, "Key idea")
        await pilot.press("enter", "enter")
        await type_text(pilot, "Uses *Jacobi* steps")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        # The details show the note rendered as Markdown: a heading block, emphasis gone.
        note = app.screen.query_one("#detail-note", Markdown)
        assert note.display
        blocks = [plain(block) for block in note.query(MarkdownBlock)]
        text = "\n".join(blocks)
        assert "Key idea" in text and "Jacobi" in text
        assert "*Jacobi*" not in text and "# Key" not in text
        assert note.query("MarkdownH1")
        assert "With notes  1" in tree_labels(app)
        assert entry(lib_path, FIRST)["note"] == "# Key idea\n\nUses *Jacobi* steps"
        # n again opens the saved note; an edit is saved over it.
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.query_one(TextArea).text == "# Key idea\n\nUses *Jacobi* steps"
        await pilot.press("enter")
        await type_text(pilot, "- second")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert note.query("MarkdownBulletList")

    run(app, scenario)
    assert entry(lib_path, FIRST)["note"] == "# Key idea\n\nUses *Jacobi* steps\n- second"


def test_note_escape_with_changes_asks_n_keeps_editing_y_discards(app, lib_path: Path) -> None:
    async def scenario(pilot) -> None:
        await pilot.press("n")
        await settle(pilot)
        await type_text(pilot, "draft")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        assert "Discard" in plain(app.screen.query_one("Label"))
        await pilot.press("n")  # keep editing
        await settle(pilot)
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.query_one(TextArea).text == "draft"
        await type_text(pilot, " more")  # the editor still takes keys
        assert app.screen.query_one(TextArea).text == "draft more"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")  # discard
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.session.library.note(FIRST) == ""
        assert not app.screen.query_one("#detail-note", Markdown).display

    run(app, scenario)
    assert not lib_path.exists() or "note" not in entry(lib_path, FIRST)


def test_note_escape_without_changes_closes_at_once(app, lib_path: Path) -> None:
    async def scenario(pilot) -> None:
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NoteEditor)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        # Typing and deleting it again is no change either.
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("x", "backspace", "escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)

    run(app, scenario)
    assert not lib_path.exists()


# ---------------------------------------------------------------------------------------------
# t: your tags.
# ---------------------------------------------------------------------------------------------


def test_t_edits_tags_and_the_tree_gains_them(app, lib_path: Path) -> None:
    async def scenario(pilot) -> None:
        assert not any(label.startswith("#foo") for label in tree_labels(app))
        # escape leaves without a change.
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TagsDialog)
        await type_text(pilot, "nope")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.session.library.user_tags(FIRST) == () and not lib_path.exists()
        # enter saves.
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TagsDialog)
        await type_text(pilot, "foo, bar")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert "#foo  1" in tree_labels(app) and "#bar  1" in tree_labels(app)
        assert re.search(r"My tags\s+#foo\s+#bar", head_text(app)), head_text(app)
        # The tag is searchable at once.
        await pilot.press("slash")
        await type_text(pilot, "tag:foo")
        assert [p.id for p in plist(app).papers] == [FIRST]

    run(app, scenario)
    assert entry(lib_path, FIRST)["tags"] == ["foo", "bar"]


# ---------------------------------------------------------------------------------------------
# o, y: the link and the BibTeX.
# ---------------------------------------------------------------------------------------------


def test_o_opens_the_https_link_and_marks_the_paper_reading(app, lib_path: Path, calls) -> None:
    async def scenario(pilot) -> None:
        link = app.session.catalog.by_id[FIRST].link
        await pilot.press("o")
        await settle(pilot)
        assert calls["open_url"] == [link] and link.startswith("https://")
        assert "◐ reading" in head_text(app)
        assert list_rows(plist(app))[0][1] == "◐"
        assert any(link in n for n in notes(app))
        # A paper already read stays read.
        await pilot.press("r", "o")
        await settle(pilot)
        assert app.session.library.status(FIRST) == "read"
        assert len(calls["open_url"]) == 2

    run(app, scenario)
    assert entry(lib_path, FIRST)["status"] == "read"


def test_o_without_a_link_warns_and_calls_nothing(tmp_path: Path, lib_path: Path, calls) -> None:
    data = tmp_path / "data"
    write_text(data / "categories.toml", CATEGORIES_TOML)
    write_text(
        data / "papers.toml",
        paper_toml("no-link", title="No Link Here")
        + "\n"
        + paper_toml("unsafe-link", title="Unsafe", url='"javascript:alert(1)"'),
    )
    app = recording(make_app([data], lib_path), calls)

    async def scenario(pilot) -> None:
        ids = [p.id for p in plist(app).papers]
        assert "no-link" in ids
        for paper_id in ids:
            plist(app).move_to(paper_id)
            await pilot.press("o")
            await settle(pilot)
        assert calls["open_url"] == []
        assert any("no http(s) link" in n for n in notes(app, "warning"))
        assert app.session.library.status("no-link") == "unread"

    run(app, scenario)
    assert not lib_path.exists()


def test_y_copies_one_bibtex_entry_with_the_title(app, calls) -> None:
    async def scenario(pilot) -> None:
        await pilot.press("j", "y")
        await settle(pilot)
        assert len(calls["clipboard"]) == 1
        assert any("BibTeX" in n and SECOND in n for n in notes(app))

    run(app, scenario)
    library = bibtexparser.parse_string(calls["clipboard"][0])
    assert len(library.entries) == 1 and not library.failed_blocks
    title = library.entries[0].fields_dict["title"].value
    assert re.sub(r"[{}\\]", "", title) == app.session.catalog.by_id[SECOND].title


# ---------------------------------------------------------------------------------------------
# e: export the starred list.
# ---------------------------------------------------------------------------------------------


async def _export(pilot, path: Path, format_steps: int) -> None:
    """e, pick the format `format_steps` below Markdown in the RadioSet, type the path, enter."""
    app = pilot.app
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(app.screen, ExportDialog)
    path_input = app.screen.query_one("#export-path", Input)
    assert app.focused is path_input
    # One burst, as a terminal sends it: the app keeps binding keys and characters in order.
    await burst(pilot, "end", "ctrl+u", *str(path.with_suffix(".md")))
    if format_steps:  # Markdown is chosen already
        await pilot.press("shift+tab")
        assert isinstance(app.focused, RadioSet)
        await pilot.press(*["down"] * format_steps, "enter", "tab")
        assert app.focused is path_input
    extension = EXTENSIONS[FORMATS[format_steps]]
    assert path_input.value == str(path.with_suffix("")) + extension
    await burst(pilot, "enter")


def test_e_exports_the_starred_list_in_the_chosen_format(app, tmp_path: Path) -> None:
    target = tmp_path / "out" / "reading.md"
    target.parent.mkdir()

    async def scenario(pilot) -> None:
        await pilot.press("s", "j", "s")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert "2 papers" in plain(app.screen.query_one(".dialog-title"))
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        await _export(pilot, target, 1)  # Markdown → BibTeX
        assert isinstance(app.screen, MainScreen)
        assert any(str(target.with_suffix(".bib")) in n for n in notes(app)), notes(app)

    run(app, scenario)
    written = target.with_suffix(".bib")
    assert written.exists() and not target.exists()
    entries = bibtexparser.parse_string(written.read_text(encoding="utf-8")).entries
    assert len(entries) == 2
    assert list(Path.cwd().glob("paperbrowse-starred*")) == []


def test_e_exporting_again_to_the_same_file_asks_to_overwrite(app, tmp_path: Path) -> None:
    target = Path("list.md")  # relative: the working folder (tmp_path here)

    async def scenario(pilot) -> None:
        await pilot.press("s")
        await settle(pilot)
        await _export(pilot, target, 0)  # Markdown
        first = target.read_text(encoding="utf-8")
        assert title_of(app, FIRST) in first
        await pilot.press("j", "s")
        await settle(pilot)
        await _export(pilot, target, 0)
        assert isinstance(app.screen, Confirm)
        assert str(target) in plain(app.screen.query_one("Label"))
        await pilot.press("n")  # keep the old file
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert target.read_text(encoding="utf-8") == first
        await _export(pilot, target, 0)
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert title_of(app, SECOND) in target.read_text(encoding="utf-8")
        assert any(f"Exported 2 papers to {target}" in n for n in notes(app))

    run(app, scenario)


def test_e_exports_csv_and_json(app, tmp_path: Path) -> None:
    async def scenario(pilot) -> None:
        await pilot.press("s")
        await settle(pilot)
        await _export(pilot, Path("list.md"), FORMATS.index("csv"))  # in the working folder (tmp_path)
        await _export(pilot, Path("list.md"), FORMATS.index("json"))

    run(app, scenario)
    rows = (tmp_path / "list.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 2 and "," in rows[0] and FIRST in rows[1]
    items = json.loads((tmp_path / "list.json").read_text(encoding="utf-8"))
    assert [item["id"] for item in items] == [FIRST]


def test_e_exports_csl_json_and_ris(app, tmp_path: Path) -> None:
    import rispy

    async def scenario(pilot) -> None:
        await pilot.press("s", "j", "s")
        await settle(pilot)
        await _export(pilot, Path("list.md"), FORMATS.index("csl-json"))
        await _export(pilot, Path("list.md"), FORMATS.index("ris"))

    run(app, scenario)
    items = json.loads((tmp_path / "list.csl.json").read_text(encoding="utf-8"))
    assert [item["title"] for item in items] == [title_of(app, FIRST), title_of(app, SECOND)]
    entries = rispy.loads((tmp_path / "list.ris").read_text(encoding="utf-8"))
    assert [entry["title"] for entry in entries] == [title_of(app, FIRST), title_of(app, SECOND)]


# ---------------------------------------------------------------------------------------------
# L, c, ?, !, ctrl+p.
# ---------------------------------------------------------------------------------------------


CJK = re.compile(r"[\u4e00-\u9fff]")


def test_L_switches_the_summary_to_chinese_and_back(app) -> None:
    async def scenario(pilot) -> None:
        english = body_text(app)
        assert not CJK.search(english)
        await pilot.press("L")
        await settle(pilot)
        chinese = body_text(app)
        assert len(CJK.findall(chinese)) > 20
        assert "摘要" in chinese
        await pilot.press("j")  # the language stays while moving
        await pilot.pause()
        assert CJK.search(body_text(app))
        await pilot.press("k", "L")
        await settle(pilot)
        assert body_text(app) == english

    run(app, scenario)


def test_c_shows_the_tree_on_an_80_column_terminal(app) -> None:
    async def scenario(pilot) -> None:
        tree = app.screen.query_one(CategoryTree)
        assert app.screen.has_class("-narrow")
        assert tree.region.width == 0 or not tree.display or tree.styles.display == "none"
        await pilot.press("c")
        await settle(pilot)
        assert tree.styles.display == "block"
        assert tree.region.width > 0 and tree.region.height > 0
        # It has the focus, and its nodes filter the list as on a wide terminal.
        assert app.focused is tree
        await pilot.press("down")
        await settle(pilot)
        assert tree.cursor_node.data.key == "starred"
        assert counted(app) == (0, SHIPPED_COUNT)
        await pilot.press("c")  # and back: the tree hides, the list has the focus
        await settle(pilot)
        assert tree.region.width == 0 or tree.styles.display == "none"
        assert app.focused is plist(app)

    run(app, scenario, size=(80, 30))


def _readme_keys() -> tuple[list[str], list[str]]:
    """The README table's key column, and the keys named in its descriptions."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Using the browser", 1)[1].split("\n## ", 1)[0]
    column, described = [], []
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        key_cell, what = line.split(" | ", 1)
        column += re.findall(r"`([^`]+)`", key_cell)
        described += re.findall(r"`(escape|enter|ctrl\+\w|↓|↑)`", what)
    described += re.findall(r"`(ctrl\+p)`", section)
    assert len(column) >= 25, column
    return column, described


def test_question_mark_lists_every_readme_key_and_escape_closes(app) -> None:
    column, described = _readme_keys()

    async def scenario(pilot) -> None:
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(plain(s) for s in app.screen.query(Static))
        help_keys: set[str] = set()
        for line in text.splitlines():
            if line.startswith("  "):
                help_keys.update(line[:19].split())
        missing = [key for key in column if key not in help_keys]
        assert not missing, f"README keys missing from the help's key column: {missing}"
        for key in described:
            assert key in text, key
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)

    run(app, scenario)


def _broken_collection(root: Path) -> tuple[Path, int]:
    write_text(root / "categories.toml", CATEGORIES_TOML)
    good = paper_toml("good-one", title="Good One") + "\n" + paper_toml("good-two", title="Good Two")
    write_text(root / "good.toml", good)
    bad = '# a record with a TOML syntax error on line 4\n[[paper]]\nid = "broken"\ntitle = "unterminated\n'
    write_text(root / "bad.toml", bad)
    return root / "bad.toml", 4


def test_bang_lists_the_problems_and_the_good_papers_still_load(tmp_path: Path, lib_path: Path, calls) -> None:
    bad_file, line = _broken_collection(tmp_path / "data")
    app = recording(make_app([tmp_path / "data"], lib_path), calls)

    async def scenario(pilot) -> None:
        assert sorted(p.id for p in plist(app).papers) == ["good-one", "good-two"]
        assert counted(app) == (2, 2)
        warnings = notes(app, "warning")
        assert any("problem" in n and "!" in n for n in warnings), warnings
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        options = app.screen.query_one(OptionList)
        rows = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any(f"bad.toml:{line}" in row for row in rows), rows
        assert "errors: 1," in plain(app.screen.query_one(".dialog-title"))
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)

    run(app, scenario)
    assert bad_file.exists()


def test_ctrl_p_palette_offers_the_paperbrowse_commands(app, lib_path: Path) -> None:
    async def scenario(pilot) -> None:
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert app.screen.id == "--command-palette"
        await type_text(pilot, "star")
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any(p.startswith("Star / unstar") for p in prompts), prompts
        # Choosing it acts on the selected paper, like `s`.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.session.library.is_starred(FIRST)

    run(app, scenario)
    assert entry(lib_path, FIRST)["starred"] is True


# ---------------------------------------------------------------------------------------------
# q: quit, remember, restore.
# ---------------------------------------------------------------------------------------------


async def _go_somewhere(pilot) -> tuple[str, str, str]:
    """Choose a category in the tree, type a query, move to its second hit."""
    app = pilot.app
    await tree_down_to(pilot, "cat:inference")
    assert counted(app) == (app.session.catalog.count("inference"), SHIPPED_COUNT)
    await pilot.press("slash")
    await type_text(pilot, "decoding")
    await pilot.press("enter")
    await settle(pilot)
    assert len(plist(app).papers) >= 2
    await pilot.press("j")
    await settle(pilot)
    return "cat:inference", "decoding", current_id(app)


def test_q_quits_and_saves_the_state_and_a_restart_restores_it(app, lib_path: Path, calls) -> None:
    remembered: dict[str, str] = {}

    async def scenario(pilot) -> None:
        node, query, selected = await _go_somewhere(pilot)
        remembered.update(category=node, query=query, selected=selected)
        await pilot.press("q")
        await pilot.pause()

    run(app, scenario)
    assert app.return_code == 0  # q exited the app
    state = disk(lib_path)["state"]
    assert state.pop("searches") == remembered["query"]  # the search history, for `up` in the box
    assert state == remembered

    again = recording(make_app(None, lib_path), calls)

    async def restored(pilot) -> None:
        await settle(pilot)
        tree = again.screen.query_one(CategoryTree)
        assert tree.cursor_node.data.key == remembered["category"]
        assert again.screen.query_one("#search", SearchBox).value == remembered["query"]
        assert current_id(again) == remembered["selected"]
        assert head_text(again).startswith(title_of(again, remembered["selected"]))
        papers = plist(again).papers
        wanted = again.session.catalog.descendants("inference")
        assert papers and all(p.category in wanted for p in papers)

    run(again, restored)


def test_ctrl_q_quits_and_saves_the_state_like_q(app, lib_path: Path) -> None:
    async def scenario(pilot) -> None:
        await pilot.press("j")
        await pilot.press("ctrl+q")
        await pilot.pause()

    run(app, scenario)
    assert app.return_code == 0
    assert lib_path.exists() and disk(lib_path)["state"]["selected"] == SECOND


def test_restart_with_a_missing_selected_paper_starts_at_the_top(tmp_path: Path, lib_path: Path, calls) -> None:
    state = 'version = 1\n[state]\ncategory = "cat:nope"\nquery = ""\nselected = "gone"\n'
    lib_path.write_text(state, encoding="utf-8")
    app = recording(make_app(None, lib_path), calls)

    async def scenario(pilot) -> None:
        tree = app.screen.query_one(CategoryTree)
        assert tree.cursor_node.data.key == "all"
        assert current_id(app) == FIRST
        assert counted(app) == (SHIPPED_COUNT, SHIPPED_COUNT)

    run(app, scenario)


def test_text_typed_right_after_n_lands_in_the_note(app) -> None:
    async def scenario(pilot) -> None:
        await burst(pilot, "n", *"read again")
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.query_one(TextArea).text == "read again"

    run(app, scenario)
