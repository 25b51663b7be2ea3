"""Finding the data files: the `*.toml` files under each source, each with one stat.

At 100,000 one-paper files in one folder the stats are most of a warm start, and every line
of Python run per file costs as much again (a few microseconds each). So a folder is listed
once, its data files' names are sorted and stat'ed in C-level passes (`map` over `os.stat`
relative to the open folder: no path walked per file, no path built), and the result is kept
as one column of names and one of stats per folder. Per-file paths and objects are only made
when the files must be read (`Scan.files`); a warm start only hashes the columns (see
`store.snapshot.stamp`). Only what is rare takes a slower path: a folder holding other names
than data files, a file that cannot be looked at, a file reached twice.
"""

from __future__ import annotations

import os
import stat
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable
from functools import partial
from itertools import filterfalse
from operator import attrgetter, itemgetter, methodcaller
from pathlib import Path
from typing import NamedTuple, Protocol, TypeVar, cast

from paperbrowse.core.records.pieces import column, let_go, mapped, pieces, places, sorted_pieces
from paperbrowse.core.records.problems import Problem


class DataFile(NamedTuple):
    """A data file as the scan met it: its path as reached from the source, and its stat (None
    when it cannot be looked at, a dangling link: `parse_file` then says why)."""

    path: str
    stat: os.stat_result | None


Stat = os.stat_result | None
Item = TypeVar("Item")


class Folder(NamedTuple):
    """Data files found together: `prefix` + each name is a file's path as reached (the
    folder's path and a separator; empty for a file named as a source), `stats` their stats
    in the same order. The names are in the listing's order, which stays the same while the
    folder does: only a load that reads the files needs them sorted (`in_order`)."""

    prefix: str
    names: list[str]
    stats: list[Stat]

    def in_order(self) -> Folder:
        if len(self.names) < 2:
            return self
        order = self.order()
        return Folder(self.prefix, mapped(self.names.__getitem__, order), mapped(self.stats.__getitem__, order))

    def order(self) -> array[int]:
        """The names' places, in the order of the names (a folder's names are distinct: sorted
        alone, each one's place then looked up; half the time of sorting (name, place)
        pairs). In pieces, as `Scan.files`. An array, and the sorted names let go at once: a
        list of 100,000 names or stats in sorted order points all over memory, and each pass
        of the collector over the young objects while it was young took 8-17 ms walking it."""
        count = len(self.names)
        place = places(self.names)
        if len(place) < count:  # a name twice (never from one listing): a stable sort of them all
            return array("q", sorted(range(count), key=self.names.__getitem__))
        names = sorted_pieces(self.names)
        found = array("q")
        for piece in pieces(count):
            found.extend(map(place.__getitem__, names[piece]))
        let_go(names)
        return found


class Scan(NamedTuple):
    """The data files under the sources, in the order of their sorted paths."""

    folders: list[Folder]
    problems: list[Problem]

    def let_go(self) -> None:
        """Free the stats a piece at a time, once nothing reads them (see `pieces.let_go`).
        The names stay: the scan's kept form (`rescan.keep`) holds the same lists."""
        for folder in self.folders:
            let_go(folder.stats)

    def files(self) -> list[DataFile]:
        """The files in the order of their sorted paths; made in C-level passes (a Python line
        per file cost a third of a second at 100,000), a piece at a time: one pass over
        100,000 files held the interpreter 100-220 ms, a stall of the browser when a thread
        (the data watcher's) makes them."""
        found: list[DataFile] = []
        for folder in self.folders:
            add, name, info = folder.prefix.__add__, folder.names.__getitem__, folder.stats.__getitem__
            order = folder.order()
            for piece in pieces(len(order)):
                at = order[piece]
                found += map(_DATA_FILE, zip(map(add, map(name, at)), map(info, at), strict=True))
        return found


_NAME = attrgetter("name")
_ENTRY_STAT = os.DirEntry.stat  # follows links, as os.stat; from an open folder, relative to it
_IS_DATA = methodcaller("endswith", ".toml")
_HIDDEN = methodcaller("startswith", ".")
_MODE = itemgetter(0)
_INODE = itemgetter(1)
_DATA_FILE = partial(tuple.__new__, DataFile)  # a DataFile from a (path, stat) pair, no Python frame
_DIR_FD = os.stat in os.supports_dir_fd and os.scandir in os.supports_fd


def scan(sources: Iterable[str | os.PathLike[str]]) -> Scan:
    """The `*.toml` files under each source (a file, or a folder searched recursively; hidden
    names and linked folders skipped, an unreadable folder passed over as os.walk does), in the
    order of their sorted paths. A file reached twice (a link, a source named twice) is kept
    once: files are told apart by device and inode."""
    folders: list[Folder] = []
    problems: list[Problem] = []
    for source in sources:
        top = str(Path(source))
        try:
            info: Stat = os.stat(top)
        except (OSError, ValueError):
            info = None
        if info is not None and stat.S_ISDIR(info.st_mode):
            folders += _walk(top)
        elif info is not None and stat.S_ISREG(info.st_mode):
            folders.append(Folder("", [top], [info]))
        else:
            problems.append(Problem(top, None, "no such file or folder"))
    return Scan(once(folders), problems)


def _walk(top: str) -> list[Folder]:
    """Depth first, each folder's names sorted: the order of the sorted paths. A stack, not
    recursion: folders may nest deeper than Python's recursion limit."""
    found: list[Folder] = []
    pending: list[Folder | str] = [top]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            pending += reversed(_listing(item))
        else:
            found.append(item)
    return found


def _listing(folder: str) -> list[Folder | str]:
    """The folder's data files and subfolders (as paths), in name order: runs of files between
    the subfolders (without subfolders, one run in the listing's order)."""
    prefix = os.path.join(folder, "")
    descriptor = -1
    try:
        if _DIR_FD:
            descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.scandir(descriptor if descriptor >= 0 else folder) as listing:
            entries = list(listing)
        names = mapped(_NAME, entries)
        data, others = sort_out(names)
        if len(data) == len(entries):  # every name a data file, in the entries' order (see sort_out)
            stats = _stats(_ENTRY_STAT, entries)  # the same stat, a tenth cheaper than os.stat's call
        else:
            look: Callable[[str], os.stat_result]
            look = partial(os.stat, dir_fd=descriptor) if descriptor >= 0 else lambda name: os.stat(prefix + name)
            stats = _stats(look, data)
    except OSError:
        return []
    finally:
        if descriptor >= 0:
            os.close(descriptor)
    subfolders: list[str] = []
    if others:  # a subfolder among them?
        wanted = set(others)
        found = [entries[names.index(name)] for name in others] if len(others) <= 8 else entries
        subfolders = [e.name for e in found if e.name in wanted and _real_folder(e)]
    if any(any(map(stat.S_ISDIR, map(_MODE, filter(None, stats[piece])))) for piece in pieces(len(stats))):
        # a folder named like a data file
        folders = {i for i, info in enumerate(stats) if info is not None and stat.S_ISDIR(info.st_mode)}
        subfolders += [data[i] for i in folders if not os.path.islink(prefix + data[i])]
        data = [name for i, name in enumerate(data) if i not in folders]
        stats = [info for i, info in enumerate(stats) if i not in folders]
    if not subfolders:
        return [Folder(prefix, data, stats)] if data else []
    ordered = Folder(prefix, data, stats).in_order()
    data, stats = ordered.names, ordered.stats
    subfolders.sort()
    items: list[Folder | str] = []
    start = 0
    for name in subfolders:
        end = bisect_left(data, name, start)
        if end > start:
            items.append(Folder(prefix, data[start:end], stats[start:end]))
        items.append(prefix + name)
        start = end
    if start < len(data):
        items.append(Folder(prefix, data[start:], stats[start:]))
    return items


def sort_out(names: list[str]) -> tuple[list[str], list[str]]:
    """The data files' names (`*.toml`, not hidden) and the other names not hidden. A folder of
    papers holds little else (a hidden lock file, a README): tests of the joined names find
    that out instead of a Python line per name. No name holds a NUL."""
    joined = "\0" + "\0".join(names) + "\0"
    hidden: list[str] = []
    at = joined.find("\0.")
    while at >= 0 and len(hidden) < 64:
        end = joined.index("\0", at + 1)
        hidden.append(joined[at + 1 : end])
        at = joined.find("\0.", end)
    if at < 0 and joined.count(".toml\0") - sum(map(_IS_DATA, hidden)) == len(names) - len(hidden):
        return (list(filterfalse(set(hidden).__contains__, names)) if hidden else names), []
    data = list(filterfalse(_HIDDEN, filter(_IS_DATA, names)))
    return data, [name for name in names if not _IS_DATA(name) and not _HIDDEN(name)]


def _stats(look: Callable[[Item], os.stat_result], items: list[Item]) -> list[Stat]:
    """Each item's stat, None for one that cannot be looked at (gone meanwhile, a dangling link)."""
    try:
        return list(map(look, items))  # the common case: no Python line per file
    except OSError:
        pass
    found: list[Stat] = []
    for item in items:
        try:
            found.append(look(item))
        except OSError:
            found.append(None)
    return found


def _real_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir() and not entry.is_symlink()  # from the listing's file type: no system call
    except OSError:
        return False


def once(folders: list[Folder]) -> list[Folder]:
    """`folders` without the files reached a second time. Inodes are distinct in nearly every
    collection, which one set of them proves; only otherwise are files compared one by one."""
    inodes: set[int] = set()
    count = 0
    for folder in folders:
        for piece in pieces(len(folder.stats)):  # a piece at a time, as `files`
            looked = cast(list[os.stat_result], list(filter(None, folder.stats[piece])))
            inodes.update(map(_INODE, looked))
            count += len(looked)
    if len(inodes) == count:
        return folders
    seen: set[object] = set()
    kept: list[Folder] = []
    for folder in map(Folder.in_order, folders):
        names: list[str] = []
        stats: list[Stat] = []
        for name, info in zip(folder.names, folder.stats, strict=True):
            identity = folder.prefix + name if info is None else (info.st_dev, info.st_ino)
            if identity not in seen:
                seen.add(identity)
                names.append(name)
                stats.append(info)
        if names:
            kept.append(Folder(folder.prefix, names, stats))
    return kept


class _Digest(Protocol):
    def update(self, data: bytes | array[int], /) -> None: ...


def hash_stats(digest: _Digest, stats: list[os.stat_result]) -> None:
    """Feed `digest` what tells a file changed: each file's size, mtime_ns, ctime_ns and inode,
    a column at a time (C-level passes, no Python line per file). Not the device: a file that a
    link now finds on another device with the same inode number, size and times to the
    nanosecond is not a case worth a pass over every file."""
    for field, code in _STAMPED:
        try:
            digest.update(column(code, field, stats))
        except OverflowError:  # a value beyond 64 bits (some network file systems' inodes)
            digest.update(repr(list(map(field, stats))).encode("ascii"))


_STAMPED = (
    (itemgetter(6), "Q"),  # st_size
    (attrgetter("st_mtime_ns"), "q"),
    (attrgetter("st_ctime_ns"), "q"),
    (_INODE, "Q"),
)
