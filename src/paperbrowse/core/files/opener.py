"""Opening a file or a link with the system's opener, or the viewer the user names, honestly.

The opener runs without a shell, with the target as one argument that never starts with `-`
(a relative path gets `./`, a link is an http(s) URL): a file named `--help` or a record's
`-oProxyCommand=…` can never become an option. When nothing can open it (no display, no
opener, the opener fails at once) the result says so, and the caller shows the target in full
and sends it to the clipboard: never a "done" for what did not happen.

Clipboard: OSC 52 asks the terminal to copy; whether it does cannot be known from here, only
guessed from the terminal's name (`clipboard_support`). "copied" is said only when the guess
is sure.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

# A URL's scheme; one letter is a Windows drive (`C:\\x.pdf`), not a scheme.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")
# How long an opener may take to fail before it counts as started (xdg-open exits at once
# when it has no handler; a viewer command runs for as long as the document is open).
STARTUP_WAIT = 1.5

Runner = Callable[[list[str]], "Started"]


@dataclass(frozen=True, slots=True)
class Started:
    """What running an opener did: `ok` False with `error` when it could not start or failed."""

    ok: bool
    error: str = ""


@dataclass(frozen=True, slots=True)
class Opened:
    """The outcome of `open_target`: `ok`, or why not (`reason`), and the target in full."""

    ok: bool
    target: str
    reason: str = ""
    argv: tuple[str, ...] = ()


class UnsafeTarget(ValueError):
    """Neither an existing-file path nor an http(s) link: it is never handed to an opener."""


def safe_argument(target: str | os.PathLike[str]) -> str:
    """The target as one argument no program reads as an option: an http(s) URL as it is, a
    path absolute or with `./` before it; anything else (another scheme) refused: UnsafeTarget."""
    text = os.fspath(target)
    if not text or any(c in text for c in "\x00\n\r"):
        raise UnsafeTarget("an empty target, or one with a NUL or a line break, is never opened")
    if isinstance(target, str):
        scheme = _SCHEME.match(text)
        if scheme and scheme.group(1).lower() in ("http", "https"):
            if not urlsplit(text).netloc:
                raise UnsafeTarget(f"a link without a host: {text[:200]!r}")
            return text
        if scheme:
            raise UnsafeTarget(f"only files and http(s) links are opened, not {text[:200]!r}")
    if os.path.isabs(text) or text.startswith(os.curdir + os.sep):
        return text
    return os.path.join(os.curdir, text)


def system_opener(
    platform: str | None = None, env: Mapping[str, str] | None = None, which: Callable[[str], str | None] | None = None
) -> tuple[list[str] | None, str]:
    """The command that opens a file or a link here (None on Windows: os.startfile), or
    (None, why not). `which` defaults to `shutil.which` as it is when called."""
    which = shutil.which if which is None else which
    platform = sys.platform if platform is None else platform
    env = os.environ if env is None else env
    if platform == "win32":
        return None, ""
    if platform == "darwin":
        found = which("open")
        return ([found], "") if found else (None, "the `open` command is missing")
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return None, "there is no display here (neither DISPLAY nor WAYLAND_DISPLAY is set)"
    found = which("xdg-open")
    return ([found], "") if found else (None, "xdg-open is not installed")


def run_detached(argv: list[str]) -> Started:
    """Start `argv` without a shell, its output discarded; a failure within STARTUP_WAIT counts."""
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not killed with the terminal's process group, nor by ctrl+c
            shell=False,
        )
    except OSError as err:
        return Started(False, f"cannot run {argv[0]}: {err.strerror or err}")
    try:
        code = process.wait(STARTUP_WAIT)
    except subprocess.TimeoutExpired:
        return Started(True)  # still running: a viewer showing the document
    if code != 0:
        return Started(False, f"{Path(argv[0]).name} failed (exit status {code})")
    return Started(True)


def open_target(
    target: str | os.PathLike[str],
    command: Sequence[str] | None = None,
    *,
    platform: str | None = None,
    env: Mapping[str, str] | None = None,
    which: Callable[[str], str | None] | None = None,
    run: Runner | None = None,
) -> Opened:
    """Open a file or an http(s) link with `command` (words, the target added last; a config's
    viewer such as ["zathura"]) or the system's opener. Never raises for a failure: `Opened.ok`."""
    which = shutil.which if which is None else which
    shown = os.fspath(target)
    try:
        argument = safe_argument(target)
    except UnsafeTarget as err:
        return Opened(False, shown, str(err))
    if command:
        program = which(command[0])
        if program is None:
            return Opened(False, shown, f"the viewer {command[0]!r} is not installed")
        argv = [program, *command[1:], argument]
    else:
        opener, why = system_opener(platform, env, which)
        if opener is None and (sys.platform if platform is None else platform) == "win32":
            return _startfile(argument, shown)
        if opener is None:
            return Opened(False, shown, why)
        argv = [*opener, argument]
    started = (run or run_detached)(argv)
    return Opened(started.ok, shown, started.error, tuple(argv))


def _startfile(argument: str, shown: str) -> Opened:
    startfile = getattr(os, "startfile", None)
    if startfile is None:
        return Opened(False, shown, "os.startfile is missing")
    try:
        startfile(argument)
    except OSError as err:
        return Opened(False, shown, f"Windows cannot open it: {err.strerror or err}")
    return Opened(True, shown, argv=("startfile", argument))


# The clipboard, by OSC 52.
Support = Literal["yes", "no", "unknown"]
# Terminals known to take OSC 52 writes (by TERM_PROGRAM, or TERM's first word).
_KNOWN_PROGRAMS = ("iterm.app", "wezterm", "ghostty", "kitty", "alacritty", "vscode", "tabby", "rio", "contour")
_KNOWN_TERMS = ("xterm-kitty", "xterm-ghostty", "alacritty", "foot", "wezterm", "contour")


def clipboard_support(env: Mapping[str, str] | None = None) -> Support:
    """Whether the terminal takes OSC 52 copies: "yes" for terminals known to, "no" where it is
    known not to arrive (no terminal: TERM=dumb), else "unknown". Inside tmux, only when tmux's
    `set-clipboard` is on (asked of tmux itself); inside GNU screen, never sure."""
    env = os.environ if env is None else env
    term = env.get("TERM", "").lower()
    if term in ("", "dumb"):
        return "no"
    if env.get("TMUX"):
        return "yes" if _tmux_clipboard() else "unknown"
    if term.startswith("screen") or env.get("STY"):
        return "unknown"
    program = env.get("TERM_PROGRAM", "").lower()
    if program in _KNOWN_PROGRAMS or env.get("KITTY_WINDOW_ID") or env.get("WEZTERM_PANE"):
        return "yes"
    if term in _KNOWN_TERMS or term.startswith(_KNOWN_TERMS):
        return "yes"
    return "unknown"


def _tmux_clipboard() -> bool:
    tmux = shutil.which("tmux")
    if tmux is None:
        return False
    try:
        answer = subprocess.run(
            [tmux, "show-options", "-sv", "set-clipboard"], capture_output=True, text=True, timeout=2, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return answer.returncode == 0 and answer.stdout.strip() in ("on", "external")


def clipboard_message(what: str, text: str, support: Support) -> str:
    """What to tell after sending `text` by OSC 52: "copied" only when the terminal surely took it."""
    if support == "yes":
        return f"{what} copied to the clipboard."
    if support == "no":
        return f"This terminal has no clipboard paperbrowse can reach; {what.lower()}: {text}"
    return f"{what} sent to the terminal's clipboard (if it supports OSC 52): {text}"


def osc52(text: str) -> str:
    """The escape sequence that asks the terminal to copy `text`."""
    return f"\x1b]52;c;{base64.b64encode(text.encode('utf-8')).decode('ascii')}\a"


def not_opened_message(opened: Opened, support: Support) -> str:
    """What to say when nothing opened the target: why, and where the target went instead,
    the target itself in full (a terminal makes it clickable)."""
    if support == "yes":
        sent = "its address is copied to the clipboard"
    elif support == "no":
        sent = "this terminal has no clipboard paperbrowse can reach"
    else:
        sent = "its address is sent to the terminal's clipboard (if it supports OSC 52)"
    return f"Could not open it: {opened.reason}; {sent}: {opened.target}"
