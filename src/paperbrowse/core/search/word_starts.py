"""Where the words of a title start, and a needle typed as the starts of its words.

People abbreviate a title by its words' first letters ("dpo": Direct Preference Optimization)
or by the first letters of a few of them ("mixexp": Mixture of Experts, "fa2":
FlashAttention-2). Both are matches whose letters sit at word starts, or right after the
letter before them; letters scattered inside words ("moe" in "model") are not, and a short
needle would match most titles that way.

A word starts at a letter or digit (or any non-ASCII character) that follows anything else,
at an upper-case letter after a lower-case one in the title as written (camelCase), and where
letters and digits meet ("GPT4", "4bit"). This module is the plain, one-title version: the
search tests every title at once in `subsequence.SubsequencePlanes`, which must agree with it.
"""

from __future__ import annotations


def _alnum(char: str) -> bool:
    return (char.isascii() and char.isalnum()) or not char.isascii()


def _digit(char: str) -> bool:
    return "0" <= char <= "9"


def _letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def starts(text: str, original: str | None = None) -> list[bool]:
    """For each character of `text` (lower-cased), whether a word starts there. `original`,
    the text as written, tells camelCase apart; it is only used when it lines up byte for byte."""
    if original is None or len(original.encode("utf-8", "surrogatepass")) != len(text.encode("utf-8", "surrogatepass")):
        original = text
    if len(original) != len(text):
        original = text
    flags = []
    previous, written_before = "", ""
    for char, written in zip(text, original, strict=True):
        flag = _alnum(char) and not (previous and _alnum(previous))
        flag = flag or (_digit(char) and _letter(previous)) or (_letter(char) and _digit(previous))
        flag = flag or ("A" <= written <= "Z" and "a" <= written_before <= "z")
        flags.append(flag)
        previous, written_before = char, written
    return flags


def word_start_match(text: str, needle: str, original: str | None = None, *, acronym: bool = False) -> list[int] | None:
    """Positions of the needle's characters in `text`: the first at a word start, each next one
    right after the one before it or at a later word start. With `acronym`, each character is
    at a word start and the next one at the very next word start. None when there is no match."""
    if not needle:
        return None
    flags = starts(text, original)
    following = [len(text)] * (len(text) + 1)  # the first word start at or after each position
    for place in range(len(text) - 1, -1, -1):
        following[place] = place if flags[place] else following[place + 1]
    # reach[k]: positions where the needle's first k+1 characters can end, with where the
    # character before came from (consecutive preferred, for a highlight that reads well).
    reach: list[dict[int, int]] = [{p: -1 for p, char in enumerate(text) if char == needle[0] and flags[p]}]
    for char in needle[1:]:
        before = reach[-1]
        if not before:
            return None
        now: dict[int, int] = {}
        ends = list(before)  # ascending: positions were added in order
        # For initials: the one word start each earlier letter leads to.
        leads = {following[p + 1]: p for p in reversed(ends)} if acronym else {}
        latest, step = -1, 0  # the last earlier position before `place`, kept as `place` grows
        for place, here in enumerate(text):
            while step < len(ends) and ends[step] < place:
                latest, step = ends[step], step + 1
            if here != char:
                continue
            if acronym:
                if place in leads and flags[place]:
                    now[place] = leads[place]
            elif place - 1 in before:
                now[place] = place - 1
            elif flags[place] and latest >= 0:
                now[place] = latest
        reach.append(now)
    if not reach[-1]:
        return None
    place = min(reach[-1])
    positions = [place]
    for step in range(len(reach) - 1, 0, -1):
        place = reach[step][place]
        positions.append(place)
    return positions[::-1]
