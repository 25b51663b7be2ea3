"""The JSON shape of a paper, shared by `--json` output and the JSON export."""

from __future__ import annotations

from typing import Any

from paperbrowse.core.records.schema import Paper
from paperbrowse.core.search.user_state import UserState


def paper_dict(paper: Paper, user: UserState | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": paper.id,
        "title": paper.title,
        "authors": list(paper.authors),
        "date": paper.date.isoformat(),
        "year": paper.year,
        "category": paper.category,
        "orgs": list(paper.orgs),
        "venue": paper.venue,
        "arxiv": paper.arxiv,
        "url": paper.url,
        "link": paper.link,
        "pdf": paper.pdf,
        "code": paper.code,
        "tags": list(paper.tags),
        "summary": paper.summary,
        "summary_zh": paper.summary_zh,
        "highlight": paper.highlight,
        "highlight_zh": paper.highlight_zh,
        "builds_on": list(paper.builds_on),
        "sources": list(paper.sources),
        "aliases": list(paper.aliases),
        "unverified": list(paper.unverified),
    }
    if user is not None:
        data["starred"] = user.is_starred(paper.id)
        data["status"] = user.status(paper.id)
        data["user_tags"] = list(user.user_tags(paper.id))
        data["has_note"] = user.has_note(paper.id)
    return data
