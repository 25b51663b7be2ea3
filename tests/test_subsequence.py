"""The bit-parallel word-start test against its plain form (`word_starts`), title by title."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_catalog, make_paper
from paperbrowse.core.search import paper_sets, subsequence
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.search.subsequence import SubsequencePlanes, supports
from paperbrowse.core.search.word_starts import word_start_match

# Multi-byte characters, the bytes next to the layout's 0xFE/0xFF (þ, ÿ), NUL, DEL, a lone
# surrogate, CJK and an emoji, around a few ASCII letters so that needles do match.
ALPHABET = "abcxyz -:2" + "éþÿ\x00\x7f\ud800中文😀\n"
titles_strategy = st.lists(st.text(alphabet=ALPHABET, max_size=40), max_size=30)
ascii_needles = st.text(alphabet="abcxyz-:2\x7f", min_size=1, max_size=6)


def expected(titles: list[str], needle: str, written: list[str] | None = None, *, acronym: bool = False) -> int:
    written = written or titles
    return paper_sets.from_flags(
        bytes(
            word_start_match(title, needle, original, acronym=acronym) is not None
            for title, original in zip(titles, written, strict=True)
        )
    )


@settings(max_examples=300, deadline=None)
@given(titles_strategy, ascii_needles)
def test_every_title_is_answered_as_the_plain_test_answers(titles, needle):
    letters = SubsequencePlanes(titles)
    assert letters.matches(needle) == expected(titles, needle)
    # A needle growing a letter at a time builds on the shorter one's state: same answer.
    for end in range(1, len(needle) + 1):
        assert letters.matches(needle[:end]) == expected(titles, needle[:end])
        assert letters.matches(needle[:end], acronym=True) == expected(titles, needle[:end], acronym=True)


written_titles = st.lists(st.text(alphabet="abAB 2-:éÉİ", max_size=30), max_size=20)


@settings(max_examples=300, deadline=None)
@given(written_titles, st.text(alphabet="ab2-:", min_size=1, max_size=5))
def test_camel_case_starts_agree_with_the_plain_test(written, needle):
    """Word starts at camelCase come from the titles as written; a title whose lower-cased
    bytes do not line up with them (İ lower-cases to two characters) is read lower-cased."""
    titles = [title.lower() for title in written]
    letters = SubsequencePlanes(titles, written)
    for acronym in (False, True):
        assert letters.matches(needle, acronym=acronym) == expected(titles, needle, written, acronym=acronym)


@pytest.mark.parametrize(
    ("title", "needle", "acronym", "positions"),
    [
        ("Direct Preference Optimization", "dpo", True, [0, 7, 18]),
        ("FlashAttention-2: Faster Attention", "fa2", True, [0, 5, 15]),
        ("Sparse Mixture of Experts", "mixexp", False, [7, 8, 9, 18, 19, 20]),
        ("Sparse Mixture of Experts", "mixexp", True, None),
        ("GPT4 and 4bit", "g4", True, [0, 3]),
        ("Language models", "moe", False, None),  # letters inside a word are not word starts
        ("Model Editing", "moe", False, [0, 1, 6]),
    ],
)
def test_word_starts_by_example(title, needle, acronym, positions):
    assert word_start_match(title.lower(), needle, title, acronym=acronym) == positions


@settings(max_examples=100, deadline=None)
@given(titles_strategy, st.lists(ascii_needles, min_size=1, max_size=25))
def test_titles_built_in_chunks_answer_the_same(titles, needles):
    """Titles are laid out a chunk at a time (so a build never holds the GIL for long); many
    needles overflow the kept states and letters, which are then built again."""
    original = subsequence._CHUNK
    subsequence._CHUNK = 3
    try:
        letters = SubsequencePlanes(titles)
    finally:
        subsequence._CHUNK = original
    for needle in needles:
        assert letters.matches(needle) == expected(titles, needle)


def test_long_titles_and_titles_of_every_length_around_a_byte():
    titles = ["a" * length + " b" for length in range(1, 20)] + ["x" * 5000 + " a" + "y" * 3000 + " b", ""]
    letters = SubsequencePlanes(titles)
    assert letters.matches("ab") == expected(titles, "ab") == paper_sets.from_flags(bytes([1] * 20 + [0]))
    assert letters.matches("ab", acronym=True) == paper_sets.from_flags(bytes([1] * 20 + [0]))
    # The last letter of one title and the first of the next never make a match together.
    assert letters.matches("ba") == 0


@pytest.mark.parametrize("titles", [[], ["FlashAttention-2"]])
def test_no_titles_and_one_title(titles):
    lowered = [title.lower() for title in titles]  # as the search index gives them, with the written ones
    found = SubsequencePlanes(lowered, titles).matches("fa2")
    assert found == expected(lowered, "fa2", titles) == (1 if titles else 0)


def test_only_ascii_needles_without_spaces_are_answered():
    assert supports("fa2") and supports("a-b:")
    assert not supports("") and not supports("é") and not supports("a b") and not supports("中")


field_text = st.text(alphabet=string.ascii_letters[:6] + " -é", max_size=15)


@st.composite
def catalogs(draw):
    count = draw(st.integers(1, 25))
    papers = [
        make_paper(
            f"p{i}", draw(field_text) or f"t{i}", date=f"20{draw(st.integers(10, 24))}-01", summary=draw(field_text)
        )
        for i in range(count)
    ]
    return make_catalog(papers)


@settings(max_examples=150, deadline=None)
@given(catalogs(), st.text(alphabet="abcdefABé ", min_size=1, max_size=5))
def test_a_prepared_index_ranks_as_an_unprepared_one(catalog, needle):
    """The browser prepares its index for keystrokes; the CLI does not. Same hits, same order,
    same scores, for lower- and upper-case needles (smart case) and ones the layout can't answer."""
    prepared = SearchIndex(catalog)
    prepared.prepare_keystrokes()
    plain = SearchIndex(catalog)
    for end in range(1, len(needle) + 1):
        typed = needle[:end]
        assert prepared.search(typed).hits == plain.search(typed).hits, typed


def test_the_prepared_index_finds_an_abbreviation():
    catalog = make_catalog(
        [
            make_paper("flash2", "FlashAttention-2: Faster Attention", date="2023-07"),
            make_paper("other", "Something else", date="2023-06"),
        ]
    )
    index = SearchIndex(catalog)
    index.prepare_keystrokes()
    assert [h.paper.id for h in index.search("fa2").hits] == ["flash2"]
    assert [h.paper.id for h in index.search("FA2").hits] == ["flash2"]  # smart case: F and A upper
    assert [h.paper.id for h in index.search("fA2").hits] == []  # no lower-case f before an A
