"""Each paper's searched texts as a short digest, kept beside the word indexes built from them.

A one-off command after an edit (or a browser started after one) found the word indexes kept
for the files as they were, and built them all again: 5-6 s at 100,000 papers. Their words
still held for every paper whose searched texts had not changed, but the papers they were made
of were gone by then (the snapshot written again), so nothing could tell which those were.
A digest of each paper's searched texts, kept with the indexes (16 bytes a paper), tells it:
where a paper of the new collection has the digest of one of the kept indexes' papers, its
words are theirs (see `carried_words.carry_printed`).

The digest is of every searched field's text (as `SearchIndex.field_texts` gives it), each
text's NULs written as NUL and 1 and the texts joined by two NULs: no two different sets of
texts read the same, whatever characters they hold.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import repeat
from operator import methodcaller

from paperbrowse.core.records.pieces import pieces
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.search.matching import FIELDS

WIDTH = 16  # bytes a paper
_HASH = partial(hashlib.blake2b, digest_size=WIDTH)
_DIGEST = methodcaller("digest")
_ENCODE = methodcaller("encode", "utf-8", "surrogatepass")
_ESCAPE = methodcaller("replace", "\0", "\0\1")  # the text itself when it holds no NUL
_TWO_NULS = "\0\0"


def fingerprints(index: SearchIndex, pause: Callable[[], None] | None = None) -> bytes:
    """The digests of the index's papers' searched texts, in its order, WIDTH bytes each.
    C-level passes, a piece of the papers at a time, `pause` before each piece: about 10 us
    a paper with a kilobyte of summary, half of it reading the texts."""
    rows = index.rows
    if rows is None or all(field in index.text for field, _ in FIELDS):  # a part, or every column in
        return b"".join(
            _digests(list(index.field_texts(field, numbers)) for field, _ in FIELDS)
            for numbers in _parts(index.count, pause)
        )
    # The texts file's summaries read in the catalog's order, a piece at a time: read in the
    # index's order, each is a read of its own (twice the time), and the whole column kept.
    count = len(index.catalog.papers)
    by_row = b"".join(
        _digests(index.row_texts(field, numbers.start, numbers.stop) for field, _ in FIELDS)
        for numbers in _parts(count, pause)
    )
    return b"".join(map(list(_each(by_row)).__getitem__, rows))


def _parts(count: int, pause: Callable[[], None] | None) -> Iterator[range]:
    for part in pieces(count):
        if pause is not None:
            pause()
        yield range(count)[part]


def _digests(columns: Iterable[list[str]]) -> bytes:
    """The digest of each paper's texts, given as one list per field."""
    # Each text's NULs written as NUL, 1: two NULs in a row then only ever part the texts.
    texts = map(_TWO_NULS.join, zip(*(map(_ESCAPE, column) for column in columns), strict=True))
    return b"".join(map(_DIGEST, map(_HASH, map(_ENCODE, texts))))


def places(before: bytes, after: bytes) -> array[int]:
    """For each paper of `after` (fingerprints), its place in `before` when a paper there has
    the same searched texts, else -1."""
    place = dict(zip(_each(before), range(len(before) // WIDTH), strict=True))
    return array("i", map(place.get, _each(after), repeat(-1)))


def _each(prints: bytes) -> Iterator[bytes]:
    ends = range(WIDTH, len(prints) + 1, WIDTH)
    return map(prints.__getitem__, map(slice, range(0, len(prints), WIDTH), ends))
