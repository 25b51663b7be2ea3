"""Answering a query before the word indexes exist: the papers' own texts, a slice at a time.

The word indexes take seconds to build on a large collection (its first start, or after its
data changed: 10 s at 100,000 papers). A query typed meanwhile is answered from the texts:
each slice of papers is searched by the engine itself (`ScanIndex`), whose questions to a
word index (which papers hold a word containing the needle, one where it starts a part of a
word, one within a typo of it) `TextWords` answers from the slice's texts by C-level tests.
Each paper's score depends on its own texts only, so the papers found and their points are
the indexed search's, paper for paper; only the ties past `paper_sets.TIEBREAK_MAX` may
order differently, which the indexed search settles once it can run.

Testing the texts costs about what one index lookup costs per paper, not the build: "zzqx"
over 100,000 papers' eight fields is a few tenths of a second, against ten seconds of build.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain, compress, repeat
from typing import Any

from paperbrowse.core.search import paper_sets
from paperbrowse.core.search.engine import SearchIndex, SearchResult, UserState
from paperbrowse.core.search.query import Query, parse
from paperbrowse.core.search.word_index import _MARK, WordIndex

SLICE = 4096  # papers searched at a time: a few tens of milliseconds, between which a scan can stop
# The first slice is smaller, and each next one twice the last up to SLICE: the first part of
# the answer is what a user waits for (4,096 papers cold cost 90 ms alone, two or three times
# that beside the word indexes' build), and 512 already fill a screen for a common word.
FIRST = 512
_POINTS = (1 << 32) - 1  # above any query's points (4-byte lanes at most, see SearchIndex.search)
_HELD = 256  # needles whose texts a slice keeps for the next keystrokes


class TextWords(WordIndex):
    """Stands in for a WordIndex over a few papers' texts (as searched: lower-cased or not).

    A "word number" it hands out is the number of a question, answered (as papers) when
    `papers` is called: the engine only ever passes those numbers back to `papers`, unites
    and subtracts them. Questions the engine asks for a superset (`starting`, `ending`: it
    checks the anchor on the papers found) are answered as `containing`.
    """

    def __init__(self, texts: Sequence[str]) -> None:  # no super(): nothing is indexed
        self.texts = texts
        self.count = len(texts)
        self._asked: list[Callable[[], list[int]] | str] = []  # papers' places, or a whole word
        self._held: dict[str, list[int]] = {}

    def _ask(self, question: Callable[[], list[int]] | str) -> int:
        self._asked.append(question)
        return len(self._asked) - 1

    def forget(self) -> None:
        """Called before each search: its numbers are not used after it."""
        self._asked.clear()
        if len(self._held) > _HELD:
            self._held.clear()

    def _holding(self, needle: str) -> list[int]:
        """The places of the texts that hold the needle anywhere (C-level, one pass)."""
        found = self._held.get(needle)
        if found is None:
            found = self._held[needle] = list(
                compress(range(self.count), map(str.__contains__, self.texts, repeat(needle)))
            )
        return found

    def containing(self, needle: str) -> list[int]:
        return [self._ask(lambda: self._holding(needle))]

    def starting(self, needle: str) -> list[int]:
        return self.containing(needle)

    def ending(self, needle: str) -> list[int]:
        return self.containing(needle)

    def at_start(self, needle: str) -> tuple[list[int], list[int]]:
        """WordIndex.at_start's rules, read in the texts: a text holds a word where the needle
        starts a part of it (after a non-word character or at the word's start), and one
        where the first such place in a word also ends a part of it."""
        if _MARK in needle:  # rare: WordIndex's own rules, on the words that hold the needle
            return self._at_start_by_words(needle)
        escaped = re.escape(needle)
        # The needle first, so that the regex skips to its occurrences at C speed (as WordIndex's).
        starts = re.compile(rf"{escaped}(?<!\w{escaped})")
        ends_too = re.compile(rf"{escaped}(?<!\w{escaped})(?!\w)")
        texts = self.texts
        found: list[list[int]] = []

        def starting() -> list[int]:
            if not found:
                where = self._holding(needle)
                found.append(list(compress(where, map(starts.search, map(texts.__getitem__, where)))))
            return found[0]

        def whole(text: str) -> bool:
            """Whether a word's first start of the needle also ends a part of it."""
            for match in ends_too.finditer(text):
                word = match.start()
                while word and not text[word - 1].isspace():
                    word -= 1
                first = starts.search(text, word)
                if first is not None and first.start() == match.start():
                    return True
            return False

        def ending() -> list[int]:
            where = starting()
            return list(compress(where, map(whole, map(texts.__getitem__, where))))

        return [self._ask(starting)], [self._ask(ending)]

    def _at_start_by_words(self, needle: str) -> tuple[list[int], list[int]]:
        where = self._holding(needle)
        words = WordIndex(
            (" ".join(w for w in self.texts[place].split() if needle in w) for place in where), len(where)
        )
        starting, whole = words.at_start(needle)

        def places(numbers: list[int]) -> Callable[[], list[int]]:
            return lambda: list(map(where.__getitem__, paper_sets.positions(words.papers(numbers), len(where))))

        return [self._ask(places(starting))], [self._ask(places(whole))]

    @cached_property
    def vocabulary(self) -> WordIndex:
        return WordIndex([" ".join(set(chain.from_iterable(map(str.split, self.texts))))], 1)

    def similar(self, needle: str, cutoff: float) -> list[tuple[int, float]]:
        vocabulary = self.vocabulary
        return [(self._ask(vocabulary.words[number]), score) for number, score in vocabulary.similar(needle, cutoff)]

    def papers(self, numbers: Iterable[int]) -> int:
        places: list[int] = []
        words: list[str] = []
        for number in numbers:
            question = self._asked[number]
            if isinstance(question, str):
                words.append(question)
            else:
                places += question()
        if words:  # texts holding one of the words whole, as str.split would cut it
            either = "|".join(map(re.escape, words))
            pattern = re.compile(rf"(?<!\S)(?:{either})(?!\S)")
            places += compress(range(self.count), map(pattern.search, self.texts))
        return paper_sets.from_positions(places, self.count)


class ScanIndex(SearchIndex):
    """The papers from `start` to `stop` of an index, searched without word indexes."""

    def __init__(self, whole: SearchIndex, start: int, stop: int) -> None:
        super().__init__(whole.catalog, whole.papers[start:stop], ordered=True)
        self.text = _Slices(self.text, whole.text, start, stop)

    def words(self, field: str, case: bool = False, pause: Callable[[], None] | None = None) -> WordIndex:
        found = self._words.get((field, case))
        if not isinstance(found, TextWords):  # only TextWords are ever put here
            found = self._words[field, case] = TextWords(self.texts(field, case))
        return found

    def search(self, query: Query | str, user: UserState | None = None, **options: Any) -> SearchResult:
        for words in self._words.values():
            assert isinstance(words, TextWords)
            words.forget()
        return super().search(query, user, **options)


class _Slices(dict[str, tuple[str, ...]]):
    """A slice's texts: its part of the whole index's column when that was read (a read of
    the whole column is several times cheaper than a read per paper), else its own."""

    def __init__(self, own: dict[str, tuple[str, ...]], whole: dict[str, tuple[str, ...]], start: int, stop: int):
        super().__init__()
        self._own, self._whole, self._range = own, whole, slice(start, stop)

    def __missing__(self, field: str) -> tuple[str, ...]:
        column = self._whole.get(field)
        found = self[field] = column[self._range] if column is not None else self._own[field]
        return found


@dataclass
class Scanned:
    """What a scan found so far, in the whole index's places, ranked as far as it can tell:
    best points first, then the shorter title, then the index's (newest first) order."""

    count: int  # papers in the index
    searched: int = 0  # papers searched so far: the first `searched` of the index
    hints: tuple[str, ...] = ()
    # One int per paper found, ordered as it ranks: points (inverted), title length, place.
    # Ints sort several times faster than tuples, and a sort holds the interpreter throughout.
    _found: list[int] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.searched >= self.count

    def add(self, start: int, points: Sequence[int], lengths: Iterable[int], places: Iterable[int]) -> None:
        """A slice's papers (`places` in it, from `start` of the index) and their points."""
        self._found += map(_rank_key, points, lengths, (start + place for place in places))

    def positions(self) -> list[int]:
        self._found.sort()  # runs of slices, each sorted already: a merge
        return [key & _PLACE for key in self._found]


_PLACE = (1 << 32) - 1
_LENGTH = (1 << 16) - 1


def _rank_key(points: int, length: int, place: int) -> int:
    return ((_POINTS - points) << 48) | (min(length, _LENGTH) << 32) | place


class Scanner:
    """Scans one index, query after query, until its word indexes are there: each slice keeps
    what it prepared (its texts lower-cased, its terms' results, the letters of its titles),
    so the next keystroke's scan costs the tests alone. Drop it once the index is ready: it
    holds a lower-cased copy of the texts."""

    def __init__(self, index: SearchIndex, size: int | None = None, first: int | None = None) -> None:
        """`size`, `first`: the slices' size and the first one's (SLICE, FIRST when None)."""
        self.index = index
        self._starts = _starts(index.count, size or SLICE, first or FIRST)
        ends = [*self._starts[1:], index.count][: len(self._starts)]  # none for no papers
        self._slices = [ScanIndex(index, start, stop) for start, stop in zip(self._starts, ends, strict=True)]
        # A scan stopped by a newer one may still be in a slice: the slices' kept state is
        # used by one at a time (the newer waits for the slice to end).
        self._lock = threading.Lock()

    def scan(self, query: Query | str, user: UserState | None = None) -> Iterator[Scanned]:
        """Search a slice at a time, without word indexes; after each slice, yield what was found
        so far (the same object, grown). Stop by not asking for more."""
        query = parse(query) if isinstance(query, str) else query
        found = Scanned(self.index.count)
        by_title = bool(query.text_terms())  # the engine's tiebreak, only where text was matched
        for start, part in zip(self._starts, self._slices, strict=True):
            with self._lock:
                result = part.search(query, user)
            lengths = part.title_lengths if by_title else (0,) * part.count
            found.add(start, result.points, map(lengths.__getitem__, result.positions), result.positions)
            found.searched, found.hints = part.count + start, result.hints
            yield found
        if not self.index.count:
            found.hints = self.index.search(query, user).hints
            yield found


def _starts(count: int, size: int, first: int) -> list[int]:
    """Where each slice starts: the first `first` papers long, each next twice the last, up
    to `size`."""
    starts: list[int] = []
    start, step = 0, max(min(first, size), 1)
    while start < count:
        starts.append(start)
        start, step = start + step, min(step * 2, size)
    return starts


def scan(
    index: SearchIndex,
    query: Query | str,
    user: UserState | None = None,
    size: int | None = None,
    first: int | None = None,
) -> Iterator[Scanned]:
    """One scan of the index (see Scanner.scan)."""
    return Scanner(index, size, first).scan(query, user)
