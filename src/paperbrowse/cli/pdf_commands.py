"""`pdf` (where a paper's PDF is; download it; open it) and `attach` (a PDF from disk)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from paperbrowse.cli.context import AddCommand, CliError, Context
from paperbrowse.cli.library_commands import _save
from paperbrowse.cli.lookup import find_paper
from paperbrowse.core.files import opener
from paperbrowse.core.files.pdf_files import pdf_folder
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.search.full_text import WithFullText, hits_line
from paperbrowse.core.search.query import parse
from paperbrowse.core.search.user_state import UserState
from paperbrowse.core.sources import pdfs
from paperbrowse.core.sources.pdf_download import MAX_BYTES, DownloadError


class _Bar:
    """A progress bar on stderr, redrawn at most ten times a second; only on a terminal."""

    def __init__(self) -> None:
        self.shown = 0.0
        self.drawn = False

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self.shown < 0.1 and done != total:
            return
        self.shown, self.drawn = now, True
        if total:
            filled = int(30 * done / total)
            line = f"[{'#' * filled}{' ' * (30 - filled)}] {done / total:4.0%} of {total / 2**20:.1f} MB"
        else:
            line = f"{done / 2**20:.1f} MB"
        print(f"\r{line}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.drawn:
            print(file=sys.stderr)


def open_and_tell(target: str | Path, command: Sequence[str] | None = None) -> int:
    """Open a file or link; when nothing can, say why, send it by OSC 52 and print it in full."""
    opened = opener.open_target(target, command)
    if opened.ok:
        print(f"paperbrowse: opened {one_line(str(target))}", file=sys.stderr)
        return 0
    support = opener.clipboard_support() if sys.stderr.isatty() else "no"
    if support != "no":
        print(opener.osc52(str(target)), end="", file=sys.stderr, flush=True)
    print(f"paperbrowse: {one_line(opener.not_opened_message(opened, support))}", file=sys.stderr)
    print(target)
    return 1


def cmd_pdf(context: Context, args: argparse.Namespace) -> int:
    paper = find_paper(context, args.id)
    library = context.library
    folder = pdf_folder(context.library_file, context.settings.pdf_folder)
    local = pdfs.local_pdf(paper, library, folder)
    if local is None and (args.download or args.open):
        url = pdfs.download_url(paper)
        if not url and pdfs.web_pdf(paper) and args.open:
            return open_and_tell(pdfs.web_pdf(paper))
        if not url:
            raise CliError(f"{paper.id} has no arXiv id and no PDF link to download from; attach one with `attach`")
        print(f"paperbrowse: downloading {url}", file=sys.stderr)
        bar = _Bar() if sys.stderr.isatty() else None
        try:
            local = pdfs.fetch(paper, library, progress=bar, folder=folder)
        except DownloadError as err:
            raise CliError(one_line(str(err))) from None
        finally:
            if bar is not None:
                bar.close()
        if library.read_only:
            print("paperbrowse: warning: the library is read-only: this PDF is not recorded in it", file=sys.stderr)
        else:
            _save(library)
    if local is None:
        where = pdfs.download_url(paper) or pdfs.web_pdf(paper)
        hint = f"; `paperbrowse pdf {paper.id} --download` fetches it from {where}" if where else ""
        raise CliError(f"{paper.id} has no PDF on this machine{hint}")
    print(local)
    return open_and_tell(local) if args.open else 0


def cmd_attach(context: Context, args: argparse.Namespace) -> int:
    paper = find_paper(context, args.id)
    library = context.writable_library()
    try:
        folder = pdf_folder(context.library_file, context.settings.pdf_folder)
        path = pdfs.attach(paper, library, Path(os.path.expanduser(args.file)), link=args.link, folder=folder)
    except pdfs.AttachError as err:
        raise CliError(one_line(str(err))) from None
    _save(library)
    print(path)
    return 0


def add_parsers(command: AddCommand) -> None:
    p = command("pdf", "print the path of a paper's PDF; download it from arXiv, open it")
    p.add_argument("id")
    p.add_argument(
        "--download",
        action="store_true",
        help=f"download it into pdfs/ beside the library (at most {MAX_BYTES // 2**20} MB)",
    )
    p.add_argument("--open", action="store_true", help="open it with the system's opener (downloading it first)")
    p = command("attach", "attach a PDF on disk to a paper: copied into pdfs/ beside the library")
    p.add_argument("id")
    p.add_argument("file", metavar="FILE.pdf")
    p.add_argument("--link", action="store_true", help="record where the file is instead of copying it")


HANDLERS = {"pdf": cmd_pdf, "attach": cmd_attach}


def full_text_state(context: Context, query: str) -> tuple[UserState, dict[str, list[str]]]:
    """The library, with the texts of the user's PDFs when the query searches them (`text:`);
    PDFs not read yet are read now, and cached for the next time."""
    library = context.library
    if not any(t.name == "text" for group in parse(query).groups for t in group):
        return library, {}
    from paperbrowse.core.sources.full_text import gather  # pypdf: only for a query that needs it

    texts = gather(
        context.catalog.papers, library, folder=pdf_folder(context.library_file, context.settings.pdf_folder)
    )
    if not texts:
        print(
            "paperbrowse: hint: none of your PDFs has text to search"
            " (`paperbrowse pdf ID --download` fetches one, `attach` adds one)",
            file=sys.stderr,
        )
    return WithFullText(library, texts), texts


def page_lines(paper_ids: Sequence[str], texts: dict[str, list[str]], needles: Sequence[str]) -> list[str]:
    """`ID: 'words' on pages 2, 5` for each hit whose PDF holds them."""
    lines = []
    for paper_id in paper_ids:
        found = hits_line(texts.get(paper_id, ()), needles)
        if found:
            lines.append(f"{one_line(paper_id)}: {one_line(found)}")
    return lines
