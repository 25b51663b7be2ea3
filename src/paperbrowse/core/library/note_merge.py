"""Merging a note edited in an editor with what was saved meanwhile elsewhere: a line-wise diff3.

The editor opened on `base`; `theirs` is the note as it is now; `mine` is the editor's text. A
run of lines only one side changed takes that side; lines both sides changed the same way are
taken once; lines both sides added at the same place (two appends) are both kept, theirs first;
lines both sides changed differently are kept both, between conflict markers naming which is
which, and the result says so. Nothing either side wrote is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from paperbrowse.core.records.safe_text import one_line

# git's marker shapes, which editors highlight, with words a reader of the note understands. No
# marker line is all `=` (Markdown would turn the line above it into a heading).
THEIRS_MARKER = "<<<<<<< saved elsewhere while you were editing"
MINE_MARKER = "======= your version"
END_MARKER = ">>>>>>> end of the two versions (keep what you want, delete these marker lines)"


@dataclass(frozen=True, slots=True)
class MergedNote:
    text: str
    conflicted: bool  # both changed the same lines: both versions are in `text`, between markers


def merge_notes(base: str, theirs: str, mine: str) -> MergedNote:
    if theirs in (base, mine):
        return MergedNote(mine, False)
    if mine == base:
        return MergedNote(theirs, False)
    base_lines, theirs_lines, mine_lines = _lines(base), _lines(theirs), _lines(mine)
    merged: list[str] = []
    conflicted = False
    at_base = at_theirs = at_mine = 0
    for stable in _stable_runs(base_lines, theirs_lines, mine_lines):
        base_end, theirs_end, mine_end, length = stable
        chunk = _resolve(base_lines[at_base:base_end], theirs_lines[at_theirs:theirs_end], mine_lines[at_mine:mine_end])
        if chunk is None:
            conflicted = True
            chunk = [
                THEIRS_MARKER,
                *theirs_lines[at_theirs:theirs_end],
                MINE_MARKER,
                *mine_lines[at_mine:mine_end],
                END_MARKER,
            ]
        merged += chunk
        merged += base_lines[base_end : base_end + length]
        at_base, at_theirs, at_mine = base_end + length, theirs_end + length, mine_end + length
    # The final newline is one more "line" that only one side may have changed.
    final_newline = mine.endswith("\n") if theirs.endswith("\n") == base.endswith("\n") else theirs.endswith("\n")
    text = "\n".join(merged)
    return MergedNote(text + "\n" if final_newline and merged else text, conflicted)


class NoteEdit:
    """An editor's changes to a note as an edit of the note (`entries.Edit`): merged into whatever
    the note holds when it is replayed; the first conflict is told through `tell`."""

    def __init__(self, paper_id: str, base: str, mine: str, tell: Callable[[str], None]) -> None:
        self.paper_id, self.base, self.mine, self.tell = paper_id, base, mine, tell
        self.told = False

    def __call__(self, theirs: str) -> str:
        merged = merge_notes(self.base, theirs, self.mine)
        if merged.conflicted and not self.told:
            self.told = True
            self.tell(
                one_line(
                    f"The note of {self.paper_id} was also changed elsewhere while you edited it, in the same "
                    "lines: both versions are kept in the note, between <<<<<<< and >>>>>>> lines."
                )
            )
        return merged.text


def _lines(text: str) -> list[str]:
    """The lines without their ends: "a\\n" and "a" are both ["a"], the final newline is merged apart,
    so that "a\\n" + an append and "a" + an append line up."""
    lines = text.split("\n")
    return lines[:-1] if lines[-1] == "" else lines


def _resolve(base: Sequence[str], theirs: Sequence[str], mine: Sequence[str]) -> list[str] | None:
    """The lines for a run where the sides differ; None when both changed the same lines differently."""
    if list(theirs) == list(base) or list(theirs) == list(mine):
        return list(mine)
    if list(mine) == list(base):
        return list(theirs)
    if not base:  # both only added lines here (two appends): keep both
        return [*theirs, *mine]
    return None


def _stable_runs(base: list[str], theirs: list[str], mine: list[str]) -> list[tuple[int, int, int, int]]:
    """(start in base, in theirs, in mine, length) of the runs of base lines both sides kept, in
    order, ending with an empty run at the ends of all three."""
    with_theirs = SequenceMatcher(None, base, theirs, autojunk=False).get_matching_blocks()
    with_mine = SequenceMatcher(None, base, mine, autojunk=False).get_matching_blocks()
    runs: list[tuple[int, int, int, int]] = []
    i = j = 0
    while i < len(with_theirs) and j < len(with_mine):
        t_base, t_at, t_len = with_theirs[i]
        m_base, m_at, m_len = with_mine[j]
        start, end = max(t_base, m_base), min(t_base + t_len, m_base + m_len)
        if start < end:
            runs.append((start, t_at + start - t_base, m_at + start - m_base, end - start))
        if t_base + t_len < m_base + m_len:
            i += 1
        else:
            j += 1
    runs.append((len(base), len(theirs), len(mine), 0))
    return runs
