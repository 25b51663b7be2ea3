"""Passes made a piece at a time give what the one-call passes give."""

from __future__ import annotations

from array import array

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
