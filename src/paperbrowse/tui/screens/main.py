"""The main screen: tree, search and list, details; every key acts through the core.

The widgets announce (a node chosen, a paper highlighted or opened, the query changed, the
data reloaded) and this screen decides: it searches, shows the results, and runs the actions
of the key table (`tui.keys`) on the selected paper through the session.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import platformdirs
from rich.text import Text
from textual import events, on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.widgets import Header, Label, Markdown, ProgressBar
from textual.worker import Worker, WorkerState, get_current_worker

from paperbrowse.core.files.paths import collection_name
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.cell_wrap import cells
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.records.schema import Paper, check_link
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.search.query import parse
from paperbrowse.core.search.related import AUTO_BUILD_UP_TO
from paperbrowse.core.search.sort_orders import LABELS as SORT_LABELS
from paperbrowse.core.search.sort_orders import next_sort
from paperbrowse.core.sources import pdfs
from paperbrowse.core.store.kept_search import expect_layout, forgo_layout, prepare_layout, prepare_search
from paperbrowse.tui import refine as refine_search
from paperbrowse.tui import undo
from paperbrowse.tui.add_worker import AddRequest, AddResult, add_paper, is_doi
from paperbrowse.tui.cold_start import BackgroundLoad
from paperbrowse.tui.editor_actions import EditorActions
from paperbrowse.tui.foreground import building, busy_of, froze_of, pause_of, scanning_of
from paperbrowse.tui.history import History, Place
from paperbrowse.tui.keys import bindings
from paperbrowse.tui.labels import language_of, to_translate, tr
from paperbrowse.tui.mark_actions import MarkActions
from paperbrowse.tui.parcel import Parcel
from paperbrowse.tui.pdf_actions import PdfActions
from paperbrowse.tui.retire import RELEASE_AFTER, RELEASE_TRIES, release
from paperbrowse.tui.saved_search_actions import SavedSearchActions
from paperbrowse.tui.screens.steady_size import SteadySize
from paperbrowse.tui.session import Session
from paperbrowse.tui.widgets.category_tree import CategoryTree, Node, node_for_key, node_name
from paperbrowse.tui.widgets.data_watcher import DataWatcher
from paperbrowse.tui.widgets.detail_pane import DetailPane
from paperbrowse.tui.widgets.key_footer import KeyFooter
from paperbrowse.tui.widgets.library_watcher import LibraryWatcher
from paperbrowse.tui.widgets.paper_list import PaperList
from paperbrowse.tui.widgets.save_status import SaveStatus
from paperbrowse.tui.widgets.search_box import SearchBox

# A search that took less than this (small collections) runs on the UI thread next time.
INLINE_SECONDS = 0.008
ALL_PAPERS = Node("all", "", "All papers")
HEADER_SIDES = 18  # the cells of the header's icon and of the space across from it
# The list's header names a sort order in a word or two (the toast of `S` says it in full), so
# that node, query, count and order fit a narrow terminal's one line.
SORT_WORDS = {
    "relevance": to_translate("relevance"),
    "date": to_translate("date"),
    "title": to_translate("title"),
    "starred": to_translate("starred first"),
    "added": to_translate("date added"),
    "opened": to_translate("last opened"),
}
# The search's placeholder, longest first: the longest that fits is shown (`?` lists it all).
PLACEHOLDERS = (
    "/ search: words, 'exact, ^prefix, !not, cat: tag: year: is:starred",
    "/ search: words 'exact ^prefix !not cat: tag: (? help)",
    "/ search (? help)",
)


class MainScreen(SteadySize, SavedSearchActions, MarkActions, EditorActions, PdfActions):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = bindings("screen")

    def __init__(self, session: Session, loading: BackgroundLoad | None = None) -> None:
        super().__init__()
        self.session = session
        self._loading = loading  # a cold start's load, still reading the rest of the collection
        self.node = ALL_PAPERS
        self._generation = 0
        self._shown_generation = 0
        self._deferred: list[Callable[[], object]] = []  # paper actions pressed while a search ran
        # How long the last search took, apart for those with words to match and those
        # without (a filter): the first of each kind always runs in a thread.
        self._last_search = {False: float("inf"), True: float("inf")}
        self._shown_text = ""
        self._shown_count = 0
        self._shown_hint = ""
        restored = session.library.state
        self._restore_query = restored.get("query", "")
        self._keep: str | None = restored.get("selected")
        self._restore_node: str | None = restored.get("category", "all")
        self.history = History()
        self.undo = undo.UndoStack()
        self._visit_from: Place | None = None  # where the user was when they went into the tree or search

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
                yield SearchBox(results="papers", placeholders=PLACEHOLDERS, id="search")
                yield Label(id="count")
                yield Label(id="hint", markup=False)  # the query's hints, whole (the count line is one line)
                if self._loading is not None:
                    yield ProgressBar(show_eta=False, id="loading")
                yield PaperList(id="papers")
            yield DetailPane(session.catalog, session.library, id="detail")
        yield SaveStatus(session.library, id="save-status")
        yield KeyFooter()
        yield DataWatcher(session.catalog)
        yield LibraryWatcher(session.library)

    async def on_mount(self) -> None:
        search = self.search_box
        search.restore(self._restore_query)  # the restored node's search will use it
        search.history = self.session.search_history()
        self._first_search()
        # The kept word indexes are read now, while the first frame is drawn: a query typed
        # the moment the list shows needs them (a typed search waits for this one read).
        self._prepare_search(self.session.index)
        self.call_after_refresh(self._restore_node_selection)
        self.set_focus(self.papers)
        if self.session.setting("language") == "zh":
            self.app.language = "zh"  # type: ignore[attr-defined]  # PaperBrowseApp's
        self.watch(self.app, "language", self._language_changed, init=True)
        if self._loading is not None:
            self._loading.pause = pause_of(self.app)
            self._loading_timer = self.set_interval(0.1, self._loading_tick, name="loading")
        problems = self.session.catalog.errors
        if problems:
            self.notify(
                tr(
                    "{count} problems in the data; bad records were skipped. Press ! for the list.",
                    self.language,
                    count=len(problems),
                ),
                title=tr("Data problems", self.language),
                severity="warning",
                timeout=8,
            )
        await self.query_one(KeyFooter).compose_now()  # the focus and the language are set: the keys are final

    @property
    def papers(self) -> PaperList:
        return self.query_one(PaperList)

    @property
    def search_box(self) -> SearchBox:
        return self.query_one("#search", SearchBox)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    @property
    def current(self) -> Paper | None:
        return self.papers.current

    # Searching: a keystroke starts a worker; a result older than the newest is dropped.
    @on(SearchBox.QueryChanged)
    def _query_changed(self) -> None:
        self.run_search()

    def run_search(self, *, here: bool = False) -> None:
        self._generation += 1
        text = self.search_box.value
        words = bool(parse(f"{self.node.filter} {text}").text_terms())
        if here or (self._last_search[words] < INLINE_SECONDS and self.session.index.ready()):
            # The last search of its kind took a few milliseconds: a thread's round trip would
            # cost more than the search itself, so this one runs here and its result shows at
            # once. Not before the word indexes are there: a search would build them here,
            # seconds long. A filter's time says nothing of a search for words: at 100,000
            # papers the start's filter took 2 ms, the first letters typed 10-150 ms (the
            # first use of the kept indexes' pieces), which ran here and held the keys.
            self._show_results(self._generation, *self._list(self.node, text, words), text)
        else:
            refine = not self.session.index.ready() and words
            if refine:  # a saved search's node has text too
                self._show_count(Content(tr("searching…", self.language)))
            self._search(self._generation, self.node, text, words, refine=refine)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, generation: int, node: Node, text: str, words: bool, *, refine: bool = False) -> None:
        if refine:  # the word indexes are not in yet: see `tui.refine`
            session, sort = self.session, self.session.sort_for(node.key)

            def arrange(papers: Sequence[Paper]) -> Sequence[Paper]:
                return session.arrange(papers, text, star_order=node.key == "starred", sort=sort)

            def show(papers: Sequence[Paper], hints: tuple[str, ...], scanned: int) -> None:
                self.app.call_from_thread(self._show_results, generation, papers, hints, text, scanned=scanned)

            query = f"{node.filter} {text}".strip()
            if not refine_search.answer(session, query, arrange, show, scanning_of(self.app)):
                return
        papers, hints = self._list(node, text, words)
        self.app.call_from_thread(self._show_results, generation, papers, hints, text)

    def _list(self, node: Node, text: str, words: bool) -> tuple[Sequence[Paper], tuple[str, ...]]:
        """Search, and remember how long it took (it decides where the next search of its
        kind runs; `words`: the query has words to match, not only filters)."""
        started = time.perf_counter()
        sort = self.session.sort_for(node.key)
        found = self.session.list_papers(node.filter, text, star_order=node.key == "starred", sort=sort)
        self._last_search[words] = time.perf_counter() - started
        return found

    def _show_results(
        self,
        generation: int,
        papers: Sequence[Paper],
        hints: tuple[str, ...],
        text: str,
        *,
        scanned: int | None = None,
    ) -> None:
        """`scanned`: how many papers a scan read (see `tui.refine`) before the word indexes
        are in; all of them: the papers are final, their order may still change."""
        if generation != self._generation or text != self.search_box.value:
            # A newer search is on its way: started, or the box already holds a later text
            # and its `QueryChanged` waits in this screen's queue. Showing this result would
            # lay out and draw a list nobody reads (at 100,000 papers, "z" of "/zzqx" typed
            # in a burst: 53,749 rows and their details, a 50-100 ms frame the next keys
            # waited behind).
            return
        total = len(self.session.index.papers)
        if scanned is not None and scanned < total:  # part of a scan: a paper action waits for more
            self.papers.show(papers, parse(text), self.session.library, keep=self._kept_paper(text))
            self._shown_text = text
            note = tr(
                "{found} found in the first {scanned} of {total} papers · searching…",
                self.language,
                found=f"{len(papers):,}",
                scanned=f"{scanned:,}",
                total=f"{total:,}",
            )
            self._show_count(Content.assemble(self._scope(None, text), (note, "$text-muted")))
            return
        if not self._shown_generation:
            # Once the first results are on screen: this thread would hold the GIL against them.
            self.call_after_refresh(self._prepare_in_background)
        self._shown_generation = generation
        # A new query starts at its best hit, as in fzf; a new node or a redraw keeps the paper.
        keep = self._keep or self._kept_paper(text)
        self._keep = None
        self._shown_text = text
        self.papers.show(papers, parse(text), self.session.library, keep=keep)
        # Now, not at the list's Highlighted, a message later: the first results' details are
        # in the first frame, and a keystroke's in the frame of its list.
        self.detail.show(self.papers.current)
        self._shown_count = len(papers)
        count = self._scope(len(papers), text)
        if scanned is not None:
            count = Content.assemble(count, (tr(" · refining…", self.language), "$text-muted"))
        self._show_count(count)
        self._show_hint("⚠ " + one_line(hints[0]) if hints else "")
        if not papers:
            self.detail.show(None)
        deferred, self._deferred = self._deferred, []
        for action in deferred:
            action()

    def _kept_paper(self, text: str) -> str | None:
        """The paper the list keeps its cursor on: the same query shown again keeps it."""
        return self.current.id if self.current and text == self._shown_text else None

    def _scope(self, shown: int | None, text: str) -> Content:
        """The list's header: which node and query the list shows, how many of all papers (None:
        the caller tells), and in which order, so that a node chosen earlier (or restored at
        start) never filters unseen."""
        language = self.language
        parts: list[str | tuple[str, str]] = []
        if self.node.key != ALL_PAPERS.key:
            parts += [(one_line(node_name(self.node, self.session.catalog, language)), "bold $accent"), " · "]
            if self.node.detail:  # a saved search: its query
                parts[-1:] = [(f": {one_line(self.node.detail)}", "$text-muted"), " · "]
        if text.strip():
            parts += [(one_line(text.strip()), "bold"), " · "]
        if shown is None:  # the caller tells how many
            return Content.assemble(*parts)
        parts.append(tr("{shown} of {total} papers", language, shown=shown, total=len(self.session.catalog.papers)))
        if not shown and self.node.key != ALL_PAPERS.key:
            parts.append((tr("  A: search all papers", language), "$warning"))
        sort = self.session.sort_for(self.node.key)
        if sort != "relevance":
            parts.append((tr(" · by {order}", language, order=tr(SORT_WORDS.get(sort, sort), language)), "$text-muted"))
        return Content.assemble(*parts)

    @property
    def language(self) -> str:
        return language_of(self)

    def _language_changed(self, language: str) -> None:
        """`L`, or the language restored at start: every label, then the summaries."""
        self.detail.language = language
        self.query_one(CategoryTree).language = language
        self.search_box.placeholders = tuple(tr(text, language) for text in PLACEHOLDERS)
        other = "en" if language == "zh" else "zh"
        if self.app.sub_title == collection_title(self.session.catalog, other):  # the title made here
            self.app.sub_title = collection_title(self.session.catalog, language)
        self._fit_subtitle()
        if self._shown_generation:
            self._show_count(self._scope(self._shown_count, self._shown_text))

    def on_resize(self) -> None:
        self._fit_subtitle()

    def _fit_subtitle(self) -> None:
        """The header names the collection and its count; where that is cut, the collection
        only (the list's header counts the papers)."""
        full = f"{self.app.title} — {self.app.sub_title}"
        room = self.size.width - HEADER_SIDES
        self.sub_title = None if cells(full) <= room else collection_name(self.session.catalog.sources)

    def _show_hint(self, text: str) -> None:
        """The query's hint, whole, on lines of its own; laid out only when it changes."""
        if text != self._shown_hint:
            self._shown_hint = text
            hint = self.query_one("#hint", Label)
            hint.update(text)
            hint.display = bool(text)

    def _prepare_in_background(self) -> None:
        if len(self.session.catalog.papers) <= AUTO_BUILD_UP_TO:
            self.detail.find_related()

    def _prepare_search(self, index: SearchIndex, previous: SearchIndex | None = None) -> None:
        self._prepare_words(Parcel((index, previous)), pause_of(self.app))

    @work(thread=True, group="words", exclusive=True, exit_on_error=False)
    def _prepare_words(
        self, parcel: Parcel[tuple[SearchIndex, SearchIndex | None]], pause: Callable[[], None] | None
    ) -> None:
        """Load (or build and keep, or carry over from the `previous` index a reload replaced)
        the word indexes, so that the first keystroke finds them ready; then the titles' layout
        (read, or built giving way to keys: it only speeds up later keystrokes). A first query
        waits for the word indexes alone. A reload's worker cancels the one before it: that one
        still ends its word indexes (the reload's carries them over), not its layout."""
        index, previous = parcel.take()
        expect_layout(index)
        try:
            with building():  # see `foreground.building`
                prepare_search(index, pause, previous)
        finally:
            del previous
            if get_current_worker().is_cancelled:
                forgo_layout(index)
            else:
                prepare_layout(index, pause)

    def _after_search(self, action: Callable[[], object]) -> bool:
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
        if node is None or parse(f"{node.filter} {self._restore_query}").text_terms():
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

    @on(CategoryTree.Entered)
    def _node_entered(self, event: CategoryTree.Entered) -> None:
        if event.node != self.node:
            self.node = event.node
            self.run_search()
        self.remove_class("show-tree")  # on a narrow terminal the list takes its place again
        self.set_focus(self.papers)

    def _restore_node_selection(self) -> None:
        if not self.query_one(CategoryTree).select_key(self._restore_node or "all"):
            self._restore_node = None  # that node is gone (a category removed): show everything
            self.run_search()

    @on(PaperList.AboveTop)
    def _above_top(self) -> None:
        self.action_focus_search()

    @on(SearchBox.Committed)
    def _query_committed(self, event: SearchBox.Committed) -> None:
        self.session.remember_search(event.value)
        self.search_box.history = self.session.search_history()

    @on(SearchBox.MoveResults)
    def _move_results(self, event: SearchBox.MoveResults) -> None:
        if not self._after_search(lambda: self._move_results(event)):
            self.papers.cursor += event.step

    # History: the place before each jump, so that back returns there.
    def place(self) -> Place:
        current = self.current
        return Place(self.node.key, self.search_box.value, current.id if current else "")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Going into the tree or the search starts a jump, which ends where the focus goes next."""
        widget = event.widget
        browsing = isinstance(widget, (CategoryTree, SearchBox))
        if browsing and self._visit_from is None:
            self._visit_from = self.place()
        elif not browsing and self._visit_from is not None:
            left, self._visit_from = self._visit_from, None
            if not left.same_view(self.place()):
                self.history.visit(left)

    def action_back(self) -> None:
        self._go(self.history.back(self._here()), tr("Nothing to go back to.", self.language))

    def action_forward(self) -> None:
        self._go(self.history.forward(self._here()), tr("Nothing to go forward to.", self.language))

    def _here(self) -> Place:
        """The place now; a jump in progress (in the tree or the search) ends here first."""
        here = self.place()
        if self._visit_from is not None and not self._visit_from.same_view(here):
            self.history.visit(self._visit_from)
        self._visit_from = None
        return here

    def _go(self, place: Place | None, nothing: str) -> None:
        if place is None:
            self.notify(nothing, timeout=2, markup=False)
            return
        node = node_for_key(self.session.catalog, self.session.library, place.node) or ALL_PAPERS
        self._keep = place.paper or None
        self.search_box.restore(place.query)
        self.node = node
        self.query_one(CategoryTree).select_key(node.key)
        self.run_search()
        self.set_focus(self.papers)

    def action_undo(self) -> None:
        self._undo_or_redo(self.undo.undo, to_translate("Undid: {change}"), to_translate("Nothing to undo."))

    def action_redo(self) -> None:
        self._undo_or_redo(self.undo.redo, to_translate("Redid: {change}"), to_translate("Nothing to redo."))

    def _undo_or_redo(self, step: Callable[[Library], undo.Step | None], done: str, nothing: str) -> None:
        if not self._writable():
            return
        self.session.library.refresh()
        change = step(self.session.library)
        if change is None:
            self.notify(tr(nothing, self.language), timeout=2, markup=False)
            return
        self.save_soon()
        self.refresh_paper(tags=True)
        self.notify(tr(done, self.language, change=one_line(change.describe(self.language))), timeout=3, markup=False)

    def action_search_everywhere(self) -> None:
        if self.node.key == ALL_PAPERS.key:
            return
        self.history.visit(self.place())
        self.node = ALL_PAPERS
        self.query_one(CategoryTree).select_key(ALL_PAPERS.key)
        self.run_search()

    @on(PaperList.Highlighted)
    def _highlighted(self, event: PaperList.Highlighted) -> None:
        self.detail.show(event.paper)

    @on(PaperList.Opened)
    def _opened(self, event: PaperList.Opened) -> None:
        if self._after_search(self.papers.action_open):
            return
        if self.session.change(lambda library: library.mark_opened(event.paper.id)):
            self.save_soon()
        self.set_focus(self.detail)

    @on(Markdown.LinkClicked)
    def _note_link(self, event: Markdown.LinkClicked) -> None:
        if check_link(event.href) is None:
            self.open_externally(event.href)
        else:
            self.notify(
                f"Not opening {one_line(event.href)}: only http(s) links open.", severity="warning", markup=False
            )

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """A bug in a search or a background index is told once, with its cause, and logged."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        self.log.error(f"worker {event.worker.name!r} failed", error)
        what = {
            "search": "Searching",
            "words": "Preparing the search",
            "warm": "Preparing the search",
            "add": "Adding the paper",
        }
        self.notify(
            f"{what.get(event.worker.group, event.worker.name)} failed: {type(error).__name__}: {error}",
            severity="error",
            timeout=10,
            markup=False,
        )

    # Changes go through the session (the core library), are saved, then the screen redraws.
    def save_soon(self) -> None:
        self.query_one(SaveStatus).save_soon()

    def _change(self, apply: Callable[[Library], object], paper_id: str, *, tags: bool = False) -> None:
        """Apply a change to one paper's entry through the core, save it, and keep it for `u`."""
        self.change_papers(apply, [paper_id], tags=tags)

    @on(LibraryWatcher.Changed)
    def _library_changed(self) -> None:
        """Another copy saved, or a save took in what it had saved: show what the file says."""
        self.refresh_paper(tags=True)

    def _writable(self) -> bool:
        library = self.session.library
        if library.read_only:
            self.notify(f"Your library is read-only: {library.error}", severity="error", timeout=10, markup=False)
        return not library.read_only

    def refresh_paper(self, *, tags: bool = False) -> None:
        self.papers.refresh_marks()
        self.detail.show(self.current)
        tree = self.query_one(CategoryTree)
        if tags:
            tree.rebuild()
        else:
            tree.refresh_counts()

    def _paper_or_none(self, action: Callable[[], object] | None = None) -> Paper | None:
        if action is not None and self._after_search(action):
            return None
        paper = self.current
        if paper is None:
            self.notify(tr("No paper selected.", self.language), severity="warning", markup=False)
        return paper

    def run_command(self, action: str) -> None:
        """A command palette entry: never a letter of the query, so leave the search box first."""
        if self.focused is self.search_box:
            self.set_focus(self.papers)
        self.call_later(self.run_action, action)

    # The actions of the key table.
    def action_focus_search(self) -> None:
        # The jump starts here, not when the focus event arrives: in a burst ("/dec⏎" from a
        # real terminal) that event comes after the letters, and the place would hold "dec".
        if self._visit_from is None:
            self._visit_from = self.place()
        self.set_focus(self.search_box)

    def action_star(self) -> None:
        if self.star_marked():
            return
        paper = self._paper_or_none(self.action_star)
        if paper:
            self._change(lambda library: library.toggle_star(paper.id), paper.id)

    def action_cycle_sort(self) -> None:
        """The next order for this node's list; each node keeps its own."""
        order = next_sort(self.session.sort_for(self.node.key))
        self.session.set_sort(self.node.key, order)
        self.save_soon()
        self.run_search()
        language = self.language
        self.notify(tr("Sorted by {order}", language, order=tr(SORT_LABELS[order], language)), timeout=2, markup=False)

    def action_cycle_status(self) -> None:
        if self.status_marked():
            return
        paper = self._paper_or_none(self.action_cycle_status)
        if paper:
            self._change(lambda library: library.cycle_status(paper.id), paper.id)

    def _jump_unread(self, step: int) -> None:
        papers, start = self.papers.papers, self.papers.cursor
        index = start + step
        while 0 <= index < len(papers):
            if self.session.library.status(papers[index].id) == "unread":
                self.papers.cursor = index
                return
            index += step
        self.notify(tr("No more unread papers in this list.", self.language), timeout=3, markup=False)

    def action_next_unread(self) -> None:
        if not self._after_search(self.action_next_unread):
            self._jump_unread(1)

    def action_previous_unread(self) -> None:
        if not self._after_search(self.action_previous_unread):
            self._jump_unread(-1)

    def action_open_link(self) -> None:
        paper = self._paper_or_none(self.action_open_link)
        if paper is None:
            return
        local = pdfs.local_pdf(paper, self.session.library)  # the local copy first, once there is one
        url = paper.link
        if local is None and (not url or check_link(url) is not None):
            self.notify(tr("This paper has no http(s) link to open.", self.language), severity="warning", markup=False)
            return
        self.open_externally(local or url, pdf=local is not None)
        if not self.session.library.read_only:  # a side effect of opening: never an error
            self._change(lambda library: library.link_opened(paper.id), paper.id)

    def action_copy_bibtex(self) -> None:
        if self.cite_marked():
            return
        paper = self._paper_or_none(self.action_copy_bibtex)
        if paper is not None:
            self.tell_copied(f"BibTeX of {paper.id}", self.session.bibtex(paper))

    def action_export(self) -> None:
        from paperbrowse.tui.screens.export_dialog import ExportChoice, ExportDialog

        marked = self._marked_ids()  # with marks, the dialog offers them, chosen first

        def chosen(choice: ExportChoice | None) -> None:
            if choice is not None:
                self._export(choice.format, choice.path, force=False, ids=marked if choice.marked else None)

        count = len(self.session.starred_papers())
        session = self.session
        # The last format and folder used (or config.toml's), else the documents folder: `e`
        # then `enter` exports, and never silently into whatever folder the browser started in.
        folder = Path(session.setting("export_folder") or documents_folder())
        dialog = ExportDialog(folder, count, session.setting("export_format"), marked=len(marked))
        self.app.push_screen(dialog, chosen)

    def _export(self, fmt: str, path: Path, *, force: bool, ids: list[str] | None = None) -> None:
        from paperbrowse.tui.screens.confirm import Confirm

        try:
            count = self.session.export_papers(fmt, path, force=force, ids=ids)
        except FileExistsError:

            def answered(overwrite: bool | None) -> None:
                if overwrite:
                    self._export(fmt, path, force=True, ids=ids)

            language = self.language
            question = tr("{path} exists. Overwrite it?", language, path=path)
            self.app.push_screen(Confirm(question, tr("Overwrite", language), tr("Cancel", language)), answered)
            return
        except OSError as err:
            self.notify(f"Cannot write {path}: {err.strerror or err}", severity="error", timeout=10, markup=False)
            return
        self.session.choose("export_format", fmt)
        self.session.choose("export_folder", str(path.parent.resolve()))
        language = self.language
        told = (
            tr("Exported 1 paper to {path}", language, path=path)
            if count == 1
            else tr("Exported {count} papers to {path}", language, count=count, path=path)
        )
        self.notify(told, title=tr("Export", language), timeout=8, markup=False)

    def action_toggle_language(self) -> None:
        language = "zh" if self.language == "en" else "en"
        self.app.language = language  # type: ignore[attr-defined]  # PaperBrowseApp's
        self.session.choose("language", language)
        told = tr("Summaries: Chinese", language) if language == "zh" else tr("Summaries: English", language)
        self.notify(told, timeout=2, markup=False)

    def action_toggle_tree(self) -> None:
        """To the tree and back: on a narrow terminal the tree shows only while it is used."""
        tree = self.query_one(CategoryTree)
        if tree.has_focus:
            self.remove_class("show-tree")
            self.set_focus(self.papers)
        else:
            self.add_class("show-tree")
            self.set_focus(tree)

    def action_help(self) -> None:
        from paperbrowse.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.session.keymap))

    def action_problems(self) -> None:
        from paperbrowse.tui.screens.problems import ProblemsScreen

        self.app.push_screen(ProblemsScreen(self.session.catalog.problems))

    async def action_quit(self) -> None:
        current = self.current
        self.session.remember(self.node.key, self.search_box.value, current.id if current else "")
        status = self.query_one(SaveStatus)
        if status.save_now():
            # Quitting with changes unsaved is a failure, even with a rescue copy: exit 1 tells scripts.
            self.app.exit(
                return_code=1 if status.farewell else 0, message=Text(status.farewell) if status.farewell else None
            )

    # Links between papers: related ones (1-5), builds on / built on by (6-9), or a click.
    def action_find_related(self) -> None:
        """Build the related-papers index on request (a large collection skips it at start)."""
        count = len(self.session.catalog.papers)
        self.notify(
            tr("Finding related papers among {count}…", self.language, count=f"{count:,}"), timeout=5, markup=False
        )
        self.detail.find_related()

    def action_follow_link(self, number: int) -> None:
        paper_id = self.detail.links.get(number)
        if paper_id is None:
            self.notify(
                tr("No link {number} in the details of this paper.", self.language, number=number),
                timeout=3,
                markup=False,
            )
            return
        self.select_paper(paper_id)

    def action_open_source(self, number: int) -> None:
        """A click on one of the details' sources (never a key: there can be many)."""
        sources = self.detail.sources
        url = sources[number] if 0 <= number < len(sources) else ""
        if not url or check_link(url) is not None:
            self.notify(tr("No http(s) source to open there.", self.language), severity="warning", markup=False)
            return
        self.open_externally(url)

    def select_paper(self, paper_id: str) -> None:
        """Put the cursor on a paper; when the node or the search hides it, show all papers."""
        self.history.visit(self.place())
        if self.papers.move_to(paper_id):
            return
        # The events these changes post start searches of their own; each is newer, so the
        # paper to keep waits for whichever result is shown last.
        self._keep = paper_id
        self.search_box.value = ""
        self.query_one(CategoryTree).select_key("all")
        self.node = ALL_PAPERS
        self.run_search()

    # Growing the collection: the core adds the paper, then the collection is loaded again.
    def action_add_paper(self) -> None:
        from paperbrowse.tui.screens.add_dialog import AddDialog

        def chosen(request: AddRequest | None) -> None:
            if request is not None:
                if request.arxiv:
                    service = "Crossref" if is_doi(request.arxiv) else "arXiv"
                    self.notify(
                        tr(
                            "Asking {service} about {paper}…",
                            self.language,
                            service=service,
                            paper=one_line(request.arxiv),
                        ),
                        title=tr("Add paper · escape stops", self.language),
                        timeout=4,
                        markup=False,
                    )
                self._add(request)

        self.app.push_screen(AddDialog(self.session.catalog), chosen)

    @work(thread=True, group="add", exit_on_error=False)
    def _add(self, request: AddRequest) -> None:
        # Escape and quitting cancel this worker. Textual cannot stop a thread; the worker's
        # event, passed down to the network reads, ends the wait for arXiv within a tenth of a
        # second, so that the thread never holds the process up after `q`.
        token = get_current_worker().cancelled_event
        result = add_paper(request, self.session.catalog, self.session.library.path, token, froze_of(self.app))
        if self.app.is_running:  # after `q`, nobody is left to tell
            self.app.call_from_thread(self._added, result)

    def action_cancel_add(self) -> None:
        """Stop asking arXiv or Crossref; the add reports itself stopped (or done, if it had answered)."""
        adding = [w for w in self.workers if w.group == "add" and w.node is self and not w.is_finished]
        if not adding:
            raise SkipAction()  # escape then clears the marks, if there are any
        for worker in adding:
            worker.cancel()

    def _added(self, result: AddResult) -> None:
        if result.catalog is not None and result.index is not None:
            self.use_catalog(result.catalog, result.index, result.signature)
        severity: SeverityLevel = "error" if result.failed else "warning" if result.cancelled else "information"
        self.notify(result.message, title="Add paper", severity=severity, timeout=8, markup=False)
        if result.paper_id:
            self.select_paper(result.paper_id)

    def _loading_tick(self) -> None:
        """A cold start: move the bar; once all is read, show the whole collection."""
        loading = self._loading
        if loading is None:
            return
        done, total = loading.read
        bar = self.query_one("#loading", ProgressBar)
        bar.update(total=total or None, progress=done)
        if not loading.finished.is_set():
            return
        self._loading = None
        self._loading_timer.stop()
        bar.remove()
        loading.pause = None
        if loading.result is None:
            error = loading.error
            self.notify(
                f"Reading the rest of the data failed: {type(error).__name__}: {error}",
                severity="error",
                timeout=15,
                markup=False,
            )
            return
        catalog, index = loading.result
        loading.result = loading.partial = None  # the session holds them alone (see `tui.retire`)
        self.use_catalog(catalog, index)

    @on(DataWatcher.Reloaded)
    def _data_changed(self, event: DataWatcher.Reloaded) -> None:
        if self.session.catalog is not event.old:
            return  # loaded again meanwhile (a paper was added)
        self.use_catalog(event.fresh, event.index)
        errors = len(event.fresh.errors)
        language, count = self.language, f"{len(event.fresh.papers):,}"
        told = (
            tr(
                "The data changed on disk: reloaded {count} papers; {errors} problems, press ! for the list.",
                language,
                count=count,
                errors=errors,
            )
            if errors
            else tr("The data changed on disk: reloaded {count} papers.", language, count=count)
        )
        self.notify(told, timeout=6, markup=False)

    def use_catalog(self, catalog: Catalog, index: SearchIndex, signature: tuple[object, ...] | None = None) -> None:
        """Show a collection loaded again everywhere: the list, the tree, the details, the title."""
        replaced_index = self.session.index
        replaced = Parcel((self.session.catalog, replaced_index))
        busy_of(self.app)
        self.session.replace_catalog(catalog, index)
        self.query_one(DataWatcher).follow(catalog, signature)
        self.query_one(CategoryTree).use_catalog(catalog)
        self.detail.use_catalog(catalog)
        self.app.sub_title = collection_title(catalog, self.language)
        self._fit_subtitle()
        self._prepare_search(index, replaced_index)
        self.run_search()
        self._release_later(replaced)

    def _release_later(self, replaced: Parcel[tuple[Catalog, SearchIndex]], tries: int = RELEASE_TRIES) -> None:
        self.set_timer(RELEASE_AFTER, lambda: self._release(replaced, pause_of(self.app), tries))

    @work(thread=True, group="release", exit_on_error=False)
    def _release(
        self, replaced: Parcel[tuple[Catalog, SearchIndex]], pause: Callable[[], None] | None, tries: int
    ) -> None:
        def again(held: Parcel[tuple[Catalog, SearchIndex]]) -> None:
            if tries > 1 and self.app.is_running:
                self.app.call_from_thread(self._release_later, held, tries - 1)

        release(replaced, pause, again)  # see `tui.retire`


def collection_title(catalog: Catalog, language: str = "en") -> str:
    """The header's subtitle: which collection, and how many papers."""
    return tr(
        "{collection} · {count} papers",
        language,
        collection=collection_name(catalog.sources),
        count=f"{len(catalog.papers):,}",
    )


def documents_folder() -> Path:
    """The user's documents folder when there is one, else the home folder."""
    documents = Path(platformdirs.user_documents_dir())
    return documents if documents.is_dir() else Path.home()
