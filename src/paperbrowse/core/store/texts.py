"""A snapshot's texts, left on disk until a paper's text is read.

At 1,000,000 papers the summaries and highlights are 1.4 GB of a 1.6 GB snapshot. Reading
them back means building a million strings (seconds, and all that memory) at every start,
while a session reads a few hundred: the details pane, a search that needs them, an export.
The same holds, on a smaller scale, for titles, links and venues: the list reads the rows it
shows, and the search its kept word indexes. So the snapshot keeps these string fields in a
file of their own, each field's texts one after another in UTF-8, and the papers it gives
back (`StoredPaper`) read theirs through a memory map. Ids, authors, tags, dates and
categories stay in the snapshot: a start needs them for the tree's counts and the lookups.

The file starts with a token the snapshot also holds: a texts file from another snapshot
(two writers racing, a file left half-replaced) is refused, and the snapshot is a miss. Each
text is followed by a 0xFF byte, which UTF-8 never uses: a whole column (the search's titles)
is then one split of one slice, not a million reads.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import secrets
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import Any, TypeAlias, overload

from paperbrowse.core.records import pieces
from paperbrowse.core.records.schema import Paper
from paperbrowse.core.store import trust

STORED_FIELDS = ("title", "venue", "arxiv", "url", "pdf", "code", "summary", "summary_zh", "highlight", "highlight_zh")
_MAGIC = b"paperbrowse texts 2\n"
_END = b"\xff"  # after each text; never a byte of UTF-8
_TOKEN_BYTES = 16
_JOINED = 4096  # texts joined into one write: a column is never joined whole

# Per field: where each paper's text starts, then the end; None when the field is empty in
# every paper. (A string: array is not subscriptable at run time before Python 3.12.)
Offsets: TypeAlias = "dict[str, array[int] | None]"
# What write_texts returns and open_texts takes back: the file's token, the count of papers,
# the offsets.
TextsKey: TypeAlias = "tuple[bytes, int, Offsets]"


class TextStore:
    """The stored texts of one snapshot: a field's text of the paper in a given row."""

    def __init__(self, data: mmap.mmap | bytes, count: int, offsets: Offsets) -> None:
        self._data = memoryview(data)  # slices of a view decode in place, without a copy
        self.fields = STORED_FIELDS
        self.count = count
        self._offsets = offsets  # per field: where each paper's text starts, then the end

    def text(self, field: str, row: int) -> str:
        offsets = self._offsets[field]
        if offsets is None:  # the field is empty in every paper
            return ""
        start, end = offsets[row], offsets[row + 1] - 1
        return str(self._data[start:end], "utf-8", "surrogatepass") if end > start else ""

    def column(self, field: str, start: int = 0, stop: int | None = None) -> list[str]:
        """Every paper's text of `field`, in row order (rows `start` to `stop`)."""
        stop = self.count if stop is None else min(stop, self.count)
        offsets = self._offsets[field]
        if offsets is None or start >= stop:
            return [""] * max(stop - start, 0)
        parts = self._data[offsets[start] : offsets[stop] - 1].tobytes().split(_END)
        try:
            return list(map(bytes.decode, parts))
        except UnicodeDecodeError:  # a lone surrogate, kept by surrogatepass
            return [part.decode("utf-8", "surrogatepass") for part in parts]


def write_texts(path: Path, papers: Sequence[Paper]) -> TextsKey:
    """Write the papers' stored fields to `path`; return its token, the count of papers and each
    field's offsets (what open_texts takes)."""
    token = secrets.token_bytes(_TOKEN_BYTES)
    offsets: Offsets = {}
    blocks: list[list[bytes]] = []
    position = len(_MAGIC) + _TOKEN_BYTES
    runs = _stored_runs(papers)
    for field in STORED_FIELDS:
        encoded = [text.encode("utf-8", "surrogatepass") for text in _texts(papers, runs, field)]
        if not any(encoded):
            offsets[field] = None
            continue
        starts = array("Q", [position])
        for chunk in encoded:
            position += len(chunk) + len(_END)
            starts.append(position)
        offsets[field] = starts
        blocks.append(encoded)
    trust.write(path, _chunks(_MAGIC + token, blocks))
    return token, len(papers), offsets


# A stretch of papers: (first, end, the store their rows are in and the first's row), or
# (first, end, None, 0) for papers that hold their texts.
_Run = tuple[int, int, "TextStore | None", int]


def _stored_runs(papers: Sequence[Paper]) -> list[_Run]:
    """The papers in stretches of consecutive rows of one store (a catalog a reload patched
    keeps the start's papers, from its snapshot, for every file it did not read again) and
    stretches of other papers."""
    runs: list[_Run] = []
    count = len(papers)
    at = 0
    while at < count:
        paper = papers[at]
        end = at + 1
        if type(paper) is StoredPaper:
            store, row = paper._store, paper._row
            while end < count:
                other = papers[end]
                if type(other) is not StoredPaper or other._store is not store or other._row != row + end - at:
                    break
                end += 1
            runs.append((at, end, store, row))
        else:
            while end < count and type(papers[end]) is not StoredPaper:
                end += 1
            runs.append((at, end, None, 0))
        at = end
    return runs


def _texts(papers: Sequence[Paper], runs: list[_Run], field: str) -> Iterator[str]:
    """Each paper's text of `field`: a stretch of stored rows read as one column (one split of
    one slice), not a text read per paper."""
    for start, end, store, row in runs:
        if store is None:
            yield from map(attrgetter(field), papers[start:end])
        else:  # in pieces: one stretch may be every paper, read and decoded in one call
            for first in range(start, end, pieces.PIECE):
                last = min(first + pieces.PIECE, end)
                yield from store.column(field, row + first - start, row + last - start)


def _chunks(head: bytes, blocks: Iterable[Sequence[bytes]]) -> Iterator[bytes]:
    yield head
    for encoded in blocks:
        for start in range(0, len(encoded), _JOINED):
            yield _END.join(encoded[start : start + _JOINED]) + _END


def open_texts(path: Path, token: bytes, count: int, offsets: Offsets) -> TextStore | None:
    """The texts `write_texts` wrote with this token, mapped; None if the file is not that one
    (or holds other fields than this version stores)."""
    if set(offsets) != set(STORED_FIELDS):
        return None
    with contextlib.suppress(OSError, ValueError, trust.UntrustedCache), trust.open_trusted(path) as handle:
        if handle.read(len(_MAGIC) + _TOKEN_BYTES) != _MAGIC + token:
            return None
        end = max((o[-1] for o in offsets.values() if o is not None), default=0)
        if os.fstat(handle.fileno()).st_size < end:
            return None
        # The map outlives the handle. Writers only ever replace the file (a new inode),
        # so the mapped one never changes under a running browser.
        return TextStore(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ), count, offsets)
    return None


class _Stored:
    """A stored field of a StoredPaper, read from its store when asked for."""

    def __init__(self, field: str) -> None:
        self.field = field

    @overload
    def __get__(self, paper: None, owner: type | None = None) -> _Stored: ...
    @overload
    def __get__(self, paper: StoredPaper, owner: type | None = None) -> str: ...
    def __get__(self, paper: StoredPaper | None, owner: type | None = None) -> _Stored | str:
        if paper is None:
            return self
        return paper._store.text(self.field, paper._row)


_COMPARED = attrgetter(*(f.name for f in fields(Paper) if f.compare))


class StoredPaper(Paper):
    """A Paper whose STORED_FIELDS stay in a TextStore until read; equal to the Paper it was.

    Only `snapshot` makes these (through the slots, see records.papers_from_columns). Calling
    the class, as dataclasses.replace does, makes a plain Paper, and so does a copy or a pickle.
    """

    __slots__ = ("_row", "_store")
    _store: TextStore
    _row: int

    def __new__(cls, *args: Any, **kwargs: Any) -> Paper:  # type: ignore[misc]
        return Paper(*args, **kwargs)

    def __reduce__(self) -> tuple[type[Paper], tuple[Any, ...]]:
        values = {f.name: getattr(self, f.name) for f in fields(Paper)}
        values["extra"] = dict(values["extra"])  # the snapshot's shared read-only mapping
        return (Paper, tuple(values.values()))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Paper):
            return _COMPARED(self) == _COMPARED(other)
        return NotImplemented

    __hash__ = Paper.__hash__


for _field in STORED_FIELDS:
    setattr(StoredPaper, _field, _Stored(_field))
