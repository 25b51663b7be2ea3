"""Sort orders: the core function both the browser's `S` and the CLI's `--sort` use, the CLI
flags, and `S` in the browser (cycling, kept per node, restored on the next start)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import make_catalog, make_paper
from conftest import run as run_cli
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.search.sort_orders import SORTS, next_sort, sort_papers
from paperbrowse.tui.widgets.category_tree import CategoryTree
from tui_support import make_app, plist, run, settle

PAPERS = [
    make_paper("b-old", "Beta Widgets", date="2019-01-01"),
    make_paper("a-new", "alpha widgets", date="2024-01-01"),
    make_paper("c-mid", "Gamma Widgets and More Widgets", date="2021-06-01"),
]


@pytest.fixture
def index() -> SearchIndex:
    return SearchIndex(make_catalog(PAPERS))


@pytest.fixture
def library(tmp_path: Path) -> Library:
    library = Library.load(tmp_path / "library.toml")
    library.toggle_star("c-mid")
    library.toggle_star("b-old")
    library.mark_opened("b-old")
    library.mark_opened("a-new")
    return library


def ids(papers) -> list[str]:
    return [p.id for p in papers]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("relevance", ["b-old", "a-new", "c-mid"]),  # "widgets": a whole title word in each; shorter titles first
        ("date", ["a-new", "c-mid", "b-old"]),
        ("title", ["a-new", "b-old", "c-mid"]),  # case does not count
        ("starred", ["c-mid", "b-old", "a-new"]),  # in the order starred, then the rest as they were
        ("opened", ["a-new", "b-old", "c-mid"]),  # the most recently opened first
    ],
)
def test_each_order(index, library, order, expected):
    result = index.search("widgets")
    assert ids(sort_papers(index, result.view, order, library)) == expected
    # A plain list of the same papers (the CLI's `list`) sorts the same way.
    assert ids(sort_papers(index, list(result.view), order, library)) == expected


def test_date_added_is_the_newest_data_file_then_the_later_record(tmp_path, library):
    older, newer = tmp_path / "older.toml", tmp_path / "newer.toml"
    for path in (older, newer):
        path.write_text("")
    os.utime(older, (1_000_000, 1_000_000))
    papers = [
        make_paper("first", "One", source=str(older), line=1),
        make_paper("second", "Two", source=str(older), line=9),
        make_paper("third", "Three", source=str(newer), line=1),
    ]
    index = SearchIndex(make_catalog(papers))
    assert ids(sort_papers(index, index.search("").view, "added", library)) == ["third", "second", "first"]


def test_s_cycles_through_every_order_and_back():
    seen = ["relevance"]
    while len(seen) <= len(SORTS):
        seen.append(next_sort(seen[-1]))
    assert seen == [*SORTS, "relevance"]
    assert next_sort("nonsense") == "relevance"


# --- the CLI ---------------------------------------------------------------------------------


def test_cli_search_and_list_sort(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERBROWSE_LIBRARY", str(tmp_path / "library.toml"))
    monkeypatch.setenv("PAPERBROWSE_CACHE", str(tmp_path / "cache"))

    def cli_json(*argv: str):
        code, out, err = run_cli(capsys, *argv)
        assert code == 0, err
        return json.loads(out), err

    by_title = cli_json("search", "attention", "--sort", "title", "--json")[0]
    titles = [p["title"].casefold() for p in by_title]
    assert titles == sorted(titles) and len(titles) > 1
    assert all("score" in p for p in by_title)
    dates = [p["date"] for p in cli_json("list", "--sort", "date", "--json")[0]]
    assert dates == sorted(dates, reverse=True)
    limited, err = cli_json("search", "llm", "--sort", "date", "--limit", "2", "--json")
    newest = cli_json("search", "llm", "--sort", "date", "--all", "--json")[0][:2]
    assert limited == newest  # the newest two of all matches, not of the best two
    assert "the first 2 of" in err
    code, _, err = run_cli(capsys, "list", "--sort", "sideways")
    assert code == 2 and "sideways" in err


# --- the browser -----------------------------------------------------------------------------


def test_s_sorts_the_list_keeps_the_order_per_node_and_after_a_restart(tmp_path: Path) -> None:
    library = tmp_path / "library.toml"
    app = make_app(None, library)

    async def scenario(pilot) -> None:
        relevance = [p.id for p in plist(app).papers]
        await pilot.press("S")  # date
        await settle(pilot)
        papers = plist(app).papers
        assert [p.date for p in papers] == sorted((p.date for p in papers), reverse=True)
        assert str(app.screen.query_one("#count").render()).endswith(" · by date")  # the toast says it in full
        await pilot.press("S")  # title
        await settle(pilot)
        titles = [p.title.casefold() for p in plist(app).papers]
        assert titles == sorted(titles)
        # Another node keeps its own order (relevance), and this one its own.
        tree = app.screen.query_one(CategoryTree)
        tree.select_key("starred")
        await settle(pilot)
        assert app.screen.node.key == "starred"
        assert app.session.sort_for("starred") == "relevance"
        tree.select_key("all")
        await settle(pilot)
        assert [p.title.casefold() for p in plist(app).papers] == titles
        for _ in range(4):  # starred, added, opened, back to relevance
            await pilot.press("S")
            await settle(pilot)
        assert [p.id for p in plist(app).papers] == relevance
        await pilot.press("S", "S")  # title again, for the next start
        await settle(pilot)

    run(app, scenario)
    assert json.loads(Library.load(library).state["sort"]) == {"all": "title"}
    again = make_app(None, library)

    async def restarted(pilot) -> None:
        titles = [p.title.casefold() for p in plist(again).papers]
        assert titles == sorted(titles)

    run(again, restarted)
