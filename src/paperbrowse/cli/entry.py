"""The `paperbrowse` command's first step: the child that checks the data files is started
before the commands are imported.

A warm start of many small files waits for that child (see `store.forked_stamp`): a stat of
every file, 0.4-0.6 s at 100,000 one-paper files. Started here, after only what it needs
(`store.cache`), it runs beside the rest of the imports too, a tenth of a second sooner than
the load would start it. The data sources are read off the arguments the way `main` will find
them; where this reading differs (an option's value that looks like `--data`), the load finds
the child checking other files than its own and stops it, so a wrong reading costs a child's
work, never a wrong catalog.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from paperbrowse.cli.completion import HIDDEN
from paperbrowse.core.files.paths import data_sources, library_path
from paperbrowse.core.store.cache import check_files
from paperbrowse.core.store.forked_stamp import FilesCheck

# Commands that never load the papers, and the options that make any command print and leave.
_NO_PAPERS = frozenset({"completion", "config"})
_LEAVING = frozenset({"-h", "--help", "--version"})


def main() -> int:
    check = _early_check(sys.argv[1:])
    try:
        from paperbrowse.cli.main import main as run  # the commands: imported beside the child

        return run(check=check)
    finally:
        if check is not None:  # not taken (arguments refused): stopped; taken: already done
            check.abandon()


def _early_check(argv: Sequence[str]) -> FilesCheck | None:
    sources = sources_named(argv)
    return None if sources is None else check_files(sources)


def sources_named(argv: Sequence[str]) -> list[str] | None:
    """The data sources `argv` names, as `Context` will find them; None when the command
    loads no papers."""
    if argv[:1] == [HIDDEN]:  # the shells' TAB
        return None
    data: list[str] = []
    library: str | None = None
    command: str | None = None
    words = iter(argv)
    for word in words:
        name, equals, value = word.partition("=")
        if word in _LEAVING:
            return None
        if name in ("--data", "--library"):
            given = value if equals else next(words, None)
            if given is None:
                return None
            if name == "--data":
                data.append(given)
            else:
                library = given
        elif command is None and not word.startswith("-"):
            command = word
    if command in _NO_PAPERS:
        return None
    return data_sources(data or None, library=library_path(library))
