"""Ranking and filtering with the search index, and the character positions a query highlights."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import COLLECTION_IDS, FakeUser, make_catalog, make_paper
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.core.search.engine import NoUserState, SearchIndex
from paperbrowse.core.search.highlight import highlight_positions

PAPERS = [
    make_paper(
        "alpha",
        "Sparse Mixture of Experts",
        date="2021-06-01",
        category="llm",
        authors=["Ada Lovelace"],
        orgs=["Analytical Engines Inc"],
        tags=["moe"],
        arxiv="2101.00001",
        venue="ICML 2021",
        summary="Routing tokens to experts.",
    ),
    make_paper(
        "beta",
        "Dense Retrieval for Open Domain Questions",
        date="2022-03-01",
        category="llm-inference",
        authors=["Charles Babbage"],
        orgs=["Difference Labs"],
        tags=["retrieval"],
        arxiv="2203.00002",
        venue="EMNLP 2022",
        summary="A dual encoder for passages.",
    ),
    make_paper(
        "gamma",
        "Vision Transformers at Scale",
        date="2023-01-01",
        category="vision",
        authors=["Grace Hopper"],
        orgs=["Compiler Co"],
        tags=["vision"],
        venue="ICLR 2023",
        summary="Image patches as tokens. Sparse attention is avoided.",
    ),
    make_paper(
        "delta",
        "Quantized Inference Kernels",
        date="2023-07-15",
        category="llm-inference",
        authors=["Alan Turing", "Ada Lovelace"],
        orgs=["Bletchley Research"],
        tags=["inference", "quantization"],
        arxiv="2307.00004",
        venue="NeurIPS 2023",
        summary="Four-bit weights for fast decoding.",
    ),
]
ALL = {"alpha", "beta", "gamma", "delta"}


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(make_catalog(PAPERS))


def ids(index: SearchIndex, query: str, user=None, **kwargs) -> list[str]:
    return [hit.paper.id for hit in index.search(query, user, **kwargs).hits]


def idset(index: SearchIndex, query: str, user=None) -> set[str]:
    return set(ids(index, query, user))


# --- the basics -----------------------------------------------------------------------------


def test_empty_query_returns_everything_newest_first(index):
    result = index.search("")
    assert [h.paper.id for h in result.hits] == ["delta", "gamma", "beta", "alpha"]
    assert result.total == 4 and result.hints == ()


def test_limit_and_within(index):
    assert ids(index, "", limit=2) == ["delta", "gamma"]
    assert ids(index, "", limit=0) == []
    positions = {p.id: i for i, p in enumerate(index.papers)}
    assert set(ids(index, "", within=[positions["alpha"], positions["beta"]])) == {"alpha", "beta"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mixture", {"alpha"}),  # title
        ("lovelace", {"alpha", "delta"}),  # authors
        ("bletchley", {"delta"}),  # orgs
        ("quantization", {"delta"}),  # tags
        ("gamma", {"gamma"}),  # id
        ("2203.00002", {"beta"}),  # arXiv id
        ("passages", {"beta"}),  # summary
    ],
)
def test_every_searched_field(index, query, expected):
    assert idset(index, query) == expected


def test_venue_is_only_reached_through_its_filter(index):
    assert idset(index, "emnlp") == set()
    assert idset(index, "venue:emnlp") == {"beta"}


def test_fuzzy_tolerates_a_typo(index):
    assert "gamma" in idset(index, "transfomers")
    assert "beta" in idset(index, "retreival")


def test_two_swapped_letters_in_a_short_word_are_forgiven():
    # rapidfuzz counts a swap as two edits: "glvoe" scores 80 against "glove", under the
    # 5-letter cutoff (85); undoing each swap finds it, and a word's start as well
    catalog = make_catalog(
        [
            make_paper("glove", "GloVe: Global Vectors for Word Representation"),
            make_paper("other", "Deep Residual Learning"),
        ]
    )
    index = SearchIndex(catalog)
    assert ids(index, "glvoe") == ["glove"]
    assert ids(index, "vetcors") == ["glove"]  # 7 letters: the ratio forgives it already
    assert ids(index, "gloab") == ["glove"]  # "globa", the start of "Global"
    assert ids(index, "deep rseid") == ["other"]
    assert ids(index, "glveo") == []  # two swaps are not one typo


@given(st.text(alphabet="abcde ", min_size=0, max_size=7))
def test_transpositions_are_one_swap_of_neighbours(needle):
    from paperbrowse.core.search.matching import transpositions

    for swapped in transpositions(needle):
        assert 4 <= len(needle) <= 5 and swapped != needle and sorted(swapped) == sorted(needle)
        differ = [i for i, (a, b) in enumerate(zip(needle, swapped, strict=True)) if a != b]
        assert len(differ) == 2 and differ[1] == differ[0] + 1


def test_highlight_undoes_a_swap():
    assert highlight_positions("glvoe", "GloVe vectors") == [0, 1, 2, 3, 4]


def test_short_terms_must_match_exactly(index):
    # three letters: one typo would match nearly everything, so no fuzz
    assert idset(index, "moe") == {"alpha"}
    assert idset(index, "mxq") == set()


def test_fuzzy_term_matches_a_subsequence_of_the_title(index):
    assert "alpha" in idset(index, "smoe")  # S-parse M-ixture Of E-xperts
    assert "delta" in idset(index, "qik")


def test_terms_are_anded(index):
    assert idset(index, "lovelace") == {"alpha", "delta"}
    assert idset(index, "lovelace kernels") == {"delta"}
    assert idset(index, "lovelace vision") == set()


# --- operators ------------------------------------------------------------------------------


def test_exact(index):
    assert idset(index, "'sparse") == {"alpha", "gamma"}
    assert idset(index, "'transfomers") == set()
    assert idset(index, "'transformers") == {"gamma"}


def test_quoted_phrase(index):
    assert idset(index, '"mixture of"') == {"alpha"}
    assert idset(index, '"of mixture"') == set()


def test_prefix_anchors_at_the_start_of_a_field_or_list_item(index):
    assert idset(index, "^quant") == {"delta"}
    assert idset(index, "^kernels") == set()  # only at the end of the title
    assert idset(index, "^turing") == set()
    assert idset(index, "^alan") == {"delta"}
    assert idset(index, "^ada") == {"alpha", "delta"}  # the first and the second author


def test_suffix_anchors_at_the_end_of_a_field_or_list_item(index):
    assert idset(index, "kernels$") == {"delta"}
    assert idset(index, "scale$") == {"gamma"}
    assert idset(index, "turing$") == {"delta"}
    assert idset(index, "quantized$") == set()


def test_whole_field_match(index):
    assert idset(index, "^moe$") == {"alpha"}
    assert idset(index, "^mo$") == set()


def test_negation(index):
    assert idset(index, "!sparse") == {"beta", "delta"}  # alpha (title) and gamma (summary) go
    assert idset(index, "!^quant") == ALL - {"delta"}
    assert idset(index, "!scale$") == ALL - {"gamma"}
    assert idset(index, "lovelace !kernels") == {"alpha"}
    assert idset(index, '!"mixture of"') == ALL - {"alpha"}


def test_or_groups(index):
    assert idset(index, "'mixture | 'retrieval") == {"alpha", "beta"}
    assert idset(index, "'mixture | 'retrieval | ^vision") == {"alpha", "beta", "gamma"}
    assert idset(index, "'lovelace 'kernels | 'mixture") == {"alpha", "delta"}
    assert idset(index, "tag:moe | tag:vision") == {"alpha", "gamma"}
    assert idset(index, "cat:vision | 'kernels") == {"gamma", "delta"}


def test_smart_case():
    catalog = make_catalog(
        [make_paper("upper", "LLaMA Tricks"), make_paper("lower", "Herding llamas"), make_paper("other", "Nothing")]
    )
    index = SearchIndex(catalog)
    assert idset(index, "llama") == {"upper", "lower"}
    assert idset(index, "LLaMA") == {"upper"}
    assert idset(index, "'llama") == {"upper", "lower"}
    assert idset(index, "'LLaMA") == {"upper"}
    assert idset(index, "'Llama") == set()
    assert idset(index, "^herding") == {"lower"}
    assert idset(index, "^Herding") == {"lower"}
    assert idset(index, "^HERDING") == set()
    assert idset(index, "!LLaMA") == {"lower", "other"}
    assert idset(index, "!llama") == {"other"}


# --- filters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cat:llm", {"alpha", "beta", "delta"}),  # the category and its child
        ("cat:llm-inference", {"beta", "delta"}),
        ("cat:vision", {"gamma"}),
        ("cat:LLM", {"alpha", "beta", "delta"}),
        ("!cat:llm", {"gamma"}),
        ("!cat:llm-inference", {"alpha", "gamma"}),
        ("year:2023", {"gamma", "delta"}),
        ("year:2022..2023", {"beta", "gamma", "delta"}),
        ("year:2023..2022", {"beta", "gamma", "delta"}),
        ("year:..2021", {"alpha"}),
        ("year:2022..", {"beta", "gamma", "delta"}),
        ("!year:2023", {"alpha", "beta"}),
        ("year:1999", set()),
        ("org:bletchley", {"delta"}),
        ("org:Bletchley", {"delta"}),
        ("org:BLETCHLEY", set()),
        ('org:"compiler co"', {"gamma"}),
        ("!org:bletchley", {"alpha", "beta", "gamma"}),
        ("author:lovelace", {"alpha", "delta"}),
        ("author:Lovelace", {"alpha", "delta"}),
        ("author:lovelacx", set()),
        ("!author:lovelace", {"beta", "gamma"}),
        ("tag:moe", {"alpha"}),
        ("tag:MOE", {"alpha"}),
        ("tag:quant", set()),  # a tag matches whole, not as a substring
        ("!tag:inference", {"alpha", "beta", "gamma"}),
        ("venue:neurips", {"delta"}),
        ("venue:2023", {"gamma", "delta"}),
        ("venue:NeurIPS", {"delta"}),
        ("venue:NEURIPS", set()),
        ("cat:llm year:2023", {"delta"}),
        ("cat:llm !year:2023 'retrieval", {"beta"}),
    ],
)
def test_filters(index, query, expected):
    result = index.search(query)
    assert {h.paper.id for h in result.hits} == expected
    assert result.hints == ()


def test_filter_only_query_is_newest_first(index):
    assert ids(index, "cat:llm") == ["delta", "beta", "alpha"]
    assert all(h.score == 0 for h in index.search("cat:llm").hits)


USER = FakeUser(
    starred=["alpha", "gamma"],
    status={"alpha": "read", "beta": "reading", "gamma": "read"},
    notes=["beta"],
    tags={"delta": ["to-review"], "alpha": ["Favourite"]},
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("is:starred", {"alpha", "gamma"}),
        ("!is:starred", {"beta", "delta"}),
        ("is:read", {"alpha", "gamma"}),
        ("is:reading", {"beta"}),
        ("is:unread", {"delta"}),
        ("!is:read", {"beta", "delta"}),
        ("is:Starred", {"alpha", "gamma"}),
        ("has:note", {"beta"}),
        ("!has:note", {"alpha", "gamma", "delta"}),
        ("tag:to-review", {"delta"}),
        ("tag:favourite", {"alpha"}),
        ("tag:to-review | tag:moe", {"alpha", "delta"}),
        ("is:starred 'vision", {"gamma"}),
        ("is:starred | has:note", {"alpha", "beta", "gamma"}),
    ],
)
def test_user_state_filters(index, query, expected):
    assert idset(index, query, USER) == expected


def test_user_state_filters_default_to_an_empty_library(index):
    assert idset(index, "is:starred") == set()
    assert idset(index, "is:unread") == ALL
    assert idset(index, "has:note", NoUserState()) == set()


# --- hints ----------------------------------------------------------------------------------


def test_unknown_category_hint_names_known_ones(index):
    result = index.search("cat:robotics")
    assert result.hits == []
    assert len(result.hints) == 1
    assert "unknown category 'robotics'" in result.hints[0]
    assert "llm, llm-inference, vision" in result.hints[0]


def test_hints_from_parsing_reach_the_result(index):
    assert any("unclosed quote" in h for h in index.search('"mixture').hints)
    assert any("not a filter" in h for h in index.search("colour:red").hints)
    assert any("year:2022..2023" in h for h in index.search("year:soon").hints)
    assert any("is: takes" in h for h in index.search("is:bogus").hints)


def test_a_bad_filter_is_dropped_not_fatal(index):
    assert idset(index, "year:soon 'mixture") == {"alpha"}


def test_hints_are_not_repeated(index):
    hints = index.search("cat:nope cat:nope").hints
    assert len(hints) == 1


# --- ranking --------------------------------------------------------------------------------


def test_title_match_outranks_a_summary_only_match(index):
    result = index.search("sparse")
    assert [h.paper.id for h in result.hits] == ["alpha", "gamma"]
    assert result.hits[0].score > result.hits[1].score


def test_field_weights_order_title_over_tags_over_authors_over_summary():
    catalog = make_catalog(
        [
            make_paper("s1", "Unrelated One", summary="about widgets", date="2024-01-01"),
            make_paper("a1", "Unrelated Two", authors=["Widgets Smith"], date="2024-01-01"),
            make_paper("t1", "Unrelated Three", tags=["widgets"], date="2024-01-01"),
            make_paper("ti", "Widgets", date="2000-01-01"),
        ]
    )
    assert ids(SearchIndex(catalog), "widgets") == ["ti", "t1", "a1", "s1"]


def test_exact_spelling_outranks_a_typo():
    catalog = make_catalog(
        [
            make_paper("typo", "Transfomers Explained", date="2024-01-01"),
            make_paper("right", "Transformers", date="2000"),
        ]
    )
    assert ids(SearchIndex(catalog), "transformers") == ["right", "typo"]


def test_ties_are_broken_newest_first():
    catalog = make_catalog(
        [
            make_paper("old", "Widget Networks", date="2019-05-01"),
            make_paper("new", "Widget Networks", date="2023-05-01"),
            make_paper("mid-month", "Widget Networks", date="2021-06"),
            make_paper("mid-year", "Widget Networks", date="2021"),
            make_paper("mid-day", "Widget Networks", date="2021-06-15"),
        ]
    )
    result = SearchIndex(catalog).search("'widget")
    assert len({h.score for h in result.hits}) == 1
    assert [h.paper.id for h in result.hits] == ["new", "mid-day", "mid-month", "mid-year", "old"]


def test_scores_are_averaged_over_text_groups(index):
    single = index.search("'mixture").hits[0].score
    double = index.search("'mixture 'sparse").hits[0].score
    with_filter = index.search("'mixture cat:llm").hits[0].score
    assert single == double == with_filter == 100


def test_collection_on_disk_is_searchable(collection):
    index = SearchIndex(load_catalog([collection]))
    assert len(index) == len(COLLECTION_IDS)
    assert ids(index, "speculative")[0] == "speculative-decoding"
    assert ids(index, "flashattention")[0] == "flash-attention"
    assert idset(index, "cat:llm-inference") == {"flash-attention", "speculative-decoding"}
    assert idset(index, "year:2023 cat:llm") == {"llama", "gpt-4", "mistral-7b"}
    assert ids(index, "'attention")[0] == "flash-attention"


# --- highlight positions --------------------------------------------------------------------

TITLE = "Sparse Mixture of Experts"


@pytest.mark.parametrize(
    ("query", "positions"),
    [
        ("'mix", [7, 8, 9]),
        ("mix", [7, 8, 9]),
        ("^spa", [0, 1, 2]),
        ("^mix", []),
        ("erts$", [21, 22, 23, 24]),
        ("mix$", []),
        ("^sparse$", []),
        ('"of exp"', [15, 16, 17, 18, 19, 20]),
        ("'mix 'of", [7, 8, 9, 15, 16]),
        ("'mix | 'zzz", [7, 8, 9]),
        ("Mixture", [7, 8, 9, 10, 11, 12, 13]),
        ("MIXTURE", []),
        ("!mixture", []),
        ("cat:llm org:mix", []),
        ("", []),
    ],
)
def test_highlight_positions(query, positions):
    assert highlight_positions(query, TITLE) == positions


def test_highlight_whole_field():
    assert highlight_positions("^widgets$", "Widgets") == list(range(7))
    assert highlight_positions("^widget$", "Widgets") == []


def test_highlight_fuzzy_typo_marks_characters_of_the_matched_word():
    title = "Vision Transformers at Scale"
    word = range(title.index("Transformers"), title.index("Transformers") + len("Transformers"))
    positions = highlight_positions("transfomers", title)
    assert positions == sorted(set(positions))
    assert set(positions) <= set(word)
    assert len(positions) >= len("transfomers") - 1


def test_highlight_subsequence():
    title = "Vision Transformers at Scale"
    # word starts: the s of Scale, not the first s after the T (see word_starts)
    assert highlight_positions("vts", title) == [0, 7, 23]
    assert highlight_positions("smoe", TITLE) == [0, 7, 15, 18]


def test_highlight_accepts_a_parsed_query():
    from paperbrowse.core.search.query import parse

    assert highlight_positions(parse("'mix"), TITLE) == [7, 8, 9]


def test_highlight_with_wide_characters():
    title = "大语言模型 LLM"
    assert highlight_positions("'语言", title) == [1, 2]
    assert highlight_positions("llm", title) == [6, 7, 8]


def test_highlight_positions_after_a_character_that_lowercases_to_two():
    title = "İstanbul LLM"
    assert highlight_positions("llm", title) == [9, 10, 11]


def test_search_with_quoted_unknown_field(index):
    # found by hypothesis: highlight_positions('0:"', "") raised KeyError: '0'
    assert highlight_positions('0:"', "") == []
    assert idset(index, 'CAT:"llm"') == {"alpha", "beta", "delta"}


# --- never raises ---------------------------------------------------------------------------

QUERYISH = st.text(alphabet=st.sampled_from(list("ab !|^$'\":.\tyeartcgohsnISxz0129中İ")), max_size=40)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=50), QUERYISH))
def test_search_never_raises(index, source):
    result = index.search(source, USER)
    assert {h.paper.id for h in result.hits} <= ALL
    assert all(h.score >= 0 for h in result.hits)
    assert all(isinstance(h, str) for h in result.hints)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=40), QUERYISH), st.text(max_size=60))
def test_highlight_never_raises_and_stays_in_range(source, text):
    positions = highlight_positions(source, text)
    assert positions == sorted(set(positions))
    assert all(0 <= p < len(text) for p in positions)


def test_many_groups_add_up_in_wider_lanes(index):
    """Three or more words overflow a byte of points: the sums still rank and score right."""
    result = index.search("'lovelace 'quantized 'kernels 'inference")
    assert [h.paper.id for h in result.hits] == ["delta"]
    assert result.hits[0].score == pytest.approx((70 + 100 + 100 + 100) / 4)


def test_hundreds_of_words_still_add_up(index):
    """Past 655 groups the sums take four-byte lanes: nothing carries into a neighbour."""
    query = " ".join(["'lovelace"] * 700)
    result = index.search(query)
    assert {h.paper.id for h in result.hits} == {"alpha", "delta"}
    assert all(h.score == 70 for h in result.hits)


# --- ranking people trust: word starts, acronyms, the cutoff ---------------------------------

RANKED = [
    make_paper("scattered", "Deep Probabilistic Models of Decoding", date="2024-05-01"),
    make_paper("inside", "Endpoint Detection in Speech", date="2024-04-01"),
    make_paper(
        "dpo", "Direct Preference Optimization: Your Language Model is Secretly a Reward Model", date="2023-05-01"
    ),
    make_paper("model", "Language Models are Few-Shot Learners", date="2020-05-01"),
    make_paper("moe", "Sparse Mixture of Experts Layers", date="2017-01-01"),
    make_paper("former", "Transformers for Speech", date="2024-06-01"),
    make_paper("former-start", "Former Tricks Revisited", date="2019-01-01"),
]


@pytest.fixture(scope="module", params=[False, True], ids=["plain", "prepared"])
def ranked(request) -> SearchIndex:
    index = SearchIndex(make_catalog(RANKED))
    if request.param:  # the browser's layout for keystrokes must rank the same
        index.prepare_keystrokes()
    return index


def test_an_acronym_beats_letters_scattered_or_inside_words(ranked):
    # "Deep Probabilistic models Of decoding" holds d-p-o at word starts too, but not in a
    # row; "enDPOint" holds them in a row inside a word: both rank below the acronym
    assert ids(ranked, "dpo") == ["dpo", "inside", "scattered"]


def test_a_short_needle_does_not_match_letters_scattered_inside_words(ranked):
    # "moe": m-o-e inside "Models" is no match (the cutoff); the initials of Mixture of Experts are
    assert ids(ranked, "moe") == ["moe"]
    assert len(ids(ranked, "mdl")) < len(RANKED) / 2


def test_a_word_start_beats_the_same_letters_inside_a_word(ranked):
    assert ids(ranked, "former") == ["former-start", "former"]


def test_a_whole_word_beats_a_word_start():
    catalog = make_catalog(
        [
            make_paper("prefix", "Bertology Explained", date="2024-01-01"),
            make_paper("whole", "BERT: Pre-training", date="2018"),
        ]
    )
    assert ids(SearchIndex(catalog), "bert") == ["whole", "prefix"]


def test_the_starts_of_words_further_apart_still_find_a_title(ranked):
    assert ids(ranked, "mixex") == ["moe"]
    assert highlight_positions("mixex", "Sparse Mixture of Experts Layers") == [7, 8, 9, 18, 19]


def test_scores_keep_the_levels_apart(ranked):
    result = ranked.search("dpo")
    assert [h.score for h in result.hits] == [88, 70, 60]


def test_an_alias_matches_like_the_title():
    catalog = make_catalog(
        [
            make_paper(
                "rlhf", "Learning to summarize from human feedback", summary="We compare with DPO.", date="2024"
            ),
            make_paper("dpo", "Your Language Model is Secretly a Reward Model", aliases=["DPO"], date="2023"),
            make_paper("tagged", "Preference learning at scale", tags=["dpo"], date="2025"),
        ]
    )
    index = SearchIndex(catalog)
    assert ids(index, "dpo") == ["dpo", "tagged", "rlhf"]
    assert index.search("dpo").hits[0].score == 100
    assert ids(index, "^DPO$") == ["dpo"]
    assert ids(index, "dop") == []  # three letters: no typo forgiven


def test_equal_scores_go_to_the_shorter_title_then_the_newer_paper():
    catalog = make_catalog(
        [
            make_paper("long-new", "Latent Dirichlet Allocation for Topic Trends", date="2024"),
            make_paper("short", "Latent Dirichlet Allocation", date="2003"),
            make_paper("long-old", "Latent Dirichlet Allocation for Topic Models", date="2010"),
        ]
    )
    index = SearchIndex(catalog)
    assert len({h.score for h in index.search("lda").hits}) == 1
    assert ids(index, "lda") == ["short", "long-new", "long-old"]
    assert ids(index, "") == ["long-new", "long-old", "short"]  # no text: newest first
