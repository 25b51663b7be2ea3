"""One change applied to many papers: what the browser's `s`, `r` and `t` do to the marked
papers, and the CLI's `star`, `status` and `tag` to several ids.

Each function checks its arguments before it changes anything, so that a bad one leaves every
paper as it was; the caller saves once afterwards (one save, and in the browser one undo step).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from paperbrowse.core.library.entries import STATUSES, Status
from paperbrowse.core.library.user_library import Library


def star_all(library: Library, ids: Sequence[str]) -> bool:
    """Star every paper, or unstar every one when all are starred already (a toggle, as `s` on
    one paper); whether they are starred now. Mixed papers are all starred: the one answer that
    never takes a star away unasked."""
    starring = not all(library.is_starred(paper_id) for paper_id in ids)
    for paper_id in ids:
        library.star(paper_id, starring)
    return starring


def next_status(library: Library, ids: Sequence[str]) -> Status:
    """The status `r` gives many papers: the one after the first paper's.

    After one press they all share it, so pressing `r` again walks them through the cycle
    together (unread → reading → read → unread), as on one paper.
    """
    if not ids:
        return STATUSES[1]
    current = STATUSES.index(library.status(ids[0]))
    return STATUSES[(current + 1) % len(STATUSES)]


def set_status_all(library: Library, ids: Iterable[str], status: str) -> None:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    for paper_id in ids:
        library.set_status(paper_id, status)


def edit_tags_all(library: Library, ids: Iterable[str], add: Iterable[str] = (), remove: Iterable[str] = ()) -> None:
    """Add `add` to every paper and take `remove` off every paper that has it; each paper's
    other tags stay as they are."""
    add, remove = tuple(add), tuple(remove)
    for paper_id in ids:
        library.edit_tags(paper_id, add=add, remove=remove)


def tags_of_any(library: Library, ids: Iterable[str]) -> list[str]:
    """The user's tags that any of the papers has, each once, in the order first met: what a
    tags dialog for many papers opens on."""
    seen: dict[str, None] = {}
    for paper_id in ids:
        seen.update(dict.fromkeys(library.user_tags(paper_id)))
    return list(seen)
