"""The browser's add (`a`) loads the collection again through the cache, as every other load does.

It parsed every data file again (`records.catalog.load_catalog`): at 100,000 papers the new paper
showed after half a minute, and the related papers' index was built for any size.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conftest import CATEGORIES_TOML, paper_toml, write_text
from paperbrowse.core.files.paths import user_papers_folder
from paperbrowse.core.records import catalog as plain_catalog
from paperbrowse.core.search import related
from paperbrowse.core.store import cache, small_files
from paperbrowse.core.store.cache import load_catalog_cached
from paperbrowse.tui import add_worker
from paperbrowse.tui.add_worker import AddRequest, add_paper

NEW = AddRequest("llm", title="A paper added from the browser", authors=("Grace Hopper",), year=2024)


def collection(folder: Path, count: int) -> Path:
    write_text(folder / "categories.toml", CATEGORIES_TOML)
    for number in range(count):
        write_text(folder / f"p{number:03d}.toml", paper_toml(f"p{number:03d}", title=f"Paper {number}"))
    hour_ago = time.time() - 3600  # out of the cache's racy window: kept, not parsed again
    for path in folder.iterdir():
        os.utime(path, (hour_ago, hour_ago))
    return folder


def test_an_add_parses_only_the_new_paper_s_file(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PAPERBROWSE_CACHE", str(tmp_path / "cache"))
    data = collection(tmp_path / "data", 40)
    library = tmp_path / "library.toml"
    papers = collection(user_papers_folder(library), 0)  # the papers folder is among the sources
    (papers / "categories.toml").unlink()
    before = load_catalog_cached([str(data), str(papers)])  # as the browser's start leaves the cache
    seen: list[str] = []
    original = cache.parse_file

    def counting(path: Path):
        seen.append(Path(path).name)
        return original(path)

    monkeypatch.setattr(cache, "parse_file", counting)
    monkeypatch.setattr(small_files, "parse_file", counting)
    monkeypatch.setattr(plain_catalog, "parse_file", lambda path: pytest.fail(f"{path} parsed uncached"))

    result = add_paper(NEW, before, library)

    assert result.catalog is not None and not result.failed, result.message
    added = result.catalog.by_id[result.paper_id]
    assert added.title == NEW.title
    assert len(result.catalog.papers) == len(before.papers) + 1
    assert seen == [Path(added.source).name]


def test_the_papers_folder_joins_the_sources_once(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PAPERBROWSE_CACHE", str(tmp_path / "cache"))
    library = tmp_path / "library.toml"
    folder = user_papers_folder(library)
    collection(folder, 3)
    before = load_catalog_cached([str(folder)])

    first = add_paper(NEW, before, library)
    assert first.catalog is not None
    again = add_paper(
        AddRequest("llm", title="Another one", authors=("Alan Turing",), year=2025), first.catalog, library
    )

    assert again.catalog is not None
    assert again.catalog.sources == (str(folder),)
    assert len(again.catalog.papers) == 5
    assert not [problem for problem in again.catalog.problems if "duplicate" in problem.message]


def test_the_related_papers_are_built_ahead_only_where_the_browser_builds_them(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PAPERBROWSE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(add_worker, "AUTO_BUILD_UP_TO", 10)
    data = collection(tmp_path / "data", 20)
    before = load_catalog_cached([str(data)])

    result = add_paper(NEW, before, tmp_path / "library.toml")

    assert result.catalog is not None
    assert not related.is_ready(result.catalog)  # 21 papers, over the limit: built when asked


def test_under_the_limit_the_related_papers_are_ready_with_the_new_catalog(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PAPERBROWSE_CACHE", str(tmp_path / "cache"))
    data = collection(tmp_path / "data", 5)
    before = load_catalog_cached([str(data)])

    result = add_paper(NEW, before, tmp_path / "library.toml")

    assert result.catalog is not None
    assert related.is_ready(result.catalog)  # built in the worker, not at the first keypress
