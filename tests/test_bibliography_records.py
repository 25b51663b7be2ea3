"""The bibliographic part of a record: validation, line numbers, the cache and snapshot, display."""

from __future__ import annotations

import io

import pytest

from paperbrowse.core.records.bibliography import balanced, reference_rows, still_reads_as
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.loader import parse_text
from paperbrowse.core.store.cache import load_catalog_cached
from test_cache import age

RECORD = """[[paper]]
id = "lamport"
title = "LaTeX: A Document Preparation System"
authors = ["Leslie Lamport", "TeX Users Group"]
date = "1986"
category = "ml"
venue = "Proc. TUG"
type = "inproceedings"
key = "Lamport:LaTeX86"
venue_year = 1987
corporate_authors = ["TeX Users Group"]
editor = ["Ed Itor"]
volume = 3
pages = "1--10"
publisher = "Addison-Wesley"
doi = "10.1000/xyz"

[paper.bibtex]
title = "{\\\\LaTeX}: A Document Preparation System"
shorttitle = "{\\\\LaTeX}"
"""


def test_a_record_keeps_its_bibliography():
    found = parse_text(RECORD, "r.toml")
    assert found.problems == []
    (paper,) = found.papers
    bib = paper.bib
    assert bib is not None
    assert (bib.type, bib.key, bib.venue_year) == ("inproceedings", "Lamport:LaTeX86", 1987)
    assert bib.corporate_authors == ("TeX Users Group",)
    assert bib.editor == ("Ed Itor",)
    assert bib.get("volume") == "3" and bib.get("pages") == "1--10" and bib.get("doi") == "10.1000/xyz"
    assert bib.written("shorttitle") == "{\\LaTeX}"
    assert paper.extra == {}


def test_a_record_without_bibliography_has_none():
    text = RECORD.split('type = "inproceedings"')[0]
    (paper,) = parse_text(text, "r.toml").papers
    assert paper.bib is None


@pytest.mark.parametrize(
    ("line", "field", "severity", "message"),
    [
        ('type = "in proceedings"', "type", "error", "not a BibTeX entry type"),
        ('key = "a key"', "key", "error", "cannot be a citation key"),
        ("venue_year = 87", "venue_year", "error", "four-digit year"),
        ('doi = "doi 42"', "doi", "warning", "does not look like a DOI"),
        ("pages = 12.5", "pages", "error", "must be a string"),
        ('corporate_authors = ["Nobody"]', "corporate_authors", "warning", "not one of the authors"),
        ('bibtex = { note = "{unclosed" }', "bibtex", "warning", "braces do not pair up"),
        ('bibtex = { "bad name" = "x" }', "bibtex", "warning", "not a BibTeX field name"),
    ],
)
def test_bad_bibliographic_fields_are_reported_on_their_line(line, field, severity, message):
    text = '[[paper]]\nid = "x"\ntitle = "T"\nauthors = ["A"]\ndate = 2020-01-01\ncategory = "ml"\n' + line + "\n"
    found = parse_text(text, "r.toml")
    (problem,) = found.problems
    assert (problem.line, problem.severity) == (7, severity)
    assert message in problem.message
    assert (found.papers == []) == (severity == "error")


def test_an_entry_may_name_no_one_and_have_no_date():
    text = '[[paper]]\nid = "x"\ntitle = "T"\nauthors = []\ndate = "n.d."\ncategory = "ml"\ntype = "misc"\n'
    found = parse_text(text, "r.toml")
    assert found.problems == []
    (paper,) = found.papers
    assert paper.authors == () and paper.date == PaperDate(0) and paper.date.isoformat() == "n.d."
    # Without a type it is a hand-written record, where an empty list is a mistake.
    assert parse_text(text.replace('type = "misc"\n', ""), "r.toml").papers == []


def test_undated_works_sort_after_every_dated_one():
    assert sorted([PaperDate(2020), PaperDate(0), PaperDate(1999, 5)])[0] == PaperDate(0)
    assert PaperDate.parse("n.d.") == PaperDate(0)


def test_the_cache_and_the_snapshot_keep_the_bibliography(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "categories.toml").write_text('[[category]]\nid = "ml"\nname = "ML"\n')
    (folder / "a.toml").write_text(RECORD)
    age(folder)
    store = tmp_path / "cache"
    parsed = load_catalog_cached([folder], store)
    from_cache = load_catalog_cached([folder], store)  # the snapshot
    (folder / "b.toml").write_text(RECORD.replace('"lamport"', '"other"').replace("Lamport:LaTeX86", "O"))
    age(folder)
    from_files = load_catalog_cached([folder], store)  # a.toml from the per-file cache
    assert parsed.papers[0].bib is not None
    assert from_cache.papers[0].bib == parsed.papers[0].bib
    assert from_cache.papers[0] == parsed.papers[0]
    assert from_files.by_id["lamport"].bib == parsed.papers[0].bib


def test_details_show_what_a_reader_needs():
    (paper,) = parse_text(RECORD, "r.toml").papers
    rows = dict(reference_rows(paper.bib))
    assert rows["Type"] == "inproceedings · cite as Lamport:LaTeX86"
    assert rows["In"] == "vol. 3, pp. 1--10"
    assert rows["Imprint"] == "Addison-Wesley"
    assert rows["DOI"] == "10.1000/xyz"
    assert rows["Editors"] == "Ed Itor"


def test_braces_and_edited_values():
    assert balanced(r"{a} \{ {b{c}}") and not balanced("}{") and not balanced("{a")
    assert still_reads_as(r"M{\"u}ller and {\LaTeX}", "Müller and LaTeX")
    assert still_reads_as(r"\emph{Deep} nets", "Deep nets")
    assert not still_reads_as(r"{\LaTeX} made easy", "LaTeX made hard")


def test_a_paper_is_found_by_id_citation_key_or_arxiv_id_in_any_case(capsys, tmp_path):
    from conftest import run

    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "categories.toml").write_text('[[category]]\nid = "ml"\nname = "ML"\n')
    (folder / "a.toml").write_text(RECORD.replace('category = "ml"', 'category = "ml"\narxiv = "2302.13971"'))
    for name in ("lamport", "LAMPORT", "Lamport:LaTeX86", "lamport:latex86", "2302.13971", "arXiv:2302.13971v2"):
        code, out, err = run(capsys, "--data", str(folder), "show", name)
        assert code == 0, err
        assert out.startswith("LaTeX: A Document Preparation System\nid: lamport")
    code, out, err = run(capsys, "--data", str(folder), "star", "lamport:LATEX86")
    assert code == 0, err
    code, _, err = run(capsys, "--data", str(folder), "show", "Lamport:LaTeX")
    assert code == 1 and "did you mean: Lamport:LaTeX86" in err


def test_show_lists_the_bibliography(capsys, tmp_path):
    from conftest import run

    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "categories.toml").write_text('[[category]]\nid = "ml"\nname = "ML"\n')
    (folder / "a.toml").write_text(RECORD)
    code, out, err = run(capsys, "--data", str(folder), "show", "lamport")
    assert code == 0, err
    for line in (
        "Type:     inproceedings · cite as Lamport:LaTeX86",
        "In:       vol. 3, pp. 1--10",
        "Editors:  Ed Itor",
        "Imprint:  Addison-Wesley",
        "Year:     1987",
        "DOI:      10.1000/xyz",
    ):
        assert line in out.splitlines(), out


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_large_import_shows_its_progress_on_a_terminal_only(tmp_path):
    from paperbrowse.cli.progress import ProgressBar
    from paperbrowse.core.sources.bibtex_import import read_bibtex_file

    path = tmp_path / "big.bib"
    path.write_text("".join(f"@misc{{k{i}, title={{T {i}}}, year=2000}}\n" for i in range(2000)))
    screen = _Terminal()
    bar = ProgressBar("reading big.bib", screen)
    found = read_bibtex_file(path, bar)
    bar.done()
    assert len(found.papers) == 2000
    shown = screen.getvalue()
    assert "\rreading big.bib  [" in shown and "2,000/2,000" in shown and shown.endswith("\r\x1b[K")
    piped = io.StringIO()
    read_bibtex_file(path, ProgressBar("reading big.bib", piped))
    assert piped.getvalue() == ""


def test_the_details_pane_shows_the_bibliography(tmp_path):
    from textual.widgets import Static

    from tui_support import make_app, plain, run

    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "categories.toml").write_text('[[category]]\nid = "ml"\nname = "ML"\n')
    (folder / "a.toml").write_text(RECORD)
    app = make_app([folder], tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        head = plain(app.screen.query_one("#detail-head", Static))  # the first paper is selected
        assert "inproceedings · cite as Lamport:LaTeX86" in head
        assert "vol. 3, pp. 1--10" in head and "10.1000/xyz" in head and "Addison-Wesley" in head

    run(app, scenario)
