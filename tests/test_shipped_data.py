"""The collection shipped with paperbrowse: complete, clean, bilingual, with safe links."""

from __future__ import annotations

import calendar
import dataclasses
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


# --- facts and their sources (issue 17) -------------------------------------------------------

ARXIV_ABS = re.compile(r"^https://arxiv\.org/abs/(?P<id>.+?)v(?P<version>\d+)$")
# A Chinese character or full-width punctuation: what ASCII punctuation must not touch.
CJK_OR_FULL_WIDTH = r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
ASCII_NEXT_TO_CJK = re.compile(rf"(?<={CJK_OR_FULL_WIDTH}) ?[,();:]|[,();:] ?(?={CJK_OR_FULL_WIDTH})")
TEXT_PAIRS = (("summary", "summary_zh"), ("highlight", "highlight_zh"))


def test_every_paper_names_its_sources(catalog):
    assert [p.id for p in catalog.papers if not p.sources] == []
    for paper in catalog.papers:
        assert all(urlsplit(s).scheme == "https" for s in paper.sources), paper.id
        if paper.arxiv:
            versions = [m for m in map(ARXIV_ABS.match, paper.sources) if m and m["id"] == paper.arxiv]
            assert versions, f"{paper.id}: no arXiv abstract page with its version among the sources"


def test_unverified_notes_are_never_empty(catalog):
    assert [p.id for p in catalog.papers if any(not note.strip() for note in p.unverified)] == []


def test_no_unverified_comment_is_left_in_the_files(data_files):
    """A doubt lives in `unverified`, which the details show, not in a comment nobody sees."""
    assert [f.name for f in data_files if "# unverified" in f.read_text("utf-8")] == []


def ascii_punctuation_in_chinese(text: str) -> list[str]:
    """Each ASCII , ( ) ; : beside a Chinese character or full-width mark, with its neighbours."""
    return [text[max(m.start() - 3, 0) : m.end() + 3] for m in ASCII_NEXT_TO_CJK.finditer(text)]


def test_the_punctuation_check_catches_ascii_and_passes_full_width():
    assert ascii_punctuation_in_chinese("模型,数据") == ["模型,数据"]
    assert ascii_punctuation_in_chinese("分数(VQAv2)较高") == ["分数(VQA", "Av2)较高"]
    assert ascii_punctuation_in_chinese("提升 6.5 个百分点: 好") == ["百分点: 好"]
    assert ascii_punctuation_in_chinese("模型，数据（VQAv2）；结论：好") == []
    assert ascii_punctuation_in_chinese("7B/13B, GPT-3 (175B)") == []  # English inside Chinese text


@pytest.mark.parametrize("field", ["summary_zh", "highlight_zh"])
def test_chinese_texts_use_full_width_punctuation(catalog, field):
    found = {p.id: hits for p in catalog.papers if (hits := ascii_punctuation_in_chinese(getattr(p, field)))}
    assert found == {}


# Numbers written either way: 1,645 = 1645; 1.4 billion = 14 亿; 70B = 700 亿; 126K = 12.6 万;
# months by name = their number. Percent signs, "x" and "倍" are dropped: the values compare.
_SCALE = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "b": 1e9,
    "trillion": 1e12, "t": 1e12, "万": 1e4, "亿": 1e8, "万亿": 1e12,
}  # fmt: skip
_MONTHS = [name.lower() for name in calendar.month_name[1:]]
_NUMBER = re.compile(
    r"(?<![\w.])v?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"  # 1,645 or 1645 or 0.31
    r"(?:\s*-?\s*(万亿|万|亿|(?:thousand|million|billion|trillion)\b|[kKmMbBtT](?![a-zA-Z])))?",
)


def numbers_in(text: str) -> set[float]:
    """The numeric values a text states, scaled by the unit written after them."""
    text = re.sub(r"\b(" + "|".join(_MONTHS) + r")\b", lambda m: str(_MONTHS.index(m[1].lower()) + 1), text, flags=re.I)
    values = set()
    for digits, unit in _NUMBER.findall(text):
        value = float(digits.replace(",", "")) * _SCALE.get(unit.lower() if unit else "", 1.0)
        values.add(round(value, 6))
    return values


def test_numbers_are_read_the_same_in_both_languages():
    assert numbers_in("1,645 APIs from 94 + 626 + 925") == numbers_in("1645 个 API（94、626、925）")
    assert numbers_in("1.4 billion pairs, cleaned from 5 billion") == numbers_in("从 50 亿对中清洗出 14 亿对")
    assert numbers_in("the 70B model, 126K instances") == numbers_in("70B 模型，12.6 万条")
    assert numbers_in("Llama 2 70B, 2 trillion tokens") == numbers_in("Llama 2 70B，2 万亿 token")
    assert numbers_in("78.2% versus 72.4%") == numbers_in("78.2% 对 72.4%") == {78.2, 72.4}
    assert numbers_in("published in December 2024") == numbers_in("2024 年 12 月发表") == {12, 2024}
    assert numbers_in("an 18-billion model, 100k tokens, 16k") == numbers_in("180 亿参数，10 万 token，16k")
    assert numbers_in("GPT-3.5 and v3") == {3.5, 3}


def number_mismatches(paper) -> dict[str, tuple[list[float], list[float]]]:
    found = {}
    for english, chinese in TEXT_PAIRS:
        en, zh = numbers_in(getattr(paper, english)), numbers_in(getattr(paper, chinese))
        if en != zh:
            found[english] = (sorted(en - zh), sorted(zh - en))
    return found


def test_a_planted_mismatch_is_caught(catalog):
    """The check reads the real records and fails on one changed number, in either language."""
    paper = catalog.by_id["qwen-vl"]
    assert number_mismatches(paper) == {}
    wrong = dataclasses.replace(paper, summary_zh=paper.summary_zh.replace("14 亿", "15 亿"))
    assert number_mismatches(wrong) == {"summary": ([1.4e9], [1.5e9])}
    wrong = dataclasses.replace(paper, highlight="A 2023 model. " + paper.highlight)
    assert number_mismatches(wrong) == {"highlight": ([2023], [])}


def test_english_and_chinese_texts_state_the_same_numbers(catalog):
    found = {p.id: m for p in catalog.papers if (m := number_mismatches(p))}
    assert found == {}
