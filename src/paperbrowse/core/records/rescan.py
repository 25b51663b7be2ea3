"""Finding the data files again when a watcher heard which ones changed: a stat for those only.

A reload of 100,000 one-paper files spent half a second on stats of files nobody touched. The
browser's data watcher hears from the kernel (inotify) which names changed in which folder;
when it can vouch that nothing else did (see `files.changes.ChangeWatcher.heard`), the scan
before is trusted for every other file: `rescan` stats the named files only, and lists a folder
again only when a name in it is new (the listing's order is what the snapshot's key hashes).

What is kept between the two is small: per folder, the names and one array of the stat fields
the loader reads (`keep`), about 12 MB at 100,000 files, not the 80 MB of the stats. Anything
that cannot be followed this way makes `rescan` answer None, and the caller scans everything:
a folder that was not there or holds subfolders now, a name that became a folder, a file with
more than one link (it could change through a path no watch hears), a value that does not fit
the array.
"""

from __future__ import annotations

import os
import stat
from array import array
from collections.abc import Iterable
from itertools import chain, compress, repeat
from operator import attrgetter, itemgetter
from typing import NamedTuple, cast

from paperbrowse.core.records.pieces import column, contains, pieces
from paperbrowse.core.records.problems import Problem
from paperbrowse.core.records.scan import Folder, Scan, Stat, sort_out

# The stat fields the loader reads, in this order in a kept folder's array.
KEPT_FIELDS = ("st_mode", "st_ino", "st_dev", "st_nlink", "st_size", "st_mtime_ns", "st_ctime_ns")
_SPLIT = -1  # a folder whose files the scan cut in runs between its subfolders


class KeptStat(tuple[int, ...]):
    """A stat rebuilt from a kept array: the fields the loader reads, where `os.stat_result`
    has them (`[0]` the mode, `[1]` the inode, `[6]` the size) and by the same names. Made by a
    C-level call per file, not a Python line."""

    __slots__ = ()
    st_mode = property(itemgetter(0))
    st_ino = property(itemgetter(1))
    st_dev = property(itemgetter(2))
    st_nlink = property(itemgetter(3))
    st_size = property(itemgetter(6))
    st_mtime_ns = property(itemgetter(7))
    st_ctime_ns = property(itemgetter(8))


class KeptFolder(NamedTuple):
    prefix: str
    names: list[str]
    columns: list[array[int]]  # one per field of KEPT_FIELDS, a number per name


class KeptScan(NamedTuple):
    """A scan as kept for the next `rescan`: its folders' names and stats, and its problems."""

    folders: list[KeptFolder]
    problems: list[Problem]


def keep(found: Scan) -> KeptScan | None:
    """`found` in the small form `rescan` starts from; None when it cannot be trusted later (a
    file not looked at, a file with more than one link, a file reached twice, a number beyond
    63 bits)."""
    try:
        folders = list(map(_kept, found.folders))
    except _CannotTell:
        return None
    if not _reached_once(folders):
        return None
    return KeptScan(folders, list(found.problems))


class Rescanned(NamedTuple):
    """What `rescan` found: the scan in its kept form; the files looked at again that are there
    (their paths as the scan makes them, with their stats now), the paths of those gone, and
    of those new (looked at too)."""

    kept: KeptScan
    looked: dict[str, os.stat_result]
    gone: set[str]
    added: set[str]

    def scan(self) -> Scan:
        """The scan itself, its stats rebuilt from the kept columns (a C-level call per file:
        only a reload that reads the files' list needs it)."""
        return rebuilt(self.kept)


def rebuilt(kept: KeptScan) -> Scan:
    """The scan `kept` was made of, its stats rebuilt from the columns (see `KeptStat`)."""
    return Scan(list(map(_rebuilt, kept.folders)), list(kept.problems))


def rescan(kept: KeptScan, changed: Iterable[str]) -> Rescanned | None:
    """The scan now, in its kept form, if only the data files `changed` (paths as the watcher
    names them) may differ from when `kept` was taken; None when that cannot be told without
    a full scan."""
    wanted: dict[str, set[str]] = {}
    for path in changed:
        parent, name = os.path.split(os.path.normpath(path))
        wanted.setdefault(parent, set()).add(name)
    where: dict[str, int] = {}
    for number, folder in enumerate(kept.folders):
        if folder.prefix:  # not a file named as a source: the watcher calls its changes uncertain
            place = os.path.normpath(folder.prefix)
            where[place] = _SPLIT if place in where else number
    redone: dict[int, KeptFolder | None] = {}
    found = Rescanned(kept, {}, set(), set())
    fresh: list[int] = []  # the inodes that files looked at again have now and had not
    for parent, names in wanted.items():
        at = where.get(parent)
        if at is None or at == _SPLIT:
            return None  # a folder that had no data files, or files between subfolders
        try:
            redone[at], new = _again(kept.folders[at], names, found)
        except _CannotTell:
            return None
        fresh += new
    folders = [redone.get(number, old) for number, old in enumerate(kept.folders)]
    now = KeptScan([folder for folder in folders if folder is not None], list(kept.problems))
    if not _distinct(now, fresh):
        return None  # a file reached twice now
    return found._replace(kept=now)


def _distinct(found: KeptScan, fresh: list[int]) -> bool:
    """Whether every file is still reached once. They were when the scan was kept, and only an
    inode a file did not have then can be a second one now: each is counted in every folder's
    column of inodes (C-level counts; an inode on two devices counts too, and only costs a full
    scan). Many of them: one set of every inode instead."""
    inodes = [folder.columns[1] for folder in found.folders]
    if len(fresh) > 64:
        return len(set(chain.from_iterable(inodes))) == sum(map(len, inodes))
    return all(sum(column.count(inode) for column in inodes) <= 1 for inode in fresh)


def _reached_once(folders: list[KeptFolder]) -> bool:
    """Whether no two files share a device and an inode. The inodes alone are nearly always
    distinct, which one set of numbers proves (made a piece at a time: a set of 100,000
    pairs held the interpreter 30 ms); only otherwise are the pairs compared."""
    count = sum(len(folder.names) for folder in folders)
    inodes: set[int] = set()
    for folder in folders:
        for piece in pieces(len(folder.names)):
            inodes.update(folder.columns[1][piece])
    if len(inodes) == count:
        return True
    pairs: set[tuple[int, int]] = set()
    for folder in folders:
        for piece in pieces(len(folder.names)):
            pairs.update(zip(folder.columns[2][piece], folder.columns[1][piece], strict=True))
    return len(pairs) == count


class _CannotTell(Exception):
    """The folder changed in a way only a full scan follows."""


def _kept(folder: Folder) -> KeptFolder:
    if contains(folder.stats, None):
        raise _CannotTell
    stats = cast(list[os.stat_result], folder.stats)
    try:
        columns = [column("q", attrgetter(name), stats) for name in KEPT_FIELDS]
    except OverflowError as err:
        raise _CannotTell from err
    if columns[3] and max(columns[3]) > 1:  # a hard link: changed elsewhere, unheard here
        raise _CannotTell
    return KeptFolder(folder.prefix, folder.names, columns)


def _rebuilt(folder: KeptFolder) -> Folder:
    return Folder(folder.prefix, folder.names, _stats(folder))


def _stats(folder: KeptFolder) -> list[Stat]:
    mode, inode, device, links, size, mtime, ctime = folder.columns
    zero = repeat(0)
    rows = zip(mode, inode, device, links, zero, zero, size, mtime, ctime, strict=False)
    return cast(list[Stat], list(map(KeptStat, rows)))  # an os.stat_result for every reader


def _again(folder: KeptFolder, changed: set[str], found: Rescanned) -> tuple[KeptFolder | None, list[int]]:
    """The folder now, its `changed` names looked at again, in its kept form (None: no data
    file left in it), and the inodes new to the folder; what was looked at, gone or added
    told to `found`. Only a new name costs a listing and the whole folder's columns again;
    otherwise no Python line runs per file of the folder."""
    prefix = folder.prefix
    names = folder.names
    stats: list[Stat] = []
    listed = not changed <= set(names)
    if listed:  # a new name: the listing says where it is (and what else is)
        try:
            listing = os.listdir(prefix)
        except OSError as err:
            raise _CannotTell from err
        data, others = sort_out(listing)
        if any(os.path.isdir(prefix + name) for name in others):
            raise _CannotTell  # a subfolder: the files between them are runs of their own
        by_name = dict(zip(names, _stats(folder), strict=True))
        found.gone.update(prefix + name for name in by_name.keys() - set(data))
        names, stats = data, list(map(by_name.get, data))
        changed = changed | {name for name, info in zip(names, stats, strict=True) if info is None}
    numbers = list(compress(range(len(names)), map(changed.__contains__, names)))
    columns = [array("q", column) for column in folder.columns] if not listed else []
    gone: list[int] = []
    fresh: list[int] = []
    for number in numbers:
        try:
            info = os.stat(prefix + names[number])
        except FileNotFoundError as err:
            if os.path.lexists(prefix + names[number]):
                raise _CannotTell from err  # a dangling link: the full scan keeps it, for the loader to say why
            gone.append(number)
            continue
        except OSError as err:
            raise _CannotTell from err  # a file not to be looked at: the full scan says why
        if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
            raise _CannotTell
        before = stats[number] if listed else None
        inode = columns[1][number] if not listed else before.st_ino if before is not None else None
        if inode != info.st_ino:
            fresh.append(info.st_ino)
        found.looked[prefix + names[number]] = info
        if listed and before is None:
            found.added.add(prefix + names[number])
        if listed:
            stats[number] = info
            continue
        try:
            for column, name in zip(columns, KEPT_FIELDS, strict=False):
                column[number] = getattr(info, name)
        except OverflowError as err:
            raise _CannotTell from err
    found.gone.update(prefix + names[number] for number in gone)
    if gone:
        names = [name for n, name in enumerate(names) if n not in gone]
        stats = [info for n, info in enumerate(stats) if n not in gone]
        for number in reversed(gone):
            for column in columns:
                del column[number]
    if not names:
        return None, fresh
    now = _kept(Folder(prefix, names, stats)) if listed else KeptFolder(prefix, names, columns)
    return now, fresh
