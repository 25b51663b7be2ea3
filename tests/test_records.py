"""Record validation without files: one table in, a record or findings out."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from conftest import FakeUser, make_paper
from paperbrowse.core.export.json_shape import paper_dict
from paperbrowse.core.files.paths import data_sources, library_path, shipped
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.problems import Problem
from paperbrowse.core.records.safe_text import one_line, visible
from paperbrowse.core.records.schema import (
    category_from_table,
    check_link,
    paper_from_table,
)


def table(**overrides):
    base = {
        "id": "llama",
        "title": "LLaMA",
        "authors": ["Hugo Touvron"],
        "date": dt.date(2023, 2, 27),
        "category": "llm",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def error_keys(findings) -> list[str | None]:
    return [e.key for e in findings.errors]


# --- papers ---------------------------------------------------------------------------------


def test_minimal_paper_is_valid():
    paper, findings = paper_from_table(table())
    assert findings.errors == [] and findings.warnings == []
    assert paper is not None
    assert paper.id == "llama"
    assert paper.authors == ("Hugo Touvron",)
    assert paper.date == PaperDate(2023, 2, 27)
    assert paper.year == 2023
    assert paper.orgs == () and paper.tags == () and paper.venue == ""


def test_full_paper_keeps_every_field():
    paper, findings = paper_from_table(
        table(
            orgs=["Meta AI"],
            venue="arXiv",
            arxiv="2302.13971",
            url="https://arxiv.org/abs/2302.13971",
            pdf="https://arxiv.org/pdf/2302.13971",
            code="https://github.com/x/y",
            tags=["llm"],
            summary="s",
            summary_zh="中文",
            highlight="h",
            highlight_zh="亮点",
        )
    )
    assert findings.errors == []
    assert paper.orgs == ("Meta AI",)
    assert paper.venue == "arXiv"
    assert paper.arxiv == "2302.13971"
    assert paper.url == "https://arxiv.org/abs/2302.13971"
    assert paper.pdf == "https://arxiv.org/pdf/2302.13971"
    assert paper.code == "https://github.com/x/y"
    assert paper.tags == ("llm",)
    assert (paper.summary, paper.summary_zh, paper.highlight, paper.highlight_zh) == ("s", "中文", "h", "亮点")


@pytest.mark.parametrize("missing", ["id", "title", "authors", "date", "category"])
def test_missing_required_field_is_an_error(missing):
    paper, findings = paper_from_table(table(**{missing: None}))
    assert paper is None
    assert missing in error_keys(findings)
    assert any(f"missing required field '{missing}'" in e.message for e in findings.errors)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("id", 7),
        ("title", 1),
        ("title", ["LLaMA"]),
        ("authors", "Hugo Touvron"),
        ("authors", ["Hugo", 3]),
        ("category", ["llm"]),
        ("orgs", "Meta"),
        ("tags", [1, 2]),
        ("venue", 2023),
        ("summary", ["a", "b"]),
        ("highlight_zh", True),
        ("url", 5),
        ("arxiv", 2302.13971),
    ],
)
def test_wrong_type_is_an_error_naming_the_key(key, value):
    paper, findings = paper_from_table(table(**{key: value}))
    assert paper is None
    assert key in error_keys(findings)
    assert any("must be" in e.message for e in findings.errors if e.key == key)


@pytest.mark.parametrize(("key", "value"), [("title", "   "), ("authors", []), ("authors", ["  "]), ("id", "")])
def test_empty_required_field_is_an_error(key, value):
    paper, findings = paper_from_table(table(**{key: value}))
    assert paper is None
    assert key in error_keys(findings)


@pytest.mark.parametrize("paper_id", ["llama", "gpt-4", "llama_2", "v1.5", "0day", "a" * 200])
def test_good_ids(paper_id):
    paper, findings = paper_from_table(table(id=paper_id))
    assert findings.errors == [], findings.errors
    assert paper.id == paper_id


@pytest.mark.parametrize("paper_id", ["LLaMA", "has space", "a/b", "../etc/passwd", "a..b", "é", "a" * 201, "x\x1b"])
def test_bad_ids(paper_id):
    paper, findings = paper_from_table(table(id=paper_id))
    assert paper is None
    assert "id" in error_keys(findings)


def test_every_error_is_reported_not_just_the_first():
    paper, findings = paper_from_table(table(title=3, date="soon", url="ftp://x", arxiv="nope"))
    assert paper is None
    assert set(error_keys(findings)) >= {"title", "date", "url", "arxiv"}


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected", "iso"),
    [
        (dt.date(2023, 2, 27), PaperDate(2023, 2, 27), "2023-02-27"),
        (dt.datetime(2023, 2, 27, 7, 32, tzinfo=dt.UTC), PaperDate(2023, 2, 27), "2023-02-27"),
        ("2023-02", PaperDate(2023, 2), "2023-02"),
        ("2023", PaperDate(2023), "2023"),
        ("2023-02-27", PaperDate(2023, 2, 27), "2023-02-27"),
        (" 2023-02 ", PaperDate(2023, 2), "2023-02"),
    ],
)
def test_dates_accepted(value, expected, iso):
    parsed = PaperDate.parse(value)
    assert parsed == expected
    assert parsed.isoformat() == iso == str(parsed)


@pytest.mark.parametrize(
    "value",
    [
        "2023-13",
        "2023-00",
        "2023-00-15",
        "2023-02-30",
        "May 2023",
        "23-05",
        "0999",
        "2023/05",
        "",
        2023,
        2023.5,
        dt.time(12, 0),
        [2023],
        True,
    ],
)
def test_dates_rejected(value):
    with pytest.raises(ValueError):
        PaperDate.parse(value)
    paper, findings = paper_from_table(table(date=value))
    assert paper is None
    assert error_keys(findings) == ["date"]
    assert findings.errors[0].message.startswith("bad date")


def test_partial_dates_sort_before_later_dates_and_after_earlier_ones():
    assert PaperDate(2022, 12, 31) < PaperDate(2023) < PaperDate(2023, 1) < PaperDate(2023, 1, 1) < PaperDate(2023, 2)


# --- links and arXiv ids --------------------------------------------------------------------


@pytest.mark.parametrize("link", ["https://arxiv.org/abs/1", "http://example.com", "HTTPS://EXAMPLE.COM/x"])
def test_http_links_accepted(link):
    assert check_link(link) is None
    for key in ("url", "pdf", "code"):
        paper, findings = paper_from_table(table(**{key: link}))
        assert findings.errors == [], (key, findings.errors)


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "file:///etc/passwd",
        "ftp://example.com/paper.pdf",
        "data:text/html,<script>alert(1)</script>",
        "mailto:a@b.c",
        "https://",
        "http:///path-only",
        "//evil.example.com/x",
    ],
)
@pytest.mark.parametrize("key", ["url", "code", "pdf"])
def test_non_http_links_rejected(key, link):
    paper, findings = paper_from_table(table(**{key: link}))
    assert paper is None
    assert error_keys(findings) == [key]
    assert f"link in '{key}'" in findings.errors[0].message


@pytest.mark.parametrize(
    "link",
    ["https://x.org/a b", 'https://x.org/"q"', "https://x.org/<script>", "https://x.org/\x7f", "https://x.org/a\\b"],
)
def test_http_links_with_unsafe_characters_rejected(link):
    assert check_link(link) is not None


@pytest.mark.parametrize("path", ["papers/llama.pdf", "llama.pdf", "a/b/c.pdf"])
def test_pdf_may_be_a_relative_path_inside_the_data_folder(path):
    paper, findings = paper_from_table(table(pdf=path))
    assert findings.errors == []
    assert paper.pdf == path


@pytest.mark.parametrize(
    "path", ["../secret.pdf", "a/../../b.pdf", "/etc/passwd", "\\\\server\\share", "C:\\x.pdf", "a\\..\\..\\b.pdf"]
)
def test_pdf_path_may_not_leave_the_data_folder(path):
    paper, findings = paper_from_table(table(pdf=path))
    assert paper is None
    assert error_keys(findings) == ["pdf"]


@pytest.mark.parametrize("key", ["url", "code"])
def test_url_and_code_need_a_scheme(key):
    paper, findings = paper_from_table(table(**{key: "example.com/paper"}))
    assert paper is None
    assert error_keys(findings) == [key]


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("2302.13971", "2302.13971"),
        ("2302.13971v2", "2302.13971v2"),
        ("0704.0001", "0704.0001"),
        ("arXiv:2302.13971", "2302.13971"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("math.GT/0309136", "math.GT/0309136"),
    ],
)
def test_arxiv_ids_accepted(value, stored):
    paper, findings = paper_from_table(table(arxiv=value))
    assert findings.errors == []
    assert paper.arxiv == stored


@pytest.mark.parametrize("value", ["2302.139", "2302-13971", "https://arxiv.org/abs/2302.13971", "arxiv", "23021.3971"])
def test_bad_arxiv_ids_rejected(value):
    paper, findings = paper_from_table(table(arxiv=value))
    assert paper is None
    assert error_keys(findings) == ["arxiv"]


def test_link_falls_back_to_arxiv_abstract_page():
    assert make_paper("a", arxiv="2302.13971").link == "https://arxiv.org/abs/2302.13971"
    assert make_paper("a", arxiv="2302.13971", url="https://x.org").link == "https://x.org"
    assert make_paper("a").link == ""


# --- unknown keys ---------------------------------------------------------------------------


def test_unknown_fields_are_kept_with_a_warning():
    paper, findings = paper_from_table(table(mood="x", stars=5))
    assert findings.errors == []
    assert {w.key for w in findings.warnings} == {"mood", "stars"}
    assert all("unknown field" in w.message for w in findings.warnings)
    assert paper is not None
    assert dict(paper.extra) == {"mood": "x", "stars": 5}


# --- categories -----------------------------------------------------------------------------


def test_category_valid():
    category, findings = category_from_table(
        {"id": "llm", "name": "LLMs", "name_zh": "大模型", "parent": "ai", "order": 3}
    )
    assert findings.errors == []
    assert (category.id, category.name, category.name_zh, category.parent, category.order) == (
        "llm",
        "LLMs",
        "大模型",
        "ai",
        3,
    )


def test_category_defaults():
    category, findings = category_from_table({"id": "llm", "name": "LLMs"})
    assert findings.errors == []
    assert category.parent is None and category.order == 0 and category.name_zh == ""


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"name": "x"}, "id"),
        ({"id": "llm"}, "name"),
        ({"id": "Bad Id", "name": "x"}, "id"),
        ({"id": "llm", "name": "x", "order": "1"}, "order"),
        ({"id": "llm", "name": "x", "order": True}, "order"),
        ({"id": "llm", "name": "x", "parent": 3}, "parent"),
        ({"id": "llm", "name": 3}, "name"),
    ],
)
def test_category_errors(fields, key):
    category, findings = category_from_table(fields)
    assert category is None
    assert key in error_keys(findings)


def test_category_unknown_field_warns():
    category, findings = category_from_table({"id": "llm", "name": "x", "colour": "red"})
    assert category is not None
    assert [w.key for w in findings.warnings] == ["colour"]


# --- problems, safe text, JSON shape, paths -------------------------------------------------


def test_problem_formatting():
    assert str(Problem("a.toml", 3, "bad")) == "a.toml:3: bad"
    assert str(Problem("a.toml", 3, "bad", column=7)) == "a.toml:3:7: bad"
    assert str(Problem("a.toml", None, "bad")) == "a.toml: bad"
    assert str(Problem("a.toml", 4, "odd", "warning")) == "a.toml:4: warning: odd"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred", "\\e[31mred"),
        ("\x1b]0;pwned\x07", "\\e]0;pwned\\a"),
        ("a\rb", "a\\rb"),
        ("\x00\x7f\x9b", "\\x00\\x7f\\x9b"),
        ("\u202eevil", "<U+202E>evil"),
        ("a\u2028b\u2029c", "a<U+2028>b<U+2029>c"),
        ("zero\u200bwidth\ufeff", "zero<U+200B>width<U+FEFF>"),
        ("plain 中文 text", "plain 中文 text"),
    ],
)
def test_visible_makes_control_characters_inert(raw, shown):
    assert visible(raw) == shown
    assert "\x1b" not in visible(raw)


def test_one_line_folds_whitespace_and_newlines():
    assert one_line("a\n b\t\tc  \x1b") == "a b c \\e"
    assert visible("a\nb") == "a\nb"
    assert visible("a\nb", keep_newlines=False) == "a b"


def test_paper_dict_shape():
    paper = make_paper(
        "llama",
        "LLaMA",
        date="2023-02",
        orgs=["Meta AI"],
        arxiv="2302.13971",
        tags=["llm"],
        venue="arXiv",
    )
    data = paper_dict(paper)
    assert {"id", "title", "authors", "date", "year", "category", "orgs", "venue", "arxiv", "url", "tags"} <= set(data)
    assert data["date"] == "2023-02"
    assert data["year"] == 2023
    assert data["authors"] == ["Anonymous"] and data["orgs"] == ["Meta AI"] and data["tags"] == ["llm"]
    assert data["url"] == ""
    assert data["link"] == "https://arxiv.org/abs/2302.13971"
    with_user = paper_dict(
        paper, FakeUser(starred=["llama"], status={"llama": "read"}, notes=["llama"], tags={"llama": ["x"]})
    )
    assert with_user["starred"] is True
    assert with_user["status"] == "read"
    assert with_user["has_note"] is True
    assert with_user["user_tags"] == ["x"]


def test_data_sources_precedence():
    env = {"PAPERBROWSE_DATA": os.pathsep.join(["/a", "", "/b"])}
    assert data_sources(["/cli"], env) == ["/cli"]
    assert data_sources(None, env) == ["/a", "/b"]
    assert data_sources(None, {}) == [str(shipped("data"))]
    assert data_sources([], {"PAPERBROWSE_DATA": ""}) == [str(shipped("data"))]


def test_library_path_precedence(tmp_path):
    assert library_path(str(tmp_path / "cli.toml"), {"PAPERBROWSE_LIBRARY": "/env.toml"}) == tmp_path / "cli.toml"
    assert str(library_path(None, {"PAPERBROWSE_LIBRARY": "/env.toml"})) == "/env.toml"
    assert library_path(None, {}).name == "library.toml"


def test_library_path_env_is_isolated_by_conftest(_isolate_user_files):
    assert library_path(None) == _isolate_user_files


@pytest.mark.parametrize("validator", ["paper", "category"])
def test_id_with_trailing_newline_is_rejected(validator):
    # TOML allows `id = "llama\n"`; the id would then carry a newline into tables, paths and JSON.
    if validator == "paper":
        record, findings = paper_from_table(table(id="llama\n"))
    else:
        record, findings = category_from_table({"id": "llm\n", "name": "LLMs"})
    assert record is None
    assert "id" in error_keys(findings)
