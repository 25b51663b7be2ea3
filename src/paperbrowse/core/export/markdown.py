"""Markdown export: a reading list grouped by category, each paper with the user's note.

Record text is untrusted, so every single-line field is folded onto one line and has its
Markdown punctuation backslash-escaped: a title cannot start a heading, open a link or smuggle
in HTML. Links are written only for http(s) URLs, percent-encoded inside `<...>`. The user's
note is their own Markdown and is kept as such, but every line of it sits in a blockquote.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.safe_text import one_line, visible
from paperbrowse.core.records.schema import is_web_link

if TYPE_CHECKING:
    from paperbrowse.core.export import ExportItem

MAX_AUTHORS = 5
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#!|~&$])")
_URL_SAFE = ":/?#[]@!$&'()*+,;=-._~%"  # RFC 3986 reserved and unreserved, and `%`


def escape(text: str) -> str:
    """Untrusted text as literal inline Markdown on a single line."""
    return _SPECIAL.sub(r"\\\1", one_line(text))


def link(label: str, url: str) -> str:
    """`[label](<url>)` for an http(s) URL, else the URL as plain text."""
    url = url.strip()
    if not is_web_link(url):
        return f"{label}: {escape(url)}"
    return f"[{label}](<{quote(url, safe=_URL_SAFE)}>)"


def authors(names: Sequence[str]) -> str:
    """The first MAX_AUTHORS names, then "et al." when there are more (or a trailing "others")."""
    folded = [name for name in map(one_line, names) if name]
    shown = [escape(name) for name in folded if name.lower() != "others"]
    more = len(shown) > MAX_AUTHORS or len(shown) < len(folded)
    text = ", ".join(shown[:MAX_AUTHORS])
    return f"{text} et al." if more and text else text or "unknown"


def _paper_lines(item: ExportItem) -> Iterator[str]:
    paper = item.paper
    yield f"- **{escape(paper.title) or 'Untitled'}**"
    yield f"  - Authors: {authors(paper.authors)}"
    venue = escape(paper.venue)
    yield f"  - Year: {paper.year}" + (f" · Venue: {venue}" if venue else "")
    abs_page = f"https://arxiv.org/abs/{paper.arxiv}" if paper.arxiv else ""
    links = [link("arXiv" if paper.link == abs_page else "paper", paper.link)] if paper.link else []
    if abs_page and paper.link != abs_page:
        links.append(link("arXiv", abs_page))
    links += [link(label, url) for label, url in (("code", paper.code), ("pdf", paper.pdf)) if url.strip()]
    if links:
        yield "  - Links: " + " · ".join(links)
    for label, tags in (("Tags", paper.tags), ("My tags", item.user_tags)):
        if any(map(one_line, tags)):
            yield f"  - {label}: " + ", ".join(filter(None, map(escape, tags)))
    starred = f" · starred {item.starred_at.date().isoformat()}" if item.starred_at else ""
    yield f"  - Status: {escape(item.status)}{starred}"
    note = item.note.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if note.strip():
        yield ""
        for line in visible(note).split("\n"):
            yield f"  > {line}" if line else "  >"


def to_markdown(items: Sequence[ExportItem], catalog: Catalog) -> str:
    """Categories in the catalog's tree order, papers in the given order within each."""
    groups: dict[str, list[ExportItem]] = {}
    for item in items:
        groups.setdefault(item.paper.category, []).append(item)
    lines = ["# Reading list", "", f"{len(items)} paper{'s' if len(items) != 1 else ''}."]
    sections = [(depth, category.id, category.name) for depth, category in catalog.tree()]
    known = {category_id for _, category_id, _ in sections}
    sections += [(0, category_id, category_id) for category_id in groups if category_id not in known]
    for depth, category_id, name in sections:
        if not any(c in groups for c in catalog.descendants(category_id) | {category_id}):
            continue
        lines += ["", f"{'#' * min(2 + depth, 6)} {escape(name)}"]
        for item in groups.get(category_id, []):
            lines += ["", *_paper_lines(item)]
    return "\n".join(lines) + "\n"
