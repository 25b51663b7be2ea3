"""`N`: the note in the user's own editor, the browser handing it the terminal, and the text
merged with what another process saved while the editor was open."""

from __future__ import annotations

import contextlib
import sys
import tempfile
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import TextArea

from paperbrowse.core.library.user_library import Library
from paperbrowse.tui.screens.note_editor import NoteEditor
from tui_support import make_app, notes, run, settle


def editor_script(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "editor.py"
    script.write_text("import os, subprocess, sys\ndraft = sys.argv[-1]\n" + body, encoding="utf-8")
    return script


@pytest.fixture
def handed_over(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The headless test driver cannot suspend: stand in for a terminal that can, and record it."""
    suspended: list[bool] = []

    @contextlib.contextmanager
    def suspend(self: App[object]):  # type: ignore[no-untyped-def]
        suspended.append(True)
        yield

    monkeypatch.setattr(App, "suspend", suspend)
    return suspended


def test_N_runs_the_editor_and_merges_with_a_note_saved_meanwhile(tmp_path: Path, monkeypatch, handed_over) -> None:
    lib_path = tmp_path / "library.toml"
    library = Library.load(lib_path)
    library.append_note("llama", "first line")
    library.set_state(selected="llama")  # the browser opens on it
    library.save()
    # While the editor is open, another process appends a line; the user adds one of their own.
    script = editor_script(
        tmp_path,
        f"subprocess.run([{sys.executable!r}, '-m', 'paperbrowse.cli.main', '--library', {str(lib_path)!r}, 'note', 'llama',"
        " '--append', 'from another process'], check=True)\n"
        "text = open(draft, encoding='utf-8').read()\n"
        "assert text.strip() == 'first line', repr(text)\n"
        "open(draft, 'a', encoding='utf-8').write('\\ntyped in my editor\\n')\n",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(drafts))
    app = make_app(None, lib_path)

    async def scenario(pilot) -> None:
        assert app.screen.current.id == "llama"
        await pilot.press("N")
        await settle(pilot)
        assert handed_over == [True]
        note = app.session.library.note("llama")
        assert note.splitlines() == ["first line", "from another process", "typed in my editor"], note

    run(app, scenario)
    saved = Library.load(lib_path).note("llama")
    assert "typed in my editor" in saved and "from another process" in saved
    assert list(drafts.iterdir()) == []  # the draft is gone once the library holds the text


def test_an_editor_that_fails_changes_nothing_and_names_the_draft(tmp_path: Path, monkeypatch, handed_over) -> None:
    script = editor_script(tmp_path, "open(draft, 'a').write('half a thought')\nsys.exit(3)\n")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        await pilot.press("N")
        await settle(pilot)
        [told] = notes(app, "error")
        assert "exited with status 3" in told and "your draft is kept in" in told
        draft = Path(told.split("kept in ", 1)[1].strip())
        assert draft.read_text(encoding="utf-8").endswith("half a thought")
        draft.unlink()
        assert not app.session.library.unsaved

    run(app, scenario)


def test_without_a_terminal_to_hand_over_it_says_to_use_n(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("EDITOR", "true")
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        await pilot.press("N")
        await settle(pilot)
        assert any("press n instead" in n for n in notes(app, "warning"))

    run(app, scenario)


def test_the_note_editor_highlights_markdown(tmp_path: Path) -> None:
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.query_one(TextArea).language == "markdown"

    run(app, scenario)
