"""The data files' key, taken by a forked child while this process reads the snapshot.

A warm start is two halves that need nothing of each other: a stat of every data file, to
tell whether the snapshot still holds, and the unpickling of the snapshot. At 100,000
one-paper files the stats are 0.4-0.5 s of system calls (2-4 us each on a virtual machine,
whatever Python does around them) and the unpickling 0.3 s: one after the other, they were
most of what one-paper files cost over files of 1,000 papers. Threads would not share the
work: each stat takes the interpreter back to build its result. A forked child takes the
stats on another core, and hands back only the key (a digest, a few hundred bytes): when it
is the snapshot's, the catalog read meanwhile is the answer. When it is not (the files
changed), the child sends its scan too, in the kept form a reload starts from (names and a
few arrays: 7 MB at 100,000 files, read back and rebuilt in about 0.1 s against 0.5 s for a
scan): the load reads the files from it instead of scanning them again.

Forked only with a second processor to run on (on one, the two would only take turns), and
only from a process running one thread: a fork copies only the thread that calls it, and a
lock another thread holds stays held in the child for good. The child touches no lock of the
parent's anyway (it scans, hashes and writes to a pipe), and leaves by `os._exit`: no
buffered output written twice, no exit handler of the parent's run.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.rescan import KeptScan, keep, rebuilt
from paperbrowse.core.records.scan import Scan, scan
from paperbrowse.core.store import small_files, snapshot, trust


class Checked(NamedTuple):
    """What the child found: the files' key (None: a file could not be looked at), and, when
    that is not the key expected, the scan in its kept form (None when it has none: see
    `records.rescan.keep`)."""

    key: snapshot.SnapshotKey | None
    kept: KeptScan | None


class PendingKey:
    """A child taking the key; `result` waits for it."""

    def __init__(self, pid: int, pipe: int) -> None:
        self._pid = pid
        self._pipe = pipe
        self._reaped = False  # once reaped, the pid may be another process's: never signalled

    def ready(self) -> bool:
        """Whether `result` would not wait long: the child has begun to answer (or died)."""
        return bool(select.select([self._pipe], [], [], 0)[0])

    def result(self) -> Checked | None:
        """What the child found; None when it failed."""
        try:
            with open(self._pipe, "rb") as stream:
                data = stream.read()
        finally:
            _, status = os.waitpid(self._pid, 0)
            self._reaped = True
        if status != 0 or not data:
            return None
        with contextlib.suppress(Exception):
            found = pickle.loads(data)
            return found if isinstance(found, Checked) else None
        return None

    def abandon(self) -> None:
        """Stop the child, when its key is no longer wanted (the caller failed meanwhile, or
        did not load the papers); nothing once `result` has reaped it."""
        if self._reaped:
            return
        self._reaped = True
        with contextlib.suppress(OSError):
            os.kill(self._pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.close(self._pipe)
        with contextlib.suppress(OSError):
            os.waitpid(self._pid, 0)


def can_fork() -> bool:
    """Whether a child would pay (a second processor to run on) and is safe (one thread here)."""
    return hasattr(os, "fork") and processors() > 1 and threading.active_count() == 1


def processors() -> int:
    """The processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def start(sources: Sequence[str], expected: snapshot.SnapshotKey | None = None) -> PendingKey | None:
    """A child scanning `sources` for their key, and sending its scan too when the key is not
    `expected`; None when this process cannot fork safely."""
    if not can_fork():
        return None
    reading, writing = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reading)
        os.close(writing)
        return None
    if pid == 0:  # the child
        code = 1
        try:
            os.close(reading)
            found = scan(sources)
            stamped = snapshot.stamp(found)
            key = None if stamped is None else (*stamped, tuple((p.file, p.message) for p in found.problems))
            checked = Checked(key, None if key == expected else keep(found))
            with open(writing, "wb") as stream:
                stream.write(pickle.dumps(checked, protocol=pickle.HIGHEST_PROTOCOL))
            code = 0
        finally:
            os._exit(code)
    os.close(writing)
    return PendingKey(pid, reading)


class FilesCheck:
    """A child taking the data files' key while this process reads the snapshot; started by
    `check`, ended by the load handed it."""

    def __init__(self, where: Path, stored: snapshot.SnapshotKey, pending: PendingKey) -> None:
        self.where = where
        self.stored = stored
        self._pending = pending
        self.scanned: Scan | None = None  # after a miss: the files as the child found them
        self.key: snapshot.SnapshotKey | None = None  # ... and their key
        self.read_ahead: dict[Path, small_files.Stored] = {}  # ... and the buckets read meanwhile

    def catalog(self, meanwhile: Callable[[Catalog], None] | None = None) -> Catalog | None:
        """The snapshot, read meanwhile, if the child's key is its key; else None. `meanwhile`
        is handed the snapshot's catalog before the wait for the key."""
        try:
            found = snapshot.load_snapshot(self.where, self.stored)
            if found is not None and meanwhile is not None:
                meanwhile(found)
            self._read_ahead()
        except BaseException:
            self._pending.abandon()
            raise
        checked = self._pending.result()
        if found is not None and checked is not None and checked.key == self.stored:
            found.derived["snapshot"] = (self.where, self.stored)
            self.read_ahead.clear()
            return found
        if checked is not None and checked.kept is not None:  # a miss: the files are read from it
            self.scanned = rebuilt(checked.kept)
            self.key = checked.key
        return None

    def _read_ahead(self) -> None:
        """The small files' buckets read while the child is still at work, a bucket at a time
        until it answers. A miss reads them all (unpickling them was a third of a load at
        100,000 one-paper files), and the child's stats, on the other processor, took longer
        than the snapshot's read: the wait was idle. A hit wastes at most one bucket's read."""
        folder, group = self.where.parent, self.where.stem.removeprefix("snapshot-")
        for bucket in range(small_files.BUCKETS):
            if self._pending.ready():
                return
            path = small_files.bucket_path(folder, group, bucket)
            self.read_ahead[path] = small_files.read_bucket(path)

    def abandon(self) -> None:
        self._pending.abandon()


def check(sources: Iterable[str | os.PathLike[str]], folder: Path | None) -> FilesCheck | None:
    """A child started now on the files' key, for `store.cache`'s load to take (as `check`):
    the sooner it starts, the more of this process's own work it runs beside. `folder`: the
    cache folder (None: no cache). None when the snapshot holds too few files for a child to
    pay (FORK_FROM) or none can be forked here (`can_fork`)."""
    usable = trust.usable_folder(folder)
    if usable is None or not can_fork():
        return None
    where = snapshot.snapshot_path(usable, [str(source) for source in sources])
    stored = snapshot.stored_key(where)
    if stored is None or stored[snapshot.FILES] < FORK_FROM:
        return None
    pending = start([str(source) for source in sources], stored)
    return None if pending is None else FilesCheck(where, stored, pending)


# Files: below this, the stats take less than a fork and a wait for a child (about 2 ms for
# 5,000 files against a process of 100 MB, whose page tables the fork copies).
FORK_FROM = 5000
