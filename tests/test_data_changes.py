"""The data files' watcher (`core.files.changes`): every kind of change is noticed, through inotify
and through the polling it falls back to; nothing changing costs no look at the files; closing
it gives the kernel its watches back."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from paperbrowse.core.files import changes
from paperbrowse.core.files.changes import ChangeWatcher, same, signature
from paperbrowse.core.records.loader import find_files

MODES = ["inotify", "polling"]
needs_inotify = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")


def record(paper_id: str, title: str) -> str:
    return f'[[paper]]\nid = "{paper_id}"\ntitle = "{title}"\n'


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.toml").write_text(record("one", "First title"))
    (folder / "b.toml").write_text(record("two", "Second title"))
    return folder


def watching(sources: list[Path], mode: str, **kwargs: object) -> ChangeWatcher:
    """A watcher that has taken its first look, through the given means for sure."""
    if mode == "inotify" and not sys.platform.startswith("linux"):
        pytest.skip("inotify is Linux's")
    watcher = ChangeWatcher([str(s) for s in sources], inotify=mode == "inotify", **kwargs)  # type: ignore[arg-type]
    assert watcher.changed() is False  # the first question only starts watching
    assert watcher.polling is (mode == "polling"), watcher.fallback
    return watcher


def asked(watcher: ChangeWatcher) -> bool:
    """Ask as the browser's check does (polling: look now, not when the next look is due)."""
    return watcher.changed(now=True)


def edit_in_place(path: Path, old: bytes, new: bytes) -> None:
    """Rewrite the file where it is with as many bytes, and give it back its size and mtime to
    the nanosecond: what a file system with coarse times shows after an edit in the same tick."""
    assert len(old) == len(new)
    before = path.stat()
    data = path.read_bytes()
    with open(path, "r+b") as file:
        file.write(data.replace(old, new))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("written", ["just now", "long ago"])
def test_an_edit_in_place_of_the_same_size_and_time_is_noticed(
    data: Path, mode: str, written: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if written == "long ago":  # not a file changed just before the look, whose contents it reads
        later = time.time_ns() + changes.RACY_NS + 10**9
        monkeypatch.setattr(changes.time, "time_ns", lambda: later)
    with watching([data], mode) as watcher:
        edit_in_place(data / "a.toml", b"First", b"Fresh")
        assert asked(watcher) is True
        assert asked(watcher) is False  # told once


@pytest.mark.parametrize("mode", MODES)
def test_a_new_file_is_noticed(data: Path, mode: str) -> None:
    with watching([data], mode) as watcher:
        (data / "c.toml").write_text(record("three", "Third"))
        assert asked(watcher) is True
        assert asked(watcher) is False


@pytest.mark.parametrize("mode", MODES)
def test_a_deleted_file_is_noticed(data: Path, mode: str) -> None:
    with watching([data], mode) as watcher:
        (data / "b.toml").unlink()
        assert asked(watcher) is True
        assert asked(watcher) is False


@pytest.mark.parametrize("mode", MODES)
def test_a_renamed_file_is_noticed(data: Path, mode: str) -> None:
    with watching([data], mode) as watcher:
        (data / "b.toml").rename(data / "renamed.toml")
        assert asked(watcher) is True
        assert asked(watcher) is False


@pytest.mark.parametrize("mode", MODES)
def test_a_new_subfolder_and_then_edits_inside_it_are_noticed(data: Path, mode: str) -> None:
    with watching([data], mode) as watcher:
        (data / "2024" / "may").mkdir(parents=True)
        (data / "2024" / "may" / "c.toml").write_text(record("three", "Third title"))
        assert asked(watcher) is True
        assert asked(watcher) is False
        # The new folder is watched now: an edit there, a file added there, are noticed too.
        edit_in_place(data / "2024" / "may" / "c.toml", b"Third", b"Fifth")
        assert asked(watcher) is True
        (data / "2024" / "may" / "d.toml").write_text(record("four", "Fourth"))
        assert asked(watcher) is True
        (data / "2024" / "may" / "d.toml").unlink()
        assert asked(watcher) is True
        assert asked(watcher) is False


@pytest.mark.parametrize("mode", MODES)
def test_a_folder_moved_in_a_file_touched_and_a_chmod_are_noticed(data: Path, tmp_path: Path, mode: str) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "e.toml").write_text(record("five", "Fifth"))
    with watching([data], mode) as watcher:
        elsewhere.rename(data / "moved-in")
        assert asked(watcher) is True
        edit_in_place(data / "moved-in" / "e.toml", b"Fifth", b"Sixth")
        assert asked(watcher) is True
        (data / "moved-in").rename(tmp_path / "moved-out")
        assert asked(watcher) is True
        edit_in_place(tmp_path / "moved-out" / "e.toml", b"Sixth", b"Fifth")
        assert asked(watcher) is False  # out of the data folder: none of its business any more
        os.utime(data / "a.toml", (time.time() + 5, time.time() + 5))
        assert asked(watcher) is True
        (data / "a.toml").chmod(0o600)
        assert asked(watcher) is True
        assert asked(watcher) is False


@pytest.mark.parametrize("mode", MODES)
def test_files_the_loader_skips_are_not_changes(data: Path, mode: str) -> None:
    with watching([data], mode) as watcher:
        (data / ".a.toml.swp").write_text("vim")
        (data / "notes.txt").write_text("a note")
        (data / "a.toml~").write_text("a backup")
        (data / ".git").mkdir()
        (data / ".git" / "x.toml").write_text(record("x", "Hidden"))
        (data / ".git" / "x.toml").write_text(record("x", "Hidden, edited"))
        assert asked(watcher) is False


@pytest.mark.parametrize("mode", MODES)
def test_a_linked_file_changes_where_it_points(data: Path, tmp_path: Path, mode: str) -> None:
    target = tmp_path / "synced" / "linked.toml"
    target.parent.mkdir()
    target.write_text(record("six", "Linked title"))
    (data / "linked.toml").symlink_to(target)
    with watching([data], mode) as watcher:
        edit_in_place(target, b"Linked", b"Looked")
        assert asked(watcher) is True
        replacement = target.with_name("new.toml")
        replacement.write_text(record("six", "Replaced"))
        replacement.replace(target)  # as editors save: a new file renamed over the old
        assert asked(watcher) is True
        assert asked(watcher) is False


@pytest.mark.parametrize("mode", MODES)
def test_a_file_source_and_a_source_that_is_not_there_yet(tmp_path: Path, mode: str) -> None:
    single = tmp_path / "one.toml"
    single.write_text(record("one", "First title"))
    later = tmp_path / "not" / "yet"
    with watching([single, later], mode) as watcher:
        edit_in_place(single, b"First", b"Fresh")
        assert asked(watcher) is True
        (tmp_path / "beside.toml").write_text("not a source")
        assert asked(watcher) is False
        later.mkdir(parents=True)
        assert asked(watcher) is True
        (later / "c.toml").write_text(record("three", "Third"))
        assert asked(watcher) is True
        assert asked(watcher) is False


@pytest.mark.parametrize("mode", MODES)
def test_a_data_folder_deleted_and_made_again(data: Path, mode: str) -> None:
    with watching([data], mode) as watcher:
        for path in data.iterdir():
            path.unlink()
        data.rmdir()
        assert asked(watcher) is True
        data.mkdir()
        assert asked(watcher) is True
        (data / "a.toml").write_text(record("one", "Back"))
        assert asked(watcher) is True
        assert asked(watcher) is False


@pytest.mark.parametrize("mode", MODES)
def test_known_files_from_before_the_watch_started(data: Path, mode: str) -> None:
    """A collection loaded elsewhere: changes since its signature was taken count, none don't."""
    if mode == "inotify" and not sys.platform.startswith("linux"):
        pytest.skip("inotify is Linux's")
    known = signature([str(data)])
    with ChangeWatcher([str(data)], known, inotify=mode == "inotify") as watcher:
        assert watcher.changed() is False
    edit_in_place(data / "a.toml", b"First", b"Fresh")
    with ChangeWatcher([str(data)], known, inotify=mode == "inotify") as watcher:
        assert watcher.changed() is True
        assert watcher.changed(now=True) is False


def test_a_recent_file_is_read_so_that_an_edit_keeping_every_stat_still_counts(data: Path) -> None:
    """A file system whose clock ticks in seconds can show the same stat after a second edit:
    files changed just before a look are read, and the next look reads them again."""
    before = signature([str(data)])
    assert sorted(Path(path).name for path, _ in before.recent) == ["a.toml", "b.toml"]
    again = signature([str(data)], changes.recent(before))
    assert same(before, again)
    (data / "a.toml").write_text(record("one", "Fresh title"))
    edited = signature([str(data)], changes.recent(before))
    # The same stats, as such a file system could show them: only the contents tell.
    assert not same(before, edited._replace(stats=before.stats))
    assert not same(before._replace(complete=False), again)  # more recent files than were read


def test_files_not_changed_lately_are_not_read(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    later = time.time_ns() + changes.RACY_NS + 10**9  # the files' ctime cannot be set back: "now" moves on
    monkeypatch.setattr(changes.time, "time_ns", lambda: later)
    opened: list[object] = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, *args: opened.append(path) or real_open(path, *args))
    assert signature([str(data)]).recent == ()
    assert opened == []


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Looks:
    """Counts the folders listed and the files stat'ed by path: every look at the files."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, clock: Clock | None = None, cost: float = 0.0) -> None:
        self.count = 0
        real_scandir, real_stat = os.scandir, os.stat

        def scandir(path: str = ".") -> object:
            self.count += 1
            if clock is not None:
                clock.now += cost
            return real_scandir(path)

        def stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
            self.count += 1
            return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "scandir", scandir)
        monkeypatch.setattr(os, "stat", stat)


def test_polling_waits_and_nothing_changing_costs_no_look(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    looks = Looks(monkeypatch)
    with watching([data], "polling", clock=clock) as watcher:
        assert looks.count > 0
        looks.count = 0
        for _ in range(100):
            assert not watcher.pending()
            assert watcher.changed() is False
            clock.now += changes.MIN_INTERVAL / 200
        assert looks.count == 0  # not due: the files were not looked at
        (data / "c.toml").write_text(record("three", "Third"))
        clock.now += changes.MIN_INTERVAL
        assert watcher.pending()
        assert watcher.changed() is True
        assert looks.count > 0


def test_polling_waits_twenty_times_as_long_as_a_look_costs(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    Looks(monkeypatch, clock, cost=1.5)  # each folder listed takes 1.5 s of processor time
    with watching([data], "polling", clock=clock, timer=clock) as watcher:
        assert watcher.interval == pytest.approx(changes.COST_FACTOR * 1.5)
        (data / "c.toml").write_text(record("three", "Third"))
        clock.now += 29.0
        assert not watcher.pending() and watcher.changed() is False  # 29 s of 30: not yet
        clock.now += 1.0
        assert watcher.pending() and watcher.changed() is True


def test_a_look_slowed_by_other_threads_is_not_counted_as_its_cost(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """1.5 s of wall time but no processor time: the look waited for the others (the GIL, a
    slow disk), which costs nothing; it waits twice that, no more, before looking again."""
    clock = Clock()
    Looks(monkeypatch, clock, cost=1.5)
    with watching([data], "polling", clock=clock, timer=lambda: 0.0) as watcher:
        assert watcher.interval == pytest.approx(changes.MIN_INTERVAL)
    monkeypatch.undo()
    Looks(monkeypatch, clock, cost=5.0)
    with watching([data], "polling", clock=clock, timer=lambda: 0.0) as watcher:
        assert watcher.interval == pytest.approx(changes.WAIT_FACTOR * 5.0)


@needs_inotify
def test_inotify_with_nothing_changing_costs_no_look(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    looks = Looks(monkeypatch)
    with watching([data], "inotify") as watcher:
        looks.count = 0
        for _ in range(100):
            assert not watcher.pending()
            assert watcher.changed(now=True) is False
        (data / "notes.txt").write_text("not a data file")
        assert watcher.pending()  # an event, if one of no interest
        assert watcher.changed() is False
        assert looks.count == 0


def inotify_descriptors() -> int:
    count = 0
    for name in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # closed meanwhile (the listing's own descriptor)
            count += os.readlink(f"/proc/self/fd/{name}") == "anon_inode:inotify"
    return count


@needs_inotify
def test_closing_gives_the_watches_back(data: Path) -> None:
    before = inotify_descriptors()
    watcher = watching([data], "inotify")
    assert inotify_descriptors() == before + 1
    watcher.close()
    assert inotify_descriptors() == before
    watcher.close()  # twice is fine
    assert not watcher.pending() and watcher.changed() is False
    (data / "c.toml").write_text(record("three", "Third"))
    assert watcher.changed(now=True) is False  # closed: it says nothing any more


@needs_inotify
def test_closing_while_a_question_runs_gives_them_back_when_it_ends(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = inotify_descriptors()
    watcher = watching([data], "inotify")
    inside, go_on = threading.Event(), threading.Event()
    real_read = changes._Inotify.read

    def slow_read(self: changes._Inotify) -> bool:
        inside.set()
        go_on.wait(5)
        return real_read(self)

    monkeypatch.setattr(changes._Inotify, "read", slow_read)
    asking = threading.Thread(target=watcher.changed)
    asking.start()
    assert inside.wait(5)
    watcher.close()
    assert inotify_descriptors() == before + 1  # still reading it
    go_on.set()
    asking.join(5)
    assert inotify_descriptors() == before


class FullKernel(changes._Kernel):
    """The system's limit of watches reached after `room` more."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    def add_watch(self, descriptor: int, path: str, mask: int) -> int:
        if self.room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        self.room -= 1
        return super().add_watch(descriptor, path, mask)


@needs_inotify
def test_the_watch_limit_falls_back_to_polling(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = inotify_descriptors()
    monkeypatch.setattr(changes, "_the_kernel", lambda: FullKernel(room=0))
    with ChangeWatcher([str(data)]) as watcher:
        assert watcher.changed() is False
        assert watcher.polling
        assert watcher.fallback is not None and "fs.inotify.max_user_watches" in watcher.fallback
        assert inotify_descriptors() == before  # the half-made watch was given back
        edit_in_place(data / "a.toml", b"First", b"Fresh")
        assert watcher.changed(now=True) is True


@needs_inotify
def test_reaching_the_limit_later_falls_back_and_reports_a_change(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = inotify_descriptors()
    monkeypatch.setattr(changes, "_the_kernel", lambda: FullKernel(room=1))
    with ChangeWatcher([str(data)]) as watcher:
        assert watcher.changed() is False
        assert not watcher.polling
        (data / "sub").mkdir()  # one more folder to watch: over the limit
        assert watcher.changed() is True
        assert watcher.polling and watcher.fallback is not None
        assert inotify_descriptors() == before
        (data / "sub" / "c.toml").write_text(record("three", "Third"))
        assert watcher.changed(now=True) is True
        assert watcher.changed(now=True) is False


@needs_inotify
def test_no_inotify_at_all_falls_back_to_polling(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> changes._Kernel:
        raise changes._Unavailable("this system has no inotify (test)")

    monkeypatch.setattr(changes, "_the_kernel", missing)
    with ChangeWatcher([str(data)]) as watcher:
        assert watcher.changed() is False and watcher.polling
        assert watcher.fallback == "this system has no inotify (test)"
        (data / "b.toml").unlink()
        assert watcher.changed(now=True) is True


@needs_inotify
def test_lost_events_count_as_a_change(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with watching([data], "inotify") as watcher:
        monkeypatch.setattr(changes, "_events", lambda data: iter([(-1, changes.IN_Q_OVERFLOW, b"")]))
        (data / "notes.txt").write_text("something to read")
        assert watcher.changed() is True
        monkeypatch.undo()
        (data / "c.toml").write_text(record("three", "Third"))  # watched again after the overflow
        assert watcher.changed() is True


def test_the_watcher_looks_at_the_files_the_loader_reads(tmp_path: Path) -> None:
    """`changes` repeats `find_files`'s rule (it sits below `records`): a change to each file the
    loader reads changes the signature, a change to any other file does not."""
    data = tmp_path / "data"
    (data / "nested" / "deeper").mkdir(parents=True)
    (data / ".hidden").mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.toml").write_text("o")
    (data / "linked-folder").symlink_to(outside, target_is_directory=True)
    (tmp_path / "target.toml").write_text("t")
    (data / "linked.toml").symlink_to(tmp_path / "target.toml")
    for name in ["a.toml", "nested/b.toml", "nested/deeper/c.toml", "x.txt", ".h.toml", ".hidden/d.toml", "e.TOML"]:
        (data / name).write_text(name)
    single = tmp_path / "single.txt"
    single.write_text("a file named as a source is read whatever its name")
    sources = [str(data), str(single)]
    loaded, _ = find_files(sources)
    every = [p for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink()]
    read = {p.resolve() for p in loaded}
    assert {p.name for p in read} == {"a.toml", "b.toml", "c.toml", "target.toml", "single.txt"}
    for path in every:
        before = signature(sources)
        stamp = time.time() - 3600 * (1 + every.index(path))
        os.utime(path, (stamp, stamp))
        after = signature(sources)
        assert (after.stats != before.stats) is (path.resolve() in read), path


class RefusingKernel(changes._Kernel):
    """Refuses to watch the folders in `refused`, as the kernel does a folder one may not read."""

    def __init__(self, refused: set[str]) -> None:
        super().__init__()
        self.refused = refused

    def add_watch(self, descriptor: int, path: str, mask: int) -> int:
        if path in self.refused:
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), path)
        return super().add_watch(descriptor, path, mask)


@needs_inotify
def test_a_data_folder_not_readable_yet_is_watched_once_it_is(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kernel = RefusingKernel({str(data)})
    monkeypatch.setattr(changes, "_the_kernel", lambda: kernel)
    with watching([data], "inotify") as watcher:
        kernel.refused.clear()
        data.chmod(0o755)  # readable now: an event for its parent, which watches for it
        assert watcher.changed() is True
        edit_in_place(data / "a.toml", b"First", b"Fresh")
        assert watcher.changed() is True
        assert watcher.changed() is False


def mount_table(tmp_path: Path, lines: list[str]) -> str:
    table = tmp_path / "mountinfo"
    table.write_text("".join(f"{n} 1 0:{n} / {line}\n" for n, line in enumerate(lines, 30)))
    return str(table)


@needs_inotify
@pytest.mark.parametrize(
    ("kind", "polled"),
    [("nfs4", True), ("cifs", True), ("9p", True), ("fuse.sshfs", True), ("fuseblk", False), ("ext4", False)],
)
def test_a_file_system_other_machines_change_is_polled(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, polled: bool
) -> None:
    """inotify hears only this machine's changes: where others write too, the files are looked at."""
    mounted = str(tmp_path.resolve()).replace(" ", "\\040")
    table = mount_table(tmp_path, ["/ rw - ext4 /dev/vda rw", f"{mounted} rw,relatime - {kind} server:/papers rw"])
    monkeypatch.setattr(changes, "_MOUNTINFO", table)
    with ChangeWatcher([str(data)]) as watcher:
        assert watcher.changed() is False
        assert watcher.polling is polled
        assert watcher.fallback is None  # not a failure to tell
        assert (f"is on {kind}" in watcher.how) is polled
        edit_in_place(data / "a.toml", b"First", b"Fresh")
        assert watcher.changed(now=True) is True


def test_the_mount_table_innermost_mount_and_escapes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = mount_table(
        tmp_path,
        ["/ rw - ext4 /dev/vda rw", "/mnt/lab rw - nfs4 srv:/lab rw", "/mnt/lab/my\\040disk rw - ext4 /dev/vdb rw"],
    )
    monkeypatch.setattr(changes, "_MOUNTINFO", table)
    monkeypatch.setattr(changes.os.path, "realpath", lambda path: path)
    monkeypatch.setattr(changes.os.path, "exists", lambda path: True)
    assert changes._shared_file_system(["/mnt/lab/papers"]) == "/mnt/lab/papers is on nfs4"
    assert changes._shared_file_system(["/mnt/lab/my disk/papers"]) is None
    assert changes._shared_file_system(["/mnt/laboratory"]) is None
    assert changes._shared_file_system(["/home/me", "/mnt/lab"]) == "/mnt/lab is on nfs4"
    monkeypatch.setattr(changes, "_MOUNTINFO", str(tmp_path / "none"))
    assert changes._shared_file_system(["/mnt/lab/papers"]) is None
