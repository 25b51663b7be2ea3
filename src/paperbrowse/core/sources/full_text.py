"""The text of the user's PDFs, page by page: extracted once with pypdf, then cached.

pypdf is pure Python (no compiler, no system library: it installs wherever paperbrowse does),
BSD-licensed and actively maintained; it reads text well enough to search it. A PDF is
untrusted input: a page that fails to extract is left empty and the rest kept, and a file
pypdf cannot read at all gives no text, never a crash.

The cache is `.text/` in the PDFs folder (`pdfs/` beside the library), one JSON file per PDF (named by a hash of its
real path), valid while the PDF's size and modification time stay the same.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from paperbrowse.core.files.atomic import atomic_write
from paperbrowse.core.files.pdf_files import file_name, is_pdf, pdf_folder
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.schema import Paper, is_web_link
from paperbrowse.core.sources.pdfs import local_pdf

FORMAT = 1
CACHE = ".text"
PAGE_LIMIT = 200_000  # characters kept of one page: a hostile PDF can expand to gigabytes


def extract_pages(pdf: Path) -> list[str]:
    """Each page's text; [] when the file is not a PDF pypdf can read."""
    import pypdf  # imported when a PDF is read: a start without PDFs never loads it

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns on every odd object: not ours to tell
    if not is_pdf(pdf):
        return []
    try:
        reader = pypdf.PdfReader(pdf)
        pages = list(reader.pages)
    except Exception:  # pypdf raises many kinds for a broken file: none may stop the browser
        return []
    texts = []
    for page in pages:
        try:
            text = page.extract_text() or ""
        except Exception:
            text = ""
        texts.append(text[:PAGE_LIMIT])
    return texts


def _cache_file(folder: Path, pdf: Path) -> Path:
    digest = hashlib.sha256(os.path.realpath(pdf).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return folder / CACHE / f"{digest}.json"


def _stamp(pdf: Path) -> list[int]:
    stat = pdf.stat()
    return [FORMAT, stat.st_size, stat.st_mtime_ns]


def cached_pages(folder: Path, pdf: Path) -> list[str] | None:
    """The pages' text as cached, or None when there is no cache for this version of the file."""
    try:
        data = json.loads(_cache_file(folder, pdf).read_text(encoding="utf-8"))
        if data.get("stamp") == _stamp(pdf) and all(isinstance(p, str) for p in data["pages"]):
            return list(data["pages"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return None


def pages(folder: Path, pdf: Path) -> list[str]:
    """The pages' text: from the cache, else extracted now and cached (when the cache can be written)."""
    found = cached_pages(folder, pdf)
    if found is not None:
        return found
    stamp = _stamp(pdf)
    texts = extract_pages(pdf)
    target = _cache_file(folder, pdf)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        document = {"pdf": os.path.realpath(pdf), "stamp": stamp, "pages": texts}
        atomic_write(target, json.dumps(document, ensure_ascii=False).encode("utf-8"), new_mode=0o600)
    except (OSError, UnicodeError):
        pass  # not cached: extracted again next time
    return texts


def papers_with_pdfs(papers: Iterable[Paper], library: Library, folder: Path) -> dict[str, Path]:
    """The papers whose PDF is on this machine, by id. Only papers that may have one are looked
    at (a library entry, a file in pdfs/, a local `pdf` or a .bib `file` in the record): a stat
    or two each, never one per paper of a large collection."""
    try:
        in_folder = set(os.listdir(folder))
    except OSError:
        in_folder = set()
    with_entry = {pid for pid in library.paper_ids() if library.pdf(pid)}
    found: dict[str, Path] = {}
    for paper in papers:
        maybe = (
            paper.id in with_entry
            or (paper.pdf and not is_web_link(paper.pdf))
            or (paper.bib is not None and paper.bib.written("file"))
            or (in_folder and file_name(paper.id) in in_folder)
        )
        if maybe:
            path = local_pdf(paper, library, folder)
            if path is not None:
                found[paper.id] = path
    return found


def gather(
    papers: Iterable[Paper],
    library: Library,
    *,
    cached_only: bool = False,
    cancelled: Callable[[], bool] = lambda: False,
    folder: Path | None = None,
) -> dict[str, list[str]]:
    """The text of every paper whose PDF is here, by id (extracting what is not cached yet,
    unless `cached_only`)."""
    folder = folder or pdf_folder(library.path)
    texts: dict[str, list[str]] = {}
    for paper_id, pdf in papers_with_pdfs(papers, library, folder).items():
        if cancelled():
            break
        found = cached_pages(folder, pdf) if cached_only else pages(folder, pdf)
        if found:
            texts[paper_id] = found
    return texts
