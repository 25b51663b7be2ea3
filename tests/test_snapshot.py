"""The snapshot of the whole catalog and the kept word indexes: the same data back, never stale."""

from __future__ import annotations

import os
import shutil

import pytest

from paperbrowse.core.files.paths import shipped
from paperbrowse.core.records import loader
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.core.records.scan import scan
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.store import cache, snapshot, words_files
from paperbrowse.core.store.cache import load_catalog_cached
from paperbrowse.core.store.kept_search import prepare_search
from test_cache import age, paper
from test_cache import snapshot as summary


@pytest.fixture
def collection(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "categories.toml").write_text('[[category]]\nid = "ml"\nname = "ML"\n')
    (folder / "a.toml").write_text(paper("one", "First") + "\n" + paper("two", "Second"))
    (folder / "bad.toml").write_text("[[paper]\n")
    age(folder)
    return folder


def no_parsing(monkeypatch):
    monkeypatch.setattr(cache, "load_file", lambda path, folder: pytest.fail(f"loaded {path} file by file"))


def test_the_second_load_is_the_snapshot_and_equals_parsing(collection, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    first = load_catalog_cached([collection], store)
    assert list(store.glob("snapshot-*.pickle"))
    no_parsing(monkeypatch)
    second = load_catalog_cached([collection], store)
    assert summary(second) == summary(first) == summary(load_catalog([collection]))
    assert second.sources == (str(collection),)
    assert second.newest_first() == first.newest_first()


def test_the_shipped_collection_searches_the_same_from_a_snapshot(tmp_path, monkeypatch):
    store = tmp_path / "cache"
    data = tmp_path / "data"
    shutil.copytree(shipped("data"), data)
    for path in data.rglob("*.toml"):  # the racy-file rule would skip files written just now
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime - 60))
    fresh = SearchIndex(load_catalog([data]))
    load_catalog_cached([data], store)
    no_parsing(monkeypatch)
    kept = SearchIndex(load_catalog_cached([data], store))
    for query in ["", "llama", "'decoding", "^flash", "cat:agents", "year:2023 attention", "Llama !rlhf"]:
        assert [h.paper.id for h in kept.search(query).hits] == [h.paper.id for h in fresh.search(query).hits]
        assert [h.score for h in kept.search(query).hits] == [h.score for h in fresh.search(query).hits]


def test_an_edit_with_the_same_size_and_mtime_is_seen(collection, tmp_path):
    store = tmp_path / "cache"
    load_catalog_cached([collection], store)
    target = collection / "a.toml"
    stat = target.stat()
    target.write_text(target.read_text().replace("First", "Fresh"))
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the ctime still moves
    titles = {p.title for p in load_catalog_cached([collection], store).papers}
    assert titles == {"Fresh", "Second"}


def test_added_and_removed_files_are_seen(collection, tmp_path):
    store = tmp_path / "cache"
    load_catalog_cached([collection], store)
    (collection / "b.toml").write_text(paper("three", "Third"))
    age(collection)
    assert {p.id for p in load_catalog_cached([collection], store).papers} == {"one", "two", "three"}
    (collection / "a.toml").unlink()
    assert {p.id for p in load_catalog_cached([collection], store).papers} == {"three"}


def test_a_missing_source_is_part_of_the_key(collection, tmp_path):
    store = tmp_path / "cache"
    gone = tmp_path / "not-yet"
    first = load_catalog_cached([collection, gone], store)
    assert any(p.file == str(gone) for p in first.problems)
    gone.mkdir()
    (gone / "c.toml").write_text(paper("four", "Fourth"))
    age(gone)
    second = load_catalog_cached([collection, gone], store)
    assert "four" in {p.id for p in second.papers}
    assert not any(p.file == str(gone) for p in second.problems)


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05garbage", b"\x80\x05N."])
def test_a_damaged_snapshot_is_only_a_miss(collection, tmp_path, damage):
    store = tmp_path / "cache"
    expected = summary(load_catalog_cached([collection], store))
    for entry in store.glob("snapshot-*.pickle"):
        entry.write_bytes(damage)
    assert summary(load_catalog_cached([collection], store)) == expected
    assert summary(load_catalog_cached([collection], store)) == expected


def test_word_indexes_are_kept_and_adopted(collection, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    index = SearchIndex(load_catalog_cached([collection], store))
    prepare_search(index)
    assert list(store.glob("words-*.pickle"))
    expected = [h.paper.id for h in index.search("secnd").hits]  # a typo: through the word index
    assert expected == ["two"]

    def no_building(*args, **kwargs):
        raise AssertionError("a word index was built again")

    monkeypatch.setattr("paperbrowse.core.search.engine.WordIndex", no_building)
    again = SearchIndex(load_catalog_cached([collection], store))
    prepare_search(again)
    assert [h.paper.id for h in again.search("secnd").hits] == expected


def test_kept_word_indexes_are_read_a_piece_at_a_time_and_a_cut_file_is_a_miss(collection, tmp_path):
    store = tmp_path / "cache"
    index = SearchIndex(load_catalog_cached([collection], store))
    prepare_search(index)
    where, key = index.catalog.derived["snapshot"]
    path = words_files.words_path(where)
    pauses: list[int] = []
    state = words_files.load_words(path, key, lambda: pauses.append(1))
    assert state is not None and set(state) == set(index.word_state())
    # Between fields and between a field's pieces (its head, runs of words, its end).
    assert len(pauses) >= 2 * len(state)
    assert state["title"].words == index.word_state()["title"].words
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) * 2 // 3])
    assert words_files.load_words(path, key) is None


def test_kept_word_indexes_keep_the_vocabulary_only_where_typos_are_looked_for(tmp_path):
    from paperbrowse.core.search.engine import TYPO_FIELDS
    from paperbrowse.core.search.word_index import WordIndex

    texts = ["paper-1 a\x01b", "paper-2", "x\x01 paper-1", ""]
    built = WordIndex(texts, len(texts))
    state = {"id": built, "title": WordIndex(texts, len(texts))}
    key = (snapshot.FORMAT, "v", b"digest", 0, ())
    words_files.save_words(tmp_path / "words.pickle", key, state, bytes(16 * len(texts)))
    back = words_files.load_words(tmp_path / "words.pickle", key)
    assert back is not None and "id" not in TYPO_FIELDS and "title" in TYPO_FIELDS
    assert back["id"]._words is None and back["title"]._words == built.words  # only the title's stored
    assert back["id"].words == built.words  # split out of the vocabulary lines, MARK and all
    for needle in ["paper", "a\x01", "x", "-2"]:
        assert back["id"].papers(back["id"].containing(needle)) == built.papers(built.containing(needle))


def test_kept_word_indexes_of_other_data_are_not_adopted(collection, tmp_path):
    store = tmp_path / "cache"
    index = SearchIndex(load_catalog_cached([collection], store))
    prepare_search(index)
    (collection / "a.toml").write_text(paper("one", "Other"))
    age(collection)
    fresh = SearchIndex(load_catalog_cached([collection], store))
    prepare_search(fresh)
    assert [h.paper.id for h in fresh.search("other").hits] == ["one"]
    assert fresh.search("second").hits == []


def test_snapshot_key_names_every_file(collection):
    key = snapshot.stamp(scan([collection]))
    assert key is not None
    (collection / "gone.toml").symlink_to(collection / "nope.toml")
    assert snapshot.stamp(scan([collection])) is None


# --- the TOML reader -------------------------------------------------------------------------


def test_without_rtoml_the_records_are_the_same(monkeypatch):
    data = shipped("data")
    with_rtoml = load_catalog([data])
    monkeypatch.setattr(loader, "rtoml", None)
    without = load_catalog([data])
    assert summary(without) == summary(with_rtoml)


@pytest.mark.parametrize("reader", ["rtoml", "tomllib"])
def test_a_syntax_error_names_tomllibs_line_and_column(tmp_path, monkeypatch, reader):
    if reader == "tomllib":
        monkeypatch.setattr(loader, "rtoml", None)
    path = tmp_path / "bad.toml"
    path.write_text(paper("one", "First") + '\n[[paper]]\nid = "two"\ntitle = "unclosed\n')
    found = loader.parse_file(path)
    assert found.papers == []  # a syntax error costs the whole file, and says where
    assert [(p.line, p.message.startswith("TOML syntax error")) for p in found.problems] == [(11, True)]


def test_header_lines_survive_a_summary_that_quotes_a_header(tmp_path):
    text = paper("one", "First") + 'summary = """\n[[paper]]\nlooks like a header\n"""\n\n' + paper("two", "Second")
    path = tmp_path / "quoted.toml"
    path.write_text(text)
    found = loader.parse_file(path)
    assert [(p.id, p.line) for p in found.papers] == [("one", 1), ("two", 13)]


def test_the_core_leaves_the_collector_and_the_umask_alone(collection, tmp_path, monkeypatch):
    """Process-wide settings belong to the entry point (cli.collector): loading, preparing the
    search and saving never pause, freeze or read-and-reset anything of the process."""
    import gc
    import os

    def refuse(*args: object) -> None:
        raise AssertionError("the core changed process-global state")

    for name in ("disable", "enable", "freeze", "unfreeze", "set_threshold"):
        monkeypatch.setattr(gc, name, refuse)
    monkeypatch.setattr(os, "umask", refuse)
    catalog = load_catalog_cached([collection], tmp_path / "cache")
    prepare_search(SearchIndex(catalog))
    again = load_catalog_cached([collection], tmp_path / "cache")  # the snapshot's way
    prepare_search(SearchIndex(again))
    assert again.papers == catalog.papers


@pytest.mark.parametrize("freeze_from", [1, 10**9])
def test_the_entry_point_loads_with_the_collector_paused_then_freezes_a_large_collection(
    collection, tmp_path, monkeypatch, freeze_from
):
    import gc

    from paperbrowse.cli import collector

    monkeypatch.setattr(collector, "FREEZE_FROM", freeze_from)
    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(gc.isenabled()))  # never really
    seen: list[bool] = []

    def load():
        seen.append(gc.isenabled())
        return load_catalog_cached([collection], tmp_path / "cache")

    assert gc.isenabled()
    catalog = collector.load_for_the_process(load, papers=lambda loaded: len(loaded.papers))
    assert catalog.papers and seen == [False] and gc.isenabled()
    assert frozen == ([False] if freeze_from == 1 else [])  # frozen before the collector resumes
    gc.disable()
    try:  # a caller that had paused it keeps it paused
        collector.load_for_the_process(load, papers=lambda loaded: len(loaded.papers))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_failed_load_resumes_the_collector(monkeypatch):
    import gc

    from paperbrowse.cli import collector

    def broken():
        raise OSError("disk gone")

    with pytest.raises(OSError):
        collector.load_for_the_process(broken, papers=len)
    assert gc.isenabled()


def many_files(folder, count: int = 300) -> list:
    folder.mkdir()
    paths = []
    for number in range(count):
        path = folder / f"p{number:04d}.toml"
        path.write_text(paper(f"p{number}", f"Paper {number:04d}"))
        paths.append(path)
    age(folder)
    return paths


def edit_in_place(path):  # same size, the mtime put back: only the ctime moves
    info = path.stat()
    path.write_text(path.read_text().replace("Paper", "Pager"))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def replace_by_rename(path):  # same bytes and times, another inode (as editors and `add` save)
    info = path.stat()
    fresh = path.with_suffix(".new")
    fresh.write_bytes(path.read_bytes())
    os.utime(fresh, ns=(info.st_atime_ns, info.st_mtime_ns))
    os.replace(fresh, path)


def relink(path):  # a link that now points to another file of the same size and times
    target = path.with_name("elsewhere-" + path.name + ".txt")
    first = path.with_name("first-" + path.name + ".txt")
    for other in (first, target):
        other.write_bytes(path.read_bytes())
    info = first.stat()
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))
    path.unlink()
    path.symlink_to(target)


@pytest.mark.parametrize(
    "change",
    [
        edit_in_place,
        replace_by_rename,
        relink,
        lambda path: path.unlink(),
        lambda path: path.with_name("p0150b.toml").write_text(""),
        lambda path: os.utime(path, ns=(0, path.stat().st_mtime_ns + 1)),
        lambda path: path.chmod(0o600),
    ],
    ids=["edited in place", "replaced by rename", "link retargeted", "deleted", "added", "touched", "chmod"],
)
def test_one_changed_file_among_many_changes_the_stamp(tmp_path, change):
    paths = many_files(tmp_path / "data")
    before = snapshot.stamp(scan([tmp_path / "data"]))
    assert before == snapshot.stamp(scan([tmp_path / "data"]))  # nothing changed: the same key
    if change is relink:
        (paths[150]).unlink()
        paths[150].symlink_to(paths[150].with_name("first-p0150.toml.txt"))
        paths[150].with_name("first-p0150.toml.txt").write_text(paper("p150", "Paper 0150"))
        before = snapshot.stamp(scan([tmp_path / "data"]))
    change(paths[150])
    assert snapshot.stamp(scan([tmp_path / "data"])) != before


def test_a_folder_of_one_paper_files_loads_and_reloads_as_parsing_does(tmp_path):
    data = tmp_path / "data"
    paths = many_files(data)
    (data / "categories.toml").write_text('[[category]]\nid = "ml"\nname = "ML"\n')
    age(data)
    store = tmp_path / "cache"
    assert summary(load_catalog_cached([data], store)) == summary(load_catalog([data]))
    edit_in_place(paths[7])
    replace_by_rename(paths[8])
    paths[9].unlink()
    (data / "new.toml").write_text(paper("new", "New"))
    age(data)
    assert summary(load_catalog_cached([data], store)) == summary(load_catalog([data]))
    assert {"Pager 0007", "New"} <= {p.title for p in load_catalog_cached([data], store).papers}


def test_a_snapshot_pickled_in_pieces_reads_back_whole_and_shared(tmp_path, monkeypatch):
    """The snapshot is written a piece of rows at a time by one pickler (the data watcher's save
    must not hold the interpreter for one pickle of every paper): read back, every column is
    whole, in order, and an author's name several papers share is still one object."""
    from paperbrowse.core.records import pieces

    monkeypatch.setattr(pieces, "PIECE", 3)
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "categories.toml").write_text('[[category]]\nid = "ml"\nname = "ML"\n')
    for number in range(11):  # pieces of 3, the last cut short
        (folder / f"p{number:02d}.toml").write_text(paper(f"p{number:02d}", f"Title {number}"))
    age(folder)
    store = tmp_path / "cache"
    first = load_catalog_cached([folder], store)
    no_parsing(monkeypatch)
    second = load_catalog_cached([folder], store)
    assert "texts" in second.derived, "not read back from the snapshot"
    assert summary(second) == summary(first) == summary(load_catalog([folder]))
    assert second.newest_first() == first.newest_first()
    authors = [paper.authors[0] for paper in second.papers]
    assert len(authors) == 11 and all(author is authors[0] for author in authors)


def test_a_snapshot_cut_short_is_a_miss(collection, tmp_path, monkeypatch):
    from paperbrowse.core.records import pieces

    monkeypatch.setattr(pieces, "PIECE", 1)
    store = tmp_path / "cache"
    first = load_catalog_cached([collection], store)
    (path,) = store.glob("snapshot-*.pickle")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 20])
    again = load_catalog_cached([collection], store)
    assert "texts" not in again.derived  # a miss: loaded from the files, the snapshot written again
    assert summary(again) == summary(first)
