"""The loaded collection: papers by id, the category tree, and the problems found on the way."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Any

from paperbrowse.core.records.loader import FileRecords, find_files, parse_file
from paperbrowse.core.records.pieces import PIECE, pieces, sorted_in_pieces
from paperbrowse.core.records.problems import Problem
from paperbrowse.core.records.schema import Category, Paper

# Categories nested deeper than this start a new top level, with a problem: no real taxonomy
# comes close (arXiv's has two levels, ACM's six), and the tree, the Markdown headings and
# the add dialog's indented list stop making sense long before.
MAX_CATEGORY_DEPTH = 32


def _where(record: Paper | Category) -> str:
    return f"{record.source}:{record.line}" if record.line else record.source


# repr=False: Textual names a worker after the repr of its arguments, and the generated repr
# of a catalog spells out every paper (0.3 s at 10,000 papers, on the UI thread).
@dataclass(slots=True, repr=False)
class Catalog:
    papers: list[Paper]
    categories: dict[str, Category]
    problems: list[Problem] = field(default_factory=list)
    # Where the records came from, so that the same collection can be loaded again after a
    # paper was added; empty for a catalog built in memory.
    sources: tuple[str, ...] = ()
    by_id: dict[str, Paper] = field(init=False)
    children: dict[str | None, list[str]] = field(init=False)
    # Derived data other core modules compute once per catalog (related papers), keyed by
    # module: a catalog never changes after loading, so neither does what is derived from it.
    derived: dict[str, Any] = field(init=False, repr=False, compare=False)
    _built_on_by: dict[str, list[str]] = field(init=False)
    _descendants: dict[str, frozenset[str]] = field(init=False)
    _counts: Counter[str] = field(init=False)

    def __repr__(self) -> str:
        return f"<Catalog: {len(self.papers)} papers, {len(self.categories)} categories>"

    def __post_init__(self) -> None:
        papers = self.papers
        # C-level passes (a million papers), a piece at a time: a reload builds this in a thread.
        self.by_id = {}
        for piece in pieces(len(papers)):
            self.by_id.update(zip(map(attrgetter("id"), papers[piece]), papers[piece], strict=True))
        self.children = {}
        for category in sorted(self.categories.values(), key=lambda c: (c.order, c.name.lower())):
            self.children.setdefault(category.parent, []).append(category.id)
        self._descendants = self._collect_descendants()
        self._counts = Counter()
        for piece in pieces(len(papers)):
            self._counts.update(map(attrgetter("category"), papers[piece]))
        self.derived = {}
        self._built_on_by = {}
        for paper in filter(attrgetter("builds_on"), papers):  # the few that link to others
            for other in paper.builds_on:
                if other in self.by_id:
                    self._built_on_by.setdefault(other, []).append(paper.id)

    def _collect_descendants(self) -> dict[str, frozenset[str]]:
        """Each category reachable from the top with everything below it, children before
        parents, without recursion: a chain thousands deep is only a long list."""
        order = [row[1].id for row in self.tree()]
        found: dict[str, frozenset[str]] = {}
        for category_id in reversed(order):
            below = {category_id}
            for child in self.children.get(category_id, ()):
                below |= found[child]
            found[category_id] = frozenset(below)
        return found

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def descendants(self, category_id: str) -> frozenset[str]:
        """The category and everything nested below it (empty when unknown)."""
        return self._descendants.get(category_id, frozenset())

    def count(self, category_id: str) -> int:
        """Papers in a category and its children, from counts taken once at load."""
        return sum(self._counts[c] for c in self.descendants(category_id))

    def builds_on(self, paper: Paper) -> list[Paper]:
        """The papers of this collection that `paper` names in `builds_on`, in its order."""
        return [self.by_id[other] for other in paper.builds_on if other in self.by_id]

    def built_on_by(self, paper_id: str) -> list[Paper]:
        """The papers that name this one in their `builds_on`, oldest first."""
        found = [self.by_id[other] for other in self._built_on_by.get(paper_id, [])]
        return sorted(found, key=lambda p: (p.date, p.title.lower()))

    def tree(self) -> list[tuple[int, Category]]:
        """Every category depth-first in display order, with its depth."""
        rows: list[tuple[int, Category]] = []
        seen: set[str] = set()  # a catalog built by hand may hold a cycle: each category once
        stack = [(0, category_id) for category_id in reversed(self.children.get(None, []))]
        while stack:
            depth, category_id = stack.pop()
            if category_id in seen:
                continue
            seen.add(category_id)
            rows.append((depth, self.categories[category_id]))
            stack.extend((depth + 1, child) for child in reversed(self.children.get(category_id, [])))
        return rows

    def newest_first(self) -> list[int]:
        """Places in `papers`, newest first, then by title and id: how search results tie."""
        order: list[int] | None = self.derived.get("newest_first")
        if order is None:
            papers = self.papers
            order = self.derived["newest_first"] = sorted_in_pieces(len(papers), lambda i: newest_first(papers[i]))
        return order

    def tag_counts(self) -> Counter[str]:
        """Papers per tag of the records themselves, case-insensitively, counted once."""
        found: Counter[str] | None = self.derived.get("tag_counts")
        if found is None:
            found = Counter()
            papers = self.papers
            for piece in pieces(len(papers)):  # a piece at a time: a reload counts them in a thread
                found.update(tag for paper in papers[piece] for tag in {t.lower() for t in paper.tags})
            self.derived["tag_counts"] = found
        return found

    def in_display_order(self) -> list[Paper]:
        """Papers grouped by category in tree order, newest first within each."""
        rank = {category.id: index for index, (_, category) in enumerate(self.tree())}
        return sorted(self.papers, key=lambda p: (rank.get(p.category, len(rank)), newest_first(p)))


NewestFirst = tuple[int, int, int, str, str]


def newest_first(paper: Paper) -> NewestFirst:
    """Sort key: the newest paper first, then by title and id (how search results tie)."""
    return (-paper.date.year, -paper.date.month, -paper.date.day, paper.title.lower(), paper.id)


def settle(catalog: Catalog) -> Catalog:
    """Compute now what the browser's panes ask of a catalog once it is shown (its search
    order, its tag counts), which a catalog otherwise computes when first asked: a catalog
    loaded in a thread should not leave a pass over every paper to the UI thread."""
    catalog.newest_first()
    catalog.tag_counts()
    return catalog


def dismantle(catalog: Catalog, pause: Callable[[], None]) -> None:
    """Take apart a catalog that nothing else holds, a piece at a time, calling `pause` between
    pieces. Dropped whole, its papers are freed in one C-level cascade: 35-110 ms of the
    interpreter at 100,000 papers. A paper another catalog shares (a reload keeps the records of
    unchanged files) lives on: nothing here changes a paper."""
    catalog.derived.clear()  # the search order, the texts, a reload's kept scan and load
    pause()
    # A list or dict that something else holds too (a list of results may be the catalog's own
    # list) is left whole: its papers are freed where that lets go.
    if sys.getrefcount(catalog.by_id) <= _HELD_BY_CATALOG:
        catalog.by_id.clear()
        pause()
    papers = catalog.papers
    if sys.getrefcount(papers) <= _HELD_BY_CATALOG + 1:  # + 1: the name `papers`
        while papers:
            del papers[-PIECE:]
            pause()


_HELD_BY_CATALOG = 2  # sys.getrefcount of a value only the catalog holds (the call's argument too)


def build_catalog(files: Sequence[FileRecords], extra_problems: Iterable[Problem] = ()) -> Catalog:
    """Join per-file records, checking what only the whole collection can tell."""
    problems: list[Problem] = list(extra_problems)
    categories: dict[str, Category] = {}
    for records in files:
        problems.extend(records.problems)
        for category in records.categories:
            first_category = categories.get(category.id)
            if first_category is not None:
                problems.append(
                    Problem(
                        category.source,
                        category.line,
                        f"duplicate category id '{category.id}' (first defined at {_where(first_category)}; this one skipped)",
                    )
                )
                continue
            categories[category.id] = category
    categories = _fix_parents(categories, problems)
    papers: list[Paper] = []
    seen: dict[str, Paper] = {}
    for records in files:
        for paper in records.papers:
            first_paper = seen.get(paper.id)
            if first_paper is not None:
                problems.append(
                    Problem(
                        paper.source,
                        paper.line,
                        f"duplicate id '{paper.id}' (first defined at {_where(first_paper)}; this one skipped)",
                    )
                )
                continue
            if paper.category not in categories:
                known = ", ".join(sorted(categories)) or "none defined"
                problems.append(
                    Problem(
                        paper.source,
                        paper.line,
                        f"paper '{paper.id}': unknown category '{paper.category}' (known: {known}; record skipped)",
                    )
                )
                continue
            seen[paper.id] = paper
            papers.append(paper)
    for paper in papers:
        for other in paper.builds_on:
            if other not in seen:
                problems.append(
                    Problem(
                        paper.source,
                        paper.line,
                        f"paper '{paper.id}': builds_on names '{other}', which is not in the data (kept)",
                        "warning",
                    )
                )
    return Catalog(papers, categories, problems)


def _fix_parents(categories: Mapping[str, Category], problems: list[Problem]) -> dict[str, Category]:
    """Unknown parents, cycles and chains deeper than MAX_CATEGORY_DEPTH would hide categories
    (or overflow every walk): report them and start a new top level there.

    Linear: each category's chain is walked once, and what is learned about it (where it
    reaches the top, how deep it sits) is kept for every category met on the way.
    """
    fixed = dict(categories)

    def detach(category: Category, why: str) -> None:
        problems.append(Problem(category.source, category.line, f"category '{category.id}': {why}"))
        fixed[category.id] = replace(category, parent=None)

    for category in categories.values():
        if category.parent is not None and category.parent not in categories:
            detach(category, f"unknown parent '{category.parent}' (shown at the top level)")
    # Cycles: follow parents from each category not yet settled; meeting the walk's own path
    # again closes a loop, meeting a settled category (or the top) ends the walk.
    settled: set[str] = set()
    for start in categories:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = start
        while current is not None and current not in settled:
            if current in on_path:
                # Detach the category where the walk closed the loop: it is in the cycle, while
                # the one we started from may merely hang below it.
                detach(fixed[path[-1]], "parents form a cycle (shown at the top level)")
                break
            path.append(current)
            on_path.add(current)
            current = fixed[current].parent
        settled.update(path)
    # Depth: a category's is its parent's plus one, found from the top down; a category that
    # would sit deeper than the limit starts a new top level, and what hangs below it follows.
    depth: dict[str, int] = {}
    for start in categories:
        path = []
        current = start
        while current is not None and current not in depth:
            path.append(current)
            current = fixed[current].parent
        level = -1 if current is None else depth[current]
        for category_id in reversed(path):
            level += 1
            if level >= MAX_CATEGORY_DEPTH:
                detach(
                    fixed[category_id],
                    f"nested {level + 1} levels deep, more than {MAX_CATEGORY_DEPTH} (shown at the top level)",
                )
                level = 0
            depth[category_id] = level
    return fixed


def load_catalog(sources: Iterable[str | os.PathLike[str]]) -> Catalog:
    names = [str(source) for source in sources]
    files, problems = find_files(names)
    catalog = build_catalog([parse_file(path) for path in files], problems)
    catalog.sources = tuple(names)
    return catalog
