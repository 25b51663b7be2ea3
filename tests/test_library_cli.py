"""The library and export commands, driven in-process through main() on a small collection."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import sys
import tempfile
import textwrap
import time
import tomllib
from pathlib import Path

import bibtexparser
import pytest

from paperbrowse.cli.main import main
from paperbrowse.core.library.user_library import Library

CATEGORIES = """\
[[category]]
id = "llm"
name = "Language models"
order = 1

[[category]]
id = "vision"
name = "Vision"
order = 2
"""

PAPERS = """\
[[paper]]
id = "zebra"
title = "Zebra Attention for Long Contexts"
authors = ["Ada Lovelace", "Alan Turing"]
date = 2023-05-01
category = "llm"
orgs = ["Analytical Engines"]
venue = "NeurIPS 2023"
arxiv = "2305.00001"
tags = ["attention"]
summary = "Stripes of attention."

[[paper]]
id = "apple"
title = "Apple: Mixture of Experts at Scale"
authors = ["Grace Hopper"]
date = 2022-03-01
category = "llm"
venue = "Journal of Machine Learning Research"
arxiv = "2203.00002"
tags = ["moe"]
summary = "Many experts, one model."

[[paper]]
id = "mango"
title = "Mango: Contrastive Pictures"
authors = ["Katherine Johnson"]
date = "2021-02"
category = "vision"
url = "https://example.org/mango"
tags = ["vision"]
summary = "Pictures and words."

[[paper]]
id = "kiwi"
title = "Kiwi: Small Models Reading Fast"
authors = ["Dorothy Vaughan"]
date = 2023-09-01
category = "llm"
arxiv = "2309.00003"
summary = "Tiny and quick."
"""

IDS = ["zebra", "apple", "mango", "kiwi"]


@pytest.fixture(autouse=True)
def _terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("LINES", "40")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "papers").mkdir(parents=True)
    (root / "categories.toml").write_text(CATEGORIES, encoding="utf-8")
    (root / "papers" / "all.toml").write_text(PAPERS, encoding="utf-8")
    return root


@pytest.fixture
def lib() -> Path:
    """The library file the conftest's autouse fixture points PAPERBROWSE_LIBRARY at."""
    return Path(os.environ["PAPERBROWSE_LIBRARY"])


@pytest.fixture
def cli(capsys, data):
    """cli("star", "x") -> (exit code, stdout, stderr), with --data pointing at the collection."""

    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = main(["--data", str(data), *argv])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return run


def ok(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 0, err
    return out


def library(path: Path) -> Library:
    loaded = Library.load(path)
    assert loaded.error is None, loaded.error
    return loaded


def star_in_order(cli, *ids: str) -> None:
    for paper_id in ids:
        ok(cli("star", paper_id))
        time.sleep(0.002)


# --- star, unstar, status, tag --------------------------------------------------------------


def test_star_and_unstar(cli, lib):
    assert not lib.exists()
    ok(cli("star", "zebra", "apple"))
    assert library(lib).starred_ids() == ["zebra", "apple"]
    ok(cli("unstar", "zebra"))
    assert library(lib).starred_ids() == ["apple"]
    document = tomllib.loads(lib.read_text(encoding="utf-8"))
    assert document["version"] == 1
    assert document["papers"]["apple"]["starred"] is True


def test_star_keeps_the_order_of_the_command_line(cli, lib):
    ok(cli("star", "mango", "zebra", "kiwi", "apple"))
    assert library(lib).starred_ids() == ["mango", "zebra", "kiwi", "apple"]


def test_global_options_after_the_command(cli, tmp_path, data):
    other = tmp_path / "other.toml"
    ok(cli("star", "kiwi", "--library", str(other)))
    assert library(other).starred_ids() == ["kiwi"]


@pytest.mark.parametrize("status", ["reading", "read", "unread"])
def test_status(cli, lib, status):
    ok(cli("status", "kiwi", "reading"))
    ok(cli("status", "kiwi", status))
    assert library(lib).status("kiwi") == status


def test_status_must_be_known(cli, lib):
    code, _, err = cli("status", "kiwi", "done")
    assert code == 2 and "invalid choice" in err
    assert not lib.exists()


def test_tag_adds_and_removes(cli, lib):
    out = ok(cli("tag", "apple", "+to-read", "+Later"))
    assert out.strip() == "to-read, Later"
    out = ok(cli("tag", "apple", "-later", "+x"))  # removal ignores case
    assert out.strip() == "to-read, x"
    out = ok(cli("tag", "apple", "-to-read", "-x"))
    assert out.strip() == "(no tags of yours)"
    assert library(lib).user_tags("apple") == ()


def test_tag_with_a_leading_dash_is_a_removal_not_an_option(cli, lib):
    ok(cli("tag", "zebra", "+foo", "+bar", "+data", "+library"))
    out = ok(cli("tag", "zebra", "-foo", "-data"))
    assert out.strip() == "bar, library"
    out = ok(cli("tag", "zebra", "-library", "+-dashed"))  # "+-x" adds a tag that starts with "-"
    assert out.strip() == "bar, -dashed"
    out = ok(cli("tag", "zebra", "--dashed"))
    assert out.strip() == "bar"
    assert library(lib).user_tags("zebra") == ("bar",)


def test_removing_a_tag_that_starts_with_h(cli, lib):
    ok(cli("tag", "zebra", "+hardware", "+keep"))
    out = ok(cli("tag", "zebra", "-hardware"))
    assert out.strip() == "keep"


def test_tag_needs_a_change_and_a_sign(cli, lib):
    code, _, err = cli("tag", "zebra")
    assert code == 2 and "+TAG" in err
    code, _, err = cli("tag", "zebra", "plain")
    assert code == 2 and "plain" in err
    assert not lib.exists()


# --- note -----------------------------------------------------------------------------------


def test_note_text_append_print(cli, lib):
    ok(cli("note", "kiwi", "--text", "# Thoughts\n\nFast. 中文 😀"))
    ok(cli("note", "kiwi", "--append", "- second point"))
    assert library(lib).note("kiwi") == "# Thoughts\n\nFast. 中文 😀\n- second point"
    assert ok(cli("note", "kiwi", "--print")) == "# Thoughts\n\nFast. 中文 😀\n- second point\n"
    assert ok(cli("note", "apple", "--print")) == ""


def test_note_options_are_exclusive(cli, lib):
    code, _, err = cli("note", "kiwi", "--text", "a", "--append", "b")
    assert code == 2 and "not allowed" in err
    assert not lib.exists()


@pytest.fixture
def editor(tmp_path, monkeypatch):
    """Point $EDITOR at a small Python script; drafts go to a folder of the test's own."""
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(drafts))
    monkeypatch.delenv("VISUAL", raising=False)

    def use(body: str) -> Path:
        script = tmp_path / "editor.py"
        script.write_text("import sys\npath = sys.argv[1]\n" + textwrap.dedent(body), encoding="utf-8")
        monkeypatch.setenv("EDITOR", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}")
        return drafts

    return use


def test_note_opens_the_editor_on_the_current_note(cli, lib, editor, tmp_path):
    seen = tmp_path / "seen.txt"
    drafts = editor(
        f"""
        text = open(path, encoding="utf-8").read()
        open({str(seen)!r}, "w", encoding="utf-8").write(text)
        open(path, "w", encoding="utf-8").write(text + "edited ✍\\n")
        """
    )
    ok(cli("note", "mango", "--text", "before\n"))
    ok(cli("note", "mango"))
    assert seen.read_text(encoding="utf-8") == "before\n"
    assert library(lib).note("mango") == "before\nedited ✍\n"
    assert list(drafts.iterdir()) == []  # the draft is removed after a good edit


def test_visual_wins_over_editor(cli, lib, editor, tmp_path, monkeypatch):
    editor("open(path, 'w').write('from EDITOR')\n")
    other = tmp_path / "visual.py"
    other.write_text("import sys\nopen(sys.argv[1], 'w').write('from VISUAL')\n", encoding="utf-8")
    monkeypatch.setenv("VISUAL", f"{shlex.quote(sys.executable)} {shlex.quote(str(other))}")
    ok(cli("note", "mango"))
    assert library(lib).note("mango") == "from VISUAL"


def test_an_editor_that_fails_keeps_the_draft_and_writes_nothing(cli, lib, editor):
    ok(cli("note", "mango", "--text", "keep me"))
    before = lib.read_bytes()
    drafts = editor(
        """
        open(path, "w", encoding="utf-8").write("half-written draft")
        sys.exit(1)
        """
    )
    code, _, err = cli("note", "mango")
    assert code == 1
    assert "status 1" in err
    (draft,) = drafts.iterdir()
    assert str(draft) in err
    assert draft.read_text(encoding="utf-8") == "half-written draft"
    assert lib.read_bytes() == before
    assert library(lib).note("mango") == "keep me"


def test_an_editor_that_cannot_run(cli, lib, monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(tmp_path / "no-such-editor"))
    code, _, err = cli("note", "mango")
    assert code == 1 and "cannot run the editor" in err
    assert not lib.exists()


def test_an_editor_writing_bad_utf8_gives_replacement_characters(cli, lib, editor):
    editor('open(path, "wb").write(b"caf\\xe9 ok")\n')
    ok(cli("note", "mango"))
    assert library(lib).note("mango") == "caf\ufffd ok"


def test_an_editor_writing_bad_utf8_does_not_crash(cli, lib, editor):
    editor('open(path, "wb").write(b"caf\\xe9 ok")\n')
    ok(cli("note", "mango"))
    note = library(lib).note("mango")
    assert note.startswith("caf") and note.endswith(" ok") and len(note) == 7


# --- unknown ids ----------------------------------------------------------------------------

UNKNOWN_ID_COMMANDS = [
    ("star", "nope"),
    ("star", "zebra", "nope"),
    ("unstar", "nope"),
    ("status", "nope", "read"),
    ("tag", "nope", "+x"),
    ("tag", "nope", "-x"),
    ("note", "nope", "--text", "x"),
    ("note", "nope", "--append", "x"),
    ("note", "nope", "--print"),
    ("note", "nope"),
]


@pytest.mark.parametrize("argv", UNKNOWN_ID_COMMANDS, ids=[" ".join(a) for a in UNKNOWN_ID_COMMANDS])
def test_an_unknown_id_is_an_error_and_writes_nothing(cli, lib, argv, monkeypatch):
    monkeypatch.setenv("EDITOR", "false")  # would fail loudly if it were ever run
    monkeypatch.delenv("VISUAL", raising=False)
    code, out, err = cli(*argv)
    assert code == 1
    assert "no paper with id, citation key or arXiv id 'nope'" in err
    assert not lib.exists()
    # With an existing library, its bytes stay as they are.
    ok(cli("star", "kiwi"))
    before = lib.read_bytes()
    code, _, _ = cli(*argv)
    assert code == 1
    assert lib.read_bytes() == before


def test_an_unknown_id_suggests_close_ones(cli):
    code, _, err = cli("star", "zebr")
    assert code == 1 and "did you mean" in err and "zebra" in err


# --- list and search with the library -------------------------------------------------------


@pytest.fixture
def annotated(cli, lib):
    star_in_order(cli, "mango", "zebra")
    ok(cli("status", "zebra", "reading"))
    ok(cli("status", "apple", "read"))
    ok(cli("tag", "kiwi", "+speedy", "+Later"))
    ok(cli("note", "apple", "--text", "worth a re-read"))
    return lib


def test_list_starred_in_star_order(cli, annotated):
    out = ok(cli("list", "--starred"))
    rows = [line for line in out.splitlines()[1:] if line.strip()]
    assert [row.split()[1] for row in rows] == ["mango", "zebra"]
    assert all(row.startswith("★") for row in rows)
    ids = [p["id"] for p in json.loads(ok(cli("list", "--starred", "--json")))]
    assert ids == ["mango", "zebra"]


def test_list_json_has_the_library_fields(cli, annotated):
    papers = {p["id"]: p for p in json.loads(ok(cli("list", "--json")))}
    assert set(papers) == set(IDS)
    assert papers["zebra"]["starred"] is True and papers["zebra"]["status"] == "reading"
    assert papers["apple"]["status"] == "read" and papers["apple"]["has_note"] is True
    assert papers["kiwi"]["user_tags"] == ["speedy", "Later"]
    assert papers["kiwi"]["tags"] == []
    assert papers["mango"]["has_note"] is False and papers["mango"]["user_tags"] == []
    for paper in papers.values():
        assert {"starred", "status", "user_tags", "has_note"} <= set(paper)
        assert "note" not in paper


def test_show_json_adds_the_note(cli, annotated):
    paper = json.loads(ok(cli("show", "apple", "--json")))
    assert paper["note"] == "worth a re-read" and paper["has_note"] is True


def test_show_marks_star_and_status_as_the_browser_does(cli, annotated):
    text = ok(cli("show", "zebra"))
    assert re.search(r"^Starred: +★ yes$", text, re.M) and re.search(r"^Status: +◐ reading$", text, re.M)


def search_ids(cli, *query: str) -> list[str]:
    return [p["id"] for p in json.loads(ok(cli("search", *query, "--json")))]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("is:starred", {"mango", "zebra"}),
        ("is:reading", {"zebra"}),
        ("is:read", {"apple"}),
        ("is:unread", {"mango", "kiwi"}),
        ("has:note", {"apple"}),
        ("!has:note", {"zebra", "mango", "kiwi"}),
        ("tag:speedy", {"kiwi"}),
        ("tag:later", {"kiwi"}),  # smart case over user tags
        ("tag:moe", {"apple"}),  # record tags still count
        ("is:starred tag:vision", {"mango"}),
        ("is:starred | has:note", {"mango", "zebra", "apple"}),
    ],
)
def test_query_filters_over_the_library(cli, annotated, query, expected):
    assert set(search_ids(cli, query)) == expected


def test_search_starred_flag(cli, annotated):
    assert set(search_ids(cli, "a", "--starred")) <= {"mango", "zebra"}
    assert set(search_ids(cli, "contrastive", "--starred")) == {"mango"}
    assert search_ids(cli, "experts", "--starred") == []
    results = json.loads(ok(cli("search", "zebra", "--json")))
    assert results[0]["id"] == "zebra" and "score" in results[0] and results[0]["starred"] is True


# --- library orphans / path -----------------------------------------------------------------


def test_library_orphans(cli, lib):
    ok(cli("star", "zebra"))
    other = Library.load(lib)
    other.star("ghost")
    other.set_note("ghost", "a paper that left the data")
    other.set_status("gone", "read")
    other.save()
    code, out, err = cli("library", "orphans")
    assert code == 0
    lines = out.splitlines()
    assert lines == ["ghost\tstar, note", "gone\tread"]
    assert "2 entries" in err and "kept" in err
    # Listing them changes nothing, and later saves keep them.
    ok(cli("unstar", "zebra"))
    assert library(lib).note("ghost") == "a paper that left the data"


def test_library_orphans_when_there_are_none(cli, lib):
    ok(cli("star", "zebra"))
    code, out, err = cli("library", "orphans")
    assert (code, out, err) == (0, "", "")


def test_library_path(cli, lib, tmp_path):
    assert ok(cli("library", "path")).strip() == str(lib)
    assert ok(cli("--library", str(tmp_path / "x.toml"), "library", "path")).strip() == str(tmp_path / "x.toml")
    assert not lib.exists()


# --- a library that cannot be read ----------------------------------------------------------


@pytest.fixture
def corrupt(lib) -> bytes:
    lib.parent.mkdir(parents=True, exist_ok=True)
    content = 'version = 1\n\n[papers.zebra]\nstarred = "yes"\nnote = "mine"\n'
    lib.write_text(content, encoding="utf-8")
    return content.encode()


@pytest.mark.parametrize(
    "argv",
    [
        ("star", "zebra"),
        ("unstar", "zebra"),
        ("status", "zebra", "read"),
        ("tag", "zebra", "+x"),
        ("note", "zebra", "--text", "x"),
        ("note", "zebra", "--append", "x"),
    ],
)
def test_a_corrupt_library_refuses_writes(cli, lib, corrupt, argv):
    code, _, err = cli(*argv)
    assert code == 1
    assert f"{lib}:4:" in err
    assert "starred" in err
    assert lib.read_bytes() == corrupt
    assert not lib.with_name(lib.name + ".bak").exists()


def test_a_corrupt_library_still_reads_with_a_warning(cli, lib, corrupt):
    code, out, err = cli("list")
    assert code == 0
    assert "warning" in err and f"{lib}:4:" in err
    assert all(paper_id in out for paper_id in IDS)
    code, out, err = cli("search", "zebra", "--json")
    assert code == 0 and json.loads(out)[0]["id"] == "zebra" and "warning" in err
    code, out, err = cli("note", "zebra", "--print")
    assert code == 0 and "warning" in err
    code, out, err = cli("export", "apple", "--format", "json")
    assert code == 0 and "warning" in err and json.loads(out)[0]["id"] == "apple"
    assert lib.read_bytes() == corrupt


def test_a_newer_library_version_refuses_writes(cli, lib):
    lib.parent.mkdir(parents=True, exist_ok=True)
    lib.write_text("version = 2\n", encoding="utf-8")
    code, _, err = cli("star", "zebra")
    assert code == 1 and str(lib) in err and "newer" in err
    assert lib.read_text(encoding="utf-8") == "version = 2\n"


# --- export ---------------------------------------------------------------------------------


@pytest.fixture
def starred(cli, lib):
    """zebra, then apple, then mango starred; notes and tags on some."""
    star_in_order(cli, "zebra", "apple", "mango")
    ok(cli("note", "apple", "--text", 'Note with "quotes", commas\nand two lines'))
    ok(cli("tag", "zebra", "+must-read"))
    ok(cli("status", "mango", "read"))
    return lib


def export_out(cli, *argv: str) -> str:
    return ok(cli("export", *argv))


def test_export_json_in_star_order(cli, starred):
    items = json.loads(export_out(cli, "--format", "json"))
    assert [i["id"] for i in items] == ["zebra", "apple", "mango"]
    by_id = {i["id"]: i for i in items}
    assert by_id["apple"]["note"] == 'Note with "quotes", commas\nand two lines'
    assert by_id["zebra"]["user_tags"] == ["must-read"]
    assert by_id["mango"]["status"] == "read"
    assert all(i["starred"] is True and i["starred_at"] for i in items)
    times = [i["starred_at"] for i in items]
    assert times == sorted(times)
    assert json.loads(export_out(cli, "--starred", "--format", "json")) == items


def test_export_csv_parses_back(cli, starred):
    text = export_out(cli, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["id"] for r in rows] == ["zebra", "apple", "mango"]
    apple = rows[1]
    assert apple["note"] == 'Note with "quotes", commas\nand two lines'
    assert apple["title"] == "Apple: Mixture of Experts at Scale"
    assert rows[0]["user_tags"] == "must-read"
    assert rows[2]["status"] == "read"
    assert text.endswith("\r\n")


def test_export_bibtex_parses_back(cli, starred):
    text = export_out(cli, "--format", "bibtex")
    parsed = bibtexparser.parse_string(text)
    assert not parsed.failed_blocks
    entries = parsed.entries
    assert len(entries) == 3
    assert [e.entry_type.lower() for e in entries] == ["inproceedings", "article", "misc"]
    keys = [e.key for e in entries]
    assert len(set(keys)) == 3 and keys[0].startswith("lovelace2023")
    zebra = entries[0].fields_dict
    assert "Zebra Attention" in zebra["title"].value
    assert zebra["eprint"].value == "2305.00001"
    assert "must-read" in zebra["keywords"].value
    assert "and two lines" not in text  # notes are not exported to BibTeX


def test_export_markdown(cli, starred):
    text = export_out(cli, "--format", "markdown")
    assert text.startswith("# Reading list")
    assert "3 papers." in text
    assert text.index("## Language models") < text.index("## Vision")
    assert text.index("Zebra Attention") < text.index("Apple: Mixture")  # star order in a category
    assert '  > Note with "quotes", commas\n  > and two lines' in text
    assert "My tags: must-read" in text
    assert "Status: read" in text


def test_export_defaults_to_markdown(cli, starred):
    assert export_out(cli) == export_out(cli, "--format", "markdown")


def test_export_sort(cli, starred):
    def ids(*argv):
        return [i["id"] for i in json.loads(export_out(cli, "--format", "json", *argv))]

    assert ids() == ["zebra", "apple", "mango"]
    assert ids("--sort", "starred") == ["zebra", "apple", "mango"]
    assert ids("--sort", "title") == ["apple", "mango", "zebra"]
    assert ids("--sort", "date") == ["mango", "apple", "zebra"]


def test_export_a_query(cli, starred):
    ok(cli("tag", "kiwi", "+must-read"))
    items = json.loads(export_out(cli, "tag:must-read", "--format", "json"))
    assert {i["id"] for i in items} == {"zebra", "kiwi"}
    assert {i["id"]: i["starred"] for i in items} == {"zebra": True, "kiwi": False}
    items = json.loads(export_out(cli, "is:read", "--format", "json"))
    assert [i["id"] for i in items] == ["mango"]
    items = json.loads(export_out(cli, "tag:must-read", "--sort", "starred", "--format", "json"))
    assert [i["id"] for i in items] == ["zebra", "kiwi"]


def test_export_starred_and_a_query_conflict(cli, starred):
    code, _, err = cli("export", "--starred", "kiwi")
    assert code == 2 and "either" in err


def test_export_nothing_starred(cli, lib):
    assert json.loads(export_out(cli, "--format", "json")) == []
    assert export_out(cli, "--format", "csv").count("\r\n") == 1  # the header only


def test_export_to_a_file_refuses_to_overwrite_without_force(cli, starred, tmp_path):
    target = tmp_path / "out" / "reading.json"
    target.parent.mkdir()
    code, out, err = cli("export", "--format", "json", "-o", str(target))
    assert code == 0 and out == ""
    assert "wrote 3 papers" in err
    first = target.read_bytes()
    assert [i["id"] for i in json.loads(first)] == ["zebra", "apple", "mango"]

    ok(cli("unstar", "apple"))
    code, _, err = cli("export", "--format", "csv", "-o", str(target))
    assert code == 1
    assert str(target) in err and "--force" in err
    assert target.read_bytes() == first

    code, _, err = cli("export", "--format", "json", "-o", str(target), "--force")
    assert code == 0
    assert [i["id"] for i in json.loads(target.read_bytes())] == ["zebra", "mango"]
    assert sorted(p.name for p in target.parent.iterdir()) == ["reading.json"]  # no temporary file


def test_export_to_a_folder_fails(cli, starred, tmp_path):
    code, _, err = cli("export", "--format", "json", "-o", str(tmp_path), "--force")
    assert code == 1 and str(tmp_path) in err


@pytest.mark.parametrize("fmt", ["markdown", "bibtex", "csl-json", "ris", "csv", "json"])
def test_export_each_format_to_a_file_equals_stdout(cli, starred, tmp_path, fmt):
    target = tmp_path / f"out.{fmt}"
    ok(cli("export", "--format", fmt, "-o", str(target)))
    assert target.read_bytes() == export_out(cli, "--format", fmt).encode("utf-8")
