"""A reload's records kept for the next, so that a reload told which files changed in place
replaces only those files' records.

A reload of 100,000 one-paper files that reads them all back (the bucket files unpickled, the
runs planned and checked by digest, a Python step per run and several C-level passes per file)
cost half as much again as the same papers in 100 files, though one file had changed. When the
data watcher vouches for the names that changed (`records.rescan`) and none came or went, the
list of files is the one the last load planned, so are its runs: only the units holding a
changed file (its run, or the large file itself) are read again, the way a full load reads
them, and every other unit's records are the ones the last load gave. Joined by
`build_catalog`, they are what a full load gives, record for record (a test compares them).

What is kept is small beside the catalog: each file's path and the four numbers a run's digest
hashes (size, times, inode: arrays), and each unit's place, bucket and records (which share
the catalog's papers).
"""

from __future__ import annotations

import os
from array import array
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import NamedTuple, cast

from paperbrowse.core.records.loader import FileRecords
from paperbrowse.core.records.rescan import KeptStat
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
    stats = list(map(itemgetter(1), files))
    if None in stats:
        return None
    try:
        keys = [array("q", map(attrgetter(name), stats)) for name in _KEYS]
    except OverflowError:
        return None
    units = sorted([(run.start, run.stop, bucket) for bucket, found in runs.items() for run in found])
    units += [(number, number + 1, _LARGE) for number in large]
    units.sort()
    found = [records[start] for start, _, _ in units]
    if None in found:
        return None
    paths = list(map(itemgetter(0), files))
    return KeptLoad(
        place,
        paths,
        dict(zip(paths, range(len(paths)), strict=True)),
        keys,
        [start for start, _, _ in units],
        [stop for _, stop, _ in units],
        [bucket for _, _, bucket in units],
        cast(list[FileRecords], found),
    )


def patch(
    load: KeptLoad, edited: Mapping[str, os.stat_result], read_large: Callable[[DataFile], FileRecords]
) -> tuple[list[FileRecords], KeptLoad] | None:
    """Every unit's records after the files `edited` (paths as the load named them, with their
    stats now) changed in place, the others not; and the load kept for the next patch. None
    when that is not a patch of the units: a file the load did not have, or one that moved
    between the runs and the large files. `read_large` reads a large file as a load does."""
    keys = [array("q", column) for column in load.keys]
    touched: dict[int, list[int]] = {}
    for path, info in edited.items():
        number = load.number.get(path)
        if number is None:
            return None
        unit = bisect_right(load.starts, number) - 1
        if (info.st_size >= small_files.SMALL) != (load.buckets[unit] == _LARGE):
            return None
        try:
            for column, name in zip(keys, _KEYS, strict=True):
                column[number] = getattr(info, name)
        except OverflowError:
            return None
        touched.setdefault(unit, []).append(number)
    units = list(load.units)
    by_bucket: dict[int, list[int]] = {}
    for unit in sorted(touched):
        bucket = load.buckets[unit]
        if bucket == _LARGE:
            units[unit] = read_large(DataFile(load.paths[load.starts[unit]], edited[load.paths[load.starts[unit]]]))
        else:
            by_bucket.setdefault(bucket, []).append(unit)
    folder, group = load.place
    for bucket, found in by_bucket.items():
        runs = [_members(load, keys, unit, edited) for unit in found]
        for unit, records in zip(
            found, small_files.reload_runs(small_files.bucket_path(folder, group, bucket), runs), strict=True
        ):
            units[unit] = records
    return units, load._replace(keys=keys, units=units)


def _members(load: KeptLoad, keys: list[array[int]], unit: int, edited: Mapping[str, os.stat_result]) -> list[DataFile]:
    """A run's files with their stats: as looked at now for the edited ones, else rebuilt from
    the kept numbers (what a run's digest and its files' comparison read)."""
    start, stop = load.starts[unit], load.stops[unit]
    size, mtime, ctime, inode = (column[start:stop] for column in keys)
    members: list[DataFile] = []
    for path, *numbers in zip(load.paths[start:stop], size, mtime, ctime, inode, strict=True):
        info = edited.get(path)
        if info is None:
            info = cast(os.stat_result, KeptStat((0, numbers[3], 0, 0, 0, 0, numbers[0], numbers[1], numbers[2])))
        members.append(DataFile(path, info))
    return members
