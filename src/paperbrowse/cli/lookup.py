"""Finding a paper by id, citation key or arXiv id, with a did-you-mean hint when there is none."""

from __future__ import annotations

from rapidfuzz import process, utils

from paperbrowse.cli.context import CliError, Context
from paperbrowse.core.records import paper_lookup
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.records.schema import Paper


def find_paper(context: Context, paper_id: str) -> Paper:
    paper = paper_lookup.find_paper(context.catalog, paper_id)
    if paper is not None:
        return paper
    choices = paper_lookup.names(context.catalog)
    found = process.extract(paper_id, choices, limit=3, score_cutoff=60, processor=utils.default_process)
    close = [one_line(match[0]) for match in found]
    hint = f" (did you mean: {', '.join(close)}?)" if close else ""
    raise CliError(f"no paper with id, citation key or arXiv id '{one_line(paper_id)}'{hint}")
