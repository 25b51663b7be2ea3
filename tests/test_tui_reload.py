"""Data files edited, added or deleted while the browser runs are noticed and reloaded."""

from __future__ import annotations

import os
import time

from paperbrowse.tui.widgets.data_watcher import DataWatcher
from paperbrowse.tui.widgets.paper_list import PaperList
from tui_support import make_app, plain, run, settle

CATEGORIES = '[[category]]\nid = "ml"\nname = "ML"\n'


def paper(paper_id: str, title: str) -> str:
    return f'[[paper]]\nid = "{paper_id}"\ntitle = "{title}"\nauthors = ["A. Author"]\ndate = 2023-05-01\ncategory = "ml"\n'


def titles(app) -> list[str]:
    return [p.title for p in app.screen.query_one(PaperList).papers]


def touch_later(path) -> None:
    """Move the file's times on, as an edit a moment later would."""
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))


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
