"""A paper's PDF in the user's library: recorded, merged with another copy, found, attached."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import make_paper
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.bibliography import Bibliography
from paperbrowse.core.sources.pdfs import (
    AttachError,
    attach,
    bib_file_paths,
    download_url,
    fetch,
    local_pdf,
    web_pdf,
)
from pdf_maker import make_pdf


def test_the_pdf_field_round_trips_beside_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "library.toml"
    path.write_text('version = 1\n[papers.llama]\nstatus = "read"\nfuture = "kept"\n', encoding="utf-8")
    library = Library.load(path)
    library.set_pdf("llama", "pdfs/llama.pdf")
    library.save()
    again = Library.load(path)
    assert again.pdf("llama") == "pdfs/llama.pdf"
    assert again.entry("llama").extra == {"future": "kept"}
    assert again.status("llama") == "read"


def test_a_pdf_recorded_by_another_copy_merges_with_our_note(tmp_path: Path) -> None:
    path = tmp_path / "library.toml"
    ours, theirs = Library.load(path), Library.load(path)
    theirs.set_pdf("llama", "pdfs/llama.pdf")
    theirs.save()
    ours.set_note("llama", "read section 3")
    ours.save()
    merged = Library.load(path)
    assert merged.pdf("llama") == "pdfs/llama.pdf"
    assert merged.note("llama") == "read section 3"
    ours.set_pdf("llama", "/elsewhere/llama.pdf")  # ours is newer: it wins
    ours.save()
    theirs.refresh()
    assert theirs.pdf("llama") == "/elsewhere/llama.pdf"


def test_a_local_copy_is_found_in_order(tmp_path: Path) -> None:
    library = Library.load(tmp_path / "lib" / "library.toml")
    records = tmp_path / "papers"
    records.mkdir()
    bib = Bibliography(bibtex=(("file", "Full Text PDF:zotero/x.pdf:application/pdf"),))
    paper = make_paper("x", pdf="local/x.pdf", bib=bib, source=str(records / "x.toml"))
    assert local_pdf(paper, library) is None
    (records / "zotero").mkdir()
    (records / "zotero" / "x.pdf").write_bytes(make_pdf(["z"]))
    assert local_pdf(paper, library) == records / "zotero" / "x.pdf"
    (records / "local").mkdir()
    (records / "local" / "x.pdf").write_bytes(make_pdf(["r"]))
    assert local_pdf(paper, library) == records / "local" / "x.pdf"
    own = tmp_path / "mine.pdf"
    own.write_bytes(make_pdf(["m"]))
    attach(paper, library, own, link=True)
    assert local_pdf(paper, library) == own.resolve()


@pytest.mark.parametrize(
    ("field", "paths"),
    [
        ("path/to.pdf", ["path/to.pdf"]),
        ("{Full Text PDF:/home/u/Zotero/storage/AB/x.pdf:application/pdf}", ["/home/u/Zotero/storage/AB/x.pdf"]),
        (":a.pdf:PDF;Snapshot:b.html:text/html", ["a.pdf", "b.html"]),
        ("Full Text:C\\:\\\\Users\\\\x.pdf:application/pdf", ["C:\\Users\\x.pdf"]),
        ("C:\\x.pdf", ["C:\\x.pdf"]),
        ("", []),
    ],
)
def test_bib_file_fields_as_zotero_and_mendeley_write_them(field: str, paths: list[str]) -> None:
    assert bib_file_paths(field) == paths


def test_where_a_pdf_is_downloaded_from(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"PAPERBROWSE_ARXIV_PDF": "http://127.0.0.1:9/pdf/"}
    assert download_url(make_paper("a", arxiv="2302.13971"), env) == "http://127.0.0.1:9/pdf/2302.13971"
    shipped = make_paper("b", pdf="https://arxiv.org/pdf/2305.15334v2")
    assert download_url(shipped, env) == "http://127.0.0.1:9/pdf/2305.15334v2"
    assert download_url(shipped, {}) == "https://arxiv.org/pdf/2305.15334v2"
    elsewhere = make_paper("c", pdf="https://example.org/paper.pdf")
    assert download_url(elsewhere, env) == ""
    assert web_pdf(elsewhere) == "https://example.org/paper.pdf"
    assert web_pdf(shipped) == ""


def test_a_fetched_pdf_is_recorded_relative_to_the_library(pdf_server, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PAPERBROWSE_ARXIV_PDF", pdf_server.base())
    pdf_server.files["2302.13971"] = make_pdf(["llama"])
    library = Library.load(tmp_path / "library.toml")
    paper = make_paper("llama/7b", arxiv="2302.13971")
    path = fetch(paper, library)
    assert path == tmp_path / "pdfs" / "llama_7b.pdf"
    assert library.pdf("llama/7b") == "pdfs/llama_7b.pdf"
    assert local_pdf(paper, library) == path


def test_attach_copies_by_default_and_refuses_what_is_not_a_pdf(tmp_path: Path) -> None:
    library = Library.load(tmp_path / "library.toml")
    paper = make_paper("vit")
    source = tmp_path / "download.pdf"
    source.write_bytes(make_pdf(["vit"]))
    copied = attach(paper, library, source)
    assert copied == tmp_path / "pdfs" / "vit.pdf"
    assert copied.read_bytes() == source.read_bytes()
    assert library.pdf("vit") == "pdfs/vit.pdf"
    page = tmp_path / "page.html"
    page.write_text("<html>", encoding="utf-8")
    with pytest.raises(AttachError, match="is not a PDF"):
        attach(paper, library, page)
    with pytest.raises(AttachError, match="is not a file"):
        attach(paper, library, tmp_path / "missing.pdf")
    assert library.pdf("vit") == "pdfs/vit.pdf"


def test_a_file_named_by_a_record_or_a_bib_is_used_only_when_it_is_a_pdf(tmp_path: Path) -> None:
    library = Library.load(tmp_path / "lib" / "library.toml")
    records = tmp_path / "papers"
    (records / "local").mkdir(parents=True)
    (records / "local" / "x.pdf").write_text("#!/bin/sh\necho not a pdf\n", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("password", encoding="utf-8")
    bib = Bibliography(bibtex=(("file", f":{secret}:text/plain"),))
    paper = make_paper("x", pdf="local/x.pdf", bib=bib, source=str(records / "x.toml"))
    assert local_pdf(paper, library) is None
