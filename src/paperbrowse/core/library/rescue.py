"""A rescue copy: the library as this session holds it, written elsewhere when the library itself
cannot be saved and the user quits anyway.

Quitting while saves fail (a full disk, a folder gone) would otherwise drop every unsaved change.
The copy is a whole library file, so `PAPERBROWSE_LIBRARY=COPY paperbrowse` opens it as it is.
It goes to the first place that takes it: beside the library (the disk may have room again), the
user's data folder, the home folder, the system's temporary folder. It is created new (never
over a file or through a link someone planted) and readable only by the user, as notes are private.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import platformdirs

from paperbrowse.core.files.paths import APP_NAME

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class RescueError(OSError):
    """No place took the copy; the message names each place tried and why it refused."""


def rescue_places(library: Path) -> list[Path]:
    """Where a rescue copy of `library` may go, in the order tried."""
    places = [library.parent, Path(platformdirs.user_data_dir(APP_NAME)), Path.home(), Path(tempfile.gettempdir())]
    return list(dict.fromkeys(places))


def write_rescue(
    data: bytes, library: Path, places: Iterable[Path] | None = None, *, now: dt.datetime | None = None
) -> Path:
    """Write `data` (a library file's bytes) as a new file named after `library` in the first of
    `places` that takes it; its path. RescueError when none does."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    name = f"{library.stem}.unsaved-{stamp}{library.suffix or '.toml'}"
    refused: list[str] = []
    for place in rescue_places(library) if places is None else places:
        for attempt in range(100):
            path = place / (name if attempt == 0 else name.replace(".unsaved-", f".unsaved-{attempt}-", 1))
            try:
                _write_new(path, data)
            except FileExistsError:
                continue  # another rescue this second: the next name
            except OSError as err:
                refused.append(f"{place}: {err.strerror or err}")
                break
            return path
        else:
            refused.append(f"{place}: too many rescue copies already")
    raise RescueError("no place took a rescue copy (" + "; ".join(refused) + ")")


def _write_new(path: Path, data: bytes) -> None:
    descriptor = os.open(path, _FLAGS, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
        os.fsync(descriptor)
    except BaseException:
        os.close(descriptor)
        path.unlink(missing_ok=True)  # a partial copy must not pass for a rescue
        raise
    os.close(descriptor)
