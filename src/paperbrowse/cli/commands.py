"""The read-only commands: list, search, show, validate, and starting the browser."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from paperbrowse.cli import pdf_commands
from paperbrowse.cli.context import CliError, Context
from paperbrowse.cli.lookup import find_paper
from paperbrowse.cli.render import paper_details, paper_table
from paperbrowse.core.export.json_shape import paper_dict
from paperbrowse.core.files.pdf_files import pdf_folder
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.search.full_text import pages_with, text_needles
from paperbrowse.core.search.related import related
from paperbrowse.core.sources.pdfs import local_pdf


def _print_json(value: object) -> None:
    # ensure_ascii keeps every control character escaped as \uXXXX: JSON output is inert too.
    print(json.dumps(value, indent=2, ensure_ascii=True))


def cmd_list(context: Context, args: argparse.Namespace) -> int:
    context.warn_problems()
    library = context.library
    papers = context.catalog.in_display_order()
    if args.starred:
        order = {pid: i for i, pid in enumerate(library.starred_ids())}
        papers = sorted((p for p in papers if p.id in order), key=lambda p: order[p.id])
    if args.category:
        wanted = context.catalog.descendants(args.category)
        if not wanted:
            known = ", ".join(sorted(context.catalog.categories))
            raise CliError(f"unknown category '{one_line(args.category)}' (known: {known})")
        papers = [p for p in papers if p.category in wanted]
    if args.json:
        _print_json([paper_dict(p, library) for p in papers])
    else:
        print(paper_table(papers, library))
    return 0


# Results are ranked, so the best ones come first: printing 60,000 matches of a short query in
# a large collection (as JSON: hundreds of MB) helps nobody by default.
SEARCH_LIMIT = 100


def cmd_search(context: Context, args: argparse.Namespace) -> int:
    context.warn_problems()
    if args.limit is not None and args.limit < 0:
        raise CliError("--limit must be zero or more", 2)
    library = context.library
    query = " ".join(args.query) + (" is:starred" if args.starred else "")
    user, texts = pdf_commands.full_text_state(context, query)
    result = context.searchable_index(query).search(query, user, limit=None if args.all else args.limit)
    for hint in result.hints:
        print(f"paperbrowse: hint: {one_line(hint)}", file=sys.stderr)
    if len(result) < result.matched:
        print(
            f"paperbrowse: the best {len(result):,} of {result.matched:,} matches (--limit N or --all for more)",
            file=sys.stderr,
        )
    needles = text_needles(query)
    if args.json:
        pages = {n: {h.paper.id: pages_with(texts.get(h.paper.id, ()), n) for h in result.hits} for n in needles}
        _print_json(
            [
                {**paper_dict(h.paper, library), "score": h.score}
                | ({"pages": {n: pages[n][h.paper.id] for n in needles}} if needles else {})
                for h in result.hits
            ]
        )
    elif result.hits:
        print(paper_table([h.paper for h in result.hits], library, scores=[h.score for h in result.hits]))
        for line in pdf_commands.page_lines([h.paper.id for h in result.hits], texts, needles):
            print(line)
    else:
        print("no papers match", file=sys.stderr)
    return 0


def cmd_show(context: Context, args: argparse.Namespace) -> int:
    context.warn_problems()
    paper = find_paper(context, args.id)
    catalog = context.catalog
    similar = related(catalog, paper.id)
    local = local_pdf(paper, context.library, pdf_folder(context.library_file, context.settings.pdf_folder))
    if args.json:
        _print_json(
            {
                **paper_dict(paper, context.library),
                "pdf_here": str(local) if local else None,
                "note": context.library.note(paper.id),
                "built_on_by": [other.id for other in catalog.built_on_by(paper.id)],
                "related": [{"id": r.paper.id, "score": r.score} for r in similar],
            }
        )
    else:
        print(paper_details(paper, catalog, context.library, context.library.note(paper.id), similar))
        if local is not None:
            print(f"\nPDF here: {local}")
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
    """Open the Textual browser (imported here so the commands start without Textual)."""
    from paperbrowse.core.settings.config_file import load_settings
    from paperbrowse.tui.app import PaperBrowseApp
    from paperbrowse.tui.screens.main import collection_title
    from paperbrowse.tui.session import Session

    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise CliError("the browser needs a terminal; see `paperbrowse --help` for the commands", 2)
    settings, problems = load_settings()  # told in the browser, not on the terminal it takes over
    session = Session(context.catalog, Library.load(context.library_file), context.index, settings, problems)
    PaperBrowseApp(session, collection_title(context.catalog)).run()
    return 0


HANDLERS: dict[str, Callable[[Context, argparse.Namespace], int]] = {
    "list": cmd_list,
    "search": cmd_search,
    "show": cmd_show,
    "validate": cmd_validate,
}
