"""The work behind `a`, run in a thread: add through the core, then load the collection again.

No Textual here: the main screen runs this in a worker and shows the result.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from paperbrowse.core.files.paths import user_papers_folder
from paperbrowse.core.records.catalog import Catalog, settle
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.search.related import AUTO_BUILD_UP_TO, related_index
from paperbrowse.core.sources.adding import Added, Adder, AddError, Duplicate, add_identifiers
from paperbrowse.core.sources.arxiv_api import fetch_papers
from paperbrowse.core.sources.arxiv_id import parse_arxiv_id
from paperbrowse.core.sources.crossref_api import fetch_work
from paperbrowse.core.sources.doi import arxiv_of, parse_doi
from paperbrowse.core.sources.new_paper import NewPaper
from paperbrowse.core.sources.web_api import ApiCancelled
from paperbrowse.core.store.cache import files_signature, folder_records, load_catalog_cached
from paperbrowse.tui.foreground import reloading


@dataclass(frozen=True, slots=True)
class AddRequest:
    """What the add dialog asks for."""

    category: str
    arxiv: str = ""  # set: an arXiv id or link, or a DOI, to fetch; else the fields below
    title: str = ""
    authors: tuple[str, ...] = ()
    year: int = 0


@dataclass(frozen=True, slots=True)
class AddResult:
    message: str
    failed: bool = False
    paper_id: str = ""  # the paper to select: the new one, or the one already there
    catalog: Catalog | None = None  # the reloaded collection, when a paper was added
    index: SearchIndex | None = None
    signature: tuple[object, ...] | None = None  # its files, as they were just before loading
    cancelled: bool = False  # stopped (escape) before arXiv or Crossref answered: nothing was added


def is_doi(text: str) -> bool:
    """Whether `text` is asked of Crossref: a DOI that is not an arXiv id nor one of arXiv's DOIs."""
    doi = None if parse_arxiv_id(text) else parse_doi(text)
    return doi is not None and arxiv_of(doi) is None


def add_paper(
    request: AddRequest,
    catalog: Catalog,
    library_file: Path,
    cancel: threading.Event | None = None,
    frozen: bool = False,
) -> AddResult:
    """`cancel`, set from another thread, ends the wait for arXiv or Crossref within a tenth of a
    second; `frozen`: the start froze its collection (see `foreground.reloading`)."""
    folder = user_papers_folder(library_file)
    adder = Adder(folder, catalog, request.category, folder_records)
    try:
        adder.prepare()
    except AddError as err:
        return AddResult(str(err), failed=True)
    if request.arxiv:
        try:
            (outcome,) = add_identifiers(
                [request.arxiv],
                adder,
                lambda ids: fetch_papers(ids, cancel=cancel),
                lambda doi: fetch_work(doi, cancel=cancel),
            )
        except ApiCancelled:
            service = "Crossref" if is_doi(request.arxiv) else "arXiv"
            message = f"Stopped asking {service} about {one_line(request.arxiv)}: nothing was added."
            return AddResult(message, cancelled=True)
    else:
        draft = NewPaper(request.title, request.authors, PaperDate(request.year), origin="the browser")
        outcome = adder.add(draft)
    if isinstance(outcome, Duplicate):
        existing = outcome.existing
        message = f"Already in the collection: {one_line(existing.title)} ({existing.id})."
        return AddResult(message, paper_id=existing.id)
    if not isinstance(outcome, Added):
        return AddResult(f"Not added: {one_line(outcome.message)}", failed=True)
    # The new file's folder joins the sources: it may be new, or not among --data.
    sources = list(catalog.sources)
    if str(folder) not in sources:
        sources.append(str(folder))
    signature = files_signature(sources)  # first: a change made while loading is seen next time
    # Through the cache, as a start: only the new file is parsed (the uncached load parsed every
    # file again, half a minute at 100,000 papers).
    with reloading(frozen):
        fresh = load_catalog_cached(sources)
        index = SearchIndex(settle(fresh))
        if len(fresh.papers) <= AUTO_BUILD_UP_TO:  # as the browser does: a larger one is built when asked
            related_index(fresh)  # here in the worker, not on the UI thread at the first keypress
    added = outcome.paper
    message = f"Added {added.id}: {one_line(added.title)}\n{outcome.path}"
    return AddResult(message, paper_id=added.id, catalog=fresh, index=index, signature=signature)
