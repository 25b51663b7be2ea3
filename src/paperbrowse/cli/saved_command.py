"""Saved searches on the command line: `search --save NAME`, `search --saved NAME`, `saved`.

The same core calls as the browser's `ctrl+s` and its tree (`Library.save_search` and the rest),
so a search saved in one is there in the other.
"""

from __future__ import annotations

import argparse
import json
import sys

from paperbrowse.cli.context import AddCommand, CliError, Context
from paperbrowse.cli.library_commands import _save
from paperbrowse.core.library.user_library import SavedSearchError, SavedSearchExists
from paperbrowse.core.records.safe_text import one_line


def add_search_options(parser: argparse.ArgumentParser) -> None:
    """`search`'s options for saved searches."""
    parser.add_argument("--saved", metavar="NAME", help="run the saved search NAME (further words narrow it)")
    parser.add_argument("--save", metavar="NAME", help="also keep the query under NAME (see `paperbrowse saved`)")
    parser.add_argument("--replace", action="store_true", help="with --save: replace a saved search of that name")


def add_parser(command: AddCommand) -> None:
    p = command("saved", "list your saved searches (NAME<TAB>QUERY), or delete or rename one")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--delete", metavar="NAME", help="forget the saved search NAME")
    group.add_argument("--rename", nargs=2, metavar=("OLD", "NEW"), help="call the saved search OLD NEW")
    p.add_argument("--replace", action="store_true", help="with --rename: replace a saved search named NEW")
    p.add_argument("--json", action="store_true", help="print a JSON object: name -> query")


def search_query(context: Context, args: argparse.Namespace) -> str:
    """The query `search` runs: the saved one named by --saved, then the words given; kept under
    --save's name first, so that a name already taken stops before anything is printed."""
    words = " ".join(args.query).strip()
    if args.saved is not None:
        words = saved_query(context, args.saved, words)
    if not words:
        raise CliError("give a query, or --saved NAME (`paperbrowse saved` lists them)", 2)
    if args.save is not None:
        library = context.writable_library()
        try:
            library.save_search(args.save, words, replace=args.replace)
        except SavedSearchExists as err:
            raise CliError(f"{err}; add --replace to replace it") from None
        except SavedSearchError as err:
            raise CliError(str(err), 2) from None
        _save(library)
    elif args.replace:
        raise CliError("--replace goes with --save NAME", 2)
    return words


def saved_query(context: Context, name: str, words: str) -> str:
    """The saved search `name`'s query, narrowed by `words` (`search` and `export --saved`)."""
    saved = context.library.saved_search(name)
    if saved is None:
        raise CliError(_unknown(name, context.library.saved_searches()))
    return f"{saved} {words}".strip()


def cmd_saved(context: Context, args: argparse.Namespace) -> int:
    if args.replace and args.rename is None:
        raise CliError("--replace goes with --rename OLD NEW", 2)
    if args.delete is not None or args.rename is not None:
        library = context.writable_library()
        try:
            if args.delete is not None:
                library.delete_search(args.delete)
            else:
                old, new = args.rename
                library.rename_search(old, new, replace=args.replace)
        except SavedSearchExists as err:
            raise CliError(f"{err}; add --replace to replace it") from None
        except SavedSearchError as err:
            raise CliError(_unknown(args.delete or args.rename[0], library.saved_searches(), str(err))) from None
        _save(library)
        return 0
    searches = context.library.saved_searches()
    if args.json:
        print(json.dumps(searches, indent=2, ensure_ascii=True))  # escaped: inert like every JSON we print
    elif searches:
        for name, query in searches.items():
            print(f"{one_line(name)}\t{one_line(query)}")
    else:
        print("no saved searches: `paperbrowse search --save NAME QUERY`, or ctrl+s in the browser", file=sys.stderr)
    return 0


def _unknown(name: str, searches: dict[str, str], reason: str = "") -> str:
    """Why a name is not found, with the names there are."""
    reason = reason or f"no saved search named '{one_line(name)}'"
    if not reason.startswith("no saved search"):
        return reason
    names = ", ".join(one_line(known) for known in searches)
    return f"{reason} (saved: {names})" if names else f"{reason} (there are none yet)"


HANDLERS = {"saved": cmd_saved}
