"""The user's own keys (config.toml's `[keys]`), checked and turned into Textual's keymap.

Each entry names a binding of the key table by its id (`screen.star = "ctrl+t"`; `paperbrowse
config example` lists them all). An entry that names no binding, a key Textual has no name for,
or a key that another binding already answers where this one acts, is a problem naming its line
and is left out: that binding keeps its default keys, and the rest of the keymap applies.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.keys import REPLACED_KEYS, Keys, key_to_character

from paperbrowse.core.settings.config_file import Problem, Settings
from paperbrowse.tui.keys import KEYS, Key, Scope

_MODIFIERS = ("ctrl", "shift", "alt", "super", "meta", "hyper")
_NAMED = frozenset(key.value for key in Keys)
# Scopes that act together: the screen's keys work whichever of these widgets has the focus.
_WITH_SCREEN: frozenset[Scope] = frozenset({"screen", "search", "list", "tree", "details"})


@dataclass(frozen=True, slots=True)
class Rebound:
    id: str
    keys: tuple[str, ...]
    key: Key

    def shared_with(self, other: Rebound) -> str:
        """The keys both answer, as a sentence's subject: `'s' is`."""
        shared = [name for name in other.keys if name in self.keys]
        return f"'{shared[0]}' is" if len(shared) == 1 else f"{', '.join(map(repr, shared))} are"


def binding_ids() -> dict[str, Key]:
    """Every id a keymap may name: one per bound row, and one per digit of a `{n}` row."""
    ids: dict[str, Key] = {}
    for key in KEYS:
        if not key.bound:
            continue
        if "{n}" in key.action:
            ids.update({f"{key.id}.{digit}": key for digit in key.keys.split(",")})
        else:
            ids[key.id] = key
    return ids


def is_key(name: str) -> bool:
    """Whether Textual has a key of this name: `j`, `G`, `ctrl+s`, `f5`, `question_mark`."""
    *modifiers, base = name.split("+") if name != "+" else ["+"]
    if any(modifier not in _MODIFIERS for modifier in modifiers) or not base:
        return False
    if len(base) == 1:
        return base.isprintable() and not base.isspace()
    # Textual names printable keys by their Unicode names, some replaced (`slash` for solidus).
    return base in _NAMED or base in REPLACED_KEYS or key_to_character(base) is not None


def keymap(settings: Settings) -> tuple[dict[str, str], list[Problem]]:
    """Textual's keymap (binding id -> "key,key") for the settings, and what was wrong in them."""
    ids = binding_ids()
    problems: list[Problem] = []
    wanted: list[tuple[Rebound, int | None]] = []
    for binding_id, (keys, line) in settings.keys.items():
        key = ids.get(binding_id)
        if key is None:
            problems.append(
                _problem(settings, line, binding_id, "names no action (`paperbrowse config example` lists them)")
            )
            continue
        bad = [name for name in keys if not is_key(name)]
        if bad:
            problems.append(_problem(settings, line, binding_id, f"{', '.join(map(repr, bad))} is not a key name"))
            continue
        if keys == _default_of(binding_id, key):
            continue  # its own keys again: nothing changes, and default overlaps are meant
        wanted.append((Rebound(binding_id, keys, key), line))
    taken = _default_keys(ids, {rebound.id for rebound, _ in wanted})
    accepted: dict[str, str] = {}
    for rebound, line in wanted:
        clash = next(
            (other for name in rebound.keys for other in taken.get(name, []) if _together(other, rebound)), None
        )
        if clash is not None:
            problems.append(_problem(settings, line, rebound.id, f"{clash.shared_with(rebound)} already {clash.id}"))
            continue
        accepted[rebound.id] = ",".join(rebound.keys)
        for name in rebound.keys:
            taken.setdefault(name, []).append(rebound)
    return accepted, problems


def _default_of(binding_id: str, key: Key) -> tuple[str, ...]:
    return (binding_id.rsplit(".", 1)[1],) if "{n}" in key.action else tuple(key.keys.split(","))


def _default_keys(ids: dict[str, Key], rebound: set[str]) -> dict[str, list[Rebound]]:
    """Key name -> the bindings that keep their default keys and answer it."""
    taken: dict[str, list[Rebound]] = {}
    for binding_id, key in ids.items():
        if binding_id in rebound:
            continue
        names = _default_of(binding_id, key)
        for name in names:
            taken.setdefault(name, []).append(Rebound(binding_id, names, key))
    return taken


def _together(one: Rebound, other: Rebound) -> bool:
    """Whether two bindings can both answer one key press: the same scope, or the screen's
    beside one of its widgets'."""
    a, b = one.key.scope, other.key.scope
    return a == b or ({a, b} <= _WITH_SCREEN and "screen" in (a, b))


def _problem(settings: Settings, line: int | None, binding_id: str, message: str) -> Problem:
    return Problem(settings.file, line, f"keys.{binding_id}: {message}; its default keys stay")
