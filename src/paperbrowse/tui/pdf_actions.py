"""The browser's PDF keys (`p` open or download, `P` attach) and honest opening and copying.

Mixed into the main screen. Everything goes through the core, as the CLI's `pdf` and `attach`
do: `core.sources.pdfs` finds, downloads and attaches, `core.files.opener` opens. A download
runs in a thread worker (cancelled by `q`), its progress in a bar at the bottom of the screen;
the file is recorded in the library on the UI thread, as every change is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.screen import Screen
from textual.worker import get_current_worker

from paperbrowse.core.files import opener
from paperbrowse.core.files.pdf_files import pdf_folder
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.records.schema import Paper
from paperbrowse.core.search.full_text import text_needles
from paperbrowse.core.sources import pdfs
from paperbrowse.core.sources.pdf_download import DownloadCancelled, DownloadError
from paperbrowse.tui.labels import language_of, tr
from paperbrowse.tui.widgets.pdf_progress import PdfProgress
from paperbrowse.tui.widgets.search_box import SearchBox

if TYPE_CHECKING:
    from paperbrowse.tui.session import Session
    from paperbrowse.tui.widgets.detail_pane import DetailPane

SHOWN_LIMIT = 2_000  # of a copied text shown in a notification


class PdfActions(Screen[None]):
    _clipboard: opener.Support | None = None

    if TYPE_CHECKING:
        session: Session

        @property
        def detail(self) -> DetailPane: ...
        @property
        def current(self) -> Paper | None: ...
        def _paper_or_none(self, action: Callable[[], object] | None = None) -> Paper | None: ...
        def _change(self, apply: Callable[[Library], object], paper_id: str, *, tags: bool = False) -> None: ...
        @property
        def search_box(self) -> SearchBox: ...
        def run_search(self, *, here: bool = False) -> None: ...

    @property
    def pdf_folder(self) -> Path:
        """Where PDFs are kept: config.toml's `[pdf] folder`, else `pdfs/` beside the library."""
        return pdf_folder(self.session.library.path, self.session.settings.pdf_folder)

    # Opening and copying, saying only what happened.
    def clipboard_support(self) -> opener.Support:
        if self._clipboard is None:  # inside tmux this asks tmux: once a session
            self._clipboard = opener.clipboard_support()
        return self._clipboard

    def tell_copied(self, what: str, text: str) -> None:
        """Send `text` to the clipboard (OSC 52) and say "copied" only when the terminal surely took it."""
        self.app.copy_to_clipboard(text)
        support = self.clipboard_support()
        shown = text if len(text) <= SHOWN_LIMIT else f"{text[:SHOWN_LIMIT]}…"
        self.notify(opener.clipboard_message(what, shown, support), timeout=3 if support == "yes" else 15, markup=False)

    def open_externally(self, target: str | Path, *, pdf: bool = False) -> None:
        """Open a file or link in a thread (a viewer may take a moment to fail); say what happened."""
        # config.toml's viewer (`zathura`, say) for PDFs, its opener for the rest; None: the system's.
        command = getattr(self.app, "pdf_viewer" if pdf else "link_opener", None)
        self._open(target, list(command) if command else None)

    @work(thread=True, group="open", exit_on_error=False)
    def _open(self, target: str | Path, command: list[str] | None) -> None:
        opened = getattr(self.app, "open_target", opener.open_target)(target, command)
        if self.app.is_running:
            self.app.call_from_thread(self._open_done, opened)

    def _open_done(self, opened: opener.Opened) -> None:
        if opened.ok:
            self.notify(
                tr("Opened {target}", language_of(self), target=one_line(opened.target)), timeout=3, markup=False
            )
            return
        self.app.copy_to_clipboard(opened.target)
        message = opener.not_opened_message(opened, self.clipboard_support())
        self.notify(
            one_line(message), title=tr("Not opened", language_of(self)), severity="warning", timeout=20, markup=False
        )

    # p: the local PDF, else download it, else a PDF link elsewhere.
    def action_open_pdf(self) -> None:
        paper = self._paper_or_none(self.action_open_pdf)
        if paper is None:
            return
        local = pdfs.local_pdf(paper, self.session.library, self.pdf_folder)
        if local is not None:
            self.open_externally(local, pdf=True)
            self._pdf_reading(paper)
            return
        if pdfs.download_url(paper):
            if self.query(PdfProgress):
                self.notify(
                    tr("A PDF is downloading already; wait for it to finish.", language_of(self)),
                    timeout=4,
                    markup=False,
                )
                return
            self.mount(PdfProgress(paper.id))
            self._pdf_download(paper)
            return
        if pdfs.web_pdf(paper):
            self.open_externally(pdfs.web_pdf(paper))
            return
        told = tr("{paper} has no arXiv PDF to download; P attaches a file.", language_of(self), paper=paper.id)
        self.notify(told, severity="warning", markup=False)

    @work(thread=True, group="pdf", exit_on_error=False)
    def _pdf_download(self, paper: Paper) -> None:
        token = get_current_worker().cancelled_event
        shown = [0.0]

        def progress(done: int, total: int | None) -> None:
            now = time.monotonic()
            if (now - shown[0] >= 0.1 or done == total) and self.app.is_running:
                shown[0] = now
                self.app.call_from_thread(self._pdf_progress, done, total)

        try:
            path = pdfs.fetch(
                paper, self.session.library, cancel=token, progress=progress, record=False, folder=self.pdf_folder
            )
        except DownloadCancelled:
            return  # quitting: nobody is left to tell
        except DownloadError as err:
            if self.app.is_running:
                self.app.call_from_thread(self._pdf_failed, paper, str(err))
            return
        finally:
            if self.app.is_running:
                self.app.call_from_thread(self._pdf_progress_done)
        if self.app.is_running:
            self.app.call_from_thread(self._pdf_downloaded, paper, path)

    def _pdf_progress(self, done: int, total: int | None) -> None:
        for bar in self.query(PdfProgress):
            bar.advance_to(done, total)

    def _pdf_progress_done(self) -> None:
        for bar in self.query(PdfProgress):
            bar.remove()

    def _pdf_failed(self, paper: Paper, message: str) -> None:
        self.notify(one_line(message), title=f"PDF of {paper.id}", severity="error", timeout=12, markup=False)

    def _pdf_downloaded(self, paper: Paper, path: Path) -> None:
        if self.session.library.read_only:
            self.notify(f"Downloaded to {path} (the library is read-only: not recorded).", timeout=8, markup=False)
        else:
            self._change(lambda library: pdfs.remember(library, paper.id, path), paper.id)
        self.detail.show(self.current)
        self.open_externally(path, pdf=True)
        self._pdf_reading(paper)
        self._pdf_read_texts()

    def _pdf_reading(self, paper: Paper) -> None:
        """Opening a paper's PDF means the user started reading it, as `o` does."""
        if not self.session.library.read_only:  # a side effect of opening: never an error
            self._change(lambda library: library.link_opened(paper.id), paper.id)

    # P: attach a file on disk.
    def action_attach_pdf(self) -> None:
        from paperbrowse.tui.screens.attach_dialog import AttachChoice, AttachDialog

        paper = self._paper_or_none(self.action_attach_pdf)
        if paper is None:
            return

        def chosen(choice: AttachChoice | None) -> None:
            if choice is None:
                return
            attached: list[Path] = []
            try:
                self._change(
                    lambda library: attached.append(
                        pdfs.attach(paper, library, choice.path, link=choice.link, folder=self.pdf_folder)
                    ),
                    paper.id,
                )
            except pdfs.AttachError as err:
                self.notify(one_line(str(err)), title="Attach", severity="error", timeout=10, markup=False)
                return
            if attached:
                self._pdf_read_texts()
                verb = "Linked" if choice.link else "Copied"
                self.notify(f"{verb} {attached[0]} as the PDF of {paper.id}.", timeout=5, markup=False)

        self.app.push_screen(AttachDialog(paper.title), chosen)

    # Full text: the PDFs' text is read in the background (from the cache once read), and the
    # details say on which pages a `text:` query's words are.
    @on(events.Mount)
    def _pdf_texts_at_start(self) -> None:
        self.detail.pdf_folder = self.pdf_folder
        self.detail.text_needles = text_needles(self.search_box.value)
        self._pdf_read_texts()

    @work(thread=True, group="pdf-text", exclusive=True, exit_on_error=False)
    def _pdf_read_texts(self) -> None:
        from paperbrowse.core.sources.full_text import gather  # pypdf: loaded off the UI thread

        token = get_current_worker().cancelled_event
        texts = gather(
            self.session.catalog.papers, self.session.library, cancelled=token.is_set, folder=self.pdf_folder
        )
        if self.app.is_running and not token.is_set():
            self.app.call_from_thread(self._pdf_texts_ready, texts)

    def _pdf_texts_ready(self, texts: dict[str, list[str]]) -> None:
        changed = texts != self.session.texts
        self.session.texts = texts
        self.detail.texts = texts
        if changed and text_needles(self.search_box.value):
            self.run_search()
        self.detail.show(self.current)

    @on(SearchBox.QueryChanged)
    def _pdf_query_changed(self, event: SearchBox.QueryChanged) -> None:
        self.detail.text_needles = text_needles(event.value)
