"""Ranking papers against a query: one search core for the CLI and the TUI.

The index keeps its papers newest first, so "best score, then newest" is a stable sort by
score alone. Every term becomes a set of papers and their points held in lanes (one byte per
paper in one big int, see `paper_sets`): a keystroke costs a few C-level passes over the
collection, never a Python loop over it. Text terms look words up in per-field word indexes
(see `word_index`) instead of scanning the papers, and a term's result is kept, so typing
the next word of a query only computes that word.

Its long columns (papers, texts, lower-cased texts, years) are tuples, not lists: CPython's
collector stops tracking a tuple of strings or numbers the first time it looks at one, while a
list is walked item by item in every full collection (12 ms at 100,000 papers, ten times that
at 1,000,000, which a keystroke would pay whenever one fell during typing).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, compress, repeat
from operator import attrgetter
from typing import Any, Protocol, TypeVar, overload

from paperbrowse.core.records.catalog import Catalog, newest_first
from paperbrowse.core.records.schema import Paper
from paperbrowse.core.search import paper_sets
from paperbrowse.core.search.filters import filter_mask
from paperbrowse.core.search.matching import (
    ACRONYM,
    EXACT_TESTS,
    FIELDS,
    INSIDE_WORD,
    SEP,
    SHORT_NEEDLE,
    SUBSEQUENCE_MAX,
    TYPO_SHARE,
    WEIGHTS,
    WHOLE_WORD,
    WORD_START,
    WORD_STARTS,
    fuzzy_cutoff,
)
from paperbrowse.core.search.query import Kind, Query, Term, parse
from paperbrowse.core.search.subsequence import SubsequencePlanes, supports
from paperbrowse.core.search.user_state import NoUserState, UserState
from paperbrowse.core.search.word_index import WordIndex, Words
from paperbrowse.core.search.word_starts import word_start_match

_T = TypeVar("_T")

__all__ = ["Hit", "NoUserState", "PaperView", "SearchIndex", "SearchResult", "UserState"]

_KEPT = 64  # term results (and subsequence candidates) kept for the next keystrokes
# Where a typo is forgiven: not in ids or arXiv numbers (one digit off is another paper), nor
# in summaries (prose holds a near miss of almost any word).
TYPO_FIELDS = frozenset({"title", "aliases", "tags", "authors", "orgs"})
_LIST_FIELDS = frozenset({"tags", "authors", "orgs", "aliases"})  # searched as their items joined by SEP
# Where a short needle inside a word still counts: fields short enough that it is not chance.
_SHORT_FIELDS = frozenset({"title", "aliases", "id", "arxiv", "tags"})


class StoredColumns(Protocol):
    """Texts kept outside the papers, row i for catalog.papers[i]: a snapshot's texts file
    (`store.texts.TextStore`), which the store leaves in `catalog.derived["texts"]`."""

    fields: Sequence[str]
    count: int

    def column(self, field: str, start: int = 0, stop: int | None = None) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class Hit:
    paper: Paper
    score: float


class PaperView(Sequence[Paper]):
    """Found papers in rank order, read through their places: no list of 100,000 references
    is built for a list widget that shows forty rows."""

    __slots__ = ("_papers", "_places")

    def __init__(self, papers: Sequence[Paper], places: Sequence[int]) -> None:
        self._papers, self._places = papers, places

    def __len__(self) -> int:
        return len(self._places)

    @overload
    def __getitem__(self, item: int) -> Paper: ...
    @overload
    def __getitem__(self, item: slice) -> list[Paper]: ...
    def __getitem__(self, item: int | slice) -> Paper | list[Paper]:
        if isinstance(item, slice):
            return list(map(self._papers.__getitem__, self._places[item]))
        return self._papers[self._places[item]]

    @property
    def papers(self) -> Sequence[Paper]:
        return self._papers

    @property
    def places(self) -> Sequence[int]:
        return self._places

    def __iter__(self) -> Iterator[Paper]:
        return map(self._papers.__getitem__, self._places)


class SearchResult:
    """The papers found, best first. Paper lists and scores are only built when asked for."""

    def __init__(
        self,
        index: SearchIndex,
        order: Sequence[int],
        values: tuple[int, int],
        divisor: int,
        hints: Iterable[str],
        matched: int,
    ) -> None:
        self.positions = order  # places in index.papers
        self._index = index
        self._values = values  # (lanes holding points + 1, the lane width)
        self._divisor = divisor
        self.hints: tuple[str, ...] = tuple(hints)
        self.total = index.count  # papers searched
        self.matched = matched  # papers found, before a limit cut the list

    def __len__(self) -> int:
        return len(self.positions)

    @property
    def view(self) -> PaperView:
        """The papers, without building their list (see PaperView)."""
        return PaperView(self._index.papers, self.positions)

    @cached_property
    def papers(self) -> list[Paper]:
        return list(map(self._index.papers.__getitem__, self.positions))

    @cached_property
    def scores(self) -> list[float]:
        values, width = self._values
        found = paper_sets.values_at(values, self._index.count, width, self.positions)
        return [round((value - 1) / self._divisor, 2) for value in found]

    @cached_property
    def points(self) -> list[int]:
        """Each found paper's points, as ranked (a score before its scaling)."""
        values, width = self._values
        return [value - 1 for value in paper_sets.values_at(values, self._index.count, width, self.positions)]

    @cached_property
    def hits(self) -> list[Hit]:
        return list(map(Hit, self.papers, self.scores))


class SearchIndex:
    """The papers' searchable text, prepared once: a keystroke never walks the papers."""

    def __init__(self, catalog: Catalog, papers: Sequence[Paper] | None = None, *, ordered: bool = False) -> None:
        """`papers`: a part of the catalog's, newest first already when `ordered`."""
        self.catalog = catalog
        store: StoredColumns | None = None
        # The catalog's row of each paper here (None: the index holds a part of the catalog).
        self.rows: Sequence[int] | None = None
        if papers is None:  # the catalog's order, which a snapshot brings along
            places = self.rows = catalog.newest_first()
            self.papers: tuple[Paper, ...] = _mapped(catalog.papers.__getitem__, places)  # in pieces: see _PIECE
            store = catalog.derived.get("texts")
        else:
            self.papers = tuple(papers) if ordered else tuple(sorted(papers, key=newest_first))
        self.count = len(self.papers)
        self.all = paper_sets.ones(self.count)
        self._lower: dict[str, tuple[str, ...]] = {}
        self._words: dict[tuple[str, bool], Words] = {}
        self._terms: dict[tuple[Kind, str, bool], tuple[int, int]] = {}
        self._subsequence_found: dict[tuple[str, bool], int] = {}  # needle -> titles it may match at word starts
        self._letters: dict[tuple[str, bool], int] = {}  # letter -> titles holding it
        self._subsequence_planes: SubsequencePlanes | None = None  # see prepare_keystrokes
        # "read" while the titles' layout is read from the cache (see `store.kept_search.prepare_layout`):
        # a first query whose letters are in most titles waits for that read (`_subsequence`),
        # until `layout_settled` (set once the read ended, whether it found the layout or not).
        self.layout_from = ""
        self.layout_settled = threading.Event()
        self._counted = threading.Lock()
        self._searches = self._waiting = 0  # searches running, and of those waiting for the layout
        self._build = threading.Lock()  # a stale search still running and a new one build once
        # Held while the word indexes are loaded or built for the whole index (see
        # `store.kept_search.prepare_search`): a search that needs them waits for that one load
        # instead of building them all again beside it.
        self.preparing = threading.Lock()
        # How they come: "" (not yet asked for), "read" (kept from an earlier start: a fraction
        # of a second) or "build" (seconds): a search typed meanwhile waits for a read and
        # answers a build's wait from the texts (see `scan`).
        self.words_from = ""
        self._kept: dict[tuple[object, ...], int] = {}  # filter results (see `kept`)
        self.derived: dict[str, Sequence[int]] = {}  # orders built once (see `sort_orders`)
        self.text: dict[str, tuple[str, ...]] = _Columns(self.papers, store, places if store else None)

    def __len__(self) -> int:
        return self.count

    @cached_property
    def positions(self) -> dict[str, int]:
        """Paper id -> its place in `papers`."""
        return {p.id: i for i, p in enumerate(self.papers)}

    def kept(self, key: tuple[object, ...], build: Callable[[], int]) -> int:
        """A result that only depends on the collection (a filter's papers), built once."""
        found = self._kept.get(key)
        if found is None:
            if len(self._kept) >= _KEPT:
                self._kept.clear()
            found = self._kept[key] = build()
        return found

    @cached_property
    def title_lengths(self) -> Sequence[int]:
        """Each title's length: among papers a query scores alike, the shortest title is the
        one whose words the query covers best. Kept in the cache with the titles' layout
        (`adopt_layout`); a search before either reads the few lengths it needs (`_tiebreak`)."""
        return _mapped(len, self.text["title"])

    def _tiebreak(self) -> Sequence[int]:
        """The titles' lengths, or, until they are all known, a view that measures a title when
        asked: a ranking reads those of at most `paper_sets.TIEBREAK_MAX` papers."""
        lengths: Sequence[int] | None = self.__dict__.get("title_lengths")
        return lengths if lengths is not None else _TitleLengths(self)

    @cached_property
    def years(self) -> tuple[int, ...]:
        """Each paper's year, for `year:` filters."""
        return tuple(p.date.year for p in self.papers)

    # Prepared lazily: the first search that needs a field pays for it, once.
    def texts(self, field: str, case: bool) -> tuple[str, ...]:
        """A field's values: as written (`case`), or lower-cased."""
        if case:
            return self.text[field]
        found = self._lower.get(field)
        if found is None:
            with self._build:
                found = self._lower.get(field)
                if found is None:
                    found = self._lower[field] = _mapped(str.lower, self.text[field])
        return found

    def words(self, field: str, case: bool = False, pause: Callable[[], None] | None = None) -> Words:
        found = self._words.get((field, case))
        if found is None:
            with self._build:
                found = self._words.get((field, case))
                if found is None:
                    values = self.text[field]
                    texts = values if case else map(str.lower, values)
                    found = self._words[field, case] = WordIndex(texts, self.count, pause)
        return found

    def prepare(self, pause: Callable[[], None] | None = None) -> None:
        """Build every word index a search can use (lower-cased), so no keystroke waits for one.
        `pause`: called between slices of the build (see WordIndex). A search needs nothing
        else: it reads the titles it tests and the lengths it ranks by (see `_tiebreak`)."""
        for name, _ in FIELDS:
            self.words(name, pause=pause)

    def prepare_keystrokes(self, pause: Callable[[], None] | None = None) -> None:
        """What only a session of keystrokes pays back: the titles laid out for the word-start
        test (0.3 s at 100,000 papers, more than a one-off search spends on the test), and
        their lengths. `pause`: called between build steps (see `SubsequencePlanes`)."""
        if self._subsequence_planes is None:
            planes = SubsequencePlanes(self.texts("title", False), self.texts("title", True), pause)
            _ = self.title_lengths
            self._subsequence_planes = planes

    def layout(self) -> tuple[SubsequencePlanes, Sequence[int]] | None:
        """The titles' layout and lengths once built, to keep for the next start."""
        planes = self._subsequence_planes
        lengths: Sequence[int] | None = self.__dict__.get("title_lengths")
        return None if planes is None or lengths is None else (planes, lengths)

    def adopt_layout(self, planes: SubsequencePlanes, lengths: Sequence[int]) -> bool:
        """The titles' layout and lengths kept from an earlier start of the same data (see
        `layout`); False (and nothing adopted) when they are not of this index's size."""
        if planes.count != self.count or len(lengths) != self.count:
            return False
        self.__dict__.setdefault("title_lengths", lengths)
        if self._subsequence_planes is None:
            self._subsequence_planes = planes
        return True

    def ready(self) -> bool:
        """Whether every word index a search can use is built (or adopted)."""
        return len(self.word_state()) == len(FIELDS)

    def word_state(self) -> dict[str, Words]:
        """The lower-cased word indexes built (or carried) so far."""
        return {field: words for (field, case), words in self._words.items() if not case}

    def adopt_words(self, state: Mapping[str, Words]) -> None:
        """Word indexes kept from an earlier start of the same data (see `word_state`), or carried
        from the index this one replaces (`carried_words`)."""
        for field, words in state.items():
            if field in WEIGHTS and words.count == self.count:
                self._words.setdefault((field, False), words)

    def search(
        self,
        query: Query | str,
        user: UserState | None = None,
        *,
        within: Iterable[int] | None = None,
        limit: int | None = None,
    ) -> SearchResult:
        with self._counted:
            self._searches += 1
        try:
            return self._search(query, user, within, limit)
        finally:
            with self._counted:
                self._searches -= 1

    def searching(self) -> bool:
        """Whether a search runs now that does not wait for the titles' layout: the layout's
        read gives way to it (see `store.kept_search.prepare_layout`)."""
        return self._searches > self._waiting

    def _search(
        self, query: Query | str, user: UserState | None, within: Iterable[int] | None, limit: int | None
    ) -> SearchResult:
        query = parse(query) if isinstance(query, str) else query
        user = user or NoUserState()
        hints = list(query.hints)
        count = self.count
        matched = self.all if within is None else paper_sets.from_positions(within, count)
        text_groups = sum(any(t.kind != "filter" and not t.negate for t in group) for group in query.groups)
        # Points per group reach 100: a byte holds two groups' sum, two bytes 655 groups'.
        width = 1 if text_groups <= 2 else 2 if text_groups <= 655 else 4
        total = 0
        for group in query.groups:
            found, points = 0, 0
            for term in group:
                if term.kind == "filter":
                    mask, scored = filter_mask(self, term, user, hints), 0
                    if term.negate:
                        mask = self.all & ~mask
                else:
                    mask, scored = self._text_term(term)
                found |= mask
                points = paper_sets.lane_max(points, scored, count) if points and scored else points or scored
            matched &= found
            if not matched:
                break
            total += paper_sets.widen(points, count, width) if width > 1 else points
        wide = paper_sets.widen(matched, count, width) if width > 1 else matched
        values = (total & (wide * (256**width - 1))) + wide  # 0: not found; else points + 1
        # Equal scores: the shorter title first (fzf's tiebreak), then the newer paper.
        order = paper_sets.ranked(values, count, width, self._tiebreak() if text_groups else None)
        matched = len(order)
        if limit is not None:
            order = order[: max(limit, 0)]
        return SearchResult(self, order, (values, width), max(text_groups, 1), dict.fromkeys(hints), matched)

    # --- text terms: (the papers matched, their points) -----------------------------------------

    def _text_term(self, term: Term) -> tuple[int, int]:
        key = (term.kind, term.text, term.negate)
        found = self._terms.get(key)
        if found is None:
            case = term.case_sensitive  # smart case
            if term.negate:  # `!term`: the papers without an exact occurrence, scored 0
                kind = "exact" if term.kind == "fuzzy" else term.kind
                found = (self.all & ~self._exact(kind, term.text, case)[0], 0)
            elif term.kind == "fuzzy":
                found = self._fuzzy(term.text, case)
            else:
                found = self._exact(term.kind, term.text, case)
            if len(self._terms) >= _KEPT:
                self._terms.clear()
            self._terms[key] = found
        return found

    def field_matches(self, field: str, kind: str, needle: str, case: bool) -> int:
        """The papers whose field matches the needle the way `kind` says (see EXACT_TESTS)."""
        if not case:
            needle = needle.lower()
        test = EXACT_TESTS[kind]
        if needle.split() != [needle]:  # spaces (a quoted phrase): no word index can answer
            return paper_sets.from_flags(bytes(test(value, needle) for value in self.texts(field, case)))
        words = self.words(field, case)
        if kind in ("exact", "fuzzy"):
            return words.papers(words.containing(needle))
        found = words.papers(words.ending(needle) if kind == "suffix" else words.starting(needle))
        # The word index finds the papers holding such a word; the anchor (the start of the
        # field or of a list item) is checked on those.
        where = paper_sets.positions(found, self.count)
        values = self.field_texts(field, where)
        if not case:
            values = map(str.lower, values)
        return paper_sets.from_positions(list(compress(where, map(test, values, repeat(needle)))), self.count)

    def field_texts(self, field: str, where: Iterable[int]) -> Iterable[str]:
        """The field's text of the papers at `where`, without building the whole column: a
        snapshot's summaries stay on disk until read (see `store.texts`)."""
        if field in self.text:
            return map(self.text[field].__getitem__, where)
        values = map(attrgetter(field), map(self.papers.__getitem__, where))
        return map(SEP.join, values) if field in _LIST_FIELDS else values

    def row_texts(self, field: str, start: int, stop: int) -> list[str]:
        """The field's text of the catalog's papers `start` to `stop` (rows: the catalog's
        order, see `rows`), read in bulk and not kept: a snapshot's summaries from its texts
        file at once, not a read per paper."""
        store: StoredColumns | None = self.catalog.derived.get("texts")
        if store is not None and field in store.fields:
            values: list[Any] = store.column(field, start, stop)
        else:
            values = list(map(attrgetter(field), self.catalog.papers[start:stop]))
        return list(map(SEP.join, values)) if field in _LIST_FIELDS else values

    def _exact(self, kind: str, needle: str, case: bool) -> tuple[int, int]:
        return _best_first(
            [(round(weight * 100), self.field_matches(name, kind, needle, case)) for name, weight in FIELDS]
        )

    def _fuzzy(self, needle: str, case: bool) -> tuple[int, int]:
        """How the needle meets each field's words, best first: a whole word, a word's start,
        the initials of consecutive title words, inside a word, a typo, title words' starts.

        A typo is forgiven word by word, in the fields people type from memory (TYPO_FIELDS).
        A short needle inside a word counts only in short fields, and its letters are never
        taken scattered inside words: "moe" is not "model" (the cutoff).
        """
        cutoff = fuzzy_cutoff(needle)
        lowered = needle if case else needle.lower()
        one_word = needle.split() == [needle]
        levels = []
        for name, weight in FIELDS:
            inside_counts = len(needle) > SHORT_NEEDLE or name in _SHORT_FIELDS
            if not one_word:
                if inside_counts:
                    levels.append((round(weight * INSIDE_WORD), self.field_matches(name, "fuzzy", needle, case)))
                continue
            # The words holding the needle, split three ways (whole / at a start / inside only):
            # the same words as one lookup of all of them, so no more lanes are built.
            words = self.words(name, case)
            starting, whole = words.at_start(lowered)
            at_start = set(starting).difference(whole)
            levels.append((round(weight * WHOLE_WORD), words.papers(whole)))
            levels.append((round(weight * WORD_START), words.papers(at_start)))
            if inside_counts:
                inside = set(words.containing(lowered)).difference(starting)
                levels.append((round(weight * INSIDE_WORD), words.papers(inside)))
            if cutoff < 100 and name in TYPO_FIELDS:
                by_points: dict[int, list[int]] = defaultdict(list)
                for word, score in words.similar(lowered, cutoff):
                    by_points[round(weight * score * TYPO_SHARE)].append(word)
                levels += [(points, words.papers(found)) for points, found in by_points.items()]
        if 1 < len(needle) <= SUBSEQUENCE_MAX and one_word:  # one letter: the word-start test was the same
            # Initials are a kind of word starts: only titles holding the needle at word starts
            # and scoring below an acronym are tested for it.
            title = WEIGHTS["title"]
            better = _best_first([level for level in levels if level[0] >= round(title * ACRONYM)])[0]
            starts, initials = self._subsequence(lowered, case, better)
            levels.append((round(title * ACRONYM), initials))
            levels.append((round(title * WORD_STARTS), starts))
        return _best_first(levels)

    def _subsequence(self, needle: str, case: bool, better: int) -> tuple[int, int]:
        """Titles holding the needle at word starts (`word_starts`): "fa2" for FlashAttention-2;
        and of those, titles holding it at the starts of consecutive words: "dpo".

        Once the keystrokes' layout is built (`prepare_keystrokes`), every title is tested at
        once. Without it, only papers without a better hit are tried (a better hit keeps its
        score), of those only the ones holding every letter of the needle, and, as the needle
        grows a letter at a time, only the ones the shorter needle could have matched; those
        few are laid out the same way and tested together.
        """
        letters = self._subsequence_planes
        if letters is not None and supports(needle):
            starts, initials = letters.both(needle.lower())
            starts, initials = starts & ~better, initials & ~better
            if case:  # those hold the letters in any case: the needle's own case is checked on them
                return self._titles_matching(needle, case, starts)
            return starts, initials
        candidates = self.all & ~better
        shorter = self._subsequence_found.get((needle[:-1], case))
        if shorter is not None:
            candidates &= shorter
        for char in set(needle) - set(" \t\n"):
            if not candidates:
                break
            candidates &= self._letter(char, case)
        if candidates.bit_count() > _WAIT_FOR_LAYOUT and supports(needle) and self._layout_coming():
            return self._subsequence(needle, case, better)  # the layout came: all titles at once
        starts, initials = self._titles_matching(needle, case, candidates)
        if len(self._subsequence_found) >= _KEPT:
            self._subsequence_found.clear()
        self._subsequence_found[needle, case] = starts | better  # a superset: `better` was not tried
        return starts, initials

    def _layout_coming(self) -> bool:
        """Wait for the titles' layout while it is read from the cache (a tenth of a second
        at 1,000,000 papers, where laying out most titles now would take seconds); whether
        it is here."""
        if self.layout_from == "read":
            with self._counted:
                self._waiting += 1
            try:
                self.layout_settled.wait(_LAYOUT_WAIT)
            finally:
                with self._counted:
                    self._waiting -= 1
        return self._subsequence_planes is not None

    def _titles_matching(self, needle: str, case: bool, candidates: int) -> tuple[int, int]:
        """The candidates whose title holds the needle at word starts, and as initials. Only
        their titles are read: a first query does not wait for the column of all titles."""
        where = paper_sets.positions(candidates, self.count)
        if not where:
            return 0, 0
        if len(where) * _COLUMN_SHARE > self.count:  # most titles: one read of them all is cheaper
            written = list(map(self.texts("title", True).__getitem__, where))
            lowered = list(map(self.texts("title", False).__getitem__, where))
        else:
            written = list(self.field_texts("title", where))
            lower = self._lower.get("title")
            lowered = list(map(lower.__getitem__, where)) if lower is not None else list(map(str.lower, written))
        if case or not supports(needle):  # letter by letter, in the title as written (or not ASCII)
            titles = written if case else lowered
            found = [
                paper_sets.from_positions(
                    [
                        place
                        for place, title, own in zip(where, titles, written, strict=True)
                        if word_start_match(title, needle, own, acronym=acronym) is not None
                    ],
                    self.count,
                )
                for acronym in (False, True)
            ]
            return found[0], found[1]
        planes = SubsequencePlanes(lowered, written)
        starts, initials = planes.both(needle)
        size = len(where)
        return (
            paper_sets.from_positions(compress(where, starts.to_bytes(size, "little")), self.count),
            paper_sets.from_positions(compress(where, initials.to_bytes(size, "little")), self.count),
        )

    def _letter(self, char: str, case: bool) -> int:
        found = self._letters.get((char, case))
        if found is None:
            found = self._letters[char, case] = self.field_matches("title", "exact", char, case)
        return found


class _Columns(dict[str, tuple[str, ...]]):
    """The searched text of each field, built on first use: with the word indexes read back
    from the cache, a start needs none of them, and the joined lists cost 0.1 s at 100,000."""

    def __init__(self, papers: Sequence[Paper], store: StoredColumns | None, places: Sequence[int] | None) -> None:
        super().__init__()
        self._papers = papers
        self._store, self._places = store, places  # a snapshot's texts: row i is catalog.papers[i]

    def __missing__(self, field: str) -> tuple[str, ...]:
        if field not in WEIGHTS:
            raise KeyError(field)
        store = self._store
        if store is not None and self._places is not None and field in store.fields:
            # Whole pieces of the column, not a read from the file per paper (1 s at 1,000,000).
            values = list(
                chain.from_iterable(store.column(field, start, start + _READ_PIECE) for start in _starts(store))
            )
            column = _mapped(values.__getitem__, self._places)
        else:
            column = _mapped(attrgetter(field), self._papers)
        if field in _LIST_FIELDS:
            column = _mapped(SEP.join, column)
        self[field] = column
        return column


class _TitleLengths(Sequence[int]):
    """The length of a paper's title (by its place in the index), measured when asked."""

    __slots__ = ("_index",)

    def __init__(self, index: SearchIndex) -> None:
        self._index = index

    def __len__(self) -> int:
        return self._index.count

    @overload
    def __getitem__(self, item: int) -> int: ...
    @overload
    def __getitem__(self, item: slice) -> list[int]: ...
    def __getitem__(self, item: int | slice) -> int | list[int]:
        if isinstance(item, slice):
            return list(map(len, self._index.field_texts("title", range(self._index.count)[item])))
        return len(next(iter(self._index.field_texts("title", (range(self._index.count)[item],)))))


# Candidates past which the word-start test waits for the titles' layout being read (see
# `SearchIndex._subsequence`), and for how long at most: laying out that many titles on the
# spot costs more than the read.
_WAIT_FOR_LAYOUT = 20_000
_LAYOUT_WAIT = 10.0
# Past one title in this many, the word-start test reads the column of all titles (one split of
# the texts file, kept for the next needle) rather than each candidate's (a read per title).
_COLUMN_SHARE = 4

# Items a long C-level pass over a column takes at a time: it holds the interpreter throughout.
# A million items at once held it for a tenth of a second or more (a stall of the browser's
# frames while its background prepared the search); 65,536 papers' attributes, 30-80 ms on a
# busy machine, as each paper's memory is touched.
_PIECE = 8192
_READ_PIECE = 4096  # rows read from the texts file at a time: summaries are a kilobyte each


def _mapped(function: Callable[[Any], _T], values: Sequence[Any]) -> tuple[_T, ...]:
    """tuple(map(function, values)), a piece at a time: other threads may run in between."""
    pieces = (map(function, values[start : start + _PIECE]) for start in range(0, len(values), _PIECE))
    return tuple(chain.from_iterable(pieces))


def _starts(store: StoredColumns) -> range:
    return range(0, store.count, _READ_PIECE)


def _best_first(levels: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """(papers, points): each paper scores its best level, so levels go best first."""
    seen = points = 0
    for value, mask in sorted(levels, key=lambda level: -level[0]):
        new = mask & ~seen
        if new:
            points += new * value
            seen |= new
    return seen, points
