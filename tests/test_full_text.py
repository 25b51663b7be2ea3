"""Full text: the pages of PDFs the tests make, extracted, cached, searched with `text:`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from textual.widgets import Static

from conftest import make_catalog, make_paper, run
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.search.full_text import WithFullText, hits_line, pages_with, text_needles
from paperbrowse.core.search.query import parse
from paperbrowse.core.sources import full_text
from paperbrowse.core.sources.pdfs import attach
from pdf_maker import make_pdf
from tui_support import make_app, plain, plist, settle
from tui_support import run as run_app

PAGES = ["Introduction to decoding", "We use FlashAttention and flash\nattention kernels", "Results"]


def test_pages_are_extracted_one_by_one_and_cached(tmp_path: Path, monkeypatch) -> None:
    pdf = tmp_path / "pdfs" / "x.pdf"
    pdf.parent.mkdir()
    pdf.write_bytes(make_pdf(PAGES))
    folder = tmp_path / "pdfs"
    assert full_text.cached_pages(folder, pdf) is None
    pages = full_text.pages(folder, pdf)
    assert [p.replace("\n", " ") for p in pages] == [p.replace("\n", " ") for p in PAGES]
    assert full_text.cached_pages(folder, pdf) == pages
    [cache] = (tmp_path / "pdfs" / ".text").iterdir()
    assert json.loads(cache.read_text(encoding="utf-8"))["pages"] == pages
    # Cached: pypdf is not asked again; a changed file is read anew.
    monkeypatch.setattr(full_text, "extract_pages", lambda path: pytest.fail("read again"))
    assert full_text.pages(folder, pdf) == pages
    pdf.write_bytes(make_pdf(["changed"]))
    os.utime(pdf, ns=(1, 1))
    assert full_text.cached_pages(folder, pdf) is None


@pytest.mark.parametrize("body", [b"%PDF-1.4\nnothing else", b"<html>not a pdf</html>", make_pdf(["ok"])[:200], b""])
def test_a_broken_pdf_gives_no_text_and_no_crash(tmp_path: Path, body: bytes) -> None:
    pdf = tmp_path / "broken.pdf"
    pdf.write_bytes(body)
    assert full_text.extract_pages(pdf) in ([], [""])


def test_pages_with_matches_words_across_lines_with_smart_case() -> None:
    assert pages_with(PAGES, "flash attention") == [2]
    assert pages_with(PAGES, "FlashAttention") == [2]
    assert pages_with(PAGES, "Flash attention") == []  # an upper-case letter: case-sensitive
    assert pages_with(PAGES, "decoding") == [1]
    assert hits_line(PAGES, ["flash attention", "results"]) == "'flash attention' on page 2; 'results' on page 3"
    assert text_needles('text:"flash attention" !text:survey cat:llm') == ["flash attention"]


def test_the_text_filter_finds_papers_by_their_pdfs(tmp_path: Path) -> None:
    catalog = make_catalog([make_paper("a"), make_paper("b"), make_paper("c")])
    index = SearchIndex(catalog)
    library = Library.load(tmp_path / "library.toml")
    texts = {"a": PAGES, "b": ["nothing here"]}
    found = index.search('text:"flash attention"', WithFullText(library, texts))
    assert [h.paper.id for h in found.hits] == ["a"]
    assert [h.paper.id for h in index.search("!text:flash", WithFullText(library, texts)).hits] == ["b", "c"]
    assert index.search("text:flash", library).hits == []  # no texts: nothing matches
    assert parse("text:").hints  # a value is needed


def test_gather_finds_the_users_pdfs_only(tmp_path: Path) -> None:
    library = Library.load(tmp_path / "library.toml")
    papers = [make_paper("a"), make_paper("b")]
    source = tmp_path / "a.pdf"
    source.write_bytes(make_pdf(PAGES))
    attach(papers[0], library, source)
    texts = full_text.gather(papers, library)
    assert list(texts) == ["a"]
    assert full_text.gather(papers, library, cached_only=True) == texts


def test_cli_search_text_lists_the_pages(collection: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PAPERBROWSE_DATA", str(collection))
    library = tmp_path / "home" / "library.toml"
    monkeypatch.setenv("PAPERBROWSE_LIBRARY", str(library))
    code, out, err = run(capsys, "search", "text:flash")
    assert code == 0 and "none of your PDFs has text to search" in err and out == ""
    source = tmp_path / "fa.pdf"
    source.write_bytes(make_pdf(PAGES))
    assert run(capsys, "attach", "flash-attention", str(source))[0] == 0
    code, out, err = run(capsys, "search", 'text:"flash attention"')
    assert code == 0, err
    assert "flash-attention: 'flash attention' on page 2" in out
    assert "llama" not in out
    code, out, err = run(capsys, "search", 'text:"flash attention"', "--json")
    [hit] = json.loads(out)
    assert hit["id"] == "flash-attention" and hit["pages"] == {"flash attention": [2]}


def test_the_browser_searches_the_text_and_shows_the_pages(collection: Path, tmp_path: Path) -> None:
    library_file = tmp_path / "home" / "library.toml"
    library = Library.load(library_file)
    source = tmp_path / "fa.pdf"
    source.write_bytes(make_pdf(PAGES))
    catalog_paper = make_paper("flash-attention")
    attach(catalog_paper, library, source)
    library.save()
    app = make_app([collection], library_file)

    async def scenario(pilot) -> None:
        await settle(pilot)
        await pilot.press("slash", *'text:"flash attention"', "enter")
        await settle(pilot)
        assert [p.id for p in plist(app).papers] == ["flash-attention"]
        head = plain(app.screen.query_one("#detail-head", Static))
        assert "In PDF   'flash attention' on page 2" in head

    run_app(app, scenario)
