"""The PDFs folder beside the library: file names, what counts as a PDF, and whole-file writes.

A PDF is only ever seen complete: a download grows `ID.pdf.part` and becomes `ID.pdf` by a
rename after an fsync; an attached copy is written the same way (atomic_write).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from paperbrowse.core.files.atomic import atomic_write

FOLDER = "pdfs"
PART = ".part"
MAGIC = b"%PDF-"
_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]")


def pdf_folder(library: Path, configured: str | os.PathLike[str] = "") -> Path:
    """`pdfs/` beside the library file (its real location, as for `papers/`), or the folder
    config.toml's `[pdf] folder` names (a relative one is beside the library too)."""
    beside = Path(os.path.realpath(library)).parent
    return beside / os.path.expanduser(configured) if configured else beside / FOLDER


def file_name(paper_id: str) -> str:
    """A file name for a paper's PDF, whatever its id holds (`hep-th/9901001` has a slash)."""
    name = _UNSAFE.sub("_", paper_id).lstrip(".-") or "paper"
    return f"{name[:150]}.pdf"


def is_pdf(path: Path) -> bool:
    """Whether the file starts as every PDF does (`%PDF-`)."""
    try:
        with path.open("rb") as file:
            return file.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def finish(part: Path, final: Path) -> None:
    """Make a complete `.part` file the real one: on disk first, then renamed, then the folder
    entry on disk too, so that a crash leaves either the part or the whole file."""
    with part.open("rb+") as file:
        os.fsync(file.fileno())
    os.replace(part, final)
    try:
        folder = os.open(final.parent, os.O_RDONLY)
    except OSError:
        return  # Windows opens no folders; its rename is durable enough
    try:
        os.fsync(folder)
    except OSError:
        pass
    finally:
        os.close(folder)


def copy_in(source: Path, target: Path) -> None:
    """Copy a file to `target` whole or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as file:
        atomic_write(target, iter(lambda: file.read(1 << 20), b""))
