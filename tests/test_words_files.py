"""Word indexes kept across an edit: carried from the words file, the carry kept, read back.

After an edit, a one-off command (or a browser started after it) found the kept word indexes
stale and built them all again. Now it carries them through their papers' fingerprints and
keeps the carry, which the next start reads back without building or carrying anything; a
browser's reload keeps its carry too. A carry kept through a words file replaced since, or
damaged, is a miss, never a wrong answer.
"""

from __future__ import annotations

import pytest

from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.core.search import fingerprints as fingerprints_module
from paperbrowse.core.search.carried_words import CarriedWords
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.search.word_index import WordIndex
from paperbrowse.core.store import snapshot, words_files
from paperbrowse.core.store.cache import load_catalog_cached, reload_catalog
from paperbrowse.core.store.kept_search import prepare_search
from test_cache import CATEGORIES, age

QUERIES = ["sparse", "mixture of experts", "llama", "zzqx", "new words", "agent", "lora tuning"]
TOPICS = ["Sparse Mixture of Experts", "Llama Tuning", "Agent Memory", "Lora Adapters", "Vision Tokens"]


def record(number: int, title: str | None = None, venue: str = "") -> str:
    title = title or f"{TOPICS[number % len(TOPICS)]} {number}"
    extra = f'venue = "{venue}"\n' if venue else ""
    if number % 3:  # texts the snapshot keeps in its texts file
        extra += f'summary = "Notes on {title.lower()}, part {number}."\narxiv = "2301.{number:05d}"\n'
    return (
        f'[[paper]]\nid = "p{number}"\ntitle = "{title}"\nauthors = ["Author {number % 7}"]\n'
        f'date = 2023-{number % 12 + 1:02d}-01\ncategory = "ml"\n{extra}'
    )


@pytest.fixture
def collection(tmp_path):
    """Forty one-paper files, as `add` writes them."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "categories.toml").write_text(CATEGORIES)
    for number in range(40):
        (folder / f"p{number}.toml").write_text(record(number))
    age(folder)
    return folder


@pytest.fixture
def store(tmp_path, collection):
    """A cache whose words file holds the collection as it is now."""
    folder = tmp_path / "cache"
    index = SearchIndex(load_catalog_cached([collection], folder))
    prepare_search(index)
    assert index.words_from == "build"
    return folder


def edit(collection, number: int, **given) -> None:
    (collection / f"p{number}.toml").write_text(record(number, **given))
    age(collection)


def hits(index: SearchIndex) -> list[list[str]]:
    return [[hit.paper.id for hit in index.search(query).hits] for query in QUERIES]


def fresh_hits(collection) -> list[list[str]]:
    index = SearchIndex(load_catalog([collection]))
    index.prepare()
    return hits(index)


@pytest.fixture
def builds(monkeypatch):
    """The papers each word index built holds, in order."""
    found: list[int] = []
    real = WordIndex.__init__

    def counted(self, texts, count, pause=None):
        found.append(count)
        real(self, texts, count, pause)

    monkeypatch.setattr(WordIndex, "__init__", counted)
    return found


def started(collection, store) -> SearchIndex:
    index = SearchIndex(load_catalog_cached([collection], store))
    prepare_search(index)
    assert index.ready()
    return index


def test_after_an_edit_the_kept_words_are_carried_and_the_carry_kept(collection, store, builds):
    edit(collection, 3, title="Brand New Words")
    index = started(collection, store)
    assert builds and max(builds) == 1  # the edited paper's words only, a small index per field
    assert all(isinstance(words, CarriedWords) for words in index.word_state().values())
    assert hits(index) == fresh_hits(collection)
    where, _ = index.catalog.derived["snapshot"]
    assert words_files.carried_path(where).exists()


def test_the_next_start_reads_the_kept_carry_back(collection, store, builds, monkeypatch):
    edit(collection, 3, title="Brand New Words")
    started(collection, store)
    builds.clear()
    monkeypatch.setattr(fingerprints_module, "fingerprints", lambda *given: pytest.fail("carried again"))
    index = started(collection, store)
    assert builds == [] and index.words_from == "read"
    assert all(isinstance(words, CarriedWords) for words in index.word_state().values())
    assert hits(index) == fresh_hits(collection)


def test_each_later_edit_carries_from_the_same_words_file(collection, store, builds):
    where = words_files.words_path(started(collection, store).catalog.derived["snapshot"][0])
    before = where.read_bytes()
    for number, title in [(3, "Brand New Words"), (5, "Other New Words"), (3, "Third Words")]:
        edit(collection, number, title=title)
        builds.clear()
        index = started(collection, store)
        assert max(builds) <= 2
        assert hits(index) == fresh_hits(collection)
    assert where.read_bytes() == before  # the base is never written again by a carry


def test_an_edit_no_search_reads_keeps_every_word_index_as_it_was(collection, store, builds, monkeypatch):
    edit(collection, 3, venue="NeurIPS")
    index = started(collection, store)
    assert builds == [] and not any(isinstance(words, CarriedWords) for words in index.word_state().values())
    monkeypatch.setattr(fingerprints_module, "fingerprints", lambda *given: pytest.fail("carried again"))
    again = started(collection, store)
    assert again.words_from == "read" and hits(again) == fresh_hits(collection)


def test_a_carry_through_a_replaced_words_file_is_a_miss(collection, store):
    edit(collection, 3, title="Brand New Words")
    where, key = started(collection, store).catalog.derived["snapshot"]
    words = words_files.words_path(where)
    kept = words_files.load_base(words)
    assert kept is not None
    words_files.save_words(words, ("another state",), kept[1], kept[2])  # as another process may
    assert words_files.load_carried(words_files.carried_path(where), words, key) is None
    assert hits(started(collection, store)) == fresh_hits(collection)


@pytest.mark.parametrize("cut", ["flipped", "short"])
def test_a_damaged_carry_is_a_miss(collection, store, cut):
    edit(collection, 3, title="Brand New Words")
    where, key = started(collection, store).catalog.derived["snapshot"]
    path = words_files.carried_path(where)
    data = bytearray(path.read_bytes())
    if cut == "flipped":  # a byte of the papers' places, which would still unpickle
        place = data.index((7).to_bytes(4, "little") + (8).to_bytes(4, "little"))
        data[place] ^= 1
    else:
        del data[len(data) * 2 // 3 :]
    path.write_bytes(bytes(data))
    assert words_files.load_carried(path, words_files.words_path(where), key) is None
    assert hits(started(collection, store)) == fresh_hits(collection)


def test_too_many_changes_are_built_and_kept_whole(collection, store, builds):
    for number in range(10):
        (collection / f"p{number}.toml").write_text(record(number, title=f"Rewritten {number}"))
    age(collection)
    index = started(collection, store)
    assert 40 in builds and not any(isinstance(words, CarriedWords) for words in index.word_state().values())
    where, key = index.catalog.derived["snapshot"]
    assert words_files.load_words(words_files.words_path(where), key) is not None
    assert hits(index) == fresh_hits(collection)


def test_a_reload_keeps_its_carry_for_the_next_start(collection, store, builds, monkeypatch):
    old = started(collection, store)
    edit(collection, 3, title="Brand New Words")
    new = SearchIndex(reload_catalog(old.catalog, None, store))
    prepare_search(new, previous=old)
    assert all(isinstance(words, CarriedWords) for words in new.word_state().values())
    builds.clear()
    monkeypatch.setattr(fingerprints_module, "fingerprints", lambda *given: pytest.fail("carried again"))
    index = started(collection, store)
    assert builds == [] and index.words_from == "read"
    assert hits(index) == fresh_hits(collection)


def test_a_carry_of_files_changed_just_now_is_not_kept(collection, store, monkeypatch):
    edit(collection, 3, title="Brand New Words")
    index = SearchIndex(load_catalog_cached([collection], store))
    monkeypatch.setattr(snapshot, "racy", lambda key: True)  # as if a file changed within the tick
    prepare_search(index)
    assert all(isinstance(words, CarriedWords) for words in index.word_state().values())
    assert not words_files.carried_path(index.catalog.derived["snapshot"][0]).exists()


def test_prints_read_from_the_snapshot_s_texts_file_are_those_of_the_papers(collection, store):
    from paperbrowse.core.search.fingerprints import fingerprints

    kept = load_catalog_cached([collection], store)
    assert "texts" in kept.derived  # read back from the snapshot
    from_files = SearchIndex(load_catalog([collection]))
    assert fingerprints(SearchIndex(kept)) == fingerprints(from_files)
    assert from_files.rows is not None and list(from_files.rows) != sorted(from_files.rows)  # not the files' order


def test_a_reload_after_a_build_keeps_its_carry(collection, tmp_path):
    """The indexes a start built and wrote are known as the words file's: a reload's carry
    from them is kept too."""
    folder = tmp_path / "cache"
    old = SearchIndex(load_catalog_cached([collection], folder))
    prepare_search(old)
    assert old.words_from == "build"
    edit(collection, 3, title="Brand New Words")
    new = SearchIndex(reload_catalog(old.catalog, None, folder))
    prepare_search(new, previous=old)
    assert all(isinstance(words, CarriedWords) for words in new.word_state().values())
    assert words_files.carried_path(new.catalog.derived["snapshot"][0]).exists()
