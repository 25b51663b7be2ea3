"""`paperbrowse add`: arXiv ids and links, fetched from a local stand-in of the arXiv API.

The server (tests/arxiv_server.py) serves recorded responses from tests/fixtures/arxiv/ on
127.0.0.1; it also answers HTTP 500, and a second address refuses connections.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import string
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arxiv_server import FIXTURES, dead_url
from conftest import CATEGORIES_TOML, paper_toml, run, write_text
from paperbrowse.core.files.paths import data_sources, shipped, user_papers_folder
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.schema import ID_PATTERN
from paperbrowse.core.sources.adding import Added, Adder, Duplicate, Failed, add_arxiv
from paperbrowse.core.sources.arxiv_api import DEFAULT_API, ArxivError, api_url, fetch_papers, query_url
from paperbrowse.core.sources.arxiv_feed import FeedError, parse_feed
from paperbrowse.core.sources.arxiv_id import ArxivId, parse_arxiv_id
from paperbrowse.core.sources.new_paper import NewPaper
from paperbrowse.core.sources.paper_ids import new_paper_id
from paperbrowse.core.sources.papers_folder import CATEGORIES_TOML as INBOX_TOML

MALDACENA = "maldacena1997large"
LLAMA_NEW = "touvron2023llama"


@pytest.fixture
def library_file() -> Path:
    return Path(os.environ["PAPERBROWSE_LIBRARY"])  # set per test by conftest


@pytest.fixture
def papers(library_file: Path) -> Path:
    return user_papers_folder(library_file)


@pytest.fixture
def no_llama(tmp_path: Path) -> Path:
    """A collection without LLaMA, so that adding 2302.13971 adds it."""
    root = tmp_path / "data"
    write_text(root / "categories.toml", CATEGORIES_TOML)
    write_text(root / "papers.toml", paper_toml("vit", title="An Image is Worth 16x16 Words", category="vision"))
    return root


def record(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))["paper"][0]


# ---------------------------------------------------------------------------------------------
# Ids and links as people paste them.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2302.13971", ArxivId("2302.13971")),
        ("2302.13971v2", ArxivId("2302.13971", 2)),
        ("arXiv:2302.13971", ArxivId("2302.13971")),
        ("  2302.13971  ", ArxivId("2302.13971")),
        ("0704.0001", ArxivId("0704.0001")),
        ("hep-th/9901001", ArxivId("hep-th/9901001")),
        ("hep-th/9901001v3", ArxivId("hep-th/9901001", 3)),
        ("math.GT/0309136", ArxivId("math.GT/0309136")),
        ("https://arxiv.org/abs/2302.13971", ArxivId("2302.13971")),
        ("https://arxiv.org/abs/2302.13971v1", ArxivId("2302.13971", 1)),
        ("http://arxiv.org/pdf/2302.13971v1.pdf", ArxivId("2302.13971", 1)),
        ("https://arxiv.org/pdf/2302.13971", ArxivId("2302.13971")),
        ("https://www.arxiv.org/html/2302.13971v1", ArxivId("2302.13971", 1)),
        ("arxiv.org/abs/hep-th/9711200", ArxivId("hep-th/9711200")),
        ("https://export.arxiv.org/abs/math.GT/0309136v2", ArxivId("math.GT/0309136", 2)),
    ],
)
def test_ids_and_links_are_read(text: str, expected: ArxivId) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "llama",
        "2302",
        "2302.139",
        "23021.3971",
        "HEP-TH/9901001",
        "hep-th/990100",
        "https://example.org/abs/2302.13971",
        "https://arxiv.org/list/cs.CL/recent",
        "../../etc/passwd",
        "2302.13971/../../x",
        "file:///arxiv.org/abs/2302.13971",
        "2302.13971v",
    ],
)
def test_anything_else_is_not_an_id(text: str) -> None:
    assert parse_arxiv_id(text) is None


def test_the_query_names_every_id_and_asks_for_all_of_them() -> None:
    url = query_url("http://127.0.0.1:9/api/query", ["2302.13971", "hep-th/9711200v2"])
    assert url == "http://127.0.0.1:9/api/query?id_list=2302.13971,hep-th/9711200v2&max_results=2"
    assert query_url("http://x/q?key=1", ["1"]).startswith("http://x/q?key=1&id_list=1")


def test_the_api_address_defaults_to_arxiv_and_follows_the_variable() -> None:
    assert api_url({}) == DEFAULT_API == "http://export.arxiv.org/api/query"
    assert api_url({"PAPERBROWSE_ARXIV_API": "http://127.0.0.1:1/q"}) == "http://127.0.0.1:1/q"


# ---------------------------------------------------------------------------------------------
# Reading the feed.
# ---------------------------------------------------------------------------------------------


def test_a_new_style_entry_becomes_a_draft() -> None:
    (paper,), errors = parse_feed((FIXTURES / "2302.13971.xml").read_bytes())
    assert errors == []
    assert paper.title == "LLaMA: Open and Efficient Foundation Language Models"
    assert paper.authors[:2] == ("Hugo Touvron", "Thibaut Lavril") and len(paper.authors) == 14
    assert "Timothée Lacroix" in paper.authors
    assert paper.date == PaperDate(2023, 2, 27)
    assert paper.arxiv == "2302.13971"  # the paper, not the version
    assert paper.url == "https://arxiv.org/abs/2302.13971"
    assert paper.pdf == "https://arxiv.org/pdf/2302.13971v1"
    assert paper.tags == ("cs.CL",)
    assert paper.summary.startswith("We introduce LLaMA, a collection of foundation language models ranging from 7B")
    assert "\n" not in paper.summary and "  " not in paper.summary


def test_an_old_style_entry_with_a_wrapped_title_a_journal_and_a_doi() -> None:
    (paper,), _ = parse_feed((FIXTURES / "hep-th-9711200.xml").read_bytes())
    assert paper.title == "The Large N Limit of Superconformal Field Theories and Supergravity"
    assert paper.arxiv == "hep-th/9711200"
    assert paper.date == PaperDate(1997, 11, 27)  # published: the first version, not v3's date
    assert paper.authors == ("Juan M. Maldacena",)
    assert paper.orgs == ("Harvard University",)
    assert paper.venue == "Adv.Theor.Math.Phys.2:231-252,1998"
    assert paper.url == "https://doi.org/10.1023/A:1026654312961"  # the version of record
    assert paper.pdf == "https://arxiv.org/pdf/hep-th/9711200v3"
    assert paper.tags == ("hep-th",)


def test_the_apis_error_entry_is_an_error_not_a_paper() -> None:
    papers, errors = parse_feed((FIXTURES / "error-bad-id.xml").read_bytes())
    assert papers == [] and [e.message for e in errors] == ["incorrect id format for 2302.1397x"]


def test_an_empty_feed_holds_nothing() -> None:
    assert parse_feed((FIXTURES / "not-found.xml").read_bytes()) == ([], [])


@pytest.mark.parametrize(
    "data",
    [(FIXTURES / "malformed.xml").read_bytes(), b"", b"<html><body>Rate limited</body></html>", b"\xff\xfe<<"],
)
def test_what_is_not_an_atom_feed_is_a_feed_error(data: bytes) -> None:
    with pytest.raises(FeedError):
        parse_feed(data)


def test_entities_are_not_expanded_from_outside() -> None:
    evil = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2302.13971v1</id>
<title>&x;</title><published>2023-02-27T00:00:00Z</published></entry></feed>"""
    try:
        papers, _ = parse_feed(evil)
    except FeedError:
        return
    assert all("root:" not in paper.title for paper in papers)


# ---------------------------------------------------------------------------------------------
# `paperbrowse add` against the local server.
# ---------------------------------------------------------------------------------------------


def test_add_writes_one_file_in_the_inbox_and_the_paper_is_then_in_the_default_data(
    capsys, arxiv_api, papers: Path
) -> None:
    code, out, err = run(capsys, "add", "hep-th/9711200")
    assert code == 0, err
    assert out == f"{MALDACENA}\tThe Large N Limit of Superconformal Field Theories and Supergravity\n"
    assert f"1 paper added to {papers}" in err
    assert arxiv_api.requests == ["hep-th/9711200"]
    assert arxiv_api.queries[0]["max_results"] == ["1"]
    assert arxiv_api.user_agents[0].startswith("paperbrowse/")
    path = papers / f"{MALDACENA}.toml"
    assert sorted(p.name for p in papers.glob("*.toml")) == ["categories.toml", f"{MALDACENA}.toml"]
    assert (papers / "categories.toml").read_text(encoding="utf-8") == INBOX_TOML
    assert path.read_text(encoding="utf-8").startswith("# Added by paperbrowse on ")
    assert record(path) == {
        "id": MALDACENA,
        "title": "The Large N Limit of Superconformal Field Theories and Supergravity",
        "authors": ["Juan M. Maldacena"],
        "date": dt.date(1997, 11, 27),
        "category": "inbox",
        "orgs": ["Harvard University"],
        "venue": "Adv.Theor.Math.Phys.2:231-252,1998",
        "arxiv": "hep-th/9711200",
        "url": "https://doi.org/10.1023/A:1026654312961",
        "pdf": "https://arxiv.org/pdf/hep-th/9711200v3",
        "tags": ["hep-th"],
        "summary": record(path)["summary"],
    }
    # The default data are now the shipped collection plus the papers folder: 27 papers, no problem.
    code, out, err = run(capsys, "validate", "--strict")
    assert code == 0 and err.strip() == "27 papers, 6 categories: 0 errors, 0 warnings"
    code, out, _ = run(capsys, "list", "--category", "inbox")
    assert MALDACENA in out and "llama" not in out
    code, out, _ = run(capsys, "search", "cat:inbox", "--json")
    assert [p["id"] for p in json.loads(out)] == [MALDACENA]


def test_an_id_already_in_the_collection_is_reported_and_not_fetched(capsys, arxiv_api, papers: Path) -> None:
    code, out, err = run(capsys, "add", "https://arxiv.org/abs/2302.13971v1")
    assert code == 0
    assert out == ""
    assert "https://arxiv.org/abs/2302.13971v1: already in the collection as 'llama', from " in err
    assert "foundation.toml:" in err  # where the other copy is
    assert "0 papers added" in err and "1 already there" in err
    assert arxiv_api.requests == []
    assert list(papers.glob("*.toml")) == [papers / "categories.toml"]


def test_adding_twice_reports_the_first_copy(capsys, arxiv_api, no_llama: Path) -> None:
    assert run(capsys, "add", "2302.13971", "--data", str(no_llama))[0] == 0
    code, out, err = run(capsys, "add", "2302.13971v2", "--data", str(no_llama))
    assert code == 0 and out == ""
    assert f"already in the collection as '{LLAMA_NEW}'" in err  # found in the folder, not in --data
    assert len(arxiv_api.requests) == 1


def test_the_same_paper_twice_in_one_command_is_added_once(capsys, arxiv_api, no_llama: Path, papers: Path) -> None:
    code, out, err = run(capsys, "add", "2302.13971", "arXiv:2302.13971v1", "--data", str(no_llama))
    assert code == 1
    assert out.splitlines() == [f"{LLAMA_NEW}\tLLaMA: Open and Efficient Foundation Language Models"]
    assert "arXiv:2302.13971v1: given twice (as 2302.13971)" in err
    assert arxiv_api.requests == ["2302.13971"]


def test_several_ids_go_in_one_request(capsys, arxiv_api, no_llama: Path, papers: Path) -> None:
    code, out, err = run(capsys, "--data", str(no_llama), "add", "2302.13971", "https://arxiv.org/abs/hep-th/9711200")
    assert code == 0, err
    assert [line.split("\t")[0] for line in out.splitlines()] == [LLAMA_NEW, MALDACENA]
    assert arxiv_api.requests == ["2302.13971,hep-th/9711200"]
    assert arxiv_api.queries[0]["max_results"] == ["2"]


def test_explicit_data_mean_only_that_and_the_command_says_so(capsys, arxiv_api, no_llama: Path, papers: Path) -> None:
    code, out, err = run(capsys, "add", "2302.13971", "--data", str(no_llama))
    assert code == 0
    assert f"note: {papers} is not among the data in use" in err
    code, out, _ = run(capsys, "list", "--data", str(no_llama))
    assert LLAMA_NEW not in out
    code, out, _ = run(capsys, "list", "--data", str(no_llama), "--data", str(papers))
    assert LLAMA_NEW in out


def test_a_paper_arxiv_does_not_have(capsys, arxiv_api, papers: Path) -> None:
    code, out, err = run(capsys, "add", "2401.99999")
    assert code == 1 and out == ""
    assert "paperbrowse: 2401.99999: not found on arXiv" in err
    assert not list(papers.glob("*2401*"))


def test_a_malformed_feed_is_a_clear_error_and_writes_nothing(capsys, arxiv_api, papers: Path) -> None:
    code, out, err = run(capsys, "add", "2302.00001")
    assert code == 1 and out == ""
    assert "2302.00001: the arXiv API sent an answer paperbrowse cannot read: the response is not valid XML" in err
    assert [p.name for p in papers.glob("*.toml")] == ["categories.toml"]


def test_http_500(capsys, arxiv_api, monkeypatch) -> None:
    monkeypatch.setenv("PAPERBROWSE_ARXIV_API", arxiv_api.url("/broken"))
    code, out, err = run(capsys, "add", "hep-th/9711200")
    assert code == 1 and out == ""
    assert f"hep-th/9711200: the arXiv API at {arxiv_api.url('/broken')} answered HTTP 500 Internal Server Error" in err


def test_http_400_quotes_the_apis_own_message(arxiv_api) -> None:
    with pytest.raises(ArxivError, match=r"answered HTTP 400 Bad Request \(incorrect id format for 2302.1397x\)"):
        fetch_papers(["2302.13971"], base=arxiv_api.url("/bad-request"))


def test_a_server_that_is_down(capsys, monkeypatch, papers: Path) -> None:
    url = dead_url()
    monkeypatch.setenv("PAPERBROWSE_ARXIV_API", url)
    code, out, err = run(capsys, "add", "hep-th/9711200", "2302.13971")
    assert code == 1 and out == ""
    assert f"hep-th/9711200: cannot reach the arXiv API at {url}: Connection refused" in err
    assert "2302.13971: already in the collection as 'llama'" in err  # known ids need no network
    assert [p.name for p in papers.glob("*.toml")] == ["categories.toml"]


def test_a_timeout_is_named() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/api/query"
        with pytest.raises(ArxivError, match=r"did not answer within 0\.3 s"):
            fetch_papers(["2302.13971"], base=url, timeout=0.3)
    finally:
        listener.close()


def test_only_http_api_addresses() -> None:
    with pytest.raises(ArxivError, match="must be http"):
        fetch_papers(["2302.13971"], base="file:///etc/passwd")


def test_not_an_id(capsys, arxiv_api) -> None:
    code, out, err = run(capsys, "add", "llama-paper")
    assert code == 1
    assert "llama-paper: not an arXiv id or arXiv URL" in err
    assert arxiv_api.requests == []


def test_a_category_of_the_collection(capsys, arxiv_api, papers: Path) -> None:
    code, out, err = run(capsys, "add", "hep-th/9711200", "--category", "foundation")
    assert code == 0, err
    assert record(papers / f"{MALDACENA}.toml")["category"] == "foundation"
    code, out, _ = run(capsys, "list", "--category", "foundation")
    assert MALDACENA in out


def test_an_unknown_category_writes_nothing(capsys, arxiv_api, papers: Path) -> None:
    code, out, err = run(capsys, "add", "hep-th/9711200", "--category", "physics")
    assert code == 1
    assert "unknown category 'physics' (known: agents, alignment, foundation, inbox, inference, multimodal)" in err
    assert not papers.exists() and arxiv_api.requests == []


def test_the_library_option_moves_the_papers_folder_too(capsys, arxiv_api, tmp_path: Path) -> None:
    library = tmp_path / "elsewhere" / "my-library.toml"
    code, _, err = run(capsys, "--library", str(library), "add", "hep-th/9711200")
    assert code == 0, err
    assert (tmp_path / "elsewhere" / "papers" / f"{MALDACENA}.toml").is_file()
    code, out, _ = run(capsys, "show", MALDACENA, "--library", str(library))
    assert code == 0 and "Large N Limit" in out
    code, out, _ = run(capsys, "library", "papers", "--library", str(library))
    assert out.strip() == str(tmp_path / "elsewhere" / "papers")


def test_a_file_in_the_way_is_never_overwritten(capsys, arxiv_api, papers: Path) -> None:
    papers.mkdir(parents=True)
    write_text(papers / "categories.toml", INBOX_TOML)
    blocker = write_text(papers / f"{MALDACENA}.toml", "this is not TOML, and it is the user's\n")
    code, out, err = run(capsys, "add", "hep-th/9711200")
    assert code == 0
    assert out.startswith(f"{MALDACENA}-2\t")
    assert blocker.read_text(encoding="utf-8") == "this is not TOML, and it is the user's\n"


def test_a_folder_that_cannot_be_written(capsys, arxiv_api, papers: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores permissions")
    papers.mkdir(parents=True)
    write_text(papers / "categories.toml", INBOX_TOML)
    papers.chmod(0o500)
    try:
        code, out, err = run(capsys, "add", "hep-th/9711200")
    finally:
        papers.chmod(0o700)
    assert code == 1 and f"cannot write to {papers}" in err


def test_the_folders_categories_file_without_inbox_is_left_alone(capsys, arxiv_api, papers: Path) -> None:
    mine = '[[category]]\nid = "physics"\nname = "Physics"\n'
    write_text(papers / "categories.toml", mine)
    code, out, err = run(capsys, "add", "hep-th/9711200")
    assert code == 1 and "there is no 'inbox' category" in err
    assert (papers / "categories.toml").read_text(encoding="utf-8") == mine
    code, out, err = run(capsys, "add", "hep-th/9711200", "--category", "physics")
    assert code == 0, err


# ---------------------------------------------------------------------------------------------
# The core, without the command line.
# ---------------------------------------------------------------------------------------------


def test_add_arxiv_keeps_the_order_of_the_input(tmp_path: Path) -> None:
    calls: list[list[str]] = []

    def fetch(ids):
        calls.append(list(ids))
        return {"hep-th/9711200": parse_feed((FIXTURES / "hep-th-9711200.xml").read_bytes())[0][0]}, []

    adder = Adder(tmp_path / "papers", load_catalog([shipped("data")]))
    adder.prepare()
    outcomes = add_arxiv(["nonsense", "2302.13971", "hep-th/9711200v3", "2401.99999"], adder, fetch)
    assert [type(o) for o in outcomes] == [Failed, Duplicate, Added, Failed]
    assert calls == [["hep-th/9711200v3", "2401.99999"]]
    assert outcomes[2].origin == "hep-th/9711200v3" and outcomes[2].paper.id == MALDACENA
    assert outcomes[3].message == "not found on arXiv"


def test_the_same_title_first_author_and_year_is_a_duplicate_too(tmp_path: Path) -> None:
    adder = Adder(tmp_path / "papers", load_catalog([shipped("data")]))
    adder.prepare()
    title = "llama:  open and efficient foundation language models!"
    same = NewPaper(title, ("H. Touvron", "Someone Else"), PaperDate(2023, 5))
    outcome = adder.add(same)
    assert isinstance(outcome, Duplicate) and outcome.existing.id == "llama"
    assert adder.origin_of(outcome.existing).endswith(f"foundation.toml:{outcome.existing.line}")
    # The title alone is not enough: another author, or another year, is another work.
    assert isinstance(adder.add(NewPaper(title, ("Someone",), PaperDate(2023))), Added)
    assert isinstance(adder.add(NewPaper(title, ("Hugo Touvron",), PaperDate(2019))), Added)


def test_default_data_sources(tmp_path: Path) -> None:
    library = tmp_path / "lib" / "library.toml"
    assert data_sources(None, {}, library=library) == [str(shipped("data"))]
    (tmp_path / "lib" / "papers").mkdir(parents=True)
    assert data_sources(None, {}, library=library) == [str(shipped("data")), str(tmp_path / "lib" / "papers")]
    assert data_sources(["a", "b"], {}, library=library) == ["a", "b"]
    assert data_sources(None, {"PAPERBROWSE_DATA": os.pathsep.join(["x", "y"])}, library=library) == ["x", "y"]
    # Without `library`, the library's own default says where it is.
    assert data_sources(None, {"PAPERBROWSE_LIBRARY": str(library)}) == data_sources(None, {}, library=library)


def test_a_symlinked_library_keeps_its_papers_beside_the_real_file(tmp_path: Path) -> None:
    real = tmp_path / "notes" / "library.toml"
    real.parent.mkdir()
    real.write_text("", encoding="utf-8")
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    assert user_papers_folder(link) == tmp_path / "notes" / "papers"


# ---------------------------------------------------------------------------------------------
# Ids are safe file names, whatever the source says.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("authors", "year", "title", "expected"),
    [
        (("Hugo Touvron",), 2023, "LLaMA: Open and Efficient", "touvron2023llama"),
        (("Touvron, Hugo",), 2023, "The LLaMA models", "touvron2023llama"),
        (("Juan M. Maldacena",), 1997, "The Large N Limit", "maldacena1997large"),
        (("Timothée Lacroix",), 2023, "Über alles", "lacroix2023uber"),
        (("../../etc",), 2023, "/passwd", "etc2023passwd"),
        (("李飞飞",), 2009, "ImageNet", "anon2009imagenet"),
        (("Ada",), 2024, "..", "ada2024"),
    ],
)
def test_ids_read_like_citation_keys(authors, year, title, expected) -> None:
    assert new_paper_id(NewPaper(title, authors, PaperDate(year)), lambda _: False) == expected


def test_a_taken_id_gets_a_number() -> None:
    taken = {"touvron2023llama", "touvron2023llama-2"}
    paper = NewPaper("LLaMA", ("Hugo Touvron",), PaperDate(2023))
    assert new_paper_id(paper, taken.__contains__) == "touvron2023llama-3"


@settings(max_examples=200, deadline=None)
@given(
    title=st.text(min_size=0, max_size=300),
    authors=st.lists(st.text(max_size=80), min_size=0, max_size=3),
    year=st.integers(1000, 9999),
)
def test_any_title_and_author_give_a_safe_id(title: str, authors: list[str], year: int) -> None:
    paper_id = new_paper_id(NewPaper(title, tuple(authors), PaperDate(year)), lambda _: False)
    assert ID_PATTERN.fullmatch(paper_id) and ".." not in paper_id
    assert set(paper_id) <= set(string.ascii_lowercase + string.digits)
    assert len(paper_id) <= 60
