"""The ranking benchmark (benchmarks/ranking): its query set is well formed and the script runs.

The figures themselves are the benchmark's business (README), not a test's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

RANKING = Path(__file__).resolve().parents[1] / "benchmarks" / "ranking"
sys.path.insert(0, str(RANKING))

import run as ranking  # noqa: E402


@pytest.fixture(scope="module")
def collection():
    return ranking.papers()


def test_every_query_names_one_paper_of_the_bibliography(collection):
    titles = [paper.title for paper in collection]
    assert len(titles) == len(set(titles)) > 4000
    queries = ranking.all_queries()
    assert len(queries) >= 200
    assert sum(query.origin == "hand" for query in queries) >= 80
    for query in queries:
        assert query.text.strip() == query.text and query.text, query
        assert query.title in titles, query
        assert query.kind in ranking.KINDS, query
    assert len({(q.text, q.title) for q in queries}) == len(queries)
    assert {q.kind for q in queries} == set(ranking.KINDS)


def test_the_generated_queries_are_what_the_rules_make(collection):
    assert ranking.read_queries(ranking.GENERATED) == ranking.generate(collection)


def test_the_script_runs_and_prints_the_table():
    done = subprocess.run(
        [sys.executable, str(RANKING / "run.py"), "--no-fzf"], capture_output=True, text=True, check=True, timeout=300
    )
    assert "| all (" in done.stdout and "paperbrowse: MRR / hits@5" in done.stdout
