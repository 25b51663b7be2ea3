"""The user's settings file, `config.toml`: where it is, what it may hold, and reading it.

A broken config never stops paperbrowse: every key that is wrong is a problem naming the file,
the line and the key, and that setting keeps its default; the rest is used. A file that is not
TOML at all is one problem, and every setting its default.
"""

from __future__ import annotations

import os
import shlex
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from paperbrowse.core.export import FORMATS as EXPORT_FORMATS
from paperbrowse.core.files.paths import APP_NAME
from paperbrowse.core.records.toml_lines import error_message, error_position, scan_tables

LANGUAGES = ("en", "zh")
_MAX_BYTES = 1 << 20  # a settings file is a few lines; a huge one is a mistake, not a setting


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


@dataclass(frozen=True, slots=True)
class Settings:
    """What config.toml sets; each field's default is what paperbrowse does without it."""

    theme: str = ""  # a Textual theme's name; "": the one last chosen in the palette, else Textual's
    language: str = ""  # "en" or "zh" for summaries; "": the one last chosen with L, else English
    export_format: str = "markdown"
    export_folder: str = ""  # "": the documents folder
    opener: tuple[str, ...] = ()  # the command links and files open with; (): the system's opener
    pdf_viewer: tuple[str, ...] = ()  # the command PDFs open with; (): `opener`
    pdf_folder: str = ""  # "": pdfs/ beside the library
    editor: tuple[str, ...] = ()  # for notes; (): $VISUAL, else $EDITOR, else vi
    keys: Mapping[str, tuple[tuple[str, ...], int | None]] = field(default_factory=dict)  # id -> (keys, line)
    file: str = ""  # the file read, "" when there was none


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """PAPERBROWSE_CONFIG, else config.toml in the platform's config folder."""
    env = os.environ if env is None else env
    if env.get("PAPERBROWSE_CONFIG"):
        return Path(env["PAPERBROWSE_CONFIG"]).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def editor_command(settings: Settings, env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The note editor: config.toml's `editor`, else $VISUAL, else $EDITOR, else vi."""
    env = os.environ if env is None else env
    if settings.editor:
        return settings.editor
    return tuple(shlex.split(env.get("VISUAL") or env.get("EDITOR") or "vi"))


def load_settings(path: Path | None = None) -> tuple[Settings, list[Problem]]:
    """The settings of `path` (default `config_path()`); a missing file is no problem."""
    path = config_path() if path is None else path
    name = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(_MAX_BYTES + 1)
    except FileNotFoundError:
        return Settings(), []
    except OSError as err:
        return Settings(), [Problem(name, None, f"cannot be read ({err.strerror or err}); using the defaults")]
    if len(raw) > _MAX_BYTES:
        return Settings(), [Problem(name, None, "is larger than 1 MB; not read, using the defaults")]
    try:
        text = raw.decode("utf-8-sig")
        table = tomllib.loads(text)
    except UnicodeDecodeError as err:
        return Settings(), [Problem(name, None, f"is not UTF-8 ({err.reason}); using the defaults")]
    except tomllib.TOMLDecodeError as err:
        line, _ = error_position(err, text)
        return Settings(), [Problem(name, line, f"{error_message(err)}; using the defaults")]
    return settings_from_table(table, name, text)


def settings_from_table(table: Mapping[str, Any], name: str, text: str) -> tuple[Settings, list[Problem]]:
    spans = scan_tables(text)
    problems: list[Problem] = []

    def line_of(section: tuple[str, ...], key: str) -> int | None:
        span = spans.get(section)
        return span.keys.get(key, span.line) if span else None

    def wrong(section: tuple[str, ...], key: str, message: str) -> None:
        dotted = ".".join((*section, key))
        problems.append(Problem(name, line_of(section, key), f"{dotted}: {message}; the default is used"))

    values: dict[str, Any] = {"file": name}
    readers: dict[tuple[str, ...], dict[str, tuple[str, Callable[[Any], Any]]]] = {
        (): {
            "theme": ("theme", _text),
            "language": ("language", _choice(LANGUAGES)),
            "editor": ("editor", _command),
        },
        ("export",): {
            "format": ("export_format", _choice(tuple(EXPORT_FORMATS))),
            "folder": ("export_folder", _folder),
        },
        ("open",): {"command": ("opener", _command), "pdf": ("pdf_viewer", _command)},
        ("pdf",): {"folder": ("pdf_folder", _folder)},
    }
    for section, keys in readers.items():
        source = _table_at(table, section)
        if source is None:
            wrong(section[:-1], section[-1], "must be a table ([name])")
            continue
        for key, value in source.items():
            if section == () and key in ("export", "open", "pdf", "keys"):
                continue
            if key not in keys:
                wrong(section, key, f"is not a setting (known: {', '.join(keys)})")
                continue
            attribute, read = keys[key]
            try:
                values[attribute] = read(value)
            except ValueError as err:
                wrong(section, key, str(err))
    keys_table = _table_at(table, ("keys",))
    if keys_table is None:
        wrong((), "keys", "must be a table ([keys])")
    else:
        bound: dict[str, tuple[tuple[str, ...], int | None]] = {}
        for action, keys_value in keys_table.items():
            try:
                bound[action] = (_keys(keys_value), line_of(("keys",), action))
            except ValueError as err:
                wrong(("keys",), action, str(err))
        values["keys"] = bound
    return Settings(**values), problems


def _table_at(table: Mapping[str, Any], section: tuple[str, ...]) -> Mapping[str, Any] | None:
    if not section:
        return table
    value = table.get(section[0], {})
    return value if isinstance(value, dict) else None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, not {type(value).__name__}")
    return value.strip()


def _choice(choices: tuple[str, ...]) -> Callable[[Any], str]:
    def read(value: Any) -> str:
        text = _text(value)
        if text not in choices:
            raise ValueError(f"{text!r} is not one of {', '.join(choices)}")
        return text

    return read


def _folder(value: Any) -> str:
    text = _text(value)
    if not text or "\x00" in text:
        raise ValueError("must name a folder")
    return os.path.expanduser(text)


def _command(value: Any) -> tuple[str, ...]:
    """A command: a list of words (`["code", "--wait"]`), or one string split as a shell would,
    never run by one."""
    if isinstance(value, str):
        try:
            words = shlex.split(value)
        except ValueError as err:
            raise ValueError(f"cannot be split into words ({err})") from None
    elif isinstance(value, list) and all(isinstance(word, str) for word in value):
        words = list(value)
    else:
        raise ValueError("must be a command: a string or a list of strings")
    if not words or not words[0].strip():
        raise ValueError("names no command")
    return tuple(words)


def _keys(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        keys = [key.strip() for key in value.split(",")]
    elif isinstance(value, list) and all(isinstance(key, str) for key in value):
        keys = [key.strip() for key in value]
    else:
        raise ValueError("must be a key or a list of keys")
    if not keys or not all(keys):
        raise ValueError("names an empty key")
    return tuple(keys)
