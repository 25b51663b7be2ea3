"""The search's indexes kept beside the snapshot: read back, carried, or built and kept.

A search needs every field's word index, and a session of keystrokes the titles' layout for
the word-start test. Both are kept beside the snapshot they were made for (`words_files`,
`snapshot.save_layout`) and read back by the next start in a fraction of a second; after an
edit, the word indexes are carried from the kept ones (`search.carried_words`); a reload carries
the replaced index's. Only what none of these gives is built, in slices a browser's keys can
come between.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from paperbrowse.core.store import snapshot, words_files

if TYPE_CHECKING:
    from paperbrowse.core.search.engine import SearchIndex


def prepare_search(
    index: SearchIndex, pause: Callable[[], None] | None = None, previous: SearchIndex | None = None
) -> None:
    """Give the index all its word indexes: carried from `previous` (the index a reload
    replaces: milliseconds, see `search.carried_words`), kept from an earlier run of the same
    data (or the carry kept for it), carried from those kept for the data before an edit (a
    second at 100,000 papers, see `search.fingerprints`), or built now (6-9 s there) and kept
    for the next one.

    Threads may call it at once (the browser's background work and a search typed before that
    finished): one loads, the others wait for it (a twentieth of a second when the indexes
    were kept) and find them ready. `pause`: called between slices of a build (not of a read).
    """
    with index.preparing:
        if not index.ready():
            try:
                if previous is None or not _carried(previous, index, pause):
                    _prepare_search(index, pause)
            except BaseException:
                index.words_from = ""  # no one is building them: whoever needs them tries again
                raise


def _carried(previous: SearchIndex, index: SearchIndex, pause: Callable[[], None] | None) -> bool:
    """Carry the word indexes over from the index a reload replaced. If that one's are still
    being read or built (the start's, at a reload soon after it), they are waited for: the
    rest of that build costs less than a whole one of this index beside it, and a search typed
    meanwhile answers from the texts, as during a build. The carry itself is waited for, as a
    read is: 30-120 ms at 100,000 papers, up to a second when every paper was parsed again."""
    from paperbrowse.core.search.carried_words import carry_words, worth_carrying  # needed only here

    if not worth_carrying(previous, index):
        return False
    index.words_from = "read" if previous.ready() else "build"
    with previous.preparing:  # released at once unless its words are on their way
        pass
    if not (previous.ready() and carry_words(previous, index, pause)):
        return False
    place: tuple[Path, snapshot.SnapshotKey] | None = index.catalog.derived.get("snapshot")
    if place is not None:  # kept for the next start, as a reload's snapshot is
        _keep_carried(index, *place)
    return True


def _prepare_search(index: SearchIndex, pause: Callable[[], None] | None) -> None:
    place: tuple[Path, snapshot.SnapshotKey] | None = index.catalog.derived.get("snapshot")
    if place is None:
        index.words_from = "build"
        index.prepare(pause)
        return
    where, key = place
    index.words_from = "read"
    words = words_files.words_path(where)
    state = words_files.load_words(words, key) or words_files.load_carried(words_files.carried_path(where), words, key)
    if state is not None:
        index.adopt_words(state)
    if index.ready():
        return
    index.words_from = "build"  # a search meanwhile answers from the texts, as during a build
    if _carried_from_kept(index, where, key, pause):
        return
    index.prepare(pause)
    from paperbrowse.core.search.fingerprints import fingerprints
    from paperbrowse.core.search.word_index import WordIndex

    built = {field: words for field, words in index.word_state().items() if isinstance(words, WordIndex)}
    if not snapshot.racy(key) and len(built) == len(index.word_state()):
        words_files.save_words(words, key, built, fingerprints(index, pause))


def _carried_from_kept(
    index: SearchIndex, where: Path, key: snapshot.SnapshotKey, pause: Callable[[], None] | None
) -> bool:
    """Carry the word indexes kept for an earlier state of the data (the files before an edit
    made since), through their papers' fingerprints, and keep the carry: a fraction of a
    second where a build takes seconds (see `search.fingerprints`). False where the words file
    holds nothing to carry from, or building pays more."""
    from paperbrowse.core.search.carried_words import carry_printed  # needed only here

    kept = words_files.load_base(words_files.words_path(where), pause or snapshot.let_others_run)
    if kept is None or kept[0] == key or not carry_printed(kept[1], kept[2], index, pause):
        return False
    _keep_carried(index, where, key)
    return True


def _keep_carried(index: SearchIndex, where: Path, key: snapshot.SnapshotKey) -> None:
    if not snapshot.racy(key):
        words_files.save_carried(
            words_files.carried_path(where), words_files.words_path(where), key, index.word_state()
        )


def expect_layout(index: SearchIndex) -> None:
    """Say, before the word indexes are read, that `prepare_layout` will follow: a query typed
    meanwhile whose letters are in most titles then waits for the kept layout's read rather
    than laying those titles out itself (seconds at 1,000,000 papers)."""
    if index.catalog.derived.get("snapshot") is not None and not index.layout_settled.is_set():
        index.layout_from = "read"


def forgo_layout(index: SearchIndex) -> None:
    """Say that no layout will come after all (the index was replaced before its turn): a query
    waiting for its read lays out its own candidates."""
    if index.layout() is None:
        index.layout_from = "build"
    index.layout_settled.set()


def prepare_layout(index: SearchIndex, pause: Callable[[], None] | None = None) -> None:
    """Give the index its titles' layout for the word-start test and their lengths: kept from
    an earlier run of the same data (read in pieces, a third of a second at 1,000,000 papers),
    or built now (seconds there) and kept for the next one; `pause` between pieces or steps."""
    place: tuple[Path, snapshot.SnapshotKey] | None = index.catalog.derived.get("snapshot")
    try:
        if place is not None and index.layout() is None:
            index.layout_from = "read"
            found = snapshot.load_layout(snapshot.layout_path(place[0]), place[1], _behind_searches(index, pause))
            if found is not None and index.adopt_layout(*found):
                return
    finally:  # no search waits for a build: it lays out its own candidates
        index.layout_from = "kept" if index.layout() is not None else "build"
        index.layout_settled.set()
    missing = index.layout() is None
    index.prepare_keystrokes(pause)
    layout = index.layout()
    if missing and place is not None and layout is not None and not snapshot.racy(place[1]):
        snapshot.save_layout(snapshot.layout_path(place[0]), place[1], *layout)


def _behind_searches(index: SearchIndex, pause: Callable[[], None] | None) -> Callable[[], None]:
    """A pause for the layout's read: the browser's (it sleeps while keys come), and a sleep
    while a search runs that does not wait for the layout. A first query whose letters are
    rare (most are) needs no layout, and has the interpreter to itself."""

    def behind() -> None:
        if pause is not None:
            pause()
        time.sleep(0)  # lets a waiting thread take the interpreter
        while index.searching():
            time.sleep(_SEARCH_POLL)

    return behind


_SEARCH_POLL = 0.005  # seconds between a paused read's looks at whether the searches ended
