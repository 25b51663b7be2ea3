"""A reload told by inotify which data files changed looks at those only (`records.rescan`,
`ChangeWatcher.heard`, `cache.reload_catalog`), and gives exactly what a full load gives; it
falls back to the full scan whenever the watcher cannot vouch for the rest."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperbrowse.core.files import changes
from paperbrowse.core.files.changes import ChangeWatcher
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.core.records.rescan import keep, rescan
from paperbrowse.core.records.scan import scan
from paperbrowse.core.store import cache, snapshot
from paperbrowse.core.store.cache import load_catalog_cached, reload_catalog

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")

CATEGORIES = '[[category]]\nid = "ml"\nname = "ML"\n'


def paper(paper_id: str, title: str) -> str:
    return f'[[paper]]\nid = "{paper_id}"\ntitle = "{title}"\nauthors = ["A. Author"]\ndate = 2023-05-01\ncategory = "ml"\n'


def contents(catalog) -> tuple[object, ...]:
    return (
        sorted((p.id, p.title, p.source) for p in catalog.papers),
        sorted(catalog.categories),
        sorted(str(problem) for problem in catalog.problems),
    )


def flat(folder: Path, count: int) -> None:
    """A folder of one-paper files, dated a minute back: old enough to be cached (a file changed
    within two seconds never is)."""
    folder.mkdir()
    (folder / "categories.toml").write_text(CATEGORIES)
    for number in range(count):
        (folder / f"p{number:03d}.toml").write_text(paper(f"p{number}", f"Paper {number}"))
    for path in folder.iterdir():
        os.utime(path, (time.time() - 60, time.time() - 60))


def stats(folder: Path) -> dict[str, tuple[int, ...]]:
    return {
        str(p): (s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_ino) for p in folder.rglob("*.toml") for s in [p.stat()]
    }


def columns(found) -> list[tuple[object, ...]]:
    return [(f.path, f.stat.st_size, f.stat.st_mtime_ns, f.stat.st_ctime_ns, f.stat.st_ino) for f in found.files()]


class Spy:
    """Counts the full scans and the rescans that answered."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.full = self.partial = 0
        real_scan, real_rescan = cache.scan, cache.rescan

        def full(sources):
            self.full += 1
            return real_scan(sources)

        def partial(kept, heard):
            found = real_rescan(kept, heard)
            self.partial += found is not None
            return found

        monkeypatch.setattr(cache, "scan", full)
        monkeypatch.setattr(cache, "rescan", partial)


def started(folder: Path, store: Path) -> tuple[ChangeWatcher, object]:
    """A watcher and the collection as the browser holds them after its first reload (the
    first answer of `heard` is None: the start's load came before the watch)."""
    watcher = ChangeWatcher([str(folder)])
    assert watcher.changed() is False and not watcher.polling
    assert watcher.heard() is None
    catalog = reload_catalog(load_catalog_cached([folder], store), None, store)
    return watcher, catalog


def reloaded(watcher: ChangeWatcher, catalog, store: Path):
    assert watcher.changed(now=True)
    return reload_catalog(catalog, watcher.heard(), store)


# --- the rescan against the scan ------------------------------------------------------------

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("edit"), st.integers(0, 7)),
        st.tuples(st.just("same size"), st.integers(0, 7)),
        st.tuples(st.just("touch"), st.integers(0, 7)),
        st.tuples(st.just("delete"), st.integers(0, 7)),
        st.tuples(st.just("add"), st.integers(0, 99)),
        st.tuples(st.just("rename"), st.integers(0, 7), st.integers(0, 99)),
        st.tuples(st.just("hidden"), st.integers(0, 7)),
        st.tuples(st.just("folder"), st.integers(0, 3)),
        st.tuples(st.just("drop folder"), st.integers(0, 3)),
    ),
    min_size=1,
    max_size=6,
)


def apply(folder: Path, ops: list[tuple[int | str, ...]]) -> None:
    """Make the changes; paths as inotify names them are the watcher's business."""
    for op, number, *more in ops:
        files = sorted(p for p in folder.glob("p*.toml") if p.is_file())
        pick = files[int(number) % len(files)] if files else None
        if op == "edit" and pick:
            pick.write_text(paper(pick.stem, f"Edited {number} {time.monotonic_ns()}"))
        elif op == "same size" and pick:
            text = pick.read_text()
            pick.write_text(text.replace("Paper", "Paqer").replace("Edited", "Edhted"))
        elif op == "touch" and pick:
            os.utime(pick, (time.time() - 30, time.time() - 30))
        elif op == "delete" and pick:
            pick.unlink()
        elif op == "add":
            (folder / f"p9{number:02d}.toml").write_text(paper(f"new{number}", f"New {number}"))
        elif op == "rename" and pick:
            pick.rename(folder / f"p8{more[0]:02d}.toml")
        elif op == "hidden" and pick:
            pick.rename(folder / f".{pick.name}")
        elif op == "folder":
            sub = folder / f"sub{number}"
            sub.mkdir(exist_ok=True)
            (sub / "x.toml").write_text(paper(f"sub{number}", f"Sub {number}"))
        elif op == "drop folder":
            sub = folder / f"sub{number}"
            if sub.is_dir():
                for inner in sub.iterdir():
                    inner.unlink()
                sub.rmdir()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 8), st.lists(OPS, min_size=1, max_size=3))
def test_a_reload_told_what_changed_is_the_full_load(count, rounds):
    """Edits, same-size rewrites, touches, deletes, adds, renames, files hidden, folders made
    and removed, a few rounds of them: each reload through the watcher's names equals loading
    everything anew, and where only files changed it did not scan the rest."""
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as monkeypatch:
        folder, store = Path(scratch) / "data", Path(scratch) / "cache"
        flat(folder, count)
        spy = Spy(monkeypatch)
        watcher, catalog = started(folder, store)
        try:
            for ops in rounds:
                apply(folder, ops)
                if not watcher.changed(now=True):
                    continue  # e.g. a folder made and removed in one round: nothing to load
                heard = watcher.heard()
                files_only = not any(op[0] in ("folder", "drop folder") for op in ops)
                if files_only:
                    assert heard is not None, "a change to files only was not heard by name"
                before = spy.full
                catalog = reload_catalog(catalog, heard, store)
                assert contents(catalog) == contents(load_catalog([folder]))
                if files_only and not any(folder.glob("sub*")):
                    assert spy.full == before, "a reload of changed files only scanned them all"
        finally:
            watcher.close()


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 8), OPS)
def test_a_rescan_is_the_scan_down_to_the_snapshot_s_key(count, ops):
    """Given every name that changed, the rescan is the scan: the same files, stats and order
    (the snapshot's key hashes them all), kept as a scan would be; or None where it cannot tell."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "data"
        flat(folder, count)
        kept = keep(scan([folder]))
        assert kept is not None
        before = stats(folder)
        apply(folder, ops)
        after = stats(folder)
        changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
        result = rescan(kept, changed)
        full = scan([folder])
        if result is None:
            assert any(op[0] in ("folder", "drop folder") for op in ops)
        else:
            found, kept_now = result.scan(), result.kept
            assert snapshot.stamp(found) == snapshot.stamp(full)
            assert columns(found) == columns(full)
            assert found.problems == full.problems
            assert kept_now == keep(full)  # what the next rescan starts from


# --- what makes it fall back -----------------------------------------------------------------


def test_the_first_answer_and_polling_cannot_vouch(tmp_path):
    flat(tmp_path / "data", 3)
    with ChangeWatcher([str(tmp_path / "data")], inotify=False) as polling:
        polling.changed()
        (tmp_path / "data" / "p001.toml").write_text(paper("p1", "Changed"))
        polling.changed(now=True)
        assert polling.heard() is None
    with ChangeWatcher([str(tmp_path / "data")]) as watcher:
        watcher.changed()
        assert watcher.heard() is None  # the collection in hand was loaded before the watch
        assert watcher.heard() == frozenset()
        (tmp_path / "data" / "p001.toml").write_text(paper("p1", "Again"))
        (tmp_path / "data" / "p002.toml").unlink()
        assert watcher.changed()
        assert watcher.heard() == {str(tmp_path / "data" / "p001.toml"), str(tmp_path / "data" / "p002.toml")}


def test_lost_events_and_unfollowed_changes_cannot_vouch(tmp_path, monkeypatch):
    data = tmp_path / "data"
    flat(data, 3)
    with ChangeWatcher([str(data)]) as watcher:
        watcher.changed()
        watcher.heard()
        real = changes._events

        def overflowing(raw):
            yield from real(raw)
            yield (-1, changes.IN_Q_OVERFLOW, b"")

        monkeypatch.setattr(changes, "_events", overflowing)
        (data / "p000.toml").write_text(paper("p0", "Changed"))
        assert watcher.changed()
        assert watcher.heard() is None
        monkeypatch.setattr(changes, "_events", real)

        (data / "sub").mkdir()  # a folder come: its files are not followed by name
        assert watcher.changed()
        assert watcher.heard() is None
        os.chmod(data, 0o700)  # the folder's own mode: which files can be read may differ
        watcher.changed()
        assert watcher.heard() is None
        (data / "p001.toml").write_text(paper("p1", "Changed"))
        assert watcher.changed()
        assert watcher.heard() == {str(data / "p001.toml")}


def test_a_write_not_yet_closed_is_no_reload_but_is_looked_at_by_the_next(tmp_path):
    data = tmp_path / "data"
    flat(data, 2)
    with ChangeWatcher([str(data)]) as watcher:
        watcher.changed()
        watcher.heard()
        os.truncate(data / "p000.toml", 5)  # truncate(2): a write with no close
        assert watcher.changed() is False
        (data / "p001.toml").write_text(paper("p1", "Changed"))
        assert watcher.changed()
        assert watcher.heard() == {str(data / "p000.toml"), str(data / "p001.toml")}


def test_what_a_rescan_cannot_follow_is_scanned_in_full(tmp_path, monkeypatch):
    """A hard link (changed through a path no watch hears), a dangling link, a reload after a
    failed one, a collection loaded elsewhere: the full scan."""
    data, store = tmp_path / "data", tmp_path / "cache"
    flat(data, 3)
    os.link(data / "p000.toml", tmp_path / "elsewhere.toml")
    assert keep(scan([data])) is None
    os.unlink(tmp_path / "elsewhere.toml")
    kept = keep(scan([data]))
    assert kept is not None
    os.symlink(tmp_path / "nowhere", data / "p009.toml")
    assert rescan(kept, [str(data / "p009.toml")]) is None
    assert rescan(kept, [str(tmp_path / "other" / "p.toml")]) is None
    os.unlink(data / "p009.toml")

    spy = Spy(monkeypatch)
    watcher, catalog = started(data, store)
    with watcher:
        base = spy.full
        (data / "p001.toml").write_text(paper("p1", "Changed"))
        catalog = reloaded(watcher, catalog, store)
        assert (spy.full, spy.partial) == (base, 1)
        (data / "p002.toml").write_text(paper("p2", "Changed"))
        watcher.changed()
        watcher.heard()  # taken by a reload that failed: the next cannot use what it held
        (data / "p000.toml").write_text(paper("p0", "Changed"))
        catalog = reload_catalog(catalog, None, store)
        assert spy.full == base + 1
        assert contents(catalog) == contents(load_catalog([data]))
        fresh = load_catalog_cached([data], store)  # loaded elsewhere: no scan kept with it
        (data / "p000.toml").write_text(paper("p0", "Again"))
        assert contents(reloaded(watcher, fresh, store)) == contents(load_catalog([data]))
        assert (spy.full, spy.partial) == (base + 3, 1)


# --- a change racing the reload -----------------------------------------------------------


def test_a_change_made_while_the_reload_runs_is_in_the_next(tmp_path, monkeypatch):
    """Written after the rescan looked and before the reload ended, with the old size and
    time of a file it trusted: the reload cannot show it, the next one must."""
    data, store = tmp_path / "data", tmp_path / "cache"
    flat(data, 4)
    watcher, catalog = started(data, store)
    with watcher:
        real = cache.rescan
        racing = data / "p003.toml"

        def rescan_then_edit(kept, heard):
            found = real(kept, heard)
            before = racing.stat()
            racing.write_text(racing.read_text().replace("Paper 3", "Racer 3"))
            os.utime(racing, ns=(before.st_atime_ns, before.st_mtime_ns))
            return found

        monkeypatch.setattr(cache, "rescan", rescan_then_edit)
        (data / "p000.toml").write_text(paper("p0", "Changed"))
        catalog = reloaded(watcher, catalog, store)
        monkeypatch.setattr(cache, "rescan", real)
        assert watcher.changed(now=True), "the racing write was not heard"
        catalog = reload_catalog(catalog, watcher.heard(), store)
        assert "Racer 3" in {p.title for p in catalog.papers}
        assert contents(catalog) == contents(load_catalog([data]))


def test_a_change_between_the_watcher_s_answer_and_the_reload_is_in_the_next(tmp_path):
    data, store = tmp_path / "data", tmp_path / "cache"
    flat(data, 4)
    watcher, catalog = started(data, store)
    with watcher:
        (data / "p000.toml").write_text(paper("p0", "Changed"))
        assert watcher.changed()
        heard = watcher.heard()
        (data / "p002.toml").write_text(paper("p2", "Late"))  # after the answer, before the load
        catalog = reload_catalog(catalog, heard, store)
        assert watcher.changed()
        catalog = reload_catalog(catalog, watcher.heard(), store)
        assert "Late" in {p.title for p in catalog.papers}
        assert contents(catalog) == contents(load_catalog([data]))
