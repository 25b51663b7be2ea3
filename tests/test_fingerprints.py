"""Word indexes carried through their papers' fingerprints answer as indexes built anew would.

The kept indexes' papers are gone when the carry runs (a later process, the snapshot written
again): only a digest of each one's searched texts is left. Same texts must give the same
digest in any process and from any objects; any change to a searched text a different one;
and the carried indexes must find exactly the papers a fresh build finds.
"""

from __future__ import annotations

import dataclasses
import random
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_catalog, make_paper
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.search.carried_words import MOST_CHANGED, CarriedWords, carry_printed
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.search.fingerprints import WIDTH, fingerprints, places
from paperbrowse.core.search.matching import FIELDS
from test_carried_words import answers, changed, random_paper, ready


def prints_of(*papers) -> list[bytes]:
    found = fingerprints(SearchIndex(make_catalog(list(papers))))
    return [found[i : i + WIDTH] for i in range(0, len(found), WIDTH)]


def test_the_same_texts_give_the_same_print_and_a_searched_change_another():
    base = make_paper("p1", "Sparse Mixture", tags=["moe"], authors=["A. Author"], summary="experts")
    edits = {
        "title": "Sparse Mixtures",
        "authors": ("A. Author", "B. Author"),
        "tags": ("moe", "x"),
        "summary": "experts.",
        "aliases": ("SMoE",),
        "orgs": ("Lab",),
        "arxiv": "2301.00001",
    }
    assert {field for field, _ in FIELDS} == {*edits, "id"}
    (same,) = prints_of(dataclasses.replace(base))
    assert prints_of(base) == [same]
    for field, value in edits.items():
        assert prints_of(dataclasses.replace(base, **{field: value})) != [same], field
    # Fields no search reads leave the print as it is (their words would be the same).
    assert prints_of(dataclasses.replace(base, venue="NeurIPS", date=PaperDate.parse("2020-01-01"))) == [same]


def test_texts_that_trade_characters_across_fields_read_differently():
    a = make_paper("p1", "a\0b", authors=["c"], summary="(1, 2)\0")
    b = make_paper("p1", "a", authors=["b\0c"], summary="(1, 2)\0")
    c = make_paper("p1", "a\0b", authors=["c(1, 2)"], summary="\0")
    assert len(set(prints_of(a) + prints_of(b) + prints_of(c))) == 3
    # Next to each other in the digest: the title, then the other names.
    assert [f for f, _ in FIELDS][:2] == ["title", "aliases"]
    assert prints_of(make_paper("p1", "x\0", aliases=["y"])) != prints_of(make_paper("p1", "x", aliases=["\0y"]))


def test_prints_are_the_same_in_another_process():
    script = (
        "import sys; sys.path.insert(0, 'tests');"
        "from conftest import make_catalog, make_paper;"
        "from paperbrowse.core.search.engine import SearchIndex;"
        "from paperbrowse.core.search.fingerprints import fingerprints;"
        "print(fingerprints(SearchIndex(make_catalog([make_paper('p1', 'Ünïcode tïtle', tags=['t'])]))).hex())"
    )
    other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    (here,) = prints_of(make_paper("p1", "Ünïcode tïtle", tags=["t"]))
    assert other.stdout.strip() == here.hex()


def test_places_finds_each_paper_s_place_or_none():
    one, two, three = (make_paper(f"p{n}", f"Title {n}", date=f"202{n}-01-01") for n in range(3))
    before = SearchIndex(make_catalog([one, two, three]))
    after = SearchIndex(make_catalog([three, dataclasses.replace(two, title="Changed"), make_paper("p9", "New"), one]))
    found = places(fingerprints(before), fingerprints(after))
    where = {
        paper.id: before.papers[place].id if place >= 0 else None
        for paper, place in zip(after.papers, found, strict=True)
    }
    assert where == {"p0": "p0", "p1": None, "p2": "p2", "p9": None}


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), edits=st.integers(1, 4), steps=st.integers(0, 6))
def test_words_carried_through_prints_find_what_a_fresh_build_finds(seed, edits, steps):
    """Each state is carried from the first one's kept indexes, as a later process carries
    from the words file: the base stays the first state, however many edits came since."""
    rng = random.Random(seed)
    papers = [random_paper(rng, n) for n in range(rng.randint(1, 120))]
    number = [len(papers)]
    base = ready(make_catalog(papers))
    kept, prints = base.word_state(), fingerprints(base)
    for _ in range(edits):
        papers = changed(rng, papers, steps, number)
        fresh = SearchIndex(make_catalog(papers))
        carried = carry_printed(kept, prints, fresh)
        if carried:
            assert all(words is kept[field] or words.base is kept[field] for field, words in fresh.word_state().items())
        else:
            fresh.prepare()
        assert fresh.ready()
        assert answers(fresh) == answers(ready(make_catalog(papers)))


def test_only_the_changed_papers_words_are_built():
    rng = random.Random(7)
    papers = [random_paper(rng, n) for n in range(200)]
    base = ready(make_catalog(papers))
    papers[10] = dataclasses.replace(papers[10], title="Brand New Words")
    papers.append(random_paper(rng, 500))
    fresh = SearchIndex(make_catalog(papers))
    assert carry_printed(base.word_state(), fingerprints(base), fresh)
    for words in fresh.word_state().values():
        assert isinstance(words, CarriedWords) and words.added.count == 2
    assert fresh.search("brand new").hits[0].paper.id == papers[10].id


def test_too_many_changes_or_a_foreign_print_carry_nothing():
    rng = random.Random(3)
    papers = [random_paper(rng, n) for n in range(80)]
    base = ready(make_catalog(papers))
    prints = fingerprints(base)
    edited = [dataclasses.replace(p, title=p.title + " x") for p in papers[: 80 // MOST_CHANGED + 1]] + papers[11:]
    fresh = SearchIndex(make_catalog(edited))
    assert not carry_printed(base.word_state(), prints, fresh) and not fresh.word_state()
    fresh = SearchIndex(make_catalog(papers))
    assert not carry_printed(base.word_state(), prints[:-1], fresh)  # cut short: not this state's
    partial = dict(base.word_state())
    partial.pop("title")
    assert not carry_printed(partial, prints, fresh) and not fresh.word_state()
