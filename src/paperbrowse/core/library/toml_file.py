"""The library's TOML file: strict reading (anything odd refuses the file) and stable writing."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from typing import Any, TypeVar

import tomli_w

from paperbrowse.core.library import saved_searches
from paperbrowse.core.library.entries import STATUSES, VERSION, Entry, LibraryData, Status
from paperbrowse.core.library.saved_searches import SavedSearch
from paperbrowse.core.records import toml_lines
from paperbrowse.core.records.dates import type_name
from paperbrowse.core.records.safe_text import one_line

_ENTRY_KEYS = ("starred", "starred_at", "note", "tags", "status", "history", "last_opened", "pdf", "modified")
_STATE_KEYS = ("category", "query", "selected", "language")
_T = TypeVar("_T")


class LibraryFileError(Exception):
    """The file cannot be trusted: it is never overwritten while this stands."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line else path
        # Messages quote keys from the file itself: made inert here, once, for every screen.
        super().__init__(one_line(f"{where}: {message}"))
        self.path, self.line, self.message = path, line, message


class _Reader:
    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self.text = text
        self.lines = toml_lines.scan_tables(text)

    def fail(self, table: tuple[str, ...], key: str | None, message: str) -> LibraryFileError:
        line = None
        found = self.lines.get(table)
        if found is not None:
            line = found.keys.get(key, found.line) if key else found.line
        return LibraryFileError(self.path, line, message)

    def time(self, table: tuple[str, ...], key: str, value: Any) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
        raise self.fail(table, key, f"'{key}' must be a date-time, not {type_name(value)}")


def parse(text: str, path: str) -> LibraryData:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line, _column = toml_lines.error_position(err, text)
        raise LibraryFileError(path, line, f"TOML syntax error: {toml_lines.error_message(err)}") from None
    except RecursionError:
        raise LibraryFileError(path, None, "TOML nesting is too deep") from None
    reader = _Reader(text, path)
    version = document.get("version", VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise reader.fail((), None, f"'version' must be a positive integer, not {version!r}")
    if version > VERSION:
        raise LibraryFileError(
            path, None, f"written by a newer paperbrowse (format version {version}, this one reads {VERSION})"
        )
    state = document.get("state", {})
    if not isinstance(state, dict) or not all(isinstance(v, str) for v in state.values()):
        raise reader.fail(("state",), None, "[state] must hold only strings")
    papers = document.get("papers", {})
    if not isinstance(papers, dict):
        raise reader.fail((), None, f"'papers' must be a table, not {type_name(papers)}")
    entries: dict[str, Entry] = {}
    for paper_id, table in papers.items():
        if not isinstance(table, dict):
            raise reader.fail(("papers",), paper_id, f"entry '{paper_id}' must be a table")
        entries[paper_id] = _entry(reader, ("papers", paper_id), table)
    extra = {k: v for k, v in document.items() if k not in ("version", "state", "papers", "saved_searches")}
    return LibraryData(version, entries, dict(state), extra, _saved_searches(reader, document))


def _saved_searches(reader: _Reader, document: Mapping[str, Any]) -> dict[str, SavedSearch]:
    tables = document.get("saved_searches", {})
    if not isinstance(tables, dict):
        raise reader.fail((), None, f"'saved_searches' must be a table, not {type_name(tables)}")
    searches: dict[str, SavedSearch] = {}
    for name, table in tables.items():
        where = ("saved_searches", name)
        if not isinstance(table, dict):
            raise reader.fail(("saved_searches",), name, f"saved search '{name}' must be a table")
        if "modified" not in table:
            raise reader.fail(where, None, f"saved search '{name}' needs a 'modified' time")
        modified = reader.time(where, "modified", table["modified"])
        deleted = table.get("deleted", False)
        if not isinstance(deleted, bool):
            raise reader.fail(where, "deleted", f"'deleted' must be a boolean, not {type_name(deleted)}")
        query = table.get("query", "")
        if not isinstance(query, str) or not (deleted or query.strip()):
            raise reader.fail(where, "query", f"saved search '{name}' needs a 'query' string")
        searches[name] = SavedSearch(query, modified, deleted)
    return searches


def _entry(reader: _Reader, where: tuple[str, ...], table: Mapping[str, Any]) -> Entry:
    def typed(key: str, kind: type[_T], default: _T) -> _T:
        value = table.get(key, default)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise reader.fail(where, key, f"'{key}' must be {type_name(kind())}, not {type_name(value)}")
        return value

    def maybe_time(key: str) -> dt.datetime | None:
        return reader.time(where, key, table[key]) if key in table else None

    tags = typed("tags", list, [])
    if not all(isinstance(t, str) for t in tags):
        raise reader.fail(where, "tags", "'tags' must be an array of strings")
    status = typed("status", str, "unread")
    if status not in STATUSES:
        raise reader.fail(where, "status", f"status {status!r} is not one of {', '.join(STATUSES)}")
    history: list[tuple[dt.datetime, Status]] = []
    for item in typed("history", list, []):
        if not isinstance(item, dict) or item.get("status") not in STATUSES or "at" not in item:
            raise reader.fail(where, "history", "each 'history' item needs a 'status' and an 'at' time")
        history.append((reader.time(where, "history", item["at"]), item["status"]))
    modified: dict[str, dt.datetime] = {}
    for name, value in typed("modified", dict, {}).items():
        modified[name] = reader.time((*where, "modified"), name, value)
    return Entry(
        starred=typed("starred", bool, False),
        starred_at=maybe_time("starred_at"),
        note=typed("note", str, ""),
        tags=tuple(tags),
        status=status,
        history=tuple(sorted(history)),
        last_opened=maybe_time("last_opened"),
        pdf=typed("pdf", str, ""),
        modified=modified,
        extra={k: v for k, v in table.items() if k not in _ENTRY_KEYS},
    )


def dump(data: LibraryData) -> bytes:
    """TOML with sorted papers and a fixed key order, so the file diffs well under git."""
    document: dict[str, Any] = {"version": data.version}
    if data.state:
        document["state"] = {k: data.state[k] for k in sorted(data.state)}
    document.update(data.extra)
    if data.searches:
        document["saved_searches"] = {n: saved_searches.to_table(data.searches[n]) for n in sorted(data.searches)}
    document["papers"] = {pid: _entry_table(data.entries[pid]) for pid in sorted(data.entries)}
    # Multi-line strings read back "\r\n" as "\n": only use them when no string holds a "\r".
    multiline = not _has_carriage_return(document)
    return tomli_w.dumps(document, multiline_strings=multiline).encode("utf-8")


def _entry_table(entry: Entry) -> dict[str, Any]:
    table: dict[str, Any] = {}
    if entry.starred or entry.starred_at:
        table["starred"] = entry.starred
    if entry.starred_at:
        table["starred_at"] = entry.starred_at
    table["status"] = entry.status
    if entry.tags:
        table["tags"] = list(entry.tags)
    if entry.last_opened:
        table["last_opened"] = entry.last_opened
    if entry.pdf:
        table["pdf"] = entry.pdf
    table.update(entry.extra)
    if entry.note:
        table["note"] = entry.note
    if entry.history:
        table["history"] = [{"at": at, "status": status} for at, status in entry.history]
    if entry.modified:
        table["modified"] = {k: entry.modified[k] for k in sorted(entry.modified)}
    return table


def _has_carriage_return(value: Any) -> bool:
    if isinstance(value, str):
        return "\r" in value
    if isinstance(value, dict):
        return any(_has_carriage_return(k) or _has_carriage_return(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_carriage_return(v) for v in value)
    return False
