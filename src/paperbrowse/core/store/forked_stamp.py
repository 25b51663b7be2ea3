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
scan), then the small files' plan and runs' digests (0.35 s of passes over every file, while
this process rebuilds the scan, lets the stale catalog go and puts the files in order, 0.5 s
that came after the plan until 2026-12-04): the load reads the files from what the child
sent, with no scan, stamp, plan, digest or list of files of its own. The key comes alone first: a miss is known as soon
as the stats are. (Tried: unpickling the small files' buckets while the child plans. The load
was 0.4 s shorter, but the papers it made lay scattered among the freed rows, and the word
indexes built from them next took a second longer; and before the key came, a start whose
snapshot holds read buckets for nothing, 0.12 s.)

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
import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final

from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.rescan import KeptScan, keep, rebuilt
from paperbrowse.core.records.scan import DataFile, Scan, scan
from paperbrowse.core.store import small_files, snapshot, trust


class PendingKey:
    """A child taking the key. It sends, each as its own message, the files' key (None: a file
    could not be looked at), and when that is not the key expected, the scan in its kept form
    (None when it has none: see `records.rescan.keep`), then the small files' plan and runs'
    digests (`small_files.Planned`). The key comes first and alone: a miss is known the moment
    the stats are."""

    def __init__(self, pid: int, pipe: int) -> None:
        self._pid = pid
        self._pipe = pipe
        self._reaped = False  # once reaped, the pid may be another process's: never signalled

    def message(self) -> Any:
        """The child's next message; `END` when it sent no more (or failed)."""
        head = self._read(_HEAD)
        if head is None:
            return END
        data = self._read(int.from_bytes(head, "little"))
        if data is None:
            return END
        try:
            return pickle.loads(data)
        except Exception:
            return END

    def abandon(self) -> None:
        """Stop and reap the child: its messages are read, or no longer wanted (the caller
        failed meanwhile, or did not load the papers); nothing once it was reaped."""
        if self._reaped:
            return
        self._reaped = True
        with contextlib.suppress(OSError):
            os.kill(self._pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.close(self._pipe)
        with contextlib.suppress(OSError):
            os.waitpid(self._pid, 0)

    def _read(self, count: int) -> bytes | None:
        chunks: list[bytes] = []
        while count:
            try:
                chunk = os.read(self._pipe, min(count, 1 << 20))
            except OSError:
                return None
            if not chunk:
                return None
            chunks.append(chunk)
            count -= len(chunk)
        return b"".join(chunks)


END: Final = object()  # `PendingKey.message` when there is no more
_HEAD = 8  # the bytes of a message's length


def _send(stream: BinaryIO, value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(_HEAD, "little"))
    stream.write(data)
    stream.flush()  # now: the key is waited for


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
            with open(writing, "wb") as stream:
                _send(stream, key)
                if key != expected:
                    kept = keep(found)
                    _send(stream, kept)
                    if kept is not None:
                        _send(stream, small_files.planned(found.files()))
            code = 0
        finally:
            os._exit(code)
    os.close(writing)
    return PendingKey(pid, reading)


@dataclass
class Missed:
    """What the child found when the snapshot no longer held: the files' scan (rebuilt from
    its kept form), its files in order (`Scan.files`) and key, and the small files' plan and
    runs' digests (None: it sent none)."""

    scanned: Scan
    files: list[DataFile]
    key: snapshot.SnapshotKey | None
    planned: small_files.Planned | None = None


class FilesCheck:
    """A child taking the data files' key while this process reads the snapshot; started by
    `check`, ended by the load handed it."""

    def __init__(self, where: Path, stored: snapshot.SnapshotKey, pending: PendingKey) -> None:
        self.where = where
        self.stored = stored
        self._pending = pending
        self.missed: Missed | None = None  # after a miss: what the child found

    def catalog(self, meanwhile: Callable[[Catalog], None] | None = None) -> Catalog | None:
        """The snapshot, read meanwhile, if the child's key is its key; else None, and what
        the child found in `missed` (when it could send it). `meanwhile` is handed the
        snapshot's catalog before the wait for the key."""
        try:
            found = snapshot.load_snapshot(self.where, self.stored)
            if found is not None and meanwhile is not None:
                meanwhile(found)
            key = self._pending.message()
            if found is not None and key == self.stored:
                found.derived["snapshot"] = (self.where, self.stored)
                return found
            # Let go now, while the child plans: 0.1 s of freeing at 100,000 papers, which
            # otherwise came between the child's plan and the read of the files.
            found = None
            if key is not END:
                self._missed(key)
            return None
        finally:
            self._pending.abandon()

    def _missed(self, key: snapshot.SnapshotKey | None) -> None:
        """After a miss: the child's scan, rebuilt here and its files put in order (0.4-0.5 s
        at 100,000 files, the sort of their names most of it) while it plans the small files,
        then its plan and digests."""
        kept = self._pending.message()
        if not isinstance(kept, KeptScan):
            return  # none sent: the load scans the files itself
        scanned = rebuilt(kept)
        files = scanned.files()
        planned = self._pending.message()
        self.missed = Missed(scanned, files, key, planned if isinstance(planned, small_files.Planned) else None)

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
