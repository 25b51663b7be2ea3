"""Ids for new papers: the readable citation-key slug, made unique, always a safe file name.

`touvron2023llama`, then `touvron2023llama-2`, `-3`... An id is only ASCII letters and digits
(and that `-`), so whatever a BibTeX file or a feed says, it can never hold `/` or `..`.
"""

from __future__ import annotations

from collections.abc import Callable

from paperbrowse.core.records.citation_key import key_base
from paperbrowse.core.records.schema import ID_PATTERN
from paperbrowse.core.sources.new_paper import NewPaper

MAX_BASE = 60  # a German compound as the first title word must not make a 200-character name


def new_paper_id(paper: NewPaper, taken: Callable[[str], bool]) -> str:
    base = key_base(paper.authors, paper.date.year, paper.title)[:MAX_BASE]
    candidate, number = base, 1
    while taken(candidate):
        number += 1
        candidate = f"{base}-{number}"
    assert ID_PATTERN.fullmatch(candidate) and ".." not in candidate, candidate
    return candidate
