"""The whole loaded collection in one cache file, for starts that only read it back.

The per-file cache (`cache`) saves the parsing, but joining 100,000 records from a hundred
files, checking the whole and building every object again still costs seconds. When no data
file changed since the snapshot was taken (the same files with the same paths, sizes, times
and inodes), the snapshot gives the catalog back as it was built: the papers as one column per
field, which unpickle several times faster than objects, the categories, the problems, and
the papers' newest-first order the search keeps them in. The texts (titles, summaries,
highlights, links) stay in a file beside it until read (see `texts`). Anything else, or a
snapshot that cannot be read, is only a miss: the collection is loaded the long way and the
snapshot written again.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import time
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields
from itertools import chain, repeat
from operator import attrgetter
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, TypedDict, cast

from paperbrowse import __version__
from paperbrowse.core.records import pieces
from paperbrowse.core.records.bibliography import pack_bib, unpack_bib
from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.problems import Problem
from paperbrowse.core.records.rescan import KEPT_FIELDS, KeptScan
from paperbrowse.core.records.scan import Scan, hash_stats
from paperbrowse.core.records.schema import Category, Paper, papers_from_columns
from paperbrowse.core.store import trust
from paperbrowse.core.store.texts import STORED_FIELDS, StoredPaper, TextsKey, open_texts, write_texts

if TYPE_CHECKING:
    from paperbrowse.core.search.subsequence import SubsequencePlanes

# 5: catalogs hold categories cut at MAX_CATEGORY_DEPTH, which a snapshot of format 4 may not.
# 6: papers have a `bib` slot (records.bibliography), undated ones (year 0), and sources,
# aliases and unverified, columns a format 5 snapshot lacks.
# 7: files are stamped by device and inode, not by their resolved path.
# 8: the files' stamps are one digest.
# 9: pickled a piece at a time, by one pickler (see `_pickled`).
# 10: the stamp holds the number of data files (see `forked_stamp.check`).
# 11: the key pickled alone first: read at every start before the snapshot, it cost 7 ms at
# 100,000 papers with the small parts (the tags' counts) pickled beside it.
FORMAT = 11
_PAPER_FIELDS = [f.name for f in fields(Paper) if f.name not in STORED_FIELDS]
_CATEGORY_FIELDS = [f.name for f in fields(Category)]
_PROBLEM_FIELDS = [f.name for f in fields(Problem)]
# Nearly every paper has no unknown fields: they share one read-only empty mapping instead of
# a million empty dicts (64 MB at 1,000,000 papers).
_NO_EXTRA: Mapping[str, Any] = MappingProxyType({})
_SHARED = ("authors", "orgs", "tags", "category", "builds_on", "source")

# The snapshot format, the paperbrowse version, a digest of every data file's path, size,
# mtime_ns, ctime_ns and inode, the newest mtime_ns among them, and the number of files.
Stamp = tuple[int, str, bytes, int, int]
NEWEST: Final = 3  # where a Stamp holds the newest mtime
FILES: Final = 4  # ... and the number of files
# A stamp and the (file, message) of each problem finding the files had: what a snapshot is
# taken of, and what it must match to be read back.
SnapshotKey = tuple[int, str, bytes, int, int, tuple[tuple[str, str], ...]]


class _Packed(TypedDict):
    """A catalog as the snapshot stores it (see `_pack`)."""

    papers: dict[str, list[Any]]  # a column of values per field, dates as YYYYMMDD integers
    categories: list[list[Any]]  # each category's fields, in field order
    problems: list[list[Any]]  # each problem's fields, in field order
    sources: tuple[str, ...]
    texts: TextsKey
    newest_first: list[int]
    tag_counts: Counter[str]


def stamp(found: Scan) -> Stamp | None:
    """What the data files look like now, from the stats the scan took (no more system calls);
    None when one could not even be looked at. The inode stands for the resolved path: a file
    reached through a link that now points elsewhere has another inode.

    One digest of them all: a start compares one short key instead of a tuple per file, and
    the columns are hashed in C-level passes (no Python line per file)."""
    digest = hashlib.blake2b(digest_size=32)
    for folder in found.folders:
        if pieces.contains(folder.stats, None):
            return None
        names = "\0".join(folder.names)
        digest.update(f"{len(folder.names)}\0{folder.prefix}\0{names}\0".encode("utf-8", "surrogatepass"))
        hash_stats(digest, cast(list[os.stat_result], folder.stats))
    newest = max(
        (max(map(_MTIME_NS, f.stats[piece])) for f in found.folders for piece in pieces.pieces(len(f.stats))), default=0
    )
    return (FORMAT, __version__, digest.digest(), newest, sum(len(folder.names) for folder in found.folders))


_MTIME_NS = attrgetter("st_mtime_ns")


def stamp_kept(found: KeptScan) -> Stamp:
    """`stamp` of the scan `found` keeps, from its columns: the same bytes hashed (the kept
    numbers fit 63 bits, where signed and unsigned are alike), and no stat rebuilt per file."""
    digest = hashlib.blake2b(digest_size=32)
    for folder in found.folders:
        names = "\0".join(folder.names)
        digest.update(f"{len(folder.names)}\0{folder.prefix}\0{names}\0".encode("utf-8", "surrogatepass"))
        for column in _KEPT_STAMPED:
            digest.update(folder.columns[column])
    newest = max((max(folder.columns[_KEPT_MTIME]) for folder in found.folders if folder.names), default=0)
    return (FORMAT, __version__, digest.digest(), newest, sum(len(folder.names) for folder in found.folders))


_KEPT_MTIME = KEPT_FIELDS.index("st_mtime_ns")
_KEPT_STAMPED = [KEPT_FIELDS.index(name) for name in ("st_size", "st_mtime_ns", "st_ctime_ns", "st_ino")]


def snapshot_path(folder: Path, sources: Sequence[str]) -> Path:
    digest = hashlib.sha256(repr(tuple(sources)).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return folder / f"snapshot-{digest}.pickle"


def texts_path(snapshot: Path) -> Path:
    return snapshot.with_name(snapshot.name.replace("snapshot-", "texts-", 1).replace(".pickle", ".bin"))


def stored_key(path: Path) -> SnapshotKey | None:
    """The key of the snapshot at `path` (its first pickle only), None when there is none."""
    with contextlib.suppress(Exception), trust.reader(path) as load:
        key = load()
        return key if isinstance(key, tuple) and len(key) == FILES + 2 else None
    return None


def load_snapshot(path: Path, key: SnapshotKey) -> Catalog | None:
    """The catalog the snapshot at `path` holds, if it was taken of files that still match `key`."""
    with contextlib.suppress(Exception):  # a damaged or untrusted snapshot is only a miss
        with trust.reader(path) as load:
            if load() != key:
                return None
            head, names, count = load()
            order = _read_column(load, count)
            columns = {name: _read_column(load, count) for name in names}
        return _unpack(cast(_Packed, {**head, "papers": columns, "newest_first": order}), texts_path(path))
    return None


def _read_column(load: Callable[[], Any], count: int) -> list[Any]:
    column: list[Any] = []
    while len(column) < count:
        column += load()
    if len(column) != count:
        raise ValueError("a snapshot's column of the wrong length")
    return column


def save_snapshot(path: Path, key: SnapshotKey, catalog: Catalog) -> None:
    """Keep the catalog for the next start; a snapshot that cannot be written only costs time."""
    with contextlib.suppress(OSError, RecursionError, pickle.PicklingError, MemoryError, UnicodeError):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        texts = write_texts(texts_path(path), catalog.papers)  # first: the snapshot names it
        trust.write(path, _pickled(key, _pack(catalog, texts)))


def _pickled(key: SnapshotKey, packed: _Packed) -> bytes:
    """The snapshot as pickles one after another, written by one pickler (so that an object
    several columns share is still stored once): the key, the small parts and the number of
    papers, then each long column a piece at a time. One pickle of it all held the interpreter
    170-240 ms at 100,000 papers, a stall of the browser when the data watcher saves."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    columns = packed["papers"]
    order = packed["newest_first"]
    head = {name: value for name, value in packed.items() if name not in ("papers", "newest_first")}
    pickler.dump(key)  # alone: `stored_key` reads only this
    pickler.dump((head, list(columns), len(order)))
    for column in (order, *columns.values()):
        for piece in pieces.pieces(len(order)):
            pickler.dump(column[piece])
    return buffer.getvalue()


def _pack(catalog: Catalog, texts: TextsKey) -> _Packed:
    papers = catalog.papers
    columns = {name: [getattr(p, name) for p in papers] for name in _PAPER_FIELDS if name != "date"}
    # Pickle stores an object once however often it is referenced: making equal names, tags
    # and lists one object each means fewer objects to build at load (and less memory).
    same: dict[Hashable, Hashable] = {}
    share = same.setdefault
    for name in _SHARED:
        column = columns[name]
        if column and isinstance(column[0], tuple):
            column = [tuple(map(share, row, row)) for row in column]
        columns[name] = pieces.mapped(share, column, column)  # in pieces: the watcher saves in a thread
    columns["date"] = [d.year * 10000 + d.month * 100 + d.day for d in (p.date for p in papers)]
    columns["extra"] = [extra or None for extra in columns["extra"]]  # see _NO_EXTRA
    columns["bib"] = list(map(pack_bib, columns["bib"]))
    return {
        "papers": columns,
        "categories": [[getattr(c, name) for name in _CATEGORY_FIELDS] for c in catalog.categories.values()],
        "problems": [[getattr(p, name) for name in _PROBLEM_FIELDS] for p in catalog.problems],
        "sources": catalog.sources,
        "texts": texts,
        "newest_first": catalog.newest_first(),
        "tag_counts": catalog.tag_counts(),
    }


def _unpack(packed: _Packed, texts: Path) -> Catalog | None:
    store = open_texts(texts, *packed["texts"])
    if store is None:
        return None
    stored = packed["papers"]
    count = len(stored["id"])
    dates = {value: PaperDate(value // 10000, value // 100 % 100, value % 100) for value in set(stored["date"])}
    columns: dict[str, Iterable[Any]] = {
        **stored,
        "date": list(map(dates.__getitem__, stored["date"])),  # equal dates share one object
        "extra": [extra or _NO_EXTRA for extra in stored["extra"]],
        "bib": list(map(unpack_bib, stored["bib"])),
        "_store": repeat(store),
        "_row": range(count),
    }
    papers = papers_from_columns(columns, count, StoredPaper)
    categories = {row[0]: Category(*row) for row in packed["categories"]}
    problems = [Problem(*row) for row in packed["problems"]]
    catalog = Catalog(papers, categories, problems, tuple(packed["sources"]))
    catalog.derived["newest_first"] = packed["newest_first"]
    catalog.derived["texts"] = store  # row i of the store is catalog.papers[i]
    catalog.derived["tag_counts"] = packed["tag_counts"]
    return catalog


def racy(key: SnapshotKey) -> bool:
    """A file changed within the timestamp's resolution of now could change again unseen:
    nothing is kept for such a key."""
    return time.time_ns() - key[NEWEST] < RACY_NS


RACY_NS = 2_000_000_000  # coarse file systems keep whole seconds (FAT: two)


def let_others_run() -> None:
    time.sleep(0)  # releases the interpreter: a thread waiting for it (the UI's) takes it


def paused(pieces: Iterator[Any], pause: Callable[[], None]) -> Iterator[Any]:
    for piece in pieces:
        yield piece
        pause()


def layout_path(snapshot: Path) -> Path:
    return snapshot.with_name(snapshot.name.replace("snapshot-", "layout-", 1))


# Each piece of the layout carries its CRC: a flipped byte inside a plane would still unpickle.
_LAYOUT_FORMAT = ("paperbrowse title layout", 1)


def load_layout(
    path: Path, key: SnapshotKey, pause: Callable[[], None] = let_others_run
) -> tuple[SubsequencePlanes, Sequence[int]] | None:
    """The titles' layout for the word-start test and their lengths (see
    SearchIndex.layout), kept for files that still match `key`; read a piece at a time, with
    `pause` between pieces. None for anything else: a missing, stale or damaged file."""
    from paperbrowse.core.search.subsequence import SubsequencePlanes  # the search's type, read only here

    with contextlib.suppress(Exception):
        pieces = trust.load_pieces(path)
        head = next(pieces)
        if not isinstance(head, tuple) or len(head) != 2 or head[0] != _LAYOUT_FORMAT or head[1] != key:
            return None
        planes = SubsequencePlanes.from_parts(paused(pieces, pause), pause)
        crc, blob = next(pieces)
        if not isinstance(blob, bytes) or len(blob) != array("I").itemsize * planes.count or zlib.crc32(blob) != crc:
            return None
        lengths = array("I")
        lengths.frombytes(blob)
        if next(pieces, None) is not None:
            return None
        return planes, lengths
    return None


def save_layout(path: Path, key: SnapshotKey, planes: SubsequencePlanes, lengths: Sequence[int]) -> None:
    with contextlib.suppress(OSError, RecursionError, pickle.PicklingError, MemoryError, OverflowError):
        blob = array("I", lengths).tobytes()
        pieces = chain([(_LAYOUT_FORMAT, key)], planes.parts(), [(zlib.crc32(blob), blob)])
        data = [pickle.dumps(piece, protocol=pickle.HIGHEST_PROTOCOL) for piece in pieces]
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        trust.write(path, data)
