"""Hardening against bad input, tried in bulk: any file, query or text gets a clear answer.

The promises under test (README, SECURITY.md): loading never raises and names every problem with
its file (and line); good records survive next to bad ones; a library file that cannot be read is
opened read-only and never overwritten; queries never fail; any Unicode survives every export
format; huge values cost bounded time and are shown cut to the screen.

Property tests print nothing; how many cases each tries is its `max_examples`.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import re
import select
import subprocess
import sys
import textwrap
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path

import bibtexparser
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from rich.cells import cell_len

from conftest import FakeUser, make_catalog, make_paper
from paperbrowse.cli.main import main
from paperbrowse.cli.render import paper_table
from paperbrowse.core.export import ExportItem, export
from paperbrowse.core.export.csv_table import COLUMNS, neutralise
from paperbrowse.core.library.user_library import Library, LibraryError
from paperbrowse.core.records.catalog import Catalog, load_catalog
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.records.schema import CATEGORY_FIELDS, PAPER_FIELDS, Category, Paper
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.search.query import FILTERS, parse
from paperbrowse.core.store.cache import load_catalog_cached
from tui_support import run

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))


# ---------------------------------------------------------------------------------------------
# Strategies: TOML values of every type, keys that collide with ours, hostile text.
# ---------------------------------------------------------------------------------------------

# Offsets TOML can write: whole minutes (tomli-w writes a seconds offset TOML cannot read back).
OFFSETS = st.integers(-1439, 1439).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
SCALARS = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.dates(),
    st.datetimes(timezones=st.one_of(st.none(), OFFSETS)),
    st.times(),
    st.sampled_from(["llm", "good-cat", "2023", "2023-13", "https://x.org", "javascript:alert(1)", "read"]),
)
KEYS = st.one_of(
    st.sampled_from([*PAPER_FIELDS, *CATEGORY_FIELDS, "paper", "category", "version", "papers", "state", ""]),
    st.text(max_size=8),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=10,
)

GOOD_CATEGORY = {"id": "good-cat", "name": "Good category"}
GOOD_PAPER = {
    "id": "known-good",
    "title": "A known good record",
    "authors": ["Ada Lovelace", "Alan Turing"],
    "date": dt.date(2023, 1, 2),
    "category": "good-cat",
    "url": "https://example.org/good",
    "tags": ["good"],
}
EXPECTED_GOOD = Paper(
    id="known-good",
    title="A known good record",
    authors=("Ada Lovelace", "Alan Turing"),
    date=PaperDate(2023, 1, 2),
    category="good-cat",
    url="https://example.org/good",
    tags=("good",),
)


def _field(name: str) -> st.SearchStrategy:
    """A value for one record field: often of the right type (and sometimes right), else anything."""
    plausible = {
        "id": st.one_of(st.from_regex(r"[a-z0-9][a-z0-9._-]{0,12}", fullmatch=True), st.text(max_size=12)),
        "authors": st.lists(st.text(max_size=10), max_size=3),
        "orgs": st.lists(st.text(max_size=10), max_size=3),
        "tags": st.lists(st.text(max_size=10), max_size=3),
        "builds_on": st.lists(st.sampled_from(["known-good", "x", "Bad Id", ""]), max_size=3),
        "date": st.one_of(st.dates(), st.sampled_from(["2023", "2023-02", "2023-13", "99", "2023-02-30", ""])),
        "category": st.sampled_from(["good-cat", "missing", "", "Good-Cat"]),
        "parent": st.sampled_from(["good-cat", "missing", ""]),
        "order": st.integers(-5, 5),
        "arxiv": st.sampled_from(["2302.13971", "hep-th/9901001", "arXiv:2302.13971v2", "bad", ""]),
        **{
            link: st.sampled_from(
                [
                    "https://x.org/a",
                    "http://",
                    "javascript:alert(1)",
                    "file:///etc/passwd",
                    "papers/a.pdf",
                    "../a.pdf",
                    "https://x.org/a b",
                    "",
                ]
            )
            for link in ("url", "code", "pdf")
        },
    }
    return st.one_of(plausible.get(name, st.text(max_size=20)), VALUES)


def _record(fields: Sequence[str]) -> st.SearchStrategy:
    known = st.fixed_dictionaries({}, optional={name: _field(name) for name in fields})
    return st.tuples(known, st.dictionaries(KEYS, VALUES, max_size=2)).map(lambda t: {**t[1], **t[0]})


PAPERS = st.lists(_record(PAPER_FIELDS), max_size=4)
CATEGORIES = st.lists(_record(CATEGORY_FIELDS), max_size=3)
TOP_LEVEL = st.dictionaries(KEYS.filter(lambda k: k not in ("paper", "category")), VALUES, max_size=3)


def dumps(document: dict) -> str | None:
    """tomli-w's TOML for the document, or None for the few values it cannot write."""
    try:
        text = tomli_w.dumps(document)
    except (TypeError, ValueError):
        return None
    tomllib.loads(text)  # what tomli-w writes must be TOML
    return text


def check_problems(catalog: Catalog, path: Path, text: str | None = None) -> None:
    """Every problem names the file and, when it has a line, a line the file has.

    (A line is not required here, since not every problem has one: nesting too deep for the
    parser has none. Inline arrays of tables and keys written with escapes, the shapes that used
    to lose it, have tests below that require it.)"""
    lines = len(text.split("\n")) if text is not None else None
    for problem in catalog.problems:
        assert problem.file == str(path), problem
        assert problem.message.strip(), problem
        assert problem.severity in ("error", "warning")
        if problem.line is not None:
            assert problem.line >= 1, problem
            if lines is not None:
                assert problem.line <= lines, (problem, text)
        str(problem)  # formats


def same_records(first: Catalog, second: Catalog) -> None:
    assert first.papers == second.papers
    assert [(p.id, p.source, p.line, p.extra) for p in first.papers] == [
        (p.id, p.source, p.line, p.extra) for p in second.papers
    ]
    assert first.categories == second.categories
    assert first.problems == second.problems


# ---------------------------------------------------------------------------------------------
# Record files: arbitrary bytes and arbitrary TOML never raise; good records survive.
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def record_folder(tmp_path_factory) -> Path:
    """A folder with a good record in one file and a file each example overwrites."""
    folder = tmp_path_factory.mktemp("records")
    (folder / "0-good.toml").write_text(tomli_w.dumps({"category": [GOOD_CATEGORY], "paper": [GOOD_PAPER]}))
    return folder


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), st.text(max_size=200).map(lambda s: s.encode("utf-8"))))
def test_arbitrary_bytes_as_a_record_file(record_folder, tmp_path_factory, data):
    fuzz = record_folder / "fuzz.toml"
    fuzz.write_bytes(data)
    catalog = load_catalog([record_folder])
    assert catalog.by_id["known-good"] == EXPECTED_GOOD
    assert catalog.categories["good-cat"].name == "Good category"
    assert all(p.file == str(fuzz) for p in catalog.problems)
    for problem in catalog.problems:
        if problem.message.startswith(("not valid UTF-8", "TOML syntax error")):
            assert problem.line is not None and problem.line >= 1, problem
            assert problem.line <= data.count(b"\n") + 1, problem
    # The cache gives exactly what parsing gives, on a miss and on a hit.
    cache = tmp_path_factory.mktemp("cache")
    same_records(catalog, load_catalog_cached([record_folder], cache))
    same_records(catalog, load_catalog_cached([record_folder], cache))


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(top=TOP_LEVEL, papers=PAPERS, categories=CATEGORIES, position=st.integers(0, 5))
def test_arbitrary_toml_records_keep_the_good_one(record_folder, capsys, top, papers, categories, position):
    """Random `[[paper]]` / `[[category]]` tables, fields of random types, random top-level keys,
    with a known-good record mixed in at a random place: it always loads, field for field."""
    papers = [{k: v for k, v in p.items() if not (k == "id" and v == "known-good")} for p in papers]
    categories = [{k: v for k, v in c.items() if not (k == "id" and v == "good-cat")} for c in categories]
    position = min(position, len(papers))
    document = {
        **top,
        "category": [GOOD_CATEGORY, *categories],
        "paper": [*papers[:position], GOOD_PAPER, *papers[position:]],
    }
    text = dumps(document)
    if text is None:
        return
    path = record_folder / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    catalog = load_catalog([path])
    assert catalog.by_id["known-good"] == EXPECTED_GOOD, catalog.problems
    check_problems(catalog, path, text)
    # `validate` says the same on the command line, one line per problem, and never raises.
    capsys.readouterr()
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert code == (1 if catalog.errors else 0)
    assert len(out.splitlines()) == len(catalog.problems)
    assert "papers" in err


@FUZZ
@given(document=st.dictionaries(KEYS, VALUES, max_size=6))
def test_arbitrary_toml_documents_never_raise(record_folder, document):
    text = dumps(document)
    if text is None:
        return
    path = record_folder / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    catalog = load_catalog([record_folder])
    assert "known-good" in catalog.by_id
    fuzz_only = Catalog([], {}, [p for p in catalog.problems if p.file == str(path)])
    check_problems(fuzz_only, path, text)


def test_problems_in_an_inline_array_of_tables_have_a_line(tmp_path):
    text = 'category = [{ id = "llm", name = "LLM" }]\npaper = [\n    { id = "x", title = "T" },\n]\n'
    path = tmp_path / "inline.toml"
    path.write_text(text)
    catalog = load_catalog([path])
    assert catalog.errors, "the paper lacks authors, date and category"
    assert [p.line for p in catalog.problems if p.line is None] == [], [str(p) for p in catalog.problems]


@pytest.mark.parametrize("text", ['"\\u001b" = 1\n', "[name.sub]\nx = 1\n"], ids=["escaped-key", "dotted-only"])
def test_unknown_top_level_keys_have_a_line(tmp_path, text):
    path = tmp_path / "keys.toml"
    path.write_text(text)
    [problem] = load_catalog([path]).problems
    assert problem.line == 1, str(problem)


# --- lone surrogates: not valid TOML, not valid UTF-8 -----------------------------------------


@pytest.mark.parametrize("escape", ["\\uD800", "\\uDFFF", "\\U00110000"])
def test_escaped_lone_surrogate_is_a_toml_syntax_error_with_its_line(tmp_path, escape):
    """tomllib refuses `\\uD800` (not a Unicode scalar value): the loader reports the file, line
    and column as a syntax error, and the other records of the folder still load."""
    (tmp_path / "good.toml").write_text(tomli_w.dumps({"category": [GOOD_CATEGORY], "paper": [GOOD_PAPER]}))
    text = f'[[paper]]\nid = "s"\ntitle = "bad {escape} title"\n'
    (tmp_path / "bad.toml").write_text(text)
    catalog = load_catalog([tmp_path])
    [problem] = catalog.problems
    assert (problem.file, problem.line, problem.severity) == (str(tmp_path / "bad.toml"), 3, "error")
    assert problem.column is not None and "Unicode scalar value" in problem.message
    assert catalog.by_id["known-good"] == EXPECTED_GOOD


def test_raw_surrogate_bytes_are_reported_as_bad_utf8_with_the_line(tmp_path):
    (tmp_path / "good.toml").write_text(tomli_w.dumps({"category": [GOOD_CATEGORY], "paper": [GOOD_PAPER]}))
    raw = '[[paper]]\nid = "s"\ntitle = "\ud800"\n'.encode("utf-8", "surrogatepass")  # CESU-style bytes
    (tmp_path / "bad.toml").write_bytes(raw)
    catalog = load_catalog([tmp_path])
    [problem] = catalog.problems
    assert (problem.line, problem.message) == (3, "not valid UTF-8 text")
    assert "known-good" in catalog.by_id


def test_lone_surrogates_in_the_library(tmp_path):
    """In the file: read-only with the line. From the command line (undecodable argv bytes
    arrive as surrogates): kept as U+FFFD, so the file stays UTF-8."""
    escaped = tmp_path / "escaped.toml"
    escaped.write_text('[papers.a]\nnote = "\\uD800"\n')
    library = Library.load(escaped)
    assert library.read_only and f"{escaped}:2" in str(library.error)
    good = tmp_path / "good.toml"
    library = Library.load(good)
    library.set_note("a", "bad \udcff byte")
    library.set_tags("a", ["t\ud800"])
    library.set_state(query="q\udfff")
    library.save()
    again = Library.load(good)
    assert (again.note("a"), again.user_tags("a"), again.state["query"]) == ("bad \ufffd byte", ("t\ufffd",), "q\ufffd")


# ---------------------------------------------------------------------------------------------
# The library file: arbitrary TOML and bytes. Never raises; a bad file is read-only and untouched.
# ---------------------------------------------------------------------------------------------

TIMES = st.one_of(st.datetimes(timezones=st.one_of(st.none(), OFFSETS)), st.dates(), VALUES)
LIBRARY_ENTRY = st.fixed_dictionaries(
    {},
    optional={
        "starred": st.one_of(st.booleans(), VALUES),
        "starred_at": TIMES,
        "note": st.one_of(st.text(max_size=30), VALUES),
        "tags": st.one_of(st.lists(st.text(max_size=8), max_size=3), VALUES),
        "status": st.one_of(st.sampled_from(["unread", "reading", "read", "done"]), VALUES),
        "history": st.one_of(
            st.lists(
                st.fixed_dictionaries({"at": TIMES, "status": st.sampled_from(["reading", "read", "x"])}), max_size=3
            ),
            VALUES,
        ),
        "last_opened": TIMES,
        "modified": st.one_of(
            st.dictionaries(st.sampled_from(["starred", "note", "tags", "x"]), TIMES, max_size=3), VALUES
        ),
        "unknown": VALUES,
    },
)
LIBRARY_DOCUMENT = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "version": st.one_of(st.just(1), st.integers(-2, 3), VALUES),
            "state": st.one_of(
                st.dictionaries(st.sampled_from(["category", "query", "selected", "x"]), st.text(max_size=8)), VALUES
            ),
            "papers": st.one_of(st.dictionaries(KEYS, st.one_of(LIBRARY_ENTRY, VALUES), max_size=4), VALUES),
            "extra": VALUES,
        },
    ),
    st.dictionaries(KEYS, VALUES, max_size=5),
)
NO_NAN_DOCUMENT = LIBRARY_DOCUMENT.filter(lambda d: "nan" not in repr(d))


def check_library_file(path: Path, capsys) -> None:
    before = path.read_bytes()
    library = Library.load(path)  # never raises
    if library.read_only:
        assert str(path) in str(library.error)
        library.star("zz-new")
        with pytest.raises(LibraryError, match=re.escape(str(path))):
            library.save()
        assert path.read_bytes() == before
        # The command line refuses too, naming the file, and leaves it alone.
        capsys.readouterr()
        assert main(["--library", str(path), "--data", str(path.parent / "none"), "library", "orphans"]) == 0
        assert "read-only" in capsys.readouterr().err
        assert path.read_bytes() == before
        return
    entries, extra = dict(library.data.entries), dict(library.data.extra)
    library.star("zz-new")
    library.append_note("zz-new", "kept")
    library.save()
    again = Library.load(path)
    assert again.error is None, (again.error, path.read_text())
    assert again.is_starred("zz-new") and again.note("zz-new") == "kept"
    for paper_id, entry in entries.items():  # every other entry, unknown keys included, intact
        assert again.entry(paper_id) == entry, paper_id
    assert again.data.extra == extra


@FUZZ
@given(document=NO_NAN_DOCUMENT)
def test_arbitrary_toml_as_the_library_file(tmp_path_factory, capsys, document):
    text = dumps(document)
    if text is None:
        return
    path = tmp_path_factory.mktemp("lib") / "library.toml"
    path.write_text(text, encoding="utf-8")
    check_library_file(path, capsys)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes_as_the_library_file(tmp_path_factory, capsys, data):
    path = tmp_path_factory.mktemp("lib") / "library.toml"
    path.write_bytes(data)
    check_library_file(path, capsys)


# ---------------------------------------------------------------------------------------------
# Queries: never raise; unbalanced quotes and unknown fields give a hint.
# ---------------------------------------------------------------------------------------------

QUERY_CHARS = st.one_of(
    st.sampled_from(
        [*list(" !|^$'\":.\t\n*()[]\\/-"), "year:", "cat:", "is:", "has:", "tag:", "..", "中", "\x1b", "İ"]
    ),
    st.characters(),
)
QUERIES = st.one_of(st.text(max_size=60), st.lists(QUERY_CHARS, max_size=30).map("".join))


@pytest.fixture(scope="module")
def search_index() -> SearchIndex:
    papers = [
        make_paper(
            "llama",
            "LLaMA: Open and Efficient Foundation Language Models",
            date="2023-02-27",
            tags=["llm"],
            authors=["Hugo Touvron"],
            orgs=["Meta AI"],
            venue="arXiv",
        ),
        make_paper("cjk", "大模型的对齐：综述 😀", category="vision", date="2022-05"),
        make_paper("hostile", '[b]x[/b] "quoted" \x1b[31m ^$|!', category="llm-inference", date="2021"),
    ]
    return SearchIndex(make_catalog(papers))


@settings(max_examples=300, deadline=None)
@given(source=QUERIES)
def test_arbitrary_queries_never_raise(search_index, source):
    query = parse(source)
    assert all(isinstance(hint, str) and hint for hint in query.hints)
    if source.count('"') % 2:
        assert any("unclosed quote" in hint for hint in query.hints), (source, query.hints)
    user = FakeUser(starred=["llama"], status={"cjk": "read"}, notes=["hostile"], tags={"cjk": ["mine"]})
    result = search_index.search(source, user)
    assert {hit.paper.id for hit in result.hits} <= {"llama", "cjk", "hostile"}
    assert all(hit.score >= 0 for hit in result.hits)
    assert set(query.hints) <= set(result.hints)


WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8).filter(
    lambda w: w.lower() not in FILTERS
)
PLAIN = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789 ", max_size=12)


@settings(max_examples=150, deadline=None)
@given(
    field=WORDS,
    value=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8),
    before=PLAIN,
    after=PLAIN,
    upper=st.booleans(),
)
def test_unknown_fields_give_a_hint(search_index, field, value, before, after, upper):
    field = field.upper() if upper else field
    source = f"{before} {field}:{value} {after}"
    result = search_index.search(source, FakeUser())
    assert any(f"'{field}:' is not a filter" in hint for hint in result.hints), (source, result.hints)


@pytest.mark.parametrize("source", ['"unclosed', 'title:"x', 'a "b" "c', '!"x'])
def test_cli_search_with_an_unclosed_quote_hints_and_succeeds(capsys, collection, source):
    assert main(["--data", str(collection), "search", source, "--json"]) == 0
    out, err = capsys.readouterr()
    json.loads(out)
    assert "hint: unclosed quote" in err


# ---------------------------------------------------------------------------------------------
# Arbitrary Unicode through every export format and back through a real parser.
# ---------------------------------------------------------------------------------------------

CLUSTERS = st.sampled_from(
    [
        "论",
        "文",
        "大模型",
        "日本語",
        "한국어",  # CJK
        "مرحبا",
        "שלום",
        "\u05d0\u05b8",  # RTL, with a Hebrew point
        "😀",
        "🦙",
        "👩\u200d💻",
        "🇨🇳",
        "❤\ufe0f",
        "👍🏽",  # emoji: ZWJ, flag, variation, skin
        "e\u0301",
        "\u0301",
        "\u0308\u0308",
        "Z\u0351\u0358\u035e",  # combining marks
        "\u200b",
        "\u200c",
        "\u200d",
        "\u2060",
        "\ufeff",  # zero-width
        "\x00",
        "\x07",
        "\x08",
        "\t",
        "\n",
        "\r",
        "\r\n",
        "\x0b",
        "\x0c",
        "\x1b",
        "\x1b[31m",
        "\x7f",
        "\x85",
        "\x9b",
        "\u2028",
        "\u2029",  # control characters and line separators
        "\u202e",
        "\u202d",
        "\u2066",
        "\u2069",
        "\u200e",
        "\u200f",
        "\u061c",  # bidi
        "\xa0",
        "\u3000",
        "  ",  # odd spaces
    ]
)
UNICODE = st.lists(st.one_of(CLUSTERS, st.characters(exclude_categories=["Cs"])), max_size=25).map("".join)


def paper_with(text: Sequence[str], index: int = 0) -> Paper:
    """A paper whose text fields are the given strings (the first must be a non-blank title)."""
    title, author, org, venue, tag, summary = text
    return Paper(
        id=f"p{index}",
        title=title,
        authors=(author, "Ann Other"),
        date=PaperDate(2023, 4, 5),
        category="llm",
        orgs=(org,),
        venue=venue,
        arxiv="2302.13971",
        url="https://example.org/a",
        tags=(tag,),
        summary=summary,
    )


_BIB_ESCAPE = re.compile(r"\\(textbackslash|textasciicircum|textasciitilde)\{\}|\\([{}%&#$_])")
_BIB_WORDS = {"textbackslash": "\\", "textasciicircum": "^", "textasciitilde": "~"}


def bib_decode(value: str) -> str:
    """The inverse of core/export/bibtex.py `escape` (after one_line): one pass, so that the
    `{}` of `\\textbackslash{}` is never read as an escaped brace."""
    return _BIB_ESCAPE.sub(lambda m: _BIB_WORDS[m.group(1)] if m.group(1) else m.group(2), value)


def bib_author(name: str) -> str:
    """One name as bibtex.py writes it in `author`: braced when " and " or 3+ commas would split it."""
    name = one_line(name)
    return "{" + name + "}" if re.search(r"\sand\s", name, re.IGNORECASE) or name.count(",") > 2 else name


def markdown_titles(text: str) -> list[str]:
    """The bold title of every top-level list item, as a CommonMark parser reads it."""
    tokens = MarkdownIt("commonmark").parse(text)
    titles = []
    for index, token in enumerate(tokens):
        if token.type == "list_item_open" and token.level == 1:
            inline = next(t for t in tokens[index:] if t.type == "inline")
            children = [c for c in inline.children or [] if c.type != "text" or c.content]
            assert children and children[0].type == "strong_open", inline.content
            closing = max(i for i, c in enumerate(children) if c.type == "strong_close")
            titles.append("".join(c.content for c in children[1:closing]))
    return titles


def check_round_trip(items: Sequence[ExportItem], catalog: Catalog) -> None:
    """Every format, parsed back by a real parser: one entry / row / item per paper, each field
    equal to its input (BibTeX and Markdown after their documented escaping and one-line folding)."""
    count = len(items)
    # JSON: exact.
    data = json.loads(export(items, "json", catalog))
    assert len(data) == count
    for item, entry in zip(items, data, strict=True):
        paper = item.paper
        assert (entry["id"], entry["title"], entry["authors"], entry["orgs"]) == (
            paper.id,
            paper.title,
            list(paper.authors),
            list(paper.orgs),
        )
        assert (entry["venue"], entry["tags"], entry["summary"]) == (paper.venue, list(paper.tags), paper.summary)
        assert (entry["note"], entry["user_tags"], entry["status"]) == (item.note, list(item.user_tags), item.status)
    # CSV: exact, after the formula guard.
    rows = list(csv.reader(io.StringIO(export(items, "csv", catalog), newline="")))
    assert rows[0] == list(COLUMNS) and len(rows) == count + 1
    for item, row in zip(items, rows[1:], strict=True):
        cells = dict(zip(COLUMNS, row, strict=True))
        paper = item.paper
        assert cells["title"] == neutralise(paper.title)
        assert cells["authors"] == neutralise("; ".join(paper.authors))
        assert cells["venue"] == neutralise(paper.venue)
        assert cells["tags"] == neutralise("; ".join(paper.tags))
        assert cells["user_tags"] == neutralise("; ".join(item.user_tags))
        assert cells["note"] == neutralise(item.note)
    # BibTeX: one entry per paper, fields equal after undoing the escaping; nothing outside.
    library = bibtexparser.parse_string(export(items, "bibtex", catalog))
    assert library.failed_blocks == [] and library.comments == [] and library.strings == []
    assert len(library.entries) == count
    assert len({entry.key for entry in library.entries}) == count
    for item, entry in zip(items, library.entries, strict=True):
        paper = item.paper
        title = entry["title"]
        assert title.startswith("{") and title.endswith("}"), title
        assert bib_decode(title[1:-1]) == one_line(paper.title)
        authors = [bib_author(a) for a in paper.authors if one_line(a)]
        if all(one_line(a).lower() != "others" for a in paper.authors):
            assert bib_decode(entry["author"]) == " and ".join(authors)
        tags = dict.fromkeys(filter(None, map(one_line, (*paper.tags, *item.user_tags))))
        if tags:
            assert bib_decode(entry["keywords"]) == ", ".join(tags)
        assert entry["eprint"] == paper.arxiv and entry["year"] == str(paper.year)
    # Markdown: one top-level item per paper (grouped by category), its bold title equal to the
    # folded title.
    text = export(items, "markdown", catalog)
    assert sorted(markdown_titles(text)) == sorted(one_line(item.paper.title) or "Untitled" for item in items)


def _catalog(papers: Sequence[Paper]) -> Catalog:
    return Catalog(list(papers), {"llm": Category("llm", "LLM")})


@settings(max_examples=150, deadline=None)
@given(fields=st.lists(st.tuples(*[UNICODE] * 6), min_size=1, max_size=3), note=UNICODE, tag=UNICODE)
def test_any_unicode_survives_every_export_format(fields, note, tag):
    papers = [paper_with(text, i) for i, text in enumerate(fields)]
    items = [ExportItem(paper, note=note, user_tags=(tag,), status="reading") for paper in papers]
    check_round_trip(items, _catalog(papers))


# ---------------------------------------------------------------------------------------------
# Huge values: bounded time, no hang, shown cut to the screen.
# ---------------------------------------------------------------------------------------------

MB = 1_000_000


def nested(depth: int) -> dict:
    table: dict = {"leaf": 1}
    for level in range(depth):
        table = {f"k{level}": table}
    return table


@pytest.fixture(scope="module")
def huge_data(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("huge")
    base = {"date": dt.date(2023, 1, 1), "category": "llm"}
    papers = [
        {**base, "id": "newest", "title": "A short title", "authors": ["A"], "date": dt.date(2024, 1, 1)},
        {**base, "id": "huge-title", "title": "Τ" + "T" * (MB - 2) + "Ω", "authors": ["A"], "orgs": ["Org " * 1000]},
        {**base, "id": "many-tags", "title": "Many tags", "authors": ["A"], "tags": [f"tag{i}" for i in range(10_000)]},
        {**base, "id": "many-authors", "title": "Many authors", "authors": [f"Author {i}" for i in range(10_000)]},
        {**base, "id": "deep", "title": "Deep extra", "authors": ["A"], "deep": nested(100)},
        {
            **base,
            "id": "wide-chars",
            "title": "大模型" * 50 + "👩\u200d💻" * 20,
            "authors": ["A"],
            "orgs": ["组织" * 30],
        },
    ]
    (folder / "huge.toml").write_text(tomli_w.dumps({"category": [{"id": "llm", "name": "LLM"}], "paper": papers}))
    return folder


def test_huge_values_load(huge_data, tmp_path):
    # How long this takes is the benchmark's business (a timed assert fails on a busy machine).
    catalog = load_catalog([huge_data])
    cached = load_catalog_cached([huge_data], tmp_path / "cache")
    again = load_catalog_cached([huge_data], tmp_path / "cache")
    for loaded in (catalog, cached, again):
        assert len(loaded.by_id["huge-title"].title) == MB
        assert len(loaded.by_id["many-tags"].tags) == 10_000
        assert len(loaded.by_id["many-authors"].authors) == 10_000
        assert loaded.by_id["deep"].extra["deep"] == nested(100)
    assert catalog.errors == []
    [warning] = catalog.problems
    assert "unknown field 'deep'" in warning.message and warning.line is not None


def test_huge_values_through_search_and_export(huge_data):
    catalog = load_catalog([huge_data])
    index = SearchIndex(catalog)
    assert index.search("Ω", FakeUser()).hits[0].paper.id == "huge-title"
    assert index.search("author:9999", FakeUser()).hits[0].paper.id == "many-authors"
    assert index.search("tag:tag9999", FakeUser()).hits[0].paper.id == "many-tags"
    for query in ("ttttt", "'tag42", "^author 17$", "大模型"):
        index.search(query, FakeUser())
    items = [ExportItem(p) for p in catalog.papers]
    for fmt in ("markdown", "bibtex", "csl-json", "ris", "csv", "json"):
        assert export(items, fmt, catalog)


@pytest.mark.parametrize("columns", [40, 80, 120, 200])
def test_cli_list_rows_fit_the_terminal_with_huge_and_wide_values(capsys, monkeypatch, huge_data, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["--data", str(huge_data), "list"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 1 + 6
    assert all(cell_len(line) <= columns for line in lines), [cell_len(line) for line in lines]
    [row] = [line for line in lines if "huge-title" in line or "huge-t" in line]
    assert "…" in row


@contextlib.contextmanager
def columns_set(columns: int) -> Iterator[None]:
    """COLUMNS for the table code, inside a hypothesis example (a monkeypatch fixture would be
    shared by every example of the test)."""
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(columns)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved


@settings(max_examples=150, deadline=None)
@given(
    titles=st.lists(UNICODE.filter(lambda t: t.strip()), min_size=1, max_size=4),
    org=UNICODE,
    columns=st.integers(40, 160),
)
def test_table_rows_fit_any_width_with_any_unicode(titles, org, columns):
    papers = [make_paper(f"p{i}", title, orgs=[org] if org else []) for i, title in enumerate(titles)]
    with columns_set(columns):
        lines = paper_table(papers).split("\n")
    assert len(lines) == len(papers) + 1  # a title never adds a line
    assert all(cell_len(line) <= columns for line in lines), [(cell_len(line), line) for line in lines]


def test_cli_show_works_with_huge_values(capsys, monkeypatch, huge_data, tmp_path):
    monkeypatch.setenv("COLUMNS", "100")
    base = ["--data", str(huge_data), "--library", str(tmp_path / "library.toml")]
    assert main([*base, "show", "huge-title"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Τ" + "T" * 50)
    assert max(cell_len(line) for line in out.splitlines()[1:]) <= 100  # wrapped to the width
    for paper_id, needle in (("many-tags", "tag9999"), ("many-authors", "Author 9999"), ("deep", "Deep extra")):
        assert main([*base, "show", paper_id]) == 0
        assert needle in capsys.readouterr().out


def test_a_10_mb_note_round_trips_through_the_library_and_the_cli(capsys, huge_data, tmp_path):
    library = tmp_path / "library.toml"
    note = ("长笔记 with a line of text 😀 \x1b[31m\n" * 300_000)[: 10 * MB]
    lib = Library.load(library)
    lib.set_note("newest", note)
    lib.save()
    assert Library.load(library).note("newest") == note
    # Not a terminal: `note --print` gives the note back exactly, for scripts.
    assert main(["--data", str(huge_data), "--library", str(library), "note", "newest", "--print"]) == 0
    assert capsys.readouterr().out == (note if note.endswith("\n") else note + "\n")


def test_library_with_100_level_nested_tables_round_trips(tmp_path):
    path = tmp_path / "library.toml"
    document = {"version": 1, "mine": nested(100), "papers": {"a": {"status": "read", "x": nested(100)}}}
    path.write_text(tomli_w.dumps(document))
    library = Library.load(path)
    assert library.error is None
    library.star("a")
    library.save()
    again = Library.load(path)
    assert again.data.extra["mine"] == nested(100) and again.entry("a").extra["x"] == nested(100)
    assert again.is_starred("a") and again.status("a") == "read"


def test_toml_nested_too_deep_for_the_parser_is_a_problem_not_a_crash(tmp_path):
    depth = 5000
    text = "x = " + "[" * depth + "]" * depth + "\n"
    (tmp_path / "deep.toml").write_text(text)
    (tmp_path / "good.toml").write_text(tomli_w.dumps({"category": [GOOD_CATEGORY], "paper": [GOOD_PAPER]}))
    catalog = load_catalog([tmp_path])
    assert [p.message for p in catalog.problems] == ["TOML nesting is too deep"]
    assert "known-good" in catalog.by_id
    library = tmp_path / "library.toml"
    library.write_text(text)
    assert "nesting is too deep" in str(Library.load(library).error)


def deep_dotted_header(depth: int) -> str:
    """`[paper.x.x.x...]`: tomllib reads any depth of dotted header without recursing."""
    return "[" + ".".join(["paper", *["x"] * depth]) + "]\nleaf = 1\n"


def test_a_record_nested_1000_levels_deep_does_not_crash_the_cached_commands(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PAPERBROWSE_CACHE", str(tmp_path / "cache"))
    (tmp_path / "data").mkdir()
    text = tomli_w.dumps({"category": [GOOD_CATEGORY], "paper": [GOOD_PAPER]}) + deep_dotted_header(1000)
    (tmp_path / "data" / "deep.toml").write_text(text)
    assert load_catalog([tmp_path / "data"]).by_id["known-good"]  # the uncached loader copes
    assert main(["--data", str(tmp_path / "data"), "list"]) == 0
    assert "known-good" in capsys.readouterr().out


def test_a_library_nested_1000_levels_deep_is_refused_or_saved_not_a_crash(tmp_path):
    path = tmp_path / "library.toml"
    path.write_text("[" + ".".join(["deep"] * 1000) + "]\nleaf = 1\n")
    before = path.read_bytes()
    library = Library.load(path)
    library.star("a")
    try:
        library.save()
    except LibraryError:
        assert path.read_bytes() == before  # refused: fine, as long as the file is untouched
        return
    assert Library.load(path).is_starred("a")


# --- the browser ----------------------------------------------------------------------------


def test_tui_list_shows_a_1_mb_title_as_one_line(huge_data, tmp_path):
    """The 1 MB title is one row cut with an ellipsis; the rows around it stay in place."""
    from paperbrowse.tui.app import PaperBrowseApp
    from paperbrowse.tui.session import Session
    from paperbrowse.tui.widgets.paper_list import PaperList

    app = PaperBrowseApp(Session(load_catalog([huge_data]), Library.load(tmp_path / "lib.toml")), "x")

    async def scenario(pilot) -> None:
        await app.workers.wait_for_complete()
        await pilot.pause()
        papers = app.screen.query_one(PaperList)
        assert papers.current.id == "newest"  # the huge one is listed, not selected
        width = papers.scrollable_content_region.width
        rows = ["".join(seg.text for seg in papers.render_line(y)) for y in range(len(papers.papers))]
        ids = [p.id for p in papers.papers]
        row = rows[ids.index("huge-title")]
        assert cell_len(row) == width and "\n" not in row
        assert row.lstrip(" ·").startswith("ΤTTT") and "…" in row
        wide = rows[ids.index("wide-chars")]
        assert cell_len(wide) == width and "…" in wide
        screen = ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]
        assert sum("ΤTTTT" in line for line in screen) == 1  # one screen line for the huge title

    run(app, scenario, size=(120, 40))


SELECT_HUGE = """
    import asyncio, sys, time
    from pathlib import Path
    from paperbrowse.core.records.catalog import load_catalog
    from paperbrowse.core.library.user_library import Library
    from paperbrowse.tui.app import PaperBrowseApp
    from paperbrowse.tui.widgets.paper_list import PaperList
    from paperbrowse.tui.session import Session

    data, library = sys.argv[1], Path(sys.argv[2])
    app = PaperBrowseApp(Session(load_catalog([data]), Library.load(library)), "x")

    async def main():
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            print("started", flush=True)
            start = time.monotonic()
            await pilot.press("j")  # onto the paper with the huge title, summary and note
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.screen.query_one(PaperList).current.id == "huge"
            print(f"selected in {time.monotonic() - start:.1f}s", flush=True)

    asyncio.run(main())
"""


@pytest.mark.slow
def test_tui_selecting_a_paper_with_huge_fields_stays_responsive(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    papers = [
        {"id": "first", "title": "First", "authors": ["A"], "date": dt.date(2024, 1, 1), "category": "llm"},
        {
            "id": "huge",
            "title": "T" * MB,
            "authors": ["A"],
            "date": dt.date(2023, 1, 1),
            "category": "llm",
            "summary": "word " * (MB // 5),
        },
    ]
    (data / "p.toml").write_text(tomli_w.dumps({"category": [{"id": "llm", "name": "LLM"}], "paper": papers}))
    library = Library.load(tmp_path / "library.toml")
    library.set_note("huge", "x" * (10 * MB))
    library.save()
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(SELECT_HUGE), str(data), str(tmp_path / "library.toml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert select.select([child.stdout], [], [], 30)[0], "the browser did not start"
        assert child.stdout.readline() == "started\n", child.stderr.read()
        # Starting took seconds (reading 10 MB); moving onto the paper must not.
        if not select.select([child.stdout], [], [], 3)[0]:
            pytest.fail("moving the cursor onto the paper froze the browser for more than 3 s")
        assert child.stdout.readline().startswith("selected")
    finally:
        child.kill()
        child.communicate()
