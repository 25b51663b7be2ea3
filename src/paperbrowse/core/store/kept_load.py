"""A reload's records kept for the next, so that a reload told which files changed reads only
their units again.

A reload of 100,000 one-paper files that reads them all back (every bucket file unpickled, the
runs planned and checked by digest, a Python step per run and several C-level passes per file)
cost half as much again as the same papers in 100 files, though one file had changed. When the
data watcher vouches for the names that changed (`records.rescan`), the last load's plan still
holds everywhere else: a unit (a run of small files, or a large file) holding a file edited in
place is read again the way a full load reads it, and names that came or went (or a file that
crossed the small files' limit) have the files around them planned again, between the nearest
cuts no change moved; every other unit's records are the ones the last load gave. Joined by
`build_catalog`, they are what a full load gives, record for record (a test compares them over
random edits, adds, deletes and renames).

What is kept is small beside the catalog: each file's path and the four numbers a run's digest
hashes (size, times, inode: arrays), and each unit's place, bucket and records (which share
the catalog's papers).
"""

from __future__ import annotations

import os
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import NamedTuple, cast

from paperbrowse.core.records import pieces
from paperbrowse.core.records.loader import FileRecords
from paperbrowse.core.records.rescan import KeptScan, KeptStat, Rescanned
from paperbrowse.core.records.scan import DataFile
from paperbrowse.core.store import small_files

_KEYS = ("st_size", "st_mtime_ns", "st_ctime_ns", "st_ino")  # what a run's digest hashes, in kept order
_LARGE = -1  # the bucket of a unit that is a large file, with a cache entry of its own


class KeptLoad(NamedTuple):
    """A load's files and units, for `patch`; `place`: the cache folder and the group of
    sources it was loaded through, which a patch must use too."""

    place: tuple[Path, str]
    paths: list[str]  # every file, in load order
    number: dict[str, int]  # a path's place in `paths`
    keys: list[array[int]]  # per field of _KEYS, a number per file in load order
    starts: list[int]  # each unit's first file, ascending
    stops: list[int]  # each unit's end (its last file + 1)
    buckets: list[int]  # each unit's bucket, _LARGE for a large file
    units: list[FileRecords]  # each unit's records, as `cache.load_files` gave them


def kept(
    place: tuple[Path, str],
    files: Sequence[DataFile],
    runs: Mapping[int, list[range]],
    large: Sequence[int],
    records: Sequence[FileRecords | None],
) -> KeptLoad | None:
    """The load of `files` in the runs and large files of its plan (`small_files.plan`), with the
    `records` it gave (a unit's at its first file); None when it cannot be followed (a file
    not looked at, a number beyond 63 bits)."""
    try:  # from the files, not a list of their stats (see `scan.Folder.order`)
        keys = [pieces.column("q", attrgetter(f"stat.{name}"), files) for name in _KEYS]
    except (AttributeError, OverflowError):  # a file not looked at (no stat), a number beyond 63 bits
        return None
    units = sorted([(run.start, run.stop, bucket) for bucket, found in runs.items() for run in found])
    units += [(number, number + 1, _LARGE) for number in large]
    units.sort()
    found = [records[start] for start, _, _ in units]
    if None in found:
        return None
    paths = pieces.mapped(itemgetter(0), files)
    number = pieces.places(paths)
    return KeptLoad(
        place,
        paths,
        number,
        keys,
        [start for start, _, _ in units],
        [stop for _, stop, _ in units],
        [bucket for _, _, bucket in units],
        cast(list[FileRecords], found),
    )


def patch(
    load: KeptLoad, before: KeptScan, found: Rescanned, read_large: Callable[[DataFile], FileRecords]
) -> tuple[list[FileRecords], KeptLoad] | None:
    """Every unit's records once the files `found` looked at again changed (paths as the load
    named them, with their stats now), those it found gone went and those it found added came,
    since the scan `before`; and the load kept for the next patch. None when that is not a
    patch: a file the load did not have, too many names come or gone, names come or gone in
    more than one folder. `read_large` reads a large file as a load does.

    A file edited in place only has its unit read again. Names come or gone, or a file that
    crossed the small files' limit, change the runs near them: the files between the nearest
    cuts around them that no change moved (after a run's last file or a large file, which were
    cuts before and still are) are planned again, as a full load plans them, and their runs read."""
    looked = found.looked
    if len(found.gone) + len(found.added) > _MOST_MOVED:
        return None
    moved: set[int] = set()  # places in the new list whose runs must be planned again
    if found.gone or found.added:
        shifted = _shifted(load, before, found)
        if shifted is None:
            return None
        paths, keys, moved = shifted
        number = pieces.places(paths)
    else:
        paths, number = load.paths, load.number
        keys = [array("q", column) for column in load.keys]
    reread: set[int] = set()  # places of files edited in place
    for path, info in looked.items():
        at = number.get(path)
        if at is None:
            return None
        if (info.st_size >= small_files.SMALL) != (keys[0][at] >= small_files.SMALL):
            moved.add(at)  # between the runs and the large files: its neighbours' runs change
        try:
            for column, name in zip(keys, _KEYS, strict=True):
                column[at] = getattr(info, name)
        except OverflowError:
            return None
        reread.add(at)
    units = _Units(list(load.starts), list(load.stops), list(load.buckets), list(load.units))
    if moved:
        if not _replanned(load, units, paths, keys, looked, moved, read_large):
            return None
        reread -= set(range(units.fresh.start, units.fresh.stop))  # read just now
    touched = {bisect_right(units.starts, at) - 1 for at in reread}
    by_bucket: dict[int, list[int]] = {}
    for unit in sorted(touched):
        if units.buckets[unit] == _LARGE:
            path = paths[units.starts[unit]]
            units.records[unit] = read_large(DataFile(path, looked[path]))
        else:
            by_bucket.setdefault(units.buckets[unit], []).append(unit)
    for bucket, numbers in by_bucket.items():
        runs = [_members(paths, keys, range(units.starts[unit], units.stops[unit]), looked) for unit in numbers]
        for unit, records in zip(numbers, _read_runs(load, bucket, runs), strict=True):
            units.records[unit] = records
    kept = KeptLoad(load.place, paths, number, keys, units.starts, units.stops, units.buckets, units.records)
    return units.records, kept


_MOST_MOVED = 256  # names come or gone at once beyond which a full load costs no more


@dataclass
class _Units:
    """The units as a patch changes them; `fresh`: the places of the files planned again."""

    starts: list[int]
    stops: list[int]
    buckets: list[int]
    records: list[FileRecords]
    fresh: range = range(0)


def _read_runs(load: KeptLoad, bucket: int, runs: list[list[DataFile]]) -> list[FileRecords]:
    folder, group = load.place
    return small_files.reload_runs(small_files.bucket_path(folder, group, bucket), runs)


def _shifted(load: KeptLoad, before: KeptScan, found: Rescanned) -> tuple[list[str], list[array[int]], set[int]] | None:
    """The list of files and their numbers with the names gone taken out and those added put
    in their folder's sorted place; and the places around each of them in the new list."""
    folders = {os.path.dirname(path) for path in (*found.gone, *found.added)}
    if len(folders) != 1:
        return None
    prefix = os.path.join(folders.pop(), "")
    olds = [folder for folder in before.folders if folder.prefix == prefix]
    if len(olds) != 1 or not olds[0].names:
        return None
    # The folder's files are one sorted stretch of the list (rescan follows no folder whose
    # files lie between subfolders), from its least name on.
    first = load.number.get(prefix + min(olds[0].names), -1)
    last = first + len(olds[0].names)
    if first < 0 or load.paths[last - 1] != prefix + max(olds[0].names):
        return None
    numbers = sorted((load.number.get(path, -1) for path in found.gone), reverse=True)
    if any(not first <= at < last for at in numbers):
        return None
    paths = list(load.paths)
    keys = [array("q", column) for column in load.keys]
    for at in numbers:
        del paths[at]
        for column in keys:
            del column[at]
    last -= len(numbers)
    if not paths:
        return None
    for path in sorted(found.added):
        at = bisect_left(paths, path, first, last)
        if at < last and paths[at] == path:
            return None
        paths.insert(at, path)
        info = found.looked[path]
        try:
            for column, name in zip(keys, _KEYS, strict=True):
                column.insert(at, getattr(info, name))
        except OverflowError:
            return None
        last += 1
    places: set[int] = set()
    for path in (*found.gone, *found.added):
        at = bisect_left(paths, path, first, last)
        places.update(place for place in (at - 1, at) if 0 <= place < len(paths))
    return paths, keys, places


def _replanned(
    load: KeptLoad,
    units: _Units,
    paths: list[str],
    keys: list[array[int]],
    looked: Mapping[str, os.stat_result],
    moved: set[int],
    read_large: Callable[[DataFile], FileRecords],
) -> bool:
    """Plan again the files between the nearest unmoved cuts around the `moved` places, read
    their units, and put them in `units` in place of the old ones there; False when the old
    units do not end at those cuts (then this is no patch)."""
    first, last = min(moved), max(moved) + 1
    while first > 0 and not (first - 1 not in moved and _cut_after(paths, keys, first - 1)):
        first -= 1
    while last < len(paths) and not (last - 1 not in moved and _cut_after(paths, keys, last - 1)):
        last += 1
    shift = len(paths) - len(load.paths)
    before = bisect_right(units.stops, first)  # the old units wholly before the window
    after = bisect_left(units.starts, last - shift)  # ... and from the first one after it
    if (before and units.stops[before - 1] != first) or (
        after < len(units.starts) and units.starts[after] != last - shift
    ):
        return False
    if (before < len(units.starts) and units.starts[before] != first) or (
        after and units.stops[after - 1] != last - shift
    ):
        return False
    window = _members(paths, keys, range(first, last), looked)
    runs, large = small_files.plan(window)
    fresh = sorted([(run.start, run.stop, bucket) for bucket, found in runs.items() for run in found])
    fresh += [(at, at + 1, _LARGE) for at in large]
    fresh.sort()
    records: list[FileRecords] = []
    by_bucket: dict[int, list[int]] = {}
    for place, (start, _, bucket) in enumerate(fresh):
        if bucket == _LARGE:
            records.append(read_large(window[start]))
        else:
            records.append(FileRecords(""))
            by_bucket.setdefault(bucket, []).append(place)
    for bucket, places in by_bucket.items():
        read = _read_runs(load, bucket, [window[fresh[place][0] : fresh[place][1]] for place in places])
        for place, found in zip(places, read, strict=True):
            records[place] = found
    units.starts[before:after] = [first + start for start, _, _ in fresh]
    units.stops[before:after] = [first + stop for _, stop, _ in fresh]
    units.buckets[before:after] = [bucket for _, _, bucket in fresh]
    units.records[before:after] = records
    for unit in range(before + len(fresh), len(units.starts)):
        units.starts[unit] += shift
        units.stops[unit] += shift
    units.fresh = range(first, last)
    return True


def _cut_after(paths: list[str], keys: list[array[int]], at: int) -> bool:
    """Whether a run ends after the file at `at`: a large file, or one whose path hashes to a
    multiple of the run's length (see `small_files.plan`)."""
    return keys[0][at] >= small_files.SMALL or small_files.ends_run(paths[at])


def _members(
    paths: list[str], keys: list[array[int]], places: range, looked: Mapping[str, os.stat_result]
) -> list[DataFile]:
    """Files with their stats: as looked at now for those looked at, else rebuilt from the kept
    numbers (what a run's plan, digest and comparison of its files read)."""
    size, mtime, ctime, inode = (column[places.start : places.stop] for column in keys)
    members: list[DataFile] = []
    for path, *numbers in zip(paths[places.start : places.stop], size, mtime, ctime, inode, strict=True):
        info = looked.get(path)
        if info is None:
            info = cast(os.stat_result, KeptStat((0, numbers[3], 0, 0, 0, 0, numbers[0], numbers[1], numbers[2])))
        members.append(DataFile(path, info))
    return members
