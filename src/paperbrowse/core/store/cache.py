"""A cache of parsed record files, so a large collection starts fast.

TOML parses at a few MB/s here; 100,000 records are about 180 MB. Each data file's parsed
records (and problems) are kept in the user's cache folder, keyed by the file's path, size,
mtime, ctime and inode: any edit, even one that keeps the size, changes a key, and only that
file is parsed again. A cache entry that cannot be read is ignored and rebuilt, never trusted.
Records are stored as plain tuples, which unpickle several times faster than dataclasses.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import time
from collections.abc import Iterable
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
from paperbrowse.core.records.loader import FileRecords, find_files, parse_file
from paperbrowse.core.records.problems import Problem, Severity
from paperbrowse.core.records.schema import Category, Paper
from paperbrowse.core.store import snapshot, trust

if TYPE_CHECKING:
    from paperbrowse.core.search.engine import SearchIndex

FORMAT = 2  # 2: papers have a `bib` slot (records.bibliography)
_PAPER_FIELDS = [f.name for f in fields(Paper)]
_DATE = _PAPER_FIELDS.index("date")
_SOURCE = _PAPER_FIELDS.index("source")
_BIB = _PAPER_FIELDS.index("bib")

# A cache entry's key: the cache format, the paperbrowse version, the file's resolved path,
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


def _key(path: Path) -> _EntryKey:
    stat = path.stat()
    return (FORMAT, __version__, str(path.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def _entry_path(folder: Path, path: Path) -> Path:
    digest = hashlib.sha256(str(path.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:32]
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


def load_file(path: Path, folder: Path | None) -> FileRecords:
    """One file's records: from the cache when its key still matches, else parsed and stored."""
    if folder is None:
        return parse_file(path)
    try:
        key = _key(path)
    except OSError:
        return parse_file(path)  # parse_file reports why the file cannot be read
    entry = _entry_path(folder, path)
    with contextlib.suppress(Exception):  # a damaged, foreign or untrusted entry is only a cache miss
        stored_key, packed = trust.load(entry)
        if stored_key == key:
            return _unpack(packed, str(path))
    records = parse_file(path)
    if time.time_ns() - key[_MTIME] < _RACY_NS:
        # Changed within the timestamp's resolution of now: a same-size rewrite in the same
        # tick would keep this key ("racy git"), so such a file is parsed again next time.
        return records
    # A cache that cannot be written (no room, a file in the way, a record nested too deep to
    # pickle) only costs speed: the records are returned all the same.
    with contextlib.suppress(OSError, RecursionError, pickle.PicklingError):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        trust.write(entry, pickle.dumps((key, _pack(records)), protocol=pickle.HIGHEST_PROTOCOL))
    return records


def load_catalog_cached(sources: Iterable[str | os.PathLike[str]], folder: Path | None = None) -> Catalog:
    """Like catalog.load_catalog, through the snapshot and the per-file cache.

    `folder` defaults to cache_folder(). When no data file changed since the last load, the
    snapshot of the whole catalog is read back; else each file comes from its own cache entry
    or is parsed, and a new snapshot is taken. A folder that is not the user's alone is not
    used at all (see `trust`).
    """
    return _load(sources, cache_folder() if folder is None else folder)


def _load(sources: Iterable[str | os.PathLike[str]], folder: Path | None) -> Catalog:
    folder = trust.usable_folder(folder)
    names = [str(source) for source in sources]
    files, problems = find_files(names)
    files_now = snapshot.stamp(files) if folder is not None else None
    where = snapshot.snapshot_path(folder, names) if folder is not None else None
    key: snapshot.SnapshotKey | None = None
    if files_now is not None and where is not None:
        key = (*files_now, tuple((p.file, p.message) for p in problems))
        found = snapshot.load_snapshot(where, key)
        if found is not None:
            found.derived["snapshot"] = (where, key)
            return found
    catalog = build_catalog([load_file(path, folder) for path in files], problems)
    catalog.sources = tuple(names)
    if key is not None and where is not None and not _racy(key):
        snapshot.save_snapshot(where, key, catalog)
        catalog.derived["snapshot"] = (where, key)
    return catalog


def prepare_search(index: SearchIndex) -> None:
    """Give the index all its word indexes: kept from an earlier run of the same data, or built
    now (seconds at 100,000 papers) and kept for the next one."""
    place: tuple[Path, snapshot.SnapshotKey] | None = index.catalog.derived.get("snapshot")
    if place is None:
        index.prepare()
        return
    where, key = place
    state = snapshot.load_words(snapshot.words_path(where), key)
    if state is not None:
        index.adopt_words(state)
    missing = not index.ready()
    index.prepare()
    if missing and not _racy(key):
        snapshot.save_words(snapshot.words_path(where), key, index.word_state())


def _racy(key: snapshot.SnapshotKey) -> bool:
    """A file changed within the timestamp's resolution of now could change again unseen."""
    now = time.time_ns()
    return any(now - stamp[3] < _RACY_NS for stamp in key[2])


def files_signature(sources: Iterable[str]) -> changes.Signature:
    """What the data files look like now (which, their sizes, times and inodes), to hand to a
    `changes.ChangeWatcher` that must tell whether they changed since.

    One stat per file and no path resolved; no file read but those changed in the last two
    seconds (see `changes.RACY_NS`).
    """
    return changes.signature(sources)
