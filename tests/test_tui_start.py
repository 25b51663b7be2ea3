"""The browser's start: the restored node's papers are in the very first frame it draws."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperbrowse.core.files.paths import shipped
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.tui.screens.main import MainScreen
from paperbrowse.tui.widgets.category_tree import CategoryTree, node_for_key
from paperbrowse.tui.widgets.paper_list import PaperList
from tui_support import make_app, plist, run, until


@pytest.fixture
def watched(monkeypatch):
    """What the list held when it first drew a row, and the searches that ran in a worker."""
    seen: dict[str, list] = {"first": [], "workers": []}
    render_line, search = PaperList.render_line, MainScreen._search

    def first_render(self, y):
        if not seen["first"]:
            seen["first"].append([p.id for p in self.papers])
        return render_line(self, y)

    def worker_search(self, generation, node, text, *args, **options):
        seen["workers"].append((node.key, text))
        return search(self, generation, node, text, *args, **options)

    monkeypatch.setattr(PaperList, "render_line", first_render)
    monkeypatch.setattr(MainScreen, "_search", worker_search)
    return seen


def restored(tmp_path: Path, category: str, query: str) -> Path:
    path = tmp_path / "library.toml"
    path.write_text(f'version = 1\n[state]\ncategory = "{category}"\nquery = "{query}"\n')
    return path


@pytest.mark.parametrize("category", ["all", "cat:agents", "starred", "tag:quantization"])
def test_the_first_frame_shows_the_restored_nodes_papers_without_a_worker(tmp_path, watched, category):
    app = make_app(None, restored(tmp_path, category, ""))
    node = node_for_key(app.session.catalog, app.session.library, category)
    expected = [p.id for p in app.session.list_papers(node.filter, "")[0]]

    async def scenario(pilot) -> None:
        assert app.screen.query_one(CategoryTree).cursor_node.data.key == category
        assert [p.id for p in plist(app).papers] == expected

    run(app, scenario)
    assert watched["first"] == [expected] and watched["workers"] == []
    assert category == "starred" or expected  # the shipped data has papers under each


def test_a_restored_text_query_is_searched_in_a_worker_after_the_first_frame(tmp_path, watched):
    app = make_app(None, restored(tmp_path, "cat:agents", "tool"))

    async def scenario(pilot) -> None:
        # The worker starts after the first frame: on a busy machine, after the settle has looked.
        expected = [p.id for p in app.session.list_papers("cat:agents", "tool")[0]]
        await until(pilot, lambda: [p.id for p in plist(app).papers] == expected)
        assert expected and [p.id for p in plist(app).papers] == expected

    run(app, scenario)
    assert watched["workers"] == [("cat:agents", "tool")]


def test_a_restored_node_that_is_gone_shows_everything(tmp_path, watched):
    app = make_app(None, restored(tmp_path, "cat:nope", ""))

    async def scenario(pilot) -> None:
        assert app.screen.query_one(CategoryTree).cursor_node.data.key == "all"
        assert len(plist(app).papers) == len(app.session.catalog.papers)

    run(app, scenario)


def test_every_tree_node_is_found_by_its_key(tmp_path):
    catalog = load_catalog([shipped("data")])
    library = Library.load(tmp_path / "library.toml")
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        tree = app.screen.query_one(CategoryTree)
        stack, nodes = [tree.root], []
        while stack:
            node = stack.pop()
            stack += node.children
            if node.data is not None:
                nodes.append(node.data)
        assert len(nodes) > 20
        for node in nodes:
            assert node_for_key(catalog, library, node.key) == node

    run(app, scenario)
    assert node_for_key(catalog, library, "tag:no such tag") is None
    assert node_for_key(catalog, library, "cat:nope") is None


def test_choosing_a_node_in_a_closed_branch_moves_the_cursor_at_once(tmp_path):
    """The cursor lands on a tag (the Tags branch closed) in the same call, not on a later
    refresh: a start restoring a tag showed its papers with All papers highlighted until then,
    and on a busy machine the first frame drew it so."""
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        tree = app.screen.query_one(CategoryTree)
        tags = next(node for node in tree.root.children if node.data is None and "Tags" in str(node.label))
        tags.collapse()
        await pilot.pause()
        assert tree.select_key("tag:quantization")
        assert tree.cursor_node is not None and tree.cursor_node.data.key == "tag:quantization"  # before any refresh

    run(app, scenario)
