"""Editing a note in the user's own editor: a private draft file, the editor run on it without a
shell, and the text read back. The draft outlives a failure, so a word typed is never lost."""

from __future__ import annotations

import shlex
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path


class EditorError(Exception):
    """The editor could not run or failed; the message says where the draft is kept, if it is."""


def edit_in_editor(text: str, paper_id: str, command: Sequence[str]) -> tuple[str, Path]:
    """Run `command` (the editor's words) on a draft holding `text`: the edited text, and the
    draft, which the caller deletes once the text is safe (saved or held by the library)."""
    # Not closed by a `with` of its own: the draft must outlive this block (delete=False).
    # NamedTemporaryFile makes it readable by the user only: notes are private.
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
        "w", encoding="utf-8", prefix=f"paperbrowse-{paper_id}-", suffix=".md", delete=False
    )
    with handle:
        handle.write(text)
    draft = Path(handle.name)
    try:
        result = subprocess.run([*command, str(draft)], check=False)
    except OSError as err:
        draft.unlink(missing_ok=True)  # it holds only what the library already has
        raise EditorError(
            f"cannot run the editor '{shlex.join(command)}': {err.strerror or err} (set $EDITOR)"
        ) from None
    if result.returncode != 0:
        raise EditorError(f"the editor exited with status {result.returncode}; your draft is kept in {draft}")
    return draft.read_text(encoding="utf-8", errors="surrogateescape"), draft
