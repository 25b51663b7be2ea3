"""`paperbrowse completion SHELL` prints (or installs) shell completion or the manual page;
`paperbrowse __complete WORD...`, which the scripts run on TAB, prints what a word may become."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from paperbrowse.cli.completion import Values, candidates
from paperbrowse.cli.context import AddCommand, CliError, Context
from paperbrowse.cli.manual import manual_page
from paperbrowse.cli.shell_scripts import SCRIPTS
from paperbrowse.core.files.atomic import atomic_write

TARGETS = ("bash", "zsh", "fish", "man")


def add_parser(command: AddCommand) -> None:
    p = command("completion", "print shell completion for bash, zsh or fish, or the manual page (man)")
    p.add_argument("target", choices=TARGETS)
    p.add_argument("--install", action="store_true", help="write it where the shell (or man) finds it, and say where")


def install_path(target: str, env: os._Environ[str] | dict[str, str] = os.environ) -> Path:
    """Where each shell (or man) looks for a user's own files, per the XDG base directories."""
    home = Path(env.get("HOME") or Path.home())
    data = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
    config = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    return {
        "bash": data / "bash-completion" / "completions" / "paperbrowse",
        "zsh": data / "zsh" / "site-functions" / "_paperbrowse",
        "fish": config / "fish" / "completions" / "paperbrowse.fish",
        "man": data / "man" / "man1" / "paperbrowse.1",
    }[target]


_AFTER_INSTALL = {
    "bash": "bash-completion loads it in new shells.",
    "zsh": "add `fpath+=({folder})` before `compinit` in ~/.zshrc, then open a new shell.",
    "fish": "fish loads it in new shells.",
    "man": "`man paperbrowse` finds it when ~/.local/bin is on your PATH (else MANPATH).",
}


def cmd_completion(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """`parser`: the whole CLI's, which the manual page describes."""
    text = manual_page(parser) if args.target == "man" else SCRIPTS[args.target]
    if not args.install:
        sys.stdout.write(text)
        return 0
    path = install_path(args.target)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text.encode("utf-8"))
    except OSError as err:
        raise CliError(f"cannot write {path}: {err.strerror or err}") from None
    print(f"wrote {path}; " + _AFTER_INSTALL[args.target].format(folder=path.parent))
    return 0


def complete(parser: argparse.ArgumentParser, words: Sequence[str]) -> int:
    """Print what the last of `words` may become, one per line; never fails loudly, as a TAB must not."""
    words = list(words[1:] if words[:1] == ["--"] else words)
    context = _context_of(words)

    # Functions, not values: the catalog is loaded only when a word needs it.
    def categories() -> list[str]:
        return list(context.catalog.categories)

    def paper_tags(paper_id: str) -> list[str]:
        return list(context.library.user_tags(paper_id))

    def saved_names() -> list[str]:
        return list(context.library.saved_searches())

    values = Values(
        ids=lambda: (paper.id for paper in context.catalog.papers),
        categories=categories,
        tags=lambda: _all_tags(context),
        paper_tags=paper_tags,
        saved=saved_names,
    )
    try:
        found = candidates(parser, words, values)
    except Exception:  # a broken library or data must not print a traceback at a TAB
        return 1
    # One value a line: a tag holding a line break or an escape sequence is not offered.
    sys.stdout.write("".join(f"{value}\n" for value in found if value.isprintable()))
    return 0


def _context_of(words: list[str]) -> Context:
    """The data and library the command being typed names, else the defaults."""
    data: list[str] = []
    library: str | None = None
    for number, word in enumerate(words[:-1]):
        value = words[number + 1]
        if word == "--data":
            data.append(value)
        elif word == "--library":
            library = value
    return Context(data=data or None, library=library)


def _all_tags(context: Context) -> set[str]:
    tags = {tag for paper in context.catalog.papers for tag in paper.tags}
    library = context.library
    tags.update(tag for paper_id in library.paper_ids() for tag in library.user_tags(paper_id))
    return tags
