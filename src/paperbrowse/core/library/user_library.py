"""The user's library: stars, notes, tags, reading status and app state, saved without loss.

A `Library` holds what was read from the file plus this session's changes, remembered as dirty
(paper, field) pairs. `save()` takes the file lock, reads the file again, lays this session's
changes over it (a field changed in both places keeps the newer change) and writes atomically.
A second running copy therefore never clobbers ours, nor we theirs. `refresh()` takes in what
others saved meanwhile the same way, without writing, so that what is shown is what the file says.

A change is stamped later than the stamp of the value it replaces, whatever the wall clock says
(a hybrid logical clock per field): a change made after reading a value wins over that value,
even one stamped in the future by a machine whose clock runs fast. Only changes made without
having seen each other are ordered by their times.

Edits of a part of a field (an append to a note, tags added or removed, an editor's changes to a
note) are kept as edits and replayed, at every save and refresh, on what the file holds then.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TypedDict, Unpack

from paperbrowse.core.files.atomic import atomic_write, locked, real_target, remove_leftovers, write_backup
from paperbrowse.core.library import on_disk, saved_searches, toml_file
from paperbrowse.core.library.entries import (
    _SURROGATE,
    EPOCH,
    STATUSES,
    Edit,
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
from paperbrowse.core.library.note_merge import NoteEdit
from paperbrowse.core.library.rescue import write_rescue
from paperbrowse.core.library.saved_searches import SavedSearch, SavedSearchError, SavedSearchExists
from paperbrowse.core.library.toml_file import LibraryFileError
from paperbrowse.core.records.safe_text import one_line, visible

__all__ = [
    "STATUSES",
    "Entry",
    "Library",
    "LibraryError",
    "LibraryFileError",
    "SavedSearchError",
    "SavedSearchExists",
    "clean_text",
]


class LibraryError(Exception):
    """Saving failed; the change stays in memory so that a later save can retry it.

    `reason` is why, naming the file; the message adds that the change is kept in memory, which
    holds for as long as this process runs.
    """

    def __init__(self, reason: str, *, kept_in_memory: bool = True) -> None:
        suffix = " (your change is kept in memory)" if kept_in_memory else ""
        super().__init__(one_line(reason) + suffix)
        self.reason = one_line(reason)


class _Changes(TypedDict, total=False):
    """The fields of an Entry a change may set (its `modified` stamps are set by `_change`)."""

    starred: bool
    starred_at: dt.datetime | None
    note: str
    tags: tuple[str, ...]
    status: Status
    history: tuple[tuple[dt.datetime, Status], ...]
    last_opened: dt.datetime | None
    pdf: str


def clean_text(text: str) -> str:
    """Text TOML can hold: lone surrogates (from undecodable input) become U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _stamp_after(previous: dt.datetime) -> dt.datetime:
    """A change's time: now, but always later than the change it replaces. At the very end of
    time it ties (a tie goes to this session's change when merging) rather than overflow."""
    try:
        later = previous + dt.timedelta(microseconds=1)
    except OverflowError:
        later = previous
    return max(now(), later)


class Library:
    def __init__(self, path: Path, data: LibraryData, error: LibraryFileError | None = None) -> None:
        self.path = path
        self.data = data
        # Set when the file could not be read, or its mode forbids writing: the library is then
        # read-only, and is never written.
        self.error = error
        self._signature: on_disk.Signature = None  # of the file as last read or written
        self._revision = 0  # counts the times the file brought in something this copy had not
        self._notices: list[str] = []  # what the user should be told: merged conflicts, a missing backup
        self._backup_told = False
        self._unreadable = False
        # (paper, field) -> the number of the change: a save clears only what it wrote, so a
        # change made on the UI thread while a worker saves stays dirty for the next save.
        self._dirty: dict[tuple[str, str], int] = {}
        self._state_dirty = 0
        self._searches_dirty: dict[str, int] = {}  # saved searches' names -> the number of the change
        self._counter = itertools.count(1)
        self._mutex = threading.RLock()  # guards data and the dirty marks, held only briefly
        self._save_lock = threading.Lock()  # one save at a time from this process
        # (paper, field) -> the edits (an append, tags added or removed, an editor's changes)
        # made since the last save, replayed at save time on the value the file holds then, so
        # that two copies appending to one note both keep their text. None: the value was
        # replaced outright, and the newer replacement wins.
        self._edits: dict[tuple[str, str], list[Edit] | None] = {}

    @classmethod
    def load(cls, path: Path | str) -> Library:
        """Never raises for a bad file: it opens read-only and `error` says why."""
        path = Path(path)
        try:
            data, signature = on_disk.read(path)
        except LibraryFileError as err:
            unreadable = cls(path, LibraryData(), err)
            unreadable._unreadable = True  # nothing of the file is held: there is nothing to refresh
            return unreadable
        library = cls(path, data, on_disk.refusal(path))
        library._signature = signature
        return library

    @property
    def read_only(self) -> bool:
        return self.error is not None

    @property
    def unsaved(self) -> bool:
        return bool(self._dirty or self._state_dirty or self._searches_dirty)

    @property
    def revision(self) -> int:
        """Grows whenever a refresh or a save took in values from the file: time to redraw."""
        return self._revision

    def take_notices(self) -> list[str]:
        """What the user should be told since the last call (a note merged with a conflict, a
        backup that could not be written), each once."""
        with self._mutex:
            notices, self._notices = self._notices, []
        return notices

    def _tell(self, notice: str) -> None:
        with self._mutex:
            self._notices.append(notice)

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

    def opened_ids(self) -> list[str]:
        """Papers opened in the browser, the most recent first."""
        with self._mutex:
            opened = [(e.last_opened, pid) for pid, e in self.data.entries.items() if e.last_opened]
        return [pid for _, pid in sorted(opened, reverse=True)]

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
            stamp = _stamp_after(entry.changed(name))
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

    def merge_note(self, paper_id: str, base: str, text: str) -> None:
        """Save an editor's `text` of a note it opened on `base`: only what the user changed is
        applied, merged three-way with the note as it is now and again with the file's at save
        time. Lines changed both here and elsewhere keep both versions, and a notice says so."""
        self._edit(paper_id, "note", NoteEdit(paper_id, clean_text(base), clean_text(text), self._tell))

    def set_tags(self, paper_id: str, tags: Iterable[str]) -> None:
        cleaned = unique_tags(tags)
        if cleaned != self.user_tags(paper_id):
            with self._mutex:
                self._edits[(paper_id, "tags")] = None
                self._change(paper_id, "tags", tags=cleaned)

    def edit_tags(self, paper_id: str, add: Iterable[str] = (), remove: Iterable[str] = ()) -> None:
        add, remove = tuple(add), tuple(remove)
        self._edit(paper_id, "tags", lambda tags: edit_tag_list(tags, add, remove))

    def _edit(self, paper_id: str, name: str, edit: Edit) -> None:
        with self._mutex:
            current = getattr(self.entry(paper_id), name)
            updated = edit(current)
            if updated == current:
                return
            edits = self._edits.get((paper_id, name), [])
            if edits is not None:
                self._edits[(paper_id, name)] = [*edits, edit]
            self._change(paper_id, name, **{name: updated})

    def pdf(self, paper_id: str) -> str:
        """The paper's PDF as recorded (see core.sources.pdfs for where it points), or ''."""
        return self.entry(paper_id).pdf

    def set_pdf(self, paper_id: str, path: str) -> None:
        path = clean_text(path)
        if path != self.pdf(paper_id):
            self._change(paper_id, "pdf", pdf=path)

    def mark_opened(self, paper_id: str) -> None:
        self._change(paper_id, "last_opened", last_opened=now())

    def set_state(self, **values: str) -> None:
        cleaned = {k: clean_text(v) for k, v in values.items()}
        with self._mutex:
            if any(self.data.state.get(k) != v for k, v in cleaned.items()):
                self.data.state.update(cleaned)
                self._state_dirty = next(self._counter)

    # Saved searches: a query kept under a name, merged by name (core.library.saved_searches).
    def saved_searches(self) -> dict[str, str]:
        """Name -> query, sorted by name."""
        with self._mutex:
            return saved_searches.live(self.data.searches)

    def saved_search(self, name: str) -> str | None:
        found = self.data.searches.get(name)
        return None if found is None or found.deleted else found.query

    def save_search(self, name: str, query: str, *, replace: bool = False) -> str:
        """Keep `query` under `name`; the name as kept (trimmed). SavedSearchExists when the name
        holds another query and `replace` is not given; SavedSearchError for what cannot be kept."""
        name, query = saved_searches.check_name(name), saved_searches.check_query(clean_text(query))
        with self._mutex:
            existing = self.saved_search(name)
            if existing is not None and existing != query and not replace:
                raise SavedSearchExists(name, existing)
            if existing != query:
                self._set_search(name, query)
        return name

    def delete_search(self, name: str) -> str:
        """Forget a saved search; the query it held. SavedSearchError when there is no such name."""
        with self._mutex:
            query = self._existing_search(name)
            self._set_search(name, query, deleted=True)
        return query

    def rename_search(self, old: str, new: str, *, replace: bool = False) -> str:
        """Give a saved search another name; the new name as kept. SavedSearchExists when the new
        name holds another search and `replace` is not given."""
        new = saved_searches.check_name(new)
        with self._mutex:
            query = self._existing_search(old)
            taken = self.saved_search(new)
            if new != old and taken is not None and not replace:
                raise SavedSearchExists(new, taken)
            if new != old:
                self._set_search(new, query)
                self._set_search(old, query, deleted=True)
        return new

    def _existing_search(self, name: str) -> str:
        query = self.saved_search(name)
        if query is None:
            raise SavedSearchError(f"no saved search named '{visible(name, keep_newlines=False)}'")
        return query

    def _set_search(self, name: str, query: str, *, deleted: bool = False) -> None:
        previous = self.data.searches.get(name)
        stamp = _stamp_after(previous.modified if previous else EPOCH)
        self.data.searches[name] = SavedSearch(query, stamp, deleted)
        self._searches_dirty[name] = next(self._counter)

    # Saving, and taking in what other copies saved.
    def save(self) -> None:
        """Merge this session's changes into the file under the lock; raise LibraryError on failure.

        Safe to call from a worker thread while the UI thread keeps changing the library.
        """
        if self.error is not None:
            raise LibraryError(f"{self.error} — not saving, so the file is left as it is", kept_in_memory=False)
        with self._save_lock:
            with self._mutex:
                dirty = dict(self._dirty)
                edits = self._pending_edits(dirty)
                state_dirty = self._state_dirty
                searches_dirty = dict(self._searches_dirty)
                ours = self._copy()
            if not dirty and not state_dirty and not searches_dirty:
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with locked(self.path):
                    disk, _ = on_disk.read(self.path)
                    if refusal := on_disk.refusal(self.path):
                        raise refusal
                    merged = merge(disk, ours, set(dirty), bool(state_dirty), edits)
                    searches = saved_searches.merge(disk.searches, ours.searches, set(searches_dirty))
                    merged.searches = saved_searches.prune(searches, now())
                    remove_leftovers(self.path)
                    backup_failure = self._back_up()
                    # Notes are private: a new library is readable by its owner only (chmod widens it).
                    atomic_write(self.path, toml_file.dump(merged), new_mode=0o600)
                    signature = on_disk.signature(self.path)  # under the lock: our own write
            except LibraryFileError as err:
                raise LibraryError(f"{err} — not saving, so the file is left as it is", kept_in_memory=False) from None
            except OSError as err:
                reason = err.strerror or str(err)
                raise LibraryError(f"cannot save {self.path}: {reason}") from None
            except (RecursionError, ValueError, TypeError) as err:
                # tomli-w cannot write it (nesting too deep for the interpreter, say): the file
                # on disk was not touched, and the change stays in memory.
                raise LibraryError(f"cannot save {self.path}: {err}") from None
            if backup_failure:
                self._tell(backup_failure)
            with self._mutex:
                for key, number in dirty.items():
                    if self._dirty.get(key) == number:
                        del self._dirty[key]
                        self._edits.pop(key, None)
                    elif pending := self._edits.get(key):
                        self._edits[key] = pending[len(edits.get(key, [])) :]
                if self._state_dirty == state_dirty:
                    self._state_dirty = 0
                for name, number in searches_dirty.items():
                    if self._searches_dirty.get(name) == number:
                        del self._searches_dirty[name]
                took_in = (
                    merged.entries != ours.entries or merged.state != ours.state or merged.searches != ours.searches
                )
                # Changes made while we were writing are newer than the file: keep them on top.
                for paper_id, name in self._dirty:
                    current = self.data.entries.get(paper_id)
                    if current is not None:
                        merged.entries[paper_id] = merge_field(merged.entries.get(paper_id, Entry()), current, name)
                if self._state_dirty:
                    merged.state.update(self.data.state)
                merged.searches.update({name: self.data.searches[name] for name in self._searches_dirty})
                self.data, self._signature = merged, signature
                if took_in:
                    self._revision += 1

    def rescue(self, places: Iterable[Path] | None = None) -> Path:
        """Write what this session holds, unsaved changes included, as a new library file
        elsewhere (`rescue.write_rescue`); its path. OSError (RescueError) when no place takes it,
        ValueError when the data cannot be written as TOML."""
        with self._mutex:
            document = toml_file.dump(self._copy())
        return write_rescue(document, self.path, places)

    def _copy(self) -> LibraryData:
        """What this session holds, in containers of its own (a save reads it in another thread)."""
        data = self.data
        return LibraryData(data.version, dict(data.entries), dict(data.state), dict(data.extra), dict(data.searches))

    def _pending_edits(self, dirty: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[Edit]]:
        return {key: list(self._edits[key] or []) for key in dirty if self._edits.get(key)}

    def _back_up(self) -> str | None:
        """Keep the file's previous version as `.bak`; why that failed, once a session, else None.

        A backup is a convenience: one that cannot be written (a folder in its place, say) never
        stops the save of the library itself.
        """
        try:
            write_backup(self.path)
        except OSError as err:
            if self._backup_told:
                return None
            self._backup_told = True
            backup = real_target(self.path).with_name(real_target(self.path).name + ".bak")
            return one_line(
                f"cannot write the backup {backup}: {err.strerror or err}; "
                f"{self.path} itself is saved, without a backup of its previous version"
            )
        return None

    def refresh(self, *, wait: float = 0.0) -> bool:
        """Take in what other copies saved since this one last read or wrote the file, this session's
        unsaved changes staying on top; True when that changed what this library holds.

        One stat when the file did not change. A file that cannot be read now is left to the next
        save to report. A save running in another thread takes in the file itself: this waits up to
        `wait` seconds for it to end, then looks; past that, it leaves the file to the save.
        """
        if self._unreadable or not self._save_lock.acquire(timeout=wait):
            return False
        try:
            if on_disk.signature(self.path) == self._signature:
                return False
            try:
                disk, signature = on_disk.read(self.path)
            except LibraryFileError:
                return False
            with self._mutex:
                dirty = set(self._dirty)
                fresh = merge(disk, self.data, dirty, bool(self._state_dirty), self._pending_edits(dirty))
                fresh.searches = saved_searches.merge(disk.searches, self.data.searches, set(self._searches_dirty))
                self._signature = signature
                if fresh == self.data:
                    return False
                self.data = fresh
                self._revision += 1
                return True
        finally:
            self._save_lock.release()
