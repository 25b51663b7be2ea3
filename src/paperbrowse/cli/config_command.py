"""`paperbrowse config path | check | example`: where the settings file is, what is wrong in it,
and a file that documents every setting."""

from __future__ import annotations

import argparse
import sys

from paperbrowse.cli.context import AddCommand, Context
from paperbrowse.core.export import FORMATS
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.settings.config_file import config_path, load_settings

EXAMPLE = """\
# paperbrowse's settings: {path}
# Every setting is optional; a wrong one is reported (file, line, key) and keeps its default.

# The browser's theme, one of the command palette's (ctrl+p, "theme"). A theme chosen there is
# remembered until this line changes.
# theme = "nord"

# The summaries' language in the details, "en" or "zh" (L switches; remembered the same way).
# language = "zh"

# The editor for notes (`paperbrowse note ID`): a command as a list of words, or one string
# split like a shell would (never run by one). Default: $VISUAL, else $EDITOR, else vi.
# editor = ["code", "--wait"]

[export]
# The format `export` and the browser's export dialog start with: {formats}.
# format = "bibtex"
# The folder the browser's export dialog proposes (default: your documents folder).
# folder = "~/Documents/reading"

[open]
# The command links and files open with (default: the system's opener: xdg-open, open, start).
# command = ["firefox"]
# The command PDFs open with (default: `command`, else the system's opener).
# pdf = ["zathura"]

[pdf]
# Where downloaded PDFs are kept (default: pdfs/ beside your library).
# folder = "~/papers/pdfs"

[keys]
# Any action to any key: the action's id = a key or a list of keys (Textual's names: "j",
# "G", "ctrl+s", "f5", "question_mark"). A key another action already answers in the same
# place is refused, with its line. The actions and their default keys:
{keys}
"""


def example_text() -> str:
    from paperbrowse.tui.keymap import binding_ids  # Textual loads only for this

    rows = []
    for binding_id, key in binding_ids().items():
        keys = binding_id.rsplit(".", 1)[1] if "{n}" in key.action else key.keys
        rows.append(f'# "{binding_id}" = {_toml_keys(keys)}  # {key.help}')
    return EXAMPLE.format(path=config_path(), formats=", ".join(FORMATS), keys="\n".join(rows))


def _toml_keys(keys: str) -> str:
    names = keys.split(",")
    quoted = [f'"{name}"' for name in names]
    return quoted[0] if len(quoted) == 1 else "[" + ", ".join(quoted) + "]"


def add_parser(command: AddCommand) -> None:
    p = command("config", "your settings file: its path, a check of it, or an example with every setting")
    p.add_argument("action", choices=("path", "check", "example"))


def cmd_config(context: Context, args: argparse.Namespace) -> int:
    if args.action == "path":
        print(config_path())
        return 0
    if args.action == "example":
        sys.stdout.write(example_text())
        return 0
    settings, problems = load_settings()
    from paperbrowse.tui.keymap import keymap  # the keys are checked against the browser's table

    problems += keymap(settings)[1]
    for problem in problems:
        print(one_line(str(problem)))
    if not problems:
        print(
            f"{config_path()}: fine"
            if settings.file
            else f"{config_path()}: no such file; every setting is its default"
        )
    return 1 if problems else 0


HANDLERS = {"config": cmd_config}
