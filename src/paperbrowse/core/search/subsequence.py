"""Which titles hold a needle's letters in order ("fa2": FlashAttention-2), all titles at once.

A regex per title costs about 0.3 µs: at 100,000 papers a keystroke spent 25 ms on it. Here
each title's bytes are a run of bit positions in a few big ints, and a needle costs a handful
of C-level passes over them per letter (bit-parallel, as in Shift-And matchers): 2 ms there.

Layout: the titles' UTF-8 bytes, each title padded with 0xFE to a whole number of bytes of
positions and ended by 0xFF; neither byte ever occurs in UTF-8, and whole bytes let a title's
flag be read back with one byte gather. Bit `i` of plane `b` is bit `b` of the byte at
position `i`, so the positions of one byte value are an AND of the eight planes. An ASCII
letter is found exactly where its byte is: UTF-8 never uses ASCII bytes inside other
characters. Other needles are not answered here (`supports`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import accumulate
from operator import itemgetter

_FILL, _END = b"\xfe", 0xFF  # never bytes of UTF-8
_CHUNK = 1 << 13  # titles per build step: a step holds the GIL for milliseconds, not a second
_KEPT = 8  # needles and letters kept for the next keystrokes (each one bit per title byte)
# Byte value -> ASCII "1" where bit b is set, else "0": int(…, 2) then packs eight per byte.
_PLANE_TABLES = [bytes(0x31 if value >> b & 1 else 0x30 for value in range(256)) for b in range(8)]
_FLAG = bytes(int(value >= 0x80) for value in range(256))  # a gathered end byte -> lane 0/1


def supports(needle: str) -> bool:
    """Whether `matches` can answer the needle: ASCII characters, no whitespace."""
    return bool(needle) and needle.isascii() and needle.split() == [needle]


def _block(title: str) -> bytes:
    data = title.encode("utf-8", "surrogatepass")
    return data + _FILL * (-(len(data) + 1) % 8) + bytes([_END])


class SubsequencePlanes:
    """The titles of a search index, in its order, ready for `matches`."""

    def __init__(self, titles: Sequence[str], pause: Callable[[], None] | None = None) -> None:
        """`pause`: called between build steps, where a builder in a thread may give way."""
        self.count = len(titles)
        planes = [bytearray() for _ in range(8)]
        ends: list[int] = []  # each title's last byte in the planes' bytes (holding its 0xFF)
        size = 0
        for start in range(0, self.count, _CHUNK):
            if pause is not None:
                pause()
            blocks = list(map(_block, titles[start : start + _CHUNK]))
            data = b"".join(blocks)
            ends += [(size + end) // 8 - 1 for end in accumulate(map(len, blocks))]
            size += len(data)
            for plane, table in zip(planes, _PLANE_TABLES, strict=True):
                plane += int(data.translate(table)[::-1], 2).to_bytes(len(data) // 8, "little")
        self._bytes = size // 8
        self._planes = [int.from_bytes(plane, "little") for plane in planes]
        self._all = (1 << size) - 1
        self._letters: dict[int, int] = {}
        self._ends = self._byte_value(_END)
        self._body = self._all ^ self._ends  # every position inside a title (padding included)
        self._gather = itemgetter(*ends) if len(ends) > 1 else (lambda data: tuple(data[i] for i in ends))
        self._states: dict[str, int] = {}

    def matches(self, needle: str) -> int:
        """Lanes (one byte per title): 1 where the title holds the needle's bytes in order."""
        if not self.count:
            return 0
        found = self._state(needle)
        # The carry from a title's first marked position runs to its 0xFF position: set there
        # only for titles with a mark, and stopped there (not a position of the title).
        flags = ((self._body + found) ^ self._body) & self._ends
        gathered = bytes(self._gather(flags.to_bytes(self._bytes, "little")))
        return int.from_bytes(gathered.translate(_FLAG), "little")

    def _state(self, needle: str) -> int:
        """The positions where a match of the needle can end (its last letter, in order)."""
        found = self._states.get(needle)
        if found is None:
            found = self._byte_value(ord(needle[-1]))
            if len(needle) > 1:
                # Positions after an earlier match of the needle's start, in the same title.
                found &= self._smear((self._state(needle[:-1]) << 1) & self._body)
            if len(self._states) >= _KEPT:
                self._states.clear()
            self._states[needle] = found
        return found

    def _smear(self, marks: int) -> int:
        """Every position from a title's first mark to its end: adding the title's run of ones
        carries from the first mark up to the end, flipping each position on the way."""
        body = self._body
        return (((body + marks) ^ body) | marks) & body

    def _byte_value(self, value: int) -> int:
        found = self._letters.get(value)
        if found is None:
            found = self._all
            for bit, plane in enumerate(self._planes):
                found &= plane if value >> bit & 1 else ~plane
            if len(self._letters) >= _KEPT:
                self._letters.clear()
            self._letters[value] = found
        return found
