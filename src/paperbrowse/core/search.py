"""Ranking papers against a query: one search core for the CLI and the TUI.

Everything that does not depend on the query (lower-cased haystacks, joined lists, category
sets) is computed once when the index is built; a keystroke only scans prepared strings, and
rapidfuzz does the per-string work in C.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from .catalog import Catalog
from .query import Query, Term, parse
from .records import Paper

# Field name, weight: a title hit outranks the same hit anywhere else.
FIELDS: tuple[tuple[str, float], ...] = (
    ("title", 1.0),
    ("id", 0.85),
    ("arxiv", 0.85),
    ("tags", 0.8),
    ("authors", 0.7),
    ("orgs", 0.7),
    ("summary", 0.5),
)
_SUBSEQUENCE_FIELDS = ("title", "id")
_SUBSEQUENCE_SCORE = 60.0
# Scattered letters are how people type abbreviations ("fa2"); a long needle scattered over a
# title is noise, and typos in long needles are rapidfuzz's job.
_SUBSEQUENCE_MAX = 5
_SEP = "\n"  # joins list fields so a prefix can anchor at any element


class UserState(Protocol):
    """What the user's library tells the search (stars, status, notes, their own tags)."""

    def is_starred(self, paper_id: str) -> bool: ...
    def status(self, paper_id: str) -> str: ...
    def has_note(self, paper_id: str) -> bool: ...
    def user_tags(self, paper_id: str) -> Sequence[str]: ...


class NoUserState:
    """A library with nothing in it: every paper unread, unstarred, without notes."""

    def is_starred(self, paper_id: str) -> bool:
        return False

    def status(self, paper_id: str) -> str:
        return "unread"

    def has_note(self, paper_id: str) -> bool:
        return False

    def user_tags(self, paper_id: str) -> Sequence[str]:
        return ()


@dataclass(frozen=True, slots=True)
class Hit:
    paper: Paper
    score: float


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[Hit]
    hints: tuple[str, ...]
    total: int  # papers searched


class SearchIndex:
    """The papers' searchable text, prepared once: a keystroke only scans it."""

    def __init__(self, catalog: Catalog, papers: Sequence[Paper] | None = None) -> None:
        self.catalog = catalog
        self.papers: list[Paper] = list(papers if papers is not None else catalog.in_display_order())
        papers = self.papers
        join = _SEP.join
        # One comprehension per field: a generic getattr loop costs seconds at 100,000 papers.
        self.text: dict[str, list[str]] = {
            "title": [p.title for p in papers],
            "id": [p.id for p in papers],
            "arxiv": [p.arxiv for p in papers],
            "tags": [join(p.tags) for p in papers],
            "authors": [join(p.authors) for p in papers],
            "orgs": [join(p.orgs) for p in papers],
            "summary": [p.summary for p in papers],
        }
        self.lower: dict[str, list[str]] = {name: [v.lower() for v in values] for name, values in self.text.items()}
        self._recency: list[int] | None = None

    @property
    def recency(self) -> list[int]:
        """Each paper's place when sorted newest first (then by title), computed on first use."""
        if self._recency is None:
            papers = self.papers
            order = sorted(range(len(papers)), key=lambda i: _recency_rank(papers[i]))
            rank = [0] * len(papers)
            for place, index in enumerate(order):
                rank[index] = place
            self._recency = rank
        return self._recency

    def __len__(self) -> int:
        return len(self.papers)

    def search(
        self,
        query: Query | str,
        user: UserState | None = None,
        *,
        within: Iterable[int] | None = None,
        limit: int | None = None,
    ) -> SearchResult:
        query = parse(query) if isinstance(query, str) else query
        user = user or NoUserState()
        hints = list(query.hints)
        candidates = list(within) if within is not None else list(range(len(self.papers)))
        scores = dict.fromkeys(candidates, 0.0)
        text_groups = 0
        for group in query.groups:
            if any(t.kind != "filter" and not t.negate for t in group):
                text_groups += 1
            group_scores: dict[int, float] = {}
            for term in group:
                for index, score in self._term(term, list(scores), user, hints).items():
                    if score > group_scores.get(index, -1.0):
                        group_scores[index] = score
            scores = {i: scores[i] + group_scores[i] for i in scores if i in group_scores}
            if not scores:
                break
        divisor = max(text_groups, 1)
        final = {i: round(score / divisor, 2) for i, score in scores.items()}
        recency = self.recency
        order = sorted(final, key=lambda i: (-final[i], recency[i]))
        if limit is not None:
            order = order[:limit]
        hits = [Hit(self.papers[i], final[i]) for i in order]
        return SearchResult(hits, tuple(dict.fromkeys(hints)), len(self.papers))

    # Each term maps the candidates it accepts to a score; negated terms accept with score 0.
    def _term(self, term: Term, candidates: list[int], user: UserState, hints: list[str]) -> dict[int, float]:
        if term.kind == "filter":
            accept = self._filter(term, user, hints)
            return {i: 0.0 for i in candidates if accept(i) != term.negate}
        if term.negate:
            matched = self._exact(term, candidates)
            return {i: 0.0 for i in candidates if i not in matched}
        if term.kind == "fuzzy":
            return self._fuzzy(term, candidates)
        return self._exact(term, candidates)

    def _haystacks(self, term: Term) -> dict[str, list[str]]:
        return self.text if term.case_sensitive else self.lower

    def _exact(self, term: Term, candidates: list[int]) -> dict[int, float]:
        needle = term.text if term.case_sensitive else term.text.lower()
        test = _EXACT_TESTS[term.kind]
        found: dict[int, float] = {}
        for name, weight in FIELDS:
            hay = self._haystacks(term)[name]
            for i in candidates:
                if weight * 100 > found.get(i, -1.0) and test(hay[i], needle):
                    found[i] = weight * 100
        return found

    def _fuzzy(self, term: Term, candidates: list[int]) -> dict[int, float]:
        """Substring or typo-tolerant match, best-weighted field first.

        A field is only scanned for the papers it could still improve: a title hit beats any
        summary hit, so a paper found in its title is not looked for in its summary. Summaries
        (long text) take exact substrings only: rapidfuzz over them costs more than all the
        other fields together, and a typo is caught where it matters, in the title.
        """
        needle = term.text if term.case_sensitive else term.text.lower()
        cutoff = _fuzzy_cutoff(needle)
        haystacks = self._haystacks(term)
        found: dict[int, float] = {}
        for name, weight in FIELDS:
            ceiling = weight * 100
            todo = [i for i in candidates if found.get(i, -1.0) < ceiling] if found else candidates
            hay = haystacks[name]
            if cutoff >= 100 or name == "summary":
                matches = [(i, 100.0) for i in todo if needle in hay[i]]
            else:
                matches = [
                    (key, score)
                    for _, score, key in process.extract(
                        needle, {i: hay[i] for i in todo}, scorer=fuzz.partial_ratio,
                        score_cutoff=cutoff, limit=None,
                    )
                ]  # fmt: skip
            for i, score in matches:
                if weight * score > found.get(i, -1.0):
                    found[i] = weight * score
        if len(needle) > _SUBSEQUENCE_MAX:
            return found
        pattern = _subsequence(needle)
        for name in _SUBSEQUENCE_FIELDS:
            hay = haystacks[name]
            weight = dict(FIELDS)[name]
            for i in candidates:
                if i not in found and pattern.match(hay[i]):
                    found[i] = weight * _SUBSEQUENCE_SCORE
        return found

    def _filter(self, term: Term, user: UserState, hints: list[str]):
        value = term.text if term.case_sensitive else term.text.lower()
        papers = self.papers
        if term.name == "cat":
            wanted = self.catalog.descendants(term.text) or self.catalog.descendants(term.text.lower())
            if not wanted:
                known = ", ".join(sorted(self.catalog.categories))
                hints.append(f"unknown category '{term.text}' (known: {known})")
            return lambda i: papers[i].category in wanted
        if term.name == "year":
            low, high = term.years or (0, 9999)
            return lambda i: low <= papers[i].date.year <= high
        if term.name in ("org", "author"):
            hay = self._haystacks(term)["orgs" if term.name == "org" else "authors"]
            return lambda i: value in hay[i]
        if term.name == "venue":
            if term.case_sensitive:
                return lambda i: value in papers[i].venue
            return lambda i: value in papers[i].venue.lower()
        if term.name == "tag":
            wanted_tag = term.text.lower()
            tags = self.lower["tags"]
            return lambda i: _in_list(tags[i], wanted_tag, start=True, whole=True) or wanted_tag in (
                t.lower() for t in user.user_tags(papers[i].id)
            )
        if term.name == "has":
            return lambda i: user.has_note(papers[i].id)
        state = term.text.lower()
        if state == "starred":
            return lambda i: user.is_starred(papers[i].id)
        return lambda i: user.status(papers[i].id) == state


def _recency_rank(paper: Paper) -> tuple:
    return (-paper.date.year, -paper.date.month, -paper.date.day, paper.title.lower(), paper.id)


def _fuzzy_cutoff(needle: str) -> float:
    """Short needles must match exactly: one typo in three letters matches everything."""
    if len(needle) <= 3:
        return 100.0
    if len(needle) <= 5:
        return 85.0
    return 78.0


def _in_list(hay: str, needle: str, *, start: bool, whole: bool = False) -> bool:
    """Whether a list item (items joined by _SEP) starts with, ends with or is the needle."""
    if whole:
        return (_SEP + hay + _SEP).find(_SEP + needle + _SEP) >= 0
    if start:
        return (_SEP + hay).find(_SEP + needle) >= 0
    return (hay + _SEP).find(needle + _SEP) >= 0


_EXACT_TESTS = {
    "exact": lambda hay, needle: needle in hay,
    "prefix": lambda hay, needle: _in_list(hay, needle, start=True),
    "suffix": lambda hay, needle: _in_list(hay, needle, start=False),
    "whole": lambda hay, needle: _in_list(hay, needle, start=True, whole=True),
}

_SUBSEQUENCE_CACHE: dict[str, re.Pattern[str]] = {}


def _subsequence(needle: str) -> re.Pattern[str]:
    """A regex matching the needle's characters in order; `[^c]*c` never backtracks badly."""
    pattern = _SUBSEQUENCE_CACHE.get(needle)
    if pattern is None:
        parts = [f"[^{re.escape(c)}]*({re.escape(c)})" for c in needle if not c.isspace()]
        pattern = re.compile("".join(parts), re.DOTALL)
        if len(_SUBSEQUENCE_CACHE) > 256:
            _SUBSEQUENCE_CACHE.clear()
        _SUBSEQUENCE_CACHE[needle] = pattern
    return pattern


def highlight_positions(query: Query | str, text: str) -> list[int]:
    """Indices of the characters in `text` (a title, say) that the query's terms matched."""
    query = parse(query) if isinstance(query, str) else query
    positions: set[int] = set()
    # Lower-case one character at a time so positions stay aligned ('İ'.lower() is two chars).
    lowered = "".join(char.lower()[:1] for char in text)
    for term in query.text_terms():
        hay = text if term.case_sensitive else lowered
        needle = term.text if term.case_sensitive else term.text.lower()
        positions.update(_term_positions(term, hay, needle))
    return sorted(p for p in positions if p < len(text))


def _term_positions(term: Term, hay: str, needle: str) -> Iterable[int]:
    if term.kind == "prefix":
        return range(len(needle)) if hay.startswith(needle) else ()
    if term.kind == "suffix":
        return range(len(hay) - len(needle), len(hay)) if hay.endswith(needle) else ()
    if term.kind == "whole":
        return range(len(hay)) if hay == needle else ()
    start = hay.find(needle)
    if start >= 0:
        return range(start, start + len(needle))
    if term.kind != "fuzzy":
        return ()
    cutoff = _fuzzy_cutoff(needle)
    if cutoff < 100:
        alignment = fuzz.partial_ratio_alignment(needle, hay, score_cutoff=cutoff)
        if alignment is not None:
            window = hay[alignment.dest_start : alignment.dest_end]
            return [
                alignment.dest_start + j
                for op in Levenshtein.opcodes(needle, window)
                if op.tag == "equal"
                for j in range(op.dest_start, op.dest_end)
            ]
    match = _subsequence(needle).match(hay) if len(needle) <= _SUBSEQUENCE_MAX else None
    if match:
        return [match.start(g) for g in range(1, (match.lastindex or 0) + 1)]
    return ()
