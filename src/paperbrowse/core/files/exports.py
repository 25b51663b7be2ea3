"""Writing an export (`export -o FILE`, the browser's `e`) without following anyone's links.

An export's name is chosen by the user but often lands in a shared folder (/tmp, a project
folder), where another user may have planted `reading.csv -> ~/.bash_login`. So an export:

- never follows a link at its name: a link, even a dangling one, is a file that exists; with
  `force` the link itself is replaced (rename(2) never follows its target), never what it
  points to;
- never opens an existing file for writing: the bytes go to a new temporary file beside it,
  created exclusively, then take the name with one link(2) (a new file: fails if the name
  appeared meanwhile) or rename(2) (`force`), so a reader sees the old file or the new one;
- works relative to the folder it checked (an open descriptor), so the folder cannot be
  swapped between the checks and the write;
- writes into a folder other users can write only when that is clearly the user's own
  choice: the folder is theirs, or it has the sticky bit (like /tmp: nobody can remove or
  rename another's file there) and the name is new or already the user's own file. The export
  is then readable by the user only. Such a folder without the sticky bit is refused: anyone
  could swap the file afterwards. A link on the way to the folder that another user made in
  a folder others can write is refused too (what Linux's fs.protected_symlinks refuses).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
# O_EXCL alone already refuses an existing name, a link included; O_NOFOLLOW says so twice.
_NEW = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
# link(2) is missing on some file systems (FAT, some network and FUSE ones): the new file is
# then written in place, still exclusively.
_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EMLINK, errno.EXDEV}
# Relative to an open folder where the platform can (every POSIX system), else by path.
_AT = all(call in os.supports_dir_fd for call in (os.open, os.stat, os.link, os.rename, os.unlink))


class ExportRefused(PermissionError):
    """An export paperbrowse will not write; `strerror` says why in words for the user."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(errno.EPERM, reason, str(path))


class ExportExists(FileExistsError):
    """The name is taken: by a file, or by a link (`is_link`), which `force` would replace."""

    def __init__(self, path: Path, *, is_link: bool) -> None:
        super().__init__(errno.EEXIST, "a symbolic link" if is_link else "exists", str(path))
        self.is_link = is_link


def write_export(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write `data` to `path` as a new file; an existing file or link is replaced (the link
    itself, never its target) only with `force`. Raises ExportExists, ExportRefused,
    IsADirectoryError, or the OSError of the write."""
    folder = path.parent
    name = path.name
    if name in ("", ".", ".."):
        raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
    _refuse_foreign_links(path, folder)
    with _open_folder(folder) as place:
        shared = _shared_not_ours(place.stat)
        if shared and not place.stat.st_mode & stat.S_ISVTX:
            mode = stat.S_IMODE(place.stat.st_mode)
            raise ExportRefused(
                path,
                f"other users can write to {os.path.abspath(folder)} (mode {mode:o}, owner uid {place.stat.st_uid}) and could swap"
                " the file; export to a folder of your own",
            )
        existing = place.lstat(name)
        if existing is not None:
            if stat.S_ISDIR(existing.st_mode):
                raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
            if shared and existing.st_uid != _uid():
                raise ExportRefused(
                    path, f"it belongs to another user (uid {existing.st_uid}) in a folder others can write; left alone"
                )
            if not force:
                raise ExportExists(path, is_link=stat.S_ISLNK(existing.st_mode))
        keep_mode = stat.S_IMODE(existing.st_mode) if existing is not None and stat.S_ISREG(existing.st_mode) else None
        # Others can list a shared folder: what the user wrote there (notes) is theirs alone.
        temp = place.new_file(name, 0o600 if shared else 0o666, keep_mode, data)
        try:
            if existing is None:
                place.commit_new(temp, name, data, 0o600 if shared else 0o666)
            else:
                place.replace(temp, name)
        finally:
            with contextlib.suppress(OSError):
                place.unlink(temp)
        place.sync()


def _uid() -> int:
    return os.geteuid() if hasattr(os, "geteuid") else -1


def _shared_not_ours(folder: os.stat_result) -> bool:
    """Other users can write here, and the folder is not the user's own."""
    if not hasattr(os, "geteuid"):  # no POSIX owners and modes (Windows)
        return False
    return bool(folder.st_mode & (stat.S_IWGRP | stat.S_IWOTH)) and folder.st_uid != _uid()


def _refuse_foreign_links(path: Path, folder: Path) -> None:
    """Follow the folder's path as the kernel will, refusing a link another user made in a
    folder others can write (the user did not make it, and cannot trust where it leads)."""
    if not hasattr(os, "geteuid"):
        return
    whole = Path(os.getcwd(), folder)
    current = whole.anchor
    for part in whole.parts[1:]:
        if part == "..":  # `current` is a real path by now: its parent is the kernel's `..`
            current = os.path.dirname(current)
            continue
        candidate = os.path.join(current, part)
        try:
            found = os.lstat(candidate)
        except OSError:
            return  # opening the folder reports it
        if stat.S_ISLNK(found.st_mode):
            holder = os.stat(current)
            if _shared_not_ours(holder) and found.st_uid not in (_uid(), 0, holder.st_uid):
                raise ExportRefused(
                    path,
                    f"{candidate} is a link made by another user (uid {found.st_uid}) in a folder others can write;"
                    " not followed",
                )
            candidate = os.path.realpath(candidate)
        current = candidate


class _Folder:
    """The export's folder, opened once: every call below is relative to that very folder."""

    def __init__(self, folder: Path, descriptor: int | None) -> None:
        self.folder = folder
        self.fd = descriptor
        self.stat = os.fstat(descriptor) if descriptor is not None else os.stat(folder)

    def _at(self, name: str) -> tuple[str, dict[str, int]]:
        if self.fd is None:
            return os.path.join(self.folder, name), {}
        return name, {"dir_fd": self.fd}

    def lstat(self, name: str) -> os.stat_result | None:
        where, at = self._at(name)
        try:
            return os.stat(where, follow_symlinks=False, **at)
        except FileNotFoundError:
            return None

    def create(self, name: str, mode: int) -> int:
        where, at = self._at(name)
        return os.open(where, _NEW, mode, **at)

    def new_file(self, name: str, mode: int, keep_mode: int | None, data: bytes) -> str:
        """A new temporary file beside `name` holding `data`, flushed to the disk; its name."""
        descriptor, temp = _new_temp_file(self, name, mode)
        try:
            _write_all(descriptor, data, keep_mode)
        except BaseException:
            with contextlib.suppress(OSError):
                self.unlink(temp)
            raise
        return temp

    def commit_new(self, temp: str, name: str, data: bytes, mode: int) -> None:
        """Give the temporary file the new name; if the name appeared meanwhile, fail."""
        try:
            if self.fd is None:
                os.link(os.path.join(self.folder, temp), os.path.join(self.folder, name))
            else:
                os.link(temp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except FileExistsError:
            found = self.lstat(name)
            raise ExportExists(self.folder / name, is_link=found is not None and stat.S_ISLNK(found.st_mode)) from None
        except OSError as err:
            if err.errno not in _NO_HARD_LINKS:
                raise
            # Written in place, still exclusively: a crash may leave part of it, never a followed link.
            descriptor = self.create(name, mode)
            try:
                _write_all(descriptor, data, None)
            except BaseException:
                with contextlib.suppress(OSError):
                    self.unlink(name)
                raise

    def replace(self, temp: str, name: str) -> None:
        """rename(2): atomic, and it replaces a link at `name` itself, never its target."""
        if self.fd is None:
            os.replace(os.path.join(self.folder, temp), os.path.join(self.folder, name))
        else:
            os.rename(temp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)

    def unlink(self, name: str) -> None:
        where, at = self._at(name)
        os.unlink(where, **at)

    def sync(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.fsync(self.fd)


@contextlib.contextmanager
def _open_folder(folder: Path) -> Iterator[_Folder]:
    descriptor = os.open(folder, _DIRECTORY) if _AT else None
    try:
        yield _Folder(folder, descriptor)
    finally:
        if descriptor is not None:
            os.close(descriptor)


def _new_temp_file(place: _Folder, name: str, mode: int) -> tuple[int, str]:
    """A new, empty file beside `name`, named as atomic.remove_leftovers finds leftovers."""
    while True:
        temp = f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            return place.create(temp, mode), temp
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue


def _write_all(descriptor: int, data: bytes, keep_mode: int | None) -> None:
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
        if keep_mode is not None and os.chmod in os.supports_fd:  # a replaced file keeps its mode
            with contextlib.suppress(OSError):
                os.chmod(handle.fileno(), keep_mode)
