"""The read-only commands: list, search, show, validate, and starting the browser."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from rapidfuzz import process

from ..core.catalog import load_catalog
from ..core.records import Paper
from ..core.safe_text import one_line
from ..core.serialize import paper_dict
from .context import CliError, Context
from .render import paper_details, paper_table


def _print_json(value: object) -> None:
    # ensure_ascii keeps every control character escaped as \uXXXX: JSON output is inert too.
    print(json.dumps(value, indent=2, ensure_ascii=True))


def find_paper(context: Context, paper_id: str) -> Paper:
    paper = context.catalog.by_id.get(paper_id)
    if paper is not None:
        return paper
    close = [m[0] for m in process.extract(paper_id, list(context.catalog.by_id), limit=3, score_cutoff=60)]
    hint = f" (did you mean: {', '.join(close)}?)" if close else ""
    raise CliError(f"no paper with id '{one_line(paper_id)}'{hint}")


def cmd_list(context: Context, args: argparse.Namespace) -> int:
    context.warn_problems()
    papers = context.catalog.in_display_order()
    if args.category:
        wanted = context.catalog.descendants(args.category)
        if not wanted:
            known = ", ".join(sorted(context.catalog.categories))
            raise CliError(f"unknown category '{one_line(args.category)}' (known: {known})")
        papers = [p for p in papers if p.category in wanted]
    if args.json:
        _print_json([paper_dict(p) for p in papers])
    else:
        print(paper_table(papers))
    return 0


def cmd_search(context: Context, args: argparse.Namespace) -> int:
    context.warn_problems()
    if args.limit is not None and args.limit < 0:
        raise CliError("--limit must be zero or more", 2)
    result = context.index.search(" ".join(args.query), limit=args.limit)
    for hint in result.hints:
        print(f"paperbrowse: hint: {one_line(hint)}", file=sys.stderr)
    if args.json:
        _print_json([{**paper_dict(h.paper), "score": h.score} for h in result.hits])
    elif result.hits:
        print(paper_table([h.paper for h in result.hits], scores=[h.score for h in result.hits]))
    else:
        print("no papers match", file=sys.stderr)
    return 0


def cmd_show(context: Context, args: argparse.Namespace) -> int:
    context.warn_problems()
    paper = find_paper(context, args.id)
    if args.json:
        _print_json(paper_dict(paper))
    else:
        print(paper_details(paper, context.catalog))
    return 0


def cmd_validate(context: Context, args: argparse.Namespace) -> int:
    catalog = load_catalog(args.paths) if args.paths else context.catalog
    for problem in catalog.problems:
        print(one_line(str(problem)))
    errors = len(catalog.errors)
    warnings = len(catalog.problems) - errors
    summary = f"{len(catalog.papers)} papers, {len(catalog.categories)} categories: "
    summary += f"{errors} errors, {warnings} warnings"
    print(summary, file=sys.stderr)
    return 1 if errors or (args.strict and warnings) else 0


def browse(context: Context) -> int:
    print(
        "paperbrowse: the interactive browser is not built yet; see `paperbrowse --help` for the commands.",
        file=sys.stderr,
    )
    return 0


HANDLERS: dict[str, Callable[[Context, argparse.Namespace], int]] = {
    "list": cmd_list,
    "search": cmd_search,
    "show": cmd_show,
    "validate": cmd_validate,
}
