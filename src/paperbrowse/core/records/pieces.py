"""C-level passes over many items, a piece at a time.

A pass such as `array("q", map(attrgetter("st_size"), stats))` over 100,000 items is one call,
and it holds the interpreter for all of it: 50-150 ms on a busy machine. Made by a background
thread (the data watcher's reload, or its priming), that is how long the browser's frames and
keys wait. Made 8,192 items at a time, the interpreter can switch threads between two pieces,
for a Python step per piece.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Callable, Iterator, Sequence
from operator import le
from typing import Any, TypeVar, overload

T = TypeVar("T")
R = TypeVar("R")
K = TypeVar("K")

PIECE = 8192


def pieces(count: int) -> Iterator[slice]:
    """Slices of `count` items, PIECE at a time."""
    return (slice(start, start + PIECE) for start in range(0, count, PIECE))


def let_go(items: list[Any]) -> None:
    """Empty `items` a piece at a time, from its end. The last references to 100,000 objects
    going at once free them in one C-level cascade (a scan's stats, a dozen objects each: about
    150 ms), the interpreter held throughout; between two pieces other threads may run."""
    while items:
        del items[-PIECE:]


def column(code: str, get: Callable[[T], int], items: Sequence[T]) -> array[int]:
    """`array(code, map(get, items))`, a piece at a time (an OverflowError as it would raise)."""
    found = array(code)
    for piece in pieces(len(items)):
        found.extend(map(get, items[piece]))
    return found


def contains(items: Sequence[Any], value: object) -> bool:
    """`value in items`, a piece at a time (a test of 100,000 stats for None, each one's memory
    touched: 5-13 ms in one call)."""
    return any(value in items[piece] for piece in pieces(len(items)))


def ascending(items: Sequence[Any]) -> bool:
    """Whether no item is greater than the next, a piece at a time."""
    return all(all(map(le, items[piece], items[piece.start + 1 : piece.stop + 1])) for piece in pieces(len(items)))


@overload
def places(items: Sequence[K]) -> dict[K, int]: ...
@overload
def places(items: Sequence[T], get: Callable[[T], K]) -> dict[K, int]: ...
def places(items: Sequence[Any], get: Callable[[Any], Any] | None = None) -> dict[Any, int]:
    """Each item's place (or the place of what `get` makes of it), a piece at a time: `{item: i
    for i, item in enumerate(items)}`, an item that comes twice at its last place."""
    found: dict[Any, int] = {}
    numbers = range(len(items))
    for piece in pieces(len(items)):
        found.update(zip(items[piece] if get is None else map(get, items[piece]), numbers[piece], strict=True))
    return found


def mapped(get: Callable[..., R], items: Sequence[Any], *more: Sequence[Any]) -> list[R]:
    """`list(map(get, items, *more))` (sequences of one length), a piece at a time."""
    found: list[R] = []
    for piece in pieces(len(items)):
        found += map(get, items[piece], *(other[piece] for other in more))
    return found


def sorted_pieces(items: Sequence[str]) -> list[str]:
    """`sorted(items)`, the pieces sorted alone and merged (one sort of 100,000 file names held
    the interpreter 40-60 ms; this takes about 1.8 times as long in all)."""
    runs = [sorted(items[piece]) for piece in pieces(len(items))]
    if len(runs) < 2:
        return runs[0] if runs else []
    return list(heapq.merge(*runs))


def sorted_in_pieces(count: int, key: Callable[[int], Any]) -> list[int]:
    """`sorted(range(count), key=key)`, its comparisons made a piece at a time: the pieces are
    sorted alone and merged by `heapq.merge`, whose Python steps let other threads run (one
    sort of 100,000 titles' keys held the interpreter 0.3-0.4 s). The same order: both sorts
    are stable, and the merge takes the earlier piece's item of two equal ones. About the same
    time in all."""
    keys = [key(number) for number in range(count)]
    get = keys.__getitem__
    runs = [sorted(range(count)[piece], key=get) for piece in pieces(count)]
    if len(runs) < 2:
        return runs[0] if runs else []
    found = list(heapq.merge(*runs, key=get))
    let_go(keys)  # made here, often tuples of new strings: 100,000 of them freed at once took 20-30 ms
    return found
