"""The `field:value` filters as sets of papers in lanes (see `paper_sets`), built in C-level passes.

Filters on the collection (cat, year, org, author, venue, the collection's tags) only depend
on the query, so their sets are kept; filters on the user's library (is, has, their own tags)
look only at the papers the library has entries for: everything else is unread and bare.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.schema import Paper
from paperbrowse.core.search import paper_sets
from paperbrowse.core.search.full_text import full_text_mask
from paperbrowse.core.search.query import Term
from paperbrowse.core.search.user_state import NoUserState, UserState


class FilterIndex(Protocol):
    """What a filter reads of the search index (`engine.SearchIndex`, which calls this module)."""

    # Read-only: a filter never sets them, so the index may hold a list where a Sequence is read.
    @property
    def catalog(self) -> Catalog: ...
    @property
    def papers(self) -> Sequence[Paper]: ...
    @property
    def count(self) -> int: ...
    @property
    def all(self) -> int: ...
    @property
    def years(self) -> Sequence[int]: ...
    @property
    def positions(self) -> Mapping[str, int]: ...
    @property
    def text(self) -> Mapping[str, Sequence[str]]: ...
    def kept(self, key: tuple[object, ...], build: Callable[[], int]) -> int: ...
    def field_matches(self, field: str, kind: str, needle: str, case: bool) -> int: ...


def filter_mask(index: FilterIndex, term: Term, user: UserState, hints: list[str]) -> int:
    """The papers the filter accepts (before its `!`, which the caller applies)."""
    if term.name == "cat":
        wanted = index.catalog.descendants(term.text) or index.catalog.descendants(term.text.lower())
        if not wanted:
            known = ", ".join(sorted(index.catalog.categories))
            hints.append(f"unknown category '{term.text}' (known: {known})")
            return 0
        return index.kept(("cat", wanted), lambda: _categories(index, wanted))
    if term.name == "year":
        low, high = term.years or (0, 9999)
        return index.kept(("year", low, high), lambda: _years(index, low, high))
    if term.name in ("org", "author"):
        field = "orgs" if term.name == "org" else "authors"
        return index.kept(
            ("field", field, term.text),
            lambda: _substring(index, field, term.text),
        )
    if term.name == "venue":
        return index.kept(("venue", term.text), lambda: _venue(index, term.text))
    if term.name == "tag":
        tag = term.text.lower()
        # The collection's own tags match whole, in any case.
        ours = index.kept(("tag", tag), lambda: index.field_matches("tags", "whole", tag, False))
        return ours | _user(index, user, lambda u, pid: tag in (t.lower() for t in u.user_tags(pid)))
    if term.name == "text":
        return full_text_mask(index.positions, index.count, user, term.text)
    if term.name == "has":
        return _user(index, user, lambda u, pid: u.has_note(pid))
    state = term.text.lower()
    if state == "starred":
        return _user(index, user, lambda u, pid: u.is_starred(pid))
    return _user(index, user, lambda u, pid: u.status(pid) == state)


def _categories(index: FilterIndex, wanted: frozenset[str]) -> int:
    return paper_sets.from_flags(bytes(map(wanted.__contains__, (p.category for p in index.papers))))


def _years(index: FilterIndex, low: int, high: int) -> int:
    return paper_sets.from_flags(bytes(map(range(low, high + 1).__contains__, index.years)))


def _substring(index: FilterIndex, field: str, text: str) -> int:
    """Papers whose field holds the text (smart case), through the field's word index."""
    return index.field_matches(field, "exact", text, text != text.lower())


def _venue(index: FilterIndex, text: str) -> int:
    if text == text.lower():
        return paper_sets.from_flags(bytes(text in p.venue.lower() for p in index.papers))
    return paper_sets.from_flags(bytes(text in p.venue for p in index.papers))


def _user(index: FilterIndex, user: UserState, accept: Callable[[UserState, str], bool]) -> int:
    """The papers whose library entry the filter accepts; an empty entry decides for the rest."""
    ids = getattr(user, "paper_ids", None)
    if ids is None:  # a UserState without the listing: ask about every paper
        return paper_sets.from_flags(bytes(accept(user, pid) for pid in index.text["id"]))
    default = bool(accept(NoUserState(), ""))  # unread, unstarred, no note, no tags
    places = index.positions
    differ = [places[pid] for pid in ids() if pid in places and bool(accept(user, pid)) != default]
    flipped = paper_sets.from_positions(differ, index.count)
    return index.all & ~flipped if default else flipped
