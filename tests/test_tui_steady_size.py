"""The main screen is laid out once at start, with its size classes, and again only when the
terminal's size changes (tui/screens/steady_size.py): Textual's start sends the same size up to
three times, and each laid the whole screen out again while the first keys typed waited."""

from __future__ import annotations

import pytest
from textual import events
from textual.geometry import Size
from textual.screen import Screen

from paperbrowse.tui.screens.main import MainScreen
from paperbrowse.tui.screens.steady_size import size_classes
from paperbrowse.tui.widgets.category_tree import CategoryTree
from tui_support import make_app, run, settle, until


@pytest.fixture
def layouts(monkeypatch) -> list[tuple[str, frozenset[str]]]:
    """Every layout of a screen, as (screen, its classes then): Textual's own method, watched."""
    seen: list[tuple[str, frozenset[str]]] = []
    lay_out = Screen._refresh_layout

    def watched(screen: Screen[object], *args, **kwargs) -> None:
        seen.append((type(screen).__name__, frozenset(screen.classes)))
        lay_out(screen, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", watched)
    return seen


@pytest.mark.parametrize(
    ("size", "expected", "not_expected"),
    [((80, 20), {"-narrow", "-short"}, {"-wide", "-tall"}), ((160, 48), {"-wide", "-tall"}, {"-narrow", "-short"})],
)
def test_the_first_layout_already_has_the_size_classes(tmp_path, layouts, size, expected, not_expected) -> None:
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        first = next(classes for name, classes in layouts if name == "MainScreen")
        assert expected <= first and not (not_expected & first)
        assert expected <= set(app.screen.classes)

    run(app, scenario, size=size)


def test_the_same_size_again_lays_nothing_out_and_a_new_size_does(tmp_path, layouts) -> None:
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        before = len(layouts)
        screen.post_message(events.Resize(screen.size, screen.size))
        await settle(pilot)
        assert len(layouts) == before  # Textual's handler would have laid the screen out again

        await pilot.resize_terminal(80, 20)
        await until(pilot, lambda: screen.has_class("-narrow"))
        assert len(layouts) > before
        assert screen.has_class("-short") and not screen.has_class("-wide")

    run(app, scenario, size=(160, 48))


def test_size_classes_follow_textuals_breakpoints(tmp_path) -> None:
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        screen = app.screen
        assert size_classes(screen, Size(99, 23)) == {
            "-narrow": True,
            "-wide": False,
            "-short": True,
            "-tall": False,
        }
        assert size_classes(screen, Size(100, 24)) == {
            "-narrow": False,
            "-wide": True,
            "-short": False,
            "-tall": True,
        }

    run(app, scenario, size=(120, 40))


def test_the_tree_keeps_its_lines_when_told_the_size_it_drew_them_at(tmp_path, monkeypatch) -> None:
    """Each widget hears of its size after the frame that drew it at that size: the tree
    (Textual's) cleared its lines then and drew the same ones again."""
    labels: list[str] = []
    render_label = CategoryTree.render_label

    def counted(tree, node, base_style, style):
        labels.append(str(node.label))
        return render_label(tree, node, base_style, style)

    monkeypatch.setattr(CategoryTree, "render_label", counted)
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        tree = app.screen.query_one(CategoryTree)
        labels.clear()
        tree.post_message(events.Resize(tree.outer_size, tree.virtual_size, tree.container_size))
        app.screen.refresh()
        await settle(pilot)
        assert labels == []  # nothing drawn again

        tree.styles.width = 20  # a new width: the labels are fitted again
        await until(pilot, lambda: bool(labels))
        assert labels

    run(app, scenario, size=(120, 40))
