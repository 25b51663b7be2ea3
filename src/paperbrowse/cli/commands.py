"""The read-only commands: list, search, show, validate, and starting the browser."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from functools import partial

from paperbrowse.cli import collector, pdf_commands, saved_command
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
from paperbrowse.core.search.sort_orders import sort_papers
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
    if args.sort:
        papers = list(sort_papers(context.index, papers, args.sort, library))
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
    query = saved_command.search_query(context, args) + (" is:starred" if args.starred else "")
    limit = None if args.all else args.limit
    index = context.searchable_index(query)
    user, texts = pdf_commands.full_text_state(context, query)
    # Another order than relevance sorts every match, then keeps the first N of that order.
    result = index.search(query, user, limit=limit if args.sort == "relevance" else None)
    for hint in result.hints:
        print(f"paperbrowse: hint: {one_line(hint)}", file=sys.stderr)
    papers = list(sort_papers(index, result.view, args.sort, library))[:limit]
    score_of = dict(zip(result.positions, result.scores, strict=True))
    where = index.positions
    scores = [score_of[where[paper.id]] for paper in papers]
    if len(papers) < result.matched:
        print(
            f"paperbrowse: the {'best' if args.sort == 'relevance' else 'first'} {len(papers):,} of"
            f" {result.matched:,} matches (--limit N or --all for more)",
            file=sys.stderr,
        )
    needles = text_needles(query)
    if args.json:
        _print_json(
            [
                {**paper_dict(paper, library), "score": score}
                | ({"pages": {n: pages_with(texts.get(paper.id, ()), n) for n in needles}} if needles else {})
                for paper, score in zip(papers, scores, strict=True)
            ]
        )
    elif papers:
        print(paper_table(papers, library, scores=scores))
        for line in pdf_commands.page_lines([paper.id for paper in papers], texts, needles):
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
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise CliError("the browser needs a terminal; see `paperbrowse --help` for the commands", 2)
    # A child takes the files' key while Textual is imported and the snapshot read (see
    # store.forked_stamp); forked before the load's thread starts: a fork wants one thread.
    check = context.files_check()
    try:
        from paperbrowse.core.settings.config_file import load_settings
        from paperbrowse.tui.app import PaperBrowseApp
        from paperbrowse.tui.cold_start import BackgroundLoad
        from paperbrowse.tui.screens.main import collection_title
        from paperbrowse.tui.session import Session

        settings, problems = load_settings()  # told in the browser, not on the terminal it takes over
        library = Library.load(context.library_file)
    except BaseException:
        if check is not None:
            check.abandon()
        raise
    loading = BackgroundLoad(partial(context.load, check=check))
    loading.first.wait()
    if loading.error is not None:
        raise loading.error
    if loading.result is not None:  # read in full before a first part was due (a warm start)
        catalog, index = loading.result
        loading.result = None  # the session holds them alone: a reload lets them go (tui/retire.py)
        session = Session(catalog, library, index, settings, problems)
        title = collection_title(catalog)
        del catalog, index
        PaperBrowseApp(session, title, froze=collector.froze).run()
        return 0
    assert loading.partial is not None
    session = Session(loading.partial, library, None, settings, problems)
    PaperBrowseApp(session, collection_title(loading.partial), loading=loading, froze=collector.froze).run()
    return 0


HANDLERS: dict[str, Callable[[Context, argparse.Namespace], int]] = {
    "list": cmd_list,
    "search": cmd_search,
    "show": cmd_show,
    "validate": cmd_validate,
}
