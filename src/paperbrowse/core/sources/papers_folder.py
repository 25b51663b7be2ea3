"""The user's own papers folder: one TOML file per added paper, one per thousand papers of an
imported bibliography, and the inbox category.

Files are written atomically and never replace one that exists: the id is chosen and the file
written while holding a lock on the folder, so two copies adding at once get different ids.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import tomli_w

from paperbrowse.core.files.atomic import atomic_write, locked
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.records.schema import Category
from paperbrowse.core.records.toml_lines import scan

INBOX = "inbox"
INBOX_CATEGORY = Category(INBOX, "Inbox", "收件箱", order=0)  # as CATEGORIES_TOML defines it
CATEGORIES_FILE = "categories.toml"
CATEGORIES_TOML = """\
# The categories of your own papers. paperbrowse made this file with the inbox that
# `paperbrowse add` and `import` (and `a` in the browser) put new papers in, unless told
# otherwise with --category. Add categories of your own here; the shipped ones work too.

[[category]]
id = "inbox"
name = "Inbox"
name_zh = "收件箱"
order = 0
"""


def ensure_folder(folder: Path) -> bool:
    """Create the folder, with its inbox category, when it is missing; True when it was created."""
    if folder.is_dir():
        return False
    write_inbox_category(folder)
    return True


def write_inbox_category(folder: Path) -> bool:
    """Write the inbox category file when the folder has none; False when one exists already.

    Never when one exists: the user may have moved the inbox elsewhere, and a second
    definition would be a duplicate category."""
    folder.mkdir(parents=True, exist_ok=True)
    with locked(_lock(folder)):
        if (folder / CATEGORIES_FILE).exists():
            return False
        atomic_write(folder / CATEGORIES_FILE, CATEGORIES_TOML.encode("utf-8"))
        return True


@contextlib.contextmanager
def reserving(folder: Path) -> Iterator[None]:
    """Hold the folder's lock while choosing a file name and writing the file."""
    folder.mkdir(parents=True, exist_ok=True)
    with locked(_lock(folder)):
        yield


def record_path(folder: Path, paper_id: str) -> Path:
    return folder / f"{paper_id}.toml"


BATCH = 1000  # papers per file of an import: a few files load as fast as one (see README)


def batch_path(folder: Path, stem: str, today: str) -> Path:
    """A new file name for papers imported from `stem` today: `refs-2026-12-03.toml`, then `-2`..."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "import"
    number = 1
    while True:
        path = folder / (f"{safe}-{today}.toml" if number == 1 else f"{safe}-{today}-{number}.toml")
        if not path.exists():
            return path
        number += 1


def write_batch(
    path: Path, tables: Sequence[Mapping[str, Any]], origins: Sequence[str], origin: str, today: str
) -> list[int]:
    """Write the papers' `[[paper]]` tables to a new file `path` (call inside `reserving`), each
    under a comment naming the entry it came from (`origins`); the line of each table's header.
    FileExistsError rather than replace a file, OSError otherwise."""
    if path.exists():
        raise FileExistsError(str(path))
    header = f"# Imported by paperbrowse on {today} from {one_line(origin)}.\n\n"
    body = tomli_w.dumps({"paper": tables}, multiline_strings=True)
    lines = body.split("\n")
    if sum(line == "[[paper]]" for line in lines) == len(origins):  # else a text holds such a line
        marks = iter(origins)
        body = "\n".join(f"# from {one_line(next(marks))}\n{line}" if line == "[[paper]]" else line for line in lines)
    text = header + body
    atomic_write(path, text.encode("utf-8"))
    return [span.line for span in scan(text).get("paper", [])]


def write_record(folder: Path, paper_id: str, table: Mapping[str, Any], origin: str, today: str) -> Path:
    """Write `[[paper]]` to `<folder>/<id>.toml`; call inside `reserving(folder)`.

    Raises FileExistsError rather than replace a file, OSError when the disk refuses.
    """
    path = record_path(folder, paper_id)
    if path.exists():
        raise FileExistsError(str(path))
    header = f"# Added by paperbrowse on {today} from {one_line(origin)}.\n\n"
    atomic_write(path, (header + tomli_w.dumps({"paper": [table]}, multiline_strings=True)).encode("utf-8"))
    return path


def _lock(folder: Path) -> Path:
    # A hidden name: the loader skips it, and `locked` adds its own `.lock` sidecar.
    return folder / ".paperbrowse-add"
