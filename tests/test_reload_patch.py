"""A reload told which files changed in place reads only those files' units again and keeps the
others' records (`store.kept_load`): what it gives must be what a load on a fresh cache gives,
record for record and in the same order, problems included; and what it leaves in the cache
(the buckets, the snapshot) must be what the next start reads."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperbrowse.core.files.changes import ChangeWatcher
from paperbrowse.core.records.rescan import keep, rescan
from paperbrowse.core.records.scan import scan
from paperbrowse.core.store import kept_load, small_files, snapshot
from paperbrowse.core.store.cache import load_catalog_cached, reload_catalog

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")

CATEGORIES = '[[category]]\nid = "ml"\nname = "ML"\n'


def paper(paper_id: str, title: str, padding: int = 0) -> str:
    summary = "x" * padding
    return (
        f'[[paper]]\nid = "{paper_id}"\ntitle = "{title}"\nauthors = ["A. Author"]\ndate = 2023-05-01\n'
        f'category = "ml"\nsummary = "{summary}"\n'
    )


def past(path: Path) -> None:
    stamp = time.time() - 60 - time.perf_counter() % 30
    os.utime(path, (stamp, stamp))


def whole(catalog) -> tuple[object, ...]:
    """Everything a catalog holds, in its order."""
    return (catalog.papers, catalog.categories, catalog.problems, catalog.sources)


class Patches:
    """Counts the reloads that patched the kept load."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = kept_load.patch

        def counted(*args):
            found = real(*args)
            self.count += found is not None
            return found

        monkeypatch.setattr(kept_load, "patch", counted)


class Reads:
    """Counts the small files' buckets unpickled and the files parsed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.loads: list[Path] = []
        self.parsed: list[str] = []
        real_load, real_parse = small_files.trust.load, small_files.parse_file

        def load(path):
            self.loads.append(path)
            return real_load(path)

        def parse(path):
            self.parsed.append(str(path))
            return real_parse(path)

        monkeypatch.setattr(small_files.trust, "load", load)
        monkeypatch.setattr(small_files, "parse_file", parse)


@pytest.fixture
def small_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs of about 3 files and a 400-byte limit for small files: a few files make several
    runs, buckets and large files."""
    monkeypatch.setattr(small_files, "RUN", 3)
    monkeypatch.setattr(small_files, "SMALL", 400)


def make(folder: Path, count: int) -> None:
    folder.mkdir()
    (folder / "categories.toml").write_text(CATEGORIES)
    for number in range(count):
        padding = 600 if number % 5 == 4 else 0  # every fifth a large file
        (folder / f"p{number:03d}.toml").write_text(paper(f"p{number}", f"Paper {number}", padding))
    for path in folder.iterdir():
        past(path)


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("edit"), st.integers(0, 30)),
        st.tuples(st.just("same size"), st.integers(0, 30)),
        st.tuples(st.just("touch"), st.integers(0, 30)),
        st.tuples(st.just("grow"), st.integers(0, 30)),
        st.tuples(st.just("shrink"), st.integers(0, 30)),
        st.tuples(st.just("duplicate"), st.integers(0, 30), st.integers(0, 30)),
        st.tuples(st.just("broken"), st.integers(0, 30)),
        st.tuples(st.just("unknown category"), st.integers(0, 30)),
        st.tuples(st.just("second categories"), st.integers(0, 30)),
        st.tuples(st.just("delete"), st.integers(0, 30)),
        st.tuples(st.just("add"), st.integers(0, 99)),
        st.tuples(st.just("rename"), st.integers(0, 30), st.integers(0, 99)),
        st.tuples(st.just("replace"), st.integers(0, 30)),
        st.tuples(st.just("date back"), st.integers(0, 30)),
    ),
    min_size=1,
    max_size=5,
)


def apply(folder: Path, ops: list[tuple[int | str, ...]]) -> None:
    for op, number, *more in ops:
        files = sorted(p for p in folder.glob("p*.toml") if p.is_file())
        if not files:
            continue
        pick = files[int(number) % len(files)]
        if op == "edit":
            pick.write_text(paper(pick.stem, f"Edited {number} {time.monotonic_ns()}"))
        elif op == "same size":
            pick.write_text(pick.read_text().replace("A. Author", "B. Author"))
        elif op == "touch":
            past(pick)
        elif op == "grow":
            pick.write_text(paper(pick.stem, "Grown", 700))
        elif op == "shrink":
            pick.write_text(paper(pick.stem, "Shrunk"))
        elif op == "duplicate":
            other = files[int(more[0]) % len(files)]
            pick.write_text(other.read_text().replace("title = ", 'title = "Twin" \ntitlex = ', 1))
        elif op == "broken":
            pick.write_text('[[paper]]\nid = "broken\n')
        elif op == "unknown category":
            pick.write_text(paper(pick.stem, "Lost").replace('category = "ml"', 'category = "nowhere"'))
        elif op == "second categories":
            pick.write_text(CATEGORIES + paper(pick.stem, "With a category"))
        elif op == "delete":
            pick.unlink()
        elif op == "add":
            (folder / f"p9{number:02d}.toml").write_text(paper(f"new{number}", f"New {number}"))
        elif op == "rename":
            pick.rename(folder / f"p8{more[0]:02d}.toml")
        elif op == "replace":  # as editors save: a new file renamed over the old name
            fresh = folder / f".{pick.name}.tmp"
            fresh.write_text(paper(pick.stem, "Saved by an editor"))
            fresh.rename(pick)
        elif op == "date back":
            past(pick)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.integers(1, 16), st.lists(OPS, min_size=1, max_size=4))
def test_a_patched_reload_is_a_load_on_a_fresh_cache(small_runs, count, rounds):
    """Edits in place (rewrites, same-size rewrites, touches, files that grow past the small
    files' limit or shrink below it, duplicates, syntax errors, unknown categories, a second
    categories file, editors' renames over a file), deletes, adds and renames: after each
    round the reload, patched, equals a load of the same files on a fresh cache, and the next
    start reads the same from the cache the reloads left."""
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as monkeypatch:
        folder, store = Path(scratch) / "data", Path(scratch) / "cache"
        make(folder, count)
        patches = Patches(monkeypatch)
        watcher = ChangeWatcher([str(folder)])
        try:
            assert watcher.changed() is False
            assert watcher.heard() is None
            catalog = load_catalog_cached([folder], store)
            past(folder / "categories.toml")  # the browser's first reload follows a change
            catalog = reload_catalog(catalog, None, store)
            for number, ops in enumerate(rounds):
                apply(folder, ops)
                if not watcher.changed(now=True):
                    continue
                before = patches.count
                catalog = reload_catalog(catalog, watcher.heard(), store)
                fresh = load_catalog_cached([folder], Path(scratch) / f"fresh-{number}")
                assert whole(catalog) == whole(fresh)
                if any(folder.glob("*.toml")):
                    assert patches.count == before + 1, "the changes were not patched"
                assert whole(load_catalog_cached([folder], store)) == whole(fresh), "the next start differs"
        finally:
            watcher.close()


def test_the_patch_reads_only_the_changed_run(tmp_path, small_runs, monkeypatch):
    """An edit in place reads its own run's bucket and parses its own file; the rest comes from
    the kept load, and the next start finds the snapshot the patch left."""
    folder, store = tmp_path / "data", tmp_path / "cache"
    make(folder, 40)
    with ChangeWatcher([str(folder)]) as watcher:
        watcher.changed()
        watcher.heard()
        catalog = load_catalog_cached([folder], store)
        past(folder / "categories.toml")
        assert watcher.changed()
        catalog = reload_catalog(catalog, watcher.heard(), store)  # the first: no scan kept, all looked at
        reads = Reads(monkeypatch)
        edited = folder / "p010.toml"
        edited.write_text(paper("p10", "Edited once"))
        past(edited)
        assert watcher.changed()
        catalog = reload_catalog(catalog, watcher.heard(), store)
        assert reads.parsed == [str(edited)]
        assert len(reads.loads) == 1 and reads.loads[0].name.startswith("files-"), [p.name for p in reads.loads]
        assert "Edited once" in {p.title for p in catalog.papers}
        monkeypatch.undo()
        start = load_catalog_cached([folder], store)
        assert "texts" in start.derived, "the next start did not read the snapshot"
        assert whole(start) == whole(catalog)


def test_the_kept_scan_s_stamp_is_the_scan_s(tmp_path):
    folder = tmp_path / "data"
    make(folder, 12)
    kept = keep(scan([folder]))
    assert kept is not None
    assert snapshot.stamp_kept(kept) == snapshot.stamp(scan([folder]))
    (folder / "p003.toml").write_text(paper("p3", "Changed"))
    found = rescan(kept, [str(folder / "p003.toml")])
    assert found is not None and not found.gone and not found.added
    assert set(found.looked) == {os.path.join(str(folder), "p003.toml")}
    assert snapshot.stamp_kept(found.kept) == snapshot.stamp(scan([folder]))


def test_a_file_reached_twice_after_a_rescan_is_scanned_in_full(tmp_path):
    """A name renamed over another (as editors save) gives it a new inode, which is checked
    against every other file's: were it one of theirs (two names of one file, which a watch
    of one of them would not hear), the rescan gives up."""
    folder = tmp_path / "data"
    make(folder, 6)
    kept = keep(scan([folder]))
    assert kept is not None
    (folder / "p001.toml").rename(folder / "p002.toml")
    found = rescan(kept, [str(folder / "p001.toml"), str(folder / "p002.toml")])
    assert found is not None
    gone, replaced = str(folder / "p001.toml"), str(folder / "p002.toml")
    assert (set(found.looked), found.gone, found.added) == ({replaced}, {gone}, set())
    assert snapshot.stamp_kept(found.kept) == snapshot.stamp(scan([folder]))
    names, inodes = kept.folders[0].names, kept.folders[0].columns[1]
    real = (folder / "p003.toml").stat().st_ino
    inodes[names.index("p003.toml")] = real + 1_000_000  # kept before p003 was replaced...
    inodes[names.index("p004.toml")] = real  # ... by the file p004 names too
    assert rescan(kept, [str(folder / "p003.toml")]) is None
    inodes[names.index("p004.toml")] = real + 2_000_000
    assert rescan(kept, [str(folder / "p003.toml")]) is not None


def test_a_file_added_and_one_removed_replan_only_the_runs_near_them(tmp_path, small_runs, monkeypatch):
    """A name come and one gone: the runs around them are planned again and read, the new file
    parsed and at most the files of a run that now starts elsewhere (its entry, found by its
    first file, is then a miss, as in a full load); the result is a fresh load's."""
    folder, store = tmp_path / "data", tmp_path / "cache"
    make(folder, 60)
    with ChangeWatcher([str(folder)]) as watcher:
        watcher.changed()
        watcher.heard()
        catalog = load_catalog_cached([folder], store)
        past(folder / "categories.toml")
        assert watcher.changed()
        catalog = reload_catalog(catalog, watcher.heard(), store)
        replanned: list[list[str]] = []
        parsed: list[str] = []
        real_plan, real_parse = small_files.plan, small_files.parse_file

        def plan(files):
            replanned.append([file.path for file in files])
            return real_plan(files)

        def parse(path):
            parsed.append(str(path))
            return real_parse(path)

        monkeypatch.setattr(small_files, "plan", plan)
        monkeypatch.setattr(small_files, "parse_file", parse)
        added = folder / "p0105.toml"
        added.write_text(paper("p105", "Come"))
        past(added)
        (folder / "p040.toml").unlink()
        assert watcher.changed()
        catalog = reload_catalog(catalog, watcher.heard(), store)
        assert len(replanned) == 1 and len(replanned[0]) < 61, "the whole list was planned again"
        assert str(added) in parsed and set(parsed) <= set(replanned[0])
        monkeypatch.undo()
        assert whole(catalog) == whole(load_catalog_cached([folder], tmp_path / "fresh"))
