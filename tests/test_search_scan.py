"""The scan that answers before the word indexes exist finds what the indexed search finds.

Same papers, same points, and on these small collections (no tie past the tiebreak's limit)
the same order, whatever the query: fuzzy words, typos, word starts, exact, prefix, suffix
and whole terms, phrases, negations, `|` groups and filters, searched a few papers at a time.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FakeUser, make_catalog, make_paper
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.search.scan import Scanner, scan

# Letters that make words meet (a few), cases, a letter lower-casing changes, punctuation
# that starts a part of a word, the word indexes' own end mark, and whitespace.
ALPHABET = "abcdeABé-.:(\x01 \n"
text = st.text(alphabet=ALPHABET, max_size=24)
needle = st.text(alphabet="abcdeABé-.(\x01", min_size=1, max_size=6)


@st.composite
def catalogs(draw):
    count = draw(st.integers(1, 14))
    papers = [
        make_paper(
            f"p{i}",
            draw(text) or f"t{i}",
            date=f"20{draw(st.integers(10, 24))}-0{draw(st.integers(1, 9))}",
            authors=draw(st.lists(text, min_size=1, max_size=2)),
            orgs=draw(st.lists(text, max_size=2)),
            tags=draw(st.lists(text, max_size=2)),
            aliases=draw(st.lists(text, max_size=1)),
            summary=draw(text),
            arxiv=draw(st.sampled_from(["", "2301.00001", "2401.12345"])),
        )
        for i in range(count)
    ]
    return make_catalog(papers)


@st.composite
def terms(draw):
    word = draw(needle)
    shape = draw(st.sampled_from(["{}", "'{}", "^{}", "{}$", "^{}$", "!{}", '"{} {}"', "tag:{}", "author:{}"]))
    other = draw(needle)
    return shape.format(word, other)


queries = st.lists(
    st.one_of(terms(), st.sampled_from(["year:2015..2020", "cat:vision", "is:starred", "|"])), min_size=1, max_size=3
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(catalogs(), queries, st.integers(1, 5), st.integers(1, 5), st.booleans(), st.booleans())
def test_a_scan_finds_the_indexed_search_s_papers_in_its_order(catalog, query, size, first, laid_out, read_first):
    user = FakeUser(starred=["p0", "p3"])
    indexed = SearchIndex(catalog)
    indexed.prepare()
    if laid_out:  # the titles' layout for word starts, as the browser has it after a while
        indexed.prepare_keystrokes()
    expected = indexed.search(query, user)
    fresh = SearchIndex(catalog)  # no word index built, none asked for by the scan
    if read_first:  # the slices then take their part of each column (the build reads them)
        for name in ("title", "summary", "authors"):
            _ = fresh.text[name]
    steps = scan(fresh, query, user, size=size, first=first)
    found = next(steps)  # the same object each time, grown by a slice
    searched = [found.searched, *(step.searched for step in steps)]
    assert searched == _ends(fresh.count, size, first)
    assert found.done
    assert not fresh.word_state()
    assert found.hints == expected.hints
    assert [fresh.papers[p].id for p in found.positions()] == [p.id for p in expected.papers]


def _ends(count: int, size: int, first: int) -> list[int]:
    """Where each slice ends: `first` papers, then each slice twice the last, up to `size`."""
    ends, end, step = [], 0, min(first, size)
    while end < count:
        end, step = min(end + step, count), min(step * 2, size)
        ends.append(end)
    return ends or [0]


def test_the_first_slices_are_small_and_grow_to_the_slice_size():
    papers = [make_paper(f"p{i}", f"attention {i}") for i in range(20)]
    index = SearchIndex(make_catalog(papers))
    seen = [found.searched for found in scan(index, "attention", size=4, first=1)]
    assert seen == [1, 3, 7, 11, 15, 19, 20]


def test_a_scan_of_no_papers_yields_once_with_the_query_s_hints():
    index = SearchIndex(make_catalog([]))
    seen = [(found.searched, found.positions(), found.hints) for found in scan(index, "year:x attention")]
    assert seen == [(0, [], index.search("year:x attention").hints)]


def test_a_scan_yields_after_each_slice_growing():
    papers = [make_paper(f"p{i}", f"attention {i}") for i in range(10)]
    index = SearchIndex(make_catalog(papers))
    seen = [(found.searched, len(found.positions())) for found in scan(index, "attention", size=4)]
    assert seen == [(4, 4), (8, 8), (10, 10)]


def test_a_scanner_keeps_its_slices_prepared_for_the_next_query_and_finds_the_same():
    papers = [make_paper(f"p{i}", f"attention {i}", tags=["moe"] if i % 3 else []) for i in range(10)]
    index = SearchIndex(make_catalog(papers))
    cold = [list(found.positions()) for found in scan(index, "moe atention", size=4)][-1]
    scanner = Scanner(index, size=4)
    first = [list(found.positions()) for found in scanner.scan("moe atention")][-1]
    prepared = [dict(part._words) for part in scanner._slices]
    again = [list(found.positions()) for found in scanner.scan("moe atention")][-1]
    assert first == again == cold == [p for p in range(10) if index.papers[p].tags]
    assert all(prepared)  # each slice's texts, lower-cased, kept
    assert [dict(part._words) for part in scanner._slices] == prepared  # and used again, not redone
