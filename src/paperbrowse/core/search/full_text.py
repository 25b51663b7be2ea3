"""The `text:` filter: papers whose PDF's extracted text holds the words, and on which pages.

The texts come with the user state: a state that has them (`WithFullText`) answers
`full_text()`, paper id -> its pages' text; any other state has none, and `text:` matches
nothing. Words match with smart case, across line breaks and runs of spaces (a PDF's text is
laid out in lines: "flash\nattention" is the phrase "flash attention").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from paperbrowse.core.search import paper_sets
from paperbrowse.core.search.query import Query, parse
from paperbrowse.core.search.user_state import UserState

Texts = Mapping[str, Sequence[str]]  # paper id -> the text of each page, in order


def _pattern(needle: str) -> re.Pattern[str]:
    words = needle.split()
    flags = 0 if needle != needle.lower() else re.IGNORECASE
    return re.compile(r"\s+".join(re.escape(word) for word in words), flags)


def pages_with(pages: Sequence[str], needle: str) -> list[int]:
    """The numbers (from 1) of the pages that hold `needle`."""
    if not needle.split():
        return []
    pattern = _pattern(needle)
    return [number for number, page in enumerate(pages, start=1) if pattern.search(page)]


def text_needles(query: Query | str) -> list[str]:
    """The `text:` values a query asks for (not the negated ones: they name no page)."""
    query = parse(query) if isinstance(query, str) else query
    return [t.text for group in query.groups for t in group if t.name == "text" and not t.negate]


def hits_line(pages: Sequence[str], needles: Sequence[str]) -> str:
    """`"flash attention" on pages 2, 5` for the needles the pages hold; '' for none."""
    found = []
    for needle in needles:
        numbers = pages_with(pages, needle)
        if numbers:
            noun = "page" if len(numbers) == 1 else "pages"
            found.append(f"{needle!r} on {noun} {', '.join(map(str, numbers))}")
    return "; ".join(found)


def full_text_mask(positions: Mapping[str, int], count: int, user: UserState, needle: str) -> int:
    texts: Texts | None = getattr(user, "full_text", lambda: None)()
    if not texts or not needle.split():
        return 0
    pattern = _pattern(needle)
    hits = [
        positions[pid] for pid, pages in texts.items() if pid in positions and any(pattern.search(p) for p in pages)
    ]
    return paper_sets.from_positions(hits, count)


class WithFullText:
    """A user state (the library) together with the texts of the user's PDFs."""

    def __init__(self, user: UserState, texts: Texts) -> None:
        self.user = user
        self.texts = texts

    def full_text(self) -> Texts:
        return self.texts

    def is_starred(self, paper_id: str) -> bool:
        return self.user.is_starred(paper_id)

    def status(self, paper_id: str) -> str:
        return self.user.status(paper_id)

    def has_note(self, paper_id: str) -> bool:
        return self.user.has_note(paper_id)

    def user_tags(self, paper_id: str) -> Sequence[str]:
        return self.user.user_tags(paper_id)

    def paper_ids(self) -> Iterable[str]:
        return self.user.paper_ids()
