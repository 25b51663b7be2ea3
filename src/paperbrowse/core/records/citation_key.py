"""The readable key of a paper, `touvron2023llama`: BibTeX citation keys and new paper ids.

First author's family name, the year, the first significant word of the title, folded to
ASCII letters and digits, so the key is safe anywhere: in BibTeX, in a file name, as an id.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from paperbrowse.core.records.safe_text import one_line

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "of",
        "in",
        "for",
        "to",
        "and",
        "or",
        "with",
        "from",
        "at",
        "by",
        "as",
        "is",
        "are",
        "into",
        "towards",
        "toward",
        "via",
    ]
)
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return [word for word in (re.sub(r"[^a-z0-9]", "", raw) for raw in folded.split()) if word]


def last_name(author: str) -> str:
    if one_line(author).lower() == "others":
        return ""
    family = author.split(",")[0] if "," in author else author
    # The last word of letters only, skipping "Jr." and "3rd"; "Last, First" names the family first.
    words = [w for w in ascii_words(family) if w.isalpha() and w not in _NAME_SUFFIXES]
    return words[-1] if words else ""


def key_base(authors: Sequence[str], year: int, title: str, *, corporate: bool = False) -> str:
    """`touvron2023llama`; `anon` stands in for a name that has no ASCII letters, `nd` for year 0.
    An organisation (`corporate`) is named whole: `geminiteam2023gemini`, not `team2023gemini`."""
    if corporate and authors:
        name = "".join(word for word in ascii_words(authors[0]) if word.isalnum())[:30]
    else:
        name = last_name(authors[0]) if authors else ""
    word = next((w for w in ascii_words(title) if w not in _STOPWORDS), "")
    return f"{name or 'anon'}{year or 'nd'}{word}"  # `nd`: no date, as bibliographies write it
