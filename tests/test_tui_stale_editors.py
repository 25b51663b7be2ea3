"""The browser shows and keeps what the library file says while other processes write it (issue 19,
items 1, 3, 4, 9, 10, 11): real keys through Pilot, real `paperbrowse` processes writing meanwhile.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from textual.widgets import Input, Static, TextArea

from paperbrowse.core.library.note_merge import END_MARKER, THEIRS_MARKER
from paperbrowse.core.library.user_library import Library
from paperbrowse.tui.screens.main import MainScreen
from paperbrowse.tui.screens.note_editor import NoteEditor
from paperbrowse.tui.screens.tags_dialog import TagsDialog, join_tags, split_tags, tag_changes
from paperbrowse.tui.widgets import library_watcher
from tui_support import burst, make_app, notes, plain, plist, run, settle

PAPER = "llama"  # in the shipped collection, which `paperbrowse` uses by default too
FAR_FUTURE = "2099-01-01T00:00:00Z"
END_OF_TIME = "9999-12-31T23:59:59.999999Z"


@pytest.fixture
def lib_path() -> Path:
    """The library the conftest points PAPERBROWSE_LIBRARY at: the browser's and `paperbrowse`'s."""
    return Path(os.environ["PAPERBROWSE_LIBRARY"])


def paperbrowse(*argv: str) -> str:
    """Run the installed command as another process, as a user in another terminal would."""
    script = Path(sys.executable).parent / "paperbrowse"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "paperbrowse.cli.main"]
    result = subprocess.run(
        [*command, *argv], capture_output=True, text=True, encoding="utf-8", timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def on_disk(path: Path, paper_id: str = PAPER) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8")).get("papers", {}).get(paper_id, {})


def write_library(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("version = 1\n\n" + textwrap.dedent(body).lstrip(), encoding="utf-8")


def head(app) -> str:
    return plain(app.screen.query_one("#detail-head", Static))


async def select(pilot, paper_id: str = PAPER) -> None:
    pilot.app.screen.select_paper(paper_id)
    await settle(pilot)
    assert plist(pilot.app).current.id == paper_id


async def type_text(pilot, text: str) -> None:
    await burst(pilot, *text)


async def press(pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def quit_app(pilot) -> None:
    await pilot.press("q")
    await pilot.pause()
    assert pilot.app.return_code == 0


# --- 1: the note editor and the tags dialog never start from a stale copy ---------------------------


def test_issue_scenario_cli_writes_then_the_browser_edits_note_and_tags(lib_path):
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        await select(pilot)
        paperbrowse("note", PAPER, "--append", "CLI line")
        paperbrowse("tag", PAPER, "+from-cli")
        await press(pilot, "n")
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.query_one(TextArea).text == "CLI line"  # the editor opens on the file's text
        await press(pilot, "enter")
        await type_text(pilot, "browser words")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, MainScreen)
        await press(pilot, "t")
        assert isinstance(app.screen, TagsDialog)
        assert app.screen.query_one(Input).value == "from-cli"
        await type_text(pilot, ", from-browser")
        await press(pilot, "enter")
        assert "from-cli" in head(app) and "from-browser" in head(app)
        await quit_app(pilot)

    run(app, scenario)
    saved = on_disk(lib_path)
    assert saved["note"] == "CLI line\nbrowser words"
    assert saved["tags"] == ["from-cli", "from-browser"]


def test_cli_writes_while_the_note_editor_and_the_tags_dialog_are_open(lib_path):
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        await select(pilot)
        await press(pilot, "n")
        assert app.screen.query_one(TextArea).text == ""
        paperbrowse("note", PAPER, "--append", "CLI line")  # saved while the editor is open
        await type_text(pilot, "browser words")
        await press(pilot, "ctrl+s")
        assert app.session.library.note(PAPER) == "CLI line\nbrowser words"
        assert not notes(app, "warning")  # two appends: no conflict to tell
        await press(pilot, "t")
        assert app.screen.query_one(Input).value == ""
        paperbrowse("tag", PAPER, "+from-cli")  # saved while the dialog is open
        await type_text(pilot, "from-browser")
        await press(pilot, "enter")
        await quit_app(pilot)

    run(app, scenario)
    saved = on_disk(lib_path)
    assert saved["note"] == "CLI line\nbrowser words"
    assert saved["tags"] == ["from-cli", "from-browser"]


def test_the_same_line_changed_in_the_editor_and_elsewhere_keeps_both_and_says_so(lib_path):
    paperbrowse("note", PAPER, "--text", "the claim")
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        await select(pilot)
        await press(pilot, "n")
        assert app.screen.query_one(TextArea).text == "the claim"
        paperbrowse("note", PAPER, "--text", "their claim")
        await burst(pilot, *["backspace"] * len("the claim"))
        await type_text(pilot, "my claim")
        await press(pilot, "ctrl+s")
        (warning,) = notes(app, "warning")
        assert PAPER in warning and "both versions are kept" in warning
        await quit_app(pilot)

    run(app, scenario)
    note = on_disk(lib_path)["note"]
    assert "their claim" in note and "my claim" in note and THEIRS_MARKER in note and END_MARKER in note


def test_the_browser_shows_what_another_process_saved_without_a_key(lib_path, monkeypatch):
    monkeypatch.setattr(library_watcher, "WATCH_SECONDS", 0.1)
    monkeypatch.setattr(library_watcher, "SHOW_SECONDS", 0.05)
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        await select(pilot)
        assert "☆ not starred" in head(app)
        paperbrowse("star", PAPER)
        paperbrowse("tag", PAPER, "+synced")
        for _ in range(100):
            await pilot.pause(0.05)
            if "★ starred" in head(app) and "synced" in head(app):
                break
        assert "★ starred" in head(app) and "#synced" in head(app)
        assert any("#synced" in str(node.label) for node in app.screen.query_one("#tree").root.children[-1].children)
        await quit_app(pilot)

    run(app, scenario)
    assert on_disk(lib_path)["starred"] is True


# --- 3: a future change time in the file -----------------------------------------------------

FUTURE_UNSTARRED = f"""
    [papers.llama]
    starred = false
    status = "unread"
    [papers.llama.modified]
    starred = {FAR_FUTURE}
"""


def test_s_after_the_file_gained_a_future_time_stars_in_the_file(lib_path):
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        await select(pilot)
        write_library(lib_path, FUTURE_UNSTARRED)  # a sync from a machine whose clock runs fast
        await press(pilot, "s")
        assert "★ starred" in head(app)
        await quit_app(pilot)

    run(app, scenario)
    assert on_disk(lib_path)["starred"] is True


def test_a_future_time_saved_during_the_save_wins_and_the_screen_shows_it(lib_path, monkeypatch):
    """A change no copy had seen before saving is ordered by time; whichever wins, the screen
    ends showing what the file says."""
    from paperbrowse.core.library import user_library

    real_locked = user_library.locked
    written: list[bool] = []

    def another_copy_saves_first(path):
        if not written:
            written.append(True)
            write_library(lib_path, FUTURE_UNSTARRED)
        return real_locked(path)

    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        await select(pilot)
        monkeypatch.setattr(user_library, "locked", another_copy_saves_first)
        await press(pilot, "s")
        for _ in range(40):
            await pilot.pause(0.05)
            if "☆ not starred" in head(app):
                break
        assert "☆ not starred" in head(app)  # the file's value, not the ★ pressed
        assert not plist(app).current or not app.session.library.is_starred(PAPER)
        monkeypatch.undo()
        await quit_app(pilot)

    run(app, scenario)
    assert on_disk(lib_path).get("starred", False) is False


# --- 4: the end of time ------------------------------------------------------------------------


def test_ctrl_s_over_a_change_time_at_the_end_of_time_keeps_the_note(lib_path):
    write_library(
        lib_path,
        f"""
        [papers.llama]
        status = "unread"
        note = "old"
        [papers.llama.modified]
        note = {END_OF_TIME}
        starred = {END_OF_TIME}
        """,
    )
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        await select(pilot)
        await press(pilot, "n")
        await press(pilot, "enter")
        await type_text(pilot, "new words")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, MainScreen)
        await press(pilot, "s")
        assert "★ starred" in head(app)
        await quit_app(pilot)

    run(app, scenario)
    saved = on_disk(lib_path)
    assert saved["note"] == "old\nnew words" and saved["starred"] is True


def test_a_failure_applying_the_note_gives_the_text_back_in_the_editor(lib_path, monkeypatch):
    app = make_app(None, lib_path)
    real_merge = Library.merge_note

    def broken(self, *args, **kwargs):
        raise RuntimeError("a bug")

    async def scenario(pilot) -> None:
        await select(pilot)
        await press(pilot, "n")
        await type_text(pilot, "words I typed")
        monkeypatch.setattr(Library, "merge_note", broken)
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, NoteEditor)  # the app lives, the text is still there
        assert app.screen.query_one(TextArea).text == "words I typed"
        assert any("a bug" in message for message in notes(app, "error"))
        monkeypatch.setattr(Library, "merge_note", real_merge)
        await press(pilot, "ctrl+s")  # unchanged since it came back, and still saved
        assert isinstance(app.screen, MainScreen)
        await quit_app(pilot)

    run(app, scenario)
    assert on_disk(lib_path)["note"] == "words I typed"


# --- 9: a read-only library ------------------------------------------------------------------------


def test_a_read_only_library_opens_read_only_with_its_banner(lib_path):
    paperbrowse("note", PAPER, "--text", "frozen")
    lib_path.chmod(0o444)
    before = lib_path.read_bytes()
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        banner = plain(app.screen.query_one("#banner"))
        assert "Read-only" in banner and str(lib_path) in banner and "0444" in banner
        await select(pilot)
        await press(pilot, "s")
        errors = notes(app, "error")
        assert errors and "read-only" in errors[-1]
        assert "☆ not starred" in head(app)
        await quit_app(pilot)

    try:
        run(app, scenario)
        assert lib_path.read_bytes() == before
    finally:
        lib_path.chmod(0o644)


# --- 10: a backup that cannot be written ---------------------------------------------------------


def test_a_backup_folder_does_not_block_saving_nor_quitting(lib_path):
    paperbrowse("star", "gptq")
    backup = lib_path.with_name(lib_path.name + ".bak")
    backup.unlink(missing_ok=True)
    backup.mkdir()
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        await select(pilot)
        await press(pilot, "s")
        for _ in range(200):  # the notice comes with the next look at the library: later when busy
            if notes(app, "warning"):
                break
            await pilot.pause(0.05)
        await settle(pilot)
        (warning,) = notes(app, "warning")
        assert str(backup) in warning
        assert not notes(app, "error")
        assert on_disk(lib_path)["starred"] is True  # saved already, before any quit
        await press(pilot, "n")
        await type_text(pilot, "kept")
        await press(pilot, "ctrl+s")
        await quit_app(pilot)  # one q: nothing is left unsaved

    run(app, scenario)
    assert on_disk(lib_path)["note"] == "kept" and backup.is_dir()


# --- 11: tags are separated by commas and keep their spaces and `#` -----------------------------------


def test_tags_keep_their_spaces_and_hash_and_are_shown_comma_separated(lib_path):
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        await select(pilot)
        await press(pilot, "t")
        await type_text(pilot, '"machine learning", "#1-priority", extra')
        await press(pilot, "enter")
        assert app.session.library.user_tags(PAPER) == ("machine learning", "#1-priority", "extra")
        await press(pilot, "t")
        assert app.screen.query_one(Input).value == "machine learning, #1-priority, extra"
        await type_text(pilot, ", deep nets")  # without quotes too
        await press(pilot, "enter")
        await quit_app(pilot)

    run(app, scenario)
    assert on_disk(lib_path)["tags"] == ["machine learning", "#1-priority", "extra", "deep nets"]


def test_a_tag_holding_a_comma_is_quoted_and_survives_an_edit(lib_path):
    paperbrowse("tag", PAPER, "+a, b", "+  two  spaces ")
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        await select(pilot)
        await press(pilot, "t")
        assert app.screen.query_one(Input).value == '"a, b", two spaces'
        await type_text(pilot, ", c")
        await press(pilot, "enter")
        await quit_app(pilot)

    run(app, scenario)
    assert on_disk(lib_path)["tags"] == ["a, b", "two  spaces", "c"]  # untouched tags as stored


def test_tag_line_parsing():
    assert split_tags("machine learning, #1-priority, extra") == ["machine learning", "#1-priority", "extra"]
    assert split_tags(' "a, b" ,, c ') == ["a, b", "c"]
    assert split_tags("") == [] and split_tags(" , ") == []
    assert split_tags(join_tags(["a, b", '"quoted"', "plain"])) == ["a, b", '"quoted"', "plain"]
    changes = tag_changes(["ml", "keep"], "ML, keep, new one")
    assert changes.add == ("ML", "new one") and changes.remove == ("ml",)
