"""A cache of parsed record files, so a large collection starts fast.

TOML parses at a few MB/s here; 100,000 records are about 180 MB. Each data file's parsed
records (and problems) are kept in the user's cache folder, keyed by the file's path, size,
mtime, ctime and inode: any edit, even one that keeps the size, changes a key, and only that
file is parsed again. A cache entry that cannot be read is ignored and rebuilt, never trusted.
Records are stored as plain tuples, which unpickle several times faster than dataclasses.

A large file has an entry of its own. Small files (one paper each, as `add` and `import` write
them) share `_BUCKETS` entries, a file's bucket chosen by its path: opening, checking and
reading 100,000 entries cost more than parsing, while 64 buckets cost what 64 large files do.
An edit rewrites the edited file's bucket, reusing the other files' records in it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import platformdirs

from paperbrowse import __version__
from paperbrowse.core.files import changes
from paperbrowse.core.files.paths import APP_NAME
from paperbrowse.core.records.bibliography import pack_bib, unpack_bib
from paperbrowse.core.records.catalog import Catalog, build_catalog
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.loader import DataFile, FileRecords, parse_file, scan_files
from paperbrowse.core.records.problems import Problem, Severity
from paperbrowse.core.records.schema import Category, Paper
from paperbrowse.core.store import snapshot, trust

if TYPE_CHECKING:
    from paperbrowse.core.search.engine import SearchIndex

# 2: papers have a `bib` slot (records.bibliography) and sources, aliases and unverified.
# 3: keyed by the path made absolute, no longer resolved.
FORMAT = 3
Progress = Callable[[int, int], None]  # told (files read, files in all) while a load goes on
EARLY = 0.3  # seconds of a long load after which its first part is shown
_SMALL = 64 * 1024  # files smaller than this share bucket entries (about 30 papers)
_BUCKETS = 64
_PAPER_FIELDS = [f.name for f in fields(Paper)]
_DATE = _PAPER_FIELDS.index("date")
_SOURCE = _PAPER_FIELDS.index("source")
_BIB = _PAPER_FIELDS.index("bib")

# A cache entry's key: the cache format, the paperbrowse version, the file's absolute path,
# size, mtime_ns, ctime_ns and inode.
_EntryKey = tuple[int, str, str, int, int, int, int]
# A file's records as an entry holds them: the path they were read from, then each paper,
# category and problem as a tuple of its fields in field order (a paper's date as a tuple too).
_Packed = tuple[
    str, list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[str, int | None, str, Severity, int | None]]
]


def cache_folder() -> Path | None:
    """Where parsed files are kept; None when PAPERBROWSE_CACHE=0 turns the cache off."""
    setting = os.environ.get("PAPERBROWSE_CACHE", "")
    if setting == "0":
        return None
    return Path(setting) if setting else Path(platformdirs.user_cache_dir(APP_NAME)) / "records"


_MTIME: Final = 4  # the position of st_mtime_ns in a key
_RACY_NS = 2_000_000_000  # coarse file systems keep whole seconds (FAT: two)


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


def _pack(records: FileRecords) -> _Packed:
    papers: list[tuple[Any, ...]] = []
    for paper in records.papers:
        row = [getattr(paper, name) for name in _PAPER_FIELDS]
        row[_DATE] = (paper.date.year, paper.date.month, paper.date.day)
        row[_BIB] = pack_bib(paper.bib)
        papers.append(tuple(row))
    categories = [tuple(getattr(c, f.name) for f in fields(Category)) for c in records.categories]
    problems = [(p.file, p.line, p.message, p.severity, p.column) for p in records.problems]
    return (records.path, papers, categories, problems)


def _unpack(packed: _Packed, shown: str) -> FileRecords:
    """The stored records, with the file named as it is reached now (`shown`)."""
    stored, papers, categories, problems = packed
    result = FileRecords(shown)
    source = _SOURCE
    for row in papers:
        values = list(row)
        values[_DATE] = PaperDate(*values[_DATE])
        values[_BIB] = unpack_bib(values[_BIB])
        values[source] = shown
        result.papers.append(Paper(*values))
    result.categories = [replace(Category(*row), source=shown) for row in categories]
    result.problems = [
        Problem(shown if file == stored else file, line, message, severity, column)
        for file, line, message, severity, column in problems
    ]
    return result


def load_file(file: DataFile, folder: Path | None) -> FileRecords:
    """One file's records: from its cache entry when its key still matches, else parsed and stored."""
    if folder is None or file.stat is None:
        return parse_file(Path(file.path))  # parse_file reports why a file cannot be read
    key = _key(file, os.getcwd())
    entry = _entry_path(folder, key)
    with contextlib.suppress(Exception):  # a damaged, foreign or untrusted entry is only a cache miss
        stored_key, packed = trust.load(entry)
        if stored_key == key:
            return _unpack(packed, file.path)
    records = parse_file(Path(file.path))
    if not _racy_key(key):
        _store(entry, (key, _pack(records)))
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

    def tell(done: int, total: int) -> None:
        if progress is not None:
            progress(done, total)
        if so_far is not None:
            so_far(records)

    done = 0
    records: list[FileRecords | None] = [None] * len(files)
    buckets: dict[int, list[tuple[int, DataFile, _EntryKey]]] = {}
    large: list[int] = []
    cwd = os.getcwd()
    for number, file in enumerate(files):
        if folder is not None and file.stat is not None and file.stat.st_size < _SMALL:
            key = _key(file, cwd)
            bucket = zlib.crc32(key[2].encode("utf-8", "surrogatepass")) % _BUCKETS
            buckets.setdefault(bucket, []).append((number, file, key))
        else:
            large.append(number)
    # The categories first (in the file the papers folder and the shipped data keep them in),
    # so that the first part of a long load (see `early`) holds the categories of its papers.
    first = [b for b, members in buckets.items() if any(_holds_categories(f.path) for _, f, _ in members)]
    steps: list[int | list[tuple[int, DataFile, _EntryKey]]] = [buckets.pop(b) for b in first]
    large.sort(key=lambda number: not _holds_categories(files[number].path))
    steps += large
    steps += buckets.values()
    for step in steps:
        if isinstance(step, int):
            records[step] = load_file(files[step], folder)
            done += 1
        else:
            assert folder is not None
            bucket = zlib.crc32(step[0][2][2].encode("utf-8", "surrogatepass")) % _BUCKETS
            _load_bucket(folder / f"files-{group}-{bucket:02d}.pickle", step, records)
            done += len(step)
        tell(done, len(files))
    return [found for found in records if found is not None]


def _load_bucket(
    bucket: Path, members: list[tuple[int, DataFile, _EntryKey]], records: list[FileRecords | None]
) -> None:
    """Fill `records` for the bucket's files: each from the bucket while its key matches, else
    parsed; the bucket written again when that changed what it should hold."""
    stored: dict[str, tuple[_EntryKey, _Packed]] = {}
    with contextlib.suppress(Exception):  # a damaged, foreign or untrusted bucket is only a miss
        found = trust.load(bucket)
        if isinstance(found, dict):
            stored = found
    kept: dict[str, tuple[_EntryKey, _Packed]] = {}
    changed = False
    for number, file, key in members:
        entry = stored.get(key[2])
        with contextlib.suppress(Exception):  # an entry of the wrong shape is a miss
            if entry is not None and entry[0] == key:
                records[number] = _unpack(entry[1], file.path)
                kept[key[2]] = entry
        if records[number] is None:
            records[number] = parsed = parse_file(Path(file.path))
            changed = True
            if not _racy_key(key):
                kept[key[2]] = (key, _pack(parsed))
    if not kept:  # every file new (within the racy window) or gone: no bucket at all
        if stored:
            with contextlib.suppress(OSError):
                bucket.unlink()
    elif changed or kept.keys() != stored.keys():
        _store(bucket, kept)


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
    return time.time_ns() - key[_MTIME] < _RACY_NS


def _store(entry: Path, value: object) -> None:
    # A cache that cannot be written (no room, a file in the way, a record nested too deep to
    # pickle) only costs speed: the records are returned all the same.
    with contextlib.suppress(OSError, RecursionError, pickle.PicklingError):
        entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        trust.write(entry, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def load_catalog_cached(
    sources: Iterable[str | os.PathLike[str]],
    folder: Path | None = None,
    progress: Progress | None = None,
    early: Callable[[Catalog], None] | None = None,
) -> Catalog:
    """Like catalog.load_catalog, through the snapshot and the per-file cache.

    `folder` defaults to cache_folder(). When no data file changed since the last load, the
    snapshot of the whole catalog is read back; else each file comes from its own cache entry
    or is parsed, and a new snapshot is taken. A folder that is not the user's alone is not
    used at all (see `trust`). `progress(read, total)` is told how far the files are read.
    `early`, when the files must be read (a cold start), is handed once, after EARLY seconds, a
    catalog of the files read by then, to show while the rest are read.
    """
    return _load(sources, cache_folder() if folder is None else folder, progress, early)


def _load(
    sources: Iterable[str | os.PathLike[str]],
    folder: Path | None,
    progress: Progress | None,
    early: Callable[[Catalog], None] | None = None,
) -> Catalog:
    folder = trust.usable_folder(folder)
    names = [str(source) for source in sources]
    files, problems = scan_files(names)
    files_now = snapshot.stamp(files) if folder is not None else None
    where = snapshot.snapshot_path(folder, names) if folder is not None else None
    key: snapshot.SnapshotKey | None = None
    if files_now is not None and where is not None:
        key = (*files_now, tuple((p.file, p.message) for p in problems))
        found = snapshot.load_snapshot(where, key)
        if found is not None:
            found.derived["snapshot"] = (where, key)
            return found
    group = where.stem.removeprefix("snapshot-") if where is not None else "all"
    catalog = build_catalog(load_files(files, folder, group, progress, _early(early, problems)), problems)
    catalog.sources = tuple(names)
    if key is not None and where is not None and not _racy(key):
        snapshot.save_snapshot(where, key, catalog)
        catalog.derived["snapshot"] = (where, key)
    return catalog


def prepare_search(index: SearchIndex, pause: Callable[[], None] | None = None) -> None:
    """Give the index all its word indexes: kept from an earlier run of the same data, or built
    now (seconds at 100,000 papers) and kept for the next one.

    Threads may call it at once (the browser's background work and a search typed before that
    finished): one loads, the others wait for it (a twentieth of a second when the indexes
    were kept) and find them ready. `pause`: called between slices of a build (not of a read).
    """
    with index.preparing:
        if not index.ready():
            try:
                _prepare_search(index, pause)
            except BaseException:
                index.words_from = ""  # no one is building them: whoever needs them tries again
                raise


def _prepare_search(index: SearchIndex, pause: Callable[[], None] | None) -> None:
    place: tuple[Path, snapshot.SnapshotKey] | None = index.catalog.derived.get("snapshot")
    if place is None:
        index.words_from = "build"
        index.prepare(pause)
        return
    where, key = place
    index.words_from = "read"
    state = snapshot.load_words(snapshot.words_path(where), key)
    if state is not None:
        index.adopt_words(state)
    missing = not index.ready()
    if missing:
        index.words_from = "build"
    index.prepare(pause)
    if missing and not _racy(key):
        snapshot.save_words(snapshot.words_path(where), key, index.word_state())


def _racy(key: snapshot.SnapshotKey) -> bool:
    """A file changed within the timestamp's resolution of now could change again unseen."""
    now = time.time_ns()
    return any(now - stamp[snapshot.MTIME] < _RACY_NS for stamp in key[2])


def files_signature(sources: Iterable[str]) -> changes.Signature:
    """What the data files look like now (which, their sizes, times and inodes), to hand to a
    `changes.ChangeWatcher` that must tell whether they changed since.

    One stat per file and no path resolved; no file read but those changed in the last two
    seconds (see `changes.RACY_NS`).
    """
    return changes.signature(sources)
