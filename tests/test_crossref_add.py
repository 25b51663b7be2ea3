"""`paperbrowse add DOI`: DOIs and doi.org links, asked of a local stand-in of the Crossref API.

The server (tests/crossref_server.py) serves real Crossref answers from tests/fixtures/crossref/
(SOURCES.md says where each comes from) on 127.0.0.1; it also answers 404, 500, JSON cut short,
and a second address refuses connections.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arxiv_server import dead_url
from conftest import run
from crossref_server import FIXTURES
from paperbrowse.core.files.paths import user_papers_folder
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.sources.crossref import CrossrefFormatError, Person, parse_answer, read_work
from paperbrowse.core.sources.crossref_api import (
    DEFAULT_API,
    CrossrefCancelled,
    CrossrefError,
    api_url,
    fetch_work,
    work_url,
)
from paperbrowse.core.sources.doi import arxiv_of, doi_link, parse_doi

PLOS = "10.1371/journal.pone.0033693"
PLOS_ID = "sadasivan2012methylphenidate"


@pytest.fixture
def papers() -> Path:
    return user_papers_folder(Path(os.environ["PAPERBROWSE_LIBRARY"]))


def work(name: str):
    return parse_answer((FIXTURES / name).read_bytes())


def record(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))["paper"][0]


# ---------------------------------------------------------------------------------------------
# DOIs as people paste them.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (PLOS, PLOS),
        ("  doi:10.1371/journal.pone.0033693 ", PLOS),
        ("DOI: 10.1371/journal.pone.0033693", PLOS),
        ("https://doi.org/10.1371/journal.pone.0033693", PLOS),
        ("http://dx.doi.org/10.1371/journal.pone.0033693", PLOS),
        ("doi.org/10.1371/journal.pone.0033693", PLOS),
        (
            "https://doi.org/10.1002/%28SICI%291097-4547%2819960215%2943%3A4%3C439%3A%3AAID-JNR5%3E3.0.CO%3B2-G",
            "10.1002/(SICI)1097-4547(19960215)43:4<439::AID-JNR5>3.0.CO;2-G",
        ),
        ("10.1016/0160-4120(81)90073-8", "10.1016/0160-4120(81)90073-8"),
        ("10.1000.10/123#x?y", "10.1000.10/123#x?y"),
    ],
)
def test_dois_and_links_are_read(text: str, expected: str) -> None:
    assert parse_doi(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "10.1371",
        "10.13/x",
        "11.1371/journal",
        "10.1371/",
        "10.1371/a b",
        "10.1371/a\x1b[31m",
        "https://example.org/10.1371/journal.pone.0033693",
        "ftp://doi.org/10.1371/x",
        "2302.13971",
        "10.1371/" + "x" * 400,
    ],
)
def test_anything_else_is_not_a_doi(text: str) -> None:
    assert parse_doi(text) is None


def test_arxivs_own_dois_name_the_arxiv_paper() -> None:
    assert arxiv_of("10.48550/arXiv.2302.13971") == "2302.13971"
    assert arxiv_of("10.48550/ARXIV.hep-th/9711200") == "hep-th/9711200"
    assert arxiv_of(PLOS) is None


def test_the_request_path_keeps_the_slash_and_encodes_the_rest() -> None:
    odd = "10.1002/(SICI)1097-4547(19960215)43:4<439::AID-JNR5>3.0.CO;2-G"
    assert (
        work_url("http://x/", odd)
        == "http://x/works/10.1002/(SICI)1097-4547(19960215)43:4%3C439::AID-JNR5%3E3.0.CO%3B2-G"
    )
    assert work_url("http://x", "10.1/a#b?c d é") == "http://x/works/10.1/a%23b%3Fc%20d%20%C3%A9"
    assert doi_link(odd) == "https://doi.org/10.1002/(SICI)1097-4547(19960215)43:4%3C439::AID-JNR5%3E3.0.CO;2-G"


def test_the_api_address_defaults_to_crossref_and_follows_the_variable() -> None:
    assert api_url({}) == DEFAULT_API == "https://api.crossref.org"
    assert api_url({"PAPERBROWSE_CROSSREF_API": "http://127.0.0.1:1/cr/"}) == "http://127.0.0.1:1/cr"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_a_doi_or_none_and_a_doi_is_one_line(text: str) -> None:
    doi = parse_doi(text)
    assert doi is None or (doi.startswith("10.") and not any(c.isspace() for c in doi))


# ---------------------------------------------------------------------------------------------
# Reading Crossref's answers: real ones, each showing something.
# ---------------------------------------------------------------------------------------------


def test_a_journal_article() -> None:
    plos = work("10.1371_journal.pone.0033693.json")
    assert plos.entry_type == "article" and plos.crossref_type == "journal-article"
    assert plos.title.startswith("Methylphenidate Exposure Induces Dopamine Neuron Loss")
    assert plos.authors[:2] == (Person("Shankar", "Sadasivan"), Person("Brooks B.", "Pond"))
    assert plos.editors and all(e.family for e in plos.editors)
    assert plos.date == PaperDate(2012, 3, 21)
    assert dict(plos.fields) == {
        "journal": "PLoS ONE",
        "volume": "7",
        "number": "3",
        "pages": "e33693",
        "publisher": "Public Library of Science (PLoS)",
        "doi": PLOS,
        "issn": "1932-6203",
    }
    assert plos.venue == "PLoS ONE" and plos.url == f"https://doi.org/{PLOS}"


def test_a_partial_date_and_a_page_range() -> None:
    aging = work("10.1016_j.neurobiolaging.2010.03.024.json")
    assert aging.date == PaperDate(2012, 3)
    assert aging.fields["pages"] == "588--602"
    odd = work("10.1016_0160-4120(81)90073-8.json")
    assert odd.doi == "10.1016/0160-4120(81)90073-8" and odd.fields["number"] == "4-6"
    assert odd.date == PaperDate(1981, 1)


def test_a_book_chapter_in_a_series() -> None:
    chapter = work("10.1007_978-3-031-33148-0_45.json")
    assert chapter.entry_type == "incollection"
    assert chapter.fields["booktitle"] == "Mediterranean Architecture and the Green-Digital Transition"
    assert chapter.fields["series"] == "Innovative Renewable Energy"
    assert chapter.fields["isbn"] == "9783031331473, 9783031331480"
    assert chapter.fields["address"] == "Cham"
    assert chapter.date == PaperDate(2023)  # `issued` has the year only; `published-online` a day


def test_proceedings_without_any_date() -> None:
    paper = work("10.1109_icdcsw.2003.1203662.json")
    assert paper.entry_type == "inproceedings"
    assert paper.date is None  # `issued` is [[null]], and `created` is when it was deposited
    assert paper.fields["booktitle"].startswith("23rd International Conference on Distributed Computing")
    assert paper.fields["address"] == "Providence, Rhode Island, USA"  # the event's location


def test_an_organisation_is_a_corporate_author_of_the_record(capsys, crossref_api, papers: Path) -> None:
    code, out, err = run(capsys, "add", "10.17705/1cais.04607")
    assert code == 0, err
    saved = record(papers / f"{out.split()[0]}.toml")
    assert saved["corporate_authors"] == [
        "Paderborn University",
        "University of Regensburg",
        "University of Technology Darmstadt",
        "HEC Montréal",
    ]
    assert saved["date"] == "2021" and saved["type"] == "article"


def test_organisations_are_corporate_authors() -> None:
    report = work("10.15554_pci.cta-17.json")
    assert report.entry_type == "techreport"
    assert report.authors == (Person(organisation="Concrete Technology Associates"),)
    assert report.fields["institution"] == "Precast/Prestressed Concrete Institute"
    assert report.abstract.startswith("Discusses the design") and "<" not in report.abstract
    mixed = work("10.17705_1cais.04607.json")
    assert [a.name for a in mixed.authors][:3] == ["Guido Schryen", "Paderborn University", "Gerit Wagner"]
    assert Person("Guy", "Paré") in mixed.authors and mixed.date == PaperDate(2021)


def test_markup_in_titles_and_abstracts_becomes_text() -> None:
    treebase = work("10.1111_j.2041-210x.2012.00247.x.json")
    assert treebase.title.startswith("Treebase: an")  # `<scp>T</scp>reebase`; Crossref has no space after "an"
    assert "<" not in treebase.title and "<" not in treebase.abstract
    assert treebase.abstract.startswith("Summary: The TreeBASE portal")
    preprint = work("10.1101_055319.json")
    assert preprint.entry_type == "misc" and preprint.fields["howpublished"] == "bioRxiv"
    assert preprint.abstract.startswith("Over the past 30 years")  # the "Abstract" heading is gone
    assert preprint.date == PaperDate(2016, 5, 30)


def test_a_dataset_is_misc_with_its_archive() -> None:
    package = work("10.32614_cran.package.rfishbase.json")
    assert package.entry_type == "misc" and package.fields["howpublished"] == "Comprehensive R Archive Network"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not JSON"),
        (b'{"status":"ok",', "not JSON (line 1, column 16)"),  # where it ends
        (b"\xff\xfe", "not JSON"),
        (b"[1, 2]", "no `message` object"),
        (b'{"status":"ok","message-type":"work-list","message":{"items":[]}}', "'work-list', not a work"),
        (b'{"message":{"title":["No DOI"]}}', "no DOI"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON"),
    ],
)
def test_what_is_not_a_work_is_a_format_error(data: bytes, message: str) -> None:
    with pytest.raises(CrossrefFormatError) as caught:
        parse_answer(data)
    assert message in str(caught.value)


def test_values_of_the_wrong_type_are_left_out() -> None:
    odd = read_work(
        {
            "DOI": "10.1000/x",
            "type": ["journal-article"],
            "title": "One string",  # doi.org's CSL-JSON says a string where the REST API says a list
            "author": [{"given": 3, "family": "Ok"}, "not an object", {"name": None}],
            "volume": 7,
            "issue": True,
            "issued": {"date-parts": [["2020", 13, 40]]},
            "container-title": [None, "<i>Journal</i> &amp; Co"],
        }
    )
    assert odd.entry_type == "misc" and odd.title == "One string"
    assert odd.authors == (Person("", "Ok"),)
    assert odd.fields == {"volume": "7", "doi": "10.1000/x"}
    assert odd.date == PaperDate(2020)


# ---------------------------------------------------------------------------------------------
# `paperbrowse add DOI` against the local server.
# ---------------------------------------------------------------------------------------------


def test_add_a_doi_writes_its_record(capsys, crossref_api, papers: Path) -> None:
    code, out, err = run(capsys, "add", f"https://doi.org/{PLOS}")
    assert code == 0, err
    assert out.startswith(f"{PLOS_ID}\tMethylphenidate Exposure Induces")
    assert crossref_api.dois == [PLOS]
    assert crossref_api.paths == [f"/works/{PLOS}"]
    assert crossref_api.user_agents[0].startswith("paperbrowse/")
    saved = record(papers / f"{PLOS_ID}.toml")
    assert saved["date"] == dt.date(2012, 3, 21)
    assert saved["authors"][:2] == ["Shankar Sadasivan", "Brooks B. Pond"]
    assert saved["venue"] == "PLoS ONE"
    assert saved["url"] == f"https://doi.org/{PLOS}"
    assert saved["type"] == "article"
    assert {k: saved[k] for k in ("volume", "number", "pages", "publisher", "doi", "issn")} == {
        "volume": "7",
        "number": "3",
        "pages": "e33693",
        "publisher": "Public Library of Science (PLoS)",
        "doi": PLOS,
        "issn": "1932-6203",
    }
    assert saved["editor"] and "corporate_authors" not in saved
    assert (papers / f"{PLOS_ID}.toml").read_text(encoding="utf-8").startswith("# Added by paperbrowse on ")
    code, _, err = run(capsys, "validate", "--strict")
    assert code == 0, err


def test_a_doi_already_there_is_not_asked_again(capsys, crossref_api, papers: Path) -> None:
    assert run(capsys, "add", PLOS)[0] == 0
    code, out, err = run(capsys, "add", f"doi:{PLOS.upper()}")
    assert code == 0 and out == ""
    assert f"already in the collection as '{PLOS_ID}'" in err
    assert len(crossref_api.dois) == 1


def test_a_doi_crossref_does_not_know(capsys, crossref_api, papers: Path) -> None:
    code, out, err = run(capsys, "add", "10.1371/notarealdoi")
    assert code == 1 and out == ""
    assert "paperbrowse: 10.1371/notarealdoi: not found at Crossref" in err
    assert [p.name for p in papers.glob("*.toml")] == ["categories.toml"]


def test_a_doi_with_odd_characters_is_sent_encoded(capsys, crossref_api, papers: Path) -> None:
    code, out, err = run(capsys, "add", "10.1016/0160-4120(81)90073-8", "10.1002/x<y>;z#w?v")
    assert code == 1
    assert out.startswith("doudney1981dna\tThe DNA damage activity")
    assert crossref_api.paths == ["/works/10.1016/0160-4120(81)90073-8", "/works/10.1002/x%3Cy%3E%3Bz%23w%3Fv"]
    assert crossref_api.dois[1] == "10.1002/x<y>;z#w?v"
    assert "10.1002/x<y>;z#w?v: not found at Crossref" in err


def test_a_work_without_a_date_is_added_undated(capsys, crossref_api, papers: Path) -> None:
    code, out, err = run(capsys, "add", "10.1109/icdcsw.2003.1203662")
    assert code == 0, err
    (path,) = list(papers.glob("arya*.toml"))
    saved = record(path)
    assert saved["date"] == "n.d." and saved["type"] == "inproceedings"
    assert saved["venue"].startswith("23rd International Conference on Distributed Computing")
    assert saved["address"] == "Providence, Rhode Island, USA" and saved["pages"] == "877--882"


def test_http_500_names_the_address_and_stops_asking(capsys, crossref_api, monkeypatch) -> None:
    base = crossref_api.url("/broken")
    monkeypatch.setenv("PAPERBROWSE_CROSSREF_API", base)
    code, out, err = run(capsys, "add", PLOS, "10.1016/0160-4120(81)90073-8")
    assert code == 1 and out == ""
    said = f"the Crossref API at {base}/works/{PLOS} answered HTTP 500 Internal Server Error"
    assert f"{PLOS}: {said}" in err
    assert f"10.1016/0160-4120(81)90073-8: {said}" in err  # the second is not asked
    assert crossref_api.dois == [PLOS]


def test_malformed_json_is_a_clear_error(capsys, crossref_api, monkeypatch, papers: Path) -> None:
    monkeypatch.setenv("PAPERBROWSE_CROSSREF_API", crossref_api.url("/malformed"))
    code, _, err = run(capsys, "add", PLOS)
    assert code == 1
    assert "sent an answer paperbrowse cannot read: the answer is not JSON (line 1, column" in err
    assert [p.name for p in papers.glob("*.toml")] == ["categories.toml"]


def test_a_list_where_a_work_belongs(crossref_api) -> None:
    with pytest.raises(CrossrefError, match=r"cannot read: the answer is a 'work-list', not a work"):
        fetch_work(PLOS, base=crossref_api.url("/list"))


def test_a_redirect_to_its_own_host_is_followed(crossref_api) -> None:
    work = fetch_work(PLOS, base=crossref_api.url("/home"))
    assert work is not None and work.doi == PLOS
    assert crossref_api.paths == [f"/home/works/{PLOS}", f"/works/{PLOS}"]


def test_a_redirect_to_another_host_is_refused(crossref_api) -> None:
    with pytest.raises(CrossrefError, match=r"redirected to http://localhost:\d+/works/.*; paperbrowse follows"):
        fetch_work(PLOS, base=crossref_api.url("/elsewhere"))
    assert len(crossref_api.paths) == 1


def test_an_answer_over_the_cap_is_refused(crossref_api) -> None:
    with pytest.raises(CrossrefError, match=r"sent more than 4 MB; not an answer to this query"):
        fetch_work(PLOS, base=crossref_api.url("/huge"))


def test_offline(capsys, monkeypatch, papers: Path) -> None:
    base = dead_url().removesuffix("/api/query")
    monkeypatch.setenv("PAPERBROWSE_CROSSREF_API", base)
    code, out, err = run(capsys, "add", PLOS)
    assert code == 1 and out == ""
    assert f"{PLOS}: cannot reach the Crossref API at {base}/works/{PLOS}: Connection refused" in err


def test_a_timeout_is_named() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    try:
        base = f"http://127.0.0.1:{listener.getsockname()[1]}"
        with pytest.raises(CrossrefError, match=r"did not answer within 0\.3 s \(PAPERBROWSE_NETWORK_TIMEOUT"):
            fetch_work(PLOS, base=base, timeout=0.3)
    finally:
        listener.close()


def test_a_cancel_stops_the_wait() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    try:
        base = f"http://127.0.0.1:{listener.getsockname()[1]}"
        with pytest.raises(CrossrefCancelled, match="stopped asking the Crossref API at"):
            fetch_work(PLOS, base=base, timeout=30, cancel=cancel)
    finally:
        listener.close()


def test_only_http_api_addresses(monkeypatch) -> None:
    with pytest.raises(CrossrefError, match=r"must be http\(s\).*PAPERBROWSE_CROSSREF_API"):
        fetch_work(PLOS, base="file:///etc")


def test_arxiv_ids_and_dois_in_one_command(capsys, crossref_api, arxiv_api, papers: Path) -> None:
    code, out, err = run(capsys, "add", "hep-th/9711200", PLOS, "10.48550/arXiv.2302.13971", "nonsense")
    assert code == 1
    assert [line.split("\t")[0] for line in out.splitlines()] == ["maldacena1997large", PLOS_ID]
    assert "10.48550/arXiv.2302.13971: already in the collection as 'llama'" in err  # asked of nobody
    assert "nonsense: not an arXiv id, arXiv link or DOI" in err
    assert arxiv_api.requests == ["hep-th/9711200"] and crossref_api.dois == [PLOS]


def test_the_record_of_every_saved_answer_is_valid(capsys, crossref_api, papers: Path) -> None:
    dois = [json.loads(p.read_bytes())["message"]["DOI"] for p in FIXTURES.glob("*.json")]
    code, out, err = run(capsys, "add", *dois)
    assert code == 0, err
    assert len(out.splitlines()) == len(dois) == 11
    code, _, err = run(capsys, "validate", "--strict")
    assert code == 0, err


# ---------------------------------------------------------------------------------------------
# The browser's `a` takes a DOI too, through the same core.
# ---------------------------------------------------------------------------------------------


def test_the_add_dialog_takes_a_doi(tmp_path: Path, crossref_api) -> None:
    from paperbrowse.tui.screens.add_dialog import AddDialog
    from paperbrowse.tui.widgets.paper_list import PaperList
    from tui_support import make_app, settle
    from tui_support import run as run_app

    library = tmp_path / "library.toml"
    app = make_app(None, library)

    async def scenario(pilot) -> None:
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AddDialog)
        await pilot.press(*f"https://doi.org/{PLOS}", "enter")
        await settle(pilot)
        notices = [n.message for n in app._notifications]
        assert f"Asking Crossref about https://doi.org/{PLOS}…" in notices
        assert any(m.startswith(f"Added {PLOS_ID}: Methylphenidate Exposure") for m in notices)
        assert app.screen.query_one(PaperList).current.id == PLOS_ID
        assert crossref_api.dois == [PLOS]

    run_app(app, scenario)
    assert (user_papers_folder(library) / f"{PLOS_ID}.toml").is_file()


def test_the_add_dialog_says_when_crossref_is_unreachable(tmp_path: Path) -> None:
    from tui_support import make_app, settle
    from tui_support import run as run_app

    app = make_app(None, tmp_path / "library.toml")
    base = os.environ["PAPERBROWSE_CROSSREF_API"]  # no_real_crossref: nothing listens there

    async def scenario(pilot) -> None:
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*PLOS, "enter")
        await settle(pilot)
        errors = [n for n in app._notifications if n.message.startswith("Not added")]
        assert [n.message for n in errors] == [
            f"Not added: cannot reach the Crossref API at {base}/works/{PLOS}: Connection refused"
        ]
        assert errors[0].severity == "error"

    run_app(app, scenario)
