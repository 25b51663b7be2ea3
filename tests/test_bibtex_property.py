"""Generated BibTeX entries survive import -> export -> import unchanged, in both dialects."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperbrowse.core.export import ExportItem
from paperbrowse.core.export.bibtex import to_bibtex
from paperbrowse.core.records.schema import Paper, paper_from_table
from paperbrowse.core.sources.bibtex_import import parse_bibtex

WORDS = st.sampled_from(
    [
        "Deep",
        "learning",
        "of",
        "{BERT}",
        "\\&",
        'M{\\"u}ller',
        "{\\LaTeX}",
        "$x^2$",
        "50\\%",
        'na\\"{\\i}ve',
        "--",
        "\\emph{fast}",
        "{\\'e}t{\\'e}",
        "Transformers",
        "{GPU}s",
        "\\texttt{jiant}",
        "a_b",
        "über",
        "中文",
    ]
)
TEXT = st.lists(WORDS, min_size=1, max_size=8).map(" ".join)
FIRST = st.sampled_from(["Ada", "Jürgen", "D. E.", "Jean-Paul", "{\\'E}mile", "Yoshua"])
LAST = st.sampled_from(["Lovelace", "Schmidhuber", "van der Berg", "Knuth", 'M{\\"u}ller', "O'Neil"])
PERSON = st.one_of(
    st.tuples(FIRST, LAST).map(lambda p: f"{p[0]} {p[1]}"),
    st.tuples(FIRST, LAST).map(lambda p: f"{p[1]}, {p[0]}"),
    st.sampled_from(["{Gemini Team}", "{Procter and Gamble}", "{World Health Organization}"]),
)
PEOPLE = st.tuples(st.lists(PERSON, min_size=1, max_size=4), st.booleans()).map(
    lambda t: " and ".join(t[0] + (["others"] if t[1] else []))
)
KEY = st.from_regex(r"[A-Za-z][A-Za-z0-9:_-]{0,20}", fullmatch=True)
YEAR = st.one_of(
    st.integers(1000, 2999).map(str), st.sampled_from(["1995--1996", "2005/06", "{\\noopsort{1973b}}1973", "in press"])
)
MONTH = st.sampled_from(["jan", "feb", "aug", "{August}", "{8}", "dec"])
OPTIONAL = {
    "volume": st.integers(1, 999).map(str),
    "number": st.integers(1, 12).map(str),
    "pages": st.tuples(st.integers(1, 500), st.integers(1, 500)).map(lambda p: f"{p[0]}--{p[1]}"),
    "publisher": TEXT,
    "address": TEXT,
    "note": TEXT,
    "doi": st.from_regex(r"10\.[0-9]{4,6}/[a-z0-9.()_-]{1,12}", fullmatch=True),
    "isbn": st.from_regex(r"978-[0-9]-[0-9]{3}-[0-9]{5}-[0-9]", fullmatch=True),
    "editor": PEOPLE,
    "series": TEXT,
    "edition": st.sampled_from(["2", "Second"]),
    "keywords": st.lists(st.sampled_from(["llm", "vision", "graphs"]), min_size=1, max_size=3, unique=True).map(
        ", ".join
    ),
    "abstract": TEXT,
    "eprint": st.sampled_from(["2302.13971", "hep-th/9901001"]),
    "shorttitle": TEXT,
    "file": st.sampled_from(["paper.pdf", "a/b_c.pdf"]),
}


@st.composite
def entries(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["article", "inproceedings", "book", "misc", "techreport", "phdthesis", "online"]))
    fields = {"title": draw(TEXT), "author": draw(PEOPLE), "year": draw(YEAR)}
    if draw(st.booleans()):
        fields["month"] = draw(MONTH)
    venue = {"article": "journal", "inproceedings": "booktitle"}.get(kind)
    if venue:
        fields[venue] = draw(TEXT)
    for name in draw(st.lists(st.sampled_from(sorted(OPTIONAL)), max_size=6, unique=True)):
        fields[name] = draw(OPTIONAL[name])
    if "eprint" in fields:
        fields["archiveprefix"] = "arXiv"
    body = ",\n".join(
        f"  {name} = {value if name == 'month' and '{' not in value else '{' + value + '}'}"
        for name, value in fields.items()
    )
    return f"@{kind}{{{draw(KEY)},\n{body}\n}}\n"


def records(text: str) -> list[Paper]:
    found = parse_bibtex(text, "gen.bib")
    assert not [p for p in found.problems if p.severity == "error"], found.problems
    papers = []
    for draft in found.papers:
        paper, findings = paper_from_table(draft.table("p", "inbox"))
        assert paper is not None, findings.errors
        papers.append(paper)
    return papers


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entries(), min_size=1, max_size=3), st.sampled_from(["bibtex", "biblatex"]))
def test_generated_entries_survive_import_export_import(texts, dialect):
    keys = [text.split("{", 1)[1].split(",", 1)[0].lower() for text in texts]
    if len(set(keys)) != len(keys):
        return  # a key used twice is its own case (tests/test_bibtex_import.py)
    first = records("\n".join(texts))
    exported = to_bibtex([ExportItem(paper) for paper in first], dialect)
    second = records(exported)
    assert len(second) == len(first)
    for before, after in zip(first, second, strict=True):
        assert (after.title, after.authors, after.date, after.venue, after.arxiv) == (
            before.title,
            before.authors,
            before.date,
            before.venue,
            before.arxiv,
        ), exported
        assert after.tags == before.tags and after.summary == before.summary
        assert before.bib is not None and after.bib is not None
        assert (after.bib.type, after.bib.key, after.bib.corporate_authors, after.bib.editor) == (
            before.bib.type,
            before.bib.key,
            before.bib.corporate_authors,
            before.bib.editor,
        )
        assert after.bib.fields == before.bib.fields, exported
        kept = {name: value for name, value in before.bib.bibtex if name not in _RENAMED[dialect]}
        assert {name: value for name, value in after.bib.bibtex if name in kept} == kept, exported


# What a dialect writes under its own name: `address` comes back as biblatex's `location`, and
# the year or month as written may come back folded into biblatex's `date`.
_RENAMED = {
    "bibtex": frozenset(),
    "biblatex": frozenset({"year", "month", "date", "location", "address", "journal", "journaltitle"}),
}
