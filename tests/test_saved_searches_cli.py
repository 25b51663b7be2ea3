"""`paperbrowse search --save/--saved` and `paperbrowse saved`, in-process on a small collection."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import run
from paperbrowse.cli.completion import Values, candidates
from paperbrowse.cli.main import build_parser
from paperbrowse.core.library.user_library import Library


def ids_of(capsys, collection: Path, *argv: str) -> list[str]:
    code, out, err = run(capsys, "--data", str(collection), "search", *argv, "--json")
    assert code == 0, err
    return [paper["id"] for paper in json.loads(out)]


def test_save_run_list_rename_and_delete(capsys, collection: Path) -> None:
    found = ids_of(capsys, collection, "cat:llm", "--save", "language models")
    assert found
    assert ids_of(capsys, collection, "--saved", "language models") == found
    # Words after --saved narrow it, as a query typed over a tree node does.
    narrowed = ids_of(capsys, collection, "--saved", "language models", "llama")
    assert narrowed and set(narrowed) <= set(found) and narrowed != found
    code, out, _ = run(capsys, "saved")
    assert (code, out) == (0, "language models\tcat:llm\n")
    assert run(capsys, "saved", "--rename", "language models", "LLMs")[0] == 0
    code, out, _ = run(capsys, "saved", "--json")
    assert json.loads(out) == {"LLMs": "cat:llm"}
    assert run(capsys, "saved", "--delete", "LLMs")[0] == 0
    code, out, err = run(capsys, "saved")
    assert (code, out) == (0, "")
    assert "no saved searches" in err
    library = Library.load(Path(os.environ["PAPERBROWSE_LIBRARY"]))
    assert library.saved_searches() == {}


def test_a_taken_name_is_not_replaced_without_replace(capsys, collection: Path) -> None:
    ids_of(capsys, collection, "cat:llm", "--save", "mine")
    code, out, err = run(capsys, "--data", str(collection), "search", "llama", "--save", "mine")
    assert code == 1
    assert out == ""  # stopped before printing anything
    assert "a saved search named 'mine' exists (query: cat:llm); add --replace to replace it" in err
    ids_of(capsys, collection, "llama", "--save", "mine", "--replace")
    assert run(capsys, "saved")[1] == "mine\tllama\n"


def test_errors_name_what_is_wrong(capsys, collection: Path) -> None:
    data = ("--data", str(collection))
    code, _, err = run(capsys, *data, "search", "--saved", "nope")
    assert code == 1 and "no saved search named 'nope' (there are none yet)" in err
    code, _, err = run(capsys, *data, "search")
    assert code == 2 and "give a query, or --saved NAME" in err
    code, _, err = run(capsys, *data, "search", "x", "--save", "bad\x1bname")
    assert code == 2 and "control or invisible characters: 'bad\\ename'" in err
    code, _, err = run(capsys, *data, "search", "x", "--save", "")
    assert code == 2 and "needs a name" in err
    code, _, err = run(capsys, *data, "search", "x", "--replace")
    assert code == 2 and "--replace goes with --save NAME" in err
    run(capsys, *data, "search", "x", "--save", "a")
    code, _, err = run(capsys, "saved", "--delete", "b")
    assert code == 1 and "no saved search named 'b' (saved: a)" in err


def test_names_and_queries_are_printed_inertly(capsys, collection: Path) -> None:
    library = Library.load(Path(os.environ["PAPERBROWSE_LIBRARY"]))
    # A hand-edited file may hold what the commands refuse: it is shown, never obeyed.
    library.save_search("ok", "x")
    library.save()
    path = Path(os.environ["PAPERBROWSE_LIBRARY"])
    path.write_text(
        path.read_text(encoding="utf-8").replace('query = "x"', 'query = "x \\u001b]0;pwned\\u0007"'),
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "saved")
    assert code == 0
    assert "\x1b" not in out and "\\e]0;pwned\\a" in out


def test_completion_offers_the_saved_names() -> None:
    values = Values(ids=list, categories=list, tags=list, paper_tags=lambda _: [], saved=lambda: ["RL", "rag"])
    parser = build_parser()
    assert candidates(parser, ["search", "--saved", "r"], values) == ["RL", "rag"]
    assert candidates(parser, ["saved", "--delete", "R"], values) == ["RL", "rag"]
    assert candidates(parser, ["saved", "--"], values) == [
        "--data",
        "--delete",
        "--help",
        "--json",
        "--library",
        "--rename",
        "--replace",
    ]


def test_export_saved_exports_what_search_saved_finds(capsys, collection: Path) -> None:
    data = ("--data", str(collection))
    found = ids_of(capsys, collection, "cat:llm", "--save", "LLMs")
    code, out, err = run(capsys, *data, "export", "--saved", "LLMs", "--format", "json")
    assert code == 0, err
    assert [paper["id"] for paper in json.loads(out)] == found  # in rank order, as search gives them
    narrowed = ids_of(capsys, collection, "--saved", "LLMs", "llama")
    code, out, err = run(capsys, *data, "export", "--saved", "LLMs", "llama", "-f", "json")
    assert code == 0, err
    assert [paper["id"] for paper in json.loads(out)] == narrowed != found
    code, out, err = run(capsys, *data, "export", "--saved", "nope")
    assert (code, out) == (1, "") and "no saved search named 'nope' (saved: LLMs)" in err
    code, out, err = run(capsys, *data, "export", "--saved", "LLMs", "--starred")
    assert (code, out) == (2, "") and "not two of them" in err
    values = Values(ids=list, categories=list, tags=list, paper_tags=lambda _: [], saved=lambda: ["LLMs"])
    assert candidates(build_parser(), ["export", "--saved", "L"], values) == ["LLMs"]
