"""A word index's vocabulary is shortest first, then in order, however its sort is cut up.

The sort is cut into groups of a few thousand words (one sort holds the interpreter while it
runs); here the groups are made tiny, so that the split by shared prefixes runs on small
inputs too.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from paperbrowse.core.search import word_index

words = st.sets(st.text(alphabet="ab0é\x01-\x00", min_size=1, max_size=7), max_size=200)


@settings(max_examples=300, deadline=None)
@given(words, st.integers(1, 6), st.integers(1, 9))
def test_the_vocabulary_is_shortest_first_then_in_order(found, at_once, remade_at_once):
    """However the sort is cut up, and the words made again (side by side in memory) in
    batches of any size."""
    kept = word_index._SORT_AT_ONCE, word_index._REMADE_AT_ONCE
    word_index._SORT_AT_ONCE, word_index._REMADE_AT_ONCE = at_once, remade_at_once
    try:
        ordered = word_index._by_length(found)
    finally:
        word_index._SORT_AT_ONCE, word_index._REMADE_AT_ONCE = kept
    assert list(ordered) == sorted(found, key=lambda word: (len(word), word))


def test_ids_sharing_a_long_prefix_come_out_in_order():
    ids = [f"p{number:07d}" for number in range(20_000)][::-1]
    assert list(word_index._by_length(ids)) == ids[::-1]
