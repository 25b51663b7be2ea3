"""Small data files' parsed records, cached a run of neighbouring files at a time.

A folder of 100,000 one-paper files (as `add` writes them) cannot have a cache entry per file:
opening, checking and reading them all costs more than parsing. Small files are kept in runs:
consecutive files of the scan, cut after a file whose path hashes to a multiple of `RUN` (about
`RUN` files each; the cuts depend on the names, not on positions, so adding or removing a file
changes its own run only). A run is checked with one digest of its files' paths and stats
(C-level passes) and, while that matches, read back as one `FileRecords` holding all its
records: no Python line per file but the loop over the stored rows. When it does not match,
its files are compared one by one and only the changed ones parsed. Runs are stored in
`BUCKETS` files per group of sources, a run's bucket chosen by its first path: a load opens at
most `BUCKETS` files, and an edit rewrites one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
import zlib
from array import array
from collections.abc import Mapping, Sequence
from itertools import chain, compress, repeat
from operator import ge, itemgetter, methodcaller, mod, not_
from pathlib import Path
from typing import Any, NamedTuple, cast

from paperbrowse import __version__
from paperbrowse.core.records import pieces
from paperbrowse.core.records.loader import FileRecords, parse_file
from paperbrowse.core.records.problems import Problem
from paperbrowse.core.records.scan import DataFile, hash_stats
from paperbrowse.core.records.schema import Category
from paperbrowse.core.store import trust
from paperbrowse.core.store.packing import Packed, Row, add_papers, pack, unpack

FORMAT = 1
SMALL = 64 * 1024  # files smaller than this are kept in runs (about 30 papers)
RUN = 256  # files in a run, on average
BUCKETS = 64
RACY_NS = 2_000_000_000  # see cache._racy_key

# A run as stored: the digest of its files (None: a file was left out, changed too recently
# to keep), their paths joined by NULs, each one's size, mtime_ns, ctime_ns and inode (an array
# of four numbers per file, or a list of tuples if one does not fit 64 bits), each one's papers
# as rows, and the categories' and problems' rows of the few files that have some, by number.
# Columns, not a tuple per file: a run of 256 files is a few objects to unpickle, not 2,000.
_Entry = tuple[
    bytes | None, str, "array[int] | list[_Key]", list[list[Row]], dict[int, list[Row]], dict[int, list[Any]]
]
_Key = tuple[int, int, int, int]


def plan(files: Sequence[DataFile]) -> tuple[dict[int, list[range]], list[int]]:
    """The small files' runs (ranges of their numbers), by bucket, and the other files'
    numbers. C-level passes over the files; a Python line per run."""
    count = len(files)
    others: list[int] = []
    for piece in pieces.pieces(count):  # in pieces: a thread plans a reload (see `pieces`)
        stats = list(map(_STAT, files[piece]))  # not all at once (see `Folder.order`)
        numbers = range(count)[piece]
        if None in stats:
            others += [
                number for number, info in zip(numbers, stats, strict=True) if info is None or info.st_size >= SMALL
            ]
        else:
            others += compress(numbers, map(ge, map(_SIZE, stats), repeat(SMALL)))
    ends: set[int] = set()  # a run ends after these
    for piece in pieces.pieces(count):
        hashes = map(zlib.crc32, map(_ENCODE, map(_PATH, files[piece])))
        ends.update(compress(range(count)[piece], map(not_, map(mod, hashes, repeat(RUN)))))
    runs: list[range] = []
    start = 0
    skip = set(others)
    for cut in sorted(ends | skip):
        if cut in skip:
            if start < cut:
                runs.append(range(start, cut))
        else:
            runs.append(range(start, cut + 1))
        start = cut + 1
    if start < count:
        runs.append(range(start, count))
    buckets: dict[int, list[range]] = {}
    for run in runs:
        # Not crc32, whose low bits barely differ between similar paths: 79 runs fell in 7 buckets.
        bucket = hashlib.blake2b(_ENCODE(_name(files, run)), digest_size=8).digest()[0] % BUCKETS
        buckets.setdefault(bucket, []).append(run)
    return buckets, others


class Planned(NamedTuple):
    """`plan`'s runs and other files, and each run's digest (`_digest`) by its first file's
    number: what a load works out from the files' stats before it reads a bucket."""

    buckets: dict[int, list[range]]
    others: list[int]
    digests: dict[int, bytes | None]


def planned(files: Sequence[DataFile]) -> Planned:
    buckets, others = plan(files)
    digests = {run.start: _digest(files[run.start : run.stop]) for runs in buckets.values() for run in runs}
    return Planned(buckets, others, digests)


def ends_run(path: str) -> bool:
    """Whether a run ends after the small file at `path` (`plan`'s cut, for one file)."""
    return not zlib.crc32(_ENCODE(path)) % RUN


def bucket_path(folder: Path, group: str, bucket: int) -> Path:
    return folder / f"files-{group}-{bucket:02d}.pickle"


def _name(files: Sequence[DataFile], run: range) -> str:
    return _absolute(files[run.start].path)


def _absolute(path: str) -> str:
    return path if os.path.isabs(path) else os.path.join(os.getcwd(), path)


def load_bucket(
    bucket: Path,
    runs: list[range],
    files: Sequence[DataFile],
    records: list[FileRecords | None],
    merged: FileRecords,
    digests: Mapping[int, bytes | None] | None = None,
) -> None:
    """Fill `records` for the runs of one bucket: a run's records at its first file's number,
    `merged` at the others'; the bucket written again when what it should hold changed.
    `digests`: the runs' digests as `planned` gives them (None: work them out now)."""
    stored = _stored(bucket)
    kept: dict[str, _Entry] = {}
    changed = False
    for run in runs:
        members = files[run.start : run.stop]
        name = _name(files, run)
        digest = _digest(members) if digests is None else digests[run.start]
        result, entry, same = _load_run(members, stored.get(name), digest)
        changed |= not same
        if entry is not None:
            kept[name] = entry
        records[run.start] = result
        records[run.start + 1 : run.stop] = repeat(merged, len(run) - 1)
    if not kept:  # every file new (within the racy window) or gone: no bucket at all
        if stored:
            with contextlib.suppress(OSError):
                bucket.unlink()
    elif changed or kept.keys() != stored.keys():
        trust.save(bucket, (FORMAT, __version__, kept))


def reload_runs(bucket: Path, runs: Sequence[Sequence[DataFile]]) -> list[FileRecords]:
    """The records of a few runs of one bucket, each given as its files (stats and all), as
    `load_bucket` reads them; the bucket's other runs are left as they are (a reload that was
    told which files changed reads only their runs)."""
    stored = _stored(bucket)
    kept = dict(stored)
    found: list[FileRecords] = []
    changed = False
    for members in runs:
        name = _absolute(members[0].path)
        result, entry, same = _load_run(members, stored.get(name), _digest(members))
        changed |= not same
        if entry is None:
            kept.pop(name, None)
        else:
            kept[name] = entry
        found.append(result)
    if not kept:
        if stored:
            with contextlib.suppress(OSError):
                bucket.unlink()
    elif changed:
        trust.save(bucket, (FORMAT, __version__, kept))
    return found


def _stored(bucket: Path) -> dict[str, _Entry]:
    with contextlib.suppress(Exception):  # a damaged, foreign or untrusted bucket is only a miss
        found = trust.load(bucket)
        if isinstance(found, tuple) and found[:2] == (FORMAT, __version__) and isinstance(found[2], dict):
            return cast(dict[str, _Entry], found[2])
    return {}


def _load_run(
    members: Sequence[DataFile], entry: _Entry | None, digest: bytes | None
) -> tuple[FileRecords, _Entry | None, bool]:
    """A run's records, the entry to keep for it (None: none), and whether that is `entry`;
    `digest`: the run's files' (`_digest`)."""
    if entry is not None and digest is not None and entry[0] == digest:
        with contextlib.suppress(Exception):  # an entry of the wrong shape is a miss
            return _read(entry, members[0].path), entry, True
    result, fresh = _read_each(members, entry, digest)
    return result, fresh, False


_STAT = itemgetter(1)
_PATH = itemgetter(0)
_SIZE = itemgetter(6)
_ENCODE = methodcaller("encode", "utf-8", "surrogatepass")


def _digest(members: Sequence[DataFile]) -> bytes | None:
    stats = list(map(_STAT, members))
    if None in stats:
        return None
    digest = hashlib.blake2b(digest_size=32)
    digest.update(_ENCODE("\0".join(map(_PATH, members))))
    hash_stats(digest, cast(list[os.stat_result], stats))
    return digest.digest()


def _read(entry: _Entry, name: str) -> FileRecords:
    """A run's records as stored, in one `FileRecords` (named by its first file)."""
    result = FileRecords(name)
    add_papers(result.papers, chain.from_iterable(entry[3]))  # one call per run, not per file
    for number in sorted(entry[4]):
        result.categories += [Category(*row) for row in entry[4][number]]
    for number in sorted(entry[5]):
        result.problems += [Problem(*row) for row in entry[5][number]]
    return result


def _read_each(
    members: Sequence[DataFile], entry: _Entry | None, digest: bytes | None
) -> tuple[FileRecords, _Entry | None]:
    """A run's records, its files compared one by one with what `entry` kept of them: the
    unchanged ones read back, the others parsed; and the entry to keep now (None: nothing)."""
    before: dict[str, tuple[_Key, Packed]] = {}
    with contextlib.suppress(Exception):  # a damaged entry keeps nothing
        if entry is not None:
            before = _files_of(entry)
    result = FileRecords(members[0].path)
    kept: list[tuple[str, _Key, Packed]] = []
    now = time.time_ns()
    for path, info in members:
        assert info is not None  # a file that cannot be looked at is not small
        key = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        old = before.get(path)
        records: FileRecords | None = None
        if old is not None and old[0] == key:
            with contextlib.suppress(Exception):
                records = unpack(old[1], path)
                kept.append((path, key, old[1]))
        if records is None:
            records = parse_file(Path(path))
            if now - info.st_mtime_ns >= RACY_NS:
                kept.append((path, key, pack(records)))
        result.papers += records.papers
        result.categories += records.categories
        result.problems += records.problems
    if not kept:
        return result, None
    return result, _entry(digest if len(kept) == len(members) else None, kept)


def _entry(digest: bytes | None, files: list[tuple[str, _Key, Packed]]) -> _Entry:
    keys: array[int] | list[_Key]
    try:
        keys = array("q", chain.from_iterable(key for _, key, _ in files))
    except OverflowError:  # an inode beyond 63 bits
        keys = [key for _, key, _ in files]
    categories = {number: packed[2] for number, (_, _, packed) in enumerate(files) if packed[2]}
    problems = {number: packed[3] for number, (_, _, packed) in enumerate(files) if packed[3]}
    return (
        digest,
        "\0".join(path for path, _, _ in files),
        keys,
        [packed[1] for _, _, packed in files],
        categories,
        problems,
    )


def _files_of(entry: _Entry) -> dict[str, tuple[_Key, Packed]]:
    """What a run's entry kept of each of its files, by path."""
    _, joined, keys, rows, categories, problems = entry
    paths = joined.split("\0")
    if isinstance(keys, array):
        numbers = iter(keys)
        keys = cast(list[_Key], list(zip(numbers, numbers, numbers, numbers, strict=True)))
    return {
        path: (key, (path, rows[number], categories.get(number, []), problems.get(number, [])))
        for number, (path, key) in enumerate(zip(paths, keys, strict=True))
    }
