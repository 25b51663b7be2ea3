"""The key table (`tui.keys`) is the one place keys are written: the bindings, the help screen,
the command palette and the README are all made from it, and these tests keep it that way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from paperbrowse.tui import keys
from paperbrowse.tui.screens.add_dialog import AddDialog
from paperbrowse.tui.screens.confirm import Confirm
from paperbrowse.tui.screens.export_dialog import ExportDialog
from paperbrowse.tui.screens.help import HelpScreen
from paperbrowse.tui.screens.main import MainScreen
from paperbrowse.tui.screens.note_editor import NoteEditor
from paperbrowse.tui.screens.problems import ProblemsScreen
from paperbrowse.tui.screens.tags_dialog import TagsDialog
from paperbrowse.tui.widgets.category_tree import CategoryTree
from paperbrowse.tui.widgets.detail_pane import DetailPane
from paperbrowse.tui.widgets.paper_list import PaperList
from paperbrowse.tui.widgets.search_box import SearchBox

README = Path(__file__).resolve().parent.parent / "README.md"
OWNERS = {
    "screen": [MainScreen],
    "search": [SearchBox],
    "list": [PaperList],
    "tree": [CategoryTree],
    "details": [DetailPane],
    "note": [NoteEditor],
    "dialog": [AddDialog, ExportDialog, TagsDialog],
    "confirm": [Confirm],
    "help": [HelpScreen],
    "problems": [ProblemsScreen],
}


def _described(binding) -> tuple[str, str, bool, bool]:
    return (binding.key, binding.action, binding.priority, binding.show)


@pytest.mark.parametrize("scope", sorted(OWNERS))
def test_each_widget_binds_exactly_its_rows_of_the_table(scope) -> None:
    wanted = [_described(b) for b in keys.bindings(scope)]
    assert wanted, scope
    for owner in OWNERS[scope]:
        assert [_described(b) for b in owner.BINDINGS] == wanted, owner


def test_every_bound_key_a_reader_needs_is_in_the_help() -> None:
    """A key bound but not listed by `?` is a key nobody finds."""
    written: set[tuple[str, str]] = set()
    for _, rows in keys.help_groups():
        for key in rows:
            shown = key.written()
            parts = set(shown.split())
            for low, high in re.findall(r"(\d) … (\d)", shown):  # "1 … 5" stands for 1 2 3 4 5
                parts.update(str(n) for n in range(int(low), int(high) + 1))
            written.update((key.scope, part) for part in parts)
    listed = {"screen", "search", "list", "tree", "details", "note"}
    for key in keys.KEYS:
        if not key.bound or key.scope not in listed:
            continue
        for name in key.keys.split(","):
            shown = keys._SHOWN.get(name, name)
            # A row hidden from the help is summed up by a line of its scope, or of the list's
            # (j k in the details and the tree are told where the list's keys are).
            assert (key.scope, shown) in written or ("list", shown) in written, (key.scope, name)


def test_the_palette_offers_actions_the_main_screen_has() -> None:
    entries = keys.palette_entries()
    assert {"Add paper", "Go to the most related paper", "Star / unstar", "Help: every key"} <= {
        k.palette for k in entries
    }
    for key in entries:
        name = key.action.partition("(")[0]
        assert callable(getattr(MainScreen, f"action_{name}", None)), key.action


def test_the_readme_key_table_is_the_tables_own() -> None:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- keys:[^\n]*-->\n(.*?)\n<!-- /keys -->", text, re.DOTALL)
    assert found, "the README lost its key table markers"
    assert found.group(1) == keys.markdown_table(), "run `python -m paperbrowse.tui.keys` and paste its table"


def test_a_binding_id_names_its_scope_and_action_once() -> None:
    ids = [b.id for key in keys.KEYS for b in key.bindings()]
    assert len(ids) == len(set(ids))
    assert all(i and "." in i for i in ids)
