"""Reading record files: every file is parsed on its own, problems are collected, never raised."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import toml_lines
from .problems import Problem
from .records import (
    Category,
    Findings,
    Paper,
    Validator,
    category_from_table,
    paper_from_table,
)

_TOP_LEVEL = {"paper": paper_from_table, "category": category_from_table}


@dataclass(slots=True)
class FileRecords:
    """What one file holds: its good records and its problems. Cacheable per file."""

    path: str
    papers: list[Paper] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def find_files(sources: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[Problem]]:
    """The `*.toml` files under each source (a file or a folder, searched recursively)."""
    files: list[Path] = []
    problems: list[Problem] = []
    seen: set[Path] = set()
    for source in sources:
        path = Path(source)
        if path.is_dir():
            found = sorted(_walk(path))
        elif path.is_file():
            found = [path]
        else:
            problems.append(Problem(str(path), None, "no such file or folder"))
            continue
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                files.append(file)
    return files, problems


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if name.endswith(".toml") and not name.startswith("."):
                yield Path(root, name)


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
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line, column = toml_lines.error_position(err, text)
        message = f"TOML syntax error: {toml_lines.error_message(err)}"
        result.problems.append(Problem(name, line, message, column=column))
        return result
    except RecursionError:
        result.problems.append(Problem(name, None, "TOML nesting is too deep"))
        return result
    spans = toml_lines.scan(text)
    top_keys = toml_lines.scan_tables(text)
    for key, value in document.items():
        key_line = top_keys[()].keys.get(key) or (top_keys[(key,)].line if (key,) in top_keys else None)
        validator = _TOP_LEVEL.get(key)
        if validator is None:
            result.problems.append(
                Problem(name, key_line, f"unknown top-level key '{key}' (ignored)", "warning")
            )
            continue
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            result.problems.append(
                Problem(name, key_line, f"'{key}' must be an array of tables: write [[{key}]]")
            )
            continue
        headers = spans.get(key, [])
        if len(headers) == len(value):
            located = headers
        else:  # an inline array, `paper = [{ ... }]`: find each table by its id, else the key's line
            located = [_inline_span(text, table, key_line) for table in value]
        target = result.papers if key == "paper" else result.categories
        for table, span in zip(value, located, strict=True):
            record = _validate(validator, table, span, name, result.problems, key)
            if record is not None:
                target.append(record)
    return result


def _inline_span(text: str, table: dict, fallback: int | None) -> toml_lines.TableSpan | None:
    line = fallback
    if isinstance(table.get("id"), str):
        pattern = re.compile(r"\bid\s*=\s*[\"']" + re.escape(table["id"]) + r"[\"']")
        for number, content in enumerate(text.split("\n"), start=1):
            if pattern.search(content):
                line = number
                break
    return toml_lines.TableSpan(line) if line is not None else None


def _validate(
    validator: Validator,
    table: dict,
    span: toml_lines.TableSpan | None,
    name: str,
    problems: list[Problem],
    kind: str,
):
    record, findings = validator(table)
    header_line = span.line if span else None
    label = f"{kind} '{table['id']}'" if isinstance(table.get("id"), str) else kind
    _report(findings, span, name, label, problems)
    if record is None:
        return None
    return replace(record, source=name, line=header_line)


def _report(
    findings: Findings, span: toml_lines.TableSpan | None, name: str, label: str, problems: list[Problem]
) -> None:
    skipped = " (record skipped)" if findings.errors else ""
    for severity, items in (("error", findings.errors), ("warning", findings.warnings)):
        for finding in items:
            line = None
            if span is not None:
                line = span.keys.get(finding.key, span.line) if finding.key else span.line
            suffix = skipped if severity == "error" else ""
            problems.append(Problem(name, line, f"{label}: {finding.message}{suffix}", severity))
