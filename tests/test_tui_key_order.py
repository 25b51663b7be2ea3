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
from textual import events
from textual.widgets import Input, Label

from paperbrowse.tui.key_order import Binds, KeyHandled, KeyOrder
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


def test_backspace_in_a_burst_deletes_the_letter_before_it(lib_path: Path) -> None:
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        await burst(pilot, "slash", *"decx", "backspace", *"oding")
        assert query(app) == "decoding"

    run(app, scenario)


class _Widget:
    """Where a key went, as far as `KeyOrder` asks: still in the app or not."""

    def __init__(self) -> None:
        self.is_attached = True
        self.posted: list[KeyHandled] = []

    def post_message(self, message: KeyHandled) -> bool:
        self.posted.append(message)
        return True


def _order(bound: set[str], priority: set[str]) -> KeyOrder:
    def binds(event) -> Binds:
        return Binds(event.key in bound | priority, event.key in priority)

    return KeyOrder(binds)


def _key(name: str) -> events.Key:
    return events.Key(name, name if len(name) == 1 else None)


def test_letters_that_meet_no_binding_go_on_at_once_behind_each_other() -> None:
    order, box = _order(bound={"ctrl+u"}, priority={"t"}), _Widget()
    for letter in "zzqx":
        event = _key(letter)
        assert not order.hold(event)
        order.sent(event, box)  # type: ignore[arg-type]
    assert not order.held and len(box.posted) == 4


def test_a_key_behind_a_bound_key_waits_until_it_is_handled_and_then_goes_in_order() -> None:
    order, box = _order(bound={"ctrl+u", "j"}, priority={"t"}), _Widget()
    first = _key("a")
    order.sent(first, box)  # type: ignore[arg-type]
    assert order.hold(_key("t"))  # a priority key waits for every key before it
    order.handled(box.posted[0].serial)
    assert [event.key for event in order.release()] == ["t"]
    clear = _key("ctrl+u")
    order.sent(clear, box)  # type: ignore[arg-type]
    assert order.hold(_key("d")) and order.hold(_key("e"))  # behind a binding: wait
    assert list(order.release()) == []
    order.handled(box.posted[1].serial)
    assert [event.key for event in order.release()] == ["d", "e"]


def test_a_key_whose_widget_went_away_holds_nothing_back() -> None:
    order, dialog = _order(bound={"escape"}, priority=set()), _Widget()
    order.sent(_key("escape"), dialog)  # type: ignore[arg-type]
    assert order.hold(_key("j"))
    dialog.is_attached = False  # the dialog closed with the key's answer still in its queue
    assert [event.key for event in order.release()] == ["j"]
