"""The main screen: tree, search and list, details; every key acts through the core."""

from __future__ import annotations

import time
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Markdown

from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.records.schema import check_link
from paperbrowse.core.search.query import parse
from paperbrowse.core.search.related import AUTO_BUILD_UP_TO
from paperbrowse.tui.category_tree import CategoryTree, Node, node_for_key
from paperbrowse.tui.collection_actions import CollectionActions
from paperbrowse.tui.detail_pane import DetailPane
from paperbrowse.tui.paper_list import PaperList
from paperbrowse.tui.search_box import SearchBox
from paperbrowse.tui.session import Session

# A search that took less than this (small collections) runs on the UI thread next time.
INLINE_SECONDS = 0.008


class MainScreen(CollectionActions, Screen[None]):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        # A priority binding acts before the next key is routed: "/spec" typed fast lands in the box.
        Binding("slash", "focus_search", "Search", tooltip="Search with the query language", priority=True),
        Binding("s", "star", "Star"),
        Binding("r", "cycle_status", "Status"),
        # Keys that open a text dialog act at once too, so the text typed after them lands in
        # the dialog; in the search box they are just letters (see _typed_in_search).
        Binding("n", "edit_note", "Note", priority=True),
        Binding("t", "edit_tags", "Tags", show=False, priority=True),
        Binding("right_square_bracket", "next_unread", "Next unread", show=False),
        Binding("left_square_bracket", "previous_unread", "Previous unread", show=False),
        Binding("o", "open_link", "Open"),
        Binding("y", "copy_bibtex", "BibTeX", show=False),
        Binding("e", "export", "Export", priority=True),
        Binding("L", "toggle_language", "中/EN", show=False),
        Binding("c", "toggle_tree", "Categories", show=False),
        Binding("R", "find_related", "Related", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("exclamation_mark", "problems", "Problems", show=False),
        Binding("a", "add_paper", "Add", show=False, tooltip="Add a paper from arXiv or by hand", priority=True),
        *(Binding(str(n), f"follow_link({n})", f"Link {n}", show=False) for n in range(1, 10)),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.node = Node("all", "", "All papers")
        self._generation = 0
        self._shown_generation = 0
        self._deferred: list = []  # paper actions pressed while a search was still running
        self._last_search = float("inf")  # the first search (at start) always runs in a thread
        self._shown_text = ""
        restored = session.library.state
        self._restore_query = restored.get("query", "")
        self._keep: str | None = restored.get("selected")
        self._restore_node = restored.get("category", "all")

    def compose(self) -> ComposeResult:
        session = self.session
        yield Header()
        if session.library.read_only:
            yield Label(
                f"Read-only: {session.library.error}. Your library file is left untouched; nothing you change is saved.",
                id="banner",
                markup=False,
            )
        with Horizontal(id="panes"):
            yield CategoryTree(session.catalog, session.library, id="tree")
            with Vertical(id="middle"):
                yield SearchBox(
                    placeholder="/ search: words, 'exact, ^prefix, !not, cat: tag: year: is:starred", id="search"
                )
                yield Label(id="count")
                yield PaperList(id="papers")
            yield DetailPane(session.catalog, session.library, id="detail")
        yield Footer()

    def on_mount(self) -> None:
        search = self.query_one("#search", SearchBox)
        with search.prevent(SearchBox.Changed):  # the restored node's search will use it
            search.value = self._restore_query
        search.results = self.query_one(PaperList)
        search.on_change = self.run_search
        self._first_search()
        self.call_after_refresh(self._restore_node_selection)
        self.set_focus(self.query_one(PaperList))
        self.watch_data()
        problems = self.session.catalog.errors
        if problems:
            self.notify(
                f"{len(problems)} problems in the data; bad records were skipped. Press ! for the list.",
                title="Data problems",
                severity="warning",
                timeout=8,
            )

    # Searching: every keystroke starts a worker; a result older than the newest is dropped.
    @property
    def papers(self) -> PaperList:
        return self.query_one(PaperList)

    @property
    def current(self):
        return self.papers.current

    def run_search(self, *, here: bool = False) -> None:
        self._generation += 1
        text = self.query_one("#search", SearchBox).value
        if here or self._last_search < INLINE_SECONDS:
            # The last search took a few milliseconds: a thread's round trip would cost more
            # than the search itself, so this one runs here and its result shows at once.
            self._show_results(self._generation, *self._list(self.node, text), text)
        else:
            self._search(self._generation, self.node, text)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, generation: int, node: Node, text: str) -> None:
        papers, hints = self._list(node, text)
        self.app.call_from_thread(self._show_results, generation, papers, hints, text)

    def _list(self, node: Node, text: str):
        """Search, and remember how long it took (it decides where the next one runs)."""
        started = time.perf_counter()
        found = self.session.list_papers(node.filter, text, star_order=node.key == "starred")
        self._last_search = time.perf_counter() - started
        return found

    def _show_results(self, generation: int, papers, hints, text: str) -> None:
        if generation != self._generation:
            return  # a newer search is on its way
        if not self._shown_generation:
            # Once the first results are on screen: these threads would hold the GIL against them.
            self.call_after_refresh(self._prepare_in_background)
        self._shown_generation = generation
        # A new query starts at its best hit, as in fzf; a new node or a redraw keeps the paper.
        keep = self._keep or (self.current.id if self.current and text == self._shown_text else None)
        self._keep = None
        self._shown_text = text
        self.papers.show(papers, parse(text), self.session.library, keep=keep)
        total = len(self.session.catalog.papers)
        count = Content(f"{len(papers)} of {total} papers")
        if hints:
            count = Content.assemble(count, ("  ⚠ " + one_line(hints[0]), "$warning"))
        self.query_one("#count", Label).update(count, layout=False)  # its size is fixed in the CSS
        if not papers:
            self.query_one(DetailPane).show(None)
        deferred, self._deferred = self._deferred, []
        for action in deferred:
            action()

    def _prepare_in_background(self) -> None:
        self._prepare_search(self.session.index)
        if len(self.session.catalog.papers) <= AUTO_BUILD_UP_TO:
            self._prepare_related(self.session.catalog)

    def _after_search(self, action) -> bool:
        """Run a paper action once the list shows the newest results; True when deferred.

        "/spec⏎s" typed fast must star the first hit for "spec", not the row the cursor was on
        when the key arrived and the search was still running.
        """
        if self._shown_generation == self._generation:
            return False
        self._deferred.append(action)
        return True

    def _first_search(self) -> None:
        """Show the restored node's papers in the first frame, when that is cheap.

        Without text to match, a search only filters papers kept newest first: milliseconds
        even at 1,000,000 papers, so it runs here, before the first frame, instead of in a
        worker after it (which cost a second full frame and a thread's round trip). A text
        query may need word indexes not built yet: it waits for the tree, in a worker.
        """
        node = node_for_key(self.session.catalog, self.session.library, self._restore_node or "all")
        if node is None or parse(self._restore_query).text_terms():
            return
        self.node = node
        self.run_search(here=True)  # the box holds the restored query already

    @on(CategoryTree.Chosen)
    def _node_chosen(self, event: CategoryTree.Chosen) -> None:
        # One search at start, for the restored node: the tree's own first highlight (All
        # papers) would cost a whole extra search on a large collection.
        if self._restore_node is not None:
            if event.node.key != self._restore_node:
                return
            self._restore_node = None
            if self._shown_generation and event.node == self.node:
                return  # shown already, by the first search
        self.node = event.node
        self.run_search()

    def _restore_node_selection(self) -> None:
        if not self.query_one(CategoryTree).select_key(self._restore_node or "all"):
            self._restore_node = None  # that node is gone (a category removed): show everything
            self.run_search()

    @on(PaperList.Highlighted)
    def _highlighted(self, event: PaperList.Highlighted) -> None:
        self.query_one(DetailPane).show(event.paper)

    @on(PaperList.Opened)
    def _opened(self, event: PaperList.Opened) -> None:
        if self._after_search(self.papers.action_open):
            return
        self.session.opened(event.paper.id)
        self.set_focus(self.query_one(DetailPane))

    @on(Markdown.LinkClicked)
    def _note_link(self, event: Markdown.LinkClicked) -> None:
        if check_link(event.href) is None:
            self.app.open_url(event.href)
        else:
            self.notify(
                f"Not opening {one_line(event.href)}: only http(s) links open.", severity="warning", markup=False
            )

    # Changes go through the session (the core library), then the screen redraws.
    def refresh_paper(self, *, tags: bool = False) -> None:
        self.papers.refresh_marks()
        self.query_one(DetailPane).show(self.current)
        tree = self.query_one(CategoryTree)
        tree.rebuild() if tags else tree.refresh_counts()

    def _paper_or_none(self, action=None):
        if action is not None and self._after_search(action):
            return None
        paper = self.current
        if paper is None:
            self.notify("No paper selected.", severity="warning", markup=False)
        return paper

    def run_command(self, action: str) -> None:
        """A command palette entry: never a letter of the query, so leave the search box first."""
        if self.focused is self.query_one("#search", SearchBox):
            self.set_focus(self.papers)
        getattr(self, f"action_{action}")()

    def _typed_in_search(self, char: str) -> bool:
        """A priority key pressed in the search box is a letter of the query: type it there.

        It is queued behind the letters already on their way to the box, so the order holds.
        (`self.focused`, not `has_focus`, which lags until the box handles its Focus event.)
        """
        search = self.query_one("#search", SearchBox)
        if self.focused is not search:
            return False
        search.call_later(search.insert_text_at_cursor, char)
        return True

    def action_focus_search(self) -> None:
        if not self._typed_in_search("/"):  # old-style arXiv ids contain a "/"
            self.set_focus(self.query_one("#search", SearchBox))

    def action_star(self) -> None:
        paper = self._paper_or_none(self.action_star)
        if paper and self.session.change(lambda lib: lib.toggle_star(paper.id)):
            self.refresh_paper()

    def action_cycle_status(self) -> None:
        paper = self._paper_or_none(self.action_cycle_status)
        if paper and self.session.change(lambda lib: lib.cycle_status(paper.id)):
            self.refresh_paper()

    def _jump_unread(self, step: int) -> None:
        papers, start = self.papers.papers, self.papers.cursor
        index = start + step
        while 0 <= index < len(papers):
            if self.session.library.status(papers[index].id) == "unread":
                self.papers.cursor = index
                return
            index += step
        self.notify("No more unread papers in this list.", timeout=3, markup=False)

    def action_next_unread(self) -> None:
        if not self._after_search(self.action_next_unread):
            self._jump_unread(1)

    def action_previous_unread(self) -> None:
        if not self._after_search(self.action_previous_unread):
            self._jump_unread(-1)

    def action_edit_note(self) -> None:
        from paperbrowse.tui.note_editor import NoteEditor

        if self._typed_in_search("n"):
            return
        paper = self._paper_or_none(self.action_edit_note)
        if paper is None or not self.session.writable():
            return

        def saved(text: str | None) -> None:
            if text is not None and self.session.change(lambda lib: lib.set_note(paper.id, text)):
                self.refresh_paper()

        self.app.push_screen(NoteEditor(paper.title, self.session.library.note(paper.id)), saved)

    def action_edit_tags(self) -> None:
        from paperbrowse.tui.tags_dialog import TagsDialog

        if self._typed_in_search("t"):
            return
        paper = self._paper_or_none(self.action_edit_tags)
        if paper is None or not self.session.writable():
            return

        def saved(tags: list[str] | None) -> None:
            if tags is not None and self.session.change(lambda lib: lib.set_tags(paper.id, tags)):
                self.refresh_paper(tags=True)

        user_tags = list(self.session.library.user_tags(paper.id))
        self.app.push_screen(TagsDialog(paper.title, user_tags, list(paper.tags)), saved)

    def action_open_link(self) -> None:
        paper = self._paper_or_none(self.action_open_link)
        if paper is None:
            return
        url = paper.link
        if not url or check_link(url) is not None:
            self.notify("This paper has no http(s) link to open.", severity="warning", markup=False)
            return
        self.app.open_url(url)
        self.notify(f"Opening {one_line(url)}", timeout=3, markup=False)
        if self.session.change(lambda lib: lib.link_opened(paper.id), quiet=True):
            self.refresh_paper()

    def action_copy_bibtex(self) -> None:
        paper = self._paper_or_none(self.action_copy_bibtex)
        if paper is not None:
            self.app.copy_to_clipboard(self.session.bibtex(paper))
            self.notify(f"BibTeX of {paper.id} copied to the clipboard.", timeout=3, markup=False)

    def action_export(self) -> None:
        from paperbrowse.tui.export_dialog import ExportChoice, ExportDialog

        if self._typed_in_search("e"):
            return

        def chosen(choice: ExportChoice | None) -> None:
            if choice is not None:
                self._export(choice.format, choice.path, force=False)

        count = len(self.session.starred_papers())
        self.app.push_screen(ExportDialog(Path.cwd(), count), chosen)

    def _export(self, fmt: str, path: Path, *, force: bool) -> None:
        from paperbrowse.tui.confirm import Confirm

        try:
            count = self.session.export_starred(fmt, path, force=force)
        except FileExistsError:

            def answered(overwrite: bool | None) -> None:
                if overwrite:
                    self._export(fmt, path, force=True)

            self.app.push_screen(Confirm(f"{path} exists. Overwrite it?", "Overwrite", "Cancel"), answered)
            return
        except OSError as err:
            self.notify(f"Cannot write {path}: {err.strerror or err}", severity="error", timeout=10, markup=False)
            return
        self.notify(f"Exported {count} papers to {path}", title="Export", timeout=8, markup=False)

    def action_toggle_language(self) -> None:
        detail = self.query_one(DetailPane)
        detail.language = "zh" if detail.language == "en" else "en"
        detail.show(self.current)
        self.notify("摘要:中文" if detail.language == "zh" else "Summaries: English", timeout=2, markup=False)

    def action_toggle_tree(self) -> None:
        self.toggle_class("show-tree")

    def action_help(self) -> None:
        from paperbrowse.tui.help_screen import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_problems(self) -> None:
        from paperbrowse.tui.problems_screen import ProblemsScreen

        self.app.push_screen(ProblemsScreen(self.session.catalog.problems))

    async def action_quit(self) -> None:
        current = self.current
        self.session.remember(self.node.key, self.query_one("#search", SearchBox).value, current.id if current else "")
        if self.session.save_now():
            self.app.exit()
