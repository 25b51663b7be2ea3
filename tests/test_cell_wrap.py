"""Wrapping by terminal cells, English and Chinese: lines fit, nothing is lost, and Chinese
punctuation follows the line-breaking rules."""

from __future__ import annotations

import os
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from paperbrowse.core.records.cell_wrap import NO_END, NO_START, cells, wrap_cells

ZH = (
    "这篇由清华大学牵头、数十位作者合写的长篇综述，系统梳理了基础模型如何学会调用搜索引擎、计算器等外部工具。"
    "文章把已有研究分成“用工具增强模型”和“由模型驱动工具完成任务”两类，当前 arXiv 版本还实测了 18 种代表性工具。"
)


def test_chinese_fills_each_line_by_cells() -> None:
    lines = wrap_cells(ZH, 40, first="  ", indent="  ")
    assert all(cells(line) <= 40 for line in lines)
    assert all(cells(line) >= 37 for line in lines[:-1])  # no 16-column line before 64-column ones
    assert "".join(line.strip() for line in lines).replace(" ", "") == ZH.replace(" ", "")


def test_no_line_starts_with_closing_punctuation_nor_ends_with_opening() -> None:
    for width in range(10, 60):
        lines = wrap_cells(ZH, width)
        assert not any(line[:1] in NO_START for line in lines[1:]), width
        assert not any(line.rstrip()[-1:] in NO_END for line in lines[:-1]), width


def test_english_breaks_at_spaces_and_cuts_only_a_word_longer_than_a_line() -> None:
    assert wrap_cells("a lone token at the end", 10) == ["a lone", "token at", "the end"]
    assert wrap_cells("see https://example.org/a/long/path now", 12) == [
        "see https://",
        "example.org/",
        "a/long/path",
        "now",
    ]
    assert wrap_cells("", 10) == [""]


def test_mixed_text_keeps_its_spaces_and_puts_none_between_chinese_characters() -> None:
    assert wrap_cells("用 GPT-4 评测", 80) == ["用 GPT-4 评测"]
    assert wrap_cells("一二三四五六", 6) == ["一二三", "四五六"]


text = st.text(
    alphabet=st.sampled_from([*"abc xyz-", *"中文字。，“”（）", " "]),
    max_size=200,
)


@given(text, st.integers(min_value=4, max_value=80))
def test_lines_fit_and_no_character_is_lost(sample: str, width: int) -> None:
    lines = wrap_cells(sample, width, indent="  ")
    assert all(cells(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == sample.replace(" ", "")


def test_show_in_chinese_fits_a_100_column_terminal() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "paperbrowse.cli.main", "show", "tool-learning"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "100"},
    )
    lines = result.stdout.splitlines()
    assert max(cells(line) for line in lines) <= 100
    assert any(cells(line) >= 96 for line in lines if any("\u4e00" <= c <= "\u9fff" for c in line))


def test_the_details_wrap_chinese_by_cells_at_every_width(tmp_path) -> None:
    from textual.widgets import Static

    from tui_support import make_app, run, settle

    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        await pilot.press("L")  # Chinese summaries
        for size in ((160, 48), (80, 24), (60, 20)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            body = app.screen.query_one("#detail-body", Static)
            width = body.content_size.width
            strips = body.render_lines(body.region.reset_offset.shrink(body.styles.gutter))
            lines = [strip.text.rstrip() for strip in strips if strip.text.strip()]
            chinese = [line for line in lines if any(cells(c) == 2 for c in line)]
            assert chinese, size
            assert all(cells(line) <= width for line in lines), size
            assert not any(line[:1] in NO_START for line in chinese), (size, chinese)
            # Full lines, not a short one then folded ones: all but paragraph ends fill the width.
            assert sum(cells(line) >= width - 4 for line in chinese) >= len(chinese) // 2, (size, chinese)

    run(app, scenario)
