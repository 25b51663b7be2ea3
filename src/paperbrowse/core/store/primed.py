"""A start's catalog made ready for a reload told what changed, without reading a record.

A reload told by the watcher which files changed (`cache.reload_catalog`) starts from the
scan and the units the previous reload kept. The start's catalog has neither: it is read back
from the snapshot (or loaded before the watch began), so the first reload after a start looked
at every file and read every unit back (1.5-1.65x at 100,000 one-paper files against files of
1,000, where later reloads cost 1.05x). `prime` gives it both, once the watch is up:

- the scan is taken now, after the watch was established and after the watcher's names were
  taken (`ChangeWatcher.heard`), so a change after it is in the watcher's next answer; and it
  is used only when its stamp is the one the catalog was loaded with (the snapshot's key), so
  the files are those the catalog holds: a change between the load and the watch, which no
  watch heard, makes the stamps differ and nothing is kept (the next reload is a full one);
- the units are planned as a load plans them (`small_files.plan`) and their records taken from
  the catalog itself, its papers and categories grouped by the file they came from, in load
  order: no bucket unpickled, no file parsed. That is what a load gives only when the catalog
  dropped nothing and reordered nothing, so a catalog with any problem at all (a duplicate id,
  a paper of an unknown category, a file that does not parse, a warning) is not primed, nor
  one whose records do not follow the files' order or name a file the scan does not have.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Sequence
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import cast

from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.loader import FileRecords
from paperbrowse.core.records.pieces import ascending, let_go, pieces, places
from paperbrowse.core.records.rescan import keep
from paperbrowse.core.records.scan import DataFile, Scan, scan
from paperbrowse.core.records.schema import Category, Paper
from paperbrowse.core.store import kept_load, small_files, snapshot, trust
from paperbrowse.core.store.cache import KEPT_LOAD, KEPT_SCAN, cache_folder
from paperbrowse.core.store.kept_load import KeptLoad

_SOURCE = attrgetter("source")
_PATH = itemgetter(0)


def needs_priming(catalog: Catalog) -> bool:
    """Whether a reload of `catalog` told what changed would still look at every file: it
    keeps no scan or no load (a start's catalog), but was loaded through the snapshot."""
    derived = catalog.derived
    kept = derived.get(KEPT_SCAN) is not None and derived.get(KEPT_LOAD) is not None
    return not kept and "snapshot" in derived and not catalog.problems


def prime(catalog: Catalog, folder: Path | None = None) -> bool:
    """Give `catalog` the kept scan and load a reload patches, if the data files are still those
    it was loaded from; whether it did. Call it after the watcher's names were taken (see the
    module's note): what changed before is refused by the stamp, what changes after is heard.
    A scan of every file, no file read; about what a full reload's scan costs."""
    if not needs_priming(catalog):
        return False
    folder = trust.usable_folder(cache_folder() if folder is None else folder)
    if folder is None:
        return False
    names = list(catalog.sources)
    where = snapshot.snapshot_path(folder, names)
    place: tuple[Path, snapshot.SnapshotKey] = catalog.derived["snapshot"]
    if place[0] != where:
        return False
    scanned = scan(names)
    try:
        return _primed(catalog, scanned, place, (folder, where.stem.removeprefix("snapshot-")))
    finally:
        scanned.let_go()  # a stat per file, freed a piece at a time (see `Scan.let_go`)


def _primed(
    catalog: Catalog, scanned: Scan, place: tuple[Path, snapshot.SnapshotKey], load_place: tuple[Path, str]
) -> bool:
    files_now = snapshot.stamp(scanned)
    if scanned.problems or files_now is None or (*files_now, ()) != place[1]:
        return False  # changed since the load (or never stamped): the next reload is a full one
    kept_scan = keep(scanned)
    if kept_scan is None:
        return False
    files = scanned.files()
    load = kept_from(catalog, files, load_place)
    let_go(files)  # a tuple and a path per file (see `pieces.let_go`)
    if load is None:
        return False
    catalog.derived[KEPT_LOAD] = load  # the load first: a scan kept without it patches nothing
    catalog.derived[KEPT_SCAN] = kept_scan
    return True


def _file_numbers(records: Sequence[Paper] | Sequence[Category], number: dict[str, int]) -> array[int] | None:
    """The number of the file each of `records` came from; None when one is not in `number`.
    An array, made a piece at a time: a young list of 100,000 numbers is walked by each pass
    of the collector (see `scan.Folder.order`)."""
    found = array("q")
    for piece in pieces(len(records)):
        part = list(map(number.get, map(_SOURCE, records[piece])))
        if None in part:
            return None
        found.extend(cast(list[int], part))
    return found


def kept_from(catalog: Catalog, files: Sequence[DataFile], place: tuple[Path, str]) -> KeptLoad | None:
    """The load `cache._read_files` keeps for `files`, its units' records taken from `catalog`
    (which must hold every record of every file, in load order); None when the catalog's
    records cannot be placed that way."""
    if catalog.problems:
        return None
    number = places(files, _PATH)  # the scan names each file once
    papers = catalog.papers
    categories = list(catalog.categories.values())
    paper_at, category_at = _file_numbers(papers, number), _file_numbers(categories, number)
    if paper_at is None or category_at is None:
        # A file parsed, not read from the cache, names its records as a Path prints its path
        # ("data/a.toml" for "./data/a.toml"): those names too, if no two files share one.
        for at, path in enumerate(map(_PATH, files)):
            if number.setdefault(str(Path(path)), at) != at:
                return None
        paper_at, category_at = _file_numbers(papers, number), _file_numbers(categories, number)
        if paper_at is None or category_at is None:
            return None
    if not ascending(paper_at) or not ascending(category_at):
        return None  # not in the files' order: not what a load of them gives
    runs, large = small_files.plan(files)
    starts = sorted([run.start for found in runs.values() for run in found] + list(large))
    records: list[FileRecords | None] = [None] * len(files)
    stops = [*starts[1:], len(files)]
    for start, stop in zip(starts, stops, strict=True):
        unit = FileRecords(files[start].path)  # a run is named by its first file, as `small_files` names it
        unit.papers = papers[bisect_left(paper_at, start) : bisect_left(paper_at, stop)]
        unit.categories = categories[bisect_left(category_at, start) : bisect_left(category_at, stop)]
        records[start] = unit
    return kept_load.kept(place, files, runs, large, records)
