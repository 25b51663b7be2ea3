"""Durable file writes and an inter-process lock.

A write goes to a temporary file in the same folder, is flushed and fsynced, then renamed over
the target with os.replace, which is atomic: a reader or a crash sees the old file or the new
one, never half of either. The folder is fsynced too, so the rename itself survives power loss.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

# A new file gets the mode any other program would give it (0666 less the umask, applied by
# the kernel); a replaced file keeps its own. No O_NOFOLLOW: the name is new and random.
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def real_target(path: Path) -> Path:
    """Where writes must land: a symlinked file is updated through its link, which is kept."""
    return Path(os.path.realpath(path))


def atomic_write(
    path: Path, data: bytes | Iterable[bytes], *, new_mode: int | None = None, durable: bool = True
) -> None:
    """Replace `path` with `data` (bytes, or chunks of them) atomically; a replaced file keeps
    its mode, a new one gets `new_mode` (None: what the umask gives). `durable=False` skips the
    two fsyncs, for files a crash may lose (a cache): after one the reader finds the old file,
    the new one, or an empty or cut one, never a mix."""
    target = real_target(path)
    mode = _mode(target)
    _replace_with(target, data, new_mode if mode is None else mode, durable=durable)
    if durable:
        _fsync_folder(target.parent)


def write_backup(path: Path) -> Path | None:
    """Copy `path` to `path.bak` atomically, with the mode of `path` (a private file's backup is
    private too); the backup written, or None when there is no file yet. Raises OSError.

    Meant to run just before `atomic_write(path, ...)`, whose fsync of the folder makes this
    rename durable too (a lost backup rename leaves the older backup, never a broken one).
    """
    target = real_target(path)
    try:
        content = target.read_bytes()
    except FileNotFoundError:
        return None
    backup = target.with_name(target.name + ".bak")
    _replace_with(backup, content, _mode(target))
    return backup


def _mode(path: Path) -> int | None:
    """The permission bits a replacement of `path` keeps; None for a new file."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return None


def _new_temp_file(target: Path, private: bool) -> tuple[int, str]:
    """A new, empty file beside `target`, named so that `remove_leftovers` finds it; `private`:
    readable by its owner only until it is given its final mode, so that no one else can open it
    while it fills."""
    while True:
        name = os.path.join(target.parent, f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(name, _NEW_FILE, 0o600 if private else 0o666), name
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue


def _replace_with(target: Path, data: bytes | Iterable[bytes], mode: int | None, *, durable: bool = True) -> None:
    """Replace `target` with a file of `data` and permission bits `mode` (None: a new file's own)."""
    descriptor, temp_name = _new_temp_file(target, private=mode is not None)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if mode is not None:
            with contextlib.suppress(OSError):  # a file system without modes
                os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def remove_leftovers(path: Path) -> None:
    """Delete temporary files a killed writer left beside `path`; call it holding `locked(path)`."""
    target = real_target(path)
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path.lock` (a sidecar: the data file itself gets replaced)."""
    target = real_target(path)
    lock_path = target.with_name(target.name + ".lock")
    with open(lock_path, "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        else:  # pragma: no cover - Windows
            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            else:  # pragma: no cover - Windows
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
