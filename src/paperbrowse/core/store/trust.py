"""Which cache files may be read, and reading them so that they cannot run code.

The cache holds pickles, and a pickle may name any function to call while it is read. Two
defences, each enough against someone who can only replace a file:

- The folder and every file read from it must be the user's own and writable by nobody else
  (like ssh's StrictModes). A folder that fails is not used at all: the collection is loaded
  without the cache, and the reason is logged once (`paperbrowse.cache`, a warning; with no
  logging set up, Python prints it on stderr). A file that fails is a cache miss.
- The unpickler may only build what the cache stores: lists, dicts, tuples, sets, strings,
  numbers and these few classes. A forged file can then at worst forge records (as a forged
  TOML file could), never run code. A format that cannot name classes (JSON, marshal) was
  weighed and not taken: the columns of a million papers unpickle several times faster than
  they parse, the word indexes are objects, and TOML's dates and times are not JSON.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from paperbrowse.core.files.atomic import atomic_write
from paperbrowse.core.records.safe_text import one_line

log = logging.getLogger("paperbrowse.cache")

# (module, name) of everything a cache file may name; anything else makes it a miss.
_ALLOWED = frozenset(
    {
        ("array", "array"),
        ("array", "_array_reconstructor"),
        ("collections", "Counter"),
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "time"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        ("paperbrowse.core.search.word_index", "WordIndex"),
    }
)
_OTHERS_WRITE = stat.S_IWGRP | stat.S_IWOTH
_told: set[str] = set()


class UntrustedCache(Exception):
    """A cache file that is not the user's own, or names something it may not."""


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise UntrustedCache(f"a cache file names {module}.{name}")
        return super().find_class(module, name)


def _owned_privately(found: os.stat_result) -> str | None:
    """Why a folder or file with this stat is not the user's alone, or None."""
    if not hasattr(os, "geteuid"):  # no POSIX owners (Windows): the user profile's ACLs decide
        return None
    if found.st_uid != os.geteuid():
        return f"it belongs to another user (uid {found.st_uid})"
    if found.st_mode & _OTHERS_WRITE:
        return f"other users can write to it (mode {stat.S_IMODE(found.st_mode):o})"
    return None


def folder_problem(folder: Path) -> str | None:
    """Why the cache folder may not be used, or None (a missing one is made private on use)."""
    try:
        found = os.stat(folder)
    except FileNotFoundError:
        return None
    except OSError as err:
        return f"it cannot be looked at ({err.strerror or err})"
    if not stat.S_ISDIR(found.st_mode):
        return "it is not a folder"
    return _owned_privately(found)


def usable_folder(folder: Path | None) -> Path | None:
    """`folder` when the cache may live there; else None, and the reason logged once."""
    if folder is None:
        return None
    problem = folder_problem(folder)
    if problem is None:
        return folder
    if str(folder) not in _told:
        _told.add(str(folder))
        log.warning(
            "paperbrowse: warning: not using the cache folder %s: %s; running without the cache"
            " (make it yours alone with chmod 700, or choose another with PAPERBROWSE_CACHE)",
            one_line(str(folder)),
            problem,
        )
    return None


def open_trusted(path: Path) -> IO[bytes]:
    """`path` opened for reading, once its opened file shows it is the user's alone."""
    handle = open(path, "rb")  # noqa: SIM115 - handed to the caller, who closes it
    try:
        found = os.fstat(handle.fileno())
        problem = "it is not a file" if not stat.S_ISREG(found.st_mode) else _owned_privately(found)
        if problem is not None:
            raise UntrustedCache(f"{path}: {problem}")
    except BaseException:
        handle.close()
        raise
    return handle


def load(path: Path) -> Any:
    """What a cache file holds; raises (OSError, UntrustedCache, a pickle error) when it cannot
    be trusted or read, which every caller takes as a miss."""
    with open_trusted(path) as handle:
        return _Unpickler(handle).load()


def load_pieces(path: Path) -> Iterator[Any]:
    """The pickles a cache file holds one after another, read one at a time (each is a short
    step: a reader may let other threads run between two). Raises as `load`, on the first
    piece or any later one."""
    with open_trusted(path) as handle:
        while True:
            try:
                yield _Unpickler(handle).load()  # a new one each: a pickle's memo is its own
            except EOFError:
                return


@contextlib.contextmanager
def reader(path: Path) -> Iterator[Callable[[], Any]]:
    """Reads the pickles a cache file holds one after another with one unpickler, whose memo
    they share: a pickle may refer to objects of those before it, as a writer that pickled
    them all with one pickler made them. Raises as `load`."""
    with open_trusted(path) as handle:
        yield _Unpickler(handle).load


def write(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Replace a cache file; readable and writable by the user only, whatever the umask. Not
    synced to disk: a cache file a crash cuts short is only a miss (no pickle ends early), and
    two fsyncs per entry made a first load of 100,000 one-paper files take minutes."""
    atomic_write(path, data, durable=False)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)  # kept by later replacements, which take the old file's mode


def save(path: Path, value: object) -> None:
    """Keep `value` in the cache file `path`. A cache that cannot be written (no room, a file
    in the way, a record nested too deep to pickle) only costs speed."""
    with contextlib.suppress(OSError, RecursionError, pickle.PicklingError):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
