"""Where paperbrowse finds its shipped files and keeps the user's."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import platformdirs

import paperbrowse

APP_NAME = "paperbrowse"
# The package folder itself, wherever this module sits inside it.
_PACKAGE = Path(paperbrowse.__file__).resolve().parent


def shipped(name: str) -> Path:
    """`data` or `styles`: inside the installed package, else at the top of a source checkout."""
    installed = _PACKAGE / "_shipped" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent.parent / name


def data_sources(
    cli: Sequence[str] | None, env: Mapping[str, str] | None = None, *, library: Path | None = None
) -> list[str]:
    """--data options win, then PAPERBROWSE_DATA (os.pathsep-separated), each meaning exactly
    what it names; else the shipped set plus the user's own papers folder, when there is one.

    The papers folder sits beside the library file: pass `library` (the resolved --library);
    without it the library's default location (PAPERBROWSE_LIBRARY, else the platform's) is used.
    """
    env = os.environ if env is None else env
    if cli:
        return list(cli)
    from_env = [part for part in env.get("PAPERBROWSE_DATA", "").split(os.pathsep) if part]
    if from_env:
        return from_env
    sources = [str(shipped("data"))]
    own = user_papers_folder(library if library is not None else library_path(None, env))
    if own.is_dir():
        sources.append(str(own))
    return sources


def user_papers_folder(library: Path) -> Path:
    """Where `add` and `import` write: `papers/` beside the library file (its real location,
    so a symlinked library keeps its papers next to the file it points to)."""
    return Path(os.path.realpath(library)).parent / "papers"


def library_path(cli: str | None, env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if cli:
        return Path(cli).expanduser()
    if env.get("PAPERBROWSE_LIBRARY"):
        return Path(env["PAPERBROWSE_LIBRARY"]).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME)) / "library.toml"


def collection_name(sources: Iterable[str | os.PathLike[str]]) -> str:
    """A short name for what is loaded: the shipped collection, or the folders' names."""
    names = []
    for source in sources:
        path = Path(source)
        if path.resolve() == shipped("data").resolve():
            names.append("2023 landmark AI papers")
        elif path.name == "papers" and path.parent.name:
            names.append("your papers")
        else:
            names.append(path.stem or str(path))
    return " + ".join(dict.fromkeys(names)) or "no data"
