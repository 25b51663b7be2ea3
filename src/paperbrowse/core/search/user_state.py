"""What the user's library tells the search: stars, reading status, notes, their own tags."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol


class UserState(Protocol):
    """What the user's library tells the search (stars, status, notes, their own tags)."""

    def is_starred(self, paper_id: str) -> bool: ...
    def status(self, paper_id: str) -> str: ...
    def has_note(self, paper_id: str) -> bool: ...
    def user_tags(self, paper_id: str) -> Sequence[str]: ...
    def paper_ids(self) -> Iterable[str]:
        """The papers with anything recorded; every other paper is unread, unstarred, bare."""
        ...


class NoUserState:
    """A library with nothing in it: every paper unread, unstarred, without notes."""

    def is_starred(self, paper_id: str) -> bool:
        return False

    def status(self, paper_id: str) -> str:
        return "unread"

    def has_note(self, paper_id: str) -> bool:
        return False

    def user_tags(self, paper_id: str) -> Sequence[str]:
        return ()

    def paper_ids(self) -> Iterable[str]:
        return ()
