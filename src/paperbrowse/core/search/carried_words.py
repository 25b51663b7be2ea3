"""Word indexes carried over a reload, instead of built again.

A reload (a data file saved again, a paper added) changes a few papers of 100,000; building
the word indexes again cost seconds of a thread, which the browser's frames shared the
interpreter with, and then the next reload did it all again. Yet the previous index's words
still hold for every paper whose searched texts did not change: only where those papers sit
may differ (a paper added before them moves them down one place). So the new index takes the
previous one's words, read through a table of where their papers went (`Moves`), and builds
words only for the papers that are new or changed (`CarriedWords`): milliseconds. A lookup
then pays one copy of a set's bytes (a tenth of a millisecond at 100,000 papers) on top.

Carried again at the next reload, the words keep their first base and the moves are composed,
so no chain of layers grows. When the new or changed papers pass a share of the collection,
or the moves break into too many runs, nothing is carried: the words are built again, as at a
start, and the next reload carries from those.

A later process carries the same way from the word indexes kept on disk for an earlier state
of the data (`carry_printed`): their papers are gone by then, and a digest of each one's
searched texts (`fingerprints`) tells which papers of the new collection have their words.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import compress, pairwise, repeat
from operator import attrgetter, is_not, itemgetter, lt, ne, sub

from paperbrowse.core.records.pieces import pieces
from paperbrowse.core.records.schema import Paper
from paperbrowse.core.search import fingerprints, paper_sets
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.search.matching import FIELDS, WEIGHTS
from paperbrowse.core.search.word_index import WordIndex, Words

# Carried only while at most one paper in this many is new or changed (their words are built on
# the spot, holding the interpreter in slices) and the places break into at most this many runs
# (each is a slice per lookup).
MOST_CHANGED = 8
MOST_RUNS = 4096
_PAUSE_EVERY = 512  # papers compared between two calls of `pause`
_SEARCHED = attrgetter(*(name for name, _ in FIELDS))  # what a paper's words are made of


class Moves:
    """Where a base index's papers sit in a new index: `base_of[i]` is the base's place of the
    new index's paper i, or -1 for a paper the base does not hold (new, or changed since)."""

    def __init__(self, base_of: array[int], base_count: int) -> None:
        self.base_of = base_of
        self.count = len(base_of)
        self.base_count = base_count
        count = self.count
        self.added = list(compress(range(count), map(lt, base_of, repeat(0))))  # new or changed papers
        # Where a run of consecutive base places breaks: C-level passes, no Python loop per paper.
        # After a paper the base lacks (-1) a run always starts anew: -1 then 0 is a step of one.
        steps = map(sub, base_of[1:], base_of[:-1])
        breaks = {0, count, *compress(range(1, count), map(ne, steps, repeat(1)))}
        breaks.update(place + 1 for place in self.added)
        spans: list[slice] = []
        widest_gap = 0
        edges = sorted(breaks)
        for start, stop in pairwise(edges):
            if base_of[start] >= 0:
                first = base_of[start]
                spans.append(slice(first, first + stop - start))
                continue
            gap = stop - start  # one paper: a run never goes on past a -1
            if spans and spans[-1].start >= base_count:  # gaps next to each other are one gap
                gap += spans.pop().stop - base_count
            widest_gap = max(widest_gap, gap)
            spans.append(slice(base_count, base_count + gap))
        self.runs = len(spans)
        # A gap reads the zeros put after the base's bytes: every piece is one slice of them.
        self._zeros = bytes(widest_gap)
        self._pieces = itemgetter(*spans) if spans else None
        self.identity = base_count == count and self.runs == 1 and not self.added and base_of[0] == 0

    def carry(self, lanes: int) -> int:
        """A set of the base's papers (lanes, see `paper_sets`) as the same papers' set in the
        new index; papers it no longer holds as they were drop out."""
        if self._pieces is None:
            return 0
        pieces = self._pieces(lanes.to_bytes(self.base_count, "little") + self._zeros)
        return int.from_bytes(pieces if self.runs == 1 else b"".join(pieces), "little")


class CarriedWords:
    """One field's words: a base index's, through `moves`, and those of the papers the base
    does not hold (`added`, a small word index of their own). Word numbers past the base's
    are the added index's. Answers as a `WordIndex` built over the new texts would."""

    def __init__(self, base: WordIndex, moves: Moves, added: WordIndex) -> None:
        self.base, self.moves, self.added = base, moves, added
        self.count = moves.count
        self._split = len(base.starts) - 1  # the base's words

    def _joined(self, base: Iterable[int], added: Iterable[int]) -> list[int]:
        split = self._split
        return [*base, *(number + split for number in added)]

    def containing(self, needle: str) -> list[int]:
        return self._joined(self.base.containing(needle), self.added.containing(needle))

    def starting(self, needle: str) -> list[int]:
        return self._joined(self.base.starting(needle), self.added.starting(needle))

    def ending(self, needle: str) -> list[int]:
        return self._joined(self.base.ending(needle), self.added.ending(needle))

    def at_start(self, needle: str) -> tuple[list[int], list[int]]:
        base, added = self.base.at_start(needle), self.added.at_start(needle)
        return self._joined(base[0], added[0]), self._joined(base[1], added[1])

    def similar(self, needle: str, cutoff: float) -> list[tuple[int, float]]:
        split = self._split
        added = [(number + split, score) for number, score in self.added.similar(needle, cutoff)]
        return self.base.similar(needle, cutoff) + added

    def papers(self, numbers: Iterable[int]) -> int:
        split = self._split
        wanted = list(numbers)
        base = [number for number in wanted if number < split]
        added = [number - split for number in wanted if number >= split]
        found = self.moves.carry(self.base.papers(base)) if base else 0
        if added:
            small = self.added.papers(added)
            places = map(self.moves.added.__getitem__, paper_sets.positions(small, self.added.count))
            found |= paper_sets.from_positions(places, self.count)
        return found


def worth_carrying(previous: SearchIndex, index: SearchIndex) -> bool:
    """Whether carrying can pay, told from the sizes alone: a cold start's full collection
    replacing its first part is mostly new papers (their words are built instead, without
    waiting for the first part's)."""
    return worth(previous.count, index.count)


def worth(before: int, after: int) -> bool:
    """`worth_carrying`, from the papers' counts."""
    return abs(after - before) * MOST_CHANGED <= max(after, 1)


def carry_words(previous: SearchIndex, index: SearchIndex, pause: Callable[[], None] | None = None) -> bool:
    """Give `index` word indexes carried from `previous` (the index it replaces, its word indexes
    all in); False, with nothing given, where building them again is the better way."""
    pause = pause or _no_pause
    state = previous.word_state()
    if len(state) != len(FIELDS):
        return False
    return _carry(state, kept_places(previous.papers, index.papers, pause, previous.catalog.by_id), index, pause)


def carry_printed(
    base: Mapping[str, WordIndex], base_prints: bytes, index: SearchIndex, pause: Callable[[], None] | None = None
) -> bool:
    """Give `index` word indexes carried from `base`, kept for an earlier state of the data
    whose papers' fingerprints are `base_prints` (see `fingerprints`): a paper whose searched
    texts are the same is read there. False, with nothing given, where building them again is
    the better way."""
    pause = pause or _no_pause
    count = len(base_prints) // fingerprints.WIDTH
    if set(base) != set(WEIGHTS) or len(base_prints) % fingerprints.WIDTH:
        return False
    if any(words.count != count for words in base.values()) or not worth(count, index.count):
        return False
    return _carry(base, fingerprints.places(base_prints, fingerprints.fingerprints(index, pause)), index, pause)


def _carry(state: Mapping[str, Words], kept: array[int], index: SearchIndex, pause: Callable[[], None]) -> bool:
    """Give `index` the words of `state` through `kept` (its papers' places in `state`'s
    papers, -1 for none): each field's base read through the moves, the others' words built."""
    moved: dict[int, Moves] = {}  # by the previous moves' base_of (fields carried together share it)
    carried: dict[str, Words] = {}
    for field, words in state.items():
        if isinstance(words, CarriedWords):
            base, source, base_count = words.base, words.moves.base_of, words.moves.base_count
        elif isinstance(words, WordIndex):
            base, source, base_count = words, None, words.count
        else:
            return False
        moves = moved.get(id(source))
        if moves is None:
            moves = moved[id(source)] = Moves(kept if source is None else _composed(source, kept), base_count)
            if moves.runs > MOST_RUNS or len(moves.added) * MOST_CHANGED > max(moves.count, 1):
                return False
        if moves.identity:
            carried[field] = base
            continue
        texts = map(str.lower, index.field_texts(field, moves.added))
        carried[field] = CarriedWords(base, moves, WordIndex(texts, len(moves.added), pause))
    index.adopt_words(carried)
    return index.ready()


def kept_places(
    before: Sequence[Paper], after: Sequence[Paper], pause: Callable[[], None], by_id: Mapping[str, Paper]
) -> array[int]:
    """For each paper of `after`, its place in `before` when its searched texts are the same
    there, else -1 (`by_id`: the papers of `before` by id). A reload keeps the papers of
    unchanged files as the same objects; others (a file parsed again) are compared field by
    field: a few microseconds each, against tens for building their words. Each pass over the
    papers goes a piece at a time (`_parts`)."""
    place: dict[int, int] | None = None
    if len(before) == len(after):  # nothing added or deleted: most likely nothing moved either
        found = array("i", range(len(after)))
        others: list[int] = []
        for part in _parts(len(after), pause):
            others += compress(range(len(after))[part], map(is_not, before[part], after[part]))
    else:
        place = {}
        for part in _parts(len(before), pause):
            place.update(zip(map(id, before[part]), range(len(before))[part], strict=True))
        found = array("i")
        for part in _parts(len(after), pause):
            found.extend(map(place.get, map(id, after[part]), repeat(-1)))
        others = list(compress(range(len(found)), map(lt, found, repeat(0))))
    taken: set[int] = set()  # places given to the others: one paper of `before` is one of `after`
    for done, where in enumerate(others):
        if not done % _PAUSE_EVERY:
            pause()
        paper = after[where]
        was = where if place is None else place.get(id(by_id.get(paper.id)), -1)
        found[where] = -1
        if was < 0 or was in taken or before[was].id != paper.id:
            continue
        if _SEARCHED(before[was]) == _SEARCHED(paper):
            found[where] = was
            taken.add(was)
    return found


def _parts(count: int, pause: Callable[[], None]) -> Iterator[slice]:
    """`records.pieces` of `count` papers, `pause` before each: one C-level pass over 100,000
    of them held the interpreter 40-100 ms (each paper's memory is touched)."""
    for part in pieces(count):
        pause()
        yield part


def _composed(base_of: array[int], kept: array[int]) -> array[int]:
    """Base places through two reloads: `kept` (new place -> previous place, or -1), then the
    previous index's `base_of`."""
    extended = base_of + array("i", [-1])  # kept's -1 reads this last item
    return array("i", map(extended.__getitem__, kept))


def _no_pause() -> None:
    pass
