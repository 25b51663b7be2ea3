"""What the browser holds: the loaded collection, its search index and the user's library.

No Textual here. Every change goes through the core `Library`, with the same calls the CLI
makes; the screen decides when to save (see `widgets.save_status`) and what to tell the user.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from paperbrowse.core.export import cite, export
from paperbrowse.core.export.reading_list import export_items, order_by_star, select_papers
from paperbrowse.core.files.exports import write_export
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.schema import Paper
from paperbrowse.core.search.engine import SearchIndex, UserState
from paperbrowse.core.search.full_text import WithFullText
from paperbrowse.core.search.sort_orders import SORTS, sort_papers
from paperbrowse.core.settings import remembered
from paperbrowse.core.settings.config_file import Problem, Settings

SEARCH_HISTORY = 50  # queries kept for `up` in the search box


class Session:
    def __init__(
        self,
        catalog: Catalog,
        library: Library,
        index: SearchIndex | None = None,
        settings: Settings | None = None,
        settings_problems: Sequence[Problem] = (),
    ) -> None:
        self.catalog = catalog
        self.library = library
        self.index = index or SearchIndex(catalog)
        self.settings = settings or Settings()
        self.settings_problems = list(settings_problems)  # config.toml's, told once at start
        self.keymap: dict[str, str] = {}  # config.toml's keys that apply: binding id -> keys
        self.texts: dict[str, list[str]] = {}  # the text of the user's PDFs, read in the background

    def replace_catalog(self, catalog: Catalog, index: SearchIndex) -> None:
        """The collection was loaded again (a paper added, a file edited): read the new one."""
        self.catalog, self.index = catalog, index

    # Reading.
    def list_papers(
        self, node_filter: str, text: str, *, star_order: bool = False, sort: str = "relevance"
    ) -> tuple[Sequence[Paper], tuple[str, ...]]:
        result = self.index.search(f"{node_filter} {text}".strip(), self.user_state())
        return self.arrange(result.view, text, star_order=star_order, sort=sort), result.hints

    def user_state(self) -> UserState:
        """What the search knows of the user: the library, and the text of their PDFs."""
        return WithFullText(self.library, self.texts) if self.texts else self.library

    def arrange(self, papers: Sequence[Paper], text: str, *, star_order: bool, sort: str) -> Sequence[Paper]:
        """Found papers (rows read as they are drawn) in the order the node's list is read."""
        if sort != "relevance":
            papers = sort_papers(self.index, papers, sort, self.library)
        elif star_order and not text.strip():
            papers = order_by_star(papers, self.library)
        return papers

    def sort_for(self, node: str) -> str:
        """The order the node's list is read in (`S` cycles it), kept in the library's app state."""
        order = self._sorts().get(node, "relevance")
        return order if order in SORTS else "relevance"

    def set_sort(self, node: str, order: str) -> None:
        if not self.library.read_only:
            sorts = self._sorts()
            if order == "relevance":
                sorts.pop(node, None)
            else:
                sorts[node] = order
            self.library.set_state(sort=json.dumps(sorts, sort_keys=True))

    def _sorts(self) -> dict[str, str]:
        try:
            sorts = json.loads(self.library.state.get("sort", "{}"))
        except ValueError:  # edited by hand into something else: every node back to relevance
            return {}
        return {k: v for k, v in sorts.items() if isinstance(v, str)} if isinstance(sorts, dict) else {}

    def starred_papers(self) -> list[Paper]:
        return select_papers(self.index, self.library, None)[0]

    def bibtex(self, *papers: Paper) -> str:
        """What `y` copies: the same as `paperbrowse cite ID...` prints."""
        return cite(list(papers), "bibtex")

    def export_papers(self, fmt: str, path: Path, *, force: bool, ids: Sequence[str] | None = None) -> int:
        """Export the starred list, or the papers `ids` names (as `export --ids` does); how many."""
        papers = select_papers(self.index, self.library, None, ids=ids)[0]
        text = export(export_items(papers, self.library), fmt, self.catalog)
        write_export(path, text.encode("utf-8"), force=force)
        return len(papers)

    # Changing: the caller saves afterwards.
    def change(self, apply: Callable[[Library], object]) -> bool:
        """Apply a change through the core; False (and nothing changed) when read-only."""
        if self.library.read_only:
            return False
        apply(self.library)
        return True

    def setting(self, name: str) -> str:
        """A setting both config.toml and the browser change (theme, language): the later wins."""
        return remembered.current(name, getattr(self.settings, name), self.library.state)

    def choose(self, name: str, value: str) -> None:
        """A choice made in the browser, remembered (saved with the next save) over config.toml's."""
        if not self.library.read_only:
            self.library.set_state(**remembered.remember(name, value, getattr(self.settings, name)))

    def search_history(self) -> list[str]:
        """The queries searched before, oldest first (kept in the library's state)."""
        return [line for line in self.library.state.get("searches", "").split("\n") if line]

    def remember_search(self, query: str) -> None:
        if self.library.read_only or not query.strip() or "\n" in query:
            return
        searches = [line for line in self.search_history() if line != query]
        self.library.set_state(searches="\n".join([*searches, query][-SEARCH_HISTORY:]))

    def remember(self, category: str, query: str, selected: str) -> None:
        """The browser's place, for the next start."""
        if not self.library.read_only:
            self.library.set_state(category=category, query=query, selected=selected)
