"""Keys typed in one burst act in the order they were typed.

Textual runs a priority binding (`t`, `n`, `e`, `a`, `/`) the moment its key reaches the app,
while every other key waits in the focused widget's queue and meets its bindings only after it
has bubbled back up: in a burst, `t` opened the tags dialog before `L v v` typed first reached
the list (and those keys were then spent on the dialog), and `ctrl+u` typed after letters in the
search box cleared letters typed after it. `burst` sends keys as a terminal does, back to back.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Label

from paperbrowse.tui.screens.main import MainScreen
from paperbrowse.tui.screens.note_editor import NoteEditor
from paperbrowse.tui.screens.tags_dialog import TagsDialog
from paperbrowse.tui.widgets.paper_list import PaperList
from tui_support import burst, make_app, plain, run, settle


@pytest.fixture
def lib_path(tmp_path: Path) -> Path:
    return tmp_path / "library.toml"


def plist(app) -> PaperList:
    return app.screen_stack[0].query_one(PaperList)


def query(app) -> str:
    return app.screen_stack[0].query_one("#search", Input).value


def test_keys_typed_before_a_dialog_key_act_before_it_opens(lib_path: Path) -> None:
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        first_two = [paper.id for paper in plist(app).papers[:2]]
        await burst(pilot, "L", "v", "v", "t")
        dialog = app.screen
        assert isinstance(dialog, TagsDialog)
        assert app.language == "zh"
        assert list(app.screen_stack[0].marks) == first_two
        texts = " ".join(plain(label) for label in dialog.query(Label))
        assert "已标记的 2 篇论文" in texts, texts

    run(app, scenario)


def test_the_note_editor_opens_on_the_paper_the_keys_before_it_moved_to(lib_path: Path) -> None:
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        third = plist(app).papers[2]
        await burst(pilot, "j", "j", "n")
        assert isinstance(app.screen, NoteEditor)
        assert plist(app).cursor == 2
        assert app.screen.paper_title == third.title

    run(app, scenario)


def test_ctrl_u_in_a_burst_clears_only_what_was_typed_before_it(lib_path: Path) -> None:
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        await burst(pilot, "slash", *"abc", "ctrl+u", *"dec")
        assert query(app) == "dec"
        await burst(pilot, *"oding", "ctrl+w", *"ode")
        assert query(app) == "ode"

    run(app, scenario)


def test_a_key_typed_while_a_dialog_closes_reaches_the_main_screen(lib_path: Path) -> None:
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        await burst(pilot, "t", "escape", "j", "s")  # the dialog's input goes away with its keys
        assert isinstance(app.screen, MainScreen)
        assert plist(app).cursor == 1
        assert app.session.library.is_starred(plist(app).papers[1].id)
        await burst(pilot, "t")  # and later keys are never held back
        assert isinstance(app.screen, TagsDialog)
        await settle(pilot)

    run(app, scenario)
