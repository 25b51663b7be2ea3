"""Human-readable CLI output: tables that fit the terminal, and a paper's details. Text is inert."""

from __future__ import annotations

import shutil
from collections.abc import Sequence

from rich.cells import cell_len, set_cell_size

from paperbrowse.core.library.entries import STAR_MARK, STATUS_MARKS
from paperbrowse.core.records.bibliography import reference_rows
from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.cell_wrap import wrap_cells
from paperbrowse.core.records.safe_text import one_line, visible
from paperbrowse.core.records.schema import Paper
from paperbrowse.core.search.related import Related
from paperbrowse.core.search.user_state import NoUserState, UserState


def terminal_width() -> int:
    return max(40, shutil.get_terminal_size((100, 24)).columns)


def _cell(text: str, width: int) -> str:
    text = one_line(text)
    if cell_len(text) > width:
        return set_cell_size(text, max(width - 1, 0)) + "…"
    return set_cell_size(text, width)


def paper_table(papers: Sequence[Paper], user: UserState | None = None, scores: Sequence[float] | None = None) -> str:
    """One row per paper: marks, id, year, title, first organisation; the title takes the slack."""
    user = user or NoUserState()
    width = terminal_width()
    score_width = 7 if scores is not None else 0
    fixed = 3 + 2 + 4 + 2 + score_width  # marks, gaps, year, score
    # The id is what a reader types next (`show ID`): never cut. The title takes what is left,
    # and the organisation is the first column to go when that is too little.
    id_width = max((cell_len(one_line(p.id)) for p in papers), default=2)
    org_width = 0
    if width >= 80:
        org_width = min(max((cell_len(one_line(p.orgs[0])) for p in papers if p.orgs), default=3), 22)
    title_width = width - fixed - id_width - (2 + org_width if org_width else 0)
    if title_width < 24 and org_width:
        org_width = 0
        title_width = width - fixed - id_width
    title_width = max(title_width, 6)
    lines = []
    header = "   " + _cell("ID", id_width) + "  YEAR  " + _cell("TITLE", title_width) + "  "
    header += (_cell("ORG", org_width) + "  " if org_width else "") + ("SCORE" if scores is not None else "")
    lines.append(header.rstrip())
    for index, paper in enumerate(papers):
        star = STAR_MARK if user.is_starred(paper.id) else " "
        mark = STATUS_MARKS.get(user.status(paper.id), " ")
        row = f"{star}{mark} {_cell(paper.id, id_width)}  {paper.date.isoformat()[:4]:<4}  {_cell(paper.title, title_width)}  "
        if org_width:
            row += _cell(paper.orgs[0] if paper.orgs else "", org_width) + "  "
        if scores is not None:
            row += f"{scores[index]:5.1f}"
        lines.append(row.rstrip())
    return "\n".join(lines)


def paper_details(
    paper: Paper, catalog: Catalog, user: UserState | None = None, note: str = "", related: Sequence[Related] = ()
) -> str:
    user = user or NoUserState()
    width = min(terminal_width(), 100)
    category = catalog.categories.get(paper.category)
    rows = [
        ("Authors", ", ".join(paper.authors)),
        ("Orgs", ", ".join(paper.orgs)),
        ("Date", paper.date.isoformat()),
        ("Venue", paper.venue),
        *reference_rows(paper.bib),
        ("Category", f"{category.name} ({paper.category})" if category else paper.category),
        ("arXiv", paper.arxiv),
        ("Link", paper.link),
        ("PDF", paper.pdf),
        ("Code", paper.code),
        ("Aliases", ", ".join(paper.aliases)),
        ("Tags", ", ".join([*paper.tags, *user.user_tags(paper.id)])),
        ("Starred", f"{STAR_MARK} yes" if user.is_starred(paper.id) else ""),
        ("Status", f"{STATUS_MARKS.get(user.status(paper.id), ' ')} {user.status(paper.id)}"),  # as the browser
    ]
    out = [one_line(paper.title), f"id: {one_line(paper.id)}", ""]
    for label, value in rows:
        if value:
            out.append(_wrap(f"{label + ':':<10}", one_line(value), width, indent=10))
    for label, text in (
        ("Why it matters", paper.highlight),
        ("Summary", paper.summary),
        ("摘要", paper.summary_zh),
        ("Note", note),
    ):
        if text.strip():
            out += ["", f"{label}:"]
            out += [_wrap("  ", visible(par), width, indent=2) for par in text.strip().split("\n")]
    if paper.sources:
        out += ["", "Sources (what the facts were checked against):"]
        out += [_wrap("  ", one_line(link), width, indent=2) for link in paper.sources]
    if paper.unverified:
        out += ["", "! Unverified (no source confirms):"]
        out += [_wrap("  ! ", visible(one_line(note)), width, indent=4) for note in paper.unverified]
    builds_on = [(p.id, "", p.title) for p in catalog.builds_on(paper)]
    builds_on += [(other, "", "(not in the data)") for other in paper.builds_on if other not in catalog.by_id]
    links = (
        ("Builds on", builds_on),
        ("Built on by", [(p.id, "", p.title) for p in catalog.built_on_by(paper.id)]),
        ("Related", [(r.paper.id, f"{r.score:.2f}  ", r.paper.title) for r in related]),
    )
    for label, items in links:
        if items:
            id_width = max(cell_len(one_line(paper_id)) for paper_id, _, _ in items)
            out += ["", f"{label}:"]
            for paper_id, score, title in items:
                first = f"  {_cell(paper_id, id_width)}  {score}"
                out.append(_wrap(first, one_line(title), width, indent=cell_len(first)))
    return "\n".join(out)


def _wrap(first: str, text: str, width: int, indent: int) -> str:
    """By cells, breaking Chinese between characters and never before closing punctuation."""
    return "\n".join(wrap_cells(text, width, first=first, indent=" " * indent)).rstrip() or first.rstrip()
