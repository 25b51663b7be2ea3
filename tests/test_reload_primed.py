"""A start's catalog primed once the watch is up (`store.primed`): its first reload, told what
changed, patches the units rebuilt from the catalog instead of reading every file back, and
gives what a load on a fresh cache gives, record for record and in the same order, problems
included. Priming refuses whenever the catalog may not be what the files hold now."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperbrowse.core.files.changes import ChangeWatcher
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.store import cache, small_files
from paperbrowse.core.store.cache import load_catalog_cached, reload_catalog
from paperbrowse.core.store.primed import needs_priming, prime
from test_reload_patch import CATEGORIES, OPS, Patches, Reads, apply, make, paper, past, whole
from tui_support import run, settle

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")


@pytest.fixture
def small_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs of about 3 files and a 400-byte limit for small files (as in test_reload_patch)."""
    monkeypatch.setattr(small_files, "RUN", 3)
    monkeypatch.setattr(small_files, "SMALL", 400)


def where_from(catalog) -> list[tuple[str, int | None]]:
    """Each paper's and category's file and line, which equality leaves out."""
    return [(p.source, p.line) for p in catalog.papers] + [(c.source, c.line) for c in catalog.categories.values()]


def start(folder: Path, store: Path, snapshot: bool):
    """The browser's start: from the snapshot a previous run left, or a load of the files."""
    if snapshot:
        load_catalog_cached([folder], store)
    catalog = load_catalog_cached([folder], store)
    assert ("texts" in catalog.derived) == snapshot
    return catalog


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.integers(1, 16), st.booleans(), st.lists(OPS, min_size=1, max_size=3))
def test_a_primed_start_s_first_reload_is_a_load_on_a_fresh_cache(small_runs, count, snapshot, rounds):
    """The start (from the snapshot, or a load of the files), the watch, priming; then edits,
    adds, deletes and renames: the first reload and those after it are patched, and each
    equals a load of the same files on a fresh cache, as the next start does."""
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as monkeypatch:
        folder, store = Path(scratch) / "data", Path(scratch) / "cache"
        make(folder, count)
        catalog = start(folder, store, snapshot)
        with ChangeWatcher([str(folder)]) as watcher:
            assert watcher.changed() is False
            watcher.heard()
            assert prime(catalog, store)
            assert not needs_priming(catalog)
            patches = Patches(monkeypatch)
            for number, ops in enumerate(rounds):
                apply(folder, ops)
                if not watcher.changed(now=True):
                    continue
                before = patches.count
                catalog = reload_catalog(catalog, watcher.heard(), store)
                fresh = load_catalog_cached([folder], Path(scratch) / f"fresh-{number}")
                assert whole(catalog) == whole(fresh)
                assert where_from(catalog) == where_from(fresh)
                if any(folder.glob("*.toml")):
                    assert patches.count == before + 1, "the changes were not patched"
                assert whole(load_catalog_cached([folder], store)) == whole(fresh), "the next start differs"


@pytest.mark.parametrize("snapshot", [True, False])
def test_the_first_reload_of_a_primed_start_reads_only_the_changed_run(tmp_path, small_runs, monkeypatch, snapshot):
    """Without priming the first reload unpickles every bucket; primed, only the edited file's
    run's bucket is read and only that file parsed."""
    folder, store = tmp_path / "data", tmp_path / "cache"
    make(folder, 40)
    catalog = start(folder, store, snapshot)
    with ChangeWatcher([str(folder)]) as watcher:
        watcher.changed()
        watcher.heard()
        assert prime(catalog, store)
        reads = Reads(monkeypatch)
        edited = folder / "p010.toml"
        edited.write_text(paper("p10", "Edited once"))
        past(edited)
        assert watcher.changed()
        catalog = reload_catalog(catalog, watcher.heard(), store)
        assert reads.parsed == [str(edited)]
        assert len(reads.loads) == 1 and reads.loads[0].name.startswith("files-"), [p.name for p in reads.loads]
        monkeypatch.undo()
        assert whole(catalog) == whole(load_catalog_cached([folder], tmp_path / "fresh"))


def test_priming_refuses_files_changed_since_the_load(tmp_path):
    """A change between the load and the watch, which no watch heard: the stamps differ and
    nothing is kept, so the first reload looks at every file."""
    folder, store = tmp_path / "data", tmp_path / "cache"
    make(folder, 8)
    catalog = start(folder, store, True)
    edited = folder / "p003.toml"
    edited.write_text(paper("p3", "Changed before the watch"))
    past(edited)
    assert not prime(catalog, store)
    assert needs_priming(catalog) and "kept scan" not in catalog.derived and "kept load" not in catalog.derived
    (folder / "p009.toml").write_text(paper("p9", "New"))  # a name come: refused all the same
    assert not prime(catalog, store)


def test_priming_refuses_a_catalog_with_problems(tmp_path):
    """A duplicate id, an unknown category, a broken file: the catalog left records out, which
    the units rebuilt from it would miss."""
    for trouble in (
        paper("p1", "Twin"),
        paper("p9", "Lost").replace('category = "ml"', 'category = "nowhere"'),
        '[[paper]]\nid = "broken\n',
    ):
        folder, store = tmp_path / f"data-{len(trouble)}", tmp_path / f"cache-{len(trouble)}"
        make(folder, 4)
        (folder / "p100.toml").write_text(trouble)
        past(folder / "p100.toml")
        catalog = start(folder, store, True)
        assert catalog.problems
        assert not needs_priming(catalog)
        assert not prime(catalog, store)


def test_priming_refuses_records_out_of_the_files_order(tmp_path):
    """The units are cut from the catalog by file: a catalog whose records do not follow the
    files (not one a load gives) is refused rather than regrouped."""
    folder, store = tmp_path / "data", tmp_path / "cache"
    make(folder, 6)
    catalog = start(folder, store, True)
    catalog.papers.reverse()
    assert not prime(catalog, store)


def test_priming_needs_the_snapshot_key(tmp_path):
    """A catalog loaded without the cache (or whose files were too recent to stamp) has no key
    to check the files against: it is not primed."""
    from paperbrowse.core.records.catalog import load_catalog

    folder = tmp_path / "data"
    make(folder, 4)
    catalog = load_catalog([folder])
    assert not needs_priming(catalog)
    assert not prime(catalog, tmp_path / "cache")


def test_the_watcher_primes_only_once_quiet(tmp_path, monkeypatch):
    """The browser's watcher primes its catalog on a tick with nothing to ask, not before
    PRIME_AFTER seconds (of a clock the test moves) after it showed the collection, nor while
    keys come, nor while word indexes are being made; then its first reload is told which file
    changed."""
    from paperbrowse.tui.app import PaperBrowseApp
    from paperbrowse.tui.foreground import building
    from paperbrowse.tui.session import Session
    from paperbrowse.tui.widgets import data_watcher
    from paperbrowse.tui.widgets.data_watcher import DataWatcher
    from paperbrowse.tui.widgets.paper_list import PaperList

    monkeypatch.setenv("PAPERBROWSE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(data_watcher, "WATCH_SECONDS", 0.02)
    now = [1000.0]
    monkeypatch.setattr(data_watcher, "clock", lambda: now[0])
    primed: list[bool] = []
    real_prime = data_watcher.prime

    def counted(catalog, folder=None):
        primed.append(real_prime(catalog, folder))
        return primed[-1]

    monkeypatch.setattr(data_watcher, "prime", counted)
    told: list[object] = []
    real_rescan = cache.rescan

    def rescan(kept, heard):
        told.append(sorted(heard))
        return real_rescan(kept, heard)

    monkeypatch.setattr(cache, "rescan", rescan)
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "categories.toml").write_text(CATEGORIES)
    (folder / "a.toml").write_text(paper("one", "First title"))
    for path in folder.iterdir():
        past(path)
    load_catalog_cached([folder])
    catalog = load_catalog_cached([folder])
    app = PaperBrowseApp(Session(catalog, Library.load(tmp_path / "library.toml")), "1 paper")

    async def scenario(pilot) -> None:
        await settle(pilot)
        await pilot.pause(0.3)  # about 15 ticks with nothing to ask, before PRIME_AFTER
        assert primed == []
        now[0] += data_watcher.PRIME_AFTER
        app.foreground.quiet = 3600.0  # a key just came, and the moment after it never ends
        app.foreground.key_pressed()
        await pilot.pause(0.3)
        assert primed == [], "primed while keys were coming"
        app.foreground.quiet = 0.0
        with building():  # the word indexes being built meanwhile (the data changed)
            await pilot.pause(0.3)
            assert primed == [], "primed beside the word indexes' build"
        for _ in range(100):
            if primed:
                break
            await pilot.pause(0.02)
        await settle(pilot)
        assert primed == [True]
        await pilot.pause(0.1)  # more ticks: tried once
        assert primed == [True]
        (folder / "a.toml").write_text(paper("one", "Fresh title"))
        app.screen.query_one(DataWatcher).check()
        for _ in range(200):
            if "Fresh title" in [p.title for p in app.screen.query_one(PaperList).papers]:
                break
            await pilot.pause(0.05)
        assert "Fresh title" in [p.title for p in app.screen.query_one(PaperList).papers]
        assert told == [[str(folder / "a.toml")]], "the first reload was not told what changed"

    run(app, scenario)


@pytest.mark.parametrize("snapshot", [True, False])
def test_a_source_named_relatively_is_primed_too(tmp_path, small_runs, monkeypatch, snapshot):
    """ "./data": a file the start parsed names its records "data/p004.toml", one read from the
    cache "./data/p004.toml"; both are placed in their file, and the reload is a fresh load's."""
    monkeypatch.chdir(tmp_path)
    make(tmp_path / "data", 12)
    folder, store = Path("./data"), tmp_path / "cache"
    catalog = start(folder, store, snapshot)
    with ChangeWatcher([str(folder)]) as watcher:
        watcher.changed()
        watcher.heard()
        assert prime(catalog, store)
        (folder / "p004.toml").write_text(paper("p4", "Edited"))
        (folder / "p007.toml").unlink()
        assert watcher.changed(now=True)
        catalog = reload_catalog(catalog, watcher.heard(), store)
    fresh = load_catalog_cached([folder], tmp_path / "fresh")
    assert whole(catalog) == whole(fresh)
    assert [p.line for p in catalog.papers] == [p.line for p in fresh.papers]
