"""`paperbrowse cite ID...`: the bibliography entries of some papers, for a paper being written.

Each id is found the way `show` finds it; one that names no paper is told (with the nearest
ids) and the others are printed all the same, exit 1. A paper named twice is cited once.
"""

from __future__ import annotations

import argparse
import sys

from paperbrowse.cli.context import AddCommand, CliError, Context
from paperbrowse.cli.lookup import find_paper
from paperbrowse.core.export import CITE_FORMATS, cite
from paperbrowse.core.records.safe_text import visible
from paperbrowse.core.records.schema import Paper


def cmd_cite(context: Context, args: argparse.Namespace) -> int:
    context.warn_problems()
    papers: dict[str, Paper] = {}
    missing = 0
    for paper_id in args.ids:
        try:
            paper = find_paper(context, paper_id)
        except CliError as err:
            print(f"paperbrowse: {err}", file=sys.stderr)
            missing += 1
            continue
        papers.setdefault(paper.id, paper)
    if papers:
        text = cite(list(papers.values()), args.format)
        if sys.stdout.isatty():
            text = visible(text)  # on a terminal, record text must not act: control characters shown
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
    return 1 if missing else 0


def add_parser(command: AddCommand) -> None:
    p = command("cite", "print the bibliography entries of papers (BibTeX, biblatex, CSL-JSON or RIS)")
    p.add_argument("ids", nargs="+", metavar="ID", help="paper ids, as `show` takes them")
    p.add_argument("--format", "-f", choices=CITE_FORMATS, default="bibtex")
