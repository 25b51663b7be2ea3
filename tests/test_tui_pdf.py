"""The browser's PDF keys, pressed for real: `p` downloads with a progress bar and marks the
paper, `o` then opens the local copy, `P` attaches a file, and nothing claims what did not happen."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import Static

from paperbrowse.core.files.opener import Opened
from paperbrowse.core.library.user_library import Library
from paperbrowse.tui.widgets.detail_pane import PDF_MARK
from paperbrowse.tui.widgets.pdf_progress import PdfProgress
from pdf_maker import make_pdf
from tui_support import make_app, notes, opened, plain, plist, run, settle


def head(app) -> str:
    return plain(app.screen.query_one("#detail-head", Static))


@pytest.fixture
def browser(collection: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pdf_server):
    monkeypatch.setenv("PAPERBROWSE_ARXIV_PDF", pdf_server.base())
    monkeypatch.setenv("TERM", "xterm-256color")  # a terminal whose OSC 52 support is unknown
    monkeypatch.delenv("TERM_PROGRAM", raising=False)
    monkeypatch.delenv("TMUX", raising=False)
    library = tmp_path / "home" / "library.toml"
    app = make_app([collection], library)
    calls: dict[str, list[str]] = {"opened": [], "clipboard": []}
    app.open_target = lambda target, command=None: opened(calls["opened"], target)
    app.copy_to_clipboard = calls["clipboard"].append
    return app, calls, library


def test_p_downloads_with_progress_marks_the_paper_and_opens_the_copy(browser, pdf_server) -> None:
    app, calls, library = browser
    data = make_pdf(["LLaMA"], padding=300_000)
    pdf_server.files["2302.13971"] = data
    pdf_server.hold = threading.Event()  # the body stops halfway until the bar has been seen
    target = library.parent / "pdfs" / "llama.pdf"

    async def scenario(pilot) -> None:
        plist(app).move_to("llama")
        await settle(pilot)
        assert PDF_MARK not in head(app)
        await pilot.press("p")
        seen: list[str] = []
        for _ in range(500):  # watch the bar while the download runs (frames, not a clock)
            await pilot.pause(0.02)
            bars = app.screen.query(PdfProgress)
            seen += [plain(label) for bar in bars for label in bar.query("#pdf-progress-size")]
            if any(" MB of 0.3 MB" in text for text in seen):
                break
        assert any(" MB of 0.3 MB" in text for text in seen), seen
        pdf_server.hold.set()
        for _ in range(500):
            await pilot.pause(0.02)
            if not app.screen.query(PdfProgress):
                break
        await settle(pilot)
        assert not app.screen.query(PdfProgress)
        assert target.read_bytes() == data
        assert PDF_MARK in head(app) and f"PDF here {target}" in head(app)
        assert calls["opened"] == [str(target)]
        assert app.session.library.status("llama") == "reading"  # opening it is starting to read it
        # Pressed again, or `o`: the local copy opens; nothing is asked of the server.
        asked = len(pdf_server.requests)
        await pilot.press("p", "o")
        await settle(pilot)
        assert calls["opened"] == [str(target)] * 3
        assert len(pdf_server.requests) == asked
        await pilot.press("q")

    run(app, scenario)
    assert Library.load(library).pdf("llama") == "pdfs/llama.pdf"


def test_a_failed_download_says_why_and_marks_nothing(browser, pdf_server) -> None:
    app, calls, library = browser  # the server has no file: 404

    async def scenario(pilot) -> None:
        plist(app).move_to("llama")
        await pilot.press("p")
        await settle(pilot)
        assert not app.screen.query(PdfProgress)
        assert any("answered HTTP 404" in n for n in notes(app, "error"))
        assert PDF_MARK not in head(app)
        assert calls["opened"] == []

    run(app, scenario)
    assert not (library.parent / "pdfs" / "llama.pdf").exists()


def test_nothing_to_open_with_is_said_and_the_path_copied_and_shown(browser, pdf_server) -> None:
    app, calls, library = browser
    pdf_server.files["2302.13971"] = make_pdf(["LLaMA"])
    app.open_target = lambda target, command=None: Opened(False, str(target), "there is no display here")
    target = library.parent / "pdfs" / "llama.pdf"

    async def scenario(pilot) -> None:
        plist(app).move_to("llama")
        await pilot.press("p")
        await settle(pilot)
        assert calls["clipboard"] == [str(target)]
        [warning] = notes(app, "warning")
        assert "Could not open it: there is no display here" in warning
        assert warning.endswith(f"(if it supports OSC 52): {target}")
        assert not any(n.startswith("Opened") for n in notes(app))

    run(app, scenario)


def test_capital_p_attaches_a_file_and_the_mark_appears(browser, tmp_path: Path) -> None:
    app, calls, library = browser
    source = tmp_path / "mine.pdf"
    source.write_bytes(make_pdf(["vit"]))

    async def scenario(pilot) -> None:
        plist(app).move_to("vit")
        await pilot.press("P")
        await settle(pilot)
        await pilot.press(*str(tmp_path / "nothing.pdf"), "enter")
        await settle(pilot)
        assert any("is not a file" in n for n in notes(app, "error"))
        assert PDF_MARK not in head(app)
        await pilot.press("P")
        await settle(pilot)
        await pilot.press(*str(source), "enter")
        await settle(pilot)
        assert PDF_MARK in head(app)
        await pilot.press("q")

    run(app, scenario)
    assert (library.parent / "pdfs" / "vit.pdf").read_bytes() == source.read_bytes()
    assert Library.load(library).pdf("vit") == "pdfs/vit.pdf"


@pytest.mark.parametrize(("term", "copied"), [("xterm-256color", False), ("xterm-kitty", True)])
def test_y_says_copied_only_when_the_terminal_surely_takes_it(browser, monkeypatch, term, copied) -> None:
    app, calls, library = browser
    monkeypatch.setenv("TERM", term)

    async def scenario(pilot) -> None:
        plist(app).move_to("llama")
        await pilot.press("y")
        await settle(pilot)
        [bibtex] = calls["clipboard"]
        [told] = [n for n in notes(app) if "BibTeX of llama" in n]
        assert ("copied to the clipboard" in told) == copied
        if not copied:
            assert "(if it supports OSC 52)" in told and told.endswith(bibtex)

    run(app, scenario)


def test_p_and_capital_p_are_letters_in_the_search_box(browser) -> None:
    app, calls, library = browser

    async def scenario(pilot) -> None:
        await pilot.press("slash", "P", "p", "D")
        await settle(pilot)
        assert app.screen.search_box.value == "PpD"
        assert not app.screen.query(PdfProgress) and len(app.screen_stack) == 1

    run(app, scenario)


def test_the_configured_viewer_opens_pdfs_and_the_opener_links(collection: Path, tmp_path: Path) -> None:
    from paperbrowse.core.records.catalog import load_catalog
    from paperbrowse.core.settings.config_file import Settings
    from paperbrowse.tui.app import PaperBrowseApp
    from paperbrowse.tui.session import Session

    library_file = tmp_path / "library.toml"
    settings = Settings(opener=("firefox",), pdf_viewer=("zathura", "--fork"))
    app = PaperBrowseApp(Session(load_catalog([str(collection)]), Library.load(library_file), settings=settings))
    asked: list[tuple[str, tuple[str, ...] | None]] = []

    def record(target, command=None):
        asked.append((str(target), tuple(command) if command else None))
        return Opened(True, str(target))

    app.open_target = record
    source = tmp_path / "mine.pdf"
    source.write_bytes(make_pdf(["gpt"]))

    async def scenario(pilot) -> None:
        plist(app).move_to("llama")
        await pilot.press("o")  # no PDF here: the link, with the opener
        await settle(pilot)
        attach_to = next(p for p in app.session.catalog.papers if p.id == "llama")
        from paperbrowse.core.sources.pdfs import attach

        attach(attach_to, app.session.library, source)
        await pilot.press("p")  # the PDF, with the viewer
        await settle(pilot)

    run(app, scenario)
    assert asked == [
        ("https://arxiv.org/abs/2302.13971", ("firefox",)),
        (str(tmp_path / "pdfs" / "llama.pdf"), ("zathura", "--fork")),
    ]


def test_p_downloads_into_the_configured_folder(collection: Path, tmp_path: Path, monkeypatch, pdf_server) -> None:
    from paperbrowse.core.records.catalog import load_catalog
    from paperbrowse.core.settings.config_file import Settings
    from paperbrowse.tui.app import PaperBrowseApp
    from paperbrowse.tui.session import Session

    monkeypatch.setenv("PAPERBROWSE_ARXIV_PDF", pdf_server.base())
    pdf_server.files["2302.13971"] = make_pdf(["LLaMA"])
    folder = tmp_path / "elsewhere"
    settings = Settings(pdf_folder=str(folder))
    library = Library.load(tmp_path / "library.toml")
    app = PaperBrowseApp(Session(load_catalog([str(collection)]), library, settings=settings))
    asked: list[str] = []
    app.open_target = lambda target, command=None: opened(asked, target)

    async def scenario(pilot) -> None:
        plist(app).move_to("llama")
        await pilot.press("p")
        await settle(pilot)
        assert PDF_MARK in head(app)

    run(app, scenario)
    assert asked == [str(folder / "llama.pdf")]
    assert library.pdf("llama") == "elsewhere/llama.pdf"  # inside the library's folder: relative
