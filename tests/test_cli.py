"""The `paperbrowse` command line, driven in-process through main() (plus one real subprocess)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from conftest import CATEGORIES_TOML, COLLECTION_IDS, dedent, line_of, paper_toml, run, write_text
from paperbrowse import __version__

JSON_KEYS = {"id", "title", "authors", "date", "year", "category", "orgs", "venue", "arxiv", "url", "tags"}
EVIL_TITLE = "Evil \x1b]0;pwned\x07 title \x1b[31mred\x1b[0m \u202eright-to-left"


@pytest.fixture(autouse=True)
def _terminal_width(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("LINES", "40")


def run_json(capsys, *argv: str):
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def bad_data(tmp_path, collection) -> Path:
    """The valid collection plus a file with one good paper and two bad ones."""
    text = (
        paper_toml("good-extra", title="Good Extra Paper")
        + "\n"
        + paper_toml("bad-date", date='"2023-13"')
        + "\n"
        + paper_toml("bad-category", category="robotics")
    )
    write_text(collection / "extra.toml", text)
    return collection


# --- list -----------------------------------------------------------------------------------


def test_list_table(capsys, collection):
    code, out, err = run(capsys, "--data", str(collection), "list")
    assert code == 0
    assert err == ""
    lines = out.rstrip("\n").split("\n")
    assert lines[0].split() == ["ID", "YEAR", "TITLE", "ORG"]
    assert len(lines) == 1 + len(COLLECTION_IDS)
    row_ids = [line[3:].split()[0] for line in lines[1:]]  # after the star and status marks
    assert row_ids == ["mistral-7b", "gpt-4", "llama", "speculative-decoding", "flash-attention", "vit"]
    assert "2023" in lines[1] and "Mistral AI" in lines[1]


def test_list_json_shape(capsys, collection):
    data = run_json(capsys, "--data", str(collection), "list", "--json")
    assert isinstance(data, list) and len(data) == len(COLLECTION_IDS)
    by_id = {item["id"]: item for item in data}
    assert set(by_id) == COLLECTION_IDS
    for item in data:
        assert set(item) >= JSON_KEYS
        assert isinstance(item["authors"], list) and isinstance(item["orgs"], list) and isinstance(item["tags"], list)
        assert isinstance(item["year"], int)
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", item["date"])
    llama = by_id["llama"]
    assert llama["title"] == "LLaMA: Open and Efficient Foundation Language Models"
    assert llama["authors"] == ["Hugo Touvron", "Thibaut Lavril"]
    assert llama["date"] == "2023-02-27" and llama["year"] == 2023
    assert llama["category"] == "llm" and llama["orgs"] == ["Meta AI"] and llama["venue"] == "arXiv"
    assert llama["arxiv"] == "2302.13971" and llama["url"] == "https://arxiv.org/abs/2302.13971"
    assert llama["link"] == llama["url"]
    assert llama["tags"] == ["llm", "open-weights"]
    assert by_id["gpt-4"]["date"] == "2023-03"
    assert by_id["gpt-4"]["url"] == ""  # the record has no url ...
    assert by_id["gpt-4"]["link"] == "https://arxiv.org/abs/2303.08774"  # ... its link is the arXiv page


def test_list_category_includes_children(capsys, collection):
    data = run_json(capsys, "--data", str(collection), "list", "--category", "llm", "--json")
    assert {item["id"] for item in data} == COLLECTION_IDS - {"vit"}
    data = run_json(capsys, "--data", str(collection), "list", "--category", "llm-inference", "--json")
    assert [item["id"] for item in data] == ["speculative-decoding", "flash-attention"]


def test_list_unknown_category_fails_clearly(capsys, collection):
    code, out, err = run(capsys, "--data", str(collection), "list", "--category", "robotics")
    assert code == 1
    assert out == ""
    assert "unknown category 'robotics'" in err
    assert "llm, llm-inference, vision" in err


@pytest.mark.parametrize("columns", [40, 60, 80, 100, 160])
@pytest.mark.parametrize("command", [("list",), ("search", "attention")])
def test_table_fits_the_terminal_width(capsys, monkeypatch, collection, columns, command):
    write_text(
        collection / "wide.toml",
        paper_toml(
            "wide-cjk",
            title="大语言模型的高效推理：一项非常长的中文标题用于测试表格宽度 attention",
            orgs='["清华大学"]',
        ),
    )
    monkeypatch.setenv("COLUMNS", str(columns))
    code, out, err = run(capsys, "--data", str(collection), *command)
    assert code == 0, err
    lines = out.rstrip("\n").split("\n")
    assert len(lines) > 2
    too_wide = [line for line in lines if cell_len(line) > columns]
    assert too_wide == []


def test_long_titles_are_cut_with_an_ellipsis(capsys, monkeypatch, collection):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(capsys, "--data", str(collection), "list")
    vit_row = next(line for line in out.split("\n") if line[3:].split() and line[3:].split()[0] == "vit")
    assert "…" in vit_row


# --- search ---------------------------------------------------------------------------------


def test_search_json_adds_score_and_ranks(capsys, collection):
    data = run_json(capsys, "--data", str(collection), "search", "speculative", "--json")
    assert data[0]["id"] == "speculative-decoding"
    for item in data:
        assert JSON_KEYS | {"score"} <= set(item)
        assert isinstance(item["score"], (int, float))
    scores = [item["score"] for item in data]
    assert scores == sorted(scores, reverse=True)


def test_search_words_are_joined_into_one_query(capsys, collection):
    data = run_json(capsys, "--data", str(collection), "search", "cat:llm", "year:2022", "--json")
    assert {item["id"] for item in data} == {"flash-attention", "speculative-decoding"}
    data = run_json(capsys, "--data", str(collection), "search", "'attention !flash", "--json")
    assert {item["id"] for item in data} == {"mistral-7b"}


def test_search_limit(capsys, collection):
    data = run_json(capsys, "--data", str(collection), "search", "cat:llm", "--limit", "2", "--json")
    assert [item["id"] for item in data] == ["mistral-7b", "gpt-4"]
    assert run_json(capsys, "--data", str(collection), "search", "cat:llm", "--limit", "0", "--json") == []


def test_search_negative_limit_is_a_usage_error(capsys, collection):
    code, out, err = run(capsys, "--data", str(collection), "search", "x", "--limit", "-1")
    assert code == 2
    assert "--limit" in err


def test_search_table_has_scores(capsys, collection):
    code, out, err = run(capsys, "--data", str(collection), "search", "speculative")
    assert code == 0
    lines = out.rstrip("\n").split("\n")
    assert lines[0].split()[-1] == "SCORE"
    assert lines[1][3:].split()[0] == "speculative-decoding"
    assert re.search(r"\d+\.\d$", lines[1])


def test_search_without_results(capsys, collection):
    code, out, err = run(capsys, "--data", str(collection), "search", "'zzzzzz")
    assert code == 0
    assert out == ""
    assert "no papers match" in err
    assert run_json(capsys, "--data", str(collection), "search", "'zzzzzz", "--json") == []


def test_search_hints_go_to_stderr(capsys, collection):
    code, out, err = run(capsys, "--data", str(collection), "search", "cat:robotics", "--json")
    assert code == 0
    assert json.loads(out) == []
    assert "hint: unknown category 'robotics'" in err


def test_search_requires_a_query(capsys, collection):
    code, _, err = run(capsys, "--data", str(collection), "search")
    assert code == 2
    assert "give a query, or --saved NAME" in err


# --- show -----------------------------------------------------------------------------------


def test_show(capsys, collection):
    code, out, err = run(capsys, "--data", str(collection), "show", "llama")
    assert code == 0 and err == ""
    lines = out.split("\n")
    assert lines[0] == "LLaMA: Open and Efficient Foundation Language Models"
    assert lines[1] == "id: llama"
    assert "Hugo Touvron, Thibaut Lavril" in out
    assert "Large language models (llm)" in out
    assert "https://arxiv.org/abs/2302.13971" in out
    assert "https://github.com/facebookresearch/llama" in out
    assert "A family of foundation language models" in out
    assert "一组基础语言模型" in out
    assert "Open weights at scale." in out


def test_show_json(capsys, collection):
    data = run_json(capsys, "--data", str(collection), "show", "gpt-4", "--json")
    assert isinstance(data, dict)
    assert set(data) >= JSON_KEYS
    assert data["id"] == "gpt-4" and data["date"] == "2023-03" and data["year"] == 2023


def test_show_unknown_id_suggests_close_ones(capsys, collection):
    code, out, err = run(capsys, "--data", str(collection), "show", "lama")
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert "no paper with id, citation key or arXiv id 'lama'" in err
    assert "did you mean" in err and "llama" in err


def test_show_unknown_id_without_close_match(capsys, collection):
    code, _, err = run(capsys, "--data", str(collection), "show", "qqqqqqqqqqqq")
    assert code == 1
    assert "no paper with id, citation key or arXiv id 'qqqqqqqqqqqq'" in err
    assert "did you mean" not in err


def test_show_unknown_id_is_echoed_inertly(capsys, collection):
    code, _, err = run(capsys, "--data", str(collection), "show", "x\x1b[2Jy")
    assert code == 1
    assert "\x1b" not in err
    assert "\\e[2J" in err


# --- validate -------------------------------------------------------------------------------

LOCATION = re.compile(r"^(?P<file>.+?\.toml):(?P<line>\d+)(?::\d+)?: (?P<message>.+)$")


def test_validate_clean_data(capsys, collection):
    code, out, err = run(capsys, "--data", str(collection), "validate")
    assert code == 0
    assert out == ""
    assert "6 papers, 3 categories: 0 errors, 0 warnings" in err


def test_validate_reports_file_line_message_and_fails(capsys, bad_data):
    extra = bad_data / "extra.toml"
    text = extra.read_text()
    code, out, err = run(capsys, "--data", str(bad_data), "validate")
    assert code == 1
    lines = out.rstrip("\n").split("\n")
    assert len(lines) == 2
    parsed = [LOCATION.match(line) for line in lines]
    assert all(parsed), lines
    found = {(m["file"], int(m["line"])) for m in parsed}
    assert found == {
        (str(extra), line_of(text, 'date = "2023-13"')),
        (str(extra), line_of(text, "[[paper]]", occurrence=3)),
    }
    assert any("bad date" in m["message"] for m in parsed)
    assert any("unknown category 'robotics'" in m["message"] for m in parsed)
    assert "2 errors, 0 warnings" in err


def test_validate_syntax_error_has_line_and_column(capsys, tmp_path):
    broken = write_text(tmp_path / "broken.toml", '[[paper]]\nid = "x"\ntitle = = 3\n')
    code, out, _ = run(capsys, "validate", str(broken))
    assert code == 1
    assert out.startswith(f"{broken}:3:9: TOML syntax error")


def test_validate_paths_override_data(capsys, bad_data, collection, tmp_path):
    clean = tmp_path / "clean"
    write_text(clean / "c.toml", CATEGORIES_TOML)
    write_text(clean / "p.toml", paper_toml("only-one"))
    code, out, err = run(capsys, "--data", str(bad_data), "validate", str(clean))
    assert code == 0, out
    assert out == ""
    assert re.search(r"\b1 papers?, 3 categories", err)


def test_validate_several_paths(capsys, tmp_path):
    cats = write_text(tmp_path / "a" / "c.toml", CATEGORIES_TOML)
    papers = write_text(tmp_path / "b" / "p.toml", paper_toml("one") + "\n" + paper_toml("two", category="vision"))
    code, out, err = run(capsys, "validate", str(cats), str(papers))
    assert code == 0, out
    assert "2 papers" in err


def test_validate_warnings_pass_unless_strict(capsys, tmp_path):
    write_text(tmp_path / "d" / "c.toml", CATEGORIES_TOML)
    text = paper_toml("one", stars='"10.1/x"')
    papers = write_text(tmp_path / "d" / "p.toml", text)
    code, out, err = run(capsys, "validate", str(tmp_path / "d"))
    assert code == 0
    assert out.strip() == f"{papers}:{line_of(text, 'stars =')}: warning: paper 'one': unknown field 'stars' (kept)"
    assert "0 errors, 1 warnings" in err
    code, out, _ = run(capsys, "validate", "--strict", str(tmp_path / "d"))
    assert code == 1
    assert "unknown field 'stars'" in out


def test_validate_missing_path(capsys, tmp_path):
    code, out, _ = run(capsys, "validate", str(tmp_path / "nope"))
    assert code == 1
    assert out.strip() == f"{tmp_path / 'nope'}: no such file or folder"


# --- bad data: other commands work on the good records and warn once -----------------------


@pytest.mark.parametrize(
    "argv",
    [("list",), ("list", "--json"), ("search", "good"), ("search", "good", "--json"), ("show", "good-extra")],
)
def test_bad_data_warns_once_and_keeps_good_records(capsys, bad_data, argv):
    code, out, err = run(capsys, "--data", str(bad_data), *argv)
    assert code == 0
    warnings = [line for line in err.splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert "2 problems" in warnings[0]
    assert "validate" in warnings[0]
    assert "good-extra" in out
    assert "bad-date" not in out and "bad-category" not in out


def test_bad_data_list_json_still_complete_for_good_records(capsys, bad_data):
    code, out, _ = run(capsys, "--data", str(bad_data), "list", "--json")
    assert {item["id"] for item in json.loads(out)} == COLLECTION_IDS | {"good-extra"}


def test_warnings_alone_do_not_trigger_the_bad_data_line(capsys, tmp_path):
    write_text(tmp_path / "d" / "c.toml", CATEGORIES_TOML)
    write_text(tmp_path / "d" / "p.toml", paper_toml("one", doi='"10.1/x"'))
    code, out, err = run(capsys, "--data", str(tmp_path / "d"), "list")
    assert code == 0
    assert err == ""


# --- untrusted text is printed inertly ------------------------------------------------------


@pytest.fixture
def evil_data(tmp_path) -> Path:
    folder = tmp_path / "evil"
    write_text(folder / "c.toml", CATEGORIES_TOML)
    title = EVIL_TITLE.replace("\x1b", "\\u001b").replace("\x07", "\\u0007").replace("\u202e", "\\u202e")
    text = dedent(f"""
        [[paper]]
        id = "evil"
        title = "{title}"
        authors = ["Mallory \\u001b[2J"]
        date = 2023-01-01
        category = "llm"
        orgs = ["Evil \\u001b]8;;https://evil.example\\u0007Corp"]
        tags = ["x\\u001by"]
        summary = "Line one\\u001b[1A\\rOverwritten\\nsecond paragraph \\u009b31m"
        highlight = "\\u0007bell"

        [[paper]]
        id = "Bad\\u001b[31mId"
        title = "x"
        authors = ["A"]
        date = 2023-01-01
        category = "llm"
    """)
    write_text(folder / "p.toml", text)
    return folder


@pytest.mark.parametrize(
    "argv",
    [
        ("list",),
        ("list", "--json"),
        ("search", "evil"),
        ("search", "evil", "--json"),
        ("show", "evil"),
        ("show", "evil", "--json"),
        ("validate",),
        ("search", "Evil \x1b[31m"),
    ],
)
def test_control_characters_never_reach_the_terminal(capsys, evil_data, argv):
    code, out, err = run(capsys, "--data", str(evil_data), *argv)
    assert code in (0, 1)
    for stream in (out, err):
        assert "\x1b" not in stream
        assert "\x07" not in stream
        assert "\x9b" not in stream
        assert "\r" not in stream
        assert "\u202e" not in stream


def test_control_characters_are_shown_visibly(capsys, evil_data):
    code, out, _ = run(capsys, "--data", str(evil_data), "show", "evil")
    assert code == 0
    assert out.split("\n")[0] == "Evil \\e]0;pwned\\a title \\e[31mred\\e[0m <U+202E>right-to-left"
    assert "Mallory \\e[2J" in out
    assert "\\e[1A\\rOverwritten" in out
    data = run_json(capsys, "--data", str(evil_data), "show", "evil", "--json")
    assert data["title"] == EVIL_TITLE  # JSON keeps the literal text, escaped as \u001b


def test_validate_shows_a_bad_id_inertly(capsys, evil_data):
    code, out, _ = run(capsys, "--data", str(evil_data), "validate")
    assert code == 1
    assert "Bad\\e[31mId" in out


# --- global options -------------------------------------------------------------------------


def split_collection(collection: Path, tmp_path: Path) -> tuple[Path, Path]:
    first = tmp_path / "first"
    second = tmp_path / "second"
    write_text(first / "categories.toml", CATEGORIES_TOML)
    write_text(first / "a.toml", (collection / "papers" / "2023.toml").read_text())
    write_text(second / "b.toml", (collection / "papers" / "older" / "2022.toml").read_text())
    return first, second


def test_data_is_repeatable(capsys, collection, tmp_path):
    first, second = split_collection(collection, tmp_path)
    data = run_json(capsys, "--data", str(first), "--data", str(second), "list", "--json")
    assert {item["id"] for item in data} == COLLECTION_IDS


def test_data_after_the_command(capsys, collection, tmp_path):
    first, second = split_collection(collection, tmp_path)
    data = run_json(capsys, "list", "--data", str(first), "--data", str(second), "--json")
    assert {item["id"] for item in data} == COLLECTION_IDS


def test_data_before_and_after_the_command_are_combined(capsys, collection, tmp_path):
    first, second = split_collection(collection, tmp_path)
    data = run_json(capsys, "--data", str(first), "list", "--data", str(second), "--json")
    assert {item["id"] for item in data} == COLLECTION_IDS


def test_data_from_environment(capsys, monkeypatch, collection, tmp_path):
    first, second = split_collection(collection, tmp_path)
    monkeypatch.setenv("PAPERBROWSE_DATA", os.pathsep.join([str(first), str(second)]))
    data = run_json(capsys, "list", "--json")
    assert {item["id"] for item in data} == COLLECTION_IDS


def test_data_option_overrides_environment(capsys, monkeypatch, collection, tmp_path):
    first, second = split_collection(collection, tmp_path)
    monkeypatch.setenv("PAPERBROWSE_DATA", str(tmp_path / "does-not-exist"))
    data = run_json(capsys, "--data", str(first), "list", "--json")
    assert {item["id"] for item in data} == {"llama", "gpt-4", "mistral-7b"}


def test_default_is_the_shipped_collection(capsys):
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0
    assert len(json.loads(out)) > 0


def test_library_option_is_accepted_and_not_created_by_reading(capsys, collection, tmp_path, _isolate_user_files):
    library = tmp_path / "my-library.toml"
    code, _, err = run(capsys, "--data", str(collection), "--library", str(library), "list")
    assert code == 0, err
    code, _, err = run(capsys, "--data", str(collection), "show", "llama", "--library", str(library))
    assert code == 0, err
    assert not library.exists()
    assert not _isolate_user_files.exists()


def test_missing_data_folder_warns_and_still_works(capsys, collection, tmp_path):
    code, out, err = run(capsys, "--data", str(collection), "--data", str(tmp_path / "gone"), "list", "--json")
    assert code == 0
    assert {item["id"] for item in json.loads(out)} == COLLECTION_IDS
    assert "1 problem in the data" in err


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"paperbrowse {__version__}"


def test_unknown_command_is_a_usage_error(capsys):
    code, _, err = run(capsys, "frobnicate")
    assert code == 2
    assert "usage" in err.lower()


# --- the real entry point -------------------------------------------------------------------


def test_entry_point_in_a_subprocess(collection, tmp_path):
    env = {**os.environ, "PAPERBROWSE_DATA": str(collection), "COLUMNS": "100"}
    result = subprocess.run(
        [sys.executable, "-m", "paperbrowse.cli.main", "list", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert {item["id"] for item in json.loads(result.stdout)} == COLLECTION_IDS
    assert result.stderr == ""


def test_search_shows_the_best_hundred_unless_asked_for_all(capsys, tmp_path):
    from paperbrowse.cli import commands

    folder = tmp_path / "many"
    folder.mkdir()
    (folder / "c.toml").write_text('[[category]]\nid = "ml"\nname = "ML"\n')
    records = "".join(
        f'[[paper]]\nid = "p{i:03d}"\ntitle = "Widget {i}"\nauthors = ["A"]\ndate = "2020"\ncategory = "ml"\n\n'
        for i in range(commands.SEARCH_LIMIT + 20)
    )
    (folder / "p.toml").write_text(records)
    assert len(run_json(capsys, "--data", str(folder), "search", "widget", "--json")) == commands.SEARCH_LIMIT
    code, out, err = run(capsys, "--data", str(folder), "search", "widget", "--json")
    assert code == 0 and "the best 100 of 120 matches" in err
    assert len(run_json(capsys, "--data", str(folder), "search", "widget", "--json", "--all")) == 120
    assert len(run_json(capsys, "--data", str(folder), "search", "widget", "--json", "--limit", "5")) == 5


@pytest.mark.parametrize("columns", [60, 80, 160])
def test_the_id_column_is_never_cut_and_the_marks_are_the_browsers(capsys, monkeypatch, collection, columns):
    paper_id = "a-rather-long-paper-identifier-2023"
    write_text(collection / "long-id.toml", paper_toml(paper_id, title="A title long enough to be cut " * 3))
    monkeypatch.setenv("COLUMNS", str(columns))
    code, out, err = run(capsys, "--data", str(collection), "list")
    assert code == 0, err
    row = next(line for line in out.splitlines() if paper_id in line)
    assert row.startswith(" · ")  # unread, as the browser marks it
    assert cell_len(row) <= columns
