"""Layout snapshots (pytest-textual-snapshot) at 80x24 and 160x48, and 60x20 for the main screen.

Update after an intended change with `pytest tests/test_snapshots.py --snapshot-update`, then
look at the SVGs in tests/__snapshots__/ before committing them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from paperbrowse.core.files.paths import shipped
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.tui.app import PaperBrowseApp
from paperbrowse.tui.screens import main as main_screen
from paperbrowse.tui.session import Session
from tui_support import footers_behind

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]

BROKEN = """\
[[paper]]
id = "fine"
title = "A fine paper"
authors = ["A. Author"]
date = 2023-05-01
category = "foundation"

[[paper]]
id = "broken"
title = "A broken paper"
authors = ["B. Author"]
date = "May 2023"
category = "nowhere"
"""


def make_app(library: Path, sources: list[str] | None = None) -> PaperBrowseApp:
    catalog = load_catalog(sources or [shipped("data")])
    return PaperBrowseApp(Session(catalog, Library.load(library)), f"{len(catalog.papers)} papers")


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for _ in range(20):  # a footer's new keys come once the keys typed are quiet (0.3 s)
        if not footers_behind(pilot.app):
            break
        await pilot.pause(0.05)


@pytest.mark.parametrize("size", SIZES)
def test_main_screen(snap_compare, tmp_path, size):
    assert snap_compare(make_app(tmp_path / "lib.toml"), terminal_size=size, run_before=settle)


@pytest.mark.parametrize(
    "size",
    [pytest.param((160, 48), id="160x48"), pytest.param((80, 24), id="80x24"), pytest.param((60, 20), id="60x20")],
)
def test_main_screen_in_chinese(snap_compare, tmp_path, size):
    """The summaries in Chinese (L), wrapped by cells, at the three sizes a session meets."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        pilot.app.clear_notifications()  # the language's toast would cover the details
        await settle(pilot)

    assert snap_compare(make_app(tmp_path / "lib.toml"), terminal_size=size, run_before=run_before)


def test_main_screen_at_60x20(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path / "lib.toml"), terminal_size=(60, 20), run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_search_with_highlights_and_marks(snap_compare, tmp_path, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("slash", *"decoding", "enter")
        await settle(pilot)
        await pilot.press("s", "j", "r", "k")
        await settle(pilot)

    assert snap_compare(make_app(tmp_path / "lib.toml"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_marked_papers(snap_compare, tmp_path, size):
    """Three papers marked, one of them hidden by a search: the mark column and the header's count."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("v", "j", "v", "v", "slash", *"decoding", "enter")
        await settle(pilot)
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(make_app(tmp_path / "lib.toml"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_note_editor(snap_compare, tmp_path, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Read **section 3** first.")
        await pilot.pause()

    assert snap_compare(make_app(tmp_path / "lib.toml"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, tmp_path, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(make_app(tmp_path / "lib.toml"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_problems_screen(snap_compare, tmp_path, monkeypatch, size):
    collection = tmp_path / "coll"
    collection.mkdir()
    (collection / "categories.toml").write_text((shipped("data") / "categories.toml").read_text("utf-8"), "utf-8")
    (collection / "papers.toml").write_text(BROKEN, "utf-8")
    monkeypatch.chdir(tmp_path)  # relative paths keep the snapshot the same on every machine

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("exclamation_mark")
        await settle(pilot)

    app = make_app(tmp_path / "lib.toml", ["coll"])
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def _with_saved_searches(library: Path) -> Path:
    saved = Library.load(library)
    saved.save_search("LLaMA family", "llama")
    saved.save_search("Agents that decode", "tag:agents decoding")
    saved.set_state(category="saved:LLaMA family")
    saved.save()
    return library


@pytest.mark.parametrize("size", SIZES)
def test_saved_search_chosen(snap_compare, tmp_path, size):
    """The tree's Saved searches node, and the list's header naming the one chosen and its query."""
    app = make_app(_with_saved_searches(tmp_path / "lib.toml"))
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_save_search_dialog(snap_compare, tmp_path):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("slash", "l", "l", "a", "m", "a", "ctrl+s")
        await settle(pilot)

    assert snap_compare(make_app(tmp_path / "lib.toml"), terminal_size=(80, 24), run_before=run_before)


# The other screens, each at 60x20 in English and at 80x24 in Chinese (issue 15 asks for every
# screen at the narrow sizes, and for its labels in Chinese).
DIALOG_KEYS = {
    "help": ["question_mark"],
    "export": ["s", "e"],
    "tags": ["t"],
    "add": ["a"],
    "note": ["n", *"Read **section 3** first."],
    "problems": ["exclamation_mark"],
    "confirm": ["n", "x", "escape"],  # leaving a changed note asks first
}


@pytest.mark.parametrize(
    ("size", "language"),
    [pytest.param((60, 20), "en", id="60x20"), pytest.param((80, 24), "zh", id="80x24-zh")],
)
@pytest.mark.parametrize("dialog", list(DIALOG_KEYS))
def test_dialogs(snap_compare, tmp_path, monkeypatch, dialog, size, language):
    collection = tmp_path / "coll"
    shutil.copytree(shipped("data"), collection)
    (collection / "broken.toml").write_text("[[paper]]" + BROKEN.split("[[paper]]")[2], "utf-8")  # ! lists it
    monkeypatch.chdir(tmp_path)  # relative paths keep the snapshot the same on every machine
    monkeypatch.setattr(main_screen, "documents_folder", lambda: Path("papers"))

    async def run_before(pilot) -> None:
        await settle(pilot)
        if language == "zh":
            await pilot.press("L")
            await settle(pilot)
        pilot.app.clear_notifications()
        for key in DIALOG_KEYS[dialog]:
            await pilot.press(key)
            await settle(pilot)
        pilot.app.clear_notifications()
        for field in pilot.app.screen.query("Input, TextArea"):
            field.cursor_blink = False  # a blinking cursor would be drawn or not by chance
        await settle(pilot)

    app = make_app(tmp_path / "lib.toml", ["coll"])
    assert snap_compare(app, terminal_size=size, run_before=run_before)
