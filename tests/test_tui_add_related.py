"""Pilot tests: the add dialog (`a`), related papers (1-5) and builds-on links (6-9, or a click)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from textual.widgets import Input, Label, Select

from arxiv_server import dead_url
from conftest import CATEGORIES_TOML, paper_toml, write_text
from paperbrowse.core.files.paths import shipped, user_papers_folder
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.core.search.related import related
from paperbrowse.tui.app import PaperBrowseApp
from paperbrowse.tui.keys import help_groups, palette_entries
from paperbrowse.tui.screens.add_dialog import AddDialog, split_authors
from paperbrowse.tui.screens.main import MainScreen
from paperbrowse.tui.widgets.category_tree import CategoryTree
from paperbrowse.tui.widgets.detail_pane import DetailPane
from paperbrowse.tui.widgets.paper_list import PaperList
from paperbrowse.tui.widgets.search_box import SearchBox
from tui_support import SHIPPED_COUNT, make_app, notes, plain, run, settle, until

SIZE = (160, 48)


@pytest.fixture
def lib_path(tmp_path: Path) -> Path:
    return tmp_path / "library.toml"


@pytest.fixture
def app(lib_path: Path) -> PaperBrowseApp:
    return make_app(None, lib_path)


def current(app) -> str:
    paper = app.screen.query_one(PaperList).current
    return paper.id if paper else ""


def links(app) -> str:
    return plain(app.screen.query_one("#detail-links"))


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def search(pilot, text: str) -> None:
    await pilot.press("slash", *text, "enter")
    await settle(pilot)


async def select(pilot, paper_id: str) -> None:
    assert pilot.app.screen.query_one(PaperList).move_to(paper_id), paper_id
    await settle(pilot)


# ---------------------------------------------------------------------------------------------
# Related papers and links.
# ---------------------------------------------------------------------------------------------


def test_the_details_list_the_five_related_papers_numbered(app) -> None:
    async def scenario(pilot) -> None:
        await select(pilot, "speculative-decoding")
        shown = links(app).splitlines()
        expected = related(app.session.catalog, "speculative-decoding")
        assert shown[0] == "Related"
        assert shown[1:6] == [f" {n}  {r.paper.title}" for n, r in enumerate(expected, start=1)]
        assert app.screen.query_one(DetailPane).links == {
            **{n: r.paper.id for n, r in enumerate(expected, start=1)},
            6: "specinfer",
            7: "medusa",
        }

    run(app, scenario)


@pytest.mark.parametrize("key", ["1", "2", "3", "4", "5"])
def test_number_keys_go_to_the_related_paper(app, key: str) -> None:
    async def scenario(pilot) -> None:
        await select(pilot, "medusa")
        target = related(app.session.catalog, "medusa")[int(key) - 1].paper.id
        await pilot.press(key)
        await settle(pilot)
        assert current(app) == target
        assert app.screen.query_one(DetailPane).paper.id == target

    run(app, scenario)


def test_following_a_link_clears_a_search_that_hides_the_paper(app) -> None:
    async def scenario(pilot) -> None:
        await search(pilot, "gptq")
        assert [p.id for p in app.screen.query_one(PaperList).papers] == ["gptq"]
        target = related(app.session.catalog, "gptq")[0].paper.id
        await pilot.press("1")
        await settle(pilot)
        assert current(app) == target
        assert app.screen.query_one(SearchBox).value == ""
        assert len(app.screen.query_one(PaperList).papers) == SHIPPED_COUNT

    run(app, scenario)


def test_following_a_link_leaves_a_node_that_hides_the_paper(app) -> None:
    async def scenario(pilot) -> None:
        tree = app.screen.query_one(CategoryTree)
        tree.select_key("cat:agents")
        await settle(pilot)
        assert app.screen.node.key == "cat:agents"
        await select(pilot, "gorilla")
        await pilot.press("6")  # Builds on: LLaMA, in Foundation models
        await settle(pilot)
        assert current(app) == "llama"
        assert app.screen.node.key == "all"
        assert tree.cursor_node.data.key == "all"

    run(app, scenario)


def test_a_visible_paper_is_selected_without_touching_the_search(app) -> None:
    async def scenario(pilot) -> None:
        await search(pilot, "decoding")
        shown = [p.id for p in app.screen.query_one(PaperList).papers]
        await select(pilot, "medusa")
        target = next(r.paper.id for r in related(app.session.catalog, "medusa") if r.paper.id in shown)
        number = next(n for n, pid in app.screen.query_one(DetailPane).links.items() if pid == target)
        await pilot.press(str(number))
        await settle(pilot)
        assert current(app) == target
        assert app.screen.query_one(SearchBox).value == "decoding"

    run(app, scenario)


def test_builds_on_and_built_on_by_both_show_and_follow(app) -> None:
    async def scenario(pilot) -> None:
        await select(pilot, "llama2")
        text = links(app)
        assert "Builds on\n 6  LLaMA: Open and Efficient Foundation Language Models" in text
        assert "Built on by\n 7  ToolLLM: " in text
        assert "\n 8  Code Llama: Open Foundation Models for Code" in text
        await pilot.press("8")
        await settle(pilot)
        assert current(app) == "code-llama"
        assert "Builds on\n 6  Llama 2: Open Foundation and Fine-Tuned Chat Models" in links(app)
        await pilot.press("6")
        await settle(pilot)
        assert current(app) == "llama2"
        await pilot.press("6")
        await settle(pilot)
        assert current(app) == "llama"
        assert "Built on by\n 6  Gorilla: " in links(app)

    run(app, scenario)


def test_a_click_on_a_link_follows_it(app) -> None:
    async def link_row(pilot, number: int) -> int | None:
        """The row of the links section where link `number` is on screen (titles wrap)."""
        widget = app.screen.query_one("#detail-links")
        region = widget.content_region
        for y in range(region.y, min(region.bottom, app.screen.size.height)):
            if app.screen.get_style_at(region.x + 6, y).meta.get("@click") == f"screen.follow_link({number})":
                return y - region.y
        return None

    async def scenario(pilot) -> None:
        await select(pilot, "code-llama")
        assert app.screen.query_one(DetailPane).links[6] == "llama2"
        row = None
        for _ in range(3):  # the links are below the summary: scroll once the layout has settled
            app.screen.query_one(DetailPane).scroll_end(animate=False)
            await settle(pilot)
            row = await link_row(pilot, 6)
            if row is not None:
                break
        assert row is not None
        assert await pilot.click("#detail-links", offset=(6, row))
        await settle(pilot)
        assert current(app) == "llama2"

    run(app, scenario)


def test_a_number_without_a_link_says_so(app) -> None:
    async def scenario(pilot) -> None:
        await select(pilot, "fiat")  # no builds_on links
        await pilot.press("9")
        await settle(pilot)
        assert current(app) == "fiat"
        assert "No link 9 in the details of this paper." in messages(app)

    run(app, scenario)


def test_digits_typed_in_the_search_are_text(app) -> None:
    async def scenario(pilot) -> None:
        await pilot.press("slash", *"flm-101b")
        await settle(pilot)
        assert app.screen.query_one(SearchBox).value == "flm-101b"

    run(app, scenario)


def test_the_details_in_chinese_keep_the_links(app) -> None:
    async def scenario(pilot) -> None:
        await select(pilot, "llama2")
        await pilot.press("L")
        await settle(pilot)
        assert links(app).startswith("相关论文\n 1  ")
        assert "基于\n 6  LLaMA" in links(app)

    run(app, scenario)


def test_related_papers_wait_for_their_index_built_off_the_ui_thread(app) -> None:
    async def scenario(pilot) -> None:
        detail = app.screen.query_one(DetailPane)
        fresh = load_catalog([shipped("data")])  # as after adding a paper: no index yet
        detail.catalog = fresh
        detail.show(fresh.by_id["llama2"])
        await pilot.pause()
        assert links(app).startswith("Related\nfinding related papers…\n\nBuilds on\n 6  LLaMA")
        assert 1 not in detail.links and detail.links[6] == "llama"
        detail.find_related()
        await settle(pilot)
        assert links(app).startswith("Related\n 1  LLaMA: Open and Efficient Foundation Language Models")

    run(app, scenario)


def test_a_failed_related_papers_build_says_so_instead_of_waiting_forever(app, monkeypatch) -> None:
    """A worker's error is reported once and shown where the result would be, never swallowed."""

    def broken(catalog, *pause):
        raise MemoryError("no room for the index")

    monkeypatch.setattr("paperbrowse.tui.widgets.detail_pane.related_index", broken)

    async def scenario(pilot) -> None:
        # The build the browser starts after its first screen has failed by now; the toast is a
        # message to the app, handled after the pane has already shown the error.
        await until(pilot, lambda: notes(app, "error"))
        assert links(app).startswith("Related\ncould not find them: MemoryError: no room for the index")
        assert "finding related papers" not in links(app)
        assert notes(app, "error") == ["Could not find related papers: MemoryError: no room for the index"]
        await pilot.press("j", "j")  # other papers say the same, and nothing is told twice
        await settle(pilot)
        assert links(app).startswith("Related\ncould not find them:")
        assert len(notes(app, "error")) == 1
        assert app.is_running

    run(app, scenario)


def test_link_titles_are_never_markup(tmp_path: Path, lib_path: Path) -> None:
    root = tmp_path / "data"
    write_text(root / "categories.toml", CATEGORIES_TOML)
    evil = "[b]Sparse[/b] attention \x1b[31m[@click=app.quit]kernels[/]"
    text = paper_toml("a", title="Sparse attention kernels", tags='["attention"]')
    text += "\n" + paper_toml("b", title=evil.replace("\x1b", "\\u001b"), tags='["attention"]', builds_on='["a"]')
    write_text(root / "papers.toml", text)
    app = make_app([root], lib_path)

    async def scenario(pilot) -> None:
        await select(pilot, "a")
        shown = links(app)
        assert " 1  [b]Sparse[/b] attention \\e[31m[@click=app.quit]kernels[/]" in shown
        assert "Built on by\n 6  [b]Sparse[/b]" in shown
        assert app.is_running

    run(app, scenario)


# ---------------------------------------------------------------------------------------------
# The add dialog.
# ---------------------------------------------------------------------------------------------


async def open_dialog(pilot) -> AddDialog:
    await pilot.press("a")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, AddDialog)
    return dialog


async def fill(pilot, dialog: AddDialog, **values: str) -> None:
    for name, value in values.items():
        dialog.query_one(f"#add-{name}", Input).value = value
    await pilot.pause()


def test_adding_by_hand_shows_the_paper_at_once(app, lib_path: Path) -> None:
    papers = user_papers_folder(lib_path)

    async def scenario(pilot) -> None:
        await search(pilot, "gptq")
        dialog = await open_dialog(pilot)
        assert dialog.query_one("#add-arxiv", Input).has_focus
        await pilot.press(
            "tab", *"Sparse Mixtures of Experts", "tab", *"Noam Shazeer, Azalia Mirhoseini", "tab", *"2017"
        )
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert current(app) == "shazeer2017sparse"
        assert app.screen.query_one(SearchBox).value == ""
        assert len(app.screen.query_one(PaperList).papers) == SHIPPED_COUNT + 1
        assert app.sub_title.endswith(f"· {SHIPPED_COUNT + 1} papers")
        assert app.session.index.papers is not None and "shazeer2017sparse" in app.session.catalog.by_id
        tree = app.screen.query_one(CategoryTree)
        labels = [str(node.label) for node in tree.root.children[5].children]  # Categories
        assert labels[0] == "Inbox  1"
        assert any(m.startswith("Added shazeer2017sparse: Sparse Mixtures of Experts") for m in messages(app))
        detail = app.screen.query_one(DetailPane)
        assert detail.paper.id == "shazeer2017sparse" and detail.catalog is app.session.catalog
        assert "Noam Shazeer, Azalia Mirhoseini" in plain(app.screen.query_one("#detail-head"))

    run(app, scenario)
    saved = tomllib.loads((papers / "shazeer2017sparse.toml").read_text(encoding="utf-8"))["paper"][0]
    assert saved == {
        "id": "shazeer2017sparse",
        "title": "Sparse Mixtures of Experts",
        "authors": ["Noam Shazeer", "Azalia Mirhoseini"],
        "date": "2017",
        "category": "inbox",
    }
    assert load_catalog([shipped("data"), papers]).problems == []


def test_the_category_can_be_chosen(app, lib_path: Path) -> None:
    async def scenario(pilot) -> None:
        dialog = await open_dialog(pilot)
        options = [value for _, value in dialog.options]
        assert options == ["inbox", "foundation", "alignment", "agents", "inference", "multimodal"]
        assert dialog.query_one(Select).value == "inbox"
        dialog.query_one(Select).value = "inference"
        await fill(pilot, dialog, title="Blockwise Parallel Decoding", authors="Mitchell Stern", year="2018")
        await pilot.click("#add-ok")
        await settle(pilot)
        paper = app.session.catalog.by_id["stern2018blockwise"]
        assert paper.category == "inference"
        assert current(app) == "stern2018blockwise"

    run(app, scenario)


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({}, "Give an arXiv id or a DOI, or at least a title, authors and a year."),
        ({"title": "T"}, "Name at least one author."),
        ({"title": "T", "authors": "A", "year": "99"}, "The year must have four digits."),
        ({"arxiv": "not an id"}, "Not an arXiv id or link, nor a DOI"),
    ],
)
def test_what_cannot_be_added_is_said_in_the_dialog(app, lib_path: Path, values, problem: str) -> None:
    async def scenario(pilot) -> None:
        dialog = await open_dialog(pilot)
        await fill(pilot, dialog, **values)
        await pilot.click("#add-ok")
        await settle(pilot)
        assert app.screen is dialog
        error = dialog.query_one("#add-error", Label)
        assert error.display and plain(error).startswith(problem)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)

    run(app, scenario)
    assert not user_papers_folder(lib_path).exists()


def test_escape_cancels(app, lib_path: Path) -> None:
    async def scenario(pilot) -> None:
        dialog = await open_dialog(pilot)
        await fill(pilot, dialog, title="Never Added", authors="Nobody", year="2020")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and "nobody2020never" not in app.session.catalog.by_id

    run(app, scenario)
    assert not user_papers_folder(lib_path).exists()


def test_adding_from_arxiv_through_the_local_server(app, lib_path: Path, arxiv_api) -> None:
    async def scenario(pilot) -> None:
        await open_dialog(pilot)
        await pilot.press(*"https://arxiv.org/abs/hep-th/9711200v3", "enter")
        await settle(pilot)
        assert current(app) == "maldacena1997large"
        assert arxiv_api.requests == ["hep-th/9711200v3"]
        assert any(m.startswith("Added maldacena1997large: The Large N Limit") for m in messages(app))
        assert "Asking arXiv about https://arxiv.org/abs/hep-th/9711200v3…" in messages(app)

    run(app, scenario)
    assert (user_papers_folder(lib_path) / "maldacena1997large.toml").is_file()


def test_a_paper_already_there_is_selected_not_added(app, lib_path: Path, arxiv_api) -> None:
    async def scenario(pilot) -> None:
        await search(pilot, "gemini")
        dialog = await open_dialog(pilot)
        await fill(pilot, dialog, arxiv="2302.13971")
        await pilot.press("enter")
        await settle(pilot)
        assert current(app) == "llama"
        assert "Already in the collection: LLaMA: Open and Efficient Foundation Language Models (llama)." in messages(
            app
        )
        assert arxiv_api.requests == []
        assert len(app.session.catalog.papers) == SHIPPED_COUNT

    run(app, scenario)


def test_arxiv_unreachable_is_an_error_notification(app, lib_path: Path, monkeypatch) -> None:
    url = dead_url()
    monkeypatch.setenv("PAPERBROWSE_ARXIV_API", url)

    async def scenario(pilot) -> None:
        before = current(app)
        dialog = await open_dialog(pilot)
        await fill(pilot, dialog, arxiv="hep-th/9711200")
        await pilot.press("enter")
        await settle(pilot)
        assert f"Not added: cannot reach the arXiv API at {url}: Connection refused" in messages(app)
        error = next(n for n in app._notifications if n.message.startswith("Not added"))
        assert error.severity == "error"
        assert current(app) == before and len(app.session.catalog.papers) == SHIPPED_COUNT

    run(app, scenario)
    assert [p.name for p in user_papers_folder(lib_path).glob("*.toml")] == ["categories.toml"]


def test_an_added_paper_gets_related_papers_and_links(tmp_path: Path, lib_path: Path, arxiv_api) -> None:
    """The reloaded collection has a fresh related index that includes the new paper."""
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        dialog = await open_dialog(pilot)
        await fill(pilot, dialog, arxiv="2302.13971")
        await pilot.press("enter")  # a duplicate: nothing reloaded
        await settle(pilot)
        dialog = await open_dialog(pilot)
        await fill(pilot, dialog, title="Speculative Decoding With Many Drafts", authors="Ada Lovelace", year="2024")
        await pilot.press("enter")
        await settle(pilot)
        assert current(app) == "lovelace2024speculative"
        assert app.screen.query_one(DetailPane).links[1] in {
            "speculative-decoding",
            "specinfer",
            "medusa",
            "lookahead-decoding",
        }

    run(app, scenario)


def test_split_authors() -> None:
    assert split_authors("Ada Lovelace, Alan  Turing ,") == ("Ada Lovelace", "Alan Turing")
    assert split_authors("Lovelace, Ada; Turing, Alan") == ("Lovelace, Ada", "Turing, Alan")
    assert split_authors("  ") == ()


# ---------------------------------------------------------------------------------------------
# Help and palette.
# ---------------------------------------------------------------------------------------------


def test_help_and_palette_offer_the_new_keys() -> None:
    rows = {key.written(): key.help for _, group in help_groups() for key in group}
    assert "add a paper" in rows["a"]
    assert "related paper" in rows["1 … 5"]
    assert "builds-on" in rows["6 … 9"]
    actions = {key.action for key in palette_entries()}
    assert {"add_paper", "follow_link(1)"} <= actions


def test_the_palette_runs_add_paper(app) -> None:
    async def scenario(pilot) -> None:
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Add paper")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AddDialog)

    run(app, scenario)
