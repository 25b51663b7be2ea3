"""Long texts kept beside the snapshot: read back exactly, only from their own snapshot's file."""

from __future__ import annotations

import copy
import dataclasses
import os
import pickle
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperbrowse.core.files.paths import shipped
from paperbrowse.core.records import pieces
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.schema import Paper
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.store import cache, snapshot
from paperbrowse.core.store.cache import load_catalog_cached
from paperbrowse.core.store.kept_search import prepare_search
from paperbrowse.core.store.texts import STORED_FIELDS, StoredPaper, TextStore, open_texts, write_texts
from test_cache import snapshot as summary


@pytest.fixture
def shipped_copy(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(shipped("data"), data)
    for path in data.rglob("*.toml"):  # the racy-file rule would skip files written just now
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime - 60))
    return data


def kept(data, store, monkeypatch):
    """The catalog read back from its snapshot (parsing a file would fail the test)."""
    load_catalog_cached([data], store)
    with monkeypatch.context() as patch:
        patch.setattr(cache, "load_file", lambda path, folder: pytest.fail(f"parsed {path}"))
        return load_catalog_cached([data], store)


def test_snapshot_papers_read_their_long_texts_from_the_texts_file(shipped_copy, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    parsed = load_catalog([shipped_copy])
    back = kept(shipped_copy, store, monkeypatch)
    assert all(type(p) is StoredPaper for p in back.papers)
    assert summary(back) == summary(parsed)
    for ours, theirs in zip(back.papers, parsed.papers, strict=True):
        assert [getattr(ours, f) for f in STORED_FIELDS] == [getattr(theirs, f) for f in STORED_FIELDS]
        assert ours == theirs and theirs == ours and hash(ours) == hash(theirs)
    # The texts are not in the snapshot itself: a start never reads them.
    pickled = next(store.glob("snapshot-*.pickle")).read_bytes()
    longest = max(parsed.papers, key=lambda p: len(p.summary)).summary
    assert longest and longest.encode() not in pickled
    assert longest.encode() in next(store.glob("texts-*.bin")).read_bytes()


def test_a_stored_paper_copied_replaced_or_pickled_is_a_plain_equal_paper(shipped_copy, tmp_path, monkeypatch):
    stored = kept(shipped_copy, tmp_path / "cache", monkeypatch).papers[0]
    for twin in (copy.copy(stored), copy.deepcopy(stored), pickle.loads(pickle.dumps(stored))):
        assert type(twin) is Paper and twin == stored and twin.summary == stored.summary
    renamed = dataclasses.replace(stored, title="Other")
    assert type(renamed) is Paper and renamed.title == "Other" and renamed.summary == stored.summary
    with pytest.raises(dataclasses.FrozenInstanceError):
        stored.title = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        stored.summary = "x"  # type: ignore[misc]


@pytest.mark.parametrize("damage", ["missing", "other token", "truncated", "empty"])
def test_a_texts_file_that_is_not_the_snapshots_own_is_only_a_miss(shipped_copy, tmp_path, damage):
    store = tmp_path / "cache"
    expected = summary(load_catalog_cached([shipped_copy], store))
    texts = next(store.glob("texts-*.bin"))
    if damage == "missing":
        texts.unlink()
    elif damage == "other token":
        content = bytearray(texts.read_bytes())
        content[25] ^= 0xFF  # inside the token, after the 20-byte magic line
        texts.write_bytes(bytes(content))
    elif damage == "truncated":
        texts.write_bytes(texts.read_bytes()[:-10])
    else:
        texts.write_bytes(b"")
    again = load_catalog_cached([shipped_copy], store)  # loaded the long way, snapshot retaken
    assert summary(again) == expected
    assert [p.summary for p in again.papers] == [p.summary for p in load_catalog([shipped_copy]).papers]
    assert all(type(p) is StoredPaper for p in load_catalog_cached([shipped_copy], store).papers)


def test_a_snapshot_whose_texts_cannot_be_written_is_not_kept(shipped_copy, tmp_path, monkeypatch):
    store = tmp_path / "cache"

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(snapshot, "write_texts", full_disk)
    assert summary(load_catalog_cached([shipped_copy], store)) == summary(load_catalog([shipped_copy]))
    assert not list(store.glob("snapshot-*.pickle"))


texts = st.text(st.characters(codec="utf-8") | st.sampled_from(["\x00", "\ud800", "\U0001f600", "摘"]), max_size=40)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(*[texts] * len(STORED_FIELDS)), max_size=8))
def test_texts_come_back_exactly_one_by_one_and_as_columns(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("texts") / "texts.bin"
    papers = [
        Paper(
            id=f"p{i}",
            authors=("A",),
            date=PaperDate(2023, 1, 1),
            category="c",
            **dict(zip(STORED_FIELDS, row, strict=True)),
        )
        for i, row in enumerate(rows)
    ]
    token, count, offsets = write_texts(path, papers)
    store = open_texts(path, token, count, offsets)
    assert store is not None
    for row, paper in enumerate(papers):
        assert [store.text(f, row) for f in STORED_FIELDS] == [getattr(paper, f) for f in STORED_FIELDS]
    for field in STORED_FIELDS:
        assert store.column(field) == [getattr(p, field) for p in papers]
        # In pieces (the search reads long columns so): the same rows.
        for start in range(len(papers) + 1):
            assert store.column(field, start, start + 3) == [getattr(p, field) for p in papers[start : start + 3]]
    assert open_texts(path, bytes(16), count, offsets) is None
    # A snapshot from a version that stored other fields: refused, not read half.
    assert open_texts(path, token, count, {f: o for f, o in offsets.items() if f != "title"}) is None


def test_the_search_reads_a_snapshots_titles_as_one_column(shipped_copy, tmp_path, monkeypatch):
    fresh = SearchIndex(load_catalog([shipped_copy]))
    catalog = kept(shipped_copy, tmp_path / "cache", monkeypatch)
    monkeypatch.setattr(TextStore, "text", lambda *args: pytest.fail("read a title paper by paper"))
    index = SearchIndex(catalog)
    assert index.text["title"] == fresh.text["title"]
    assert index.texts("title", False) == fresh.texts("title", False)


def test_anchored_searches_read_only_the_candidates_long_texts(shipped_copy, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    fresh = SearchIndex(load_catalog([shipped_copy]))
    prepare_search(SearchIndex(load_catalog_cached([shipped_copy], store)))  # keeps the word indexes
    index = SearchIndex(kept(shipped_copy, store, monkeypatch))
    prepare_search(index)  # adopted: no column of texts is built

    def same(query: str) -> bool:
        return [(h.paper.id, h.score) for h in index.search(query).hits] == [
            (h.paper.id, h.score) for h in fresh.search(query).hits
        ]

    for query in ["^we", "ing$", "^gptq", "model$", "^tool !^the"]:
        assert same(query), query
    assert "summary" not in index.text  # the summaries were read paper by paper, where needed
    assert same("^Ll")  # smart case: a case-sensitive word index is built from every summary


def test_stored_papers_of_several_stores_mixed_with_plain_ones_are_written_back_exactly(
    shipped_copy, tmp_path, monkeypatch
):
    """A reload that patched a primed start keeps the start's stored papers beside papers it
    read again: their texts are copied a stretch of rows at a time, and must come back as
    each paper's own, whatever the stretches (rows out of order, two stores, plain papers)."""
    first = kept(shipped_copy, tmp_path / "one", monkeypatch).papers
    second = kept(shipped_copy, tmp_path / "two", monkeypatch).papers
    assert all(type(paper) is StoredPaper for paper in first + second)
    plain = [dataclasses.replace(paper, title=f"Plain {paper.title}") for paper in first[:3]]
    half = len(first) // 2
    mixed = [*first[half:], *plain[:2], *second[:half], first[0], *plain[2:], *first[1:half], *second[half:]]
    for piece in (8192, 3):  # a stretch read in one piece, and in pieces of 3 rows
        monkeypatch.setattr(pieces, "PIECE", piece)
        path = tmp_path / f"mixed-{piece}.bin"
        store = open_texts(path, *write_texts(path, mixed))
        assert store is not None
        for field in STORED_FIELDS:
            assert store.column(field) == [getattr(paper, field) for paper in mixed]
