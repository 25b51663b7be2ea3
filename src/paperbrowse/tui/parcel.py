"""A large value handed to a worker thread, which the worker empties when it takes it.

Textual keeps a worker's arguments for as long as the worker object lives, and a finished
worker lives until the cycle collector frees it (the worker and its task refer to each other).
A catalog or an index passed as an argument then outlived its use and was freed inside one of
the collector's passes, all at once: 40-110 ms of the interpreter at 100,000 papers, a stall of
the browser's frames on whichever thread the pass fell. Once taken, a parcel holds nothing.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Parcel(Generic[T]):
    __slots__ = ("_taken", "_value")

    def __init__(self, value: T) -> None:
        self._value: T | None = value
        self._taken = False

    def take(self) -> T:
        """The value, once: the parcel lets go of it."""
        if self._taken:
            raise RuntimeError("a parcel is taken once")
        value, self._value, self._taken = self._value, None, True
        return value  # type: ignore[return-value]  # set in __init__, emptied only here
