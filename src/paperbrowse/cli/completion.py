"""Shell completion computed from the CLI's own argparse definition.

The bash, zsh and fish scripts are thin: on TAB they run `paperbrowse __complete WORD...` and
offer what it prints. So a new command or option completes the day it is added, and the three
shells can never disagree. What a word may be comes from the parser (its commands, options,
choices) and, for values named in `_KINDS`, from the data in use: paper ids, tags, categories.
A first line `@files` asks the shell to complete file names itself.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

FILES = "@files"
HIDDEN = "__complete"

# What a positional or an option's value holds, by its `dest`; `choices` speak for themselves.
# A test checks that every positional and value-taking option of the parser is named here.
_KINDS = {
    "id": "id",
    "ids": "id",
    "changes": "tag-change",
    "category": "category",
    "data": "file",
    "sub_data": "file",
    "library": "file",
    "sub_library": "file",
    "file": "file",
    "paths": "file",
    "output": "file",
    "query": "text",
    "text": "text",
    "append": "text",
    "limit": "text",
    "save": "text",
    "saved": "saved-search",
    "delete": "saved-search",
    "rename": "saved-search",
}
# A command whose positional names things that are not in the collection yet.
_NEW_THINGS = {("add", "ids"): "text"}


@dataclass
class Values:
    """Where the data-dependent values come from; functions, so that only what is asked is loaded."""

    ids: Callable[[], Iterable[str]]
    categories: Callable[[], Iterable[str]]
    tags: Callable[[], Iterable[str]]
    paper_tags: Callable[[str], Iterable[str]]  # the user's tags on one paper, for `tag ID -TAG`
    saved: Callable[[], Iterable[str]] = tuple  # the names of the saved searches


def kind_of(command: str, action: argparse.Action) -> str:
    """What a positional or option value holds: a kind of `_KINDS`, "choice", or "unknown"."""
    if action.choices is not None:
        return "choice"
    return _NEW_THINGS.get((command, action.dest)) or _KINDS.get(action.dest, "unknown")


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [action for action in parser._actions if action.option_strings and action.help != argparse.SUPPRESS]


def positionals(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [
        action
        for action in parser._actions
        if not action.option_strings and not isinstance(action, argparse._SubParsersAction)
    ]


def takes_value(action: argparse.Action) -> bool:
    return action.nargs != 0 and not isinstance(action, (argparse._HelpAction, argparse._VersionAction))


def candidates(parser: argparse.ArgumentParser, words: Sequence[str], values: Values) -> list[str]:
    """What the last of `words` (the words after `paperbrowse`, the last one being typed) may become."""
    *done, current = words or [""]
    commands = subcommands(parser)
    command_name = ""
    active = parser
    expecting: argparse.Action | None = None
    filled: list[str] = []  # positional words given to the command so far
    for word in done:
        if expecting is not None:
            expecting = None
            continue
        if word.startswith("-") and word != "-" and not (command_name == "tag" and filled):
            option = _option(active, word) or _option(parser, word)
            if option is not None and takes_value(option) and "=" not in word:
                expecting = option
            continue
        if not command_name and word in commands:
            command_name, active = word, commands[word]
            continue
        filled.append(word)
    if expecting is not None:
        return _values(command_name, expecting, current, values, filled)
    if command_name == "tag" and filled and current.startswith(("+", "-")):
        return _tag_changes(filled, current, values)
    if current.startswith("-"):
        flags = [flag for action in options(active) for flag in action.option_strings]
        return sorted(flag for flag in flags if flag.startswith(current))
    if not command_name:
        return sorted(name for name in commands if name.startswith(current) and name != HIDDEN)
    slots = positionals(active)
    if not slots:
        return []
    slot = _slot(slots, len(filled))
    following = slots[slots.index(slot) + 1] if slot is not slots[-1] else None
    if slot.nargs == "+" and filled and following is not None and following.choices is not None:
        # `status ID... STATE`: after an id comes the state, or another id when no state fits.
        states = _values(command_name, following, current, values, filled)
        if states:
            return states
    return _values(command_name, slot, current, values, filled)


def _option(parser: argparse.ArgumentParser, word: str) -> argparse.Action | None:
    name = word.split("=", 1)[0]
    return next((action for action in options(parser) if name in action.option_strings), None)


def _slot(slots: list[argparse.Action], index: int) -> argparse.Action:
    """The positional the `index`th word fills: a `*` or `+` one takes every word after it."""
    for slot in slots:
        if slot.nargs in ("*", "+", argparse.REMAINDER) or index == 0:
            return slot
        index -= 1
    return slots[-1]


def _values(command: str, action: argparse.Action, current: str, values: Values, filled: list[str]) -> list[str]:
    kind = kind_of(command, action)
    if kind == "choice":
        return [str(choice) for choice in action.choices or () if str(choice).startswith(current)]
    if kind == "file":
        return [FILES]
    if kind == "tag-change":
        return _tag_changes(filled, current, values) if filled else []
    found = {"id": values.ids, "category": values.categories, "saved-search": values.saved}.get(kind)
    if found is None:
        return []
    lowered = current.lower()
    return sorted(value for value in found() if value.lower().startswith(lowered))


def _tag_changes(filled: list[str], current: str, values: Values) -> list[str]:
    """`tag ID... +TAG -TAG`: any tag to add; to remove, the tags of the papers named."""
    if current.startswith("-"):
        ids = [word for word in filled if not word.startswith(("+", "-"))]
        own = {tag for paper_id in ids for tag in values.paper_tags(paper_id)}
        return sorted(f"-{tag}" for tag in own if f"-{tag}".startswith(current))
    prefix = current[1:] if current.startswith("+") else current
    return sorted(f"+{tag}" for tag in set(values.tags()) if tag.startswith(prefix))
