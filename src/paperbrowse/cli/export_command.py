"""`paperbrowse export`: the starred list, a query's or a saved search's results or some papers
by id, as Markdown, BibTeX, CSV or JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from paperbrowse.cli.context import AddCommand, CliError, Context
from paperbrowse.cli.lookup import find_paper
from paperbrowse.cli.saved_command import saved_query
from paperbrowse.core.export import FORMATS, export
from paperbrowse.core.export.reading_list import SORTS, export_items, select_papers
from paperbrowse.core.files.exports import ExportExists, write_export
from paperbrowse.core.records.safe_text import one_line, visible


def cmd_export(context: Context, args: argparse.Namespace) -> int:
    context.warn_problems()
    query = " ".join(args.query).strip()
    if sum(map(bool, (query or args.saved is not None, args.starred, args.ids))) > 1:
        raise CliError("give either --starred, --ids, --saved or a query, not two of them", 2)
    if args.saved is not None:
        query = saved_query(context, args.saved, query)
    library = context.library
    ids = [find_paper(context, paper_id).id for paper_id in args.ids] if args.ids else None
    papers, hints = select_papers(
        context.searchable_index(query or ""), library, query or None, sort=args.sort, ids=ids
    )
    for hint in hints:
        print(f"paperbrowse: hint: {one_line(hint)}", file=sys.stderr)
    text = export(export_items(papers, library), args.format or context.settings.export_format, context.catalog)
    if args.output is None:
        if sys.stdout.isatty():
            # On a terminal, record text must not act: show control characters instead.
            text = visible(text.replace("\r\n", "\n"))
        # Bytes, so that CSV's \r\n reaches the reader as written on every platform.
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
        return 0
    target = Path(args.output)
    shown = one_line(str(target))
    try:
        write_export(target, text.encode("utf-8"), force=args.force)
    except ExportExists as err:
        if err.is_link:
            raise CliError(
                f"{shown} is a symbolic link; add --force to replace the link (never what it points to)"
            ) from None
        raise CliError(f"{shown} exists; add --force to overwrite it") from None
    except OSError as err:
        raise CliError(f"cannot write {shown}: {one_line(str(err.strerror or err))}") from None
    print(f"wrote {len(papers)} papers to {shown}", file=sys.stderr)
    return 0


def add_parser(command: AddCommand) -> None:
    p = command("export", "export the starred list (default) or a query's results")
    p.add_argument("query", nargs="*", help="a query instead of the starred list")
    p.add_argument("--starred", action="store_true", help="the starred list, in the order starred (default)")
    p.add_argument(
        "--ids", nargs="+", metavar="ID", help="these papers, in this order (ids, citation keys or arXiv ids)"
    )
    p.add_argument(
        "--saved", metavar="NAME", help="the results of the saved search NAME (a query's words after it narrow it)"
    )
    p.add_argument("--format", "-f", choices=FORMATS, help="default: config.toml's export.format, else markdown")
    p.add_argument("--sort", choices=SORTS, help="order (default: starred order, or rank for a query)")
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE atomically, never through a link (default: stdout)"
    )
    p.add_argument(
        "--force", action="store_true", help="overwrite FILE if it exists (a link is replaced, not followed)"
    )
