"""Marking papers (`space`/`v`, `*`, `escape`) and acting on all the marked ones: star, status,
tags, export and cite, each one save and one undo step; marks survive a search that hides them."""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import Input, Label, RadioSet
from textual.worker import get_current_worker

from paperbrowse.core.library.user_library import Library
from paperbrowse.core.settings.config_file import Settings
from paperbrowse.tui.marks import MARK, Marks
from paperbrowse.tui.screens.export_dialog import ExportDialog
from paperbrowse.tui.screens.tags_dialog import TagsDialog
from tui_support import SHIPPED_COUNT, burst, list_rows, make_app, notes, plain, plist, run, settle


def header(app) -> str:
    return plain(app.screen.query_one("#count", Label))


def ids(app, *rows: int) -> list[str]:
    return [plist(app).papers[row].id for row in rows]


@pytest.fixture
def lib_path(tmp_path: Path) -> Path:
    return tmp_path / "library.toml"


def test_space_and_v_mark_and_move_down_and_escape_clears(lib_path: Path) -> None:
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        papers = plist(app)
        assert not list_rows(papers)[0].startswith(MARK)  # no mark column before the first mark
        await pilot.press("space", "v", "v")
        await settle(pilot)
        assert papers.cursor == 3
        assert list(app.screen.marks) == ids(app, 0, 1, 2)
        rows = list_rows(papers)
        assert [row[0] for row in rows[:4]] == [MARK, MARK, MARK, " "]
        assert rows[0][1:].lstrip(" ★·◐✓").startswith(papers.papers[0].title[:10])  # the title is whole
        assert header(app).startswith(f"● 3 marked · {SHIPPED_COUNT} of {SHIPPED_COUNT} papers")
        await pilot.press("k", "space")  # the third again: unmarked
        await settle(pilot)
        assert list(app.screen.marks) == ids(app, 0, 1)
        assert header(app).startswith("● 2 marked ·")
        await pilot.press("escape")
        await settle(pilot)
        assert not app.screen.marks and "marked" not in header(app)
        assert not list_rows(papers)[0].startswith(MARK)
        assert any("Cleared the marks of 2 papers" in n for n in notes(app))
        await pilot.press("escape")  # nothing marked, nothing being added: escape does nothing
        await settle(pilot)
        assert app.screen.is_current

    run(app, scenario)


def test_star_marks_all_but_a_search_hides_and_escape_in_the_search_keeps_them(lib_path: Path) -> None:
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        first, second = ids(app, 0, 1)
        title = plist(app).papers[1].title
        await pilot.press("v", "v")
        await pilot.press("slash")
        await burst(pilot, *title)  # only the second one is shown now
        assert header(app).startswith("● 2 marked (1 hidden) · ")
        await pilot.press("enter", "s")
        await settle(pilot)
        library = app.session.library
        assert library.is_starred(first) and library.is_starred(second)  # the hidden one too
        assert any("Starred 2 papers." in n for n in notes(app))
        await pilot.press("slash", "escape")  # clears the search, never the marks
        await settle(pilot)
        assert header(app).startswith("● 2 marked · ")
        await pilot.press("s")
        await settle(pilot)
        assert not library.is_starred(first) and not library.is_starred(second)
        assert any("Unstarred 2 papers." in n for n in notes(app))
        await pilot.press("u")  # one step: both starred again
        await settle(pilot)
        assert library.is_starred(first) and library.is_starred(second)
        assert any("Undid: star of 2 papers" in n for n in notes(app))
        await pilot.press("u")
        await settle(pilot)
        assert not library.is_starred(first) and not library.is_starred(second)
        await pilot.press("q")

    run(app, scenario)
    saved = Library.load(lib_path)  # through the same save as every change
    assert saved.starred_ids() == []


def test_asterisk_marks_every_paper_shown_and_again_unmarks_them(lib_path: Path) -> None:
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        await pilot.press("v")
        marked_first = ids(app, 0)[0]
        await pilot.press("slash")
        await burst(pilot, *"llama")
        await pilot.press("enter")
        shown = [paper.id for paper in plist(app).papers]
        assert 1 < len(shown) < SHIPPED_COUNT and marked_first not in shown
        await pilot.press("asterisk")
        await settle(pilot)
        assert set(app.screen.marks) == {marked_first, *shown}
        assert header(app).startswith(f"● {len(shown) + 1} marked (1 hidden) · ")
        await pilot.press("asterisk")  # all shown were marked: they are unmarked; the hidden stays
        await settle(pilot)
        assert list(app.screen.marks) == [marked_first]

    run(app, scenario)


def test_r_sets_the_marked_to_the_status_after_the_first_ones_and_u_takes_it_back(lib_path: Path) -> None:
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        first, second, third = ids(app, 0, 1, 2)
        library = app.session.library
        await pilot.press("j", "r", "k")  # the second: reading
        await pilot.press("v", "v", "v", "r")
        await settle(pilot)
        assert {library.status(p) for p in (first, second, third)} == {"reading"}  # after the first's unread
        assert any("Set 3 papers to reading." in n for n in notes(app))
        await pilot.press("r")
        await settle(pilot)
        assert {library.status(p) for p in (first, second, third)} == {"read"}
        await pilot.press("u", "u")
        await settle(pilot)
        assert [library.status(p) for p in (first, second, third)] == ["unread", "reading", "unread"]

    run(app, scenario)


def test_t_with_marks_adds_and_removes_tags_on_all_of_them(lib_path: Path) -> None:
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        first, second = ids(app, 0, 1)
        library = app.session.library
        library.set_tags(first, ["old", "keep-a"])
        library.set_tags(second, ["old", "keep-b"])
        await pilot.press("v", "v", "t")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, TagsDialog)
        box = dialog.query_one(Input)
        assert box.value == "old, keep-a, keep-b"  # every tag any of them has
        assert "2 papers marked" in str(dialog.query_one(".dialog-title", Label).render())
        box.value = "keep-a, keep-b, new"  # old removed, new added
        await pilot.press("enter")
        await settle(pilot)
        assert library.user_tags(first) == ("keep-a", "new") and library.user_tags(second) == ("keep-b", "new")
        assert any("Tags of 2 papers: +new -old" in n for n in notes(app))
        await pilot.press("u")
        await settle(pilot)
        assert sorted(library.user_tags(first)) == ["keep-a", "old"]
        assert sorted(library.user_tags(second)) == ["keep-b", "old"]

    run(app, scenario)


def test_e_with_marks_offers_and_chooses_the_marked_papers(lib_path: Path, tmp_path: Path, monkeypatch) -> None:
    documents = tmp_path / "Documents"
    documents.mkdir()
    monkeypatch.setattr("platformdirs.user_documents_dir", lambda: str(documents))
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        await pilot.press("G", "s", "g")  # one starred paper, not marked
        marked = ids(app, 2, 0)
        await pilot.press("j", "j", "v", "g", "v", "e")  # marked in this order: the third, the first
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        what = dialog.query_one("#export-what", RadioSet)
        assert what.pressed_button is not None and what.pressed_button.name == "marked"
        path = dialog.query_one("#export-path", Input)
        assert path.value == str(documents / "paperbrowse-marked.md")
        path.value = str(documents / "paperbrowse-marked.bib")
        next(b for b in dialog.query("RadioButton") if b.name == "bibtex").value = True
        await settle(pilot)
        path.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert any("Exported 2 papers" in n for n in notes(app))
        bib = bibtexparser.parse_string((documents / "paperbrowse-marked.bib").read_text(encoding="utf-8"))
        titles = [entry["title"] for entry in bib.entries]
        catalog = app.session.catalog.by_id
        assert len(titles) == 2 and all(catalog[p].title[:12] in t for p, t in zip(marked, titles, strict=True))
        # The starred list is one choice away; its default file name follows.
        await pilot.press("e")
        await settle(pilot)
        starred = next(b for b in app.screen.query("RadioButton") if b.name == "starred")
        starred.value = True
        await settle(pilot)
        assert app.screen.query_one("#export-path", Input).value == str(documents / "paperbrowse-starred.bib")

    run(app, scenario)


def test_e_without_marks_exports_the_starred_list_as_before(lib_path: Path) -> None:
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog) and not app.screen.query("#export-what")

    run(app, scenario)


def test_y_with_marks_copies_the_bibtex_of_all_of_them(lib_path: Path) -> None:
    app = make_app(None, lib_path)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]

    async def scenario(pilot) -> None:
        await pilot.press("v", "v", "v", "y")
        await settle(pilot)
        assert len(copied) == 1
        assert len(bibtexparser.parse_string(copied[0]).entries) == 3
        assert any("BibTeX of 3 papers" in n for n in notes(app))
        await pilot.press("escape", "y")  # no marks: the highlighted paper's alone
        await settle(pilot)
        assert len(bibtexparser.parse_string(copied[1]).entries) == 1

    run(app, scenario)


def test_marks_outlive_a_reload_of_the_collection_that_keeps_their_papers(lib_path: Path) -> None:
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        await pilot.press("v", "v")
        marked = list(app.screen.marks)
        screen = app.screen
        screen.use_catalog(app.session.catalog, app.session.index)
        await settle(pilot)
        assert list(screen.marks) == marked and header(app).startswith("● 2 marked ·")

    run(app, scenario)


def test_escape_stops_an_add_in_progress_first_then_clears_the_marks(lib_path: Path) -> None:
    app = make_app(None, lib_path)

    def asking_arxiv() -> None:  # an add waiting for an answer, as `_add` does
        get_current_worker().cancelled_event.wait(10)

    async def scenario(pilot) -> None:
        screen = app.screen
        await pilot.press("v")
        adding = screen.run_worker(asking_arxiv, group="add", thread=True)
        await pilot.press("escape")
        await settle(pilot)
        assert len(screen.marks) == 1, "escape cleared the marks"
        assert adding.is_cancelled
        await pilot.press("escape")
        await settle(pilot)
        assert not screen.marks

    run(app, scenario)


@given(st.lists(st.sampled_from("abcdef")), st.lists(st.sampled_from("abcdef"), unique=True))
def test_marks_keep_the_order_of_marking_and_count_the_hidden(toggled: list[str], shown: list[str]) -> None:
    marks = Marks()
    expected: list[str] = []
    for paper_id in toggled:
        now = marks.toggle(paper_id)
        expected = [p for p in expected if p != paper_id] + ([paper_id] if now else [])
    assert list(marks) == expected
    hidden = sum(p not in shown for p in expected)
    summary = marks.summary(set(shown))
    assert summary == ("" if not expected else f"{len(expected)} marked" + (f" ({hidden} hidden)" if hidden else ""))
    marked, _ = marks.toggle_all(shown)
    if marked:
        assert set(shown) <= set(marks)
    else:  # all shown were marked: they are unmarked, the hidden stay
        assert set(marks) == set(expected) - set(shown)


def test_a_read_only_library_says_so_and_changes_none_of_the_marked(lib_path: Path) -> None:
    lib_path.write_text("this is [ not toml", encoding="utf-8")
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        await pilot.press("v", "v", "s", "r")
        await settle(pilot)
        assert not app.session.library.starred_ids()
        assert any("read-only" in n for n in notes(app, "error"))

    run(app, scenario)
    assert lib_path.read_text(encoding="utf-8") == "this is [ not toml"


def test_config_toml_can_give_marking_its_own_key(lib_path: Path) -> None:
    app = make_app(None, lib_path)
    app.session.settings = Settings(keys={"list.toggle_mark": (("m",), 3)})

    async def scenario(pilot) -> None:
        await pilot.press("m", "m", "space")  # space is no longer bound to it
        await settle(pilot)
        assert list(app.screen.marks) == ids(app, 0, 1)

    run(app, scenario)


def test_in_chinese_the_marks_the_bulk_change_and_its_undo_are_told_in_chinese(lib_path: Path) -> None:
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        await pilot.press("L", "v", "v")
        await settle(pilot)
        assert header(app).startswith("● 已标记 2 · ")
        await pilot.press("s")
        await settle(pilot)
        assert any("已为 2 篇论文加星标" in n for n in notes(app)), notes(app)
        await pilot.press("u")
        await settle(pilot)
        assert any(n.startswith("已撤销:2 篇论文的星标") for n in notes(app)), notes(app)
        assert not any("star of" in n or "papers" in n for n in notes(app)), notes(app)
        await pilot.press("t")  # the tags dialog for the marked papers
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, TagsDialog)
        texts = " ".join(plain(label) for label in dialog.query(Label))
        assert "已标记的 2 篇论文" in texts and "添加的标签加到全部 2 篇论文" in texts, texts
        assert "marked" not in texts and "papers" not in texts, texts

    run(app, scenario)
