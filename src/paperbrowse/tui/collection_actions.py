"""The main screen's links between papers and its growing collection.

Related papers (keys 1-5), builds on / built on by (6-9), following a link to its paper, and
adding a paper (`a`), after which the whole screen shows the reloaded collection. A mixin of
MainScreen, kept apart so that each file reads in one sitting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from paperbrowse.core.files.paths import collection_name
from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.search.related import AUTO_BUILD_UP_TO, related_index
from paperbrowse.core.store.cache import files_signature, load_catalog_cached, prepare_search
from paperbrowse.tui.category_tree import CategoryTree, Node
from paperbrowse.tui.detail_pane import DetailPane
from paperbrowse.tui.search_box import SearchBox

WATCH_SECONDS = 3.0

if TYPE_CHECKING:
    from paperbrowse.tui.add_worker import AddRequest, AddResult


class CollectionActions:
    # Links between papers: related ones (1-5), builds on / built on by (6-9), or a click.
    @work(thread=True, group="related", exit_on_error=False)
    def _prepare_related(self, catalog: Catalog) -> None:
        """Build the related-papers index off the UI thread (seconds for a huge collection)."""
        related_index(catalog)
        self.app.call_from_thread(self._related_ready, catalog)

    @work(thread=True, group="words", exit_on_error=False)
    def _prepare_search(self, index: SearchIndex) -> None:
        """Load (or build and keep) the word indexes, so that the first keystroke finds them ready."""
        prepare_search(index)
        index.prepare_keystrokes()

    def _related_ready(self, catalog: Catalog) -> None:
        detail = self.query_one(DetailPane)
        if detail.catalog is catalog:
            detail.show(detail.paper)

    def action_find_related(self) -> None:
        """Build the related-papers index on request (a large collection skips it at start)."""
        catalog = self.session.catalog
        self.notify(f"Finding related papers among {len(catalog.papers):,}…", timeout=5, markup=False)
        self._prepare_related(catalog)

    def action_follow_link(self, number: int) -> None:
        paper_id = self.query_one(DetailPane).links.get(number)
        if paper_id is None:
            self.notify(f"No link {number} in the details of this paper.", timeout=3, markup=False)
            return
        self.select_paper(paper_id)

    def action_first_related(self) -> None:
        self.action_follow_link(1)

    def select_paper(self, paper_id: str) -> None:
        """Put the cursor on a paper; when the node or the search hides it, show all papers."""
        if self.papers.move_to(paper_id):
            return
        # The events these changes post start searches of their own; each is newer, so the
        # paper to keep waits for whichever result is shown last.
        self._keep = paper_id
        self.query_one("#search", SearchBox).value = ""
        self.query_one(CategoryTree).select_key("all")
        self.node = Node("all", "", "All papers")
        self.run_search()

    # Growing the collection: the core adds the paper, then the catalog is loaded again.
    def action_add_paper(self) -> None:
        from paperbrowse.tui.add_dialog import AddDialog

        if self._typed_in_search("a"):
            return

        def chosen(request: AddRequest | None) -> None:
            if request is not None:
                if request.arxiv:
                    self.notify(f"Asking arXiv about {one_line(request.arxiv)}…", timeout=4, markup=False)
                self._add(request)

        self.app.push_screen(AddDialog(self.session.catalog), chosen)

    @work(thread=True, group="add", exit_on_error=False)
    def _add(self, request: AddRequest) -> None:
        from paperbrowse.tui.add_worker import AddResult, add_paper

        try:
            result = add_paper(request, self.session.catalog, self.session.library.path)
        except Exception as err:
            result = AddResult(f"Not added: {type(err).__name__}: {err}", failed=True)
        self.app.call_from_thread(self._added, result)

    def _added(self, result: AddResult) -> None:
        if result.catalog is not None:
            self.use_catalog(result.catalog, result.index)
        severity = "error" if result.failed else "information"
        self.notify(result.message, title="Add paper", severity=severity, timeout=8, markup=False)
        if result.paper_id:
            self.select_paper(result.paper_id)

    def use_catalog(self, catalog: Catalog, index: SearchIndex) -> None:
        """Show a reloaded collection everywhere: the list, the tree, the details, the title."""
        self.session.replace_catalog(catalog, index)
        self._data_signature = files_signature(catalog.sources)
        tree = self.query_one(CategoryTree)
        tree.catalog = catalog
        tree.rebuild()
        detail = self.query_one(DetailPane)
        detail.catalog = catalog
        self.app.sub_title = collection_title(catalog)
        self._prepare_search(index)
        if len(catalog.papers) <= AUTO_BUILD_UP_TO:
            self._prepare_related(catalog)
        self.run_search()

    # Data files edited, added or deleted while the browser runs are noticed and reloaded.
    def watch_data(self) -> None:
        self._data_signature = files_signature(self.session.catalog.sources)
        self.set_interval(WATCH_SECONDS, self.check_data)

    def check_data(self) -> None:
        self._check_data(self.session.catalog, self._data_signature)

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def _check_data(self, catalog: Catalog, known: tuple) -> None:
        signature = files_signature(catalog.sources)
        if signature == known:
            return
        fresh = load_catalog_cached(catalog.sources)  # only the changed files are parsed again
        self.app.call_from_thread(self._data_changed, catalog, fresh, SearchIndex(fresh))

    def _data_changed(self, old: Catalog, fresh: Catalog, index: SearchIndex) -> None:
        if self.session.catalog is not old:
            return  # reloaded meanwhile (a paper was added): the next check compares again
        self.use_catalog(fresh, index)
        errors = len(fresh.errors)
        more = f"; {errors} problems, press ! for the list" if errors else ""
        self.notify(f"The data changed on disk: reloaded {len(fresh.papers):,} papers{more}.", timeout=6, markup=False)


def collection_title(catalog: Catalog) -> str:
    """The header's subtitle: which collection, and how many papers."""
    return f"{collection_name(catalog.sources)} · {len(catalog.papers):,} papers"
