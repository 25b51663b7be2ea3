"""A paper's PDF: where a local copy is, where to download one, and attaching a file.

A local copy is, in this order: the one the user's library records (downloaded or attached),
a `pdf` path in the record, the `file` field an imported .bib kept (Zotero, Mendeley), or a
file of the paper's name in `pdfs/`. The record's data are never written: what the user fetched
or attached goes to the library, relative to its folder when it lies in `pdfs/`.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from paperbrowse.core.files.pdf_files import copy_in, file_name, is_pdf, pdf_folder
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.schema import Paper, is_web_link
from paperbrowse.core.sources import pdf_download
from paperbrowse.core.sources.arxiv_id import parse_arxiv_id

BASE_VARIABLE = "PAPERBROWSE_ARXIV_PDF"
DEFAULT_BASE = "https://arxiv.org/pdf"
_COLON = re.compile(r"(?<!\\):")  # a .bib `file` field separates description:path:type by colons


class AttachError(Exception):
    """The file cannot be attached; `str()` says why, naming it."""


def arxiv_pdf_base(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return (env.get(BASE_VARIABLE, "").strip() or DEFAULT_BASE).rstrip("/")


def download_url(paper: Paper, env: Mapping[str, str] | None = None) -> str:
    """Where its PDF is downloaded from: arXiv (the record's arXiv id, or an arxiv.org `pdf`
    link, its version kept), asked at PAPERBROWSE_ARXIV_PDF; '' when it has neither."""
    found = parse_arxiv_id(paper.pdf) if is_web_link(paper.pdf) else None
    if found is None and paper.arxiv:
        found = parse_arxiv_id(paper.arxiv)
    return f"{arxiv_pdf_base(env)}/{found}" if found else ""


def web_pdf(paper: Paper) -> str:
    """A `pdf` link elsewhere than arXiv: opened in the browser, never downloaded."""
    return paper.pdf if is_web_link(paper.pdf) and parse_arxiv_id(paper.pdf) is None else ""


def local_pdf(paper: Paper, library: Library, folder: Path | None = None) -> Path | None:
    """The paper's PDF on this machine, or None. `folder`: the PDFs folder, when not `pdfs/`."""
    for candidate in _candidates(paper, library, folder or pdf_folder(library.path)):
        # Only a PDF: a record or a .bib file naming /etc/passwd never gets it opened.
        if candidate.is_file() and is_pdf(candidate):
            return candidate
    return None


def _candidates(paper: Paper, library: Library, folder: Path) -> list[Path]:
    found: list[Path] = []
    recorded = library.pdf(paper.id)
    if recorded:
        found.append(in_library(library.path, recorded))
    beside = Path(paper.source).parent if paper.source else Path.cwd()
    if paper.pdf and not is_web_link(paper.pdf):
        found.append(beside / paper.pdf)  # the loader keeps it inside the data folder
    if paper.bib is not None:
        found += [beside / os.path.expanduser(path) for path in bib_file_paths(paper.bib.written("file"))]
    found.append(folder / file_name(paper.id))
    return found


def in_library(library_file: Path, recorded: str) -> Path:
    """A library's `pdf` value as a path: relative ones lie beside the library file."""
    path = Path(os.path.expanduser(recorded))
    return path if path.is_absolute() else Path(os.path.realpath(library_file)).parent / path


def bib_file_paths(field: str) -> list[str]:
    """The PDF paths of a .bib `file` field: `path.pdf`, or Zotero's and Mendeley's
    `Description:path:application/pdf`, several joined by `;`."""
    paths = []
    for item in field.strip().strip("{}").split(";"):
        parts = _COLON.split(item.strip())
        if len(parts) >= 3 and not (len(parts[0]) == 1 and parts[1].startswith(("\\", "/"))):
            path = ":".join(parts[1:-1])  # description:path:type
        else:
            path = item.strip()  # a bare path (a Windows one keeps its drive's colon)
        path = path.replace("\\:", ":").replace("\\\\", "\\").strip()
        if path and not path.lower().startswith(("http://", "https://")):
            paths.append(path)
    return paths


def remember(library: Library, paper_id: str, path: Path) -> None:
    """Record `path` as the paper's PDF: relative to the library's folder when inside it."""
    folder = Path(os.path.realpath(library.path)).parent
    try:
        recorded = Path(os.path.realpath(path)).relative_to(folder).as_posix()
    except ValueError:
        recorded = os.path.realpath(path)
    library.set_pdf(paper_id, recorded)


def fetch(
    paper: Paper,
    library: Library,
    *,
    env: Mapping[str, str] | None = None,
    cancel: threading.Event | None = None,
    progress: pdf_download.Progress | None = None,
    record: bool = True,
    folder: Path | None = None,
) -> Path:
    """Download the paper's PDF into `pdfs/` and (with `record`) record it in the library; the
    caller saves. The browser records it itself, on its own thread, as every change."""
    url = download_url(paper, env)
    if not url:
        raise pdf_download.DownloadError(f"{paper.id} has no arXiv id and no arXiv PDF link to download from")
    hosts = (urlsplit(url).hostname or "", "arxiv.org")
    target = (folder or pdf_folder(library.path)) / file_name(paper.id)
    pdf_download.download(
        url, target, hosts=hosts, timeout=pdf_download.timeout_seconds(env), cancel=cancel, progress=progress
    )
    if record and not library.read_only:
        remember(library, paper.id, target)
    return target


def attach(paper: Paper, library: Library, source: Path, *, link: bool = False, folder: Path | None = None) -> Path:
    """Attach a PDF on disk: copied into `pdfs/` (or, with `link`, recorded where it is)."""
    if not source.is_file():
        raise AttachError(f"{source} is not a file")
    if not is_pdf(source):
        raise AttachError(f"{source} is not a PDF (it does not start with %PDF-)")
    if link:
        target = source.resolve()
    else:
        target = (folder or pdf_folder(library.path)) / file_name(paper.id)
        try:
            copy_in(source, target)
        except OSError as err:
            raise AttachError(f"cannot copy {source} to {target}: {err.strerror or err}") from None
    remember(library, paper.id, target)
    return target
