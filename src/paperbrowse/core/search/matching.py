"""What it means for a term to match a text: shared by the search and by the highlighting."""

from __future__ import annotations

import re
from collections.abc import Callable

# Field name, weight: a title hit outranks the same hit anywhere else.
FIELDS: tuple[tuple[str, float], ...] = (
    ("title", 1.0),
    ("id", 0.85),
    ("arxiv", 0.85),
    ("tags", 0.8),
    ("authors", 0.7),
    ("orgs", 0.7),
    ("summary", 0.5),
)
WEIGHTS = dict(FIELDS)
SUBSEQUENCE_SCORE = 45.0  # below a summary hit: scattered letters are the weakest evidence
# Scattered letters are how people type abbreviations ("fa2"); a long needle scattered over a
# title is noise, and typos in long needles are rapidfuzz's job.
SUBSEQUENCE_MAX = 5
SEP = "\n"  # joins list fields so a prefix can anchor at any element


def fuzzy_cutoff(needle: str) -> float:
    """Short needles must match exactly: one typo in three letters matches everything."""
    if len(needle) <= 3:
        return 100.0
    if len(needle) <= 5:
        return 85.0
    return 78.0


def in_list(hay: str, needle: str, *, start: bool, whole: bool = False) -> bool:
    """Whether a list item (items joined by SEP) starts with, ends with or is the needle."""
    if whole:
        return (SEP + hay + SEP).find(SEP + needle + SEP) >= 0
    if start:
        return (SEP + hay).find(SEP + needle) >= 0
    return (hay + SEP).find(needle + SEP) >= 0


# Whether a text (the hay) matches the needle, by kind of term; list fields are joined by SEP.
EXACT_TESTS: dict[str, Callable[[str, str], bool]] = {
    "exact": lambda hay, needle: needle in hay,
    "fuzzy": lambda hay, needle: needle in hay,
    "prefix": lambda hay, needle: in_list(hay, needle, start=True),
    "suffix": lambda hay, needle: in_list(hay, needle, start=False),
    "whole": lambda hay, needle: in_list(hay, needle, start=True, whole=True),
}

_SUBSEQUENCE_CACHE: dict[str, re.Pattern[str]] = {}


def subsequence_pattern(needle: str) -> re.Pattern[str]:
    """A regex matching the needle's characters in order; `[^c]*c` never backtracks badly."""
    pattern = _SUBSEQUENCE_CACHE.get(needle)
    if pattern is None:
        parts = [f"[^{re.escape(c)}]*({re.escape(c)})" for c in needle if not c.isspace()]
        pattern = re.compile("".join(parts), re.DOTALL)
        if len(_SUBSEQUENCE_CACHE) > 256:
            _SUBSEQUENCE_CACHE.clear()
        _SUBSEQUENCE_CACHE[needle] = pattern
    return pattern
