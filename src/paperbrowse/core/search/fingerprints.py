"""Each paper's searched texts as a short digest, kept beside the word indexes built from them.

A one-off command after an edit (or a browser started after one) found the word indexes kept
for the files as they were, and built them all again: 5-6 s at 100,000 papers. Their words
still held for every paper whose searched texts had not changed, but the papers they were made
of were gone by then (the snapshot written again), so nothing could tell which those were.
A digest of each paper's searched texts, kept with the indexes (16 bytes a paper), tells it:
where a paper of the new collection has the digest of one of the kept indexes' papers, its
words are theirs (see `carried_words.carry_printed`).

The digest is of every searched field's text (as `SearchIndex.field_texts` gives it), the
texts' lengths written first: no two different sets of texts read the same, whatever
characters they hold.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterator
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


def fingerprints(index: SearchIndex, pause: Callable[[], None] | None = None) -> bytes:
    """The digests of the index's papers' searched texts, in its order, WIDTH bytes each.
    C-level passes, a piece of the papers at a time, `pause` before each piece: about 2 us
    a paper."""
    count = index.count
    found: list[bytes] = []
    for part in pieces(count):
        if pause is not None:
            pause()
        numbers = range(count)[part]
        columns = [list(index.field_texts(field, numbers)) for field, _ in FIELDS]
        # "(5, 0, 12, ...)\0" then the texts joined by NULs: the lengths, which hold no NUL,
        # say where each text ends.
        lengths = map(repr, zip(*(map(len, column) for column in columns), strict=True))
        heads = map(str.__add__, lengths, repeat("\0"))
        texts = map(str.__add__, heads, map("\0".join, zip(*columns, strict=True)))
        found.append(b"".join(map(_DIGEST, map(_HASH, map(_ENCODE, texts)))))
    return b"".join(found)


def places(before: bytes, after: bytes) -> array[int]:
    """For each paper of `after` (fingerprints), its place in `before` when a paper there has
    the same searched texts, else -1."""
    place = dict(zip(_each(before), range(len(before) // WIDTH), strict=True))
    return array("i", map(place.get, _each(after), repeat(-1)))


def _each(prints: bytes) -> Iterator[bytes]:
    ends = range(WIDTH, len(prints) + 1, WIDTH)
    return map(prints.__getitem__, map(slice, range(0, len(prints), WIDTH), ends))
