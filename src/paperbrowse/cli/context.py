"""What every command needs: the data sources, the catalog loaded once, the library path."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path

from paperbrowse.cli import collector
from paperbrowse.cli.progress import LoadProgress
from paperbrowse.core.files.paths import data_sources, library_path
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.search.query import parse
from paperbrowse.core.settings.config_file import Problem, Settings, load_settings
from paperbrowse.core.store.cache import check_files, load_catalog_cached
from paperbrowse.core.store.forked_stamp import FilesCheck
from paperbrowse.core.store.kept_search import prepare_search

# What `main.build_parser` hands each command module: (name, help) to the command's own parser.
AddCommand = Callable[[str, str], argparse.ArgumentParser]


class CliError(Exception):
    """A failure the user can act on: printed as one line, with an exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class Context:
    def __init__(self, data: Sequence[str] | None, library: str | None, check: FilesCheck | None = None) -> None:
        self.library_file: Path = library_path(library)
        # The default data include the papers folder beside the library in use (--library too).
        self.requested_data = data  # --data as given (None: the defaults)
        self.sources = data_sources(data, library=self.library_file)
        self._told_settings = False
        self._check = check  # a child started on the files' key before the commands were imported

    def files_check(self) -> FilesCheck | None:
        """The child checking the data files for the load (see `store.cache.check_files`): the
        one started before the commands were imported, else one started now; handed out once."""
        check, self._check = self._check, None
        return check if check is not None else check_files(self.sources)

    def drop_files_check(self) -> None:
        """Stop the early child when the command did not load the papers."""
        check, self._check = self._check, None
        if check is not None:
            check.abandon()

    @cached_property
    def _collection(self) -> tuple[Catalog, SearchIndex]:
        progress = LoadProgress()  # shown on a terminal when the load takes over a second
        try:
            return self.load(None, progress)
        finally:
            progress.finish()

    def load(
        self,
        early: Callable[[Catalog], None] | None,
        progress: Callable[[int, int], None],
        check: FilesCheck | None = None,
    ) -> tuple[Catalog, SearchIndex]:
        """The collection and its index, read now; `early`, `progress` and `check` as
        `load_catalog_cached` takes them (the browser's cold start shows the first part while
        the rest is read)."""

        if check is None:  # the early child, if there is one (see cli/entry.py)
            check, self._check = self._check, None

        # The index's order of the papers is built with the catalog, so that the collector
        # freezes both (see cli/collector.py): 50 ms at 100,000 papers, made while a child
        # checks the files when one does (see store.cache.check_files).
        def load() -> tuple[Catalog, SearchIndex]:
            made: list[SearchIndex] = []
            catalog = load_catalog_cached(
                self.sources,
                progress=progress,
                early=early,
                check=check,
                meanwhile=lambda c: made.append(SearchIndex(c)),
            )
            index = made[0] if made and made[0].catalog is catalog else SearchIndex(catalog)
            return catalog, index

        return collector.load_for_the_process(load, papers=lambda loaded: len(loaded[0].papers))

    @property
    def catalog(self) -> Catalog:
        return self._collection[0]

    @property
    def index(self) -> SearchIndex:
        return self._collection[1]

    def searchable_index(self, query: str) -> SearchIndex:
        """The index, with its word indexes ready when the query searches text (kept on disk)."""
        if any(t.kind != "filter" for group in parse(query).groups for t in group):
            prepare_search(self.index)
        return self.index

    @cached_property
    def _settings(self) -> tuple[Settings, list[Problem]]:
        return load_settings()

    @property
    def settings(self) -> Settings:
        """config.toml's settings; what is wrong in it is said once, on stderr, and defaulted."""
        settings, problems = self._settings
        if problems and not self._told_settings:
            self._told_settings = True
            for problem in problems:
                print(f"paperbrowse: warning: {one_line(str(problem))}", file=sys.stderr)
        return settings

    @property
    def settings_problems(self) -> list[Problem]:
        return self._settings[1]

    @cached_property
    def library(self) -> Library:
        library = Library.load(self.library_file)
        if library.error is not None:
            print(f"paperbrowse: warning: library opened read-only: {library.error}", file=sys.stderr)
        return library

    def writable_library(self) -> Library:
        """The library for a command that changes it; refuses when the file cannot be trusted."""
        library = Library.load(self.library_file)
        if library.error is not None:
            raise CliError(f"{library.error}; refusing to write, the file is left as it is")
        return library

    def warn_problems(self) -> None:
        """Commands other than validate work on the good records and say, once, what was skipped."""
        errors = self.catalog.errors
        if errors:
            noun = "problem" if len(errors) == 1 else "problems"
            print(
                f"paperbrowse: warning: {len(errors)} {noun} in the data, bad records skipped"
                " (run `paperbrowse validate` for details)",
                file=sys.stderr,
            )
