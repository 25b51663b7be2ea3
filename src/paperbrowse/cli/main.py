"""The `paperbrowse` command: argument parsing and dispatch to the commands."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from paperbrowse import __version__
from paperbrowse.cli import (
    add_commands,
    cite_command,
    commands,
    completion_command,
    config_command,
    export_command,
    library_commands,
    pdf_commands,
    saved_command,
)
from paperbrowse.cli.completion import HIDDEN
from paperbrowse.cli.context import CliError, Context
from paperbrowse.core.search.sort_orders import SORTS
from paperbrowse.core.store.forked_stamp import FilesCheck


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # After the command, options land in their own names and are joined with the ones before
    # it: argparse would otherwise let `list --data B` replace `--data A list`'s A.
    default = argparse.SUPPRESS if suppress else None
    prefix = "sub_" if suppress else ""
    parser.add_argument(
        "--data",
        action="append",
        metavar="PATH",
        default=default,
        dest=f"{prefix}data",
        help="a record folder or file (repeatable; default: $PAPERBROWSE_DATA, else the shipped collection)",
    )
    parser.add_argument(
        "--library",
        metavar="FILE",
        default=default,
        dest=f"{prefix}library",
        help="your stars, notes and tags (default: $PAPERBROWSE_LIBRARY, else library.toml in the user data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paperbrowse",
        allow_abbrev=False,
        description="A keyboard-driven terminal browser for research papers. Run without a command to open the browser.",
    )
    parser.add_argument("--version", action="version", version=f"paperbrowse {__version__}")
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    shared = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    _global_options(shared, suppress=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, parents=[shared], allow_abbrev=False)

    p = command("list", "list papers, grouped by category")
    p.add_argument("--category", metavar="ID", help="only this category and its children")
    p.add_argument("--starred", action="store_true", help="only starred papers, in the order starred")
    p.add_argument("--sort", choices=SORTS, help="order (default: by category, newest first; see README)")
    p.add_argument("--json", action="store_true", help="print a JSON array")

    p = command("search", "search with the query language (see the README)")
    p.add_argument("query", nargs="*", help="the query; several words are joined with spaces")
    p.add_argument(
        "--limit",
        type=int,
        metavar="N",
        default=commands.SEARCH_LIMIT,
        help=f"the best N results (default {commands.SEARCH_LIMIT})",
    )
    p.add_argument("--all", action="store_true", help="every result, however many")
    p.add_argument("--starred", action="store_true", help="only starred papers (same as is:starred)")
    p.add_argument("--sort", choices=SORTS, default="relevance", help="order of the matches (default: relevance)")
    p.add_argument("--json", action="store_true", help="print a JSON array (with a score per paper)")
    saved_command.add_search_options(p)

    p = command("show", "show one paper")
    p.add_argument("id")
    p.add_argument("--json", action="store_true", help="print a JSON object")

    p = command("validate", "check record files; print FILE:LINE: message per problem")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: the data in use)")
    p.add_argument("--strict", action="store_true", help="fail on warnings (unknown keys) too")
    library_commands.add_parsers(command)
    export_command.add_parser(command)
    cite_command.add_parser(command)
    add_commands.add_parsers(command)
    pdf_commands.add_parsers(command)
    completion_command.add_parser(command)
    config_command.add_parser(command)
    saved_command.add_parser(command)
    return parser


_TAG_MARK = "\x00"


def _protect_tag_removals(argv: list[str]) -> list[str]:
    """In `tag ID -hardware`, argparse would read `-h` (help) and `ardware`: mark such words."""
    index = 0
    while index < len(argv) and argv[index].startswith("-"):
        index += 2 if argv[index] in ("--data", "--library") else 1  # skip the global options
    if index >= len(argv) or argv[index] != "tag":
        return argv
    head, tail = argv[: index + 1], argv[index + 1 :]
    protected, skip = [], False
    for word in tail:
        if skip or word in ("-h", "--help") or word.startswith("--") or not word.startswith("-") or word == "-":
            protected.append(word)
            skip = word in ("--data", "--library")
        else:
            protected.append(_TAG_MARK + word)
    return head + protected


def _quiet_libraries() -> None:
    """bibtexparser logs every broken block on its own; `import` reports each as a problem
    with its file and line instead, so its log would say everything twice."""
    logger = logging.getLogger("bibtexparser")
    logger.addHandler(logging.NullHandler())
    logger.propagate = False


def main(argv: Sequence[str] | None = None, check: FilesCheck | None = None) -> int:
    """`check`: a child on the data files' key, started before this module was imported
    (see cli/entry.py)."""
    _quiet_libraries()
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == [HIDDEN]:  # the shells' TAB: not a command a person types
        return completion_command.complete(parser, argv[1:])
    argv = _protect_tag_removals(argv)
    args, extra = parser.parse_known_args(argv)
    if args.command == "tag":
        # `--TAG` words that argparse did not know come back as extras.
        args.ids = [word.removeprefix(_TAG_MARK) for word in args.ids]
        args.changes = [change.removeprefix(_TAG_MARK) for change in [*args.changes, *extra]]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    data = [*(args.data or []), *getattr(args, "sub_data", [])] or None
    context = Context(data=data, library=getattr(args, "sub_library", None) or args.library, check=check)
    handlers: dict[str, Callable[[Context, argparse.Namespace], int]] = {
        **commands.HANDLERS,
        **library_commands.HANDLERS,
        **add_commands.HANDLERS,
        **pdf_commands.HANDLERS,
        **config_command.HANDLERS,
        **saved_command.HANDLERS,
        "export": export_command.cmd_export,
        "cite": cite_command.cmd_cite,
        "completion": lambda _context, args: completion_command.cmd_completion(args, parser),
    }  # completion describes the whole parser: it gets it, not the context
    handler = handlers.get(args.command or "")
    try:
        if handler is None:
            return commands.browse(context)
        return handler(context, args)
    except CliError as err:
        print(f"paperbrowse: {err}", file=sys.stderr)
        return err.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # `paperbrowse list | head`: the reader left, nothing to report
        return 0
    finally:
        context.drop_files_check()


if __name__ == "__main__":
    sys.exit(main())
