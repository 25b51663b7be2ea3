"""A setting both config.toml and the browser can change (the theme, the summaries' language).

The later change wins: a choice made in the browser (the palette's theme, `L`) is remembered with
the file's value at that moment, and is used until the file's value changes; then the file wins
again, until the next choice.
"""

from __future__ import annotations

from collections.abc import Mapping


def state_keys(name: str) -> tuple[str, str]:
    """The library state's keys for a remembered choice and the file's value when it was made."""
    return f"{name}", f"{name}_config"


def current(name: str, configured: str, state: Mapping[str, str]) -> str:
    """What the setting `name` is now: the remembered choice, unless config.toml changed since."""
    chosen_key, configured_key = state_keys(name)
    chosen = state.get(chosen_key, "")
    if chosen and state.get(configured_key, "") == configured:
        return chosen
    return configured


def remember(name: str, chosen: str, configured: str) -> dict[str, str]:
    """The state to save for a choice made in the browser."""
    chosen_key, configured_key = state_keys(name)
    return {chosen_key: chosen, configured_key: configured}
