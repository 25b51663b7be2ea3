"""Where the user has been: a back/forward stack over the node, the query and the paper, as a
web browser keeps one over pages. No Textual here: the screen records a place before each jump
(a link followed, a node or a search chosen) and goes back to one."""

from __future__ import annotations

from dataclasses import dataclass

LIMIT = 100


@dataclass(frozen=True, slots=True)
class Place:
    node: str  # the tree node's key
    query: str
    paper: str  # the selected paper's id, "" for none

    def same_view(self, other: Place) -> bool:
        """The same list: a jump that changed neither the node nor the query is no jump."""
        return (self.node, self.query) == (other.node, other.query)


class History:
    def __init__(self) -> None:
        self._back: list[Place] = []
        self._forward: list[Place] = []

    def visit(self, left: Place) -> None:
        """The user jumps away from `left`: it is where `back` returns; the way forward is gone."""
        if not self._back or self._back[-1] != left:
            self._back.append(left)
            del self._back[:-LIMIT]
        self._forward.clear()

    def back(self, here: Place) -> Place | None:
        if not self._back:
            return None
        self._forward.append(here)
        return self._back.pop()

    def forward(self, here: Place) -> Place | None:
        if not self._forward:
            return None
        self._back.append(here)
        return self._forward.pop()

    @property
    def can_go_back(self) -> bool:
        return bool(self._back)
