"""Which characters of a shown text (a title, say) a query matched, for the list to mark."""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from paperbrowse.core.search.matching import SUBSEQUENCE_MAX, fuzzy_cutoff, transpositions
from paperbrowse.core.search.query import Query, Term, parse
from paperbrowse.core.search.word_starts import word_start_match


def highlight_positions(query: Query | str, text: str) -> list[int]:
    """Indices of the characters in `text` (a title, say) that the query's terms matched."""
    query = parse(query) if isinstance(query, str) else query
    positions: set[int] = set()
    # Lower-case one character at a time so positions stay aligned ('İ'.lower() is two chars).
    lowered = "".join(char.lower()[:1] for char in text)
    for term in query.text_terms():
        hay = text if term.case_sensitive else lowered
        needle = term.text if term.case_sensitive else term.text.lower()
        positions.update(_term_positions(term, hay, needle, text))
    return sorted(p for p in positions if p < len(text))


def _term_positions(term: Term, hay: str, needle: str, written: str) -> Iterable[int]:
    if term.kind == "prefix":
        return range(len(needle)) if hay.startswith(needle) else ()
    if term.kind == "suffix":
        return range(len(hay) - len(needle), len(hay)) if hay.endswith(needle) else ()
    if term.kind == "whole":
        return range(len(hay)) if hay == needle else ()
    start = hay.find(needle)
    if start >= 0:
        return range(start, start + len(needle))
    if term.kind != "fuzzy":
        return ()
    cutoff = fuzzy_cutoff(needle)
    if cutoff < 100:
        alignment = fuzz.partial_ratio_alignment(needle, hay, score_cutoff=cutoff)
        if alignment is not None:
            window = hay[alignment.dest_start : alignment.dest_end]
            return [
                alignment.dest_start + j
                for op in Levenshtein.opcodes(needle, window)
                if op.tag == "equal"
                for j in range(op.dest_start, op.dest_end)
            ]
    for swapped in transpositions(needle):
        start = hay.find(swapped)
        if start >= 0:
            return range(start, start + len(needle))
    if len(needle) <= SUBSEQUENCE_MAX:
        return word_start_match(hay, needle, written) or ()
    return ()
