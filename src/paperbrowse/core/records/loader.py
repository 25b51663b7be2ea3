"""Reading record files: every file is parsed on its own, problems are collected, never raised."""

from __future__ import annotations

import contextlib
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from paperbrowse.core.records import toml_lines
from paperbrowse.core.records.problems import Problem, Severity
from paperbrowse.core.records.scan import DataFile, scan
from paperbrowse.core.records.schema import (
    Category,
    Findings,
    Paper,
    RecordError,
    Validator,
    category_from_table,
    paper_from_table,
)


class _TomlReader(Protocol):
    """What is used of rtoml: mypy checks the module against it, and None stands for no wheel."""

    def loads(self, toml: str) -> dict[str, Any]: ...


rtoml: _TomlReader | None
try:  # a compiled reader, when the platform has a wheel for it
    import rtoml
except ImportError:  # pragma: no cover - the pure tomllib path is tested with rtoml hidden
    rtoml = None

_TOP_LEVEL = ("paper", "category")
_Record = TypeVar("_Record", Paper, Category)


@dataclass(slots=True)
class FileRecords:
    """What one file holds: its good records and its problems. Cacheable per file."""

    path: str
    papers: list[Paper] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def find_files(sources: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[Problem]]:
    """The `*.toml` files under each source (a file or a folder, searched recursively)."""
    found, problems = scan_files(sources)
    return [Path(file.path) for file in found], problems


def scan_files(sources: Iterable[str | os.PathLike[str]]) -> tuple[list[DataFile], list[Problem]]:
    """The `*.toml` files under each source, in path order, each with its stat (see `scan`)."""
    found = scan(sources)
    return found.files(), found.problems


def parse_file(path: Path) -> FileRecords:
    """Parse one record file; a syntax error costs this file only."""
    result = FileRecords(str(path))
    try:
        raw = path.read_bytes()
    except OSError as err:
        result.problems.append(Problem(str(path), None, f"cannot read: {err.strerror or err}"))
        return result
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        result.problems.append(Problem(str(path), line, "not valid UTF-8 text"))
        return result
    return parse_text(text, str(path))


def parse_text(text: str, name: str) -> FileRecords:
    result = FileRecords(name)
    try:
        document = _read_toml(text)
    except tomllib.TOMLDecodeError as err:
        line, column = toml_lines.error_position(err, text)
        message = f"TOML syntax error: {toml_lines.error_message(err)}"
        result.problems.append(Problem(name, line, message, column=column))
        return result
    except RecursionError:
        result.problems.append(Problem(name, None, "TOML nesting is too deep"))
        return result
    locator = toml_lines.Locator(text)
    for key, value in document.items():
        if key not in _TOP_LEVEL:
            result.problems.append(
                Problem(name, locator.key_line(key), f"unknown top-level key '{key}' (ignored)", "warning")
            )
            continue
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            result.problems.append(
                Problem(name, locator.key_line(key), f"'{key}' must be an array of tables: write [[{key}]]")
            )
            continue
        lines: Sequence[int | None] | None = locator.header_lines(key, len(value))
        if lines is None:  # an inline array, `paper = [{ ... }]`: each table by its id, else the key's line
            lines = [_inline_line(text, table, locator.key_line(key)) for table in value]
        # Each kind has its own validator and list: one call per kind keeps the two paired.
        if key == "paper":
            _validate(paper_from_table, result.papers, key, value, lines, locator, result)
        else:
            _validate(category_from_table, result.categories, key, value, lines, locator, result)
    return result


def _validate(
    validator: Validator[_Record],
    target: list[_Record],
    key: str,
    tables: list[dict[str, Any]],
    lines: Sequence[int | None],
    locator: toml_lines.Locator,
    result: FileRecords,
) -> None:
    """The `[[key]]` tables of one file: the usable records to `target`, what was found to the problems."""
    name = result.path
    for index, (table, line) in enumerate(zip(tables, lines, strict=True)):
        record, findings = validator(table, source=name, line=line)
        if findings.errors or findings.warnings:
            span = locator.span(key, index, len(tables)) if line else None
            label = f"{key} '{table['id']}'" if isinstance(table.get("id"), str) else key
            _report(findings, span or (toml_lines.TableSpan(line) if line else None), name, label, result.problems)
        if record is not None:
            target.append(record)


def _read_toml(text: str) -> dict[str, Any]:
    """rtoml (Rust) reads several times faster; tomllib is the reference, and names the line of
    an error. A file rtoml rejects is read again by tomllib, which raises with the position."""
    if rtoml is not None:
        with contextlib.suppress(Exception):  # any rtoml failure: tomllib decides and explains
            return rtoml.loads(text)
    return tomllib.loads(text)


def _inline_line(text: str, table: Mapping[str, Any], fallback: int | None) -> int | None:
    if isinstance(table.get("id"), str):
        pattern = re.compile(r"\bid\s*=\s*[\"']" + re.escape(table["id"]) + r"[\"']")
        for number, content in enumerate(text.split("\n"), start=1):
            if pattern.search(content):
                return number
    return fallback


def _report(
    findings: Findings, span: toml_lines.TableSpan | None, name: str, label: str, problems: list[Problem]
) -> None:
    skipped = " (record skipped)" if findings.errors else ""
    kinds: tuple[tuple[Severity, list[RecordError]], ...] = (("error", findings.errors), ("warning", findings.warnings))
    for severity, items in kinds:
        for finding in items:
            line = None
            if span is not None:
                line = span.keys.get(finding.key, span.line) if finding.key else span.line
            suffix = skipped if severity == "error" else ""
            problems.append(Problem(name, line, f"{label}: {finding.message}{suffix}", severity))
