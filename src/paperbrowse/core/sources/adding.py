"""Adding papers to the user's folder: from arXiv ids, BibTeX drafts, or fields typed by hand.

One code path for the CLI (`add`, `import`) and the browser (`a`): check the category, skip a
paper the collection already has (same DOI, arXiv id, or title + first author + year), give it a fresh id,
validate the record exactly as the loader will, and write its file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from paperbrowse.core.records.bibliography import Bibliography
from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.citation_key import last_name
from paperbrowse.core.records.loader import FileRecords, find_files, parse_file
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.records.schema import Category, Paper, paper_from_table
from paperbrowse.core.sources.arxiv_api import ArxivCancelled, ArxivError, fetch_papers
from paperbrowse.core.sources.arxiv_id import ArxivId, bare, parse_arxiv_id
from paperbrowse.core.sources.crossref import Work, draft
from paperbrowse.core.sources.crossref_api import CrossrefCancelled, CrossrefError, fetch_work
from paperbrowse.core.sources.doi import arxiv_of, doi_in_link, doi_key, parse_doi
from paperbrowse.core.sources.new_paper import NewPaper
from paperbrowse.core.sources.paper_ids import new_paper_id
from paperbrowse.core.sources.papers_folder import (
    BATCH,
    CATEGORIES_FILE,
    INBOX,
    INBOX_CATEGORY,
    batch_path,
    ensure_folder,
    record_path,
    reserving,
    write_batch,
    write_inbox_category,
    write_record,
)


class AddError(Exception):
    """Nothing can be added (an unknown category, a folder that cannot be created)."""


@dataclass(frozen=True, slots=True)
class Added:
    origin: str
    paper: Paper
    path: Path


@dataclass(frozen=True, slots=True)
class Duplicate:
    origin: str
    existing: Paper


@dataclass(frozen=True, slots=True)
class Failed:
    origin: str
    message: str


Outcome = Added | Duplicate | Failed


def _title_key(title: str) -> str:
    return re.sub(r"[\W_]+", "", title.casefold())


def _work_key(title: str, authors: Sequence[str], year: int) -> tuple[str, str, int] | None:
    """Same normalised title, same first author's family name, same year: the same work. A title
    alone is not enough ("Introduction", "Letters" are many papers)."""
    title_key = _title_key(title)
    return (title_key, last_name(authors[0]) if authors else "", year) if title_key else None


def _where_in_venue(bib: Bibliography | None) -> tuple[str, str, str]:
    """Volume, number and pages: two "Calendar"s of one year by "Anonymous" in different issues
    of a journal are two works."""
    return (bib.get("volume"), bib.get("number"), bib.get("pages")) if bib is not None else ("", "", "")


def _same_place(one: Bibliography | None, other: Bibliography | None) -> bool:
    return all(not a or not b or a == b for a, b in zip(_where_in_venue(one), _where_in_venue(other), strict=True))


def _doi(paper: Paper | NewPaper) -> str:
    """The DOI a paper names, case folded: its bibliographic `doi`, else its doi.org link."""
    doi = (paper.bib.get("doi").strip() if paper.bib is not None else "") or doi_in_link(paper.url) or ""
    return doi_key(doi) if doi else ""


def read_folder(folder: Path) -> list[FileRecords]:
    """Every data file's records under `folder`, parsed."""
    return [parse_file(path) for path in find_files([folder])[0]]


class Adder:
    """Adds papers to `folder`, knowing the papers of `catalog` and those already in the folder."""

    def __init__(
        self,
        folder: Path,
        catalog: Catalog,
        category: str = INBOX,
        read: Callable[[Path], Iterable[FileRecords]] = read_folder,
    ) -> None:
        """`read`: every file's records under the folder (`store.cache.folder_records` reads
        them through the cache: parsing 20,000 one-paper files took 8 s an add)."""
        self.folder = folder
        self.category = category
        # The folder's own files count even when they are not among the data in use (--data),
        # whatever their category: a file there must never be shadowed or overwritten.
        own: list[Paper] = []
        own_categories: dict[str, Category] = {}
        if folder.is_dir():
            for records in read(folder):
                own += records.papers
                own_categories.update((c.id, c) for c in records.categories)
        self.categories = {**own_categories, **catalog.categories}
        self._ids = set(catalog.by_id) | {p.id for p in own}
        self._by_arxiv: dict[str, Paper] = {}
        self._by_work: dict[tuple[str, str, int], list[Paper]] = {}
        self._by_doi: dict[str, Paper] = {}
        self.origins: dict[str, str] = {}  # id -> where a paper added by this Adder came from
        for paper in [*catalog.papers, *own]:
            self._remember(paper)

    def _remember(self, paper: Paper) -> None:
        if paper.arxiv:
            self._by_arxiv.setdefault(bare(paper.arxiv), paper)
        work = _work_key(paper.title, paper.authors, paper.year)
        if work is not None:
            self._by_work.setdefault(work, []).append(paper)
        if _doi(paper):
            self._by_doi.setdefault(_doi(paper), paper)

    def prepare(self) -> None:
        """Make sure the category exists, creating the folder with its inbox; AddError if not."""
        if self.category != INBOX and self.category not in self.categories:
            known = ", ".join(sorted({*self.categories, INBOX}))
            raise AddError(f"unknown category '{one_line(self.category)}' (known: {known})")
        try:
            wrote = ensure_folder(self.folder)
            if self.category == INBOX and INBOX not in self.categories:
                wrote = write_inbox_category(self.folder) or wrote
        except OSError as err:
            raise AddError(f"cannot create {self.folder / CATEGORIES_FILE}: {err.strerror or err}") from None
        if wrote:
            self.categories.setdefault(INBOX, INBOX_CATEGORY)
        if self.category not in self.categories:
            raise AddError(
                f"there is no '{INBOX}' category: {self.folder / CATEGORIES_FILE} exists without it;"
                " define it there again, or name a category with --category"
            )

    def duplicate_of(self, paper: NewPaper) -> Paper | None:
        """The paper that is this one: the same DOI, arXiv id, or title, first author and year
        (in the same volume, number and pages, where both say)."""
        if _doi(paper) and _doi(paper) in self._by_doi:
            return self._by_doi[_doi(paper)]
        if paper.arxiv and bare(paper.arxiv) in self._by_arxiv:
            return self._by_arxiv[bare(paper.arxiv)]
        work = _work_key(paper.title, paper.authors, paper.date.year)
        same = self._by_work.get(work, []) if work is not None else []
        return next((other for other in same if _same_place(other.bib, paper.bib)), None)

    def origin_of(self, paper: Paper) -> str:
        """Where a paper came from, for a message: the entry it was added from, else its record."""
        if paper.id in self.origins:
            return self.origins[paper.id]
        return f"{paper.source}:{paper.line}" if paper.source and paper.line else paper.source

    def known_arxiv(self, arxiv: str) -> Paper | None:
        return self._by_arxiv.get(bare(arxiv))

    def known_doi(self, doi: str) -> Paper | None:
        return self._by_doi.get(doi_key(doi))

    def add(self, paper: NewPaper, today: dt.date | None = None) -> Outcome:
        existing = self.duplicate_of(paper)
        if existing is not None:
            return Duplicate(paper.origin, existing)
        today = today or dt.date.today()
        try:
            with reserving(self.folder):
                paper_id = new_paper_id(paper, self._taken)
                table = paper.table(paper_id, self.category)
                record, findings = paper_from_table(table)
                if record is None:
                    return Failed(paper.origin, "; ".join(f.message for f in findings.errors))
                path = write_record(self.folder, paper_id, table, paper.origin, today.isoformat())
        except OSError as err:
            return Failed(paper.origin, f"cannot write to {self.folder}: {err.strerror or err}")
        record = replace(record, source=str(path), line=3)  # below the two-line header
        self._ids.add(record.id)
        self.origins[record.id] = paper.origin
        self._remember(record)
        return Added(paper.origin, record, path)

    def add_batch(
        self, papers: Sequence[NewPaper], origin: str, progress: Callable[[int, int], None] | None = None
    ) -> list[Outcome]:
        """Add the papers of one bibliography file `origin`, a thousand to a file (`BATCH`), in
        order; a file that cannot be written fails its papers only."""
        today = (dt.date.today()).isoformat()
        outcomes: list[Outcome | None] = []
        chunk: list[tuple[int, NewPaper, Paper, dict[str, object]]] = []
        with reserving(self.folder):
            for done, paper in enumerate(papers, start=1):
                outcomes.append(self._draft_into(paper, chunk, len(outcomes)))
                if len(chunk) == BATCH or (done == len(papers) and chunk):
                    self._write_chunk(chunk, origin, today, outcomes)
                    chunk = []
                if progress is not None and (done % 100 == 0 or done == len(papers)):
                    progress(done, len(papers))
        return [outcome for outcome in outcomes if outcome is not None]

    def _draft_into(
        self, paper: NewPaper, chunk: list[tuple[int, NewPaper, Paper, dict[str, object]]], place: int
    ) -> Outcome | None:
        existing = self.duplicate_of(paper)
        if existing is not None:
            return Duplicate(paper.origin, existing)
        paper_id = new_paper_id(paper, self._taken)
        table = paper.table(paper_id, self.category)
        record, findings = paper_from_table(table)
        if record is None:
            return Failed(paper.origin, "; ".join(f.message for f in findings.errors))
        self._ids.add(paper_id)  # taken now, so the next paper of the file gets another id
        self._remember(record)  # and a repeat later in the file is a duplicate of this one
        chunk.append((place, paper, record, table))
        return None  # told once its file is written

    def _write_chunk(
        self,
        chunk: list[tuple[int, NewPaper, Paper, dict[str, object]]],
        origin: str,
        today: str,
        outcomes: list[Outcome | None],
    ) -> None:
        try:
            path = batch_path(self.folder, Path(origin).stem, today)
            tables = [table for _, _, _, table in chunk]
            lines = write_batch(path, tables, [paper.origin for _, paper, _, _ in chunk], origin, today)
        except OSError as err:
            for place, paper, record, _ in chunk:
                self._ids.discard(record.id)
                outcomes[place] = Failed(paper.origin, f"cannot write to {self.folder}: {err.strerror or err}")
            return
        for (place, paper, record, _), line in zip(chunk, lines, strict=True):
            record = replace(record, source=str(path), line=line)
            self.origins[record.id] = paper.origin
            outcomes[place] = Added(paper.origin, record, path)

    def _taken(self, paper_id: str) -> bool:
        return paper_id in self._ids or record_path(self.folder, paper_id).exists()


Fetch = Callable[[Sequence[str]], tuple[dict[str, NewPaper], list[str]]]


def add_arxiv(texts: Iterable[str], adder: Adder, fetch: Fetch = fetch_papers) -> list[Outcome]:
    """Add the papers named by arXiv ids or URLs, one outcome per text in order.

    Ids already in the collection are not fetched; the rest are fetched in one request. When
    the API cannot be reached, every id still to fetch fails with that reason. ArxivCancelled
    (the caller stopped the fetch) is raised, not an outcome: nothing was added, nothing failed.
    """
    texts = list(texts)
    parsed: dict[int, ArxivId] = {}
    outcomes: dict[int, Outcome] = {}
    first: dict[str, int] = {}
    for index, text in enumerate(texts):
        arxiv = parse_arxiv_id(text)
        if arxiv is None:
            outcomes[index] = Failed(text, "not an arXiv id or arXiv URL (like 2302.13971 or hep-th/9901001)")
        elif (existing := adder.known_arxiv(arxiv.id)) is not None:
            outcomes[index] = Duplicate(text, existing)
        elif arxiv.id in first:
            outcomes[index] = Failed(text, f"given twice (as {texts[first[arxiv.id]]})")
        else:
            first[arxiv.id] = index
            parsed[index] = arxiv
    if parsed:
        try:
            found, messages = fetch([str(parsed[i]) for i in sorted(parsed)])
        except ArxivCancelled:
            raise
        except ArxivError as err:
            found, messages, error = {}, [], str(err)
        else:
            error = ""
        for index in sorted(parsed):
            text, arxiv = texts[index], parsed[index]
            if error:
                outcomes[index] = Failed(text, error)
            elif arxiv.id in found:
                # The file's header names the paper ("from arXiv 2302.13971"); the report, what was typed.
                outcomes[index] = replace(adder.add(replace(found[arxiv.id], origin=f"arXiv {arxiv.id}")), origin=text)
            else:
                said = f" (the API said: {'; '.join(messages)})" if messages else ""
                outcomes[index] = Failed(text, f"not found on arXiv{said}")
    return [outcomes[index] for index in range(len(texts))]


def add_drafts(
    papers: Sequence[NewPaper], adder: Adder, progress: Callable[[int, int], None] | None = None, origin: str = ""
) -> list[Outcome]:
    """Add each draft in order, into files of a thousand named after `origin` (the bibliography
    file; "" gives a file per paper); `progress(done, total)` hears how far it got."""
    if origin:
        return adder.add_batch(papers, origin, progress)
    outcomes = []
    for done, paper in enumerate(papers, start=1):
        outcomes.append(adder.add(paper))
        if progress is not None and (done % 100 == 0 or done == len(papers)):
            progress(done, len(papers))
    return outcomes


FetchWork = Callable[[str], Work | None]


def add_dois(texts: Iterable[str], adder: Adder, fetch: FetchWork = fetch_work) -> list[Outcome]:
    """Add the papers named by DOIs or doi.org links, one outcome per text in order.

    DOIs already in the collection are not fetched; the rest are asked one at a time. When a
    request fails (the network, the API), the DOIs after it are not asked and fail with the
    same reason: offline, ten DOIs must not wait ten deadlines. CrossrefCancelled is raised.
    """
    texts = list(texts)
    outcomes: list[Outcome] = []
    first: dict[str, str] = {}
    error = ""
    for text in texts:
        doi = parse_doi(text)
        if doi is None:
            outcomes.append(Failed(text, "not a DOI or doi.org link (like 10.1145/3292500.3330701)"))
        elif (existing := adder.known_doi(doi)) is not None:
            outcomes.append(Duplicate(text, existing))
        elif doi_key(doi) in first:
            outcomes.append(Failed(text, f"given twice (as {first[doi_key(doi)]})"))
        elif error:
            outcomes.append(Failed(text, error))
        else:
            first[doi_key(doi)] = text
            try:
                work = fetch(doi)
            except CrossrefCancelled:
                raise
            except CrossrefError as err:
                error = str(err)
                outcomes.append(Failed(text, error))
                continue
            outcomes.append(_add_work(text, work, adder))
    return outcomes


def _add_work(text: str, work: Work | None, adder: Adder) -> Outcome:
    if work is None:
        return Failed(text, "not found at Crossref")
    if not work.title:
        return Failed(text, "Crossref gives no title for it")
    return replace(adder.add(draft(work)), origin=text)


def add_identifiers(
    texts: Iterable[str], adder: Adder, fetch: Fetch = fetch_papers, fetch_doi: FetchWork = fetch_work
) -> list[Outcome]:
    """Add papers named by arXiv ids or links and by DOIs, mixed, one outcome per text in order.

    arXiv's own DOIs (10.48550/arXiv.…) are asked of arXiv, which knows them; Crossref does not.
    """
    texts = list(texts)
    arxiv: dict[int, str] = {}
    dois: dict[int, str] = {}
    outcomes: dict[int, Outcome] = {}
    for index, text in enumerate(texts):
        doi = None if parse_arxiv_id(text) else parse_doi(text)
        if doi is None:
            arxiv[index] = text
        elif (paper_id := arxiv_of(doi)) is not None:
            arxiv[index] = paper_id
        else:
            dois[index] = text
    for index, outcome in zip(arxiv, add_arxiv(arxiv.values(), adder, fetch), strict=True):
        outcomes[index] = replace(outcome, origin=texts[index])
        if isinstance(outcome, Failed) and outcome.message.startswith("not an arXiv id"):
            message = "not an arXiv id, arXiv link or DOI (like 2302.13971 or 10.1145/3292500.3330701)"
            outcomes[index] = Failed(texts[index], message)
    outcomes.update(zip(dois, add_dois(dois.values(), adder, fetch_doi), strict=True))
    return [outcomes[index] for index in range(len(texts))]
