"""Every key of the browser, in one table: the bindings, the help screen, the command palette
and the README's key table are all made from it, so none of them can drift from the others.

`python -m paperbrowse.tui.keys` prints the README's table (a test checks that the README
holds exactly that).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from textual.binding import Binding, BindingType

# Where a key acts: the main screen, one of its widgets, or a dialog.
Scope = Literal["screen", "search", "list", "tree", "details", "note", "dialog", "confirm", "help", "problems"]

# How a Textual key name is written for people.
_SHOWN = {
    "slash": "/",
    "question_mark": "?",
    "exclamation_mark": "!",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "alt+left": "alt+←",
    "alt+right": "alt+→",
    "backspace": "⌫",
    "asterisk": "*",
}


@dataclass(frozen=True, slots=True)
class Key:
    keys: str  # Textual key names, comma-separated: "down,j"
    action: str  # the action the keys run, in the scope's namespace; "{n}" stands for the key's digit
    label: str  # the footer's word
    help: str  # what the help screen and the README say
    group: str  # the help screen's and the README's section
    scope: Scope
    shown: str = ""  # the keys as the help writes them, when the key names alone would not do
    more: str = ""  # what the README adds to `help`
    footer: bool = False  # shown in the footer
    palette: str = ""  # offered in the command palette under this title
    # Keys that move the focus (to the search, into a dialog) act before the next key of a burst
    # is routed, so that "/spec⏎s" types "spec" into the box and stars the first hit. A
    # focused Input or TextArea still gets these letters: Textual drops a binding for a key
    # that the focused widget consumes.
    priority: bool = False
    # False: a key Textual binds itself (tab, ctrl+p), or a line of the help that sums up keys
    # bound one by one in the rows below it (those rows are then not `listed`).
    bound: bool = True
    listed: bool = True  # in the help screen and the README

    @property
    def id(self) -> str:
        """A stable name for the binding (keymaps will use it): `screen.star`, `confirm.answer.true`."""
        name, _, argument = self.action.partition("(")
        name = name.removeprefix("screen.")  # a list key run by the screen: `list.toggle_mark`
        argument = argument.rstrip(")").lower()
        return f"{self.scope}.{name}" + (f".{argument}" if argument and "{" not in argument else "")

    def written(self) -> str:
        """The keys as people write them: `j k ↑ ↓`."""
        if self.shown:
            return self.shown
        return " ".join(_SHOWN.get(key, key) for key in self.keys.split(","))

    def bindings(self) -> Iterator[Binding]:
        if not self.bound:
            return
        if "{n}" in self.action:  # one binding per digit, each passing its own number
            for key in self.keys.split(","):
                action = self.action.replace("{n}", key)
                yield Binding(key, action, self.label, show=False, id=f"{self.id}.{key}", priority=self.priority)
            return
        yield Binding(
            self.keys, self.action, self.label, show=self.footer, tooltip=self.help, id=self.id, priority=self.priority
        )


MOVING, READING, MARKING = "Moving", "Reading", "Marking many papers"
GROWING, NOTE, APP = "Growing the collection", "Writing a note", "App"
SAVED = "Saved searches"

KEYS: tuple[Key, ...] = (
    # Moving
    Key(
        "slash",
        "focus_search",
        "Search",
        "search (fzf syntax: 'exact ^prefix suffix$ !not a|b, cat: tag: year: is: has:)",
        MOVING,
        "screen",
        more="; the query language is below",
        footer=True,
        palette="Search",
        priority=True,
    ),
    Key("enter", "to_results", "Results", "from the search: go to the results", MOVING, "search", priority=True),
    Key(
        "down",
        "newer_or_results",
        "Results",
        "in the search: a newer query of the history, or the results",
        MOVING,
        "search",
        priority=True,
        listed=False,
    ),
    Key(
        "up,down",
        "",
        "",
        "in the search: earlier queries (the last 50 you searched), then the results",
        MOVING,
        "search",
        shown="↑ ↓",
        bound=False,
    ),
    Key("up", "older", "History", "in the search: the query before", MOVING, "search", priority=True, listed=False),
    Key(
        "ctrl+n,ctrl+j",
        "move_results(1)",
        "Next",
        "in the search: the next result, staying in the search",
        MOVING,
        "search",
        shown="ctrl+n ctrl+j",
        priority=True,
    ),
    Key(
        "ctrl+p,ctrl+k",
        "move_results(-1)",
        "Previous",
        "in the search: the previous result, staying in the search",
        MOVING,
        "search",
        shown="ctrl+p ctrl+k",
        more=" (elsewhere `ctrl+p` is the command palette)",
        priority=True,
    ),
    Key(
        "escape",
        "clear_search",
        "Clear",
        "in the search: clear it and return to the list",
        MOVING,
        "search",
        priority=True,
    ),
    Key(
        "j,k,up,down",
        "",
        "",
        "move in the list, the tree, the details",
        MOVING,
        "list",
        shown="j k ↑ ↓",
        bound=False,
    ),
    Key("down,j", "cursor_down", "Down", "next paper", MOVING, "list", listed=False),
    Key("k", "cursor_up", "Up", "previous paper", MOVING, "list", listed=False),
    Key("up", "cursor_up_or_search", "Up", "previous paper; at the top: the search", MOVING, "list"),
    Key("g,G,home,end", "", "", "first / last paper", MOVING, "list", shown="g G home end", bound=False),
    Key("g,home", "first", "First", "first paper", MOVING, "list", listed=False),
    Key("G,end", "last", "Last", "last paper", MOVING, "list", listed=False),
    Key("pageup,pagedown", "", "", "a page up / down", MOVING, "list", bound=False),
    Key("pagedown", "page_down", "Page down", "a page down", MOVING, "list", listed=False),
    Key("pageup", "page_up", "Page up", "a page up", MOVING, "list", listed=False),
    Key("ctrl+d,ctrl+u", "", "", "half a page down / up, in the list and the details", MOVING, "list", bound=False),
    Key("ctrl+d", "half_page(1)", "Half down", "half a page down", MOVING, "list", listed=False),
    Key("ctrl+u", "half_page(-1)", "Half up", "half a page up", MOVING, "list", listed=False),
    Key(
        "enter",
        "open",
        "Details",
        "on a paper: move into its details",
        MOVING,
        "list",
        more=", to read and scroll them",
    ),
    Key("j", "scroll_down", "Scroll down", "in the details: scroll down", MOVING, "details", listed=False),
    Key("k", "scroll_up", "Scroll up", "in the details: scroll up", MOVING, "details", listed=False),
    Key("g", "scroll_home", "Top", "in the details: the top", MOVING, "details", listed=False),
    Key("G", "scroll_end", "Bottom", "in the details: the end", MOVING, "details", listed=False),
    Key("ctrl+d", "half_page(1)", "Half down", "in the details: half a page down", MOVING, "details", listed=False),
    Key("ctrl+u", "half_page(-1)", "Half up", "in the details: half a page up", MOVING, "details", listed=False),
    Key("j", "cursor_down", "Down", "in the category tree: next node", MOVING, "tree", listed=False),
    Key("k", "cursor_up", "Up", "in the category tree: previous node", MOVING, "tree", listed=False),
    Key("g,home", "first", "First", "in the category tree: the first node", MOVING, "tree", listed=False),
    Key("G,end", "last", "Last", "in the category tree: the last node", MOVING, "tree", listed=False),
    Key("l,right", "open_node", "Open", "in the category tree: open a node", MOVING, "tree", listed=False),
    Key(
        "h,left",
        "close_node",
        "Close",
        "in the category tree: close a node, or go to its parent",
        MOVING,
        "tree",
        listed=False,
    ),
    Key(
        "h,j,k,l,g,G,enter",
        "",
        "",
        "in the category tree: move, open and close nodes; `enter` shows the node's papers in the list",
        MOVING,
        "tree",
        shown="h j k l ← → g G home end enter",
        bound=False,
    ),
    Key("enter", "enter_node", "Papers", "in the category tree: show the node's papers", MOVING, "tree", listed=False),
    Key(
        "backspace,ctrl+o,alt+left",
        "back",
        "Back",
        "back to where you were before a jump (a link, a node, a search)",
        MOVING,
        "screen",
        shown="⌫ ctrl+o alt+←",
        palette="Back",
    ),
    Key(
        "alt+right,ctrl+i",
        "forward",
        "Forward",
        "forward again after going back",
        MOVING,
        "screen",
        shown="alt+→ ctrl+i",
        more=" (`ctrl+i` only where the terminal tells it from `tab`: see below)",
        palette="Forward",
    ),
    Key(
        "A",
        "search_everywhere",
        "All papers",
        "search all papers, not only the node's (the list's header names the node)",
        MOVING,
        "screen",
        palette="Search all papers",
    ),
    Key("tab,shift+tab", "", "", "next / previous pane", MOVING, "screen", bound=False),
    # Saved searches
    Key(
        "ctrl+s",
        "save_search",
        "Save search",
        "save this search (node and query) under a name, listed in the tree",
        SAVED,
        "screen",
        more="; an existing name asks before it is replaced",
        palette="Save this search",
    ),
    Key(
        "d,delete",
        "delete_saved",
        "Delete",
        "in the tree, on a saved search: delete it (asks first)",
        SAVED,
        "tree",
        shown="d delete",
    ),
    Key(
        "r",
        "rename_saved",
        "Rename",
        "in the tree, on a saved search: rename it",
        SAVED,
        "tree",
        more=" (elsewhere `r` cycles the reading status)",
    ),
    Key(
        "c",
        "toggle_tree",
        "Categories",
        "to the category tree and back (on a narrow terminal: show it, or hide it)",
        MOVING,
        "screen",
        palette="Categories",
    ),
    # Reading
    Key(
        "s",
        "star",
        "Star",
        "star / unstar (with marks: all the marked papers)",
        READING,
        "screen",
        more=" (the Starred node lists them in the order you starred them)",
        footer=True,
        palette="Star / unstar",
    ),
    Key(
        "S",
        "cycle_sort",
        "Sort",
        "sort the list: relevance → date → title → starred → date added → last opened",
        READING,
        "screen",
        more="; each node keeps its own order",
        palette="Cycle sort order",
    ),
    Key(
        "r",
        "cycle_status",
        "Status",
        "cycle reading status: unread → reading → read (with marks: all of them)",
        READING,
        "screen",
        footer=True,
        palette="Cycle reading status",
    ),
    Key(
        "right_square_bracket,left_square_bracket",
        "",
        "",
        "next / previous unread paper in the list",
        READING,
        "screen",
        bound=False,
    ),
    Key(
        "right_square_bracket",
        "next_unread",
        "Next unread",
        "next unread paper in the list",
        READING,
        "screen",
        palette="Next unread",
        listed=False,
    ),
    Key(
        "left_square_bracket",
        "previous_unread",
        "Previous unread",
        "previous unread paper in the list",
        READING,
        "screen",
        palette="Previous unread",
        listed=False,
    ),
    Key(
        "n",
        "edit_note",
        "Note",
        "edit your note (Markdown)",
        READING,
        "screen",
        more="; `ctrl+s` saves, `escape` asks before discarding changes",
        footer=True,
        palette="Edit note",
        priority=True,
    ),
    Key(
        "N",
        "edit_note_in_editor",
        "Editor",
        "edit your note in your own editor",
        READING,
        "screen",
        more=" (config.toml's `editor`, else `$VISUAL`/`$EDITOR`); saved by the same merge as `n`",
        palette="Edit note in your editor",
        priority=True,
    ),
    Key(
        "t",
        "edit_tags",
        "Tags",
        "edit your own tags (with marks: add or remove tags on all of them)",
        READING,
        "screen",
        palette="Edit tags",
        priority=True,
    ),
    Key(
        "o",
        "open_link",
        "Open",
        "open the paper's PDF when it is here, else its link in the browser (marks it reading)",
        READING,
        "screen",
        more="; http(s) links only",
        footer=True,
        palette="Open link",
    ),
    Key(
        "p",
        "open_pdf",
        "PDF",
        "open the paper's PDF, downloading it from arXiv first (marks it reading)",
        READING,
        "screen",
        more=" into `pdfs/` beside your library, with a progress bar; the details mark a paper whose PDF is here",
        footer=True,
        palette="Open PDF",
    ),
    Key(
        "P",
        "attach_pdf",
        "Attach",
        "attach a PDF file on disk to the paper (copied into `pdfs/`, or linked)",
        READING,
        "screen",
        palette="Attach PDF",
        priority=True,
    ),
    Key(
        "y",
        "copy_bibtex",
        "BibTeX",
        "copy its BibTeX to the clipboard (with marks: theirs)",
        READING,
        "screen",
        more=" (OSC 52): what `paperbrowse cite ID` prints",
        palette="Copy BibTeX",
    ),
    Key(
        "e",
        "export",
        "Export",
        "export the starred list, or the marked papers (Markdown, BibTeX, CSV, JSON)",
        READING,
        "screen",
        more=": choose the format and the file; with marks, the marked papers are chosen first",
        footer=True,
        palette="Export starred list",
        priority=True,
    ),
    Key(
        "u",
        "undo",
        "Undo",
        "undo your last change (star, status, tags, note, PDF)",
        READING,
        "screen",
        more="; only what it changed goes back, what other copies saved stays",
        palette="Undo",
    ),
    Key("ctrl+r", "redo", "Redo", "redo what you undid", READING, "screen", palette="Redo"),
    Key(
        "L",
        "toggle_language",
        "中/EN",
        "labels and summaries in English / Chinese",
        READING,
        "screen",
        more=" (the help and the palette stay English)",
        palette="Language: English / Chinese",
    ),
    Key(
        "R",
        "find_related",
        "Related",
        "find related papers (automatic up to 20,000 papers)",
        READING,
        "screen",
        more="; on request beyond, since it takes a while",
        palette="Find related papers",
    ),
    # Marking many papers
    Key(
        "space,v",
        "screen.toggle_mark",
        "Mark",
        "in the list: mark / unmark the paper and move down",
        MARKING,
        "list",
        shown="space v",
        more="; the list's header counts the marks, and those a search hides",
    ),
    Key(
        "asterisk",
        "screen.mark_all",
        "Mark all",
        "in the list: mark every paper shown; again: unmark them",
        MARKING,
        "list",
    ),
    Key(
        "asterisk",
        "mark_all",
        "Mark all",
        "mark every paper shown",
        MARKING,
        "screen",
        palette="Mark all papers shown",
        bound=False,
        listed=False,
    ),
    # Growing the collection
    Key(
        "a",
        "add_paper",
        "Add",
        "add a paper: an arXiv id or link, a DOI, or title, authors, year, category by hand",
        GROWING,
        "screen",
        palette="Add paper",
        priority=True,
    ),
    Key(
        "escape",
        "cancel_add",
        "Stop",
        "stop adding a paper while arXiv or Crossref has not answered yet",
        GROWING,
        "screen",
    ),
    # After `cancel_add`: the bindings of a key are tried in this order, and `escape` stops an add
    # in progress before it clears the marks (each passes the key on when it has nothing to do).
    Key(
        "escape",
        "clear_marks",
        "Clear marks",
        "clear the marks (`s` `r` `t` `e` `y` act on the marked papers while there are any)",
        MARKING,
        "screen",
        more="; a search or a node that hides a marked paper leaves it marked",
        palette="Clear marks",
    ),
    Key(
        "1,2,3,4,5",
        "follow_link({n})",
        "Related",
        "go to a related paper (the details list the five nearest)",
        GROWING,
        "screen",
        shown="1 … 5",
        more=", clearing a search or node that hides it",
    ),
    Key(
        "1",
        "follow_link(1)",
        "Related",
        "go to the most related paper",
        GROWING,
        "screen",
        palette="Go to the most related paper",
        bound=False,
        listed=False,
    ),
    Key(
        "6,7,8,9",
        "follow_link({n})",
        "Link",
        "follow a builds-on / built-on-by link (or click any link)",
        GROWING,
        "screen",
        shown="6 … 9",
    ),
    # Writing a note
    Key("ctrl+s", "save", "Save", "save the note", NOTE, "note", priority=True),
    Key("escape", "cancel", "Cancel", "leave the note (asks first when it changed)", NOTE, "note", priority=True),
    # App
    Key("question_mark", "help", "Help", "this help: every key", APP, "screen", footer=True, palette="Help: every key"),
    Key(
        "exclamation_mark",
        "problems",
        "Problems",
        "problems found in the data",
        APP,
        "screen",
        more=": file, line, message",
        palette="Show problems",
    ),
    Key("ctrl+p", "", "", "command palette (every action, themes)", APP, "screen", bound=False),
    Key("q", "quit", "Quit", "quit", APP, "screen", shown="q ctrl+q", footer=True),
    # Dialogs: their own keys, named in each dialog's hint line.
    Key("escape", "cancel", "Cancel", "leave a dialog without changing anything", APP, "dialog"),
    Key("y", "answer(True)", "Yes", "in a question: yes", APP, "confirm"),
    Key("n,escape", "answer(False)", "No", "in a question: no", APP, "confirm"),
    Key("escape,q,question_mark", "close", "Close", "close this help", APP, "help", shown="escape q ?"),
    Key("j,down", "scroll_down", "Down", "scroll down", APP, "help"),
    Key("k,up", "scroll_up", "Up", "scroll up", APP, "help"),
    Key("space,pagedown,ctrl+d", "page_down", "Page down", "a page down", APP, "help"),
    Key("pageup,ctrl+u", "page_up", "Page up", "a page up", APP, "help"),
    Key("g,home", "scroll_home", "Top", "the top", APP, "help"),
    Key("G,end", "scroll_end", "End", "the end", APP, "help"),
    Key("escape,q,exclamation_mark", "close", "Close", "close the problems", APP, "problems", shown="escape q !"),
)


def bindings(scope: Scope) -> list[BindingType]:
    """The bindings of one scope, for its widget's `BINDINGS`."""
    return [binding for key in KEYS if key.scope == scope for binding in key.bindings()]


# The help screen and the README list what a reader needs; a dialog's own keys are in its hint.
_LISTED: frozenset[Scope] = frozenset({"screen", "search", "list", "tree", "details", "note"})


def help_groups() -> list[tuple[str, list[Key]]]:
    """The keys worth listing, grouped, in the table's order."""
    groups: dict[str, list[Key]] = {}
    for key in KEYS:
        if key.listed and key.scope in _LISTED:
            groups.setdefault(key.group, []).append(key)
    return list(groups.items())


def palette_entries() -> list[Key]:
    """The keys the command palette offers, by their titles."""
    return [key for key in KEYS if key.palette]


def markdown_table() -> str:
    """The README's key table."""
    lines = ["| key | what it does |", "|---|---|"]
    for group, keys in help_groups():
        lines.append(f"| **{group}** | |")
        for key in keys:
            written = " ".join(part if part == "…" else f"`{part}`" for part in key.written().split(" "))
            text = f"{key.help}{key.more}".replace("|", "\\|")
            lines.append(f"| {written} | {text} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
