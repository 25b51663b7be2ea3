"""The query language: fzf's operators plus `field:value` filters. Parsing never raises.

    llama          fuzzy            'flash      exact substring
    ^gpt           prefix           decoding$   suffix
    !survey        exclude (exact)  a | b       either term
    "two words"    exact phrase     cat:agents  field filter (also !cat:agents)
    "say \\"hi\\""   a quote inside a phrase: backslash-escaped

Smart case: a term is case-sensitive only when it contains an upper-case letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["fuzzy", "exact", "prefix", "suffix", "whole", "filter"]

FILTERS = ("cat", "year", "org", "author", "tag", "venue", "is", "has", "text")
IS_VALUES = ("starred", "read", "unread", "reading")
HAS_VALUES = ("note",)
_FIELD = re.compile(r"^([A-Za-z_]+):(.*)$", re.DOTALL)
_YEAR = re.compile(r"^(\d{4})?(?:(\.\.)(\d{4})?)?$")


@dataclass(frozen=True, slots=True)
class Term:
    kind: Kind
    text: str  # the needle, already without operators; for filters, the value
    negate: bool = False
    name: str = ""  # the filter's field name
    years: tuple[int, int] | None = None

    @property
    def case_sensitive(self) -> bool:
        return self.text != self.text.lower()


@dataclass(frozen=True, slots=True)
class Query:
    """Groups are ANDed; the terms inside one group are ORed."""

    groups: tuple[tuple[Term, ...], ...] = ()
    hints: tuple[str, ...] = ()
    source: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def text_terms(self) -> list[Term]:
        return [t for group in self.groups for t in group if t.kind != "filter" and not t.negate]


@dataclass(slots=True)
class _Token:
    text: str
    quoted: bool = False
    field: str = ""  # set when the quote followed `name:`
    bang: bool = False


def _tokenize(source: str, hints: list[str]) -> list[_Token]:
    tokens: list[_Token] = []
    index, length = 0, len(source)
    while index < length:
        if source[index].isspace():
            index += 1
            continue
        start = index
        while index < length and not source[index].isspace() and source[index] != '"':
            index += 1
        word = source[start:index]
        if index < length and source[index] == '"':
            phrase, index = _phrase(source, index + 1, hints)
            bang = word.startswith("!")
            prefix = word[1:] if bang else word
            field_name = prefix[:-1] if prefix.endswith(":") else ""
            if word and not field_name and prefix:
                tokens.append(_Token(word))  # `foo"bar"`: keep the bare word as its own term
            tokens.append(_Token(phrase, quoted=True, field=field_name, bang=bang))
            continue
        tokens.append(_Token(word))
    return tokens


def _phrase(source: str, index: int, hints: list[str]) -> tuple[str, int]:
    """A quoted phrase from `index` (just past its quote) and the index after it.

    Inside quotes a backslash escapes a quote or a backslash, so any text can be searched for.
    """
    chars: list[str] = []
    while index < len(source):
        char = source[index]
        if char == "\\" and index + 1 < len(source) and source[index + 1] in '"\\':
            chars.append(source[index + 1])
            index += 2
        elif char == '"':
            return "".join(chars), index + 1
        else:
            chars.append(char)
            index += 1
    hints.append("unclosed quote: the rest of the query is one phrase")
    return "".join(chars), index


def quote(text: str) -> str:
    """`text` as a quoted phrase of the query language, whatever it holds."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse(source: str) -> Query:
    hints: list[str] = []
    groups: list[list[Term]] = []
    join_next = False
    for token in _tokenize(source, hints):
        if token.text == "|" and not token.quoted:
            if not groups:
                hints.append("'|' needs a term on its left")
            join_next = bool(groups)
            continue
        term = _term(token, hints)
        if term is None:
            continue
        if join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    if join_next:
        hints.append("'|' needs a term on its right")
    return Query(tuple(tuple(g) for g in groups), tuple(hints), source)


def _term(token: _Token, hints: list[str]) -> Term | None:
    if token.quoted:
        name = token.field.lower()
        if name in FILTERS:
            return _filter(name, token.text, token.bang, hints, raw=f'{token.field}:"{token.text}"')
        if token.field:
            hints.append(
                f"'{token.field}:' is not a filter (known: {', '.join(f + ':' for f in FILTERS)}); searched as text"
            )
        return Term("exact", token.text, negate=token.bang) if token.text else None
    text = token.text
    negate = text.startswith("!")
    if negate:
        text = text[1:]
    match = _FIELD.match(text)
    if match and match.group(1).lower() in FILTERS:
        return _filter(match.group(1).lower(), match.group(2), negate, hints, raw=token.text)
    if match and match.group(2) and not match.group(2).startswith("/"):
        hints.append(
            f"'{match.group(1)}:' is not a filter (known: {', '.join(f + ':' for f in FILTERS)}); searched as text"
        )
    kind: Kind = "exact" if negate else "fuzzy"
    if text.startswith("'"):
        kind, text = "exact", text[1:]
    elif text.startswith("^") and text.endswith("$") and len(text) > 2:
        kind, text = "whole", text[1:-1]
    elif text.startswith("^"):
        kind, text = "prefix", text[1:]
    elif text.endswith("$") and len(text) > 1:
        kind, text = "suffix", text[:-1]
    if not text:
        return None
    return Term(kind, text, negate=negate)


def _filter(name: str, value: str, negate: bool, hints: list[str], raw: str) -> Term | None:
    value = value.strip()
    if not value:
        hints.append(f"'{raw}' needs a value, e.g. {name}:{_EXAMPLES[name]}")
        return None
    if name == "year":
        match = _YEAR.match(value)
        if not match or not (match.group(1) or match.group(3)):
            hints.append(f"'{raw}': write year:2023, year:2022..2023, year:2022.. or year:..2023")
            return None
        low = int(match.group(1)) if match.group(1) else 0
        high = int(match.group(3)) if match.group(3) else (9999 if match.group(2) else low)
        if low > high:
            low, high = high, low
        return Term("filter", value, negate, name, (low, high))
    if name == "is" and value.lower() not in IS_VALUES:
        hints.append(f"'{raw}': is: takes {', '.join(IS_VALUES)}")
        return None
    if name == "has" and value.lower() not in HAS_VALUES:
        hints.append(f"'{raw}': has: takes {', '.join(HAS_VALUES)}")
        return None
    return Term("filter", value, negate, name)


_EXAMPLES = {
    "cat": "agents",
    "year": "2023",
    "org": "meta",
    "author": "touvron",
    "tag": "moe",
    "venue": "neurips",
    "is": "starred",
    "has": "note",
    "text": '"flash attention"',
}
