"""`paperbrowse pdf` and `paperbrowse attach`, in-process, against the local PDF server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run
from paperbrowse.core.files import opener
from paperbrowse.core.library.user_library import Library
from pdf_maker import make_pdf


@pytest.fixture
def setup(collection: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pdf_server):
    monkeypatch.setenv("PAPERBROWSE_DATA", str(collection))
    library = tmp_path / "home" / "library.toml"
    monkeypatch.setenv("PAPERBROWSE_LIBRARY", str(library))
    monkeypatch.setenv("PAPERBROWSE_ARXIV_PDF", pdf_server.base())
    pdf_server.files["2302.13971"] = make_pdf(["llama"])
    return library


def test_pdf_without_a_copy_says_where_it_would_come_from(setup, capsys, pdf_server) -> None:
    code, out, err = run(capsys, "pdf", "llama")
    assert code == 1
    assert (
        f"llama has no PDF on this machine; `paperbrowse pdf llama --download` fetches it from {pdf_server.base()}/2302.13971"
        in err
    )


def test_pdf_download_records_it_and_prints_the_path(setup, capsys) -> None:
    code, out, err = run(capsys, "pdf", "llama", "--download")
    assert code == 0, err
    path = setup.parent / "pdfs" / "llama.pdf"
    assert out == f"{path}\n"
    assert path.read_bytes().startswith(b"%PDF-")
    assert Library.load(setup).pdf("llama") == "pdfs/llama.pdf"
    assert run(capsys, "pdf", "llama")[:2] == (0, f"{path}\n")
    code, out, err = run(capsys, "show", "llama")
    assert out.endswith(f"\nPDF here: {path}\n")
    code, out, err = run(capsys, "show", "llama", "--json")
    assert json.loads(out)["pdf_here"] == str(path)
    code, out, err = run(capsys, "show", "gpt-4", "--json")
    assert json.loads(out)["pdf_here"] is None


def test_pdf_download_failure_is_one_clear_line(setup, capsys, monkeypatch, pdf_server) -> None:
    monkeypatch.setenv("PAPERBROWSE_ARXIV_PDF", pdf_server.base("status") + "/500")
    code, out, err = run(capsys, "pdf", "llama", "--download")
    assert code == 1
    assert err.strip().endswith(
        "127.0.0.1 answered HTTP 500 Internal Server Error for " + pdf_server.base("status") + "/500/2302.13971"
    )
    assert not (setup.parent / "pdfs" / "llama.pdf").exists()


def test_pdf_open_without_an_opener_prints_the_path_and_fails(setup, capsys, monkeypatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(opener.sys, "platform", "linux")
    code, out, err = run(capsys, "pdf", "llama", "--open")
    path = setup.parent / "pdfs" / "llama.pdf"
    assert code == 1
    assert out.splitlines() == [str(path), str(path)]
    assert "Could not open it: there is no display here" in err
    assert "opened" not in err


def test_pdf_open_runs_the_opener_without_a_shell(setup, capsys, monkeypatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(opener.sys, "platform", "linux")
    monkeypatch.setattr(opener.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(opener, "run_detached", lambda argv: calls.append(argv) or opener.Started(True))
    code, out, err = run(capsys, "pdf", "llama", "--open")
    assert code == 0, err
    assert calls == [["/usr/bin/xdg-open", str(setup.parent / "pdfs" / "llama.pdf")]]


def test_attach_copies_or_links(setup, capsys, tmp_path: Path) -> None:
    source = tmp_path / "-from zotero.pdf"
    source.write_bytes(make_pdf(["gpt-4"]))
    code, out, err = run(capsys, "attach", "gpt-4", str(source))
    assert code == 0, err
    assert out == f"{setup.parent / 'pdfs' / 'gpt-4.pdf'}\n"
    code, out, err = run(capsys, "attach", "vit", str(source), "--link")
    assert code == 0, err
    assert Library.load(setup).pdf("vit") == str(source.resolve())
    page = tmp_path / "page.html"
    page.write_text("<html>", encoding="utf-8")
    code, out, err = run(capsys, "attach", "vit", str(page))
    assert code == 1 and "is not a PDF" in err
    assert Library.load(setup).pdf("vit") == str(source.resolve())


def test_config_pdf_folder_is_where_pdfs_go_and_are_found(setup, capsys, tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[pdf]\nfolder = "papers-pdf"\n', encoding="utf-8")
    monkeypatch.setenv("PAPERBROWSE_CONFIG", str(config))
    code, out, err = run(capsys, "pdf", "llama", "--download")
    assert code == 0, err
    path = setup.parent / "papers-pdf" / "llama.pdf"  # a relative folder lies beside the library
    assert out == f"{path}\n" and path.read_bytes().startswith(b"%PDF-")
    assert not (setup.parent / "pdfs").exists()
    assert Library.load(setup).pdf("llama") == "papers-pdf/llama.pdf"
    source = tmp_path / "vit.pdf"
    source.write_bytes(make_pdf(["vit"]))
    assert run(capsys, "attach", "vit", str(source))[1] == f"{setup.parent / 'papers-pdf' / 'vit.pdf'}\n"
    code, out, err = run(capsys, "search", "text:vit")
    assert "vit: 'vit' on page 1" in out
    assert (setup.parent / "papers-pdf" / ".text").is_dir()
