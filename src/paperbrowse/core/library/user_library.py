"""The user's library: stars, notes, tags, reading status and app state, saved without loss.

A `Library` holds what was read from the file plus this session's changes, remembered as dirty
(paper, field) pairs. `save()` takes the file lock, reads the file again, lays this session's
changes over it (a field changed in both places keeps the newer change) and writes atomically.
A second running copy therefore never clobbers ours, nor we theirs.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypedDict, Unpack

from paperbrowse.core.files.atomic import atomic_write, locked, remove_leftovers
from paperbrowse.core.library import toml_file
from paperbrowse.core.library.entries import (
    _SURROGATE,
    STATUSES,
    Entry,
    LibraryData,
    Status,
    append_text,
    edit_tag_list,
    merge,
    merge_field,
    now,
    unique_tags,
)
from paperbrowse.core.library.toml_file import LibraryFileError
from paperbrowse.core.records.safe_text import one_line

__all__ = ["STATUSES", "Entry", "Library", "LibraryError", "LibraryFileError", "clean_text"]


class LibraryError(Exception):
    """Saving failed; the change stays in memory so that a later save can retry it."""


# An edit of one field, replayed at save time on the value the file holds then: a note's text
# to the longer text, or a tag tuple to the edited tuple.
_Edit = Callable[[Any], Any]


class _Changes(TypedDict, total=False):
    """The fields of an Entry a change may set (its `modified` stamps are set by `_change`)."""

    starred: bool
    starred_at: dt.datetime | None
    note: str
    tags: tuple[str, ...]
    status: Status
    history: tuple[tuple[dt.datetime, Status], ...]
    last_opened: dt.datetime | None


def clean_text(text: str) -> str:
    """Text TOML can hold: lone surrogates (from undecodable input) become U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _read(path: Path) -> LibraryData:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return LibraryData()
    except IsADirectoryError:
        raise LibraryFileError(str(path), None, "is a folder, not a library file") from None
    except OSError as err:
        raise LibraryFileError(str(path), None, f"cannot read: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise LibraryFileError(str(path), line, "not valid UTF-8 text") from None
    return toml_file.parse(text, str(path))


class Library:
    def __init__(self, path: Path, data: LibraryData, error: LibraryFileError | None = None) -> None:
        self.path = path
        self.data = data
        self.error = error  # set when the file could not be read: the library is then read-only
        # (paper, field) -> the number of the change: a save clears only what it wrote, so a
        # change made on the UI thread while a worker saves stays dirty for the next save.
        self._dirty: dict[tuple[str, str], int] = {}
        self._state_dirty = 0
        self._counter = itertools.count(1)
        self._mutex = threading.RLock()  # guards data and the dirty marks, held only briefly
        self._save_lock = threading.Lock()  # one save at a time from this process
        # (paper, field) -> the edits (an append, tags added or removed) made since the last
        # save, replayed at save time on the value the file holds then, so that two copies
        # appending to one note both keep their text. None: the value was replaced outright,
        # and the newer replacement wins.
        self._edits: dict[tuple[str, str], list[_Edit] | None] = {}

    @classmethod
    def load(cls, path: Path | str) -> Library:
        """Never raises for a bad file: it opens read-only and `error` says why."""
        path = Path(path)
        try:
            return cls(path, _read(path))
        except LibraryFileError as err:
            return cls(path, LibraryData(), err)

    @property
    def read_only(self) -> bool:
        return self.error is not None

    @property
    def unsaved(self) -> bool:
        return bool(self._dirty or self._state_dirty)

    # Reading (the search core's UserState protocol among them).
    def entry(self, paper_id: str) -> Entry:
        return self.data.entries.get(paper_id) or Entry()

    def is_starred(self, paper_id: str) -> bool:
        return self.entry(paper_id).starred

    def status(self, paper_id: str) -> Status:
        return self.entry(paper_id).status

    def has_note(self, paper_id: str) -> bool:
        return bool(self.entry(paper_id).note.strip())

    def user_tags(self, paper_id: str) -> Sequence[str]:
        return self.entry(paper_id).tags

    def note(self, paper_id: str) -> str:
        return self.entry(paper_id).note

    def paper_ids(self) -> list[str]:
        """The papers with an entry: a search thread reads this while the UI thread edits."""
        with self._mutex:
            return list(self.data.entries)

    def starred_ids(self) -> list[str]:
        """Starred papers in the order they were starred."""
        starred = [
            (e.starred_at or dt.datetime.min.replace(tzinfo=dt.UTC), pid)
            for pid, e in self.data.entries.items()
            if e.starred
        ]
        return [pid for _, pid in sorted(starred)]

    def orphans(self, known_ids: Iterable[str]) -> list[str]:
        known = set(known_ids)
        return sorted(pid for pid in self.data.entries if pid not in known)

    @property
    def state(self) -> dict[str, str]:
        return dict(self.data.state)

    # Changing: every change is stamped with its time and marked for the next save.
    def _change(self, paper_id: str, name: str, **values: Unpack[_Changes]) -> Entry:
        with self._mutex:
            entry = self.entry(paper_id)
            stamp = max(now(), entry.changed(name) + dt.timedelta(microseconds=1))
            updated = replace(entry, modified={**entry.modified, name: stamp}, **values)
            self.data.entries[paper_id] = updated
            self._dirty[(paper_id, name)] = next(self._counter)
            return updated

    def star(self, paper_id: str, starred: bool = True) -> None:
        entry = self.entry(paper_id)
        if entry.starred == starred:
            return
        self._change(paper_id, "starred", starred=starred, starred_at=now() if starred else None)

    def toggle_star(self, paper_id: str) -> bool:
        self.star(paper_id, not self.is_starred(paper_id))
        return self.is_starred(paper_id)

    def set_status(self, paper_id: str, status: str) -> None:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        entry = self.entry(paper_id)
        if entry.status == status:
            return
        history = (*entry.history, (now(), status))
        self._change(paper_id, "status", status=status, history=history)

    def cycle_status(self, paper_id: str) -> Status:
        current = STATUSES.index(self.status(paper_id))
        self.set_status(paper_id, STATUSES[(current + 1) % len(STATUSES)])
        return self.status(paper_id)

    def link_opened(self, paper_id: str) -> None:
        """Opening a paper's link means the user started reading it."""
        if self.status(paper_id) == "unread":
            self.set_status(paper_id, "reading")

    def set_note(self, paper_id: str, text: str) -> None:
        text = clean_text(text)
        if text != self.note(paper_id):
            with self._mutex:
                self._edits[(paper_id, "note")] = None
                self._change(paper_id, "note", note=text)

    def append_note(self, paper_id: str, text: str) -> None:
        added = clean_text(text)
        self._edit(paper_id, "note", lambda note: append_text(note, added))

    def set_tags(self, paper_id: str, tags: Iterable[str]) -> None:
        cleaned = unique_tags(tags)
        if cleaned != self.user_tags(paper_id):
            with self._mutex:
                self._edits[(paper_id, "tags")] = None
                self._change(paper_id, "tags", tags=cleaned)

    def edit_tags(self, paper_id: str, add: Iterable[str] = (), remove: Iterable[str] = ()) -> None:
        add, remove = tuple(add), tuple(remove)
        self._edit(paper_id, "tags", lambda tags: edit_tag_list(tags, add, remove))

    def _edit(self, paper_id: str, name: str, edit: _Edit) -> None:
        with self._mutex:
            current = getattr(self.entry(paper_id), name)
            updated = edit(current)
            if updated == current:
                return
            edits = self._edits.get((paper_id, name), [])
            if edits is not None:
                self._edits[(paper_id, name)] = [*edits, edit]
            self._change(paper_id, name, **{name: updated})

    def mark_opened(self, paper_id: str) -> None:
        self._change(paper_id, "last_opened", last_opened=now())

    def set_state(self, **values: str) -> None:
        cleaned = {k: clean_text(v) for k, v in values.items()}
        with self._mutex:
            if any(self.data.state.get(k) != v for k, v in cleaned.items()):
                self.data.state.update(cleaned)
                self._state_dirty = next(self._counter)

    # Saving.
    def save(self) -> None:
        """Merge this session's changes into the file under the lock; raise LibraryError on failure.

        Safe to call from a worker thread while the UI thread keeps changing the library.
        """
        if self.error is not None:
            raise LibraryError(f"{self.error} — not saving, so the file is left as it is")
        with self._save_lock:
            with self._mutex:
                dirty = dict(self._dirty)
                edits = {key: list(self._edits[key] or []) for key in dirty if self._edits.get(key)}
                state_dirty = self._state_dirty
                ours = LibraryData(self.data.version, dict(self.data.entries), dict(self.data.state))
            if not dirty and not state_dirty:
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with locked(self.path):
                    disk = _read(self.path)
                    merged = merge(disk, ours, set(dirty), bool(state_dirty))
                    for (paper_id, name), replay in edits.items():
                        value = getattr(disk.entries.get(paper_id) or Entry(), name)
                        for edit in replay:
                            value = edit(value)
                        merged.entries[paper_id] = replace(merged.entries[paper_id], **{name: value})
                    remove_leftovers(self.path)
                    atomic_write(self.path, toml_file.dump(merged), backup=True)
            except LibraryFileError as err:
                raise LibraryError(f"{err} — not saving, so the file is left as it is") from None
            except OSError as err:
                reason = err.strerror or str(err)
                raise LibraryError(
                    one_line(f"cannot save {self.path}: {reason} (your change is kept in memory)")
                ) from None
            except (RecursionError, ValueError, TypeError) as err:
                # tomli-w cannot write it (nesting too deep for the interpreter, say): the file
                # on disk was not touched, and the change stays in memory.
                raise LibraryError(
                    one_line(f"cannot save {self.path}: {err} (your change is kept in memory)")
                ) from None
            with self._mutex:
                for key, number in dirty.items():
                    if self._dirty.get(key) == number:
                        del self._dirty[key]
                        self._edits.pop(key, None)
                    elif pending := self._edits.get(key):
                        self._edits[key] = pending[len(edits.get(key, [])) :]
                if self._state_dirty == state_dirty:
                    self._state_dirty = 0
                # Changes made while we were writing are newer than the file: keep them on top.
                for paper_id, name in self._dirty:
                    current = self.data.entries.get(paper_id)
                    if current is not None:
                        merged.entries[paper_id] = merge_field(merged.entries.get(paper_id, Entry()), current, name)
                if self._state_dirty:
                    merged.state.update(self.data.state)
                self.data = merged

    def reload(self) -> None:
        """Pick up changes saved by another copy (only when nothing here is unsaved)."""
        if not self.unsaved:
            fresh = Library.load(self.path)
            self.data, self.error = fresh.data, fresh.error
