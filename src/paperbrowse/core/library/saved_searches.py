"""Saved searches: a query kept under a name, in the library file beside the user's papers.

Each name carries the time of its last change, as every field of a paper does, so two running
copies that save different searches both keep them, and the newer change of one name wins. A
deleted search stays in the file for a while as a tombstone (`deleted = true` with its time):
without it, a copy that still holds the search would bring it back at its next save, and a
copy that renamed it meanwhile could not tell which came last.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from paperbrowse.core.records.safe_text import visible

NAME_LIMIT = 80
QUERY_LIMIT = 1000
# A tombstone is dropped when a save finds it older than this: a copy left running longer than
# that with an unsaved change of the same name is the only one that could bring the name back.
TOMBSTONE_DAYS = 30


class SavedSearchError(ValueError):
    """A name or a query that cannot be saved, or a name that is not there; the message says why."""


class SavedSearchExists(SavedSearchError):
    """The name is taken: saving again must say it replaces (`replace=True`)."""

    def __init__(self, name: str, query: str) -> None:
        super().__init__(f"a saved search named '{visible(name)}' exists (query: {visible(query)})")
        self.name, self.query = name, query


@dataclass(frozen=True, slots=True)
class SavedSearch:
    query: str
    modified: dt.datetime
    deleted: bool = False


def sentence(message: str) -> str:
    """An error of this module as a sentence on its own, for a dialog or a notification."""
    return message[:1].upper() + message[1:] + "."


def check_name(name: str) -> str:
    """The name as it is kept (spaces around it dropped); SavedSearchError when it cannot be one."""
    name = name.strip()
    if not name:
        raise SavedSearchError("a saved search needs a name")
    if len(name) > NAME_LIMIT:
        raise SavedSearchError(f"a saved search's name is at most {NAME_LIMIT} characters, not {len(name)}")
    if not _plain(name):
        raise SavedSearchError(f"a saved search's name cannot hold control or invisible characters: '{visible(name)}'")
    return name


def check_query(query: str) -> str:
    query = query.strip()
    if not query:
        raise SavedSearchError("there is no query to save: type one first")
    if len(query) > QUERY_LIMIT:
        raise SavedSearchError(f"a saved query is at most {QUERY_LIMIT} characters, not {len(query)}")
    if not _plain(query):
        raise SavedSearchError(f"a saved query cannot hold control or invisible characters: '{visible(query)}'")
    return query


def _plain(text: str) -> bool:
    """One line that a terminal shows as it is: no control, invisible or line-breaking character."""
    return "\t" not in text and visible(text, keep_newlines=False) == text


def live(searches: Mapping[str, SavedSearch]) -> dict[str, str]:
    """Name -> query of the searches not deleted, in the order people look names up."""
    kept = {name: search.query for name, search in searches.items() if not search.deleted}
    return {name: kept[name] for name in sorted(kept, key=lambda name: (name.casefold(), name))}


def merge(disk: Mapping[str, SavedSearch], ours: Mapping[str, SavedSearch], dirty: set[str]) -> dict[str, SavedSearch]:
    """The file's searches with this session's changed names laid over them, unless the file's
    change of a name is newer."""
    merged = dict(disk)
    for name in dirty:
        mine = ours.get(name)
        theirs = disk.get(name)
        if mine is not None and (theirs is None or theirs.modified <= mine.modified):
            merged[name] = mine
    return merged


def prune(searches: Mapping[str, SavedSearch], now: dt.datetime) -> dict[str, SavedSearch]:
    """Without the tombstones older than TOMBSTONE_DAYS."""
    cutoff = now - dt.timedelta(days=TOMBSTONE_DAYS)
    return {name: s for name, s in searches.items() if not (s.deleted and s.modified < cutoff)}


def to_table(search: SavedSearch) -> dict[str, object]:
    if search.deleted:
        return {"deleted": True, "modified": search.modified}
    return {"query": search.query, "modified": search.modified}
