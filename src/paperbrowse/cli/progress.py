"""Progress on stderr, for a person at a terminal: a bar while `import` reads a large file, and
a line saying how far a long load of the data has come.

Nothing is written when stderr is not a terminal (a pipe or a log file gets no carriage
returns), nor, for the load, before a second has passed (a warm start never shows it); the line
is erased at the end, so that what the command prints next starts clean.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

AFTER = 1.0  # seconds before the line first shows
EVERY = 0.1  # seconds between two updates


class LoadProgress:
    """`paperbrowse: reading the data: 9,000 of 15,000 files (60%)`, after a second."""

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


class ProgressBar:
    """`reading refs.bib  [#########.........]  9,000/15,000`, redrawn at most ten times a second."""

    WIDTH = 30

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or total <= 0 or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        filled = self.WIDTH * done // total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\r{self.label}  [{bar}]  {done:,}/{total:,}")
        self.stream.flush()
        self._shown = True

    def done(self) -> None:
        """Clear the line, so that the messages that follow start on a clean one."""
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False
