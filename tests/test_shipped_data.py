"""The collection shipped with paperbrowse: complete, clean, bilingual, with safe links."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from paperbrowse.core.files.paths import shipped
from paperbrowse.core.records.catalog import Catalog, load_catalog
from paperbrowse.core.records.loader import find_files

CATEGORY_IDS = {"foundation", "alignment", "agents", "inference", "multimodal"}
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
NEW_ARXIV = re.compile(r"^\d{4}\.\d{4,5}(v\d+)?$")
OLD_ARXIV = re.compile(r"^[a-z-]+(\.[A-Z]{2})?/\d{7}(v\d+)?$")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog([shipped("data")])


@pytest.fixture(scope="module")
def data_files() -> list[Path]:
    files, problems = find_files([shipped("data")])
    assert problems == []
    return files


def ids_in_files(files: list[Path]) -> dict[str, Counter[str]]:
    """Every `id` of every `[[paper]]` and `[[category]]` table, as the files spell them."""
    counts: dict[str, Counter[str]] = {"paper": Counter(), "category": Counter()}
    for path in files:
        document = tomllib.loads(path.read_text("utf-8"))
        for kind, ids in counts.items():
            ids.update(table["id"] for table in document.get(kind, []))
    return counts


def test_shipped_data_folder_exists():
    folder = shipped("data")
    assert folder.is_dir()
    files, problems = find_files([folder])
    assert problems == []
    assert len(files) >= 2


def test_no_problems_at_all(catalog):
    assert [str(p) for p in catalog.problems] == []


def test_paper_count(catalog):
    assert len(catalog.papers) == 26


def test_categories(catalog):
    assert set(catalog.categories) == CATEGORY_IDS
    for category in catalog.categories.values():
        assert category.parent is None
        assert category.name.strip()
        assert CJK.search(category.name_zh), category.id
    orders = [c.order for c in catalog.categories.values()]
    assert len(set(orders)) == len(orders), "distinct display order"


def test_ids_unique(data_files, catalog):
    """Counted in the files themselves: the catalog keeps the first of two records with one id and
    drops the other, so its papers could never show a duplicate."""
    counts = ids_in_files(data_files)
    for kind, ids in counts.items():
        assert [i for i, n in ids.items() if n > 1] == [], f"{kind} ids defined more than once"
    # ... and the files were read: every record counted, each one the catalog holds.
    assert sum(counts["paper"].values()) == 26 and sum(counts["category"].values()) == len(CATEGORY_IDS)
    assert set(counts["paper"]) == set(catalog.by_id)


def test_each_category_has_at_least_three_papers(catalog):
    counts = Counter(p.category for p in catalog.papers)
    assert {c: counts[c] for c in CATEGORY_IDS if counts[c] < 3} == {}


@pytest.mark.parametrize("field", ["summary", "summary_zh", "highlight", "highlight_zh"])
def test_every_paper_has_bilingual_text(catalog, field):
    empty = [p.id for p in catalog.papers if not getattr(p, field).strip()]
    assert empty == []


def test_chinese_text_is_chinese(catalog):
    assert [p.id for p in catalog.papers if not CJK.search(p.summary_zh)] == []
    assert [p.id for p in catalog.papers if not CJK.search(p.highlight_zh)] == []


def test_required_fields_are_filled(catalog):
    for paper in catalog.papers:
        assert paper.title.strip() and paper.authors, paper.id
        assert 1990 <= paper.year <= 2030, paper.id


@pytest.mark.parametrize("field", ["url", "code"])
def test_links_are_https(catalog, field):
    bad = []
    for paper in catalog.papers:
        link = getattr(paper, field)
        if link and (urlsplit(link).scheme != "https" or not urlsplit(link).netloc):
            bad.append((paper.id, link))
    assert bad == []


def test_every_paper_has_a_link(catalog):
    assert [p.id for p in catalog.papers if not p.link.startswith("https://")] == []


def test_arxiv_ids_are_well_formed(catalog):
    bad = [
        (p.id, p.arxiv)
        for p in catalog.papers
        if p.arxiv and not (NEW_ARXIV.match(p.arxiv) or OLD_ARXIV.match(p.arxiv))
    ]
    assert bad == []
    # a new-style id names a real month: YYMM with MM in 01..12
    for paper in catalog.papers:
        if NEW_ARXIV.match(paper.arxiv):
            assert 1 <= int(paper.arxiv[2:4]) <= 12, paper.id


def test_arxiv_url_matches_arxiv_id(catalog):
    mismatched = [
        p.id for p in catalog.papers if p.arxiv and "arxiv.org" in p.url and p.arxiv.split("v")[0] not in p.url
    ]
    assert mismatched == []


def test_no_control_characters_in_shipped_text(catalog):
    control = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
    for paper in catalog.papers:
        for field in ("title", "summary", "summary_zh", "highlight", "highlight_zh", "venue"):
            assert not control.search(getattr(paper, field)), (paper.id, field)
