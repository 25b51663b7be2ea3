"""Sets and scores of papers as big integers with one byte (a lane) per paper.

Python loops cost tens of nanoseconds per paper: 100,000 papers times a few passes is already
a visible delay per keystroke. Arithmetic on one big int runs in C over all papers at once, so
the search keeps its per-paper state in lanes: lane `i` holds paper `i`'s value, `a | b` is
a union, `a & b` an intersection, `a & ~b` a difference, and `mask * points` gives every paper
of a set the same score. Values stay below 256 per lane (see `widen` for more).

Bits (one per paper) are the compact form kept in an index; `expand` turns them into lanes.
"""

from __future__ import annotations

import sys
from array import array
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from itertools import compress, repeat
from typing import overload

_ASCII_TO_FLAG = bytes.maketrans(b"01", b"\x00\x01")
_FLAG_TO_ASCII = bytes.maketrans(b"\x00\x01", b"01")


def ones(count: int) -> int:
    """Every paper in the set: lane value 1 in each of `count` lanes."""
    return int.from_bytes(b"\x01" * count, "little")


def from_flags(flags: bytes | bytearray) -> int:
    """Lanes from one 0/1 byte per paper."""
    return int.from_bytes(flags, "little")


def from_positions(positions: Iterable[int], count: int) -> int:
    """Lanes with a 1 at each position: the scatter runs in C, not in a Python loop."""
    flags = bytearray(count)
    deque(map(flags.__setitem__, positions, repeat(1)), maxlen=0)
    return int.from_bytes(flags, "little")


def positions(lanes: int, count: int) -> list[int]:
    """The papers whose lane is not zero, in order."""
    return list(compress(range(count), lanes.to_bytes(count, "little")))


def bits_from_positions(positions: Iterable[int], count: int) -> int:
    """The compact form: bit `i` set for each position."""
    flags = bytearray(count)
    deque(map(flags.__setitem__, positions, repeat(1)), maxlen=0)
    text = flags.translate(_FLAG_TO_ASCII)[::-1]
    return int(text, 2) if text else 0


def expand(bits: int, count: int) -> int:
    """Lanes from bits: bit `i` becomes lane `i` (0 or 1)."""
    if not bits:
        return 0
    text = bin(bits)[:1:-1].encode("ascii")  # least significant bit first
    return int.from_bytes(text.translate(_ASCII_TO_FLAG), "little")


def lane_max(a: int, b: int, count: int) -> int:
    """Each paper's higher value of two (an OR group keeps its best term)."""
    return int.from_bytes(
        bytes(map(max, a.to_bytes(count, "little"), b.to_bytes(count, "little"))),
        "little",
    )


_TYPECODES = {2: "H", 4: "I"}  # array typecodes by lane width: two bytes hold 65,535, four 4e9


def widen(lanes: int, count: int, width: int = 2) -> int:
    """The same values in wider lanes (2 or 4 bytes), so that sums may pass 255."""
    wide = array(_TYPECODES[width], iter(lanes.to_bytes(count, "little")))  # iter: a byte each
    if sys.byteorder == "big":
        wide.byteswap()
    return int.from_bytes(wide.tobytes(), "little")


def _wide_lanes(data: bytes, width: int) -> array[int]:
    wide = array(_TYPECODES[width], data)  # raw: each lane is `width` bytes, least significant first
    if sys.byteorder == "big":
        wide.byteswap()
    return wide


# Ties are put in `tiebreak` order only among this many papers: past it they are no answer to
# anything (a letter or two typed), and sorting them would cost a keystroke milliseconds.
TIEBREAK_MAX = 2000


def ranked(values: int, count: int, width: int, tiebreak: Sequence[int] | None = None) -> Sequence[int]:
    """Papers with a non-zero value, highest value first; equal values keep paper order, or
    go by `tiebreak` (a key per paper, lowest first) where at most TIEBREAK_MAX papers tie."""
    data = values.to_bytes(count * width, "little")
    if width == 1:
        return Ranked(data, tiebreak)
    lane = _wide_lanes(data, width)
    found = list(compress(range(count), lane))
    if tiebreak is not None and len(found) <= TIEBREAK_MAX:
        found.sort(key=tiebreak.__getitem__)  # stable: equal keys stay in paper order
    found.sort(key=lane.__getitem__, reverse=True)  # stable: ties keep the order above
    return found


class Ranked(Sequence[int]):
    """`ranked` for byte lanes, built a few values at a time as it is read.

    A list shows its first rows: only the best values' papers are gathered, the rest when
    someone scrolls there. Values are counted first (a fast count of one byte value), so the
    values a list's rows need are gathered together: one C-level pass for the small ones, one
    for the last, however many values a finely scored query spreads its first rows over. Its
    length is known at once.
    """

    def __init__(self, data: bytes, tiebreak: Sequence[int] | None = None) -> None:
        self._data = data
        self._tiebreak = tiebreak
        self._levels = sorted(set(data) - {0}, reverse=True)
        self._found: list[int] | range = []
        self._length = len(data) - data.count(0)
        ordered = tiebreak is None or self._length > TIEBREAK_MAX  # paper order stands
        if self._length == len(data) and len(self._levels) == 1 and ordered:
            # Every paper, all equal (an empty query): paper order is the ranking, and `G`
            # at the end of a million papers need not gather a million places.
            self._found, self._levels = range(len(data)), []

    def _gather(self, upto: int) -> None:
        """Gather values until `upto` papers (or all) are in order."""
        data, found = self._data, self._found
        while len(found) < upto and self._levels:
            # A range is every paper, all equal: it is built with no levels left to gather.
            assert isinstance(found, list)
            taken, counted = [], 0
            while self._levels and len(found) + counted < upto:
                taken.append(self._levels.pop(0))
                counted += data.count(taken[-1])
            last = data.count(taken[-1])
            if len(taken) > 1 and counted - last <= TIEBREAK_MAX:  # the small values, in one pass
                head = list(compress(range(len(data)), data.translate(_between(taken[-2], taken[0]))))
                if self._tiebreak is not None:
                    head.sort(key=self._tiebreak.__getitem__)  # stable: equal keys stay in paper order
                head.sort(key=data.__getitem__, reverse=True)  # stable: ties keep the order above
                found += head
                taken = taken[-1:]
            for level in taken:
                tied = list(compress(range(len(data)), data.translate(_between(level, level))))
                if self._tiebreak is not None and len(tied) <= TIEBREAK_MAX:
                    tied.sort(key=self._tiebreak.__getitem__)  # stable: equal keys stay in paper order
                found += tied

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, item: int) -> int: ...
    @overload
    def __getitem__(self, item: slice) -> list[int]: ...
    def __getitem__(self, item: int | slice) -> int | list[int]:
        if isinstance(item, slice):
            stop = item.stop
            self._gather(self._length if stop is None or stop < 0 or (item.start or 0) < 0 else stop)
            return list(self._found[item])
        index = item + self._length if item < 0 else item
        if not 0 <= index < self._length:
            raise IndexError(item)
        self._gather(index + 1)
        return self._found[index]

    def __iter__(self) -> Iterator[int]:
        self._gather(self._length)
        return iter(self._found)


_BETWEEN: dict[tuple[int, int], bytes] = {}


def _between(low: int, high: int) -> bytes:
    """A translation table: 1 for the byte values from low to high, 0 for the rest."""
    table = _BETWEEN.get((low, high))
    if table is None:
        if len(_BETWEEN) >= 1024:
            _BETWEEN.clear()
        table = _BETWEEN[low, high] = bytes(int(low <= value <= high) for value in range(256))
    return table


def values_at(values: int, count: int, width: int, where: Sequence[int]) -> list[int]:
    data = values.to_bytes(count * width, "little")
    lane = data if width == 1 else _wide_lanes(data, width)
    return [lane[i] for i in where]
