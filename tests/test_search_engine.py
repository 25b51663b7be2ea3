"""The search's machinery against brute force: lanes, word indexes, and whole queries.

The fast paths (big-int lanes, vocabulary regexes, cached terms, narrowed subsequences) must
give exactly what a plain loop over the papers gives.
"""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_catalog, make_paper
from paperbrowse.core.search import paper_sets
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.search.matching import EXACT_TESTS, FIELDS
from paperbrowse.core.search.word_index import WordIndex

ALPHABET = "abcAB é-.:\x01\n\t"
words = st.text(alphabet=ALPHABET, max_size=12)
needles = st.text(alphabet=ALPHABET.replace(" ", "").replace("\n", "").replace("\t", ""), min_size=1, max_size=4)


@settings(max_examples=200)
@given(st.lists(st.integers(0, 255), max_size=60), st.lists(st.integers(0, 255), max_size=60))
def test_lanes_add_sort_and_widen(first, second):
    count = max(len(first), len(second))
    first += [0] * (count - len(first))
    second += [0] * (count - len(second))
    a = paper_sets.from_flags(bytes(first))
    b = paper_sets.from_flags(bytes(second))
    # Values keep their lanes: ranked is a stable sort by value, highest first.
    expected = sorted((i for i in range(count) if first[i]), key=lambda i: -first[i])
    assert list(paper_sets.ranked(a, count, 1)) == expected
    lazy = paper_sets.ranked(a, count, 1)  # read from the middle first: gathered level by level
    assert len(lazy) == len(expected)
    assert [lazy[i] for i in reversed(range(len(expected)))] == expected[::-1]
    assert paper_sets.ranked(a, count, 1)[:3] == expected[:3] and paper_sets.ranked(a, count, 1)[-2:] == expected[-2:]
    assert paper_sets.values_at(a, count, 1, expected) == [first[i] for i in expected]
    # Two-byte lanes hold sums a byte cannot.
    total = paper_sets.widen(a, count) + paper_sets.widen(b, count)
    sums = [x + y for x, y in zip(first, second, strict=True)]
    assert paper_sets.values_at(total, count, 2, range(count)) == sums
    assert list(paper_sets.ranked(total, count, 2)) == sorted(
        (i for i in range(count) if sums[i]), key=lambda i: -sums[i]
    )
    assert paper_sets.values_at(paper_sets.lane_max(a, b, count), count, 1, range(count)) == list(
        map(max, first, second)
    )
    huge = paper_sets.widen(a, count, 4) * 70000  # four-byte lanes: no carry into the next paper
    assert paper_sets.values_at(huge, count, 4, range(count)) == [x * 70000 for x in first]


@settings(max_examples=200)
@given(st.sets(st.integers(0, 199)), st.sets(st.integers(0, 199)))
def test_lane_sets_are_sets(left, right):
    count = 200
    a, b = paper_sets.from_positions(left, count), paper_sets.from_positions(right, count)
    assert paper_sets.positions(a, count) == sorted(left)
    assert paper_sets.positions(a | b, count) == sorted(left | right)
    assert paper_sets.positions(a & b, count) == sorted(left & right)
    assert paper_sets.positions(a & ~b, count) == sorted(left - right)
    assert paper_sets.positions(paper_sets.ones(count) & ~a, count) == sorted(set(range(count)) - left)
    assert paper_sets.expand(paper_sets.bits_from_positions(left, count), count) == a


@settings(max_examples=300)
@given(st.lists(words, min_size=1, max_size=40), needles)
def test_word_index_finds_what_a_scan_finds(texts, needle):
    index = WordIndex(texts, len(texts))
    found = set(paper_sets.positions(index.papers(index.containing(needle)), len(texts)))
    assert found == {i for i, text in enumerate(texts) if needle in text}
    # Anchored lookups give candidates: every real match is among them.
    starts = set(paper_sets.positions(index.papers(index.starting(needle)), len(texts)))
    ends = set(paper_sets.positions(index.papers(index.ending(needle)), len(texts)))
    assert {i for i, t in enumerate(texts) if any(w.startswith(needle) for w in t.split())} <= starts
    assert {i for i, t in enumerate(texts) if any(w.endswith(needle) for w in t.split())} <= ends


def test_common_words_are_kept_as_bits_and_still_found():
    texts = ["common word"] * 200 + ["rare"]
    index = WordIndex(texts, len(texts))
    assert index.dense  # "common" is in every paper
    assert paper_sets.positions(index.papers(index.containing("omm")), len(texts)) == list(range(200))
    assert paper_sets.positions(index.papers(index.containing("rar")), len(texts)) == [200]


def test_a_pickled_word_index_answers_the_same():
    import pickle

    index = WordIndex(["alpha beta", "gamma", "beta"], 3)
    copy = pickle.loads(pickle.dumps(index))
    assert paper_sets.positions(copy.papers(copy.containing("bet")), 3) == [0, 2]


@settings(max_examples=100)
@given(st.lists(words, min_size=1, max_size=30), needles, st.integers(1, 4))
def test_a_word_index_kept_in_pieces_answers_the_same(texts, needle, per_part):
    index = WordIndex(texts, len(texts))
    WordIndex._WORDS_PER_PART, kept = per_part, WordIndex._WORDS_PER_PART
    try:
        parts = list(index.parts())
    finally:
        WordIndex._WORDS_PER_PART = kept
    copy = WordIndex.from_parts(iter(parts))
    assert copy.words == index.words
    for question in (copy.containing, copy.starting, copy.ending):
        assert copy.papers(question(needle)) == index.papers(getattr(index, question.__name__)(needle))
    assert copy.at_start(needle) == index.at_start(needle)
    assert sorted(copy.similar(needle * 2, 70)) == sorted(index.similar(needle * 2, 70))


field_text = st.text(alphabet=string.ascii_letters[:6] + " -", max_size=15)


@st.composite
def catalogs(draw):
    count = draw(st.integers(1, 25))
    papers = [
        make_paper(
            f"p{i}",
            draw(field_text) or f"t{i}",
            date=f"20{draw(st.integers(10, 24))}-0{draw(st.integers(1, 9))}",
            authors=[draw(field_text) or "x"],
            tags=draw(st.lists(field_text, max_size=2)),
            summary=draw(field_text),
            arxiv="",
        )
        for i in range(count)
    ]
    return make_catalog(papers)


@settings(max_examples=150, deadline=None)
@given(catalogs(), st.sampled_from(["'", "^", ""]), st.text(alphabet="abcdefAB", min_size=1, max_size=3))
def test_exact_terms_match_what_a_scan_matches(catalog, operator, needle):
    index = SearchIndex(catalog)
    kind = {"'": "exact", "^": "prefix", "": "exact"}[operator]
    query = f"{operator or chr(39)}{needle}"
    case = needle != needle.lower()
    expected = set()
    for i in range(index.count):
        for name, _ in FIELDS:
            hay = index.text[name][i]
            if EXACT_TESTS[kind](hay if case else hay.lower(), needle if case else needle.lower()):
                expected.add(index.papers[i].id)
    found = [h.paper.id for h in index.search(query).hits]
    assert set(found) == expected
    # Typing a second word reuses the first one's result: still the same answer.
    assert {h.paper.id for h in index.search(f"{query} !zzz").hits} == expected


@settings(max_examples=100, deadline=None)
@given(catalogs(), st.text(alphabet="abcdef", min_size=2, max_size=5))
def test_a_growing_needle_narrows_exactly(catalog, needle):
    """Each keystroke reuses the shorter needle's subsequence candidates; a fresh index agrees."""
    index = SearchIndex(catalog)
    for end in range(1, len(needle) + 1):
        typed = [h.paper.id for h in index.search(needle[:end]).hits]
        fresh = [h.paper.id for h in SearchIndex(catalog).search(needle[:end]).hits]
        assert typed == fresh


def test_the_lazy_view_reads_like_the_list():
    catalog = make_catalog([make_paper(f"p{i}", f"Widget {i}", date=f"20{10 + i}-01-01") for i in range(8)])
    result = SearchIndex(catalog).search("widget", limit=5)
    view = result.view
    assert len(view) == 5 and bool(view)
    assert list(view) == result.papers == [view[i] for i in range(5)]
    assert view[1:3] == result.papers[1:3] and view[-1] == result.papers[-1]
    assert view.index(result.papers[2]) == 2 and result.papers[0] in view


@settings(max_examples=200)
@given(st.lists(st.integers(0, 3), max_size=60), st.data())
def test_ties_follow_the_tiebreak_key(values, data):
    count = len(values)
    keys = data.draw(st.lists(st.integers(0, 5), min_size=count, max_size=count))
    expected = sorted((i for i in range(count) if values[i]), key=lambda i: (-values[i], keys[i], i))
    lanes = paper_sets.from_flags(bytes(values))
    assert list(paper_sets.ranked(lanes, count, 1, keys)) == expected
    assert list(paper_sets.ranked(paper_sets.widen(lanes, count), count, 2, keys)) == expected
