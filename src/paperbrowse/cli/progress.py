"""A line on stderr saying how far a long load has come, for a person at a terminal.

Nothing is written before a second has passed (a warm start never shows it), nor when stderr
is not a terminal (a pipe or a log file gets no carriage returns); the line is erased when the
load ends, so that what the command prints next starts clean.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

AFTER = 1.0  # seconds before the line first shows
EVERY = 0.1  # seconds between two updates


class LoadProgress:
    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._started = time.monotonic()
        self._shown = 0.0  # when the line was last written; 0: never
        self._on_terminal = self._stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self._on_terminal or now - self._started < AFTER or now - self._shown < EVERY:
            return
        self._shown = now
        share = done * 100 // total if total else 100
        self._stream.write(f"\rpaperbrowse: reading the data: {done:,} of {total:,} files ({share}%)")
        self._stream.flush()

    def finish(self) -> None:
        if self._shown:
            self._stream.write("\r\033[K")  # back to the line's start, and erase it
            self._stream.flush()
