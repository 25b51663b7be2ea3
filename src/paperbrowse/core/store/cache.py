"""A cache of parsed record files, so a large collection starts fast.

TOML parses at a few MB/s here; 100,000 records are about 180 MB. Each data file's parsed
records (and problems) are kept in the user's cache folder, keyed by the file's path, size,
mtime, ctime and inode: any edit, even one that keeps the size, changes a key, and only that
file is parsed again. A cache entry that cannot be read is ignored and rebuilt, never trusted.
Records are stored as plain tuples, which unpickle several times faster than dataclasses.

A large file has an entry of its own. Small files (one paper each, as `add` writes them) are
kept in runs of neighbouring files, a few bucket files for them all (see `small_files`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable, Collection, Iterable
from itertools import compress
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import Final

import platformdirs

from paperbrowse import __version__
from paperbrowse.core.files import changes
from paperbrowse.core.files.paths import APP_NAME
from paperbrowse.core.records.catalog import Catalog, build_catalog
from paperbrowse.core.records.loader import FileRecords, parse_file
from paperbrowse.core.records.pieces import let_go
from paperbrowse.core.records.problems import Problem
from paperbrowse.core.records.rescan import KeptScan, Rescanned, keep, rescan
from paperbrowse.core.records.scan import DataFile, Scan, scan
from paperbrowse.core.store import forked_stamp, kept_load, small_files, snapshot, trust
from paperbrowse.core.store.forked_stamp import FilesCheck, Missed
from paperbrowse.core.store.kept_load import KeptLoad
from paperbrowse.core.store.packing import pack, unpack

# 2: papers have a `bib` slot (records.bibliography) and sources, aliases and unverified.
# 3: keyed by the path made absolute, no longer resolved.
FORMAT = 3
Progress = Callable[[int, int], None]  # told (files read, files in all) while a load goes on
EARLY = 0.3  # seconds of a long load after which its first part is shown

# A cache entry's key: the cache format, the paperbrowse version, the file's absolute path,
# size, mtime_ns, ctime_ns and inode.
_EntryKey = tuple[int, str, str, int, int, int, int]


def cache_folder() -> Path | None:
    """Where parsed files are kept; None when PAPERBROWSE_CACHE=0 turns the cache off."""
    setting = os.environ.get("PAPERBROWSE_CACHE", "")
    if setting == "0":
        return None
    return Path(setting) if setting else Path(platformdirs.user_cache_dir(APP_NAME)) / "records"


_MTIME: Final = 4  # the position of st_mtime_ns in a key


def _key(file: DataFile, cwd: str) -> _EntryKey:
    """From the stat the scan took. The path made absolute is not resolved (a system call per
    part of the path): the inode tells the file a link points to."""
    info = file.stat
    assert info is not None
    absolute = os.path.join(cwd, file.path)  # an absolute path stays as it is
    return (FORMAT, __version__, absolute, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _entry_path(folder: Path, key: _EntryKey) -> Path:
    digest = hashlib.sha256(key[2].encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return folder / f"{digest}.pickle"


def load_file(file: DataFile, folder: Path | None) -> FileRecords:
    """One file's records: from its cache entry when its key still matches, else parsed and stored."""
    if folder is None or file.stat is None:
        return parse_file(Path(file.path))  # parse_file reports why a file cannot be read
    key = _key(file, os.getcwd())
    entry = _entry_path(folder, key)
    with contextlib.suppress(Exception):  # a damaged, foreign or untrusted entry is only a cache miss
        stored_key, packed = trust.load(entry)
        if stored_key == key:
            return unpack(packed, file.path)
    records = parse_file(Path(file.path))
    if not _racy_key(key):
        trust.save(entry, (key, pack(records)))
    return records


def load_files(
    files: list[DataFile],
    folder: Path | None,
    group: str = "all",
    progress: Progress | None = None,
    so_far: Callable[[list[FileRecords | None]], None] | None = None,
) -> list[FileRecords]:
    """Every file's records, in order: large files through their own entries, small ones
    through the buckets of `group` (the set of sources they were found under). `progress` is
    told (files read, files in all) after each file or bucket, `so_far` shown the records read
    by then (None for a file not read yet)."""
    return _read_files(files, folder, group, progress, so_far)[0]


def _read_files(
    files: list[DataFile],
    folder: Path | None,
    group: str = "all",
    progress: Progress | None = None,
    so_far: Callable[[list[FileRecords | None]], None] | None = None,
    keep_load: bool = False,
    planned: small_files.Planned | None = None,
) -> tuple[list[FileRecords], KeptLoad | None]:
    """`load_files`, and with `keep_load` the load kept for a reload that patches it;
    `planned`: the small files' plan and digests, when a forked check sent them (see `FilesCheck`)."""

    def tell(done: int, total: int) -> None:
        if progress is not None:
            progress(done, total)
        if so_far is not None:
            so_far(records)

    done = 0
    records: list[FileRecords | None] = [None] * len(files)
    merged = FileRecords("")  # stands for a file whose records are in its run's first file's
    if folder is None:
        buckets: dict[int, list[range]] = {}
        large = list(range(len(files)))
    elif planned is not None:
        buckets, large = {bucket: list(runs) for bucket, runs in planned.buckets.items()}, list(planned.others)
    else:
        buckets, large = small_files.plan(files)
    kept_plan = ({bucket: list(runs) for bucket, runs in buckets.items()}, list(large)) if keep_load else None
    digests = planned.digests if planned is not None else None
    # The categories first (in the file the papers folder and the shipped data keep them in),
    # so that the first part of a long load (see `early`) holds the categories of its papers.
    ends = map(_ENDS_IN_CATEGORIES, map(itemgetter(0), files))  # a C-level pass, then the few
    holders = [n for n in compress(range(len(files)), ends) if _holds_categories(files[n].path)]
    first = [b for b, runs in buckets.items() if any(n in run for run in runs for n in holders)]
    steps: list[int | tuple[int, list[range]]] = [(b, buckets.pop(b)) for b in first]
    large.sort(key=lambda number: not _holds_categories(files[number].path))
    steps += large
    steps += buckets.items()
    for step in steps:
        if isinstance(step, int):
            records[step] = load_file(files[step], folder)
            done += 1
        else:
            assert folder is not None
            bucket, runs = step
            path = small_files.bucket_path(folder, group, bucket)
            small_files.load_bucket(path, runs, files, records, merged, digests)
            done += sum(map(len, runs))
        tell(done, len(files))
    load = None
    if kept_plan is not None and folder is not None:
        load = kept_load.kept((folder, group), files, *kept_plan, records)
    return [found for found in records if found is not None and found is not merged], load


_ENDS_IN_CATEGORIES = methodcaller("endswith", "categories.toml")


def _holds_categories(path: str) -> bool:
    return os.path.basename(path) == "categories.toml"  # the name sources.papers_folder gives it


def _early(
    early: Callable[[Catalog], None] | None, problems: list[Problem]
) -> Callable[[list[FileRecords | None]], None] | None:
    """What hands `early` the first part of a long load, once."""
    if early is None:
        return None
    due = time.monotonic() + EARLY
    sent = False

    def so_far(records: list[FileRecords | None]) -> None:
        nonlocal sent
        nonlocal due
        if sent or time.monotonic() < due or None not in records:
            return
        part = build_catalog([found for found in records if found is not None], list(problems))
        if part.papers:  # else (its categories not read yet) a later step tries again
            sent = True
            early(part)
        due = time.monotonic() + EARLY

    return so_far


def _racy_key(key: _EntryKey) -> bool:
    # Changed within the timestamp's resolution of now: a same-size rewrite in the same tick
    # would keep this key ("racy git"), so such a file is parsed again next time.
    return time.time_ns() - key[_MTIME] < snapshot.RACY_NS


def load_catalog_cached(
    sources: Iterable[str | os.PathLike[str]],
    folder: Path | None = None,
    progress: Progress | None = None,
    early: Callable[[Catalog], None] | None = None,
    check: FilesCheck | None = None,
    meanwhile: Callable[[Catalog], None] | None = None,
) -> Catalog:
    """Like catalog.load_catalog, through the snapshot and the per-file cache.

    `folder` defaults to cache_folder(). When no data file changed since the last load, the
    snapshot of the whole catalog is read back; else each file comes from its own cache entry
    or is parsed, and a new snapshot is taken. A folder that is not the user's alone is not
    used at all (see `trust`). `progress(read, total)` is told how far the files are read.
    `early`, when the files must be read (a cold start), is handed once, after EARLY seconds, a
    catalog of the files read by then, to show while the rest are read. `check`: see
    `check_files` (a child that tells whether the snapshot holds, started sooner). `meanwhile`:
    work done on the snapshot's catalog while that child finishes; it must change nothing
    but what it makes, since a miss throws that catalog away.
    """
    folder = cache_folder() if folder is None else folder
    return _load(sources, folder, progress, early, check=check, meanwhile=meanwhile)


def reload_catalog(old: Catalog, heard: Collection[str] | None, folder: Path | None = None) -> Catalog:
    """`old`'s collection loaded again, as the data watcher reloads it; `heard`: the only data
    files that may have changed since `old` was loaded by this function, as a watcher vouches
    (`ChangeWatcher.heard`), or None (any may have). With `heard`, only those files are looked
    at (see `records.rescan`), and only the units holding them (their runs of small files, or
    the large files themselves) are read again, the previous reload's records kept for the
    rest (see `kept_load`); else, or when that cannot be told, every file is. The new catalog
    keeps its scan and its units for the next reload (about 30 MB at 100,000 files)."""
    folder = cache_folder() if folder is None else folder
    kept: KeptScan | None = old.derived.get(KEPT_SCAN) if heard is not None else None
    found = rescan(kept, heard) if kept is not None and heard is not None else None
    catalog = _patched(old, kept, found, folder) if kept is not None and found is not None else None
    scanned: Scan | None = None
    if catalog is None:
        scanned = found.scan() if found is not None else scan([str(source) for source in old.sources])
        catalog = _load(old.sources, folder, None, scanned=scanned, keep_load=True)
    kept = found.kept if found is not None else keep(scanned) if scanned is not None else None
    if kept is not None:
        catalog.derived[KEPT_SCAN] = kept
    if scanned is not None:
        scanned.let_go()  # a stat per file, freed a piece at a time (see `Scan.let_go`)
    return catalog


KEPT_SCAN = "kept scan"  # in a catalog's `derived`: its files as `reload_catalog` found them
KEPT_LOAD = "kept load"  # ... and its units' records (`kept_load.KeptLoad`)


def _patched(old: Catalog, before: KeptScan, found: Rescanned, folder: Path | None) -> Catalog | None:
    """`old` with the units of the files `found` changed, added or gone read again, those of
    every other file kept (see `kept_load`); None when `old` kept no load to patch, or when it
    cannot be patched."""
    load: KeptLoad | None = old.derived.get(KEPT_LOAD)
    folder = trust.usable_folder(folder)
    if load is None or folder is None:
        return None
    names = list(old.sources)
    where = snapshot.snapshot_path(folder, names)
    if load.place != (folder, where.stem.removeprefix("snapshot-")):
        return None
    patched = kept_load.patch(load, before, found, lambda file: load_file(file, folder))
    if patched is None:
        return None
    units, load = patched
    problems = found.kept.problems
    catalog = build_catalog(units, problems)
    catalog.sources = tuple(names)
    key = (*snapshot.stamp_kept(found.kept), tuple((p.file, p.message) for p in problems))
    if not snapshot.racy(key):
        snapshot.save_snapshot(where, key, catalog)
        catalog.derived["snapshot"] = (where, key)
    catalog.derived[KEPT_LOAD] = load
    return catalog


def _load(
    sources: Iterable[str | os.PathLike[str]],
    folder: Path | None,
    progress: Progress | None,
    early: Callable[[Catalog], None] | None = None,
    scanned: Scan | None = None,
    keep_load: bool = False,
    check: FilesCheck | None = None,
    meanwhile: Callable[[Catalog], None] | None = None,
    missed: Missed | None = None,
) -> Catalog:
    """`scanned`: the files as the caller found them; None: scan them now. `keep_load`: keep
    the load in the catalog, for a reload to patch (when it read the files). `check`: a
    child already taking the files' key (see `check_files`); else one is started when it pays.
    `missed`: what that child found after a miss, `scanned` among it (see `FilesCheck.catalog`)."""
    folder = trust.usable_folder(folder)
    names = [str(source) for source in sources]
    if scanned is None and check is None and folder is not None:
        check = check_files(names, folder)
    if check is not None:
        if scanned is None and folder is not None and check.where == snapshot.snapshot_path(folder, names):
            checked = check.catalog(meanwhile)
            if checked is not None:
                return checked
        else:
            check.abandon()
    if scanned is None:
        missed = check.missed if check is not None else None
        scanned = missed.scanned if missed is not None else scan(names)
        try:
            return _load(names, folder, progress, early, scanned, keep_load, missed=missed)
        finally:
            scanned.let_go()  # a stat per file, freed a piece at a time (see `Scan.let_go`)
    problems = scanned.problems
    where = snapshot.snapshot_path(folder, names) if folder is not None else None
    key = missed.key if missed is not None else None
    if key is None and where is not None:
        files_now = snapshot.stamp(scanned)
        key = None if files_now is None else (*files_now, tuple((p.file, p.message) for p in problems))
    if key is not None and where is not None:
        found = snapshot.load_snapshot(where, key)
        if found is not None:
            found.derived["snapshot"] = (where, key)
            return found
    group = where.stem.removeprefix("snapshot-") if where is not None else "all"
    files = missed.files if missed is not None else scanned.files()
    planned = missed.planned if missed is not None else None
    records, load = _read_files(files, folder, group, progress, _early(early, problems), keep_load, planned)
    let_go(files)  # a tuple and a path per file (see `pieces.let_go`)
    catalog = build_catalog(records, problems)
    catalog.sources = tuple(names)
    if key is not None and where is not None and not snapshot.racy(key):
        snapshot.save_snapshot(where, key, catalog)
        catalog.derived["snapshot"] = (where, key)
    if load is not None:
        catalog.derived[KEPT_LOAD] = load
    return catalog


def check_files(sources: Iterable[str | os.PathLike[str]], folder: Path | None = None) -> FilesCheck | None:
    """A child started now on the data files' key, for `load_catalog_cached` to take (as
    `check`; see `forked_stamp.check`); `folder` defaults to cache_folder()."""
    return forked_stamp.check(sources, cache_folder() if folder is None else folder)


def folder_records(folder: Path) -> list[FileRecords]:
    """Every data file's records under `folder`, whatever their categories, through the cache
    (a group of its own: a folder's runs do not displace those of the data in use)."""
    digest = hashlib.sha256(str(folder).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    scanned = scan([folder])
    files = scanned.files()
    try:
        return load_files(files, trust.usable_folder(cache_folder()), f"own-{digest}")
    finally:  # a tuple, a path and a stat per file, freed a piece at a time (see `pieces.let_go`)
        let_go(files)
        scanned.let_go()


def files_signature(sources: Iterable[str]) -> changes.Signature:
    """What the data files look like now (which, their sizes, times and inodes), to hand to a
    `changes.ChangeWatcher` that must tell whether they changed since.

    One stat per file and no path resolved; no file read but those changed in the last two
    seconds (see `changes.RACY_NS`).
    """
    return changes.signature(sources)
