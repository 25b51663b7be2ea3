"""A reload carries the word indexes over instead of building them again.

At 100,000 papers a build is seconds of a thread, and the browser's frames shared the
interpreter with it after every save of a data file: the watcher's stall was 50-120 ms. A
carry is milliseconds (see `core.search.carried_words`)."""

from __future__ import annotations

import gc
import sys
import threading
import time

from paperbrowse.cli import collector
from paperbrowse.core.records.catalog import Catalog, build_catalog
from paperbrowse.core.records.loader import parse_text
from paperbrowse.core.search import word_index
from paperbrowse.core.search.carried_words import CarriedWords
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.store.kept_search import prepare_search
from paperbrowse.tui import retire
from paperbrowse.tui.foreground import froze_of
from paperbrowse.tui.parcel import Parcel
from paperbrowse.tui.widgets.data_watcher import DataWatcher
from test_tui_reload import CATEGORIES, collection, paper, titles, touch_later, until
from tui_support import make_app, run, settle


def catalog_of(*ids: str) -> Catalog:
    return build_catalog([parse_text(CATEGORIES + "".join(paper(i, f"Title {i}") for i in ids), "x.toml")])


def test_a_reload_carries_the_word_indexes_and_finds_the_edit(tmp_path, monkeypatch):
    built: list[int] = []
    build = word_index.WordIndex.__init__

    def counting(self, texts, count, pause=None):
        built.append(count)
        build(self, texts, count, pause)

    monkeypatch.setattr(word_index.WordIndex, "__init__", counting)
    data = collection(tmp_path)
    # Enough papers that one changed is worth carrying (see carried_words.MOST_CHANGED).
    (data / "a.toml").write_text("".join(paper(f"p{n}", f"Title {n}") for n in range(30)))
    app = make_app([data], tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        await until(pilot, app.session.index.ready)
        before = app.session.index.words("title")
        built.clear()
        (data / "b.toml").write_text(paper("two", "Second zebra"))
        touch_later(data / "b.toml")
        app.screen.query_one(DataWatcher).check()
        await settle(pilot)
        await until(pilot, lambda: app.session.index.words_from != "" and app.session.index.ready())
        words = app.session.index.words("title")
        assert isinstance(words, CarriedWords) and words.base is before
        assert built and set(built) == {1}  # only the edited paper's words were built
        await pilot.press("slash", *"zebra", "enter")
        await settle(pilot)
        assert titles(app) == ["Second zebra"]

    run(app, scenario)


def test_a_reload_while_the_words_are_still_built_waits_for_them_and_carries_them():
    old = SearchIndex(catalog_of(*(f"p{n}" for n in range(50))))
    new = SearchIndex(catalog_of(*(f"p{n}" for n in range(51))))
    started = threading.Event()

    def slow_start() -> None:  # the start's build, still going when the reload comes
        with old.preparing:
            started.set()
            time.sleep(0.3)
            old.prepare()

    builder = threading.Thread(target=slow_start)
    builder.start()
    started.wait()
    prepare_search(new, previous=old)
    builder.join()
    assert new.ready()
    assert all(isinstance(words, CarriedWords) for words in new.word_state().values())


def test_release_hands_back_an_index_the_words_worker_still_holds_to_try_again():
    def handed() -> tuple[Parcel, list[SearchIndex], object]:
        catalog = catalog_of("a", "b")
        index = SearchIndex(catalog)
        return Parcel((catalog, index)), [index], catalog.papers[0]

    parcel, holder, paper = handed()
    later: list[Parcel] = []
    assert not retire.release(parcel, again=later.append)  # the words worker still carries
    assert len(later) == 1 and holder
    holder.clear()  # as the words worker drops `previous`
    assert retire.release(later[0], again=later.append)
    assert len(later) == 1
    assert sys.getrefcount(paper) == 2  # freed but for this test's name

    parcel, holder, paper = handed()
    assert not retire.release(parcel)  # nobody to try again: left to whatever holds it
    assert holder[0].catalog.papers  # untouched


def test_whether_the_start_froze_is_told_by_the_entry_point(monkeypatch, tmp_path):
    monkeypatch.setattr(collector, "_froze", [False])
    monkeypatch.setattr(collector, "FREEZE_FROM", 2)
    assert not collector.froze()
    try:
        collector.load_for_the_process(lambda: [1, 2, 3], papers=len)
        assert collector.froze()
    finally:
        gc.unfreeze()
    app = make_app([collection(tmp_path)], tmp_path / "library.toml")
    assert not froze_of(app)  # tests' apps are told nothing: their collections stay in sight


def test_a_replaced_words_worker_ends_its_words_but_not_its_layout(tmp_path, monkeypatch):
    from paperbrowse.tui.screens import main

    go = threading.Event()
    laid_out: list[SearchIndex] = []
    prepare, lay_out = main.prepare_search, main.prepare_layout
    data = collection(tmp_path)
    app = make_app([data], tmp_path / "library.toml")

    def held_at_start(index, pause=None, previous=None):
        if previous is None:  # the start's worker: the data changes while it is at its words
            watcher = app.call_from_thread(lambda: app.screen.query_one(DataWatcher))
            for _ in range(200):  # its watch up first: a change made before it would be its start
                if app.call_from_thread(lambda: watcher._changes is not None and not watcher._checking):
                    break
                time.sleep(0.05)
            (data / "b.toml").write_text(paper("two", "Second zebra"))
            touch_later(data / "b.toml")
            app.call_from_thread(lambda: app.screen.query_one(DataWatcher).check())
            assert go.wait(10)
        else:
            go.set()
        prepare(index, pause, previous)

    def recording(index, pause=None):
        laid_out.append(index)
        lay_out(index, pause)

    monkeypatch.setattr(main, "prepare_search", held_at_start)
    monkeypatch.setattr(main, "prepare_layout", recording)

    async def scenario(pilot) -> None:
        await until(pilot, lambda: sorted(titles(app)) == ["First title", "Second zebra"])
        await until(pilot, app.session.index.layout_settled.is_set)
        first = [index for index in replaced if index is not app.session.index]
        assert first and first[0].ready() and first[0].layout_settled.is_set()
        assert first[0] not in laid_out  # replaced: its layout would be thrown away
        assert app.session.index in laid_out

    replaced: list[SearchIndex] = []
    use_catalog = main.MainScreen.use_catalog

    def recording_use(self, catalog, index, signature=None):
        replaced.append(self.session.index)
        use_catalog(self, catalog, index, signature)

    monkeypatch.setattr(main.MainScreen, "use_catalog", recording_use)
    run(app, scenario)
