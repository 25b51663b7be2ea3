"""The UI thread never waits for the background: keys typed the moment the list shows are
echoed at once and searched as soon as the word indexes are there.

No clock is read: the background's work is held on an event, and the test looks at what the
screen shows while it is held.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading

from textual.widgets import Label

from paperbrowse.core.files.paths import shipped
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.catalog import build_catalog, load_catalog
from paperbrowse.core.records.loader import find_files, parse_file
from paperbrowse.core.search import engine, scan
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.search.related import RelatedIndex
from paperbrowse.core.search.subsequence import SubsequencePlanes
from paperbrowse.tui import foreground, refine
from paperbrowse.tui.app import PaperBrowseApp
from paperbrowse.tui.cold_start import BackgroundLoad
from paperbrowse.tui.foreground import QUIET, Foreground
from paperbrowse.tui.session import Session
from paperbrowse.tui.textual_shims import FooterKey
from paperbrowse.tui.widgets.search_box import SearchBox
from tui_support import SIZE, make_app, plain, plist, settle


def test_a_query_typed_while_the_word_indexes_are_built_is_answered_before_they_are(tmp_path, monkeypatch):
    """The build is held on an event the test owns: whatever the list shows before the event is
    set was answered without the word indexes (by the scan), and the UI thread built none."""
    held = threading.Event()
    built_on: list[str] = []
    real = engine.WordIndex

    def held_index(texts, count, pause=None):
        built_on.append(threading.current_thread().name)
        if threading.current_thread() is not threading.main_thread():
            held.wait(30)  # the UI thread is never made to wait here: it would hang the test
        return real(texts, count, pause)

    monkeypatch.setattr(engine, "WordIndex", held_index)
    app = make_app(None, tmp_path / "library.toml")
    seen: dict[str, object] = {}

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("slash", "s", "p", "e", "c", "i", "n", "f")
            count = app.screen.query_one("#count", Label)
            for _ in range(400):  # until the scan's answer shows (or the test gives up)
                await pilot.pause(0.01)
                if "refining" in plain(count):
                    break
            seen["typed"] = app.screen.query_one(SearchBox).value
            seen["count while held"] = plain(count)
            seen["found while held"] = [paper.id for paper in plist(app).papers]
            seen["held"] = not held.is_set()
            held.set()
            await settle(pilot)
            seen["count"] = plain(count)
            seen["found"] = [paper.id for paper in plist(app).papers]

    asyncio.run(main())
    assert seen["typed"] == "specinf"
    assert seen["held"]
    assert "specinf · 1 of 26 papers · refining…" in str(seen["count while held"])
    assert seen["found while held"] == ["specinfer"]
    assert "MainThread" not in built_on, "a word index was built on the UI thread"
    assert seen["found"] == ["specinfer"]
    assert "refining" not in str(seen["count"])


def test_a_scan_shows_its_first_slice_s_finds_at_once(tmp_path, monkeypatch):
    """The first slice's papers are on screen before the second slice is searched, with no
    wait for the partial lists' tick (made an hour here): the build and every slice after the
    first are held on events the test owns."""
    held, later = threading.Event(), threading.Event()
    real_index, real_search = engine.WordIndex, scan.ScanIndex.search

    def held_index(texts, count, pause=None):
        if threading.current_thread() is not threading.main_thread():
            held.wait(30)
        return real_index(texts, count, pause)

    app = make_app(None, tmp_path / "library.toml")
    whole = app.session.index

    def held_search(self, query, user=None, **options):
        if self.papers[0] is not whole.papers[0]:  # not the first slice
            later.wait(30)
        return real_search(self, query, user, **options)

    monkeypatch.setattr(engine, "WordIndex", held_index)
    monkeypatch.setattr(scan.ScanIndex, "search", held_search)
    monkeypatch.setattr(scan, "FIRST", 4)
    monkeypatch.setattr(scan, "SLICE", 8)
    monkeypatch.setattr(refine, "SHOW_EVERY", 3600.0)
    expected = SearchIndex(app.session.catalog)
    expected.prepare()
    in_first = [paper.id for paper in expected.search("a").papers if paper in whole.papers[:4]]
    seen: dict[str, object] = {}

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("slash", "a")  # one key: one scan
            count = app.screen.query_one("#count", Label)
            for _ in range(400):  # until the first slice's answer shows (or the test gives up)
                await pilot.pause(0.01)
                if "found in the first" in plain(count):
                    break
            seen["count"] = plain(count)
            seen["found"] = [paper.id for paper in plist(app).papers]
            later.set()
            held.set()
            await settle(pilot)
            seen["then"] = plain(count)

    asyncio.run(main())
    assert in_first, "the first slice holds none of the query's papers: the test would prove nothing"
    assert f"{len(in_first)} found in the first 4 of 26 papers · searching…" in str(seen["count"])
    assert seen["found"] == in_first
    assert "searching" not in str(seen["then"])


def test_a_query_typed_while_kept_indexes_are_read_scans_if_the_read_turns_into_a_build():
    """A read of kept indexes that finds none becomes a build: the query must then scan, not
    wait for the whole build (it once saw "read", and waited seconds)."""
    index = SearchIndex(make_app(None, "unused.toml").session.catalog)
    index.words_from = "read"
    stop, done = threading.Event(), threading.Event()
    answered: list[bool] = []

    def wait() -> None:
        answered.append(refine._wait_while_read(index, stop.is_set))
        done.set()

    threading.Thread(target=wait, daemon=True).start()
    assert not done.wait(0.1), "it did not wait while the read ran"
    index.words_from = "build"
    assert done.wait(30)
    assert answered == [True]
    index.words_from = "read"
    done.clear()
    threading.Thread(target=wait, daemon=True).start()
    stop.set()  # a newer key: the search gives up
    assert done.wait(30)
    assert answered == [True, False]


def test_while_building_the_collector_s_full_passes_are_held_and_threads_switch_often():
    before = gc.get_threshold(), sys.getswitchinterval()
    first, second = foreground.building(), foreground.building()  # two builders at once
    first.__enter__()
    held = gc.get_threshold(), sys.getswitchinterval()
    second.__enter__()
    first.__exit__(None, None, None)
    still = gc.get_threshold(), sys.getswitchinterval()
    second.__exit__(None, None, None)
    assert held[0][:2] == before[0][:2] and held[0][2] > 1_000_000
    assert held[1] < before[1]
    assert still == held  # the other builder still runs
    assert (gc.get_threshold(), sys.getswitchinterval()) == before


def test_the_footer_is_composed_again_only_when_its_keys_change(tmp_path):
    """The screen signals a change of bindings several times after the first frame with the
    same keys: the footer keeps its keys then (each new composition cost the UI thread tens of
    milliseconds while the first key waited), and shows the new ones when they change."""
    app = make_app(None, tmp_path / "library.toml")
    seen: dict[str, object] = {}

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            before = list(app.screen.query(FooterKey))
            for _ in range(3):
                app.screen.refresh_bindings()
                await settle(pilot)
            seen["same"] = list(app.screen.query(FooterKey)) == before
            await pilot.press("slash")  # the search box's keys
            await settle(pilot)
            seen["keys then"] = {key.action for key in before}
            seen["keys now"] = {key.action for key in app.screen.query(FooterKey)}

    asyncio.run(main())
    assert seen["same"]
    assert seen["keys now"] != seen["keys then"]


def test_builders_pause_between_slices():
    calls: list[int] = []
    papers = make_app(None, "unused.toml").session.catalog.papers
    RelatedIndex(papers * 20, pause=lambda: calls.append(1))
    assert len(calls) >= 2
    calls.clear()
    SubsequencePlanes(["a title"] * 20_000, pause=lambda: calls.append(1))
    assert len(calls) >= 2


def test_pause_sleeps_while_keys_arrive_and_not_otherwise(monkeypatch):
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(foreground.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(foreground.time, "sleep", sleep)
    user = Foreground()
    user.pause()
    assert slept == [0.0]  # only lets go of the interpreter
    slept.clear()
    user.key_pressed()
    now[0] += QUIET / 3
    user.pause()
    assert sum(slept) >= QUIET * 2 / 3 - 1e-9
    assert now[0] >= 100.0 + QUIET


def test_builders_sleep_while_the_collection_is_loaded_again():
    user = Foreground()
    paused = threading.Event()

    def builder() -> None:
        user.pause()
        paused.set()

    with user.loading():
        thread = threading.Thread(target=builder)
        thread.start()
        assert not paused.wait(0.3)  # asleep while the reload runs
    assert paused.wait(5)  # and on its way once it ended
    thread.join()


def test_a_cold_start_shows_the_first_part_with_a_bar_then_everything(tmp_path):
    full = load_catalog([str(shipped("data"))])
    part = build_catalog([parse_file(path) for path in find_files([str(shipped("data"))])[0][:3]], [])
    assert 0 < len(part.papers) < len(full.papers)
    release = threading.Event()

    def load(early, progress):
        early(part)
        progress(3, 6)
        release.wait(30)
        progress(6, 6)
        return full, SearchIndex(full)

    loading = BackgroundLoad(load)
    loading.first.wait(30)
    app = PaperBrowseApp(Session(part, Library.load(tmp_path / "library.toml")), "part", loading=loading)
    seen: dict[str, object] = {}

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            seen["first"] = plain(app.screen.query_one("#count", Label))
            seen["bar"] = len(app.screen.query("#loading"))
            await pilot.press("slash", "x")
            seen["typed"] = app.screen.query_one(SearchBox).value
            await pilot.press("backspace", "escape")
            release.set()
            for _ in range(100):  # the screen looks at the load every tenth of a second
                await pilot.pause(0.05)
                if not app.screen.query("#loading"):
                    break
            await settle(pilot)
            seen["then"] = plain(app.screen.query_one("#count", Label))

    asyncio.run(main())
    assert seen["first"] == f"{len(part.papers)} of {len(part.papers)} papers"
    assert seen["bar"] == 1
    assert seen["typed"] == "x"
    assert seen["then"] == f"{len(full.papers)} of {len(full.papers)} papers"
