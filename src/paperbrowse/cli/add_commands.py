"""Commands that grow the collection: `add` (from arXiv or Crossref) and `import` (from a file).

Both write one file per paper into the user's papers folder, beside the library file. What
was added goes to stdout (id and title, one per line); what was skipped and why, to stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from paperbrowse.cli.context import AddCommand, CliError, Context
from paperbrowse.cli.progress import ProgressBar
from paperbrowse.core.files.paths import data_sources, user_papers_folder
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.sources.papers_folder import INBOX
from paperbrowse.core.store.cache import folder_records

if TYPE_CHECKING:
    from paperbrowse.core.sources.adding import Adder, Outcome


def _adder(context: Context, category: str) -> Adder:
    from paperbrowse.core.sources import adding  # arXiv and BibTeX readers: imported by these commands only

    adder = adding.Adder(user_papers_folder(context.library_file), context.catalog, category, folder_records)
    try:
        adder.prepare()
    except adding.AddError as err:
        raise CliError(str(err)) from None
    return adder


def _report(context: Context, adder: Adder, outcomes: Sequence[Outcome]) -> int:
    from paperbrowse.core.sources import adding  # arXiv and BibTeX readers: imported by these commands only

    for outcome in outcomes:
        origin = one_line(outcome.origin)
        if isinstance(outcome, adding.Added):
            print(f"{outcome.paper.id}\t{one_line(outcome.paper.title)}")
        elif isinstance(outcome, adding.Duplicate):
            existing = outcome.existing.id
            where = one_line(adder.origin_of(outcome.existing))
            where = f", from {where}" if where else ""
            print(f"paperbrowse: {origin}: already in the collection as '{existing}'{where} (skipped)", file=sys.stderr)
        else:
            print(f"paperbrowse: {origin}: {one_line(outcome.message)}", file=sys.stderr)
    added = sum(isinstance(o, adding.Added) for o in outcomes)
    duplicates = sum(isinstance(o, adding.Duplicate) for o in outcomes)
    failed = sum(isinstance(o, adding.Failed) for o in outcomes)
    noun = "paper" if added == 1 else "papers"
    summary = f"{added} {noun} added to {adder.folder}"
    if duplicates:
        summary += f", {duplicates} already there"
    if failed:
        summary += f", {failed} failed"
    print(f"paperbrowse: {summary}", file=sys.stderr)
    if added and not _in_use(context, adder.folder):
        print(
            f"paperbrowse: note: {adder.folder} is not among the data in use (--data or PAPERBROWSE_DATA);"
            " name it there too to see these papers",
            file=sys.stderr,
        )
    return 1 if failed else 0


def _in_use(context: Context, folder: Path) -> bool:
    """Whether the next command reads `folder`: the defaults are asked again, since the folder
    may only have been made by this command."""
    target = folder.resolve()
    for source in data_sources(context.requested_data, library=context.library_file):
        path = Path(source).resolve()
        if path == target or path in target.parents:
            return True
    return False


def cmd_add(context: Context, args: argparse.Namespace) -> int:
    from paperbrowse.core.sources import adding  # arXiv and BibTeX readers: imported by these commands only

    adder = _adder(context, args.category)
    return _report(context, adder, adding.add_identifiers(args.ids, adder))


def cmd_import(context: Context, args: argparse.Namespace) -> int:
    from paperbrowse.core.sources import adding  # arXiv and BibTeX readers: imported by these commands only

    path = Path(args.file)
    try:
        from paperbrowse.core.sources.bibliography_file import read_bibliography  # the readers: only for this command

        progress = ProgressBar(f"reading {one_line(path.name)}")
        kind, found = read_bibliography(path, progress)
        progress.done()
    except OSError as err:
        raise CliError(f"cannot read {one_line(str(path))}: {err.strerror or err}") from None
    for problem in found.problems:
        print(one_line(str(problem)), file=sys.stderr)
    if not found.papers and not found.problems:
        names = {"bibtex": "BibTeX entries", "csl-json": "CSL-JSON items", "ris": "RIS entries"}
        raise CliError(f"{one_line(str(path))} holds no {names[kind]}")
    adder = _adder(context, args.category)
    progress = ProgressBar(f"adding to {one_line(str(adder.folder))}")
    outcomes = adding.add_drafts(found.papers, adder, progress, origin=str(path))
    progress.done()
    code = _report(context, adder, outcomes)
    broken = any(problem.severity == "error" for problem in found.problems)
    return 1 if broken else code


def add_parsers(command: AddCommand) -> None:
    p = command("add", "add papers from arXiv (by id or URL) or Crossref (by DOI) to your papers folder")
    p.add_argument(
        "ids",
        nargs="+",
        metavar="ARXIV_ID_OR_DOI",
        help="2302.13971, hep-th/9901001, arxiv.org/abs/... links, 10.1145/3292500.3330701, doi.org/... links",
    )
    p.add_argument("--category", metavar="ID", default=INBOX, help=f"the new papers' category (default: {INBOX})")
    p = command("import", "add the entries of a BibTeX, CSL-JSON or RIS file to your papers folder")
    p.add_argument("file", metavar="FILE", help=".bib, .json (CSL-JSON) or .ris; another name is told by its content")
    p.add_argument("--category", metavar="ID", default=INBOX, help=f"the new papers' category (default: {INBOX})")


HANDLERS = {"add": cmd_add, "import": cmd_import}
