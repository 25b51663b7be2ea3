"""Finding a paper by id, with a did-you-mean hint when there is none."""

from __future__ import annotations

from rapidfuzz import process

from paperbrowse.cli.context import CliError, Context
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.records.schema import Paper


def find_paper(context: Context, paper_id: str) -> Paper:
    paper = context.catalog.by_id.get(paper_id)
    if paper is not None:
        return paper
    close = [m[0] for m in process.extract(paper_id, list(context.catalog.by_id), limit=3, score_cutoff=60)]
    hint = f" (did you mean: {', '.join(close)}?)" if close else ""
    raise CliError(f"no paper with id '{one_line(paper_id)}'{hint}")
