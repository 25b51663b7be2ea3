"""Pilot tests of what the browser promises about your library and untrusted records:

- a library file that cannot be read opens read-only, says so, and is never written;
- a save that fails keeps the change on screen and in memory, says so, and is retried;
- another copy's changes saved meanwhile are merged, not clobbered;
- record text (titles, categories, tags, notes) is shown literally, never run as markup.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.widgets import Markdown, Static
from textual.widgets.markdown import MarkdownBlock

from conftest import write_text
from paperbrowse.core.library.user_library import Library
from paperbrowse.tui.screens.main import MainScreen
from paperbrowse.tui.widgets.category_tree import CategoryTree
from paperbrowse.tui.widgets.paper_list import PaperList
from paperbrowse.tui.widgets.save_status import SaveStatus
from tui_support import burst, list_rows, make_app, notes, opened, plain, plist, run, settle

FIRST = "lookahead-decoding"  # the first row of the shipped collection


def recording(app, calls: dict[str, list]):
    app.open_url = lambda url, **_: calls.setdefault("open_url", []).append(url)
    app.open_target = lambda target, command=None: opened(calls.setdefault("open_url", []), target)
    app.copy_to_clipboard = lambda text: calls.setdefault("clipboard", []).append(text)
    return app


def head_text(app) -> str:
    return plain(app.screen.query_one("#detail-head", Static))


def tree_labels(app) -> list[str]:
    tree = app.screen.query_one(CategoryTree)
    labels: list[str] = []

    def walk(node) -> None:
        for child in node.children:
            labels.append(child.label.plain)
            walk(child)

    walk(tree.root)
    return labels


def folder_listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ---------------------------------------------------------------------------------------------
# A library file that cannot be read: read-only, with a banner, never written.
# ---------------------------------------------------------------------------------------------


def test_corrupt_library_opens_read_only_and_is_never_written(tmp_path: Path) -> None:
    folder = tmp_path / "[on red]my lib"  # markup in the path is shown, not run
    folder.mkdir()
    lib_path = folder / "library.toml"
    text = 'version = 1\n\n[papers.gptq]\nstatus = "read"\nstarred = "yes"\n'
    lib_path.write_text(text, encoding="utf-8")
    before = lib_path.read_bytes()
    calls: dict[str, list] = {}
    app = recording(make_app(None, lib_path), calls)

    async def scenario(pilot) -> None:
        assert app.session.library.read_only
        banner = plain(app.screen.query_one("#banner"))
        assert f"{lib_path}:5" in banner  # the file and the line of the bad value
        assert "starred" in banner and "Read-only" in banner
        # The papers are all there to read.
        assert len(plist(app).papers) == 26
        # s is refused with an error and changes nothing on screen.
        await pilot.press("s")
        await settle(pilot)
        errors = notes(app, "error")
        assert errors and "read-only" in errors[0] and str(lib_path) in errors[0]
        assert not list_rows(plist(app))[0].startswith("★")
        assert "☆ not starred" in head_text(app)
        assert "Starred  0" in tree_labels(app)
        # So are the other changing keys; their dialogs do not even open.
        for key in ("r", "n", "t"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, MainScreen), key
        assert app.session.library.status(FIRST) == "unread"
        assert len(notes(app, "error")) >= 4
        # Moving and reading still work, and q quits at once.
        await pilot.press("j", "enter", "q")
        await pilot.pause()

    run(app, scenario)
    assert app.return_code == 0
    assert lib_path.read_bytes() == before
    assert folder_listing(folder) == ["library.toml"]  # no backup, no temporary file


def test_o_on_a_read_only_library_opens_the_link(tmp_path: Path) -> None:
    lib_path = tmp_path / "library.toml"
    lib_path.write_text("version = 99\n", encoding="utf-8")  # a newer format: read-only
    calls: dict[str, list] = {}
    app = recording(make_app(None, lib_path), calls)

    async def scenario(pilot) -> None:
        assert "newer paperbrowse" in plain(app.screen.query_one("#banner"))
        await pilot.press("o", "y")
        await settle(pilot)
        assert len(calls["open_url"]) == 1 and calls["open_url"][0].startswith("https://")
        assert len(calls["clipboard"]) == 1  # copying needs no library
        await pilot.press("q")

    run(app, scenario)
    assert lib_path.read_text(encoding="utf-8") == "version = 99\n"


# ---------------------------------------------------------------------------------------------
# A save that fails.
# ---------------------------------------------------------------------------------------------


def test_failed_save_keeps_the_change_visible_and_retries(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("paperbrowse.tui.widgets.save_status.FIRST_RETRY", 0.2)
    folder = tmp_path / "data-folder"
    lib_path = folder / "library.toml"
    calls: dict[str, list] = {}
    app = recording(make_app(None, lib_path), calls)

    async def scenario(pilot) -> None:
        assert not app.session.library.read_only
        folder.write_text("a file where the library's folder should be", encoding="utf-8")
        await pilot.press("s")
        await settle(pilot)
        errors = notes(app, "error")
        assert errors, notes(app)
        assert "Not saved" in errors[0] and str(lib_path) in errors[0]
        # The change stays on screen and in memory.
        assert list_rows(plist(app))[0].startswith("★")
        assert "★ starred" in head_text(app)
        assert "Starred  1" in tree_labels(app)
        assert app.session.library.unsaved
        assert app.session.library.is_starred(FIRST)
        # Once the folder can be made, the retry saves the change.
        folder.unlink()
        for _ in range(30):  # the retry timer fires every 0.2 s here (5 s in real use)
            await pilot.pause(0.1)
            await settle(pilot)
            if not app.session.library.unsaved:
                break
        assert not app.session.library.unsaved
        assert tomllib.loads(lib_path.read_text(encoding="utf-8"))["papers"][FIRST]["starred"] is True

    run(app, scenario)


def test_changes_during_an_outage_wait_for_the_one_retry_and_are_told_once(tmp_path: Path, monkeypatch) -> None:
    """Five changes while saving fails: one attempt, one notification, one line that stays;
    the changes wait for the pending retry instead of starting attempts of their own (47
    attempts and 76 toasts in two seconds, before)."""
    monkeypatch.setattr("paperbrowse.tui.widgets.save_status.FIRST_RETRY", 60.0)
    folder = tmp_path / "data-folder"
    lib_path = folder / "library.toml"
    app = recording(make_app(None, lib_path), {})
    attempts: list[int] = []

    async def scenario(pilot) -> None:
        library = app.session.library
        real_save = library.save

        def counted() -> None:
            attempts.append(1)
            real_save()

        library.save = counted
        folder.write_text("a file where the library's folder should be", encoding="utf-8")
        await pilot.press("s", "r", "j", "s", "r", "j", "s")
        await settle(pilot)
        status = app.screen.query_one(SaveStatus)
        assert status.display and "Not saved" in plain(status) and str(lib_path) in plain(status)
        assert len(notes(app, "error")) == 1, notes(app)
        assert len(attempts) == 1
        assert library.unsaved

    run(app, scenario)


def test_a_failing_save_retries_later_each_time_then_saves_everything(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("paperbrowse.tui.widgets.save_status.FIRST_RETRY", 0.05)
    monkeypatch.setattr("paperbrowse.tui.widgets.save_status.LAST_RETRY", 0.2)
    folder = tmp_path / "data-folder"
    lib_path = folder / "library.toml"
    app = recording(make_app(None, lib_path), {})
    delays: list[float] = []

    async def scenario(pilot) -> None:
        library = app.session.library
        status = app.screen.query_one(SaveStatus)
        set_timer = status.set_timer

        def recorded(delay, *args, **kwargs):
            delays.append(delay)
            return set_timer(delay, *args, **kwargs)

        status.set_timer = recorded
        folder.write_text("a file where the library's folder should be", encoding="utf-8")
        await pilot.press("s", "j", "s", "j", "s")
        for _ in range(100):  # however busy the machine, until five retries were scheduled
            await pilot.pause(0.05)
            if len(delays) >= 5:
                break
        assert delays[:5] == [0.05, 0.1, 0.2, 0.2, 0.2]  # doubling, up to the last
        assert len(notes(app, "error")) == 1, notes(app)
        folder.unlink()
        for _ in range(100):
            await pilot.pause(0.05)
            if not library.unsaved:
                break
        await settle(pilot)
        assert not library.unsaved and not status.display
        assert [n for n in notes(app) if n.startswith("Saved")] == ["Saved: Your changes are saved now."]
        saved = tomllib.loads(lib_path.read_text(encoding="utf-8"))["papers"]
        assert sum(1 for entry in saved.values() if entry.get("starred")) == 3

    run(app, scenario)


def test_failed_save_on_quit_warns_once_then_quits_keeping_a_rescue_copy(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("paperbrowse.tui.widgets.save_status.FIRST_RETRY", 60.0)
    folder = tmp_path / "data-folder"
    lib_path = folder / "library.toml"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # The library's own folder is a file now, so the copy goes to the next place.
    monkeypatch.setattr("paperbrowse.core.library.rescue.rescue_places", lambda library: [library.parent, elsewhere])
    app = recording(make_app(None, lib_path), {})

    async def scenario(pilot) -> None:
        folder.write_text("not a folder", encoding="utf-8")
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, MainScreen)
        assert any("q again" in n for n in notes(app, "error"))
        assert app.session.library.unsaved
        statuses.append(app.screen.query_one(SaveStatus))
        await pilot.press("q")
        await pilot.pause()

    statuses: list[SaveStatus] = []
    run(app, scenario)
    assert app.return_code == 1  # quit with the library unsaved
    assert folder.is_file()
    [copy] = elsewhere.glob("library.unsaved-*.toml")
    kept = tomllib.loads(copy.read_text(encoding="utf-8"))["papers"]
    assert sum(1 for entry in kept.values() if entry.get("starred")) == 1
    assert copy.stat().st_mode & 0o777 == 0o600
    farewell = statuses[0].farewell  # printed on the terminal once the app is gone
    assert str(copy) in farewell and "PAPERBROWSE_LIBRARY=" in farewell


def test_a_change_saved_by_another_copy_is_merged_not_clobbered(tmp_path: Path) -> None:
    lib_path = tmp_path / "library.toml"
    app = recording(make_app(None, lib_path), {})

    async def scenario(pilot) -> None:
        other = Library.load(lib_path)  # `paperbrowse tag gptq +later` in another terminal
        other.edit_tags("gptq", add=["later"])
        other.set_note("medusa", "from the other copy")
        other.save()
        await pilot.press("s", "r")
        await settle(pilot)
        await pilot.press("q")

    run(app, scenario)
    saved = tomllib.loads(lib_path.read_text(encoding="utf-8"))
    assert saved["papers"]["gptq"]["tags"] == ["later"]
    assert saved["papers"]["medusa"]["note"] == "from the other copy"
    assert saved["papers"][FIRST]["starred"] is True
    assert saved["papers"][FIRST]["status"] == "reading"
    assert saved["state"]["selected"] == FIRST


# ---------------------------------------------------------------------------------------------
# Hostile record text.
# ---------------------------------------------------------------------------------------------

# Written with TOML escapes: \u001b is a real ESC in the loaded title.
HOSTILE_TITLE_TOML = r"[b]bold[/b] [link=file:///etc/passwd]x[/link] [@click=app.quit]q[/] \u001b[31mred"
HOSTILE_TITLE = "[b]bold[/b] [link=file:///etc/passwd]x[/link] [@click=app.quit]q[/] \\e[31mred"  # as shown
HOSTILE_CATEGORY = "[b]cat[/b] [@click=app.quit]go[/]"

HOSTILE_DATA = f'''
[[category]]
id = "evil"
name = "{HOSTILE_CATEGORY}"

[[paper]]
id = "evil-paper"
title = "{HOSTILE_TITLE_TOML}"
authors = ["[i]Mallory[/i]"]
date = 2023-05-01
category = "evil"
orgs = ["[@click=app.quit]Org[/]"]
url = "https://example.org/evil"
tags = ["[u]tag[/u]"]
summary = "Summary with [bold red]markup[/bold red] and [@click=app.quit]a link[/]."
'''

HOSTILE_LIBRARY = """
version = 1

[papers.evil-paper]
status = "reading"
note = "A note with [red]x[/red] and [@click=app.quit]quit[/]"
"""


def test_hostile_record_text_is_shown_literally_and_never_acts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_text(data / "evil.toml", HOSTILE_DATA)
    lib_path = tmp_path / "library.toml"
    write_text(lib_path, HOSTILE_LIBRARY)
    calls: dict[str, list] = {}
    app = recording(make_app([data], lib_path), calls)

    async def scenario(pilot) -> None:
        assert app.session.catalog.problems == []
        assert "\x1b" in app.session.catalog.by_id["evil-paper"].title
        # The list row: brackets literal, ESC made visible.
        row = list_rows(plist(app))[0]
        assert "[b]bold[/b]" in row and "\x1b" not in row
        assert row.lstrip("★ ").startswith("◐ [b]bold[/b] [link=file:///")
        # The details: the whole title, the category, orgs, authors, tags, summary.
        head = head_text(app)
        assert HOSTILE_TITLE in head
        assert HOSTILE_CATEGORY in head
        assert "[i]Mallory[/i]" in head and "[@click=app.quit]Org[/]" in head and "#[u]tag[/u]" in head
        body = plain(app.screen.query_one("#detail-body", Static))
        assert "[bold red]markup[/bold red]" in body and "[@click=app.quit]a link[/]" in body
        # The tree: category and tag names literal.
        labels = tree_labels(app)
        assert f"{HOSTILE_CATEGORY}  1" in labels
        assert "#[u]tag[/u]  1" in labels
        # The note, rendered as Markdown, keeps its brackets.
        note = app.screen.query_one("#detail-note", Markdown)
        assert note.display
        note_text = "\n".join(plain(block) for block in note.query(MarkdownBlock))
        assert "[red]x[/red]" in note_text and "[@click=app.quit]quit[/]" in note_text
        # Clicking on all of it runs nothing: no quit, no link opened.
        q_column = HOSTILE_TITLE.index("]q[") + 1
        await pilot.click("#detail-head", offset=(q_column, 0))
        await pilot.click("#detail-head", offset=(HOSTILE_TITLE.index("]x[") + 1, 0))
        row_column = min(3 + q_column, plist(app).size.width - 10)  # a row: ★, mark, space, title
        await pilot.click(PaperList, offset=(row_column, 0))
        # (A double click on a row is left out: it crashes on any row, see test_tui_keys.)
        await pilot.click("#detail-note", offset=(2, 0))
        await settle(pilot)
        tree = app.screen.query_one(CategoryTree)
        category_line = next(i for i, label in enumerate(labels) if label.startswith(HOSTILE_CATEGORY))
        await pilot.click(CategoryTree, offset=(4, category_line))
        await settle(pilot)
        assert app.is_running and app.return_code is None
        assert calls.get("open_url", []) == []
        assert tree.cursor_node is not None
        # A tag with markup typed by the user is literal too.
        app.screen.set_focus(plist(app))
        await pilot.press("t")
        await settle(pilot)
        await burst(pilot, *"[b]mine[/b]")
        await pilot.press("enter")
        await settle(pilot)
        assert "#[b]mine[/b]  1" in tree_labels(app)
        assert "#[b]mine[/b]" in head_text(app)
        assert app.is_running

    run(app, scenario)
    saved = tomllib.loads(lib_path.read_text(encoding="utf-8"))
    assert saved["papers"]["evil-paper"]["tags"] == ["[b]mine[/b]"]


def test_markup_in_the_query_is_text(tmp_path: Path) -> None:
    app = recording(make_app(None, tmp_path / "library.toml"), {})

    async def scenario(pilot) -> None:
        await pilot.press("slash")
        await burst(pilot, *"[@click=app.quit]x[b] nosuch:field")
        assert app.screen.query_one("#search").value == "[@click=app.quit]x[b] nosuch:field"
        count = plain(app.screen.query_one("#count"))
        # The header names the query, as text, and the hint is shown, as text.
        assert count.startswith("[@click=app.quit]x[b] nosuch:field · 0 of")
        assert plain(app.screen.query_one("#hint")).startswith("⚠")
        await pilot.click("#count", offset=(3, 0))  # on the query, which holds [@click=app.quit]
        await settle(pilot)
        assert app.is_running and app.return_code is None

    run(app, scenario)
