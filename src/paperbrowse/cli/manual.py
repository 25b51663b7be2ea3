"""The manual page, paperbrowse(1), written in man(7) roff from the CLI's own argparse definition.

Generated rather than kept by hand, so that it lists exactly the commands and options the
program takes; only the environment variables and files, which argparse does not know, are
listed here.
"""

from __future__ import annotations

import argparse
import datetime as dt

from paperbrowse import __version__
from paperbrowse.cli.completion import HIDDEN, options, positionals, subcommands

ENVIRONMENT = (
    ("PAPERBROWSE_DATA", "record folders or files to browse, separated like PATH (default: the shipped collection)"),
    ("PAPERBROWSE_LIBRARY", "the library file: your stars, notes, tags and reading status"),
    ("PAPERBROWSE_CACHE", "the cache folder (default: the user cache folder)"),
    ("PAPERBROWSE_ARXIV_API", "the arXiv API's base URL, for add"),
    ("PAPERBROWSE_ARXIV_PDF", "where arXiv PDFs are downloaded from (default https://arxiv.org/pdf)"),
    ("PAPERBROWSE_NETWORK_TIMEOUT", "seconds one exchange with a server may take in all (default 30)"),
    ("VISUAL, EDITOR", "the editor note opens"),
)


def manual_page(parser: argparse.ArgumentParser, *, today: dt.date | None = None) -> str:
    date = (today or dt.date.today()).isoformat()
    lines = [
        f'.TH PAPERBROWSE 1 "{date}" "paperbrowse {_escape(__version__)}" "User Commands"',
        ".SH NAME",
        r"paperbrowse \- a keyboard-driven terminal browser for research papers",
        ".SH SYNOPSIS",
        r".B paperbrowse",
        r"[\fB\-\-data\fR \fIPATH\fR]... [\fB\-\-library\fR \fIFILE\fR] [\fICOMMAND\fR [\fIARGS\fR]]",
        ".SH DESCRIPTION",
        _escape(parser.description or ""),
        "Press ? in the browser for its keys.",
        ".SH OPTIONS",
    ]
    lines += _options(parser)
    lines.append(".SH COMMANDS")
    for name, command in subcommands(parser).items():
        if name == HIDDEN:
            continue
        usage = " ".join(_usage(action) for action in positionals(command))
        lines += [".SS " + f"{_escape(name)} {usage}".strip(), _escape(command.description or "")]
        lines += _options(command, skip={"--data", "--library", "-h"})
    lines.append(".SH ENVIRONMENT")
    for name, meaning in ENVIRONMENT:
        lines += [".TP", rf"\fB{_escape(name)}\fR", _escape(meaning)]
    lines += [
        ".SH EXIT STATUS",
        "0 on success, 1 on an error the message names, 2 on a usage error, 130 when interrupted.",
        ".SH SEE ALSO",
        r"The README, and \fBpaperbrowse completion\fR \fISHELL\fR for shell completion.",
    ]
    return "\n".join(lines) + "\n"


def _options(parser: argparse.ArgumentParser, skip: set[str] | None = None) -> list[str]:
    lines: list[str] = []
    for action in options(parser):
        if skip and skip & set(action.option_strings):
            continue
        flags = ", ".join(rf"\fB{_escape(flag)}\fR" for flag in action.option_strings)
        if action.nargs != 0 and not isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
            flags += " " + _usage(action)
        lines += [".TP", flags, _escape(_help(action))]
    return lines


def _usage(action: argparse.Action) -> str:
    if action.choices is not None:
        name = "{" + ",".join(str(choice) for choice in action.choices) + "}"
    elif isinstance(action.metavar, tuple):  # several values: `--rename OLD NEW`
        return " ".join(rf"\fI{_escape(part)}\fR" for part in action.metavar)
    else:
        name = (
            str(action.metavar or action.dest).upper() if action.option_strings else str(action.metavar or action.dest)
        )
    text = rf"\fI{_escape(name)}\fR"
    return f"{text}..." if action.nargs in ("*", "+") else text


def _help(action: argparse.Action) -> str:
    text = str(action.help or "")
    if "%(default)" in text:
        text = text % {"default": action.default}
    return text


def _escape(text: str) -> str:
    """Text as roff shows it literally: backslashes and hyphens escaped, no line read as a request."""
    text = text.replace("\\", r"\e").replace("-", r"\-")
    return "\n".join(rf"\&{line}" if line.startswith((".", "'")) else line for line in text.splitlines())
