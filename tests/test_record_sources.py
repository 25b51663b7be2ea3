"""`sources`, `aliases` and `unverified`: validated like the other list fields, kept by the cache
and the snapshot, shown by `show` and by the details pane (sources as links, doubts marked)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import CATEGORIES_TOML, line_of, paper_toml, run, write_text
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.core.records.schema import paper_from_table
from paperbrowse.core.store.cache import load_catalog_cached
from paperbrowse.tui.widgets.detail_pane import DetailPane
from tui_support import make_app, notes, plain, settle
from tui_support import opened as record_opened
from tui_support import run as run_app

GOOD = {
    "sources": '["https://arxiv.org/abs/2307.08691v1", "https://github.com/Dao-AILab/flash-attention"]',
    "aliases": '["FA2", "FlashAttention2"]',
    "unverified": '"the speed-up on H100 (no table gives it)"',
}


def table(**fields):
    base = {"id": "fa2", "title": "FlashAttention-2", "authors": ["Tri Dao"], "date": dt.date(2023, 7, 17)}
    return {**base, "category": "llm", **fields}


def test_the_three_fields_are_read_and_stripped():
    paper, findings = paper_from_table(
        table(sources=[" https://arxiv.org/abs/2307.08691v1 "], aliases=["FA2", " "], unverified=["a", "b"])
    )
    assert findings.errors == [] and findings.warnings == [] and paper is not None
    assert paper.sources == ("https://arxiv.org/abs/2307.08691v1",)
    assert paper.aliases == ("FA2",)
    assert paper.unverified == ("a", "b")


def test_one_unverified_note_may_be_a_string():
    paper, _ = paper_from_table(table(unverified="only one doubt"))
    assert paper is not None and paper.unverified == ("only one doubt",)
    paper, _ = paper_from_table(table(unverified="  "))
    assert paper is not None and paper.unverified == ()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sources": "https://arxiv.org/abs/1"}, "field 'sources' must be an array of strings, not a string"),
        ({"sources": ["https://a.org", 3]}, "field 'sources' must be an array of strings"),
        ({"sources": ["https://a.org", "javascript:alert(1)"]}, "link 2 in 'sources' has 'javascript:'"),
        ({"sources": ["https://a.org/x y"]}, "link 1 in 'sources' contains spaces"),
        ({"sources": ["https://"]}, "link 1 in 'sources' has no host"),
        ({"aliases": "FA2"}, "field 'aliases' must be an array of strings, not a string"),
        ({"unverified": 3}, "field 'unverified' must be an array of strings, not an integer"),
        ({"unverified": ["x", ["y"]]}, "field 'unverified' must be an array of strings"),
    ],
)
def test_bad_values_are_errors_naming_the_field(fields, message):
    paper, findings = paper_from_table(table(**fields))
    assert paper is None
    assert [e.key for e in findings.errors] == [next(iter(fields))]
    assert message in findings.errors[0].message


def test_a_bad_source_is_reported_at_its_line_and_the_rest_loads(tmp_path):
    folder = tmp_path / "data"
    text = paper_toml("good", **GOOD) + "\n" + paper_toml("bad", sources='["https://ok.org", "file:///etc/passwd"]')
    data = write_text(folder / "papers.toml", text)
    write_text(folder / "categories.toml", CATEGORIES_TOML)
    catalog = load_catalog([folder])
    assert [p.id for p in catalog.papers] == ["good"]
    line = line_of(text, 'sources = ["https://ok.org"')
    message = "link 2 in 'sources' has 'file:'; only http:// and https:// links are allowed"
    assert [str(p) for p in catalog.problems] == [f"{data}:{line}: paper 'bad': {message} (record skipped)"]


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "data"
    write_text(folder / "categories.toml", CATEGORIES_TOML)
    write_text(folder / "papers.toml", paper_toml("fa2", title="FlashAttention-2", **GOOD) + "\n" + paper_toml("bare"))
    return folder


def test_cache_and_snapshot_keep_the_fields(folder, tmp_path):
    parsed = {p.id: p for p in load_catalog([folder]).papers}
    assert parsed["fa2"].aliases == ("FA2", "FlashAttention2")
    for _ in range(3):  # fill the cache, then read it back, then the snapshot
        loaded = {p.id: p for p in load_catalog_cached([folder], tmp_path / "cache").papers}
        assert loaded == parsed
        fa2 = loaded["fa2"]
        assert (fa2.sources, fa2.aliases, fa2.unverified) == (
            parsed["fa2"].sources,
            parsed["fa2"].aliases,
            ("the speed-up on H100 (no table gives it)",),
        )
        assert loaded["bare"].sources == loaded["bare"].unverified == ()


def test_show_lists_sources_aliases_and_marks_the_unverified(capsys, folder):
    code, out, err = run(capsys, "--data", str(folder), "show", "fa2")
    assert code == 0, err
    assert "Aliases:  FA2, FlashAttention2" in out
    sources = out.split("Sources (what the facts were checked against):\n", 1)[1].split("\n")
    assert sources[:2] == ["  https://arxiv.org/abs/2307.08691v1", "  https://github.com/Dao-AILab/flash-attention"]
    assert "! Unverified (no source confirms):\n  ! the speed-up on H100 (no table gives it)" in out
    code, out, _ = run(capsys, "--data", str(folder), "show", "bare")
    assert "Sources" not in out and "Unverified" not in out and "Aliases" not in out


def test_show_json_has_the_fields(capsys, folder):
    code, out, _ = run(capsys, "--data", str(folder), "show", "fa2", "--json")
    data = json.loads(out)
    assert data["aliases"] == ["FA2", "FlashAttention2"] and data["unverified"][0].startswith("the speed-up")
    assert data["sources"][0] == "https://arxiv.org/abs/2307.08691v1"


def test_the_details_show_sources_as_links_and_the_doubt_marked(folder, tmp_path, monkeypatch):
    app = make_app([folder], tmp_path / "library.toml")
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    app.open_target = lambda target, command=None: record_opened(opened, target)

    async def scenario(pilot) -> None:
        pane = app.screen.query_one(DetailPane)
        pane.show(next(p for p in pane.catalog.papers if p.id == "fa2"))
        await settle(pilot)
        assert "Aliases  FA2, FlashAttention2" in plain(app.screen.query_one("#detail-head"))
        body = app.screen.query_one("#detail-body")
        text = plain(body)
        assert "⚠ Unverified\n⚠ the speed-up on H100 (no table gives it)" in text
        assert "Sources\n · https://arxiv.org/abs/2307.08691v1\n · https://github.com/Dao-AILab/flash-attention" in text
        pane.scroll_end(animate=False)
        await settle(pilot)
        region = body.content_region
        row = next(
            y - region.y
            for y in range(region.y, min(region.bottom, app.screen.size.height))
            if app.screen.get_style_at(region.x + 5, y).meta.get("@click") == "screen.open_source(1)"
        )
        assert await pilot.click("#detail-body", offset=(5, row))
        await settle(pilot)
        assert opened == ["https://github.com/Dao-AILab/flash-attention"]
        app.screen.action_open_source(7)  # a stale click, after the paper changed
        await settle(pilot)
        assert notes(app, "warning") == ["No http(s) source to open there."]

    run_app(app, scenario)
