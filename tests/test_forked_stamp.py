"""The files' key taken by a forked child while the snapshot is read: the same key as taken
here, a stale snapshot never returned, no child left behind."""

from __future__ import annotations

import contextlib
import os
import threading
import weakref

import pytest

from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.core.records.rescan import rebuilt
from paperbrowse.core.records.scan import Scan, scan
from paperbrowse.core.store import cache, forked_stamp, small_files, snapshot
from paperbrowse.core.store.cache import check_files, load_catalog_cached
from test_cache import age as age_top
from test_cache import paper
from test_cache import snapshot as summary


def age(folder) -> None:
    """Every file a minute back, in subfolders too (see test_cache.age)."""
    age_top(folder)
    for sub in folder.iterdir():
        if sub.is_dir():
            age(sub)


@pytest.fixture(autouse=True)
def two_processors(monkeypatch):
    """The child's way is tested on a machine of one processor too."""
    monkeypatch.setattr(forked_stamp, "processors", lambda: 2)


@pytest.fixture
def collection(tmp_path):
    """One paper per file, as `add` writes them."""
    folder = tmp_path / "data"
    (folder / "sub").mkdir(parents=True)
    (folder / "categories.toml").write_text('[[category]]\nid = "ml"\nname = "ML"\n')
    for number in range(6):
        where = folder / "sub" if number % 2 else folder
        (where / f"p{number}.toml").write_text(paper(f"p{number}", f"Title {number}"))
    (folder / "bad.toml").write_text("[[paper]\n")
    age(folder)
    return folder


@pytest.fixture
def fork_always(monkeypatch):
    monkeypatch.setattr(forked_stamp, "FORK_FROM", 1)


def here_key(sources):
    found = scan(sources)
    stamped = snapshot.stamp(found)
    return None if stamped is None else (*stamped, tuple((p.file, p.message) for p in found.problems))


def gone(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def messages(pending) -> list:
    """Every message the child sends, in order."""
    found = []
    while (message := pending.message()) is not forked_stamp.END:
        found.append(message)
    pending.abandon()
    return found


def test_the_child_finds_the_key_found_here(collection, tmp_path):
    sources = [str(collection), str(tmp_path / "missing")]  # a problem finding the files is in the key
    pending = forked_stamp.start(sources)
    assert pending is not None
    key, kept, planned = messages(pending)
    assert key is not None and key == here_key(sources)
    assert key[snapshot.FILES] == 8
    assert key[-1] == ((str(tmp_path / "missing"), "no such file or folder"),)
    # not the key expected (none was): the scan comes too, and stamps as the files do, and
    # the small files' plan and digests are those worked out here
    assert kept is not None and snapshot.stamp(rebuilt(kept)) == key[:-1]
    assert planned == small_files.planned(rebuilt(kept).files()) == small_files.planned(scan(sources).files())
    assert planned.digests and None not in planned.digests.values()
    expected = forked_stamp.start(sources, key)
    assert expected is not None and messages(expected) == [key]


def test_a_file_that_cannot_be_looked_at_gives_no_key(collection):
    os.symlink(collection / "nowhere.toml", collection / "dangling.toml")
    pending = forked_stamp.start([str(collection)], here_key([str(collection)]) or ("another key",))
    assert pending is not None
    assert messages(pending) == [None, None] and here_key([str(collection)]) is None  # no key, no kept scan


def test_no_fork_while_another_thread_runs(collection, tmp_path, fork_always):
    load_catalog_cached([collection], tmp_path / "cache")
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert forked_stamp.start([str(collection)]) is None
        assert check_files([collection], tmp_path / "cache") is None
    finally:
        release.set()
        other.join()


def test_no_fork_on_one_processor(collection, tmp_path, fork_always, monkeypatch):
    load_catalog_cached([collection], tmp_path / "cache")
    monkeypatch.setattr(forked_stamp, "processors", lambda: 1)
    assert forked_stamp.start([str(collection)]) is None
    assert check_files([collection], tmp_path / "cache") is None


def test_an_abandoned_child_is_stopped_and_reaped(collection):
    pending = forked_stamp.start([str(collection)])
    assert pending is not None
    pending.abandon()
    assert gone(pending._pid)


def test_a_warm_load_takes_the_childs_key(collection, tmp_path, monkeypatch, fork_always):
    store = tmp_path / "cache"
    first = load_catalog_cached([collection], store)
    started = []
    start = forked_stamp.start
    monkeypatch.setattr(forked_stamp, "start", lambda *given: started.append(start(*given)) or started[-1])
    monkeypatch.setattr(cache, "scan", lambda sources: pytest.fail("scanned here, not in the child"))
    monkeypatch.setattr(cache, "load_file", lambda path, folder: pytest.fail(f"read {path}"))
    second = load_catalog_cached([collection], store)
    assert len(started) == 1 and started[0] is not None and gone(started[0]._pid)
    assert summary(second) == summary(first) == summary(load_catalog([collection]))
    assert second.derived["snapshot"] == (snapshot.snapshot_path(store, [str(collection)]), here_key([collection]))


@pytest.mark.parametrize("change", ["edited", "added", "removed"])
def test_a_snapshot_the_files_changed_since_is_not_returned(collection, tmp_path, change, fork_always):
    store = tmp_path / "cache"
    load_catalog_cached([collection], store)
    if change == "edited":  # the same size: the child's stat of its times tells it
        (collection / "p0.toml").write_text(paper("p0", "Title X"))
    elif change == "added":
        (collection / "sub" / "p9.toml").write_text(paper("p9", "Title 9"))
    else:
        (collection / "sub" / "p1.toml").unlink()
    age(collection)
    check = check_files([collection], store)
    assert check is not None
    assert check.catalog() is None
    reloaded = load_catalog_cached([collection], store)
    assert summary(reloaded) == summary(load_catalog([collection]))


def test_after_a_change_the_files_are_read_from_the_child_s_scan(collection, tmp_path, monkeypatch, fork_always):
    store = tmp_path / "cache"
    load_catalog_cached([collection], store)
    (collection / "p0.toml").write_text(paper("p0", "Title X"))
    (collection / "sub" / "p9.toml").write_text(paper("p9", "Title 9"))
    age(collection)
    monkeypatch.setattr(cache, "scan", lambda sources: pytest.fail("scanned here, not in the child"))
    reloaded = load_catalog_cached([collection], store)
    assert summary(reloaded) == summary(load_catalog([collection]))
    assert reloaded.derived["snapshot"][1] == here_key([collection])  # the new snapshot's key
    monkeypatch.undo()
    monkeypatch.setattr(forked_stamp, "FORK_FROM", 1)
    monkeypatch.setattr(cache, "load_file", lambda path, folder: pytest.fail(f"read {path}"))
    assert summary(load_catalog_cached([collection], store)) == summary(reloaded)  # and the next start is warm


def test_a_scan_the_child_cannot_send_is_made_here(collection, tmp_path, monkeypatch, fork_always):
    """A file with two links is not kept (see records.rescan.keep): the files are scanned here."""
    store = tmp_path / "cache"
    os.link(collection / "p0.toml", tmp_path / "elsewhere.toml")
    age(collection)
    load_catalog_cached([collection], store)
    (collection / "p2.toml").write_text(paper("p2", "Title Y"))
    age(collection)
    scanned = []
    real = cache.scan
    monkeypatch.setattr(cache, "scan", lambda sources: scanned.append(sources) or real(sources))
    assert summary(load_catalog_cached([collection], store)) == summary(load_catalog([collection]))
    assert scanned == [[str(collection)]]


def test_a_small_collection_forks_no_child(collection, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    load_catalog_cached([collection], store)
    monkeypatch.setattr(forked_stamp, "start", lambda sources: pytest.fail("forked for 8 files"))
    assert check_files([collection], store) is None
    load_catalog_cached([collection], store)


def test_a_check_for_other_files_is_abandoned_and_the_load_is_right(collection, tmp_path, fork_always):
    store = tmp_path / "cache"
    other = tmp_path / "other"
    other.mkdir()
    (other / "o.toml").write_text(paper("o1", "Other"))
    age(other)
    load_catalog_cached([collection], store)
    load_catalog_cached([other], store)
    check = check_files([other], store)
    assert check is not None
    loaded = load_catalog_cached([collection], store, check=check)
    assert summary(loaded) == summary(load_catalog([collection]))
    assert gone(check._pending._pid)


def test_a_failing_read_stops_the_child(collection, tmp_path, monkeypatch, fork_always):
    store = tmp_path / "cache"
    load_catalog_cached([collection], store)
    check = check_files([collection], store)
    assert check is not None

    def interrupted(path, key):
        raise KeyboardInterrupt

    monkeypatch.setattr(snapshot, "load_snapshot", interrupted)
    with pytest.raises(KeyboardInterrupt):
        check.catalog()
    assert gone(check._pending._pid)


@pytest.mark.parametrize("changed", [False, True])
def test_the_index_made_while_the_child_checks_is_the_loaded_catalog_s(collection, tmp_path, monkeypatch, changed):
    """The command's index is made from the snapshot's catalog while the child stats the files;
    after a miss, that index is dropped with the catalog and one made of the files' catalog."""
    from paperbrowse.cli.context import Context

    monkeypatch.setattr(forked_stamp, "FORK_FROM", 1)
    monkeypatch.setenv("PAPERBROWSE_CACHE", str(tmp_path / "cache"))
    context = Context(data=[str(collection)], library=str(tmp_path / "library.toml"))
    context.load(None, lambda read, total: None)
    if changed:
        (collection / "p0.toml").write_text(paper("p0", "Title X"))
        age(collection)
    made = []
    monkeypatch.setattr(forked_stamp.FilesCheck, "catalog", spy(forked_stamp.FilesCheck.catalog, made))
    catalog, index = context.load(None, lambda read, total: None)
    assert made == [True]  # the child's way was taken
    assert index.catalog is catalog
    assert {p.id: p.title for p in index.papers}["p0"] == ("Title X" if changed else "Title 0")


def spy(method, calls):
    def called(self, meanwhile=None):
        calls.append(meanwhile is not None)
        return method(self, meanwhile)

    return called


def test_the_stored_key_is_read_without_the_rest_of_the_head(collection, tmp_path, monkeypatch):
    """Read at every start before the snapshot: only the key's own pickle is unpickled."""
    store = tmp_path / "cache"
    load_catalog_cached([collection], store)
    where = snapshot.snapshot_path(store, [str(collection)])
    loads = []
    real = snapshot.trust.reader

    @contextlib.contextmanager
    def counted(path):
        with real(path) as load:
            yield lambda: loads.append(load()) or loads[-1]

    monkeypatch.setattr(snapshot.trust, "reader", counted)
    assert snapshot.stored_key(where) == here_key([collection])
    assert loads == [here_key([collection])]


def test_after_a_miss_the_load_takes_the_child_s_key_plan_and_digests(collection, tmp_path, monkeypatch, fork_always):
    """No stamp, plan or digest of the files is worked out here: the child sent them, and
    the catalog is the files'."""
    store = tmp_path / "cache"
    load_catalog_cached([collection], store)
    (collection / "p0.toml").write_text(paper("p0", "Title X"))
    age(collection)
    parent = os.getpid()
    here = []

    def counted(module, name):
        real = getattr(module, name)

        def called(*given):
            if os.getpid() == parent:
                here.append(name)
            return real(*given)

        monkeypatch.setattr(module, name, called)

    counted(snapshot, "stamp")
    counted(small_files, "plan")
    counted(small_files, "_digest")
    reloaded = load_catalog_cached([collection], store)
    assert summary(reloaded) == summary(load_catalog([collection]))
    assert here == []
    assert reloaded.derived["snapshot"][1] == here_key([collection])


def test_after_a_miss_the_files_are_put_in_order_while_the_child_plans(collection, tmp_path, monkeypatch, fork_always):
    """The stale catalog is let go and the files' list made before the plan is waited for:
    the load that follows makes neither."""
    store = tmp_path / "cache"
    load_catalog_cached([collection], store)
    (collection / "p0.toml").write_text(paper("p0", "Title Y"))
    age(collection)

    class Marker:
        pass

    stale: list[weakref.ref] = []

    def meanwhile(catalog):
        marker = Marker()
        catalog.derived["test marker"] = marker
        stale.append(weakref.ref(marker))

    real_message = forked_stamp.PendingKey.message
    alive_at_plan: list[bool] = []

    def message(pending):
        found = real_message(pending)
        if isinstance(found, small_files.Planned):
            alive_at_plan.append(stale[0]() is not None)
        return found

    monkeypatch.setattr(forked_stamp.PendingKey, "message", message)
    check = check_files([collection], store)
    assert check is not None
    assert check.catalog(meanwhile) is None
    assert alive_at_plan == [False]
    assert check.missed is not None
    assert check.missed.files == check.missed.scanned.files()
    monkeypatch.setattr(Scan, "files", lambda found: pytest.fail("files listed again"))
    loaded = load_catalog_cached([collection], store, check=check)
    monkeypatch.undo()
    assert summary(loaded) == summary(load_catalog([collection]))


def test_a_hit_reads_no_bucket_and_leaves_no_child(collection, tmp_path, monkeypatch, fork_always):
    """A start whose snapshot holds does no work for a miss."""
    store = tmp_path / "cache"
    first = load_catalog_cached([collection], store)
    check = check_files([collection], store)
    assert check is not None
    monkeypatch.setattr(small_files, "_stored", lambda path: pytest.fail(f"read {path}"))
    found = check.catalog()
    assert found is not None and summary(found) == summary(first)
    assert check.missed is None and gone(check._pending._pid)


@pytest.mark.parametrize("dies_in", ["keep", "planned"])
def test_a_child_that_dies_after_its_key_leaves_a_right_load(collection, tmp_path, monkeypatch, fork_always, dies_in):
    """Dead before its scan was sent, the files are scanned here; before its plan, they are
    planned here."""
    store = tmp_path / "cache"
    load_catalog_cached([collection], store)
    (collection / "sub" / "p1.toml").write_text(paper("p1", "Title Z"))
    age(collection)
    parent = os.getpid()

    def dies(*given):
        if os.getpid() != parent:
            os._exit(1)

    if dies_in == "keep":
        monkeypatch.setattr(forked_stamp, "keep", dies)
    else:
        monkeypatch.setattr(small_files, "planned", dies)
    check = check_files([collection], store)
    assert check is not None
    assert check.catalog() is None and gone(check._pending._pid)
    assert (check.missed is None) == (dies_in == "keep")
    assert check.missed is None or check.missed.planned is None
    loaded = load_catalog_cached([collection], store, check=check)
    assert summary(loaded) == summary(load_catalog([collection]))
