"""What the user keeps per paper, and how two versions of it merge.

Every field carries the time of its last change (`modified`), so when two running copies save,
the newer change of each field of each paper wins and nothing else is touched.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from paperbrowse.core.library.saved_searches import SavedSearch

Status = Literal["unread", "reading", "read"]
STATUSES: tuple[Status, ...] = ("unread", "reading", "read")
# The marks every view shows (the browser's list and details, the CLI's tables): one set, so a
# reader learns them once.
STATUS_MARKS: dict[str, str] = {"unread": "·", "reading": "◐", "read": "✓"}
STAR_MARK = "★"
FIELDS = ("starred", "note", "tags", "status", "last_opened", "pdf")
VERSION = 1
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# An edit of part of one field (an append to a note, tags added or removed), replayed at every
# save on the value the file holds then: a note's text to the longer text, a tag tuple to another.
Edit = Callable[[Any], Any]
_SURROGATE = re.compile("[\ud800-\udfff]")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Entry:
    starred: bool = False
    starred_at: dt.datetime | None = None
    note: str = ""
    tags: tuple[str, ...] = ()
    status: Status = "unread"
    history: tuple[tuple[dt.datetime, Status], ...] = ()  # (when, status), oldest first
    last_opened: dt.datetime | None = None
    pdf: str = ""  # the paper's local PDF: relative to the library's folder, or absolute (attached by link)
    modified: Mapping[str, dt.datetime] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)  # keys we do not know, kept verbatim

    def changed(self, name: str) -> dt.datetime:
        return self.modified.get(name, EPOCH)


@dataclass(slots=True)
class LibraryData:
    version: int = VERSION
    entries: dict[str, Entry] = field(default_factory=dict)
    state: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    searches: dict[str, SavedSearch] = field(default_factory=dict)  # by name, tombstones too


def merge_field(disk: Entry, ours: Entry, name: str) -> Entry:
    """`disk` with our value of one field, unless the disk's change of that field is newer."""
    history = tuple(sorted(set(disk.history) | set(ours.history)))
    if ours.changed(name) < disk.changed(name):
        return replace(disk, history=history) if name == "status" else disk
    modified = {**disk.modified, name: ours.changed(name)}
    if name == "starred":
        return replace(disk, starred=ours.starred, starred_at=ours.starred_at, modified=modified)
    if name == "status":
        return replace(disk, status=ours.status, history=history, modified=modified)
    return replace(disk, modified=modified, **{name: getattr(ours, name)})


def merge(
    disk: LibraryData,
    ours: LibraryData,
    dirty: set[tuple[str, str]],
    state_dirty: bool,
    edits: Mapping[tuple[str, str], Sequence[Edit]] | None = None,
) -> LibraryData:
    """What to write: the file as it is now, with this session's changes laid over it, and the
    edits of a field replayed on the file's value of it."""
    entries = dict(disk.entries)
    for paper_id, name in sorted(dirty):
        mine = ours.entries.get(paper_id)
        if mine is None:
            continue
        entries[paper_id] = merge_field(entries.get(paper_id, Entry()), mine, name)
    for (paper_id, name), replay in (edits or {}).items():
        value = getattr(disk.entries.get(paper_id) or Entry(), name)
        for edit in replay:
            value = edit(value)
        entries[paper_id] = replace(entries[paper_id], **{name: value})
    state = {**disk.state, **ours.state} if state_dirty else dict(disk.state)
    return LibraryData(disk.version, entries, state, dict(disk.extra))


def append_text(note: str, text: str) -> str:
    """A note with `text` added as a new line."""
    joiner = "" if not note or note.endswith("\n") else "\n"
    return note + joiner + text


def unique_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags stripped, without blanks or case-variant repeats; the first spelling is kept."""
    seen: dict[str, str] = {}
    for tag in tags:
        cleaned = _SURROGATE.sub("\ufffd", tag).strip()
        if cleaned and cleaned.casefold() not in seen:
            seen[cleaned.casefold()] = cleaned
    return tuple(seen.values())


def edit_tag_list(tags: tuple[str, ...], add: Iterable[str], remove: Iterable[str]) -> tuple[str, ...]:
    removed = {t.strip().casefold() for t in remove}
    return unique_tags([*(t for t in tags if t.casefold() not in removed), *add])
