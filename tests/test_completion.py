"""Shell completion and the manual page, both made from the CLI's own parser, and the real
shells (bash always; zsh and fish where installed) running the scripts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from paperbrowse.cli import completion
from paperbrowse.cli.completion import FILES, Values, candidates, kind_of, options, positionals, subcommands
from paperbrowse.cli.completion_command import install_path
from paperbrowse.cli.main import build_parser, main
from paperbrowse.cli.manual import manual_page
from paperbrowse.cli.shell_scripts import SCRIPTS
from paperbrowse.core.export import FORMATS

PARSER = build_parser()
VALUES = Values(
    ids=lambda: ["llama", "llama2", "LLaVA-x", "gptq"],
    categories=lambda: ["agents", "alignment", "foundation"],
    tags=lambda: ["llm", "agents", "long context"],
    paper_tags=lambda paper_id: ["mine", "later"] if paper_id == "llama" else [],
)


def complete(*words: str) -> list[str]:
    return candidates(PARSER, list(words), VALUES)


def test_every_argument_of_every_command_has_a_known_kind() -> None:
    """A new command or option completes the day it lands, or this names what it lacks."""
    unknown = [
        f"{name} {action.dest}"
        for name, command in {"": PARSER, **subcommands(PARSER)}.items()
        for action in [*positionals(command), *options(command)]
        if completion.takes_value(action) and kind_of(name, action) == "unknown"
    ]
    assert unknown == []


def test_commands_options_and_choices() -> None:
    assert complete("") == sorted(name for name in subcommands(PARSER) if name != completion.HIDDEN)
    assert complete("st") == ["star", "status"]
    assert complete("--li") == ["--library"]
    assert complete("export", "--f") == ["--force", "--format"]
    assert complete("export", "--format", "") == list(FORMATS)  # the export's own list
    assert complete("export", "--format", "c") == ["csl-json", "csv"]
    assert complete("status", "llama", "re") == ["reading", "read"]
    assert complete("completion", "") == ["bash", "zsh", "fish", "man"]


def test_paper_ids_categories_and_files() -> None:
    assert complete("show", "ll") == ["LLaVA-x", "llama", "llama2"]  # case does not matter
    assert complete("star", "gptq", "llama", "ll") == ["LLaVA-x", "llama", "llama2"]  # many ids
    assert complete("list", "--category", "a") == ["agents", "alignment"]
    assert complete("import", "") == [FILES]
    assert complete("export", "-o", "") == [FILES]
    assert complete("--data", "") == [FILES]
    assert complete("add", "") == []  # arXiv ids not in the collection yet: nothing to offer
    assert complete("search", "") == []


def test_global_options_before_the_command_are_skipped() -> None:
    assert complete("--data", "x.toml", "--library", "lib.toml", "show", "gp") == ["gptq"]


def test_tag_changes_offer_every_tag_to_add_and_the_papers_own_to_remove() -> None:
    assert complete("tag", "") == ["LLaVA-x", "gptq", "llama", "llama2"]
    assert complete("tag", "llama", "+l") == ["+llm", "+long context"]
    assert complete("tag", "llama", "-") == ["-later", "-mine"]
    assert complete("tag", "llama", "+llm", "-m") == ["-mine"]


def test_manual_page_lists_every_command_and_option() -> None:
    page = manual_page(PARSER)
    for name, command in subcommands(PARSER).items():
        if name == completion.HIDDEN:
            continue
        assert f".SS {name}" in page
        for action in options(command):
            for flag in action.option_strings:
                assert flag.replace("-", r"\-") in page, (name, flag)


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
def test_manual_page_renders_without_warnings(tmp_path: Path) -> None:
    page = tmp_path / "paperbrowse.1"
    page.write_text(manual_page(PARSER), encoding="utf-8")
    result = subprocess.run(["groff", "-man", "-Tutf8", "-ww", str(page)], capture_output=True, text=True, check=True)
    assert result.stderr == ""
    assert "paperbrowse - a keyboard-driven terminal browser" in result.stdout.replace("\u2010", "-")


def test_completion_prints_and_installs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    assert main(["completion", "bash"]) == 0
    assert capsys.readouterr().out == SCRIPTS["bash"]
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    for target in ("bash", "zsh", "fish", "man"):
        assert main(["completion", target, "--install"]) == 0
        written = install_path(target)
        assert str(written) in capsys.readouterr().out
        assert written.is_relative_to(tmp_path) and written.read_text(encoding="utf-8")
    assert install_path("fish") == tmp_path / ".config/fish/completions/paperbrowse.fish"


# --- the real shells ------------------------------------------------------------------------------


@pytest.fixture
def shell_env(tmp_path: Path, collection: Path) -> dict[str, str]:
    """`paperbrowse` on PATH (this interpreter's), a collection and a library with a tag of its own."""
    library = tmp_path / "library.toml"
    library.write_text('version = 1\n[papers.one]\ntags = ["to-read", "evil\\u001b[2J"]\n', encoding="utf-8")
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PAPERBROWSE_DATA": str(collection),
        "PAPERBROWSE_LIBRARY": str(library),
        "PAPERBROWSE_CACHE": str(tmp_path / "cache"),
        "HOME": str(tmp_path),
    }


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "papers.toml").write_text(
        "".join(
            f'[[paper]]\nid = "{paper_id}"\ntitle = "T {paper_id}"\nauthors = ["A"]\ndate = 2023-01-01\n'
            f'category = "c"\ntags = ["{tag}"]\n'
            for paper_id, tag in (("one", "alpha"), ("onward", "beta"), ("two", "alpha"))
        )
        + '[[category]]\nid = "c"\nname = "C"\n',
        encoding="utf-8",
    )
    return data


def run_shell(argv: list[str], env: dict[str, str]) -> list[str]:
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return sorted(line for line in result.stdout.splitlines() if line)


def test_bash_runs_the_script(tmp_path: Path, shell_env: dict[str, str]) -> None:
    script = tmp_path / "paperbrowse.bash"
    script.write_text(SCRIPTS["bash"], encoding="utf-8")

    def tab(*words: str) -> list[str]:
        line = " ".join(f"'{word}'" for word in ("paperbrowse", *words))
        program = f'source {script}; COMP_WORDS=({line}); COMP_CWORD={len(words)}; _paperbrowse; printf "%s\\n" "${{COMPREPLY[@]}}"'
        return run_shell(["bash", "--norc", "-c", program], shell_env)

    assert tab("sh") == ["show"]
    assert tab("show", "on") == ["one", "onward"]
    assert tab("tag", "one", "-") == ["-to-read"]  # the tag with an escape sequence is not offered
    assert tab("tag", "two", "+a") == ["+alpha"]
    (tmp_path / "refs.bib").write_text("", encoding="utf-8")
    assert str(tmp_path / "refs.bib") in tab("import", str(tmp_path / "re"))


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_runs_the_script(tmp_path: Path, shell_env: dict[str, str]) -> None:
    script = tmp_path / "paperbrowse.fish"
    script.write_text(SCRIPTS["fish"], encoding="utf-8")

    def tab(line: str) -> list[str]:
        found = run_shell(["fish", "--no-config", "-c", f"source {script}; complete -C '{line}'"], shell_env)
        return [candidate.split("\t")[0] for candidate in found]

    assert tab("paperbrowse sh") == ["show"]
    assert tab("paperbrowse show on") == ["one", "onward"]
    assert tab("paperbrowse status one ") == ["read", "reading", "unread"]
    assert tab("paperbrowse tag one -") == ["-to-read"]


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_runs_the_script(tmp_path: Path, shell_env: dict[str, str]) -> None:
    script = tmp_path / "_paperbrowse"
    script.write_text(SCRIPTS["zsh"], encoding="utf-8")
    assert subprocess.run(["zsh", "-n", str(script)], check=False).returncode == 0

    def tab(*words: str) -> list[str]:
        # compadd and _files are zsh's completion builtins: stand-ins print what they are given.
        line = " ".join(f"'{word}'" for word in ("paperbrowse", *words))
        program = (
            "compadd() { [[ $1 == -- ]] && shift; print -l -- $@; }; _files() { print -l @files; }; "
            f"source {script}; words=({line}); CURRENT={len(words) + 1}; _paperbrowse"
        )
        return run_shell(["zsh", "-f", "-c", program], shell_env)

    assert tab("sh") == ["show"]
    assert tab("show", "on") == ["one", "onward"]
    assert tab("import", "") == ["@files"]
