"""The opener: which program, no shell, never a `-` argument, and the honest no-opener path."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from paperbrowse.core.files import opener
from paperbrowse.core.files.opener import Started, clipboard_support, open_target, safe_argument


def which_of(*present: str):
    return lambda name: f"/usr/bin/{name}" if name in present else None


class Recorder:
    def __init__(self, ok: bool = True, error: str = "") -> None:
        self.calls: list[list[str]] = []
        self.result = Started(ok, error)

    def __call__(self, argv: list[str]) -> Started:
        self.calls.append(argv)
        return self.result


LINUX = {"DISPLAY": ":0"}


@pytest.mark.parametrize(
    ("platform", "env", "present", "program"),
    [
        ("linux", {"DISPLAY": ":0"}, ("xdg-open",), "/usr/bin/xdg-open"),
        ("linux", {"WAYLAND_DISPLAY": "wayland-0"}, ("xdg-open",), "/usr/bin/xdg-open"),
        ("darwin", {}, ("open",), "/usr/bin/open"),
        ("freebsd14", {"DISPLAY": ":0"}, ("xdg-open",), "/usr/bin/xdg-open"),
    ],
)
def test_the_system_opener_is_chosen_per_platform(platform, env, present, program) -> None:
    run = Recorder()
    opened = open_target(
        "https://arxiv.org/abs/2211.17192", platform=platform, env=env, which=which_of(*present), run=run
    )
    assert opened.ok
    assert run.calls == [[program, "https://arxiv.org/abs/2211.17192"]]


@pytest.mark.parametrize(
    ("platform", "env", "present", "reason"),
    [
        ("linux", {}, ("xdg-open",), "there is no display here"),
        ("linux", LINUX, (), "xdg-open is not installed"),
        ("darwin", {}, (), "the `open` command is missing"),
    ],
)
def test_without_an_opener_nothing_runs_and_the_reason_is_given(platform, env, present, reason) -> None:
    run = Recorder()
    opened = open_target("/tmp/x.pdf", platform=platform, env=env, which=which_of(*present), run=run)
    assert not opened.ok
    assert reason in opened.reason
    assert run.calls == []
    message = opener.not_opened_message(opened, "unknown")
    assert message.endswith(": /tmp/x.pdf")  # the target in full
    assert "if it supports OSC 52" in message


def test_a_failing_opener_is_not_reported_as_success() -> None:
    opened = open_target(
        "/tmp/x.pdf",
        platform="linux",
        env=LINUX,
        which=which_of("xdg-open"),
        run=Recorder(False, "xdg-open failed (exit status 3)"),
    )
    assert not opened.ok
    assert opened.reason == "xdg-open failed (exit status 3)"


def test_a_viewer_command_gets_its_words_then_the_target(tmp_path: Path) -> None:
    run = Recorder()
    opened = open_target("-rf.pdf", ["zathura", "--fork"], which=which_of("zathura"), run=run)
    assert opened.ok
    assert run.calls == [["/usr/bin/zathura", "--fork", "./-rf.pdf"]]
    missing = open_target("x.pdf", ["sioyek"], which=which_of(), run=run)
    assert not missing.ok and "'sioyek' is not installed" in missing.reason


@pytest.mark.parametrize(
    ("target", "argument"),
    [
        ("-oProxyCommand=x.pdf", "./-oProxyCommand=x.pdf"),
        ("--help", "./--help"),
        ("pdfs/a.pdf", "./pdfs/a.pdf"),
        ("/abs/a.pdf", "/abs/a.pdf"),
        ("https://arxiv.org/pdf/1", "https://arxiv.org/pdf/1"),
        (Path("-x.pdf"), "./-x.pdf"),
        (Path("https:/x"), "./https:/x"),  # a path is a path, whatever it looks like
    ],
)
def test_no_argument_starts_with_a_dash(target, argument) -> None:
    assert safe_argument(target) == argument  # POSIX separators: the suite runs on Linux and macOS


@pytest.mark.parametrize(
    "target", ["javascript:alert(1)", "file:///etc/passwd", "ftp://x/y", "https://", "", "a\x00b", "x\ny"]
)
def test_other_schemes_and_odd_targets_are_refused(target) -> None:
    run = Recorder()
    opened = open_target(target, platform="linux", env=LINUX, which=which_of("xdg-open"), run=run)
    assert not opened.ok
    assert run.calls == []


def test_the_real_runner_uses_no_shell_and_reports_a_failure(monkeypatch, tmp_path: Path) -> None:
    seen: list[tuple[list[str], dict]] = []
    real = subprocess.Popen

    def spy(argv, **kwargs):
        seen.append((argv, kwargs))
        return real(argv, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", spy)
    failing = tmp_path / "opener"
    failing.write_text("#!/bin/sh\nexit 4\n", encoding="utf-8")
    failing.chmod(0o755)
    opened = open_target("./doc.pdf", platform="linux", env=LINUX, which=lambda name: str(failing))
    assert not opened.ok and "exit status 4" in opened.reason
    argv, kwargs = seen[0]
    assert argv == [str(failing), "./doc.pdf"]
    assert kwargs["shell"] is False
    working = tmp_path / "viewer"
    working.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    working.chmod(0o755)
    assert open_target("./doc.pdf", platform="linux", env=LINUX, which=lambda name: str(working)).ok
    assert not open_target("./doc.pdf", platform="linux", env=LINUX, which=lambda name: str(tmp_path / "gone")).ok


@pytest.mark.parametrize(
    ("env", "support"),
    [
        ({"TERM": "xterm-kitty"}, "yes"),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"}, "yes"),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"}, "yes"),
        ({"TERM": "xterm-256color"}, "unknown"),
        ({"TERM": "screen-256color", "STY": "1.pts"}, "unknown"),
        ({"TERM": "dumb"}, "no"),
        ({}, "no"),
    ],
)
def test_copied_is_said_only_for_terminals_known_to_take_osc_52(env, support) -> None:
    assert clipboard_support(env) == support
    message = opener.clipboard_message("BibTeX of llama", "@article{x}", support)
    assert ("copied" in message) == (support == "yes")
    if support != "yes":
        assert message.endswith("@article{x}")


def test_inside_tmux_it_depends_on_set_clipboard(monkeypatch, tmp_path: Path) -> None:
    tmux = tmp_path / "tmux"
    tmux.write_text('#!/bin/sh\necho "$ANSWER"\n', encoding="utf-8")
    tmux.chmod(0o755)
    monkeypatch.setattr(opener.shutil, "which", lambda name: str(tmux) if name == "tmux" else None)
    env = {"TERM": "tmux-256color", "TMUX": "/tmp/tmux-1/default,1,0", "TERM_PROGRAM": "tmux"}
    monkeypatch.setenv("ANSWER", "on")
    assert clipboard_support(env) == "yes"
    monkeypatch.setenv("ANSWER", "off")
    assert clipboard_support(env) == "unknown"


def test_osc_52_carries_the_text_in_base64() -> None:
    assert opener.osc52("hé") == "\x1b]52;c;aMOp\a"
