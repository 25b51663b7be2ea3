"""Parsing the query language: fzf operators, field filters, OR groups and hints. Never raises."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperbrowse.core.search.query import Term, parse


def terms(source: str) -> list[list[Term]]:
    return [list(group) for group in parse(source).groups]


def single(source: str) -> Term:
    query = parse(source)
    assert len(query.groups) == 1 and len(query.groups[0]) == 1, query
    return query.groups[0][0]


# --- text operators -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "kind", "text", "negate"),
    [
        ("llama", "fuzzy", "llama", False),
        ("'flash", "exact", "flash", False),
        ("^gpt", "prefix", "gpt", False),
        ("decoding$", "suffix", "decoding", False),
        ("^moe$", "whole", "moe", False),
        ("!survey", "exact", "survey", True),
        ("!^gpt", "prefix", "gpt", True),
        ("!decoding$", "suffix", "decoding", True),
        ("!'flash", "exact", "flash", True),
        ('"two words"', "exact", "two words", False),
        ('!"two words"', "exact", "two words", True),
        ("$", "fuzzy", "$", False),
        ("^x", "prefix", "x", False),
        ("^^x", "prefix", "^x", False),
    ],
)
def test_operators(source, kind, text, negate):
    term = single(source)
    assert (term.kind, term.text, term.negate) == (kind, text, negate)
    assert term.name == ""


def test_space_separated_terms_are_anded_in_order():
    groups = terms("llama  'flash\t^gpt")
    assert [[t.text for t in g] for g in groups] == [["llama"], ["flash"], ["gpt"]]


def test_or_groups():
    groups = terms("a | b c | d | e f")
    assert [[t.text for t in g] for g in groups] == [["a", "b"], ["c", "d", "e"], ["f"]]
    assert parse("a | b").hints == ()


@pytest.mark.parametrize(("source", "hint"), [("| a", "left"), ("a |", "right")])
def test_dangling_or_gives_a_hint(source, hint):
    query = parse(source)
    assert [[t.text for t in g] for g in query.groups] == [["a"]]
    assert any(hint in h for h in query.hints)


def test_quoted_bar_is_text_not_or():
    groups = terms('a "|" b')
    assert [[t.text for t in g] for g in groups] == [["a"], ["|"], ["b"]]


def test_smart_case():
    assert not single("llama").case_sensitive
    assert single("LLaMA").case_sensitive
    assert single("'Flash").case_sensitive
    assert not single("2023").case_sensitive
    assert not single("中文").case_sensitive


def test_lone_operators_make_no_term():
    assert parse("'").is_empty
    assert parse("^").is_empty
    assert parse("!").is_empty
    assert parse('""').is_empty
    assert parse("   ").is_empty
    assert parse("").is_empty


def test_text_terms_skip_filters_and_negations():
    query = parse("llama !survey cat:llm 'flash | year:2023")
    assert [t.text for t in query.text_terms()] == ["llama", "flash"]


# --- filters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "name", "value"),
    [
        ("cat:agents", "cat", "agents"),
        ("CAT:agents", "cat", "agents"),
        ("org:meta", "org", "meta"),
        ("author:touvron", "author", "touvron"),
        ("tag:moe", "tag", "moe"),
        ("venue:neurips", "venue", "neurips"),
        ("is:starred", "is", "starred"),
        ("is:read", "is", "read"),
        ("is:unread", "is", "unread"),
        ("is:reading", "is", "reading"),
        ("is:Starred", "is", "Starred"),
        ("has:note", "has", "note"),
        ('org:"Meta AI"', "org", "Meta AI"),
        ('venue:"ICML 2023"', "venue", "ICML 2023"),
    ],
)
def test_filters(source, name, value):
    term = single(source)
    assert (term.kind, term.name, term.text, term.negate) == ("filter", name, value, False)
    assert parse(source).hints == ()


@pytest.mark.parametrize("source", ["!cat:agents", '!org:"Meta AI"', "!is:read", "!has:note", "!year:2023"])
def test_negated_filters(source):
    term = single(source)
    assert term.kind == "filter" and term.negate


@pytest.mark.parametrize(
    ("source", "years"),
    [
        ("year:2023", (2023, 2023)),
        ("year:2022..2023", (2022, 2023)),
        ("year:2023..2022", (2022, 2023)),
        ("year:2022..", (2022, 9999)),
        ("year:..2021", (0, 2021)),
    ],
)
def test_year_ranges(source, years):
    term = single(source)
    assert (term.name, term.years) == ("year", years)


@pytest.mark.parametrize(
    "source", ["year:abc", "year:23", "year:..", "year:2022...2023", "year:2022-2023", "year:20233"]
)
def test_bad_year_gives_a_hint_and_no_term(source):
    query = parse(source)
    assert query.is_empty
    assert any("year:2022..2023" in h for h in query.hints)


@pytest.mark.parametrize(("source", "fragment"), [("is:bogus", "is: takes"), ("has:pdf", "has: takes")])
def test_bad_is_and_has_values_give_hints(source, fragment):
    query = parse(source)
    assert query.is_empty
    assert any(fragment in h for h in query.hints)


@pytest.mark.parametrize("source", ["cat:", "org:", 'author:""', "!tag:"])
def test_filter_without_value_gives_a_hint(source):
    query = parse(source)
    assert query.is_empty
    assert any("needs a value" in h for h in query.hints)


def test_unknown_filter_gives_a_hint_and_is_searched_as_text():
    query = parse("colour:red")
    assert [t.text for t in query.text_terms()] == ["colour:red"]
    assert any("'colour:' is not a filter" in h for h in query.hints)


def test_url_like_text_is_not_an_unknown_filter():
    query = parse("https://arxiv.org")
    assert query.hints == ()
    assert single("https://arxiv.org").kind == "fuzzy"


def test_unclosed_quote_gives_a_hint_and_takes_the_rest():
    query = parse('llama "open and efficient')
    assert any("unclosed quote" in h for h in query.hints)
    assert [[t.text for t in g] for g in query.groups] == [["llama"], ["open and efficient"]]
    assert query.groups[1][0].kind == "exact"


def test_word_glued_to_a_quote_stays_its_own_term():
    assert [[t.text for t in g] for g in terms('foo"bar baz"')] == [["foo"], ["bar baz"]]


def test_source_is_kept():
    assert parse("a b").source == "a b"


@pytest.mark.parametrize("source", ['x:""', '0:"', 'colour:"', '!foo:""'])
def test_quoted_empty_value_after_unknown_field_does_not_raise(source):
    parse(source)


def test_quoted_value_after_unknown_field_is_text_with_a_hint():
    query = parse('colour:"red"')
    assert all(t.kind != "filter" for g in query.groups for t in g)
    assert any("'colour:' is not a filter" in h for h in query.hints)


def test_quoted_filter_name_is_case_insensitive_like_the_unquoted_one():
    assert single('CAT:"llm"').name == single("CAT:llm").name == "cat"


def test_quoted_values_of_known_filters():
    term = single('!author:"Hugo Touvron"')
    assert (term.kind, term.name, term.text, term.negate) == ("filter", "author", "Hugo Touvron", True)


# --- never raises ---------------------------------------------------------------------------

QUERYISH = st.text(alphabet=st.sampled_from(list("ab !|^$'\":.\tyeartcgohsnIS0129中\x1b")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), QUERYISH))
def test_parse_never_raises(source):
    query = parse(source)
    for group in query.groups:
        assert group, "no empty OR group"
        for term in group:
            assert term.text
            if term.kind == "filter":
                assert term.name
            if term.name == "year":
                assert term.years is not None and term.years[0] <= term.years[1]
    assert all(isinstance(h, str) for h in query.hints)
