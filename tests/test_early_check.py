"""The `paperbrowse` command starts the child that checks the data files before it imports the
commands: on the sources the arguments name, handed to the load, and stopped when unused."""

from __future__ import annotations

import contextlib
import json
import sys

import pytest

from paperbrowse.cli import entry
from paperbrowse.cli.context import Context
from paperbrowse.cli.main import build_parser
from paperbrowse.core.store import cache, forked_stamp
from test_cache import paper
from test_forked_stamp import age, gone


@pytest.mark.parametrize(
    "argv",
    [
        ["search", "x"],
        ["--data", "A", "search", "x"],
        ["--data=A", "list", "--data", "B"],
        ["--library", "L/lib.toml", "show", "p1"],
        ["--data", "A", "search", "--library=L/lib.toml", "--limit", "3", "y"],
        ["star", "p1", "--data", "A", "--data", "C"],
    ],
)
def test_the_sources_named_are_the_ones_the_command_loads(argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "L" / "papers").mkdir(parents=True)  # the library's own papers are a source too
    args = build_parser().parse_args(argv)
    data = [*(args.data or []), *getattr(args, "sub_data", [])] or None
    context = Context(data=data, library=getattr(args, "sub_library", None) or args.library)
    assert entry.sources_named(argv) == context.sources


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["search", "-h"],
        ["--version"],
        ["config", "path"],
        ["completion", "bash"],
        ["__complete", "se"],
        ["--data"],
    ],
)
def test_no_child_for_a_command_that_loads_no_papers(argv):
    assert entry.sources_named(argv) is None


@pytest.fixture(autouse=True)
def two_processors(monkeypatch):
    """The child's way is tested on a machine of one processor too."""
    monkeypatch.setattr(forked_stamp, "processors", lambda: 2)


@pytest.fixture
def many(tmp_path, monkeypatch):
    """A collection worth a child (the threshold lowered), its snapshot taken."""
    monkeypatch.setattr(forked_stamp, "FORK_FROM", 1)
    monkeypatch.setenv("PAPERBROWSE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PAPERBROWSE_LIBRARY", str(tmp_path / "library.toml"))
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "categories.toml").write_text('[[category]]\nid = "ml"\nname = "ML"\n')
    for number in range(5):
        (folder / f"p{number}.toml").write_text(paper(f"p{number}", f"Attention {number}"))
    age(folder)
    Context(data=[str(folder)], library=None).load(None, lambda read, total: None)
    return folder


def test_the_command_hands_its_early_child_to_the_load(many, monkeypatch, capsys):
    started = []
    check_files = cache.check_files
    monkeypatch.setattr(entry, "check_files", lambda sources: started.append(check_files(sources)) or started[-1])
    monkeypatch.setattr(cache, "check_files", lambda *a, **k: pytest.fail("a second child"))
    monkeypatch.setattr(sys, "argv", ["paperbrowse", "--data", str(many), "search", "--json", "attention"])
    assert entry.main() == 0
    assert len(started) == 1 and started[0] is not None and gone(started[0]._pending._pid)
    assert sorted(hit["id"] for hit in json.loads(capsys.readouterr().out)) == [f"p{n}" for n in range(5)]


@pytest.mark.parametrize("argv", [["library", "path"], ["search", "--limit", "many", "x"]])
def test_an_early_child_the_command_did_not_take_is_stopped(many, monkeypatch, argv):
    """A command that loads no papers (without a word that tells so), or arguments refused."""
    started = []
    check_files = cache.check_files
    monkeypatch.setattr(entry, "check_files", lambda sources: started.append(check_files(sources)) or started[-1])
    monkeypatch.setattr(sys, "argv", ["paperbrowse", "--data", str(many), *argv])
    with contextlib.suppress(SystemExit):  # the refused arguments
        entry.main()
    assert len(started) == 1 and started[0] is not None and gone(started[0]._pending._pid)
    assert started[0]._pending._reaped
