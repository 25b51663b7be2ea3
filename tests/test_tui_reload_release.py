"""A reload's work stays off the UI thread, and the collection it replaced is let go there too.

At 100,000 papers, the tree's tag counts taken on the UI thread held the browser's frames for
100-500 ms after each reload, and the replaced catalog, kept by finished workers until a pass
of the cycle collector, was freed inside that pass in one go (40-110 ms)."""

from __future__ import annotations

import gc
import sys
import threading

import pytest

from paperbrowse.core.records.catalog import Catalog, build_catalog, dismantle
from paperbrowse.core.records.loader import parse_text
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.tui import foreground, retire
from paperbrowse.tui.parcel import Parcel
from paperbrowse.tui.widgets.data_watcher import DataWatcher
from test_tui_reload import CATEGORIES, collection, paper, titles, touch_later, until
from tui_support import make_app, run, settle


def catalog_of(*ids: str) -> Catalog:
    text = CATEGORIES + "".join(paper(i, f"Title {i}") for i in ids)
    catalog = build_catalog([parse_text(text, "x.toml")])
    assert len(catalog.papers) == len(ids)
    return catalog


def test_a_parcel_is_taken_once_and_then_holds_nothing():
    value = object()
    parcel = Parcel(value)
    before = sys.getrefcount(value)
    assert parcel.take() is value
    assert sys.getrefcount(value) == before - 1
    with pytest.raises(RuntimeError):
        parcel.take()


def test_dismantle_leaves_the_papers_another_catalog_shares():
    old = catalog_of(*(f"p{n}" for n in range(20_000)))
    kept = old.papers[:5]
    old.newest_first()
    dismantle(old, lambda: None)
    assert old.papers == [] and old.by_id == {} and old.derived == {}
    assert [p.id for p in kept] == ["p0", "p1", "p2", "p3", "p4"]


def test_dismantle_leaves_whole_a_list_someone_else_holds():
    old = catalog_of("a", "b")
    shown = old.papers  # as a list of results may be the catalog's own list
    dismantle(old, lambda: None)
    assert [p.id for p in shown] == ["a", "b"]
    assert old.by_id == {}


def test_release_takes_apart_a_catalog_only_when_nothing_else_holds_it():
    old = catalog_of("a", "b")
    index = SearchIndex(old)
    assert not retire.release(Parcel((old, index)))  # this test still holds both
    assert [p.id for p in old.papers] == ["a", "b"]  # untouched: someone may still read it

    pauses = []
    del index

    def handed() -> tuple[object, Parcel]:
        alone = catalog_of("c")
        return alone.papers[0], Parcel((alone, SearchIndex(alone)))

    paper, parcel = handed()
    assert sys.getrefcount(paper) > 2
    assert retire.release(parcel, lambda: pauses.append(1))
    assert pauses
    assert sys.getrefcount(paper) == 2  # this test's name and the call's argument: freed but for it


def test_a_reload_counts_in_the_worker_and_the_replaced_catalog_is_taken_apart(tmp_path, monkeypatch):
    counted_on: list[str] = []
    tag_counts = Catalog.tag_counts

    def counting(self):
        if "tag_counts" not in self.derived:
            counted_on.append(threading.current_thread().name)
        return tag_counts(self)

    monkeypatch.setattr(Catalog, "tag_counts", counting)
    dismantled_on: list[str] = []

    def dismantling(catalog, pause):
        dismantled_on.append(threading.current_thread().name)
        dismantle(catalog, pause)

    monkeypatch.setattr(retire, "dismantle", dismantling)
    data = collection(tmp_path)
    app = make_app([data], tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        old = app.session.catalog.by_id["two"]  # one paper: holding the catalog would keep it
        counted_on.clear()
        (data / "b.toml").write_text(paper("two", "Second edition"))
        touch_later(data / "b.toml")
        app.screen.query_one(DataWatcher).check()
        await settle(pilot)
        assert sorted(titles(app)) == ["First title", "Second edition"]
        assert counted_on and "MainThread" not in counted_on  # the tree found them counted
        # Nothing the workers kept holds the old catalog: it is taken apart off the UI thread,
        # and the paper the edit replaced is freed (but for this test's name).
        await until(pilot, lambda: sys.getrefcount(old) == 2)  # the name's cell, the call's argument
        assert dismantled_on and "MainThread" not in dismantled_on

    run(app, scenario)


def test_reloading_freezes_what_it_loaded_when_the_start_froze_its_collection():
    gc.collect()
    assert gc.get_freeze_count() == 0
    with foreground.reloading(False):
        small = [[n] for n in range(1000)]
    assert gc.get_freeze_count() == 0  # a small collection is not frozen at the start either
    del small
    try:
        gc.freeze()
        before = gc.get_freeze_count()
        with foreground.reloading(True):
            loaded = [[n] for n in range(1000)]
        assert gc.get_freeze_count() >= before + 1000
        assert loaded
    finally:
        gc.unfreeze()


def tagged(paper_id: str, title: str, tag: str) -> str:
    return paper(paper_id, title) + f'tags = ["{tag}"]\n'


def test_a_reload_relabels_the_tree_nodes_it_has_and_builds_them_when_they_change(tmp_path):
    from paperbrowse.tui.widgets.category_tree import CategoryTree

    data = collection(tmp_path)
    (data / "b.toml").write_text(tagged("two", "Second", "llm"))
    app = make_app([data], tmp_path / "library.toml")

    def labels(tree) -> dict[str, tuple[object, str]]:
        found, pending = {}, list(tree.root.children)
        while pending:
            node = pending.pop()
            pending.extend(node.children)
            if node.data is not None:
                found[node.data.key] = (node, str(node.label))
        return found

    async def reload(pilot) -> None:
        app.screen.query_one(DataWatcher).check()
        await settle(pilot)

    async def scenario(pilot) -> None:
        tree = app.screen.query_one(CategoryTree)
        before = labels(tree)
        assert before["all"][1].endswith("  2") and before["tag:llm"][1] == "#llm  1"

        (data / "c.toml").write_text(tagged("three", "Third", "llm"))  # same category, same tag
        await reload(pilot)
        after = labels(tree)
        assert after["all"][1].endswith("  3") and after["cat:ml"][1].endswith("  3")
        assert after["tag:llm"][1] == "#llm  2"
        assert all(after[key][0] is before[key][0] for key in before)  # the same nodes, relabelled

        (data / "c.toml").write_text(tagged("three", "Third", "agents"))  # a tag comes, one count drops
        touch_later(data / "c.toml")
        await reload(pilot)
        rebuilt = labels(tree)
        assert rebuilt["tag:agents"][1] == "#agents  1" and rebuilt["tag:llm"][1] == "#llm  1"
        assert rebuilt["all"][0] is not before["all"][0]

    run(app, scenario)
