"""Which titles hold a needle typed as the starts of their words ("fa2": FlashAttention-2,
"dpo": Direct Preference Optimization), all titles at once. What counts as a word start, and
as such a match, is `word_starts`; this is its fast form.

A regex per title costs about 0.3 µs: at 100,000 papers a keystroke spent 25 ms on it. Here
each title's bytes are a run of bit positions in a few big ints, and a needle costs a handful
of C-level passes over them per letter (bit-parallel, as in Shift-And matchers): 2 ms there.

Layout: the titles' UTF-8 bytes, each title padded with 0xFE to a whole number of bytes of
positions and ended by 0xFF; neither byte ever occurs in UTF-8, and whole bytes let a title's
flag be read back with one byte gather. Bit `i` of plane `b` is bit `b` of the byte at
position `i`, so the positions of one byte value are an AND of the eight planes. An ASCII
letter is found exactly where its byte is: UTF-8 never uses ASCII bytes inside other
characters. Other needles are not answered here (`supports`).

Word starts are one more plane, made from byte classes with shifts (a position is a start
when it holds a letter or digit and the one before does not, and so on; camelCase comes from
the titles as written, where their bytes line up with the lower-cased ones).
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from itertools import accumulate
from operator import itemgetter

_FILL, _END = b"\xfe", 0xFF  # never bytes of UTF-8
_CHUNK = 1 << 13  # titles per build step: a step holds the GIL for milliseconds, not a second
_KEPT = 16  # needles (a state each for word starts and acronyms) and letters kept, one bit per title byte each
# Byte value -> ASCII "1" where bit b is set, else "0": int(…, 2) then packs eight per byte.
_PLANE_TABLES = [bytes(0x31 if value >> b & 1 else 0x30 for value in range(256)) for b in range(8)]
_FLAG = bytes(int(value >= 0x80) for value in range(256))  # a gathered end byte -> lane 0/1
_FLAG_LOW = bytes(value >> 6 & 1 for value in range(256))  # the flag one bit below it


def _table(test: object) -> bytes:
    return bytes(0x31 if test(value) else 0x30 for value in range(256))  # type: ignore[operator]


# Byte classes, as ASCII "0"/"1" for int(…, 2). Bytes of non-ASCII characters count as letters
# of a word (0xFE/0xFF are the layout's own, never text).
_ALNUM = _table(lambda v: (chr(v).isalnum() and v < 0x80) or 0x80 <= v < 0xFE)
_DIGIT = _table(lambda v: 0x30 <= v <= 0x39)
_LETTER = _table(lambda v: v < 0x80 and chr(v).isalpha())
_UPPER = _table(lambda v: 0x41 <= v <= 0x5A)
_LOWER = _table(lambda v: 0x61 <= v <= 0x7A)


def _bits(data: bytes, table: bytes) -> int:
    return int(data.translate(table)[::-1], 2) if data else 0


def supports(needle: str) -> bool:
    """Whether `matches` can answer the needle: ASCII characters, no whitespace."""
    return bool(needle) and needle.isascii() and needle.split() == [needle]


def _block(title: str) -> bytes:
    data = title.encode("utf-8", "surrogatepass")
    return data + _FILL * (-(len(data) + 1) % 8) + bytes([_END])


class SubsequencePlanes:
    """The titles of a search index, in its order, ready for `matches`."""

    def __init__(
        self, titles: Sequence[str], written: Sequence[str] | None = None, pause: Callable[[], None] | None = None
    ) -> None:
        """`titles` lower-cased; `written`, the same titles as written, for camelCase; `pause`:
        called between build steps, where a builder in a thread may give way."""
        self.count = len(titles)
        planes = [bytearray() for _ in range(8)]
        starts = 0
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
            starts |= _starts(data, _written(blocks, titles, written, start)) << (size - len(data))
        self._finish(size // 8, [int.from_bytes(plane, "little") for plane in planes], starts, ends)

    def _finish(
        self, size: int, planes: list[int], starts: int, ends: Sequence[int], pause: Callable[[], None] | None = None
    ) -> None:
        """The rest of the layout, from its bytes' planes, word starts and title ends; `pause`
        between its steps."""
        step = pause or _no_pause
        self._bytes = size
        self._planes = planes
        self._all = (1 << size * 8) - 1
        self._letters: dict[int, int] = {}
        self._ends = self._byte_value(_END, step)
        self._body = self._all ^ self._ends  # every position inside a title (padding included)
        step()
        self._ends_at = array("q", ends)  # kept to be stored (see `parts`)
        # The titles' end bytes, read back a run of titles at a time: one getter of a million
        # places took 40 ms to make, in one C-level step.
        self._gathers: list[Callable[[bytes], tuple[int, ...]]] = []
        for start in range(0, len(ends), _GATHER_RUN):
            step()
            self._gathers.append(_gatherer(ends[start : start + _GATHER_RUN]))
        step()
        self._starts = starts & self._body
        self._inside = self._body & ~self._starts  # positions that do not start a word
        self._states: dict[tuple[str, bool], int] = {}

    def parts(self) -> Iterator[object]:
        """The layout as pieces to store one after another (see `from_parts`): its size and
        each piece's CRC, then the planes, the word starts and the titles' ends as bytes, a
        few megabytes each at 1,000,000 titles, read back in milliseconds where building the
        layout from the titles takes seconds."""
        blobs = [n.to_bytes(self._bytes, "little") for n in (*self._planes, self._starts)]
        blobs.append(self._ends_at.tobytes())
        yield (self.count, self._bytes, [zlib.crc32(blob) for blob in blobs])
        yield from blobs

    @classmethod
    def from_parts(cls, parts: Iterator[object], pause: Callable[[], None] | None = None) -> SubsequencePlanes:
        """The layout `parts` gave, read piece by piece; raises ValueError for anything else:
        a piece of the wrong kind, size or CRC (a damaged file never answers a search).
        `pause`: called between the steps that make the rest of it (a few milliseconds each
        at 1,000,000 titles; a tenth of a second all together)."""
        head = next(parts)
        if not (isinstance(head, tuple) and len(head) == 3 and isinstance(head[2], list) and len(head[2]) == 10):
            raise ValueError("not a title layout")
        count, size, crcs = head
        if not (type(count) is int and type(size) is int and 0 <= count <= size):
            raise ValueError("not a title layout")
        numbers: list[int] = []
        ends = array("q")
        for crc, length in zip(crcs, [size] * 9 + [count * 8], strict=True):
            blob = next(parts)
            if not isinstance(blob, bytes) or len(blob) != length or zlib.crc32(blob) != crc:
                raise ValueError("a title layout's piece is damaged")
            if len(numbers) < 9:
                numbers.append(int.from_bytes(blob, "little"))
            else:
                ends.frombytes(blob)
        if count and (min(ends) < 0 or ends[-1] != size - 1 or not _increasing(ends, pause or _no_pause)):
            raise ValueError("a title layout's ends are out of order")
        found = cls.__new__(cls)
        found.count = count
        found._finish(size, numbers[:8], numbers[8], ends, pause)
        if found._ends.bit_count() != count:  # one 0xFF byte ends each title, and only there
            raise ValueError("a title layout's planes do not hold its titles")
        return found

    def matches(self, needle: str, *, acronym: bool = False) -> int:
        """Lanes (one byte per title): 1 where the title holds the needle at word starts (see
        `word_starts.word_start_match`); with `acronym`, at the starts of consecutive words."""
        return self.both(needle)[acronym]

    def both(self, needle: str) -> tuple[int, int]:
        """`matches` without and with `acronym`, read back from the titles together."""
        if not self.count:
            return 0, 0
        body = self._body
        # The carry from a title's first marked position runs to its 0xFF position: set there
        # only for titles with a mark, and stopped there (not a position of the title). The
        # 0xFF position is the top bit of its byte: the initials' flag goes one bit lower.
        flags = ((body + self._state(needle, False)) ^ body) & self._ends
        flags |= (((body + self._state(needle, True)) ^ body) & self._ends) >> 1
        data = flags.to_bytes(self._bytes, "little")
        gathered = b"".join([bytes(gather(data)) for gather in self._gathers])
        return int.from_bytes(gathered.translate(_FLAG), "little"), int.from_bytes(
            gathered.translate(_FLAG_LOW), "little"
        )

    def _state(self, needle: str, acronym: bool) -> int:
        """The positions where a match of the needle can end (its last letter, in order)."""
        found = self._states.get((needle, acronym))
        if found is None:
            found = self._byte_value(ord(needle[-1]))
            if len(needle) == 1:
                found &= self._starts
            else:
                after = (self._state(needle[:-1], acronym) << 1) & self._body
                if acronym:  # the next word's start: carry through the rest of this word
                    inside = self._inside
                    found &= ((inside + after) ^ inside) & self._starts
                else:  # right after the letter before, or any later word start
                    found &= after | (self._smear(after) & self._starts)
            if len(self._states) >= _KEPT:
                self._states.clear()
            self._states[needle, acronym] = found
        return found

    def _smear(self, marks: int) -> int:
        """Every position from a title's first mark to its end: adding the title's run of ones
        carries from the first mark up to the end, flipping each position on the way."""
        body = self._body
        return (((body + marks) ^ body) | marks) & body

    def _byte_value(self, value: int, pause: Callable[[], None] | None = None) -> int:
        found = self._letters.get(value)
        if found is None:
            found = self._all
            for bit, plane in enumerate(self._planes):
                if pause is not None:
                    pause()
                found &= plane if value >> bit & 1 else ~plane
            if len(self._letters) >= _KEPT:
                self._letters.clear()
            self._letters[value] = found
        return found


def _no_pause() -> None:
    pass


_GATHER_RUN = 1 << 16  # titles per getter of their end bytes


def _gatherer(places: Sequence[int]) -> Callable[[bytes], tuple[int, ...]]:
    """What reads the bytes at `places` (at least one) as a tuple, in one C-level call."""
    if len(places) > 1:
        return itemgetter(*places)
    place = places[0]
    return lambda data: (data[place],)


def _increasing(values: array[int], pause: Callable[[], None]) -> bool:
    """Whether each value is above the one before, checked a run at a time with `pause`
    between runs (a million comparisons in one C-level pass held the interpreter 0.1 s)."""
    for start in range(0, len(values) - 1, _CHUNK * 8):
        pause()
        run = values[start : start + _CHUNK * 8 + 1]
        if any(map(int.__ge__, run[:-1], run[1:])):
            return False
    return True


def _written(blocks: list[bytes], titles: Sequence[str], written: Sequence[str] | None, start: int) -> bytes:
    """The chunk's titles as written, laid out as `blocks`; a title whose bytes do not line up
    with its lower-cased form (a character that lower-cases to another length) stays lower-cased."""
    if written is None:
        return b"".join(blocks)
    chunk = list(map(_block, written[start : start + len(blocks)]))
    lined_up = [
        mine if len(mine) == len(lower) and len(title) == len(lower_title) else lower
        for mine, lower, title, lower_title in zip(
            chunk, blocks, written[start : start + len(blocks)], titles[start : start + len(blocks)], strict=True
        )
    ]
    return b"".join(lined_up)


def _starts(data: bytes, written: bytes) -> int:
    """Positions (bits) where a word starts in the laid-out lower-cased `data`."""
    alnum, digit, letter = _bits(data, _ALNUM), _bits(data, _DIGIT), _bits(data, _LETTER)
    camel = _bits(written, _UPPER) & (_bits(written, _LOWER) << 1)
    return (alnum & ~(alnum << 1)) | (digit & (letter << 1)) | (letter & (digit << 1)) | camel
