"""Reading the library file, knowing when it changed, and whether the user allows it to change."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from paperbrowse.core.library import toml_file
from paperbrowse.core.library.entries import LibraryData
from paperbrowse.core.library.toml_file import LibraryFileError

# What a file looks like from outside: an atomic replace changes the inode, an edit in place the
# size or the times. None: there is no file.
Signature = tuple[int, int, int, int] | None


def _signature_of(status: os.stat_result) -> Signature:
    return (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def signature(path: Path) -> Signature:
    """One stat: compare it with the signature of the last read to know whether to read again."""
    try:
        return _signature_of(os.stat(path))
    except OSError:
        return None


def read(path: Path) -> tuple[LibraryData, Signature]:
    """The file's entries, and the signature of exactly the bytes read (a missing file is empty)."""
    try:
        with open(path, "rb") as handle:
            status = os.fstat(handle.fileno())
            raw = handle.read()
    except FileNotFoundError:
        return LibraryData(), None
    except IsADirectoryError:
        raise LibraryFileError(str(path), None, "is a folder, not a library file") from None
    except OSError as err:
        raise LibraryFileError(str(path), None, f"cannot read: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise LibraryFileError(str(path), line, "not valid UTF-8 text") from None
    return toml_file.parse(text, str(path)), _signature_of(status)


def refusal(path: Path) -> LibraryFileError | None:
    """Why the user does not want the file changed (its mode has no write bit for its owner), else None.

    An atomic save replaces the file through its folder, which the file's own mode does not stop,
    and root may write anything: so the mode bits are asked, not os.access.
    """
    try:
        status = os.stat(path)
    except OSError:
        return None  # no file yet (it is created), or one that cannot be read (reading says so)
    mode = stat.S_IMODE(status.st_mode)
    owner_may_write = bool(mode & stat.S_IWUSR)
    if owner_may_write and (os.name != "posix" or os.geteuid() == 0 or os.access(path, os.W_OK)):
        return None
    return LibraryFileError(
        str(path), None, f"is read-only (mode {mode:04o}); make it writable (chmod u+w) to save changes"
    )
