"""`u` and `ctrl+r`: undo and redo every change made in the session, through the same safe save,
without taking back what another process saved meanwhile."""

from __future__ import annotations

from pathlib import Path

from paperbrowse.core.library.user_library import Library
from paperbrowse.tui import undo
from tui_support import make_app, notes, run, settle


def on_llama(tmp_path: Path):
    lib_path = tmp_path / "library.toml"
    library = Library.load(lib_path)
    library.set_state(selected="llama")
    library.save()
    return make_app(None, lib_path), lib_path


def test_u_takes_back_a_star_and_a_status_and_ctrl_r_does_them_again(tmp_path: Path) -> None:
    app, lib_path = on_llama(tmp_path)

    async def scenario(pilot) -> None:
        library = app.session.library
        await pilot.press("s", "r", "r")
        await settle(pilot)
        assert library.is_starred("llama") and library.status("llama") == "read"
        await pilot.press("u")
        await settle(pilot)
        assert library.status("llama") == "reading"
        await pilot.press("u", "u")
        await settle(pilot)
        assert not library.is_starred("llama") and library.status("llama") == "unread"
        assert any("Undid: star of llama" in n for n in notes(app))
        await pilot.press("u")
        await settle(pilot)
        assert any("Nothing to undo" in n for n in notes(app))
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert library.is_starred("llama")
        await pilot.press("q")

    run(app, scenario)
    saved = Library.load(lib_path)  # the same safe save as every change
    assert saved.is_starred("llama") and saved.status("llama") == "unread"


def test_undoing_a_note_keeps_what_another_process_changed_meanwhile(tmp_path: Path) -> None:
    app, lib_path = on_llama(tmp_path)
    start = Library.load(lib_path)
    start.set_note("llama", "first line\n\nsecond\n\nthird")
    start.save()

    async def scenario(pilot) -> None:
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("enter", *"mine", "ctrl+s")
        await settle(pilot)
        assert app.session.library.note("llama").endswith("third\nmine")
        other = Library.load(lib_path)
        other.set_note("llama", other.note("llama").replace("first line", "FIRST line"))
        other.save()
        await pilot.press("u")
        await settle(pilot)
        assert app.session.library.note("llama") == "FIRST line\n\nsecond\n\nthird"

    run(app, scenario)


def test_undoing_tags_removes_only_what_the_change_added(tmp_path: Path) -> None:
    lib_path = tmp_path / "library.toml"
    library = Library.load(lib_path)
    library.set_tags("llama", ["kept"])
    library.save()
    before = undo.values(library, "llama")
    library.edit_tags("llama", add=["new"], remove=["kept"])
    done = undo.change("llama", before, undo.values(library, "llama"))
    assert done is not None and set(done.before) == {"tags"}
    library.edit_tags("llama", add=["theirs"])  # someone else, after the change
    stack = undo.UndoStack()
    stack.record(done)
    stack.undo(library)
    assert sorted(library.user_tags("llama")) == ["kept", "theirs"]
    stack.redo(library)
    assert sorted(library.user_tags("llama")) == ["new", "theirs"]


def test_a_change_that_changes_nothing_is_not_recorded() -> None:
    assert undo.change("x", {"starred": True}, {"starred": True}) is None


def test_undoing_an_attached_pdf_forgets_it_and_keeps_the_file(tmp_path: Path) -> None:
    lib_path = tmp_path / "library.toml"
    library = Library.load(lib_path)
    before = undo.values(library, "llama")
    library.set_pdf("llama", str(tmp_path / "llama.pdf"))
    stack = undo.UndoStack()
    stack.record(undo.change("llama", before, undo.values(library, "llama")))
    assert stack.undo(library) is not None and library.pdf("llama") == ""
    assert stack.redo(library) is not None and library.pdf("llama") == str(tmp_path / "llama.pdf")
