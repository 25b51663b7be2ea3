"""Related papers (TF-IDF over title, summary and tags) and `builds_on` links in both directions."""

from __future__ import annotations

import json
import math

import pytest

from conftest import CATEGORIES_TOML, make_catalog, make_paper, paper_toml, run, write_text
from paperbrowse.core.files.paths import shipped
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.core.records.schema import paper_from_table
from paperbrowse.core.search import related as related_module
from paperbrowse.core.search.related import RelatedIndex, is_ready, related, related_index, tokens


@pytest.fixture(scope="module")
def catalog():
    return load_catalog([shipped("data")])


def ids(found) -> list[str]:
    return [r.paper.id for r in found]


# ---------------------------------------------------------------------------------------------
# Related papers on the shipped collection.
# ---------------------------------------------------------------------------------------------


def test_the_speculative_decoding_papers_find_each_other(catalog) -> None:
    top = ids(related(catalog, "speculative-decoding"))
    assert "specinfer" in top and ({"medusa", "lookahead-decoding"} & set(top))
    for paper_id in ("specinfer", "medusa", "lookahead-decoding"):
        assert "speculative-decoding" in ids(related(catalog, paper_id))[:3]


@pytest.mark.parametrize(
    ("paper_id", "expected"),
    [
        ("llama", "llama2"),
        ("llama2", "llama"),
        ("gorilla", "toolllm"),
        ("toolllm", "gorilla"),
        ("qwen-vl", "kosmos2"),
        ("llava-1.5", "qwen-vl"),
    ],
)
def test_the_nearest_neighbour_is_the_obvious_one(catalog, paper_id: str, expected: str) -> None:
    assert ids(related(catalog, paper_id))[0] == expected


def test_five_others_best_first_with_cosine_scores(catalog) -> None:
    for paper in catalog.papers:
        found = related(catalog, paper.id)
        assert len(found) == 5
        assert paper.id not in ids(found)
        assert len(set(ids(found))) == 5
        scores = [r.score for r in found]
        assert scores == sorted(scores, reverse=True)
        assert all(0 < score <= 1 for score in scores)


def test_similarity_is_symmetric(catalog) -> None:
    index = related_index(catalog)
    for paper in catalog.papers:
        for other in related(catalog, paper.id):
            back = {r.paper.id: r.score for r in index.neighbours(other.paper.id, limit=len(catalog.papers))}
            assert math.isclose(back[paper.id], other.score, abs_tol=0.0011)


def test_the_index_is_built_once_per_catalog(catalog) -> None:
    fresh = load_catalog([shipped("data")])
    assert not is_ready(fresh)
    index = related_index(fresh)
    assert is_ready(fresh) and related_index(fresh) is index
    assert related_index(catalog) is not index
    assert related(fresh, "medusa") == related(fresh, "medusa")  # cached, and equal


def test_unknown_ids_and_tiny_collections() -> None:
    alone = make_catalog([make_paper("a", "Attention is all you need", summary="Transformers.")])
    assert related(alone, "a") == []
    assert related(alone, "missing") == []
    unrelated = make_catalog([make_paper("a", "Protein folding"), make_paper("b", "Galaxy clusters")])
    assert related(unrelated, "a") == []  # nothing in common: no link rather than a random one


def test_limit() -> None:
    papers = [make_paper(f"p{i}", f"Sparse attention kernels part {i}") for i in range(10)]
    catalog = make_catalog(papers)
    assert len(related(catalog, "p0", limit=3)) == 3
    assert len(related(catalog, "p0", limit=8)) == 8
    assert len(related(catalog, "p0")) == 5


def test_tags_and_titles_weigh_more_than_summaries() -> None:
    base = make_paper("base", "Mixture of experts routing", tags=["moe"], summary="We study routers.")
    by_tag = make_paper("by-tag", "Something else entirely", tags=["moe"], summary="Unrelated words here.")
    by_summary = make_paper("by-summary", "Another thing", summary="Mentions experts once among many words.")
    catalog = make_catalog([base, by_tag, by_summary, make_paper("x", "Filler paper", summary="Words.")])
    assert ids(related(catalog, "base"))[0] == "by-tag"


def test_tokens() -> None:
    assert tokens("The Models of LLaMA-2, studies and 2023 kernels") == ["model", "llama", "study", "kernel"]
    assert tokens("corpus status") == ["corpus", "status"]  # not plurals
    assert tokens("Über naïve café") == ["uber", "naive", "cafe"]
    assert tokens("") == []


def test_very_common_terms_are_skipped_in_large_collections(monkeypatch) -> None:
    monkeypatch.setattr(related_module, "_EXACT_UP_TO", 10)
    monkeypatch.setattr(related_module, "_COMMON_FLOOR", 5)
    papers = [make_paper(f"p{i}", f"Common words everywhere topic{i % 14}") for i in range(70)]
    catalog = make_catalog(papers)
    found = related(catalog, "p0")
    # "common", "words", "everywhere" are in every paper and skipped; the topic alone decides.
    assert {r.paper.id for r in found} == {f"p{i}" for i in range(1, 70) if i % 14 == 0}


def test_a_few_thousand_papers() -> None:
    words = [
        "attention",
        "decoding",
        "quantization",
        "retrieval",
        "agents",
        "vision",
        "speech",
        "graphs",
        "proteins",
        "robots",
    ]
    papers = [
        make_paper(
            f"p{i}",
            f"{words[i % 10]} {words[(i // 10) % 10]} study {i}",
            summary=" ".join(words[(i + k) % 10] for k in range(5)),
        )
        for i in range(3000)
    ]
    index = RelatedIndex(papers)
    assert len(index.neighbours("p1234")) == 5


# ---------------------------------------------------------------------------------------------
# builds_on: the record field, the catalog's two directions, validation.
# ---------------------------------------------------------------------------------------------


def _table(**extra):
    return {"id": "p", "title": "T", "authors": ["A"], "date": "2023", "category": "llm", **extra}


def test_builds_on_is_a_list_of_ids() -> None:
    paper, findings = paper_from_table(_table(builds_on=["llama", "llama", " gpt-4 "]))
    assert findings.errors == [] and findings.warnings == []
    assert paper.builds_on == ("llama", "gpt-4")


def test_builds_on_of_the_wrong_type_is_an_error() -> None:
    paper, findings = paper_from_table(_table(builds_on="llama"))
    assert paper is None
    assert [e.key for e in findings.errors] == ["builds_on"]


def test_builds_on_itself_or_a_non_id_is_a_warning() -> None:
    paper, findings = paper_from_table(_table(builds_on=["p", "Not An Id", "../x", "ok"]))
    assert paper.builds_on == ("ok",)
    assert [w.message for w in findings.warnings] == [
        "builds_on names the paper itself ('p'; ignored)",
        "builds_on: 'Not An Id' is not a paper id (ignored)",
        "builds_on: '../x' is not a paper id (ignored)",
    ]


def test_the_shipped_links_both_ways(catalog) -> None:
    by_id = catalog.by_id
    assert [p.id for p in catalog.builds_on(by_id["code-llama"])] == ["llama2"]
    assert [p.id for p in catalog.builds_on(by_id["llama2"])] == ["llama"]
    assert [p.id for p in catalog.built_on_by("llama")] == ["gorilla", "llama2"]  # oldest first
    assert [p.id for p in catalog.built_on_by("llama2")] == ["toolllm", "code-llama"]
    assert [p.id for p in catalog.builds_on(by_id["medusa"])] == ["speculative-decoding", "specinfer"]
    assert [p.id for p in catalog.built_on_by("speculative-decoding")] == ["specinfer", "medusa"]
    assert catalog.builds_on(by_id["lookahead-decoding"]) == []
    every = {(p.id, other) for p in catalog.papers for other in p.builds_on}
    assert all(other in by_id for _, other in every)  # no dangling link in the shipped data
    assert all(by_id[other].date <= by_id[paper].date for paper, other in every)  # links go back in time


def test_an_unknown_id_is_a_warning_in_validate(capsys, tmp_path) -> None:
    root = tmp_path / "data"
    write_text(root / "categories.toml", CATEGORIES_TOML)
    text = paper_toml("a", builds_on='["b", "nowhere"]') + "\n" + paper_toml("b")
    path = write_text(root / "papers.toml", text)
    catalog = load_catalog([root])
    assert [p.id for p in catalog.builds_on(catalog.by_id["a"])] == ["b"]
    assert [p.id for p in catalog.built_on_by("b")] == ["a"]
    assert catalog.by_id["a"].builds_on == ("b", "nowhere")  # kept: the paper may be added later
    code, out, err = run(capsys, "validate", str(root))
    assert code == 0
    assert out == f"{path}:1: warning: paper 'a': builds_on names 'nowhere', which is not in the data (kept)\n"
    assert run(capsys, "validate", "--strict", str(root))[0] == 1


# ---------------------------------------------------------------------------------------------
# `paperbrowse show`.
# ---------------------------------------------------------------------------------------------


def test_show_json_has_related_and_both_directions(capsys) -> None:
    code, out, _ = run(capsys, "show", "llama2", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["builds_on"] == ["llama"]
    assert data["built_on_by"] == ["toolllm", "code-llama"]
    assert next(r["id"] for r in data["related"]) == "llama"
    assert len(data["related"]) == 5 and all(0 < r["score"] <= 1 for r in data["related"])


def test_list_json_carries_builds_on(capsys) -> None:
    code, out, _ = run(capsys, "list", "--json")
    by_id = {p["id"]: p for p in json.loads(out)}
    assert by_id["code-llama"]["builds_on"] == ["llama2"] and by_id["llama"]["builds_on"] == []


def test_show_lists_them_for_people(capsys) -> None:
    code, out, _ = run(capsys, "show", "specinfer")
    assert code == 0
    lines = out.splitlines()
    builds_on = lines.index("Builds on:")
    assert lines[builds_on + 1].split() == [
        "speculative-decoding",
        "Fast",
        "Inference",
        "from",
        "Transformers",
        "via",
        "Speculative",
        "Decoding",
    ]
    built_on_by = lines.index("Built on by:")
    assert lines[built_on_by + 1].split()[0] == "medusa"
    related_at = lines.index("Related:")
    first = lines[related_at + 1].split()
    assert first[0] == "speculative-decoding" and float(first[1]) > 0
