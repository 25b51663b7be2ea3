"""Chinese mode (`L`): every label of the browser in Chinese, from one table (tui/labels.py).

The table's own test reads the browser's code: a `tr("…")` or `to_translate("…")` whose text is
missing from the table fails it, so a new label cannot stay English. The Pilot tests press `L`
and read what the screen and each dialog show, with a table that records any text asked for and
not found.
"""

from __future__ import annotations

import ast
import inspect
import re
import string
from pathlib import Path

import pytest
from textual.widgets import Label, Static

from paperbrowse.core.library.entries import STATUSES
from paperbrowse.core.records import bibliography
from paperbrowse.core.search.sort_orders import LABELS as SORT_LABELS
from paperbrowse.tui import labels
from paperbrowse.tui.keys import KEYS
from paperbrowse.tui.labels import ZH, tr
from paperbrowse.tui.screens.add_dialog import AddDialog
from paperbrowse.tui.screens.confirm import Confirm
from paperbrowse.tui.screens.export_dialog import ExportDialog
from paperbrowse.tui.screens.main import collection_title
from paperbrowse.tui.screens.note_editor import NoteEditor
from paperbrowse.tui.screens.problems import ProblemsScreen
from paperbrowse.tui.screens.tags_dialog import TagsDialog
from paperbrowse.tui.textual_shims import FooterKey
from paperbrowse.tui.widgets.category_tree import SMART_NODES, CategoryTree
from tui_support import make_app, plain, run, settle, until

TUI = Path(labels.__file__).parent
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def marked_texts() -> dict[str, str]:
    """Every literal text the browser's code hands to `tr` or marks with `to_translate`, with where."""
    found: dict[str, str] = {}
    for path in sorted(TUI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"tr", "to_translate"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found[node.args[0].value] = f"{path.name}:{node.lineno}"
    return found


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_label_the_code_uses_has_a_translation():
    used = marked_texts()
    assert len(used) > 80  # the scan finds the labels (it would pass on finding none)
    missing = {text: where for text, where in used.items() if text not in ZH}
    assert not missing


def test_the_labels_chosen_at_run_time_have_translations_too():
    """Texts that reach `tr` through a variable: the tree's smart lists, the sort orders, the
    reading statuses, the footer's keys, the details' rows of a BibTeX entry."""
    runtime = {node.label for node in SMART_NODES} | set(SORT_LABELS.values()) | set(STATUSES)
    runtime |= {key.label for key in KEYS if key.footer} | {"palette"}  # Textual's ctrl+p key
    runtime |= set(re.findall(r'\("([A-Z][A-Za-z]*)",', inspect.getsource(bibliography.reference_rows)))
    assert {"Starred", "title, A to Z", "reading", "Quit", "Help", "DOI", "Imprint"} <= runtime
    assert sorted(runtime - ZH.keys()) == []


def test_a_template_and_its_translation_take_the_same_values():
    for english, chinese in ZH.items():
        assert fields(english) == fields(chinese), english
        assert chinese.strip(), english


def test_tr_fills_templates_and_leaves_english_alone():
    assert tr("{shown} of {total} papers", "en", shown=3, total=26) == "3 of 26 papers"
    assert tr("{shown} of {total} papers", "zh", shown=3, total=26) == "3 / 26 篇论文"
    assert tr("Authors", "zh") == "作者" and tr("Authors", "en") == "Authors"
    # A value is never read as a template: record text with braces stays as it is.
    assert tr("Note · {title}", "zh", title="{shown} {0}") == "笔记 · {shown} {0}"


class Recording(dict[str, str]):
    """The table, noting every text asked for in Chinese that it does not hold."""

    def __init__(self, table: dict[str, str]) -> None:
        super().__init__(table)
        self.missed: set[str] = set()

    def get(self, key, default=None):  # type: ignore[override]
        if key not in self:
            self.missed.add(key)
        return super().get(key, default)


@pytest.fixture
def recording(monkeypatch) -> Recording:
    table = Recording(ZH)
    monkeypatch.setattr(labels, "ZH", table)
    return table


def screen_lines(app) -> list[str]:
    """What the terminal shows, line by line (the active screen, dialogs over the main one)."""
    return ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]


def footer_keys(app) -> list[str]:
    """The footer's keys shown, as `key description`."""
    return [f"{k.key_display} {k.description}" for k in app.screen.query(FooterKey) if k.display]


def test_l_turns_every_label_of_the_main_screen_chinese(tmp_path, recording):
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        app.sub_title = collection_title(app.session.catalog)  # as `paperbrowse` starts it
        await until(pilot, lambda: "? Help" in screen_lines(app)[-1] and "Authors" in "".join(screen_lines(app)))
        before = "\n".join(screen_lines(app))
        assert "Authors" in before and "All papers" in before and "? Help" in before
        await pilot.press("L")
        await settle(pilot)
        app.clear_notifications()
        await settle(pilot)
        shown = "\n".join(screen_lines(app))
        screen = app.screen
        # The tree, the list's header, the details' labels and sections, the footer.
        tree = screen.query_one(CategoryTree)
        names = [str(node.label) for node in tree.root.children]
        assert names[:5] == ["全部论文  26", "星标  0", "在读  0", "未读  26", "有笔记  0"]
        assert names[5:] == ["分类", "标签"]
        assert plain(screen.query_one("#count")) == "26 / 26 篇论文"
        head = plain(screen.query_one("#detail-head"))
        for label in ("作者", "日期", "分类", "链接", "代码", "别名", "标签", "☆ 未加星", "· 未读"):
            assert label in head
        for english in ("Authors", "Category", "Link", "not starred", "unread"):
            assert english not in head
        body = plain(screen.query_one("#detail-body")) + plain(screen.query_one("#detail-links"))
        assert "为何重要" in body and "摘要" in body and "来源" in body and "相关论文" in body
        # The footer composes its keys again after the change: a frame or more later.
        await until(pilot, lambda: "? 帮助" in footer_keys(app))
        keys = footer_keys(app)
        assert "? 帮助" in keys and "q 退出" in keys and "/ 搜索" in keys
        assert not [key for key in keys if LATIN_WORD.search(key.split(" ", 1)[1].replace("PDF", ""))]
        assert "搜索" in screen.query_one("#search").placeholder
        assert app.sub_title == "2023 landmark AI papers · 26 篇论文"
        assert "Authors" not in shown and "All papers" not in shown and "Help" not in shown
        # A node and a sort order are named in Chinese in the header too.
        await pilot.press("S")
        await settle(pilot)
        assert plain(screen.query_one("#count")) == "26 / 26 篇论文 · 按日期"
        # And L again brings English back everywhere.
        await pilot.press("L")
        await settle(pilot)
        assert str(tree.root.children[0].label) == "All papers  26"
        assert plain(screen.query_one("#count")) == "26 of 26 papers · by date"
        await until(pilot, lambda: "? Help" in footer_keys(app))
        assert "? Help" in footer_keys(app) and "Authors" in plain(screen.query_one("#detail-head"))
        assert not recording.missed

    run(app, scenario)


def test_the_language_chosen_is_the_labels_language_at_the_next_start(tmp_path):
    library = tmp_path / "library.toml"
    first = make_app(None, library)

    async def choose(pilot) -> None:
        await pilot.press("L")
        await settle(pilot)
        await pilot.press("q")

    run(first, choose)
    again = make_app(None, library)

    async def check(pilot) -> None:
        await until(pilot, lambda: footer_keys(again))
        assert again.language == "zh"
        assert plain(again.screen.query_one("#count")) == "26 / 26 篇论文"
        assert "q 退出" in footer_keys(again)

    run(again, check)


def dialog_text(app) -> str:
    """The labels, buttons and inputs' placeholders of the dialog on top."""
    screen = app.screen
    parts = [plain(widget) for widget in screen.query(Label)]
    parts += [str(button.label) for button in screen.query("Button")]
    parts += [str(getattr(widget, "placeholder", "")) for widget in screen.query("Input")]
    parts += [str(box.label) for box in screen.query("Checkbox")]
    return "\n".join(parts)


def test_every_dialog_speaks_chinese_after_l(tmp_path, recording):
    app = make_app(None, tmp_path / "library.toml")
    (tmp_path / "out.md").write_text("taken", "utf-8")

    async def opened(pilot, key: str, kind: type) -> str:
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, kind)
        return dialog_text(app)

    async def close(pilot) -> None:
        await pilot.press("escape")
        await settle(pilot)

    async def scenario(pilot) -> None:
        await pilot.press("L")
        await settle(pilot)
        text = await opened(pilot, "t", TagsDialog)
        assert "我的标签 · Break the Sequential" in text and "enter 保存" in text and "记录自带:" in text
        await close(pilot)
        text = await opened(pilot, "a", AddDialog)
        for label in ("添加论文", "标题", "作者", "年份", "分类", "或手动填写:", "取消", "添加", "enter 添加"):
            assert label in text
        assert app.screen.options[:2] == [("收件箱", "inbox"), ("基座模型", "foundation")]  # the categories' own names
        await pilot.press("enter")  # nothing typed: the dialog says what it needs, in Chinese
        await settle(pilot)
        assert plain(app.screen.query_one("#add-error")).startswith("请给出 arXiv 编号")
        await close(pilot)
        text = await opened(pilot, "exclamation_mark", ProblemsScreen)
        assert "数据中的问题 · 错误:0,警告:0" in text and "没有问题" in text and "escape 关闭" in text
        await close(pilot)
        text = await opened(pilot, "n", NoteEditor)
        assert "笔记 · Break the Sequential" in text and "ctrl+s 保存" in text
        await pilot.press("x")
        text = await opened(pilot, "escape", Confirm)
        assert "放弃对这条笔记的修改?" in text and "放弃 (y)" in text and "继续编辑 (n)" in text
        await pilot.press("y")
        await settle(pilot)
        text = await opened(pilot, "e", ExportDialog)
        assert "导出星标列表(0 篇论文)" in text and "enter 导出" in text
        field = app.screen.query_one("#export-path")
        field.value = str(tmp_path / "out.md")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        assert f"{tmp_path / 'out.md'} 已存在。要覆盖吗?" in dialog_text(app) and "覆盖 (y)" in dialog_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert not recording.missed

    run(app, scenario)


def test_the_details_note_heading_follows_the_language(tmp_path):
    library = tmp_path / "library.toml"
    app = make_app(None, library)

    async def scenario(pilot) -> None:
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"mine", "ctrl+s")
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        assert plain(app.screen.query_one("#detail-note-title", Static)) == "笔记"

    run(app, scenario)
