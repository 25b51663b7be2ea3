"""Saved searches in the browser (issue 15), pressing real keys: `ctrl+s` names the search, the
tree's Saved searches node lists it, choosing it fills the list and names it in the header, back
returns, `d` deletes it after asking, `r` renames it, and a restart keeps them. Also `ctrl+i`."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Label

from paperbrowse.core.library.user_library import Library
from paperbrowse.tui.screens.confirm import Confirm
from paperbrowse.tui.screens.name_dialog import NameDialog
from paperbrowse.tui.widgets.category_tree import SAVED_BRANCH, CategoryTree
from paperbrowse.tui.widgets.library_watcher import LibraryWatcher
from tui_support import SHIPPED_COUNT, burst, make_app, notes, plain, plist, run, settle


def header(app) -> str:
    return plain(app.screen.query_one("#count"))


def tree_lines(app) -> list[str]:
    tree = app.screen.query_one(CategoryTree)
    return [str(tree.get_node_at_line(line).label) for line in range(tree.last_line + 1)]


def saved_names(app) -> list[str]:
    tree = app.screen.query_one(CategoryTree)
    branch = next((n for n in tree.root.children if str(n.label) == SAVED_BRANCH), None)
    return [] if branch is None else [n.data.label for n in branch.children]


async def to_node(pilot, label: str) -> None:
    """Into the tree (`c`), then down with `j` to the node whose label starts with `label`."""
    app = pilot.app
    tree = app.screen.query_one(CategoryTree)
    if app.focused is not tree:
        await pilot.press("c")
    await pilot.press("g")
    for _ in range(tree.last_line + 1):
        if str(tree.cursor_node.label).startswith(label):
            await settle(pilot)
            return
        await pilot.press("j")
    raise AssertionError(f"no node {label!r} in {tree_lines(app)}")


def library_of(tmp_path: Path) -> Library:
    return Library.load(tmp_path / "library.toml")


def test_ctrl_s_names_the_search_and_the_tree_lists_it_and_back_returns(tmp_path: Path) -> None:
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        assert SAVED_BRANCH not in tree_lines(app)  # none yet: no empty branch
        await pilot.press("slash")
        await burst(pilot, *"llama")
        found = [p.id for p in plist(app).papers]
        assert 0 < len(found) < SHIPPED_COUNT
        await pilot.press("ctrl+s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, NameDialog)
        assert dialog.query_one(Input).value == "llama"  # prefilled with the query
        assert plain(dialog.query_one("#query", Label)) == "Query: llama"
        await burst(pilot, *"LLaMA family", "enter")  # typing replaces the prefilled name
        await settle(pilot)
        assert saved_names(app) == ["LLaMA family"]
        assert any("Saved search “LLaMA family”" in note for note in notes(app))
        assert library_of(tmp_path).saved_searches() == {"LLaMA family": "llama"}  # saved on disk
        # Clear the search, then choose the saved node in the tree: the list shows its papers.
        await pilot.press("escape")
        await settle(pilot)
        assert len(plist(app).papers) == SHIPPED_COUNT
        await to_node(pilot, "LLaMA family")
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused is plist(app)
        assert [p.id for p in plist(app).papers] == found
        assert header(app).startswith(f"LLaMA family: llama · {len(found)} of {SHIPPED_COUNT} papers")
        await pilot.press("backspace")
        await settle(pilot)
        assert app.screen.node.key == "all" and len(plist(app).papers) == SHIPPED_COUNT
        await pilot.press("alt+right")
        await settle(pilot)
        assert app.screen.node.key == "saved:LLaMA family"
        assert [p.id for p in plist(app).papers] == found

    run(app, scenario)


def test_escape_cancels_and_a_taken_name_asks_before_replacing(tmp_path: Path) -> None:
    library = library_of(tmp_path)
    library.save_search("mine", "cat:agents")
    library.save()
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        await pilot.press("slash")
        await burst(pilot, *"moe")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, NameDialog)
        assert saved_names(app) == ["mine"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("ctrl+u")  # the Input's own key: clear the prefilled name
        await burst(pilot, *"mine", "enter")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        assert "A saved search “mine” exists (cat:agents). Replace it?" in plain(app.screen.query_one(Label))
        await pilot.press("n")
        await settle(pilot)
        assert library_of(tmp_path).saved_search("mine") == "cat:agents"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("ctrl+u")
        await burst(pilot, *"mine", "enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert library_of(tmp_path).saved_search("mine") == "moe"

    run(app, scenario)


def test_a_bad_name_is_told_in_the_dialog(tmp_path: Path) -> None:
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        await pilot.press("slash")
        await burst(pilot, *"moe")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("ctrl+u", "space", "enter")
        await settle(pilot)
        assert isinstance(app.screen, NameDialog)
        assert plain(app.screen.query_one("#name-error", Label)) == "A saved search needs a name."
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")  # out of the search, to the list: nothing typed, nothing to save
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, NameDialog)
        assert any("there is no search to save" in note for note in notes(app))

    run(app, scenario)


def test_the_node_and_the_query_are_saved_together(tmp_path: Path) -> None:
    library = library_of(tmp_path)
    library.set_state(category="cat:agents")
    library.save()
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        await pilot.press("slash")
        await burst(pilot, *"tool", "enter")
        shown = [p.id for p in plist(app).papers]
        await pilot.press("ctrl+s")  # from the list, too
        await settle(pilot)
        await burst(pilot, *"agent tools", "enter")
        await settle(pilot)
        assert library_of(tmp_path).saved_search("agent tools") == "cat:agents tool"
        # The tree, shown again with the new node, keeps its cursor where it was: on the node
        # the list still shows (it fell back to All papers, and the list with it, before).
        assert app.screen.query_one(CategoryTree).cursor_node.data.key == "cat:agents"
        assert app.screen.node.key == "cat:agents" and [p.id for p in plist(app).papers] == shown
        await pilot.press("escape")
        await to_node(pilot, "agent tools")
        await pilot.press("enter")
        await settle(pilot)
        assert [p.id for p in plist(app).papers] == shown

    run(app, scenario)


def test_d_deletes_after_asking_r_renames_and_a_restart_keeps_them(tmp_path: Path) -> None:
    library = library_of(tmp_path)
    library.save_search("first", "llama")
    library.save_search("second", "cat:agents")
    library.set_state(category="saved:second")  # where the last session ended
    library.save()
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        assert app.screen.node.key == "saved:second"
        assert header(app).startswith("second: cat:agents · ")
        assert saved_names(app) == ["first", "second"]
        await to_node(pilot, "first")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")  # kept
        await settle(pilot)
        assert saved_names(app) == ["first", "second"]
        await pilot.press("delete", "y")
        await settle(pilot)
        assert saved_names(app) == ["second"]
        assert library_of(tmp_path).saved_searches() == {"second": "cat:agents"}
        await pilot.press("u")  # undone like any change to the library
        await settle(pilot)
        assert saved_names(app) == ["first", "second"]
        assert "Undid: saved search “first”" in notes(app)
        assert library_of(tmp_path).saved_search("first") == "llama"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert saved_names(app) == ["second"]
        assert library_of(tmp_path).saved_search("first") is None
        await to_node(pilot, "second")
        await pilot.press("enter")  # shown in the list ...
        await settle(pilot)
        await pilot.press("S")  # sorted by date: the order goes with the search when renamed
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("r")  # ... and renamed there
        await settle(pilot)
        assert isinstance(app.screen, NameDialog)
        assert app.screen.query_one(Input).value == "second"
        await burst(pilot, *"agents", "enter")
        await settle(pilot)
        assert saved_names(app) == ["agents"]
        assert app.screen.node.key == "saved:agents"
        assert header(app).startswith("agents: cat:agents · ")
        assert "by date" in header(app)
        assert library_of(tmp_path).saved_searches() == {"agents": "cat:agents"}
        # `r` on another node is the reading status's key, as everywhere.
        await to_node(pilot, "All papers")
        status = library_of(tmp_path).status(plist(app).current.id)
        await pilot.press("r")
        await settle(pilot)
        assert not isinstance(app.screen, NameDialog)
        assert app.screen.session.library.status(plist(app).current.id) != status
        await pilot.press("q")

    run(app, scenario)
    again = make_app(None, tmp_path / "library.toml")

    async def restarted(pilot) -> None:
        assert saved_names(again) == ["agents"]
        assert again.screen.node.key == "all"

    run(again, restarted)


def test_a_search_saved_or_deleted_by_another_copy_shows_in_the_tree(tmp_path: Path) -> None:
    app = make_app(None, tmp_path / "library.toml")

    async def look(pilot) -> None:
        watcher = app.screen.query_one(LibraryWatcher)
        watcher.look()  # what its timer does every few seconds
        await settle(pilot)
        watcher.show_news()
        await settle(pilot)

    async def scenario(pilot) -> None:
        other = library_of(tmp_path)  # the command line, or a second browser
        other.save_search("theirs", "moe")
        other.save()
        await look(pilot)
        assert saved_names(app) == ["theirs"]
        other.delete_search("theirs")
        other.save()
        await look(pilot)
        assert SAVED_BRANCH not in tree_lines(app)

    run(app, scenario)


def test_names_and_queries_are_shown_literally(tmp_path: Path) -> None:
    library = library_of(tmp_path)
    library.save_search("[b]bold[/b] $var", "[red]x")
    library.save()
    # Written by hand (the commands refuse it): shown with escapes, never obeyed.
    path = tmp_path / "library.toml"
    evil = '\n[saved_searches."evil\\u001b[31m"]\nquery = "x\\u202ey"\nmodified = 2026-01-01T00:00:00Z\n'
    path.write_text(path.read_text(encoding="utf-8") + evil, encoding="utf-8")
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        assert "[b]bold[/b] $var  [red]x" in tree_lines(app)
        assert "evil\\e[31m  x<U+202E>y" in tree_lines(app)
        await to_node(pilot, "[b]bold")
        await pilot.press("enter")
        await settle(pilot)
        assert header(app).startswith("[b]bold[/b] $var: [red]x · ")
        await to_node(pilot, "evil")
        await pilot.press("d")
        await settle(pilot)
        assert "Delete the saved search “evil\\e[31m” (x<U+202E>y)?" in plain(app.screen.query_one(Label))
        await pilot.press("y")
        await settle(pilot)
        assert list(library_of(tmp_path).saved_searches()) == ["[b]bold[/b] $var"]

    run(app, scenario)


def test_ctrl_i_goes_forward_where_the_terminal_tells_it_from_tab(tmp_path: Path) -> None:
    """With the kitty keyboard protocol Textual receives `ctrl+i` apart from `tab`; `tab` still
    moves the focus, as in a terminal where the two are one byte."""
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        await pilot.press("slash")
        await burst(pilot, *"llama", "enter")
        await pilot.press("backspace")
        await settle(pilot)
        assert app.screen.search_box.value == ""
        focused = app.focused
        await pilot.press("tab")
        await settle(pilot)
        assert app.focused is not focused and app.screen.search_box.value == ""
        await pilot.press("ctrl+i")
        await settle(pilot)
        assert app.screen.search_box.value == "llama"

    run(app, scenario)
