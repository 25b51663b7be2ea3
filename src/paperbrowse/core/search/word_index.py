"""Which papers hold which words in one field: substring search without scanning the papers.

A needle without spaces occurs in a text only inside one of its whitespace-separated words.
So instead of testing every paper, the search tests the field's vocabulary (a few thousand
words where there are 100,000 papers) and unites the matching words' paper sets. Words in many
papers keep their set as bits; rare words keep an array of positions (bits would cost N/8
bytes each).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice, repeat
from typing import Any, Protocol

from rapidfuzz import fuzz, process

from paperbrowse.core.search import paper_sets
from paperbrowse.core.search.matching import TRANSPOSED, transpositions

# A word in more than 1 in 32 papers: bits (N/8 bytes) are smaller than its positions (4 each).
_DENSE = 32
_PAUSE_EVERY = 2048  # texts indexed between two calls of a build's `pause`
_MARK = "\x01"  # ends a word in the vocabulary lines; a word holding one is found by its other letters


def _by_length(words: Iterable[str]) -> tuple[str, ...]:
    """The words shortest first, then in order: sorted in small groups (a word's length and
    first letter), since one sort is one C-level step that holds the interpreter throughout
    (half a second for the 100,000 ids of as many papers, comparing tuples)."""
    groups: defaultdict[tuple[int, str], list[str]] = defaultdict(list)
    for word in words:
        groups[len(word), word[:1]].append(word)
    ordered = chain.from_iterable(_in_order(groups[key], 1) for key in sorted(groups))
    # The words made again, side by side in memory, a batch at a time: the split texts left
    # them scattered, and the first pass of the collector over the young tuple (which
    # untracks it) walked 300,000 of them in 12-27 ms, a stall wherever it ran; side by side,
    # a fifth of that. No word holds a space (they were split at whitespace).
    found: list[str] = []
    while batch := list(islice(ordered, _REMADE_AT_ONCE)):
        found += " ".join(batch).split(" ")
    return tuple(found)


_REMADE_AT_ONCE = 65536


_SORT_AT_ONCE = 4096  # words one sort takes: a millisecond or two


def _in_order(words: list[str], known: int) -> Iterable[str]:
    """Words of one length that share their first `known` letters, in order. A large group
    (ids like "p0000001", arXiv numbers: 100,000 in one sort held the interpreter 40-150 ms)
    is split by the two letters after the prefix all its words share, group by group."""
    if len(words) <= _SORT_AT_ONCE:
        return sorted(words)
    low, high = min(words), max(words)  # the group's prefix is theirs
    known = next((place for place, (a, b) in enumerate(zip(low, high, strict=True)) if a != b), len(low))
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for word in words:
        groups[word[known : known + 2]].append(word)
    return chain.from_iterable(_in_order(groups[part], known + 2) for part in sorted(groups))


class Words(Protocol):
    """What a search asks of one field's word index (see `WordIndex`; `carried_words` has
    another kind): numbers of words that meet a needle, then the papers holding them."""

    count: int

    def containing(self, needle: str) -> list[int]: ...
    def starting(self, needle: str) -> list[int]: ...
    def ending(self, needle: str) -> list[int]: ...
    def at_start(self, needle: str) -> tuple[list[int], list[int]]: ...
    def similar(self, needle: str, cutoff: float) -> list[tuple[int, float]]: ...
    def papers(self, numbers: Iterable[int]) -> int: ...


class WordIndex:
    def __init__(self, texts: Iterable[str], count: int, pause: Callable[[], None] | None = None) -> None:
        """`texts`: one field's `count` values, in the search index's order, as searched.
        `pause`: called every few thousand texts (a browser's builder gives way to keys)."""
        postings: defaultdict[str, list[int]] = defaultdict(list)
        append = list.append
        for position, text in enumerate(texts):
            if pause is not None and not position % _PAUSE_EVERY:
                pause()
            # C-level: each distinct word's list gets the position, without a Python loop.
            deque(map(append, map(postings.__getitem__, set(text.split())), repeat(position)), maxlen=0)
        self.count = count
        self._words: tuple[str, ...] | None = _by_length(postings)
        dense_from = max(count // _DENSE, 64)
        # Each word's papers: bits when the word is common, else a run of `flat` (positions).
        self.dense: dict[int, int] = {}
        self.flat = array("i")
        self.starts = array("i", [0])
        for number, where in enumerate(map(postings.__getitem__, self._words)):
            if len(where) >= dense_from:
                self.dense[number] = paper_sets.bits_from_positions(where, count)
            else:
                self.flat.extend(where)
            self.starts.append(len(self.flat))
        self._prepare()

    @property
    def words(self) -> tuple[str, ...]:
        """The vocabulary, shortest words first. Not kept in the cache for fields where no typo
        is looked for (a million ids took a tenth of a second to read back at each start):
        then split out of the vocabulary lines, if a rare search ever needs it."""
        words = self._words
        if words is None:
            lines = self._lines.split("\n")[1:-1]
            # A word's MARK was written as a space, which no word holds (words are split at them).
            words = self._words = tuple(line.rpartition(_MARK)[0].replace(" ", _MARK) for line in lines)
        return words

    def _prepare(self) -> None:
        # One line per word, "\nWORD\x01NUMBER": a regex that starts with the needle skips to
        # its occurrences at C speed and reads the word's number at the end of its line.
        self._lines = "".join(f"\n{word.replace(_MARK, ' ')}{_MARK}{n}" for n, word in enumerate(self.words)) + "\n"
        self._lengths: Sequence[int] = tuple(map(len, self.words))

    def __getstate__(self) -> dict[str, Any]:
        # The vocabulary lines too: rebuilding them costs more than reading them.
        return {
            name: getattr(self, name) for name in ("count", "words", "dense", "flat", "starts", "_lines", "_lengths")
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._words = tuple(self.__dict__.pop("words"))  # a list in older versions (see SearchIndex's note)
        if "_lines" not in state:
            self._prepare()
        else:
            self._lengths = tuple(self._lengths)

    _PARTS = ("count", "dense", "flat", "starts", "_lines")
    _WORDS_PER_PART = 65536  # words per piece: each unpickles in a few milliseconds

    def parts(self, vocabulary: bool = True) -> Iterator[object]:
        """The index as small pieces to store one after another (see `from_parts`): the
        vocabulary in runs of words, so that no single piece takes long to read back (a
        million words in one tuple held the interpreter for a tenth of a second); without
        `vocabulary`, none (see `words`)."""
        yield {name: getattr(self, name) for name in self._PARTS} | {
            "lengths": array("I", self._lengths),
            "vocabulary": vocabulary,
        }
        for start in range(0, len(self.words) if vocabulary else 0, self._WORDS_PER_PART):
            yield self.words[start : start + self._WORDS_PER_PART]
        yield None

    @classmethod
    def from_parts(cls, parts: Iterator[object]) -> WordIndex:
        """The index `parts` gave, read piece by piece; raises ValueError for anything else."""
        head = next(parts)
        if not isinstance(head, dict) or set(head) != {*cls._PARTS, "lengths", "vocabulary"}:
            raise ValueError("not a word index")
        runs: list[tuple[str, ...]] = []
        while (run := next(parts)) is not None:
            if not isinstance(run, tuple):
                raise ValueError("not a word index")
            runs.append(run)
        found = cls.__new__(cls)
        found.__dict__.update({name: head[name] for name in cls._PARTS})
        found._words = tuple(chain.from_iterable(runs)) if head["vocabulary"] is True else None
        found._lengths = head["lengths"]  # an array: bisect reads it, the collector never walks it
        if len(found.starts) != len(found._lengths) + 1 or not isinstance(found._lines, str):
            raise ValueError("a word index cut short")
        if found._words is not None and len(found._words) != len(found._lengths):
            raise ValueError("a word index cut short")
        if found._words is None and found._lines.count(_MARK) != len(found._lengths):
            raise ValueError("a word index's vocabulary lines cut short")
        return found

    def _find(self, pattern: str) -> list[int]:
        return list(map(int, re.findall(pattern, self._lines)))

    def containing(self, needle: str) -> list[int]:
        """The numbers of the words that hold the needle (which has no whitespace)."""
        if _MARK in needle:  # the vocabulary lines cannot hold it: look word by word
            return [number for number, word in enumerate(self.words) if needle in word]
        return self._find(rf"{re.escape(needle)}[^\n{_MARK}]*{_MARK}(\d+)")

    def starting(self, needle: str) -> list[int]:
        if _MARK in needle:  # the vocabulary lines cannot hold it: look word by word
            return [number for number, word in enumerate(self.words) if word.startswith(needle)]
        return self._find(rf"\n{re.escape(needle)}[^\n{_MARK}]*{_MARK}(\d+)")

    def ending(self, needle: str) -> list[int]:
        if _MARK in needle:  # the vocabulary lines cannot hold it: look word by word
            return [number for number, word in enumerate(self.words) if word.endswith(needle)]
        return self._find(rf"{re.escape(needle)}{_MARK}(\d+)")

    def at_start(self, needle: str) -> tuple[list[int], list[int]]:
        """The numbers of the words holding the needle where a part of them starts (at the
        word's start or after punctuation: "(dpo)", "mixture-of-experts"), and of those the
        ones where that part ends with the needle too."""
        if _MARK in needle:  # the vocabulary lines cannot hold it: look word by word
            starts = re.compile(rf"(?:^|\W){re.escape(needle)}")
            wholes = re.compile(rf"(?:^|\W){re.escape(needle)}(?:\W|$)")
            found = [number for number, word in enumerate(self.words) if starts.search(word)]
            return found, [number for number in found if wholes.search(self.words[number])]
        # The needle first, so the regex skips to its occurrences at C speed; then a look back
        # at the character before it (every line starts with a newline, so a word's start has
        # one). The empty group takes part where the needle ends a part of the word.
        escaped = re.escape(needle)
        pattern = rf"{escaped}(?<=\W{escaped})(?:(?=[^\w\n]|{_MARK})()|)[^\n{_MARK}]*{_MARK}(\d+)"
        starting, whole = [], []
        for match in re.finditer(pattern, self._lines):
            number = int(match.group(2))
            starting.append(number)
            if match.group(1) is not None:
                whole.append(number)
        return starting, whole

    def similar(self, needle: str, cutoff: float) -> list[tuple[int, float]]:
        """Words within a typo or two of the needle, with rapidfuzz's score (0-100).

        A longer word may hold the needle's typo anywhere (partial_ratio); a shorter word is
        compared whole, or "tent" would score 100 against "attention"; so is a word one or two
        letters longer, which is how a dropped letter reads ("secnd": "second"). A short needle
        with two neighbouring letters swapped ("glvoe") is found at a word's start with the swap
        undone (`transpositions`), scoring TRANSPOSED.
        """
        split = bisect_left(self._lengths, len(needle))
        near = bisect_left(self._lengths, len(needle) + 3)
        longer = dict(enumerate(self.words[split:], split))
        whole = dict(enumerate(self.words[:near]))
        found = process.extract(needle, longer, scorer=fuzz.partial_ratio, score_cutoff=cutoff, limit=None)
        found += process.extract(needle, whole, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None)
        for swapped in transpositions(needle):
            found += [(swapped, float(TRANSPOSED), number) for number in self.at_start(swapped)[0]]
        best: dict[int, float] = {}
        for _, score, number in found:
            best[number] = max(score, best.get(number, 0.0))
        return list(best.items())

    def papers(self, numbers: Iterable[int]) -> int:
        """The papers holding any of the words, as paper_sets."""
        bits = 0
        runs: list[array[int]] = []
        dense, flat, starts = self.dense, self.flat, self.starts
        for number in numbers:
            found = dense.get(number)
            if found is not None:
                bits |= found
            elif starts[number] < starts[number + 1]:
                runs.append(flat[starts[number] : starts[number + 1]])
        result = paper_sets.expand(bits, self.count)
        if runs:
            result |= paper_sets.from_positions(chain.from_iterable(runs), self.count)
        return result
