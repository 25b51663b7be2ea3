"""Passes made a piece at a time give what the one-call passes give."""

from __future__ import annotations

from array import array
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperbrowse.core.records import pieces


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch):
    monkeypatch.setattr(pieces, "PIECE", 4)  # many pieces, and a last one cut short


@given(st.lists(st.tuples(st.integers(-3, 3), st.text(max_size=2)), max_size=40))
def test_sorted_in_pieces_is_one_stable_sort(keys) -> None:
    assert pieces.sorted_in_pieces(len(keys), keys.__getitem__) == sorted(range(len(keys)), key=keys.__getitem__)


@given(st.lists(st.integers(-(2**62), 2**62), max_size=40))
def test_column_and_mapped_are_one_pass(numbers) -> None:
    assert pieces.column("q", abs, numbers) == array("q", map(abs, numbers))
    assert pieces.mapped(str, numbers) == list(map(str, numbers))


def test_a_column_out_of_range_raises_as_one_pass_would() -> None:
    with pytest.raises(OverflowError):
        pieces.column("q", int, [1, 2, 3, 4, 5, 2**64])


@given(st.lists(st.text(max_size=3), max_size=40))
def test_sorted_pieces_is_one_sort(items) -> None:
    assert pieces.sorted_pieces(items) == sorted(items)


@given(st.lists(st.one_of(st.none(), st.integers(-3, 3)), max_size=40), st.one_of(st.none(), st.integers(-3, 3)))
def test_contains_is_one_pass(items, value) -> None:
    assert pieces.contains(items, value) == (value in items)


@given(st.lists(st.integers(-3, 3), max_size=40))
def test_ascending_compares_across_the_pieces_cuts(items) -> None:
    assert pieces.ascending(items) == all(a <= b for a, b in pairwise(items))


@given(st.lists(st.text(alphabet="ab", max_size=3), max_size=40))
def test_places_are_each_item_s_last_place(items) -> None:
    assert pieces.places(items) == {item: place for place, item in enumerate(items)}
    assert pieces.places(items, len) == {len(item): place for place, item in enumerate(items)}
