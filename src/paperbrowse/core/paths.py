"""Where paperbrowse finds its shipped files and keeps the user's."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import platformdirs

APP_NAME = "paperbrowse"
_PACKAGE = Path(__file__).resolve().parent.parent


def shipped(name: str) -> Path:
    """`data` or `styles`: inside the installed package, else at the top of a source checkout."""
    installed = _PACKAGE / "_shipped" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent.parent / name


def data_sources(cli: Sequence[str] | None, env: Mapping[str, str] | None = None) -> list[str]:
    """--data options win, then PAPERBROWSE_DATA (os.pathsep-separated), then the shipped set."""
    env = os.environ if env is None else env
    if cli:
        return list(cli)
    from_env = [part for part in env.get("PAPERBROWSE_DATA", "").split(os.pathsep) if part]
    return from_env or [str(shipped("data"))]


def library_path(cli: str | None, env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if cli:
        return Path(cli).expanduser()
    if env.get("PAPERBROWSE_LIBRARY"):
        return Path(env["PAPERBROWSE_LIBRARY"]).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME)) / "library.toml"
