"""The word indexes kept beside a snapshot, and those carried from them.

A words file holds the word indexes of one state of the data (its snapshot's key), each as
the pieces `WordIndex.parts` gives, then the fingerprints of its papers (see
`search.fingerprints`). A carried-words file holds those of a later state as a carry made
them (see `search.carried_words`): the key it answers, the key of the words file it reads
through, where each of its papers sits there (-1: not there), and for each field the words of
the papers not there. It is a few hundred kilobytes where a words file is tens of megabytes:
a reload or an edit saves one instead of building and writing every word index again, and the
next start reads both back.

A carried-words file is only good while the words file still holds its base: the two are
written apart (each whole, by rename), and one whose base was replaced since is a miss.
"""

from __future__ import annotations

import contextlib
import pickle
import zlib
from array import array
from collections.abc import Callable, Mapping
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from paperbrowse.core.search.word_index import WordIndex
from paperbrowse.core.store import trust
from paperbrowse.core.store.snapshot import SnapshotKey, let_others_run, paused

if TYPE_CHECKING:
    from paperbrowse.core.search.word_index import Words

# 2: a field's index in pieces (WordIndex.parts). 3: the vocabulary only of fields where a typo
# is looked for (the others' is split out of their vocabulary lines if ever needed). 4: the
# papers' fingerprints after the fields.
_WORDS_FORMAT = ("paperbrowse words", 4)
_CARRIED_FORMAT = ("paperbrowse carried words", 1)
_PLACE = "i"  # an array's type for the papers' places
# Where each word index read or written here is kept (its words file, and that file's key): a
# carry from it can then be kept as the way through that file. Weak: it names, never holds.
_KEPT: WeakKeyDictionary[WordIndex, tuple[Path, SnapshotKey]] = WeakKeyDictionary()


def words_path(snapshot: Path) -> Path:
    return snapshot.with_name(snapshot.name.replace("snapshot-", "words-", 1))


def carried_path(snapshot: Path) -> Path:
    return snapshot.with_name(snapshot.name.replace("snapshot-", "carried-", 1))


def load_words(path: Path, key: SnapshotKey, pause: Callable[[], None] = let_others_run) -> dict[str, WordIndex] | None:
    """Word indexes kept for files that still match `key` (see SearchIndex.word_state), read a
    piece at a time with `pause` between pieces: at 1,000,000 papers the whole read takes half
    a second, which one unpickling held the interpreter for (a stall of the browser's frames)."""
    found = _read_words(path, key, pause, with_prints=False)
    return None if found is None else found[1]


def load_base(
    path: Path, pause: Callable[[], None] = let_others_run
) -> tuple[SnapshotKey, dict[str, WordIndex], bytes] | None:
    """Whatever state the words file holds: its key, its word indexes and its papers'
    fingerprints, for a carry to a later state (`carried_words.carry_printed`)."""
    found = _read_words(path, None, pause, with_prints=True)
    if found is None or found[2] is None:
        return None
    return found[0], found[1], found[2]


def _read_words(
    path: Path, key: SnapshotKey | None, pause: Callable[[], None], with_prints: bool
) -> tuple[SnapshotKey, dict[str, WordIndex], bytes | None] | None:

    with contextlib.suppress(Exception):
        pieces = trust.load_pieces(path)
        head = next(pieces)
        if not isinstance(head, tuple) or len(head) != 3 or head[0] != _WORDS_FORMAT:
            return None
        if key is not None and head[1] != key:
            return None
        state = {}
        for field in head[2]:
            pause()
            state[field] = WordIndex.from_parts(paused(pieces, pause))
            _KEPT[state[field]] = (path, head[1])
        prints = _blob(next(pieces)) if with_prints else None
        return head[1], state, prints
    return None


def save_words(path: Path, key: SnapshotKey, state: Mapping[str, WordIndex], prints: bytes) -> None:
    """Keep `state` (every field's word index) for files that match `key`, with its papers'
    fingerprints (`search.fingerprints`)."""
    from paperbrowse.core.search.engine import TYPO_FIELDS  # where `WordIndex.similar` reads the words

    with contextlib.suppress(OSError, RecursionError, pickle.PicklingError, MemoryError):
        head = (_WORDS_FORMAT, key, list(state))
        parts = chain.from_iterable(words.parts(field in TYPO_FIELDS) for field, words in state.items())
        pieces = chain([head], parts, [(zlib.crc32(prints), prints)])
        data = [pickle.dumps(piece, protocol=pickle.HIGHEST_PROTOCOL) for piece in pieces]
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        trust.write(path, data)
        for words in state.values():
            _KEPT[words] = (path, key)


def save_carried(path: Path, words: Path, key: SnapshotKey, state: Mapping[str, Words]) -> bool:
    """Keep `state`, carried from the word indexes the words file at `words` holds, for files
    that match `key`; False (nothing written) when it is not all carried from those."""
    from paperbrowse.core.search.carried_words import CarriedWords  # the search's type, used only here
    from paperbrowse.core.search.engine import TYPO_FIELDS

    bases = [words.base if isinstance(words, CarriedWords) else words for words in state.values()]
    kept = {_KEPT.get(base) if isinstance(base, WordIndex) else None for base in bases}
    moves = {id(words.moves): words.moves for words in state.values() if isinstance(words, CarriedWords)}
    if len(kept) != 1 or len(moves) > 1:
        return False
    found = kept.pop()
    if found is None or found[0] != words:
        return False
    base_key = found[1]
    if moves:
        (move,) = moves.values()
        base_of, base_count = array(_PLACE, move.base_of), move.base_count
    else:  # nothing moved (an edit of texts no search reads): every field the base itself
        base_count = next(iter(state.values())).count
        base_of = array(_PLACE, range(base_count))
    blob = base_of.tobytes()
    with contextlib.suppress(OSError, RecursionError, pickle.PicklingError, MemoryError, OverflowError):
        head = (_CARRIED_FORMAT, key, base_key, list(state), base_count, (zlib.crc32(blob), blob))
        added = (
            chain([True], words.added.parts(field in TYPO_FIELDS)) if isinstance(words, CarriedWords) else [False]
            for field, words in state.items()
        )
        data = [pickle.dumps(piece, protocol=pickle.HIGHEST_PROTOCOL) for piece in chain([head], *added)]
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        trust.write(path, data)
        return True
    return False


def load_carried(
    path: Path, words: Path, key: SnapshotKey, pause: Callable[[], None] = let_others_run
) -> dict[str, Words] | None:
    """The word indexes carried for files that match `key` (see `save_carried`), read through
    the words file at `words`; None when either is missing, stale or damaged."""
    from paperbrowse.core.search.carried_words import CarriedWords, Moves  # the search's types, read only here

    with contextlib.suppress(Exception):
        pieces = trust.load_pieces(path)
        head = next(pieces)
        if not isinstance(head, tuple) or len(head) != 6 or head[0] != _CARRIED_FORMAT or head[1] != key:
            return None
        _, _, base_key, fields, base_count, placed = head
        base = load_words(words, base_key, pause)
        if base is None or set(base) != set(fields) or any(w.count != base_count for w in base.values()):
            return None
        base_of = array(_PLACE)
        base_of.frombytes(_blob(placed))
        if max(base_of, default=-1) >= base_count:
            return None
        moves = Moves(base_of, base_count)
        state: dict[str, Words] = {}
        for field in fields:
            pause()
            if next(pieces) is True:
                state[field] = CarriedWords(base[field], moves, WordIndex.from_parts(paused(pieces, pause)))
            else:
                state[field] = base[field]
        if next(pieces, None) is not None:
            return None
        return state
    return None


def _blob(piece: Any) -> bytes:
    """The bytes of a (crc, bytes) piece; raises ValueError when they are not what was written."""
    crc, blob = piece
    if not isinstance(blob, bytes) or zlib.crc32(blob) != crc:
        raise ValueError("a damaged piece")
    return blob
