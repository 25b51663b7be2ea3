"""Real .bib files written by other people (tests/fixtures/bib, sources in SOURCES.md): what
imports, what is told, and an import -> export -> pybtex / bibtexparser round trip."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import bib_roundtrip
from bib_roundtrip import FIXTURES, check, fixtures, imported
from paperbrowse.core.export import ExportItem
from paperbrowse.core.export.bibtex import to_bibtex
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.sources.bibtex_import import read_bibtex_file

# (entries in the file, papers imported): every entry is either a paper or told why not.
COUNTS = {
    "acl-anthology.bib": (81, 81),
    "biber-crossrefs.bib": (46, 24),
    "biber-dateformats.bib": (34, 30),
    "biber-papers-strings.bib": (500, 495),
    "biber-xdata.bib": (26, 3),
    "biblatex-examples.bib": (92, 89),
    "bibtexparser-cases.bib": (7, 7),
    "bibtexparser-crossref.bib": (14, 8),
    "dblp-crossref.bib": (211, 138),
    "dblp-thesis.bib": (78, 78),
    "tugboat.bib": (800, 800),
    "zotero-bbt-biblatex.bib": (55, 55),
    "zotero-bbt-bibtex.bib": (36, 36),
}


def test_there_are_at_least_ten_real_files_each_named_in_sources():
    names = [path.name for path in fixtures()]
    assert len(names) >= 10 and sorted(COUNTS) == names
    sources = (FIXTURES / "SOURCES.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in sources for name in names)


@pytest.mark.parametrize("path", fixtures(), ids=lambda path: path.name)
def test_a_real_file_round_trips(path: Path):
    outcome = check(path)
    assert (outcome.entries, outcome.papers) == COUNTS[path.name]
    assert outcome.compared + outcome.keyless == outcome.papers
    assert outcome.share >= 0.98, outcome.differences
    assert outcome.bibtexparser_equal >= 0.98 * outcome.compared
    if outcome.biber_read is not None:  # biber from Debian, when installed: its datamodel check
        assert outcome.biber_read == outcome.papers
        assert outcome.biber_new == []


@pytest.mark.parametrize("path", fixtures(), ids=lambda path: path.name)
def test_every_entry_not_imported_is_told_on_its_line(path: Path):
    found = read_bibtex_file(path)
    lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
    for problem in found.problems:
        assert problem.line is not None and 1 <= problem.line <= len(lines), problem
    told = sum(
        "skipped" in p.message or "not imported" in p.message or "lends its fields" in p.message for p in found.problems
    )
    assert found.entries - len(found.papers) <= told


def test_the_round_trip_check_sees_a_lost_field(monkeypatch):
    """The comparison is not vacuous: an export that drops the pages fails it."""

    def lossy(items, dialect="bibtex"):
        text = to_bibtex(items, dialect)
        return "\n".join(line for line in text.split("\n") if not line.strip().startswith("pages"))

    monkeypatch.setattr(bib_roundtrip, "to_bibtex", lossy)
    outcome = check(FIXTURES / "dblp-thesis.bib")
    assert outcome.share < 0.5 and all("pages" in line for line in outcome.differences)


def by_title(path: Path, words: str):
    papers, *_ = imported(path)
    return next(paper for paper in papers if words in paper.title)


def test_tugboat_titles_keep_their_tex_logos():
    papers, *_ = imported(FIXTURES / "tugboat.bib")
    assert by_title(FIXTURES / "tugboat.bib", "Update on Pascal").title == "Update on Pascal METAFONT"
    assert by_title(FIXTURES / "tugboat.bib", "status of METAFONT at OCLC").title == "The status of METAFONT at OCLC"
    assert not [paper.title for paper in papers if paper.title.startswith((":", " "))]


def test_dblp_children_take_their_proceedings_and_the_proceedings_are_no_papers():
    papers, *_ = imported(FIXTURES / "dblp-crossref.bib")
    children = [paper for paper in papers if paper.bib is not None and paper.bib.type == "inproceedings"]
    assert children and all(paper.venue and paper.year for paper in children)
    # A cross-referenced volume lends its fields only; one cited on its own is a paper.
    text = (FIXTURES / "dblp-crossref.bib").read_text(encoding="utf-8")
    parents = set(re.findall(r"crossref\s*=\s*\{([^}]+)\}", text))
    assert len(parents) > 50
    volumes = {paper.bib.key for paper in papers if paper.bib is not None and paper.bib.type == "proceedings"}
    assert not volumes & parents


def test_biblatex_journaltitle_location_and_dates():
    paper = by_title(FIXTURES / "zotero-bbt-biblatex.bib", "Evolution of Data Citation")
    assert paper.venue == "IASSIST Quarterly" and paper.date == PaperDate(2013)
    text = to_bibtex([ExportItem(paper)], "biblatex")
    assert "journaltitle = {IASSIST Quarterly}" in text and "date = {2013}" in text
    online = by_title(FIXTURES / "zotero-bbt-biblatex.bib", "Joint Declaration of Data Citation")
    assert online.authors == () and online.orgs == ("FORCE11",) and online.date == PaperDate(2013, 10, 30)
