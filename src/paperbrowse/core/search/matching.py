"""What it means for a term to match a text: shared by the search and by the highlighting."""

from __future__ import annotations

from collections.abc import Callable

# Field name, weight: a title hit outranks the same hit anywhere else; a paper's other names
# (aliases: "DPO", "MoE") count as its title.
FIELDS: tuple[tuple[str, float], ...] = (
    ("title", 1.0),
    ("aliases", 1.0),
    ("id", 0.85),
    ("arxiv", 0.85),
    ("tags", 0.8),
    ("authors", 0.7),
    ("orgs", 0.7),
    ("summary", 0.5),
)
WEIGHTS = dict(FIELDS)
# Points (before the field's weight) for how a fuzzy term meets a word, as fzf's bonuses rank
# them: a whole word, the start of a word, the initials of consecutive words ("dpo"), inside a
# word, a typo (its rapidfuzz score times TYPO_SHARE), the starts of words further apart ("mixexp").
WHOLE_WORD = 100
WORD_START = 90
ACRONYM = 88
INSIDE_WORD = 70
TYPO_SHARE = 0.75
WORD_STARTS = 60
# Word starts are how people type abbreviations ("fa2"); past this length a needle is a word
# or a fragment of one, found as such or as a typo.
SUBSEQUENCE_MAX = 5
# A needle this short found inside a word of a long text (a summary: "rl" in "world") is noise.
SHORT_NEEDLE = 3
SEP = "\n"  # joins list fields so a prefix can anchor at any element


def fuzzy_cutoff(needle: str) -> float:
    """Short needles must match exactly: one typo in three letters matches everything."""
    if len(needle) <= 3:
        return 100.0
    if len(needle) <= 5:
        return 85.0
    return 78.0


# Two neighbouring letters swapped ("glvoe") cost rapidfuzz's ratio two edits: below the cutoff
# of a 4-5 letter needle, though it is the commonest typo of a fast typist. Such needles are
# tried with each swap undone; a word found so scores as a close typo (times TYPO_SHARE).
TRANSPOSED = 90
TRANSPOSED_LENGTHS = range(4, SUBSEQUENCE_MAX + 1)


def transpositions(needle: str) -> list[str]:
    """The needle with each pair of neighbouring letters swapped back, for 4-5 letter needles."""
    if len(needle) not in TRANSPOSED_LENGTHS:
        return []
    found = []
    for i in range(len(needle) - 1):
        a, b = needle[i], needle[i + 1]
        if a != b and not a.isspace() and not b.isspace():
            swapped = needle[:i] + b + a + needle[i + 2 :]
            if swapped not in found:
                found.append(swapped)
    return found


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
