"""Noticing that the data files changed, cheaply enough to ask every few seconds at 100,000 files.

On Linux the kernel tells (inotify, through ctypes): every data folder is watched, new
subfolders too, and asking is reading the events queued since, which costs nothing when nothing
happened. Elsewhere, on a file system that other machines change too (NFS, SMB, a virtual
machine's share: the kernel here hears nothing of their changes), or when inotify cannot be had
(the limit `fs.inotify.max_user_watches` is reached), the files are looked at: one stat each,
from `os.scandir`, and no more often than keeps that to a twentieth of one core (a look of 0.5 s:
every 10 s).

The files are those `records.loader.find_files` reads: each file source, and the `*.toml` files
under each folder source, hidden names and linked subfolders skipped. `files` sits below
`records`, so the rule is repeated here; a test holds the two equal.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import hashlib
import os
import re
import select
import stat
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

MIN_INTERVAL = 3.0  # seconds between two looks at the files, however fast a look is
COST_FACTOR = 20.0  # ... and at least this many times the processor time the last look took,
WAIT_FACTOR = 2.0  # ... and this many times its wall time: a slow file system is not looked at back to back

# A file changed less than this before a look may change again within the same tick of its
# file system's clock (FAT keeps two seconds) and keep every stat field: its contents are read.
RACY_NS = 2_000_000_000
_RECENT_FILES = 256  # beyond these (or bytes), a look cannot vouch for recent files: "changed"
_RECENT_BYTES = 32 << 20


class Signature(NamedTuple):
    """What the data files looked like at one moment; `same` compares two.

    A tuple, so that it travels where the signature used to be a plain tuple. Its hash of the
    stats is Python's, salted per process: compare signatures taken by the same process only.
    """

    stats: int  # every file's name, size, mtime, ctime and inode, every folder, every missing source
    recent: tuple[tuple[str, bytes], ...]  # the contents' digest of files changed just before the look
    complete: bool  # False: more recent files than were read, so equal stats prove nothing


def signature(sources: Iterable[str | os.PathLike[str]], recheck: Iterable[str] = ()) -> Signature:
    """Look at the files now; `recheck`: files to read even if no longer recent (a former look's)."""
    since = time.time_ns() - RACY_NS
    parts: list[int] = []
    recent: list[str] = []
    for source in sources:
        name = os.fspath(source)
        try:
            info = os.stat(name)
        except (OSError, ValueError):
            parts.append(hash(("missing", name)))
            continue
        if stat.S_ISDIR(info.st_mode):
            _look_at_tree(name, parts, recent, since)
        elif stat.S_ISREG(info.st_mode):
            parts.append(hash((name, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)))
            if max(info.st_mtime_ns, info.st_ctime_ns) >= since:
                recent.append(name)
        else:
            parts.append(hash(("missing", name)))
    digests, complete = _digests(dict.fromkeys([*recent, *recheck]))
    return Signature(hash(frozenset(parts)), digests, complete)


def same(before: Signature, now: Signature) -> bool:
    """Whether the data is the same; `now` must have been taken with `recheck=recent(before)`."""
    if before.stats != now.stats or not before.complete:
        return False
    read = dict(now.recent)
    return all(read.get(path) == digest for path, digest in before.recent)


def recent(before: Signature) -> list[str]:
    return [path for path, _ in before.recent]


def _look_at_tree(top: str, parts: list[int], recent: list[str], since: int) -> None:
    folders = [top]
    while folders:
        folder = folders.pop()
        rows: list[tuple[object, ...]] = []
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    name = entry.name
                    if name.startswith("."):
                        continue
                    try:
                        if name.endswith(".toml") and not entry.is_dir():
                            info = entry.stat()  # from the listing where the system gives it, else one stat
                            rows.append((name, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
                            if max(info.st_mtime_ns, info.st_ctime_ns) >= since and stat.S_ISREG(info.st_mode):
                                recent.append(entry.path)
                        elif entry.is_dir() and not entry.is_symlink():
                            folders.append(entry.path)
                    except OSError:
                        rows.append((name, "cannot be looked at"))
        except OSError:
            parts.append(hash(("unreadable", folder)))  # os.walk skips it too; when it opens, it differs
            continue
        parts.append(hash((folder, frozenset(rows))))


def _digests(paths: Iterable[str]) -> tuple[tuple[tuple[str, bytes], ...], bool]:
    found: list[tuple[str, bytes]] = []
    budget = _RECENT_BYTES
    for number, path in enumerate(paths):
        if number >= _RECENT_FILES:
            return tuple(found), False
        try:
            # Non-blocking: a FIFO named like a data file must not hang the look.
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            found.append((path, b""))  # gone or unreadable: a later look that can read it differs
            continue
        with os.fdopen(descriptor, "rb") as file:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                continue
            data = file.read(budget + 1)
        budget -= len(data)
        if budget < 0:
            return tuple(found), False
        found.append((path, hashlib.blake2b(data, digest_size=16).digest()))
    return tuple(found), True


class ChangeWatcher:
    """Tells whether the data files changed since it was last asked.

    `known`: what the files looked like when the data in hand was loaded; None: the first
    question only starts watching. Asking (`changed`) may take a while when polling: do it off
    the UI thread, one question at a time; `pending` (no I/O) says whether there is anything to
    ask, and `close` (from any thread) releases the kernel's watches.
    """

    def __init__(
        self,
        sources: Iterable[str | os.PathLike[str]],
        known: Signature | None = None,
        *,
        inotify: bool = True,
        clock: Callable[[], float] = time.monotonic,
        timer: Callable[[], float] = time.thread_time,
    ) -> None:
        self.sources = tuple(os.fspath(source) for source in sources)
        self.fallback: str | None = None  # why it polls although inotify was wanted: worth telling
        self.how = "not started"  # how it watches, for the log
        self.interval = MIN_INTERVAL
        self._known = known
        self._want_inotify = inotify and sys.platform.startswith("linux")
        self._clock = clock
        # The look's cost is its own processor time: its wall time also counts the turns other
        # threads take (the first look runs beside the start's indexing), and would stretch the
        # wait twentyfold for nothing.
        self._timer = timer
        self._inotify: _Inotify | None = None
        self._baseline: Signature | None = None
        self._due = 0.0
        self._started = False
        self._state = threading.Lock()
        self._busy = False
        self._closed = False
        self._heard: set[str] | None = None  # see `heard`; None: cannot vouch since the last `heard`

    @property
    def polling(self) -> bool:
        return self._started and self._inotify is None

    def pending(self) -> bool:
        """Whether `changed` could say yes now: never started, events queued, or a look due."""
        with self._state:
            if self._closed or self._busy:
                return False  # a question in progress answers it
            if not self._started:
                return True
            if self._inotify is not None:
                return self._inotify.readable()
            return self._clock() >= self._due

    def changed(self, *, now: bool = False) -> bool:
        """Whether the files changed since the last question (or since `known`); `now`: look even
        if a look is not due (polling). The first question without `known` only starts watching."""
        with self._state:
            if self._closed or self._busy:
                return False
            self._busy = True
        try:
            return self._changed(now)
        finally:
            with self._state:
                self._busy = False
                if self._closed:
                    self._release()

    def heard(self) -> frozenset[str] | None:
        """The data files (paths) the kernel said changed since the last call, or None when it
        cannot be vouched that no other file changed meanwhile: the first call, polling, lost
        events, a folder come or gone, anything not followed by name. Ask after `changed`, from
        the thread that asked it, before loading: what changes after this call is in the next
        answer, so a scan taken after it, updated with that answer, misses nothing."""
        with self._state:
            found = None if self._heard is None else frozenset(self._heard)
            self._heard = set() if self._inotify is not None else None
            return found

    def close(self) -> None:
        with self._state:
            self._closed = True
            if not self._busy:  # else the question in progress releases it when it ends
                self._release()

    def __enter__(self) -> ChangeWatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _release(self) -> None:
        if self._inotify is not None:
            self._inotify.close()
            self._inotify = None

    def _changed(self, now: bool) -> bool:
        if not self._started:
            self._started = True
            shared = _shared_file_system(self.sources) if self._want_inotify else None
            if shared is not None:
                self.how = f"polling: {shared}, which other machines can change unheard"
            elif self._want_inotify:
                try:
                    # The watches first: a change after them is an event, one before is in the look below.
                    self._inotify = _Inotify(self.sources)
                    self.how = "inotify"
                except _Unavailable as err:
                    self.fallback = str(err)
            if self._inotify is None and shared is None:
                self.how = f"polling: {self.fallback}" if self.fallback else "polling"
            if self._known is None:
                if self._inotify is None:
                    self._look()
                return False
            return not same(self._known, self._look(self._known))
        if self._inotify is not None:
            return self._drain()
        if not now and self._clock() < self._due:
            return False
        before = self._baseline
        after = self._look(before)
        return before is None or not same(before, after)

    def _drain(self) -> bool:
        assert self._inotify is not None
        try:
            changed = self._inotify.read()
        except _Unavailable as err:
            self._inotify.close()
            self._inotify = None
            self._heard = None
            self.fallback = str(err)
            self.how = f"polling: {self.fallback}"
            self._look()  # from now on, compared with this; what happened before it is unknown:
            return True  # so reload
        heard, self._inotify.heard = self._inotify.heard, set()
        with self._state:
            if heard is None:
                self._heard = None
            elif self._heard is not None:
                self._heard |= heard
        return changed

    def _look(self, before: Signature | None = None) -> Signature:
        start, spent = self._clock(), self._timer()
        found = signature(self.sources, recent(before) if before is not None else ())
        end, spent = self._clock(), self._timer() - spent
        self.interval = max(MIN_INTERVAL, COST_FACTOR * spent, WAIT_FACTOR * (end - start))
        self._baseline, self._due = found, end + self.interval
        return found


# inotify(7)
IN_MODIFY = 0x00000002
IN_ATTRIB = 0x00000004
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_FROM = 0x00000040
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_DELETE_SELF = 0x00000400
IN_MOVE_SELF = 0x00000800
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000
IN_ONLYDIR = 0x01000000
IN_ISDIR = 0x40000000
_MASK = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB
# A write is a change once the file is closed; one that never closes it (truncate(2), a mapped
# file) is only heard by name, for the next reload to look at (see `ChangeWatcher.heard`).
_MASK |= IN_MODIFY
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len; then len bytes of name, NUL-padded
_READS = 64  # reads of up to 64 KB per question: a flood of events is left for the next one


class _Unavailable(Exception):
    """inotify cannot watch these files: the reason, as told to the user."""


class _Kernel:
    """The three calls of libc, looked up once; tests replace `add_watch` to play the limit."""

    def __init__(self) -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            self._init = libc.inotify_init1
            self._add = libc.inotify_add_watch
        except (OSError, AttributeError) as err:
            raise _Unavailable(f"this system has no inotify ({err})") from err
        self._init.argtypes, self._init.restype = [ctypes.c_int], ctypes.c_int
        self._add.argtypes, self._add.restype = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32], ctypes.c_int

    def init(self) -> int:
        descriptor = int(self._init(os.O_NONBLOCK | os.O_CLOEXEC))
        if descriptor < 0:
            raise _error(ctypes.get_errno(), "starting inotify")
        return descriptor

    def add_watch(self, descriptor: int, path: str, mask: int) -> int:
        """The watch's number; OSError when the folder cannot be watched."""
        watch = int(self._add(descriptor, os.fsencode(path), mask))
        if watch < 0:
            number = ctypes.get_errno()
            raise OSError(number, os.strerror(number), path)
        return watch


@functools.cache
def _the_kernel() -> _Kernel:
    return _Kernel()


def _error(number: int, doing: str) -> _Unavailable:
    limits = {errno.ENOSPC: ("watched folders", "max_user_watches"), errno.EMFILE: ("watchers", "max_user_instances")}
    if number in limits:
        what, setting = limits[number]
        try:
            with open(f"/proc/sys/fs/inotify/{setting}", encoding="ascii") as file:
                value = f" = {file.read().strip()}"
        except OSError:
            value = ""
        return _Unavailable(f"the system's limit of {what} is reached (fs.inotify.{setting}{value})")
    return _Unavailable(f"{doing}: {os.strerror(number)}")


@dataclass
class _Watched:
    """A watched folder: a data folder (`folder`), or the folder of file sources and their targets."""

    path: str
    folder: bool = False
    # A name whose every event counts; True: it is a folder on the way to a source not there (yet).
    names: dict[str, bool] = field(default_factory=dict)


class _Inotify:
    def __init__(self, sources: tuple[str, ...]) -> None:
        self._sources = sources
        self._kernel = _the_kernel()
        self._fd = -1
        self._watched: dict[int, _Watched] = {}
        self._poller = select.poll()
        self._rewatch = False
        # The data files whose change was heard by name; None: something changed that was not
        # (lost events, a folder, a link's target, a source's own name).
        self.heard: set[str] | None = set()
        self._start()

    def readable(self) -> bool:
        try:
            return bool(self._poller.poll(0))
        except (OSError, ValueError):
            return True  # let the question find out, and fall back

    def read(self) -> bool:
        changed = False
        for _ in range(_READS):
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                break
            except OSError as err:
                raise _Unavailable(f"reading its events: {err.strerror or err}") from err
            for watch, mask, name in _events(data):
                changed |= self._event(watch, mask, name)
        if self._rewatch:  # folders came or went: watch what is there now
            self.heard = None
            self.close()
            self._start()
        return changed

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # the kernel drops every watch with it
            self._fd = -1

    def _start(self) -> None:
        self._fd = self._kernel.init()
        self._poller = select.poll()
        self._poller.register(self._fd, select.POLLIN)
        self._watched = {}
        self._rewatch = False
        try:
            for source in self._sources:
                # A folder that cannot be watched (not readable) is watched for from its parent,
                # like a file source or one not there yet: when it opens, its tree is watched.
                if not (os.path.isdir(source) and self._watch_tree(source)):
                    self._watch_name(source)
                    if os.path.islink(source):
                        self._watch_name(os.path.realpath(source))
        except BaseException:
            self.close()
            raise

    def _add(self, path: str, *, folder: bool = False, name: str | None = None, on_the_way: bool = False) -> bool:
        try:
            watch = self._kernel.add_watch(self._fd, path, _MASK | IN_ONLYDIR)
        except OSError as err:
            if err.errno in (errno.ENOENT, errno.ENOTDIR, errno.EACCES, errno.ELOOP):
                return False  # gone, or not to be read: skipped, as os.walk skips it
            raise _error(err.errno or 0, f"watching {path}") from err
        watched = self._watched.setdefault(watch, _Watched(path))
        watched.folder |= folder
        if name is not None:
            watched.names[name] = watched.names.get(name, False) or on_the_way
        return True

    def _watch_tree(self, top: str) -> bool:
        """Watch the folder `top` and every folder under it but hidden and linked ones; False: not
        even `top` could be watched."""
        if not self._add(top, folder=True):
            return False
        folders = [top]
        while folders:
            folder = folders.pop()
            if folder is not top and not self._add(folder, folder=True):
                continue
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        if entry.name.startswith("."):
                            continue
                        try:
                            if entry.is_symlink():
                                # A linked data file changes where it points, not here: watch there too.
                                if entry.name.endswith(".toml") and not entry.is_dir():
                                    self._watch_name(os.path.realpath(entry.path))
                            elif entry.is_dir():
                                folders.append(entry.path)
                        except OSError:
                            continue  # gone meanwhile, or its target not to be looked at
            except OSError:
                continue
        return True

    def _watch_name(self, path: str) -> None:
        """Watch the folder holding `path` for its name; if that folder is not there, the nearest
        one that is, for the name on the way."""
        path = os.path.abspath(path)
        on_the_way = False
        while True:
            parent, name = os.path.split(path)
            if not name or self._add(parent, name=name, on_the_way=on_the_way):
                return
            path, on_the_way = parent, True

    def _event(self, watch: int, mask: int, raw: bytes) -> bool:
        changed = self._heard_event(watch, mask, raw)
        if mask == IN_MODIFY:
            return False  # written to, not yet closed: heard by name, a change when closed
        return changed

    def _heard_event(self, watch: int, mask: int, raw: bytes) -> bool:
        """Whether the event changed a data file; its name goes to `heard` (or `heard` to None)."""
        if mask & IN_Q_OVERFLOW:
            self._rewatch = True  # events were lost, folders too maybe
            return True
        watched = self._watched.get(watch)
        if watched is None:
            return False
        if mask & IN_IGNORED:
            del self._watched[watch]
            return False
        if not raw:  # the watched folder itself
            if mask & (IN_DELETE_SELF | IN_MOVE_SELF):
                self._rewatch = True
                return True
            if watched.folder:
                self.heard = None  # its mode or owner: its files may be readable or not now
            return watched.folder
        name = os.fsdecode(raw)
        changed = False
        if name in watched.names:
            changed = True
            self.heard = None  # a file source, a link's target or a folder on the way: not by name
            if watched.names[name] or mask & IN_ISDIR:
                self._rewatch = True
        if watched.folder and not name.startswith("."):
            if mask & IN_ISDIR:
                changed = self._rewatch = True  # a new subfolder is watched, a gone one forgotten
            elif name.endswith(".toml"):
                changed = True
                if mask & (IN_CREATE | IN_MOVED_TO) and os.path.islink(os.path.join(watched.path, name)):
                    self._rewatch = True  # where it points is watched too
                elif self.heard is not None:
                    self.heard.add(os.path.join(watched.path, name))
        return changed


# File systems whose files other machines change too (or the host of a virtual machine): inotify
# hears only this machine's changes. FUSE ones too (sshfs, rclone), but for local disks (fuseblk).
_NETWORK = frozenset({"nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "coda", "davfs"})
_CLUSTER = frozenset({"ceph", "glusterfs", "lustre", "gpfs", "beegfs", "ocfs2", "gfs2"})
_HOST_SHARES = frozenset({"9p", "virtiofs", "vboxsf", "vmhgfs", "prl_fs", "drvfs"})  # WSL's /mnt/c is 9p or drvfs
_SHARED = _NETWORK | _CLUSTER | _HOST_SHARES
_MOUNTINFO = "/proc/self/mountinfo"


def _shared_file_system(sources: Iterable[str]) -> str | None:
    """Which source (or the folder it would be in) is on a file system other machines change,
    as "PATH is on TYPE"; None: none is, or the mount table cannot be read."""
    try:
        with open(_MOUNTINFO, encoding="utf-8", errors="surrogateescape") as file:
            mounts = [_mount(line) for line in file]
    except OSError:
        return None
    mounts.sort(key=lambda mount: len(mount[0]), reverse=True)  # the innermost mount first
    for source in sources:
        path = os.path.abspath(source)
        while not os.path.exists(path) and os.path.dirname(path) != path:
            path = os.path.dirname(path)
        path = os.path.realpath(path)
        for point, kind in mounts:
            if path == point or path.startswith(point.rstrip("/") + "/"):
                if kind in _SHARED or (kind.startswith("fuse") and kind != "fuseblk"):
                    return f"{source} is on {kind}"
                break
    return None


def _mount(line: str) -> tuple[str, str]:
    """A mountinfo line's mount point and file system type (proc(5))."""
    mine, _, theirs = line.partition(" - ")
    point = re.sub(r"\\([0-7]{3})", lambda octal: chr(int(octal[1], 8)), mine.split(" ")[4])
    return point, theirs.split(" ")[0]


def _events(data: bytes) -> Iterator[tuple[int, int, bytes]]:
    offset, size = 0, _EVENT.size
    while offset + size <= len(data):
        watch, mask, _cookie, length = _EVENT.unpack_from(data, offset)
        name = data[offset + size : offset + size + length].rstrip(b"\0")
        offset += size + length
        yield watch, mask, name
