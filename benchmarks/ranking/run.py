"""How well the search ranks the paper someone is after, beside fzf, in the same run.

    python benchmarks/ranking/run.py            # the table for the README
    python benchmarks/ranking/run.py --write    # (re)write generated.tsv from the rules below

The collection is a real bibliography written by others (refdb-all.bib, see SOURCES.md),
read with paperbrowse's own BibTeX import. The queries are hand.tsv (written by hand) and
generated.tsv (made by the rules in `generate`, from a seeded sample of titles); each names
the one paper it is after. For each tool and query, the rank of that paper: mean reciprocal
rank (1/rank, 0 when not listed) and hits@5 (listed in the first five).

fzf gets one line per paper, `title<TAB>authors`, searched in both fields (--nth 2..) or in
the title alone (--nth 2), with its defaults otherwise (extended syntax, smart case, ties by
length), so both tools see the same words.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from paperbrowse.core.records.catalog import Catalog, Category
from paperbrowse.core.records.schema import Paper
from paperbrowse.core.search.engine import SearchIndex
from paperbrowse.core.sources.bibtex_import import read_bibtex_file

HERE = Path(__file__).resolve().parent
BIB = HERE / "refdb-all.bib"
HAND = HERE / "hand.tsv"
GENERATED = HERE / "generated.tsv"
KINDS = ("acronym", "typo", "first letters", "author", "fragment", "words")
SEED = 15
PER_RULE = 25


@dataclass(frozen=True)
class Query:
    text: str
    title: str
    kind: str
    origin: str  # "hand" or the rule's name


def papers() -> list[Paper]:
    """The bibliography's papers, one per title (the first of any duplicates)."""
    seen: set[str] = set()
    found = []
    for number, new in enumerate(read_bibtex_file(BIB).papers):
        if new.title.lower() in seen:
            continue
        seen.add(new.title.lower())
        found.append(
            Paper(
                id=f"p{number}",
                title=new.title,
                authors=new.authors,
                date=new.date,
                category="ml",
                venue=new.venue,
            )
        )
    return found


def read_queries(path: Path, origin: str | None = None) -> list[Query]:
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 3:
            raise ValueError(f"{path.name}: {line!r}: want query<TAB>title<TAB>kind[<TAB>rule]")
        queries.append(Query(parts[0], parts[1], parts[2], origin or (parts[3] if len(parts) > 3 else "rule")))
    return queries


def all_queries() -> list[Query]:
    return read_queries(HAND, "hand") + read_queries(GENERATED)


# --- the rules that write generated.tsv --------------------------------------------------------

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]")
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "into",
        "via",
        "using",
        "over",
        "under",
        "what",
        "when",
        "where",
        "which",
        "how",
        "are",
        "our",
        "its",
        "their",
        "this",
        "that",
    ]
)


def _words(title: str) -> list[str]:
    return [w for w in _WORD.findall(title) if len(w) >= 4 and w.lower() not in _STOP]


def generate(collection: Sequence[Paper]) -> list[Query]:
    """Queries by rule, each from a different title of a seeded sample (none asked for in
    hand.tsv). A person remembers
    the unusual words of a title, so the rules pick a title's rarest words (fewest papers in
    the collection hold them), in the title's order:

    words          the two rarest words                       "polytope adversarial"
    first letters  the first four letters of the three rarest  "conv oute poly"
    typo           the rarest word of 6+ letters with two neighbouring letters swapped, and
                   the second rarest word                     "ploytope convex"
    author         the first author's last name and the rarest word   "wong polytope"
    acronym        a title's leading name before a colon (a system or data set), lower-cased
                   ("seqgan" for "SeqGAN: Sequence Generative Adversarial Nets ...")
    """
    frequency = Counter(w.lower() for p in collection for w in set(_words(p.title)))
    rng = random.Random(SEED)
    sample = rng.sample(list(collection), len(collection))
    used = {query.title for query in read_queries(HAND, "hand")}  # a paper is asked for once
    queries: list[Query] = []

    def rare(title: str, count: int, minimum: int = 4) -> list[str]:
        words = [w for w in dict.fromkeys(_words(title)) if len(w) >= minimum]
        chosen = set(sorted(words, key=lambda w: (frequency[w.lower()], words.index(w)))[:count])
        return [w.lower() for w in words if w in chosen]

    def swap(word: str) -> str:
        middle = len(word) // 2
        return word[: middle - 1] + word[middle] + word[middle - 1] + word[middle + 1 :]

    def acronym(paper: Paper) -> str | None:
        head = paper.title.split(":")[0]
        named = ":" in paper.title and " " not in head and 3 <= len(head) <= 12 and head[0].isalnum()
        if named and any(c.isupper() for c in head[1:]):
            return head.lower()
        return None

    rules: list[tuple[str, str, Callable[[Paper], str | None]]] = [
        ("words", "words", lambda p: " ".join(rare(p.title, 2)) if len(rare(p.title, 2)) == 2 else None),
        (
            "first letters",
            "first-letters",
            lambda p: " ".join(w[:4] for w in rare(p.title, 3)) if len(rare(p.title, 3)) == 3 else None,
        ),
        ("typo", "typo", lambda p: _typo(rare(p.title, 2, 6), rare(p.title, 2), swap)),
        (
            "author",
            "author",
            lambda p: (
                f"{p.authors[0].split()[-1].lower()} {rare(p.title, 1)[0]}"
                if p.authors and rare(p.title, 1) and p.authors[0].split()[-1].isalpha()
                else None
            ),
        ),
        ("acronym", "acronym", acronym),
    ]
    for kind, name, rule in rules:
        made = 0
        for paper in sample:
            if made == PER_RULE:
                break
            if paper.title in used:
                continue
            text = rule(paper)
            if text:
                queries.append(Query(text, paper.title, kind, name))
                used.add(paper.title)
                made += 1
    return queries


def _typo(long_words: list[str], words: list[str], swap: Callable[[str], str]) -> str | None:
    if not long_words:
        return None
    typo = swap(long_words[0])
    if typo == long_words[0]:
        return None
    other = [w for w in words if w != long_words[0]]
    return " ".join([typo, *other[:1]])


def write_generated(queries: Iterable[Query]) -> None:
    lines = [
        "# Generated by `python benchmarks/ranking/run.py --write` (rules in its `generate`).",
        "# query\ttitle\tkind\trule",
    ]
    lines += [f"{q.text}\t{q.title}\t{q.kind}\t{q.origin}" for q in queries]
    GENERATED.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- measuring ---------------------------------------------------------------------------------


def paperbrowse_rank(index: SearchIndex, query: Query, target: int) -> int | None:
    result = index.search(query.text)
    for rank, place in enumerate(result.positions[:100], 1):
        if place == target:
            return rank
    return None


def fzf_rank(lines: str, query: Query, target_title: str, fields: str) -> int | None:
    done = subprocess.run(
        ["fzf", "--filter", query.text, "--delimiter", "\t", "--nth", fields],
        input=lines,
        capture_output=True,
        text=True,
        check=False,
    )
    for rank, line in enumerate(done.stdout.splitlines()[:100], 1):
        if line.split("\t")[1] == target_title:
            return rank
    return None


def figures(ranks: list[int | None]) -> tuple[float, float]:
    mrr = sum(1 / r for r in ranks if r) / len(ranks)
    hits = sum(1 for r in ranks if r and r <= 5) / len(ranks)
    return mrr, hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="write generated.tsv from the rules")
    parser.add_argument("--no-fzf", action="store_true", help="paperbrowse only (when fzf is missing)")
    parser.add_argument("--misses", action="store_true", help="list the queries paperbrowse ranks below 5")
    args = parser.parse_args()
    collection = papers()
    if args.write:
        write_generated(generate(collection))
    queries = all_queries()
    by_title = {p.title: p for p in collection}
    index = SearchIndex(Catalog(collection, {"ml": Category("ml", "ML")}))
    place = {p.id: i for i, p in enumerate(index.papers)}
    lines = "".join(f"{p.id}\t{p.title}\t{', '.join(p.authors)}\n" for p in collection)
    use_fzf = not args.no_fzf and shutil.which("fzf") is not None
    tools: dict[str, list[int | None]] = {"paperbrowse": [], "fzf (title, authors)": [], "fzf (title)": []}
    kinds: dict[str, dict[str, list[int | None]]] = {}
    for query in queries:
        target = by_title[query.title]
        ranks = {"paperbrowse": paperbrowse_rank(index, query, place[target.id])}
        if use_fzf:
            ranks["fzf (title, authors)"] = fzf_rank(lines, query, query.title, "2..")
            ranks["fzf (title)"] = fzf_rank(lines, query, query.title, "2")
        for tool, rank in ranks.items():
            tools[tool].append(rank)
            kinds.setdefault(query.kind, {}).setdefault(tool, []).append(rank)
        if args.misses and not (ranks["paperbrowse"] and ranks["paperbrowse"] <= 5):
            print(f"miss: {query.text!r} -> {query.title[:60]!r}: {ranks}", file=sys.stderr)
    shown = [tool for tool, ranks in tools.items() if ranks]
    print(f"{len(collection):,} papers, {len(queries)} queries ({sum(q.origin == 'hand' for q in queries)} by hand)\n")
    print("| queries | " + " | ".join(f"{t}: MRR / hits@5" for t in shown) + " |")
    print("|---|" + "---|" * len(shown))
    rows = [("all", tools)] + [(kind, kinds[kind]) for kind in KINDS if kind in kinds]
    for name, table in rows:
        count = len(table["paperbrowse"])
        cells = [f"{figures(table[t])[0]:.3f} / {figures(table[t])[1]:.0%}" for t in shown]
        print(f"| {name} ({count}) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
