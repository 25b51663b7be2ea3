"""The titles' layout for the word-start test (and their lengths), kept in the cache beside the
word indexes: read back as it was built, built again after the data changed, and a damaged,
foreign or stale file is only a miss. A first query needs neither: it waits for the word
indexes alone."""

from __future__ import annotations

import os
import shutil
import threading
import zlib
from array import array

import pytest

from paperbrowse.core.files.paths import shipped
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.core.search import engine, subsequence
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.search.subsequence import SubsequencePlanes
from paperbrowse.core.store import snapshot
from paperbrowse.core.store.cache import load_catalog_cached
from paperbrowse.core.store.kept_search import expect_layout, prepare_layout, prepare_search
from test_cache import age

NEEDLES = ["fa2", "FA2", "dpo", "llm", "ra", "gpt", "zzqx", "é", "Ll", "attn"]


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(shipped("data"), folder)
    for path in folder.rglob("*.toml"):  # the racy-file rule would skip files written just now
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime - 60))
    return folder


def state(index: SearchIndex) -> tuple[object, ...]:
    found = index.layout()
    assert found is not None
    planes, lengths = found
    kept = (planes.count, planes._bytes, planes._planes, planes._starts, list(planes._ends_at))
    return (*kept, list(lengths))


def computed(folder) -> SearchIndex:
    """The index as the CLI and an uncached browser make it: everything built from the texts."""
    index = SearchIndex(load_catalog([folder]))
    index.prepare_keystrokes()
    return index


def started(folder, store) -> SearchIndex:
    """What the browser's background does at a start: the word indexes, then the layout."""
    index = SearchIndex(load_catalog_cached([folder], store))
    expect_layout(index)
    prepare_search(index)
    prepare_layout(index)
    return index


def same_answers(index: SearchIndex, other: SearchIndex) -> None:
    for needle in NEEDLES:
        assert index.search(needle).hits == other.search(needle).hits, needle


def no_building(monkeypatch) -> None:
    def refuse(self, *args, **kwargs):
        raise AssertionError("the titles were laid out again")

    monkeypatch.setattr(SubsequencePlanes, "__init__", refuse)


def test_the_kept_layout_equals_the_one_built_and_answers_the_same(data, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    first = started(data, store)
    assert first.layout_from == "build"
    assert len(list(store.glob("layout-*.pickle"))) == 1
    expected = computed(data)
    assert state(first) == state(expected)
    no_building(monkeypatch)
    again = started(data, store)
    assert again.layout_from == "kept"
    assert state(again) == state(expected)
    assert "title" not in again.text  # neither the titles nor their lengths were read to get here
    same_answers(again, expected)


def test_after_a_data_change_the_layout_is_built_again_for_the_new_titles(data, tmp_path):
    store = tmp_path / "cache"
    started(data, store)
    papers = next(path for path in data.rglob("*.toml") if "[[paper]]" in path.read_text())
    text = papers.read_text()
    papers.write_text(text.replace('title = "', 'title = "FreshlyAdded Zebra ', 1))
    age(data)
    changed = started(data, store)
    assert changed.layout_from == "build"  # the kept one is of other files: not read
    assert state(changed) == state(computed(data))
    assert [h.paper.title.split()[:2] for h in changed.search("fazeb").hits] == [["FreshlyAdded", "Zebra"]]
    again = started(data, store)
    assert again.layout_from == "kept"
    assert state(again) == state(changed)


def cut(path, key):
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])


def garbage(path, key):
    whole = bytearray(path.read_bytes())
    whole[len(whole) // 3 : len(whole) // 3 + 64] = b"\x93" * 64
    path.write_bytes(bytes(whole))


def another_key(path, key):
    planes, lengths = snapshot.load_layout(path, key)
    snapshot.save_layout(path, (*key[:-1], (("other.toml", "a problem"),)), planes, lengths)


def another_size(path, key):
    titles = ["one title", "AnotherOne"]
    snapshot.save_layout(path, key, SubsequencePlanes(titles, titles), array("I", [9, 10]))


def lengths_cut_short(path, key):
    planes, lengths = snapshot.load_layout(path, key)
    snapshot.save_layout(path, key, planes, lengths[:-1])


@pytest.mark.parametrize("damage", [cut, garbage, another_key, another_size, lengths_cut_short])
def test_a_damaged_foreign_or_stale_layout_is_a_miss_and_is_built_again(data, tmp_path, damage):
    store = tmp_path / "cache"
    first = started(data, store)
    where, key = first.catalog.derived["snapshot"]
    damage(snapshot.layout_path(where), key)
    again = started(data, store)
    assert again.layout_from == "build"
    expected = computed(data)
    assert state(again) == state(expected)
    same_answers(again, expected)
    assert started(data, store).layout_from == "kept"  # and kept again, whole


def layout_parts(titles: list[str]) -> list[object]:
    return list(SubsequencePlanes([t.lower() for t in titles], titles).parts())


def flipped(blob: bytes) -> bytes:
    return blob[:-1] + bytes([blob[-1] ^ 1])


def recrc(parts: list) -> list:
    """The parts with their CRCs made right again: only the layout's own checks stand."""
    count, size, _ = parts[0]
    return [(count, size, [zlib.crc32(blob) for blob in parts[1:]]), *parts[1:]]


@pytest.mark.parametrize(
    "forge",
    [
        lambda parts: [*parts[:1], flipped(parts[1]), *parts[2:]],  # a byte of a plane changed
        lambda parts: [*parts[:-1], flipped(parts[-1])],
        lambda parts: [(parts[0][0] + 1, *parts[0][1:]), *parts[1:]],  # a title more than its ends
        lambda parts: recrc([(parts[0][0] + 1, *parts[0][1:]), *parts[1:-1], parts[-1] + parts[-1][-8:]]),
        lambda parts: recrc([*parts[:-1], array("q", reversed(array("q", parts[-1]))).tobytes()]),
        lambda parts: recrc([*parts[:1], bytes(len(parts[1])), *parts[2:]]),  # no 0xFF where titles end
        lambda parts: [*parts[:1], list(parts[1]), *parts[2:]],
        lambda parts: [(*parts[0][:2], parts[0][2][:9]), *parts[1:]],
        lambda parts: parts[:5],
    ],
)
def test_a_forged_layout_is_refused(forge):
    parts = layout_parts(["FlashAttention-2: Faster", "Direct Preference Optimization", "é"])
    assert SubsequencePlanes.from_parts(iter(parts)).both("fa2") == (1, 1)  # the parts as made: read
    assert SubsequencePlanes.from_parts(iter(recrc(parts))).both("fa2") == (1, 1)
    with pytest.raises((ValueError, StopIteration)):
        SubsequencePlanes.from_parts(iter(forge(parts)))


def test_a_layout_read_back_answers_as_the_one_built():
    titles = ["FlashAttention-2: Faster", "Direct Preference Optimization", "é mixture-of-experts", ""]
    built = SubsequencePlanes([t.lower() for t in titles], titles)
    back = SubsequencePlanes.from_parts(iter(list(built.parts())))
    for needle in ["fa2", "dpo", "moe", "fast", "e", "xyz"]:
        assert back.both(needle) == built.both(needle), needle


def test_a_first_query_waits_for_the_layout_being_read_not_for_the_titles(data, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    started(data, store)  # keeps the word indexes and the layout
    monkeypatch.setattr(engine, "_WAIT_FOR_LAYOUT", 0)  # every query's candidates count as many
    index = SearchIndex(load_catalog_cached([data], store))
    expect_layout(index)
    prepare_search(index)  # the word indexes: all a first query waits for
    assert index.layout() is None and "title" not in index.text
    found: list[object] = []
    search = threading.Thread(target=lambda: found.append(index.search("fa2").hits))
    search.start()
    search.join(0.2)
    assert search.is_alive()  # waiting for the layout's read, not laying out the titles itself
    prepare_layout(index)
    search.join()
    assert found == [computed(data).search("fa2").hits]
    assert ("fa2", False) not in index._subsequence_found  # answered by the layout read back


def test_without_a_read_coming_a_search_never_waits_for_the_layout(data, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    started(data, store)
    monkeypatch.setattr(engine, "_LAYOUT_WAIT", 30.0)
    monkeypatch.setattr(engine, "_WAIT_FOR_LAYOUT", 0)
    index = SearchIndex(load_catalog_cached([data], store))  # as the CLI: no layout asked for
    prepare_search(index)
    done = threading.Thread(target=lambda: index.search("fa2"))
    done.start()
    done.join(20)
    assert not done.is_alive()
    assert index.layout() is None and ("fa2", False) in index._subsequence_found


def test_the_layouts_read_sleeps_while_a_search_runs_that_does_not_wait_for_it(data, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    started(data, store)
    index = SearchIndex(load_catalog_cached([data], store))
    prepare_search(index)
    entered, release = threading.Event(), threading.Event()
    original = SearchIndex._search

    def held(self, *args):
        entered.set()
        release.wait()
        return original(self, *args)

    monkeypatch.setattr(SearchIndex, "_search", held)
    search = threading.Thread(target=lambda: index.search("zzqx"))
    search.start()
    entered.wait()
    reader = threading.Thread(target=prepare_layout, args=(index,))
    reader.start()
    reader.join(0.2)
    assert reader.is_alive() and index.layout() is None  # asleep behind the search
    release.set()
    search.join()
    reader.join()
    assert index.layout_from == "kept" and not index.searching()


def test_titles_gathered_in_runs_answer_as_in_one(monkeypatch):
    titles = ["FlashAttention-2", "Direct Preference Optimization", "x", "mixture-of-experts", "dpo", "é"]
    whole = SubsequencePlanes([t.lower() for t in titles], titles)
    monkeypatch.setattr(subsequence, "_GATHER_RUN", 4)  # runs of 4, then one of 2 titles
    runs = SubsequencePlanes.from_parts(iter(list(whole.parts())))
    monkeypatch.setattr(subsequence, "_GATHER_RUN", 1)
    ones = SubsequencePlanes([t.lower() for t in titles], titles)
    for needle in ["fa2", "dpo", "moe", "x", "e"]:
        assert runs.both(needle) == ones.both(needle) == whole.both(needle), needle


@pytest.mark.parametrize("share", [1, 10**9])  # each candidate's title read alone; the column of all
def test_a_search_without_the_layout_reads_titles_either_way_and_answers_the_same(data, tmp_path, monkeypatch, share):
    store = tmp_path / "cache"
    started(data, store)
    monkeypatch.setattr(engine, "_COLUMN_SHARE", share)
    index = SearchIndex(load_catalog_cached([data], store))  # a snapshot's papers: titles in the texts file
    prepare_search(index)
    expected = computed(data)
    for needle in [n for n in NEEDLES if n.islower()]:  # smart case: an upper-case needle reads every title
        assert index.search(needle).hits == expected.search(needle).hits, needle
    assert index.layout() is None
    assert ("title" in index.text) == (share > 1)
