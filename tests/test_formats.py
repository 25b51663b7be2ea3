"""CSL-JSON and RIS, in and out, on real files written by other people (tests/fixtures/csl/ and
tests/fixtures/ris/, SOURCES.md beside them).

The promise: import → export → import gives equal records. And the export reads, in an
independent parser (rispy for RIS, citeproc-py for CSL-JSON), as the original file does, for
every field a record keeps.
"""

from __future__ import annotations

import html
import json
import os
import re
import tomllib
import warnings
from pathlib import Path

import pytest
import rispy
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run
from paperbrowse.core.export import ExportItem, to_csl_json, to_ris
from paperbrowse.core.files.paths import user_papers_folder
from paperbrowse.core.records.bibliography import Bibliography
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.interchange import RIS_TYPES, NameParts, export_types, split_name
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.records.schema import Paper, paper_from_table
from paperbrowse.core.sources.bibliography_file import file_format
from paperbrowse.core.sources.csl_json import parse_csl_json, read_csl_json
from paperbrowse.core.sources.new_paper import NewPaper
from paperbrowse.core.sources.ris import parse_ris, read_ris

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CSL_FILES = sorted((FIXTURES / "csl").glob("*.json"))
RIS_FILES = sorted((FIXTURES / "ris").glob("*.ris"))


def records(drafts: list[NewPaper]) -> list[Paper]:
    """The records the drafts become, validated exactly as the loader validates them."""
    papers = []
    for number, draft in enumerate(drafts):
        paper, findings = paper_from_table(draft.table(f"p{number}", "inbox"))
        assert paper is not None, (draft.origin, [e.message for e in findings.errors])
        papers.append(paper)
    return papers


def items(papers: list[Paper]) -> list[ExportItem]:
    return [ExportItem(paper) for paper in papers]


# ---------------------------------------------------------------------------------------------
# The round trip, file by file.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CSL_FILES, ids=lambda p: p.name)
def test_csl_json_round_trips(path: Path) -> None:
    first = read_csl_json(path)
    skipped = [p for p in first.problems if p.severity == "error"]
    assert first.papers and len(first.papers) + len(skipped) == first.entries
    before = records(first.papers)
    text = to_csl_json(items(before))
    second = parse_csl_json(text, "export.json")
    assert [p for p in second.problems if p.severity == "error"] == []
    after = records(second.papers)
    assert len(after) == len(before)
    for one, other in zip(before, after, strict=True):
        assert one == other, one.title


@pytest.mark.parametrize("path", RIS_FILES, ids=lambda p: p.name)
def test_ris_round_trips(path: Path) -> None:
    first = read_ris(path)
    assert first.papers and len(first.papers) == first.entries
    assert [p for p in first.problems if p.severity == "error"] == []
    before = records(first.papers)
    text = to_ris(items(before))
    second = parse_ris(text, "export.ris")
    assert second.problems == [] or all(p.severity == "warning" for p in second.problems)
    after = records(second.papers)
    assert len(after) == len(before)
    for one, other in zip(before, after, strict=True):
        assert one == other, one.title


def test_the_round_trip_counts() -> None:
    """What each file holds and what is imported of it: every entry with a title."""
    counts = {path.name: (read_ris(path).entries, len(read_ris(path).papers)) for path in RIS_FILES}
    assert counts["asreview-baseline_zotero.ris"] == (100, 100)
    assert counts["asreview-scopus.ris"] == (6, 6)
    assert sum(entries for entries, _ in counts.values()) == 140
    csl = {path.name: (read_csl_json(path).entries, len(read_csl_json(path).papers)) for path in CSL_FILES}
    assert csl["bbt-deterministic-ordering-for-csl.json"] == (26, 26)
    assert csl["csl-test-suite-items.json"] == (107, 107)
    assert sum(entries for entries, _ in csl.values()) == 165
    assert sum(papers for _, papers in csl.values()) == 164


# ---------------------------------------------------------------------------------------------
# The same, read by independent parsers.
# ---------------------------------------------------------------------------------------------


def _rispy_view(entry: dict) -> dict:
    """What a record keeps of a rispy entry, spelled one way: names without spaces, pages apart."""

    def norm(value: object) -> str:
        return " ".join(str(value).split())

    authors = [*entry.get("authors", []), *entry.get("first_authors", [])]
    year = next((re.match(r"\d{4}", str(entry[k])) for k in ("date", "year", "publication_year") if k in entry), None)
    return {
        "title": norm(entry.get("title") or entry.get("primary_title", "")),
        # The words of each name: `Doesschate, T. ten` and `ten Doesschate, T.` are one person.
        "authors": [sorted(re.split(r"[\s,]+", a.strip())) for a in authors],
        "year": year.group() if year else "",
        "volume": norm(entry.get("volume", "")),
        "number": norm(entry.get("number", "")),
        "start_page": norm(entry.get("start_page", "")),
        "doi": re.sub(r"^https?://(dx\.)?doi\.org/", "", norm(entry.get("doi", ""))),
        "keywords": list(dict.fromkeys(norm(k) for k in entry.get("keywords", []))),  # a tag once
        "publisher": norm(entry.get("publisher", "")),
    }


@pytest.mark.parametrize("path", RIS_FILES, ids=lambda p: p.name)
def test_rispy_reads_our_ris_as_it_reads_the_original(path: Path) -> None:
    original = rispy.loads(path.read_text(encoding="utf-8-sig"))
    exported = rispy.loads(to_ris(items(records(read_ris(path).papers))))
    assert len(exported) == len(original)
    for one, other in zip(original, exported, strict=True):
        expected = _rispy_view(one)
        if one.get("type_of_reference") in RIS_TYPES:
            canonical = export_types(RIS_TYPES[one["type_of_reference"]])[1]
            assert other["type_of_reference"] in (one["type_of_reference"], canonical)
        assert _rispy_view(other) == expected, expected["title"]


NAME_PARTS = ("literal", "family", "given", "non-dropping-particle", "dropping-particle", "suffix")


def _citeproc_view(reference) -> dict:
    def get(name: str) -> str:
        # As a reader sees it: CSL's rich-text tags are formatting, not words; entities decoded.
        text = re.sub(r"</?(i|b|sup|sub|sc|span)( [^<>]*)?>", "", str(reference[name])) if name in reference else ""
        return html.unescape(" ".join(text.split()))

    # The words of each name (an organisation's is `literal`, or a family marked `isInstitution`):
    # a record keeps a name as one string, so `Family Name, N` comes back as `Name, N Family`.
    names = [
        sorted(" ".join(str(person.get(part, "")) for part in NAME_PARTS).split())
        for person in reference.get("author", [])
    ]
    issued = reference.get("issued")
    year = issued.get("year") if hasattr(issued, "get") else None
    if year is None and hasattr(issued, "get") and issued.get("begin"):
        year = issued["begin"].get("year")
    return {
        "title": get("title"),
        "authors": names,
        "year": year if year and year > 999 else None,
        "container": get("container_title"),
        "volume": get("volume"),
        "page": re.sub(r"\s*[-–]+\s*", "-", get("page")),
        "doi": get("DOI"),
    }


@pytest.mark.parametrize("path", CSL_FILES, ids=lambda p: p.name)
def test_citeproc_reads_our_csl_json_as_it_reads_the_original(path: Path) -> None:
    from citeproc.source.json import CiteProcJSON

    original = {i.get("citation-key", i["id"]): i for i in json.loads(path.read_text(encoding="utf-8"))}
    exported = json.loads(to_csl_json(items(records(read_csl_json(path).papers))))
    assert len(exported) >= len(original) - 2  # at most two items a file are not papers (no title, ...)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py's word for variables it does not use
        before = CiteProcJSON([original[item["id"]] for item in exported])
        after = CiteProcJSON(exported)
    for item in exported:
        key = str(item["id"]).lower()
        assert _citeproc_view(after[key]) == _citeproc_view(before[key]), item["id"]


# ---------------------------------------------------------------------------------------------
# What the readers make of particular entries.
# ---------------------------------------------------------------------------------------------


def test_a_zotero_csl_item() -> None:
    found = read_csl_json(FIXTURES / "csl" / "bbt-deterministic-ordering-for-csl.json")
    paper = found.papers[0]
    assert paper.title.startswith("Perceptions of disability and their impact upon")
    assert paper.authors == ("Ian Brittain",) and paper.date == PaperDate(2004)
    assert paper.venue == "Journal of Sport and Social Issues"
    assert paper.bib == Bibliography(
        type="article",
        key="brittain2004",
        fields=(("volume", "28"), ("number", "4"), ("pages", "429--452"), ("doi", "10/fqd6hj"), ("issn", "0193-7235")),
    )
    assert str(found.problems[0]).startswith(
        f"{FIXTURES / 'csl' / 'bbt-deterministic-ordering-for-csl.json'}: warning: 'accessed': not kept (entry 0 ('brittain2004'), entry 1"
    )


def test_literal_names_are_corporate_and_a_missing_title_names_the_entry() -> None:
    path = FIXTURES / "csl" / "bbt-export-of-creator-type-fields-from-embedded-csl-va.json"
    found = read_csl_json(path)
    errors = [str(p) for p in found.problems if p.severity == "error"]
    assert errors == [f"{path}: entry 3 ('emptybook'): field 'title': missing or empty (entry skipped)"]
    dated = read_csl_json(FIXTURES / "csl" / "bbt-date-export-to-better-csl-json.json").papers
    literal = next(p for p in dated if p.authors == ("Doe14",))
    assert literal.bib is not None and literal.bib.corporate_authors == ("Doe14",)


def test_ris_names_dates_pages_and_the_vendor_quirks() -> None:
    (refman,) = read_ris(FIXTURES / "ris" / "zotero-refman-journal.ris").papers
    assert refman.authors[:2] == ("S.A. Baldwin", "I. Fugaccia")
    assert refman.title == "Blood-brain barrier breach following cortical contusion in the rat"  # wrapped title
    assert refman.venue == "J.Neurosurg." and refman.bib is not None and refman.bib.get("pages") == "476--481"
    (patent,) = read_ris(FIXTURES / "ris" / "zotero-patent.ris").papers
    assert patent.date == PaperDate(1990, 2, 27) and patent.bib is not None and patent.bib.type == "patent"
    ovid = read_ris(FIXTURES / "ris" / "asreview-ovid_psycinfo.ris")
    assert len(ovid.papers) == 6
    told = [str(p) for p in ovid.problems if p.line is not None]
    assert told[0].endswith("asreview-ovid_psycinfo.ris:26: warning: the tag NL comes after an ER line (ignored)")
    assert told[1].endswith("asreview-ovid_psycinfo.ris:28: warning: a line outside any entry (ignored)")
    scopus = read_ris(FIXTURES / "ris" / "asreview-scopus.ris").papers[0]
    assert scopus.bib is not None and scopus.bib.get("note").startswith("Export Date: 18 November 2019 CODEN")
    assert "Agostini, A., Filippini, N., Benuzzi, F." in scopus.bib.get("note")  # continuation lines joined
    embase = read_ris(FIXTURES / "ris" / "asreview-embase.ris").papers[0]  # a byte-order mark first
    assert embase.title.startswith("Duplication cysts") and embase.authors[0] == "R. Liu"  # `Liu R.`


def test_ris_problems_have_exact_line_numbers() -> None:
    text = "\n".join(
        [
            "Provider: a database",  # a vendor's header: not told
            "",
            "AU  - Before, Any",  # 3
            "TY  - JOUR",  # 4
            "AU  - Someone, A.",
            "ER  - ",
            "stray text",  # 7
            "TY  - XYZ",  # 8
            "TI  - Unknown type",
            "ER  - ",
            "TY  - JOUR",  # 11: no title
            "PY  - 2001",
            "TY  - BOOK",  # 13: the entry before had no ER
            "TI  - Last",
        ]
    )
    found = parse_ris(text, "f.ris")
    assert [str(p) for p in found.problems] == [
        "f.ris:3: warning: the tag AU comes before any TY line (ignored)",
        "f.ris:4: the entry has no title (TI, T1 or CT); skipped",
        "f.ris:7: warning: a line outside any entry (ignored)",
        "f.ris:8: warning: unknown entry type 'XYZ': read as GEN",
        "f.ris:13: the entry at line 11 has no ER line; ended here",
        "f.ris:11: the entry has no title (TI, T1 or CT); skipped",
        "f.ris:13: the last entry has no ER line; read to the end of the file",
    ]
    assert [p.title for p in found.papers] == ["Unknown type", "Last"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[{"id": "a", "title": "T"}, 3]', "entry 1: must be an object, not a number (entry skipped)"),
        ('[{"id": "a", "title": ["T"]}]', "entry 0 ('a'): field 'title': must be a string, not an array"),
        ('[{"id": "a", "title": "T", "author": {"family": "X"}}]', "field 'author': must be an array of names"),
        ('[{"id": "a", "title": "T", "author": [{"family": 3, "given": []}]}]', "field 'author[0].given'"),
        ('[{"id": "a", "title": "T", "issued": "2001"}]', "field 'issued': must be a date object, not a string"),
    ],
)
def test_csl_problems_name_the_entry_and_the_field(text: str, message: str) -> None:
    found = parse_csl_json(text, "f.json")
    assert any(message in str(p) for p in found.problems), [str(p) for p in found.problems]


def test_csl_that_is_not_json_names_the_line() -> None:
    found = parse_csl_json('[\n  {"id": "a",\n  "title": }\n]', "f.json")
    assert [str(p) for p in found.problems] == ["f.json:3:12: not JSON: Expecting value (column 12)"]
    assert parse_csl_json('"text"', "f.json").problems[0].message.startswith("not CSL-JSON")


# ---------------------------------------------------------------------------------------------
# Untrusted text cannot break out of its field.
# ---------------------------------------------------------------------------------------------


def hostile_paper() -> Paper:
    table = {
        "id": "evil",
        "title": "A <i>title</i>\nER  - \nTY  - JOUR & \x1b[31m",
        "authors": ["Eve\nER  - ", "<b>Mallory</b>"],
        "date": "2020",
        "category": "inbox",
        "venue": "J\r\nTI  - injected",
        "summary": "line one\n\nER  - \nline two",
        "type": "article",
        "note": "</span>\n\nAU  - Injected, Author",
    }
    paper, findings = paper_from_table(table)
    assert paper is not None, findings.errors
    return paper


def test_ris_export_keeps_every_value_on_its_line() -> None:
    text = to_ris([ExportItem(hostile_paper())])
    tags = [line[:2] for line in text.splitlines() if line]
    assert tags == ["TY", "TI", "AU", "AU", "PY", "T2", "N1", "AB", "ER"]
    (entry,) = rispy.loads(text)
    assert entry["title"].startswith("A <i>title</i> ER - TY - JOUR & \\e[31m")
    assert "\x1b" not in text


def test_csl_export_writes_markup_characters_as_entities_and_reads_them_back() -> None:
    paper = hostile_paper()
    (entry,) = json.loads(to_csl_json([ExportItem(paper)]))
    assert entry["title"] == "A &lt;i&gt;title&lt;/i&gt;\nER  - \nTY  - JOUR & \x1b[31m"
    assert entry["author"][1] == {"family": "&lt;b&gt;Mallory&lt;/b&gt;"}
    back = records(parse_csl_json(json.dumps([entry]), "x").papers)[0]
    assert back.title == one_line(paper.title)  # the markup characters back as they were
    assert back.authors[1] == "<b>Mallory</b>"


# ---------------------------------------------------------------------------------------------
# Generated records survive both formats.
# ---------------------------------------------------------------------------------------------

_word = st.text(alphabet=st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=8)
_text = st.lists(_word, min_size=1, max_size=6).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(
    title=_text,
    authors=st.lists(st.tuples(_word.map(str.title), _word.map(str.title)), min_size=1, max_size=4),
    year=st.integers(1000, 2100),
    month=st.integers(0, 12),
    kind=st.sampled_from(["article", "inproceedings", "incollection", "book", "techreport", "misc", "phdthesis"]),
    volume=st.one_of(st.just(""), st.integers(1, 999).map(str)),
    pages=st.one_of(st.just(""), st.tuples(st.integers(1, 500), st.integers(1, 500)).map(lambda p: f"{p[0]}--{p[1]}")),
    venue=st.one_of(st.just(""), _text),
    tags=st.lists(_word, max_size=3, unique=True),
    doi=st.one_of(st.just(""), st.integers(1000, 99999).map(lambda n: f"10.{n}/x{n}")),
)
def test_generated_records_survive_csl_json_and_ris(title, authors, year, month, kind, volume, pages, venue, tags, doi):
    fields = {"volume": volume, "pages": pages, "doi": doi}
    if kind == "book":
        venue = ""  # a book appears in no venue; RIS's T2 of a book is its series (README: the limits)
    table = {
        "id": "gen",
        "title": title,
        "authors": [f"{given} {family}" for given, family in authors],
        "date": f"{year:04d}-{month:02d}" if month else f"{year:04d}",
        "category": "inbox",
        "venue": venue,
        "tags": tags,
        "type": kind,
        "key": "gen2020",
        **{k: v for k, v in fields.items() if v},
    }
    table = {k: v for k, v in table.items() if v}
    paper, findings = paper_from_table(table)
    assert paper is not None, findings.errors
    from_csl = records(parse_csl_json(to_csl_json([ExportItem(paper)]), "x").papers)
    from_ris = records(parse_ris(to_ris([ExportItem(paper)]), "x").papers)
    expected = Paper(**{**{s: getattr(paper, s) for s in Paper.__slots__}, "id": "p0"})
    assert from_csl == [expected]
    assert from_ris == [expected]


def test_names_split_as_bibtex_splits_them() -> None:
    assert split_name("Ludwig van Beethoven").family == "van Beethoven"
    assert split_name("Martin Luther King Jr.") == NameParts("Martin Luther", "King", "Jr.")
    assert split_name("Touvron, Hugo") == NameParts("Hugo", "Touvron")


# ---------------------------------------------------------------------------------------------
# The command line: import by extension or content, export, and the browser's dialog.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "head", "kind"),
    [
        ("refs.bib", b"[", "bibtex"),
        ("refs.json", b"@article{", "csl-json"),
        ("refs.RIS", b"", "ris"),
        ("export.txt", b"\xef\xbb\xbf\n  [ {", "csl-json"),
        ("export.txt", b"Provider: x\r\n\r\nTY  - JOUR\r\n", "ris"),
        ("export.txt", b"@article{x,", "bibtex"),
    ],
)
def test_the_format_comes_from_the_name_else_the_content(name: str, head: bytes, kind: str) -> None:
    assert file_format(Path(name), head) == kind


@pytest.fixture
def papers() -> Path:
    return user_papers_folder(Path(os.environ["PAPERBROWSE_LIBRARY"]))


def test_import_a_ris_file(capsys, papers: Path, tmp_path: Path) -> None:
    source = tmp_path / "export.txt"  # not .ris: told by its content
    source.write_bytes((FIXTURES / "ris" / "zotero-book-isbn.ris").read_bytes())
    code, out, err = run(capsys, "import", str(source))
    assert code == 0, err
    paper_id = out.split("\t")[0]
    [written] = papers.glob("export-*.toml")  # named after the file imported
    [saved] = [t for t in tomllib.loads(written.read_text(encoding="utf-8"))["paper"] if t["id"] == paper_id]
    assert (
        saved["type"] == "book" and saved["isbn"] == "9783642002304" and saved["series"] == "Bibliothek des Eigentums"
    )
    assert f"{source}: warning: the tag H1: not kept (line 1)" in err
    assert run(capsys, "validate", "--strict")[0] == 0


def test_import_a_csl_json_file_reports_the_bad_item_and_keeps_the_rest(capsys, papers: Path) -> None:
    path = FIXTURES / "csl" / "bbt-export-of-creator-type-fields-from-embedded-csl-va.json"
    code, out, err = run(capsys, "import", str(path))
    assert code == 1  # an entry was skipped
    assert len(out.splitlines()) == 6  # the DVD and the broadcast of one episode: two works
    assert out.count("The one with the Princess Leia fantasy") == 2
    assert f"{path}: entry 3 ('emptybook'): field 'title': missing or empty (entry skipped)" in err


@pytest.mark.parametrize("fmt", ["csl-json", "ris"])
def test_export_and_import_again_through_the_cli(capsys, fmt: str, tmp_path: Path, papers: Path) -> None:
    source = FIXTURES / "ris" / "asreview-pubmed_zotero.ris"
    assert run(capsys, "import", str(source))[0] == 0
    target = tmp_path / ("out.json" if fmt == "csl-json" else "out.ris")
    code, _, err = run(capsys, "export", "cat:inbox", "--format", fmt, "-o", str(target))
    assert code == 0, err
    again = (parse_csl_json if fmt == "csl-json" else parse_ris)(target.read_text(encoding="utf-8"), "x")
    assert sorted(p.title for p in again.papers) == sorted(p.title for p in read_ris(source).papers)


def test_hostile_csl_json_is_a_problem_not_a_crash() -> None:
    deep = parse_csl_json("[" * 100_000 + "]" * 100_000, "deep.json")
    assert [p.message for p in deep.problems] == ["JSON nested too deep to read"]
    odd = parse_csl_json(
        '[{"id": "x", "title": "T", "issued": {"date-parts": [[{"a": 1}]]}, "URL": "javascript:alert(1)"}]', "o.json"
    )
    (paper,) = odd.papers
    assert paper.url == "" and paper.date == PaperDate(0)
    assert any("a URL that is not an http(s) link" in p.message for p in odd.problems)


def test_a_ris_line_of_a_megabyte_is_read_and_written_on_one_line() -> None:
    text = "TY  - JOUR\nTI  - Long\nAB  - " + "word " * 200_000 + "\nER  - \n"
    (paper,) = parse_ris(text, "big.ris").papers
    assert len(paper.summary) == 200_000 * 5 - 1
    (again,) = parse_ris(to_ris(items(records([paper]))), "x").papers
    assert again.summary == paper.summary
