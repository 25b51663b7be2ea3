"""Word indexes carried over a reload answer every lookup as indexes built anew would.

A reload keeps the papers of unchanged files as the same objects, parses changed files again
(new objects, mostly the same texts), adds, deletes and moves papers (a new date). The
carried indexes must find exactly the papers a fresh build finds, however often they are
carried again, and must give up (build instead) when carrying stops paying.
"""

from __future__ import annotations

import dataclasses
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_catalog, make_paper
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.search import paper_sets
from paperbrowse.core.search.carried_words import MOST_CHANGED, CarriedWords, Moves, carry_words
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.search.matching import FIELDS
from paperbrowse.core.search.word_index import WordIndex

WORDS = ["attention", "mixture", "experts", "llama", "lora", "rlhf", "agent", "vision", "x-ray", "dpo", "sparse"]
NEEDLES = ["att", "expert", "lla", "lora", "a", "s", "x-", "dpo", "vision", "agent", "zz", "ert", "mixtral"]


def random_paper(rng: random.Random, number: int):
    def text(n: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(n))

    return make_paper(
        f"p{number}",
        text(rng.randint(1, 5)).title(),
        date=f"20{rng.randint(10, 23)}-{rng.randint(1, 12):02d}-01",
        tags=[rng.choice(WORDS) for _ in range(rng.randint(0, 2))],
        authors=[text(2)],
        summary=text(rng.randint(0, 8)),
    )


def answers(index: SearchIndex) -> list[object]:
    """Every lookup a search makes, as sets of paper ids (places differ between indexes)."""

    def ids(lanes: int) -> frozenset[str]:
        return frozenset(index.papers[i].id for i in paper_sets.positions(lanes, index.count))

    found: list[object] = []
    for field, _ in FIELDS:
        words = index.words(field)
        for needle in NEEDLES:
            starting, whole = words.at_start(needle)
            found += [
                ids(words.papers(words.containing(needle))),
                ids(words.papers(words.starting(needle))),
                ids(words.papers(words.ending(needle))),
                ids(words.papers(starting)),
                ids(words.papers(whole)),
                ids(words.papers(number for number, _ in words.similar(needle, 80))),
            ]
    return found


def ready(catalog) -> SearchIndex:
    index = SearchIndex(catalog)
    index.prepare()
    return index


def changed(rng: random.Random, papers: list, steps: int, next_number: list[int]) -> list:
    """A reload's papers: the same objects for most, some edited, added, deleted or re-dated,
    and some parsed again unchanged (new objects, same texts)."""
    papers = list(papers)
    for _ in range(steps):
        action = rng.choice(["edit", "add", "delete", "date", "parsed again"])
        if action == "add" or not papers:
            papers.insert(rng.randrange(len(papers) + 1), random_paper(rng, next_number[0]))
            next_number[0] += 1
            continue
        where = rng.randrange(len(papers))
        if action == "edit":
            papers[where] = dataclasses.replace(papers[where], title=papers[where].title + " Sparse Lora")
        elif action == "delete":
            del papers[where]
        elif action == "date":
            papers[where] = dataclasses.replace(papers[where], date=PaperDate.parse(f"20{rng.randint(10, 23)}-03-01"))
        else:
            papers[where] = dataclasses.replace(papers[where])
    return papers


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), reloads=st.integers(1, 4), steps=st.integers(0, 6))
def test_carried_words_find_what_a_fresh_build_finds(seed, reloads, steps):
    rng = random.Random(seed)
    papers = [random_paper(rng, n) for n in range(rng.randint(1, 120))]
    number = [len(papers)]
    index = ready(make_catalog(papers))
    for _ in range(reloads):
        papers = changed(rng, papers, steps, number)
        fresh = SearchIndex(make_catalog(papers))
        if not carry_words(index, fresh):
            fresh.prepare()
        assert fresh.ready()
        assert answers(fresh) == answers(ready(make_catalog(papers)))
        index = fresh


def test_a_file_parsed_again_unchanged_keeps_the_same_word_indexes():
    rng = random.Random(1)
    papers = [random_paper(rng, n) for n in range(300)]
    index = ready(make_catalog(papers))
    again = [dataclasses.replace(p) for p in papers[:100]] + papers[100:]
    fresh = SearchIndex(make_catalog(again))
    assert carry_words(index, fresh)
    for field, _ in FIELDS:
        assert fresh.words(field) is index.words(field)  # nothing built, nothing read through


def test_an_added_paper_is_found_and_the_rest_are_read_through_moves():
    rng = random.Random(2)
    papers = [random_paper(rng, n) for n in range(300)]
    index = ready(make_catalog(papers))
    new = make_paper("newest", "Quokka Transformers", date="2030-01-01", summary="marsupial")
    fresh = SearchIndex(make_catalog([*papers, new]))
    assert carry_words(index, fresh)
    title = fresh.words("title")
    assert isinstance(title, CarriedWords)
    assert isinstance(title.base, WordIndex) and title.base is index.words("title")
    assert fresh.papers[0].id == "newest"
    assert paper_sets.positions(title.papers(title.containing("quokka")), fresh.count) == [0]
    # Every other paper moved one place down, and is still found by its words.
    llama = paper_sets.positions(title.papers(title.containing("llama")), fresh.count)
    before = paper_sets.positions(index.words("title").papers(index.words("title").containing("llama")), index.count)
    assert llama == [place + 1 for place in before]


def test_carried_again_the_words_keep_their_first_base():
    rng = random.Random(3)
    papers = [random_paper(rng, n) for n in range(200)]
    first = ready(make_catalog(papers))
    papers.append(make_paper("a1", "Quokka", date="2030-01-01"))
    second = SearchIndex(make_catalog(papers))
    assert carry_words(first, second)
    papers.append(make_paper("a2", "Wombat", date="2031-01-01"))
    third = SearchIndex(make_catalog(papers))
    assert carry_words(second, third)
    words = third.words("title")
    assert isinstance(words, CarriedWords) and words.base is first.words("title")
    assert sorted(third.papers[i].id for i in words.moves.added) == ["a1", "a2"]


def test_too_many_changed_papers_are_built_instead():
    rng = random.Random(4)
    papers = [random_paper(rng, n) for n in range(400)]
    index = ready(make_catalog(papers))
    edited = len(papers) // MOST_CHANGED + 10
    again = [dataclasses.replace(p, title=p.title + " Lora") for p in papers[:edited]] + papers[edited:]
    fresh = SearchIndex(make_catalog(again))
    assert not carry_words(index, fresh)
    assert not fresh.word_state()  # nothing half given: the build does it all


def test_nothing_is_carried_from_an_index_without_all_its_words():
    rng = random.Random(5)
    papers = [random_paper(rng, n) for n in range(50)]
    index = SearchIndex(make_catalog(papers))
    index.words("title")
    assert not carry_words(index, SearchIndex(make_catalog(papers)))


def test_moves_read_a_set_through_runs_and_gaps():
    from array import array

    # New places: base 3, 4, (new), base 0, 1, (new), (new), base 6
    moves = Moves(array("i", [3, 4, -1, 0, 1, -1, -1, 6]), base_count=7)
    assert moves.added == [2, 5, 6]
    assert moves.runs == 5  # two gaps next to each other are one
    base = paper_sets.from_positions([0, 2, 4, 5, 6], 7)  # 2 and 5 are gone: they changed
    assert paper_sets.positions(moves.carry(base), moves.count) == [1, 3, 7]
    # -1 then base place 0 is a step of one, but not one run.
    moves = Moves(array("i", [-1, 0, 1]), base_count=2)
    assert paper_sets.positions(moves.carry(paper_sets.from_positions([0], 2)), 3) == [1]
    assert Moves(array("i", [0, 1, 2]), base_count=3).identity
    assert not Moves(array("i", [0, 1]), base_count=3).identity  # a paper deleted


def test_a_cold_starts_full_collection_does_not_wait_for_its_first_parts_words():
    import threading

    from paperbrowse.core.store.kept_search import prepare_search

    rng = random.Random(6)
    papers = [random_paper(rng, n) for n in range(200)]
    first_part = SearchIndex(make_catalog(papers[:20]))
    whole = SearchIndex(make_catalog(papers))
    done, gave_up = threading.Event(), threading.Event()

    def building_the_first_part() -> None:  # holds its lock until the whole's words are in
        with first_part.preparing:
            if not done.wait(5):
                gave_up.set()

    holder = threading.Thread(target=building_the_first_part)
    holder.start()
    try:
        prepare_search(whole, previous=first_part)
        assert not gave_up.is_set()  # it did not wait for the first part's lock
        assert whole.ready()
    finally:
        done.set()
        holder.join()
    assert all(isinstance(words, WordIndex) for words in whole.word_state().values())
