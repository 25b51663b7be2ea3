"""The scan's files are made a piece at a time (so a thread making them lets the browser run
between pieces): the pieces join into the same list, in the order of the sorted paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperbrowse.core.records import pieces
from paperbrowse.core.records.loader import FileRecords
from paperbrowse.core.records.rescan import keep
from paperbrowse.core.records.scan import DataFile, Folder, Scan, scan
from paperbrowse.core.store import kept_load, small_files


def test_files_made_in_pieces_are_the_files_made_at_once(tmp_path, monkeypatch) -> None:
    names = [f"{number:02d}-{letter}.toml" for number, letter in zip(range(17), "qwertyuiopasdfghj", strict=True)]
    for name in reversed(names):  # a listing's order, not the sorted one
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.toml").write_text("", encoding="utf-8")
    whole = scan([tmp_path]).files()
    monkeypatch.setattr(pieces, "PIECE", 3)
    in_pieces = scan([tmp_path]).files()

    assert in_pieces == whole
    assert [os.path.relpath(file.path, tmp_path) for file in in_pieces] == [
        *sorted(names),
        os.path.join("sub", "a.toml"),
    ]
    assert all(file.stat is not None and file.stat.st_ino == os.stat(file.path).st_ino for file in in_pieces)


def test_a_scan_lets_go_of_its_stats_a_piece_at_a_time_and_keeps_its_names(tmp_path, monkeypatch) -> None:
    """Freeing 100,000 stats at once held the interpreter 150 ms (a stall of the browser while
    the data watcher primed or reloaded): they go a piece at a time, and the names, which the
    kept form of the scan shares, stay."""
    for number in range(10):
        (tmp_path / f"{number}.toml").write_text("", encoding="utf-8")
    found = scan([tmp_path])
    names = [list(folder.names) for folder in found.folders]
    deleted: list[int] = []
    monkeypatch.setattr(pieces, "PIECE", 3)

    class Watched(list):
        def __delitem__(self, item) -> None:
            deleted.append(len(self[item]))
            super().__delitem__(item)

    stats = Watched(found.folders[0].stats)
    found.folders[0] = found.folders[0]._replace(stats=stats)
    found.let_go()
    assert stats == [] and deleted == [3, 3, 3, 1]
    assert [list(folder.names) for folder in found.folders] == names


def test_priming_and_a_full_reload_let_go_of_their_scans(tmp_path, monkeypatch) -> None:
    from paperbrowse.core.files.changes import ChangeWatcher
    from paperbrowse.core.records.scan import Scan
    from paperbrowse.core.store.cache import load_catalog_cached, reload_catalog
    from paperbrowse.core.store.primed import prime
    from test_reload_patch import make

    let_go = Scan.let_go
    emptied: list[int] = []

    def counting(self) -> None:
        emptied.append(sum(len(folder.stats) for folder in self.folders))
        let_go(self)

    monkeypatch.setattr(Scan, "let_go", counting)
    folder, store = tmp_path / "data", tmp_path / "cache"
    make(folder, 5)
    load_catalog_cached([folder], store)
    catalog = load_catalog_cached([folder], store)  # from the snapshot, as a start
    emptied.clear()
    with ChangeWatcher([str(folder)]) as watcher:
        watcher.changed()
        watcher.heard()
        assert prime(catalog, store)
    assert emptied == [6]  # the priming's scan
    emptied.clear()
    reload_catalog(catalog, None, store)  # every file looked at
    assert 6 in emptied


def test_a_kept_scan_tells_files_reached_once_by_device_and_inode(monkeypatch) -> None:
    """`keep` proves every file distinct from their inodes alone, a piece at a time; only two
    equal inodes make it compare (device, inode) pairs: another device is another file."""
    monkeypatch.setattr(pieces, "PIECE", 2)

    def looked(inode: int, device: int) -> os.stat_result:
        return os.stat_result((0o100644, inode, device, 1, 0, 0, 10, 0, 5, 5), {"st_mtime_ns": 5, "st_ctime_ns": 5})

    def kept(*files: tuple[int, int]) -> object:
        names = [f"{number}.toml" for number in range(len(files))]
        return keep(Scan([Folder("d/", names, [looked(*file) for file in files])], []))

    assert kept((1, 7), (2, 7), (3, 7)) is not None
    assert kept((1, 7), (2, 7), (1, 8)) is not None  # the same inode on two devices
    assert kept((1, 7), (2, 7), (3, 7), (1, 7)) is None  # one file reached twice


@given(st.lists(st.sampled_from(["a.toml", "b.toml", "c.toml", "ab.toml"]), max_size=12))
def test_a_folder_s_order_is_a_stable_sort_of_its_names(names) -> None:
    """The order `files` follows, a piece at a time: names twice (never from one listing)
    keep their places' order."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pieces, "PIECE", 3)
        order = Folder("d/", names, [None] * len(names)).order()
    assert list(order) == sorted(range(len(names)), key=names.__getitem__)


def test_a_plan_and_a_kept_load_follow_a_file_not_looked_at(monkeypatch) -> None:
    """`plan` and `kept` read the stats a piece at a time: a file with none (a dangling link)
    is a file of its own for the plan, and a load that cannot be kept."""
    monkeypatch.setattr(pieces, "PIECE", 2)
    looked = os.stat_result((0o100644, 1, 1, 1, 0, 0, 10, 0, 5, 5), {"st_mtime_ns": 5, "st_ctime_ns": 5})
    files = [DataFile(f"d/{number}.toml", None if number == 3 else looked) for number in range(5)]
    runs, large = small_files.plan(files)
    assert large == [3]
    assert sorted(number for found in runs.values() for run in found for number in run) == [0, 1, 2, 4]
    records = [FileRecords(file.path) for file in files]
    assert kept_load.kept((Path("cache"), "group"), files, runs, large, records) is None
    files[3] = DataFile("d/3.toml", looked)
    runs, large = small_files.plan(files)
    assert kept_load.kept((Path("cache"), "group"), files, runs, large, records) is not None


@pytest.mark.parametrize("hidden", [False, True])
def test_a_folder_of_data_names_only_is_stat_ed_through_its_entries_as_through_its_names(tmp_path, hidden) -> None:
    """A folder whose every name is a data file's is stat'ed through the listing's entries
    (cheaper than os.stat's call); with another name among them (here a hidden one), through
    the names. Either way: a link followed, a dangling one None, a folder named like a data
    file walked as a folder, and each stat the file's."""
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "real.toml").write_text("x", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    for name in ("a.toml", "b.toml"):
        (data / name).write_text(name, encoding="utf-8")
    os.symlink(tmp_path / "target" / "real.toml", data / "linked.toml")
    os.symlink(tmp_path / "nowhere.toml", data / "dangling.toml")
    (data / "folder.toml").mkdir()
    (data / "folder.toml" / "inner.toml").write_text("inner", encoding="utf-8")
    if hidden:
        (data / ".lock").write_text("", encoding="utf-8")
    files = scan([data]).files()
    assert [os.path.relpath(file.path, data) for file in files] == [
        "a.toml",
        "b.toml",
        "dangling.toml",
        os.path.join("folder.toml", "inner.toml"),
        "linked.toml",
    ]
    stats = {os.path.basename(file.path): file.stat for file in files}
    assert stats["dangling.toml"] is None
    for name, path in [("a.toml", data / "a.toml"), ("inner.toml", data / "folder.toml" / "inner.toml")]:
        assert stats[name] is not None and stats[name].st_ino == os.stat(path).st_ino
    assert (
        stats["linked.toml"] is not None
        and stats["linked.toml"].st_ino == os.stat(tmp_path / "target" / "real.toml").st_ino
    )
