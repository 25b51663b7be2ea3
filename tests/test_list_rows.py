"""The paper list's rows: a title cut to its column with the matched characters styled
(tui/widgets/paper_list.py). Titles of one-cell characters are cut by counting, in runs; any
other by each character's cells. The two must agree wherever both apply."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.segment import Segment
from rich.style import Style

from paperbrowse.tui.widgets.paper_list import fit_title, fit_title_by_cells

PLAIN = Style(color="white")
MATCH = Style(color="red", bold=True)


def cells(segments: list[Segment]) -> list[tuple[str, Style | None]]:
    """Each character with its style: two lists of segments that draw the same."""
    return [(char, segment.style) for segment in segments for char in segment.text]


@st.composite
def titles(draw) -> tuple[str, list[int], int]:
    title = draw(st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=120))
    positions = draw(st.lists(st.integers(0, max(len(title) - 1, 0)), max_size=12)) if title else []
    return title, positions, draw(st.integers(4, 130))


@given(titles())
def test_counting_cuts_a_title_as_the_cells_do(case) -> None:
    title, positions, width = case
    assert cells(fit_title(title, positions, width, PLAIN, MATCH)) == cells(
        fit_title_by_cells(title, positions, width, PLAIN, MATCH)
    )


@given(titles())
def test_a_row_fills_its_width_exactly(case) -> None:
    title, positions, width = case
    assert sum(len(segment.text) for segment in fit_title(title, positions, width, PLAIN, MATCH)) == width


def test_a_long_title_is_cut_with_an_ellipsis_and_a_late_match_shows_its_end() -> None:
    title = "Attention Is All You Need: transformers for sequence transduction"
    assert "".join(s.text for s in fit_title(title, [0], 20, PLAIN, MATCH)) == "Attention Is All Yo…"
    late = title.index("transduction")
    shown = fit_title(title, list(range(late, late + 5)), 20, PLAIN, MATCH)
    assert "".join(s.text for s in shown) == "…quence transduction"
    assert [s.text for s in shown if s.style is MATCH] == ["trans"]


def test_wide_characters_are_cut_by_their_cells() -> None:
    title = "注意力就是你所需要的一切"  # 12 characters, 24 cells
    text = "".join(s.text for s in fit_title(title, [], 10, PLAIN, MATCH))
    assert text.startswith("注意力就") and text.rstrip().endswith("…")
