"""Data files edited, added or deleted while the browser runs are noticed and reloaded."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time

import pytest

from paperbrowse.core.files import changes
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.store.cache import files_signature
from paperbrowse.tui.widgets import data_watcher
from paperbrowse.tui.widgets.data_watcher import DataWatcher
from paperbrowse.tui.widgets.paper_list import PaperList
from tui_support import make_app, plain, run, settle

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")

CATEGORIES = '[[category]]\nid = "ml"\nname = "ML"\n'


def paper(paper_id: str, title: str) -> str:
    return f'[[paper]]\nid = "{paper_id}"\ntitle = "{title}"\nauthors = ["A. Author"]\ndate = 2023-05-01\ncategory = "ml"\n'


def titles(app) -> list[str]:
    return [p.title for p in app.screen.query_one(PaperList).papers]


def touch_later(path) -> None:
    """Move the file's times on, as an edit a moment later would."""
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))


def edit_in_place(path, old: str, new: str) -> None:
    """Rewrite the file where it is, as many bytes, and give it back its mtime to the nanosecond."""
    before = path.stat()
    text = path.read_text()
    assert len(old) == len(new) and old in text
    with open(path, "r+") as file:
        file.write(text.replace(old, new))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def messages(app) -> list[str]:
    return [notice.message for notice in app._notifications]


def collection(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "categories.toml").write_text(CATEGORIES)
    (data / "a.toml").write_text(paper("one", "First title"))
    (data / "b.toml").write_text(paper("two", "Second"))
    return data


async def until(pilot, condition, seconds: float = 10.0) -> None:
    """Let the app run (its timers too) until `condition()` holds."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.05)
    assert condition()


def inotify_descriptors() -> int:
    count = 0
    for name in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # closed meanwhile (the listing's own descriptor)
            count += os.readlink(f"/proc/self/fd/{name}") == "anon_inode:inotify"
    return count


def no_inotify():
    raise changes._Unavailable("the system's limit of watched folders is reached (fs.inotify.max_user_watches = 8192)")


def test_an_edited_added_and_deleted_file_are_reloaded(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "categories.toml").write_text(CATEGORIES)
    (data / "a.toml").write_text(paper("one", "First title"))
    (data / "b.toml").write_text(paper("two", "Second"))
    app = make_app([data], tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        assert sorted(titles(app)) == ["First title", "Second"]
        app.screen.query_one(DataWatcher).check()  # nothing changed: nothing happens
        await settle(pilot)
        assert not app._notifications

        (data / "a.toml").write_text(paper("one", "Fresh title"))
        touch_later(data / "a.toml")
        (data / "b.toml").unlink()
        (data / "c.toml").write_text(paper("three", "Third"))
        app.screen.query_one(DataWatcher).check()
        await settle(pilot)
        assert sorted(titles(app)) == ["Fresh title", "Third"]
        assert "26" not in app.sub_title and "2 papers" in app.sub_title
        [notice] = list(app._notifications)
        assert "changed on disk" in notice.message

        (data / "c.toml").write_text("[[paper]\n")  # broken now: a problem, the rest stays
        touch_later(data / "c.toml")
        app.screen.query_one(DataWatcher).check()
        await settle(pilot)
        assert titles(app) == ["Fresh title"]
        assert "press ! for the list" in list(app._notifications)[-1].message
        assert "1 of 1 papers" in plain(app.screen.query_one("#count"))

    run(app, scenario)


def test_word_indexes_are_prepared_after_the_first_screen_and_kept(tmp_path, monkeypatch):
    """The browser builds the search's word indexes in the background and keeps them beside the
    snapshot; the next start reads them back, and a reload prepares the new collection's."""
    from paperbrowse.core.library.user_library import Library
    from paperbrowse.core.store.cache import load_catalog_cached
    from paperbrowse.tui.app import PaperBrowseApp
    from paperbrowse.tui.session import Session

    data = tmp_path / "data"
    data.mkdir()
    (data / "categories.toml").write_text(CATEGORIES)
    (data / "a.toml").write_text(paper("one", "Retrieval tricks"))
    for path in data.iterdir():  # files written just now are not cached
        os.utime(path, (time.time() - 60, time.time() - 60))
    monkeypatch.setenv("PAPERBROWSE_CACHE", str(tmp_path / "cache"))

    def start() -> PaperBrowseApp:
        catalog = load_catalog_cached([data])
        return PaperBrowseApp(Session(catalog, Library.load(tmp_path / "library.toml")), "test")

    app = start()

    async def first(pilot) -> None:
        await settle(pilot)
        index = app.session.index
        assert index.ready()  # every field's word index, before any keystroke
        await pilot.press("slash", *"retreival")  # a typo: answered by the title's word index
        await settle(pilot)
        assert titles(app) == ["Retrieval tricks"]

    run(app, first)
    assert list((tmp_path / "cache").glob("words-*.pickle"))

    def no_building(*args, **kwargs):
        raise AssertionError("the word indexes were built again")

    monkeypatch.setattr("paperbrowse.core.search.engine.WordIndex", no_building)
    again = start()

    async def second(pilot) -> None:
        await settle(pilot)
        assert again.session.index.ready()

    run(again, second)


@pytest.mark.parametrize("mode", ["inotify", "polling"])
def test_an_edit_in_place_is_reloaded_by_the_watch_alone(tmp_path, monkeypatch, mode):
    """No `check()`: the timer notices it, through inotify or, when the system will not watch,
    by polling, which is told once."""
    if mode == "inotify" and not sys.platform.startswith("linux"):
        pytest.skip("inotify is Linux's")
    monkeypatch.setattr(data_watcher, "WATCH_SECONDS", 0.05)
    if mode == "polling":
        monkeypatch.setattr(changes, "_the_kernel", no_inotify)
        monkeypatch.setattr(changes, "MIN_INTERVAL", 0.05)
    data = collection(tmp_path)
    app = make_app([data], tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        await pilot.pause(0.3)
        assert not any("changed on disk" in m for m in messages(app))
        edit_in_place(data / "a.toml", "First", "Fresh")
        await until(pilot, lambda: "Fresh title" in titles(app))
        await pilot.pause(0.3)
        assert sum("changed on disk" in m for m in messages(app)) == 1
        told = [m for m in messages(app) if m.startswith("Looking at the data files")]
        if mode == "polling":
            # Told once; the interval it names depends on how long a look took on this machine.
            assert len(told) == 1 and re.fullmatch(
                r"Looking at the data files for changes every \d+ s, as the system will not watch them: "
                r"the system's limit of watched folders is reached \(fs\.inotify\.max_user_watches = 8192\)\.",
                told[0],
            ), told
        else:
            assert told == []

    run(app, scenario)


@linux_only
def test_an_idle_browser_does_not_look_at_the_data_files(tmp_path, monkeypatch):
    monkeypatch.setattr(data_watcher, "WATCH_SECONDS", 0.02)
    data = collection(tmp_path)
    app = make_app([data], tmp_path / "library.toml")
    looks = []
    real_scandir, real_stat = os.scandir, os.stat

    def scandir(path="."):
        looks.append(path)
        return real_scandir(path)

    def stat(path, *args, **kwargs):
        if str(path).startswith(str(data)):
            looks.append(path)
        return real_stat(path, *args, **kwargs)

    async def scenario(pilot) -> None:
        await settle(pilot)  # the first check has started watching
        monkeypatch.setattr(os, "scandir", scandir)
        monkeypatch.setattr(os, "stat", stat)
        await pilot.pause(0.5)  # 25 ticks
        assert looks == []
        (data / "c.toml").write_text(paper("three", "Third"))
        await until(pilot, lambda: "Third" in titles(app))

    run(app, scenario)


@linux_only
def test_the_watch_is_given_back_when_the_browser_closes(tmp_path):
    before = inotify_descriptors()
    app = make_app([collection(tmp_path)], tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        assert inotify_descriptors() == before + 1

    run(app, scenario)
    assert inotify_descriptors() == before


@pytest.mark.parametrize("changed_since", [False, True])
def test_a_collection_loaded_elsewhere_is_reloaded_only_if_it_changed_since(tmp_path, monkeypatch, changed_since):
    """As adding a paper does: a file written, the signature taken, the collection loaded and
    handed over. That write is no change to reload for; one after the signature is."""
    monkeypatch.setattr(data_watcher, "WATCH_SECONDS", 0.05)
    data = collection(tmp_path)
    app = make_app([data], tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        (data / "c.toml").write_text(paper("three", "Third"))
        sources = list(app.session.catalog.sources)
        signature = files_signature(sources)
        fresh = load_catalog(sources)
        if changed_since:
            edit_in_place(data / "a.toml", "First", "Fresh")
        app.screen.use_catalog(fresh, SearchIndex(fresh), signature)
        await settle(pilot)
        assert "Third" in titles(app)
        if changed_since:
            await until(pilot, lambda: "Fresh title" in titles(app))
        else:
            await pilot.pause(0.5)
        assert sum("changed on disk" in m for m in messages(app)) == int(changed_since)
        (data / "b.toml").unlink()
        await until(pilot, lambda: "Second" not in titles(app))

    run(app, scenario)


@linux_only
def test_reloads_after_the_first_look_only_at_the_files_inotify_named(tmp_path, monkeypatch):
    """The first reload after the start looks at every file (the start's load came before the
    watch); from the second on, the browser hands the loader the names inotify heard, and the
    list shows each change all the same."""
    from paperbrowse.core.store import cache

    told: list[list[str] | None] = []
    real = cache.rescan

    def rescan(kept, heard):
        found = real(kept, heard)
        told.append(sorted(heard) if found is not None else None)
        return found

    monkeypatch.setattr(cache, "rescan", rescan)
    data = collection(tmp_path)
    app = make_app([data], tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        watcher = app.screen.query_one(DataWatcher)
        await settle(pilot)
        (data / "a.toml").write_text(paper("one", "Fresh title"))
        watcher.check()
        await until(pilot, lambda: "Fresh title" in titles(app))
        assert told == []
        (data / "b.toml").write_text(paper("two", "Second, edited"))
        await settle(pilot)
        watcher.check()
        await until(pilot, lambda: "Second, edited" in titles(app))
        assert told == [[str(data / "b.toml")]]
        (data / "c.toml").write_text(paper("three", "Third"))
        (data / "a.toml").unlink()
        await settle(pilot)
        watcher.check()
        await until(pilot, lambda: sorted(titles(app)) == ["Second, edited", "Third"])
        assert told[-1] == sorted([str(data / "a.toml"), str(data / "c.toml")])

    run(app, scenario)
