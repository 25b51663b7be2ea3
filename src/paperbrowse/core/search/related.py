"""Related papers: TF-IDF cosine similarity over titles, summaries and tags, in pure Python.

Each paper becomes a sparse vector (term ids and their weights): sublinear term frequency,
with title words counting three times and tags twice, times BM25's inverse document
frequency, which all but silences words most papers share ("model", "language"). Vectors are
L2-normalised, so the dot product of two is their cosine. An inverted index (term -> papers holding it)
finds a paper's neighbours without comparing it to every other paper.

The index is built once per catalog (a catalog never changes after loading) and kept in
`catalog.derived`; each paper's neighbours are computed on first request and remembered.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.schema import Paper

LIMIT = 5
# Past this size the index takes many seconds and hundreds of MB (15 s and 0.7 GB at 100,000
# papers here): it is then built only when asked for, not at start.
AUTO_BUILD_UP_TO = 20_000
TITLE_WEIGHT = 3
TAG_WEIGHT = 2
# Up to `_EXACT_UP_TO` papers every score is exact (and so symmetric). Beyond, a paper is
# compared through its `_QUERY_TERMS` most telling terms, and a term held by a tenth of the
# papers (yet at least `_COMMON_FLOOR`) is skipped as too common to tell papers apart: the
# cost of a lookup then stays flat as the collection grows.
_EXACT_UP_TO = 5000
_QUERY_TERMS = 64
_COMMON_FLOOR = 2000
_CACHE_SIZE = 4096
_KEY = "related"

_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "may",
        "me",
        "more",
        "most",
        "much",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "very",
        "via",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "you",
        "your",
        "yet",
        "using",
        "use",
        "used",
        "uses",
        "new",
        "paper",
        "propose",
        "proposed",
        "show",
        "shows",
        "shown",
        "approach",
        "method",
        "methods",
        "based",
        "one",
        "two",
        "three",
        "first",
        "second",
        "many",
        "well",
        "even",
        "however",
        "thus",
        "e",
        "g",
        "et",
        "al",
        "ie",
        "eg",
    ]
)
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Related:
    paper: Paper
    score: float  # cosine similarity, 0..1


def tokens(text: str) -> list[str]:
    """Lower-case ASCII-folded words, stopwords and bare numbers dropped, plurals folded."""
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    words = _WORD.findall(folded)
    return [_stem(word) for word in words if len(word) > 1 and word not in _STOPWORDS and not word.isdigit()]


def _stem(word: str) -> str:
    """Just enough stemming for English plurals: models -> model, studies -> study."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _terms(paper: Paper) -> Counter[str]:
    counts: Counter[str] = Counter()
    for word in tokens(paper.title):
        counts[word] += TITLE_WEIGHT
    for tag in paper.tags:
        counts["#" + tag.lower()] += TAG_WEIGHT  # the tag itself, so `moe` matches `moe` only
        for word in tokens(tag):
            counts[word] += TAG_WEIGHT
    counts.update(tokens(paper.summary))
    return counts


_SLICE = 256  # papers between two calls of a builder's `pause` (a few milliseconds)


def _no_pause() -> None:
    pass


class RelatedIndex:
    def __init__(self, papers: Iterable[Paper], pause: Callable[[], None] | None = None) -> None:
        """`pause`: called every few hundred papers, where a builder in a thread may give way
        (the browser's sleeps while the user types: see `tui.foreground`)."""
        pause = pause or _no_pause
        self.papers: list[Paper] = list(papers)
        self.position = {paper.id: index for index, paper in enumerate(self.papers)}
        total = len(self.papers)
        term_ids: dict[str, int] = {}
        # Each paper's term ids and counts, as arrays: a list of (term, count) tuples per paper
        # held a million tuples at 10,000 papers, 40 MB more at the peak than the index itself.
        counted: list[tuple[array[int], array[int]]] = []
        frequency: list[int] = []  # by term id: how many papers hold the term
        for position, paper in enumerate(self.papers):
            if not position % _SLICE:
                pause()
            numbers, counts = array("I"), array("I")
            for text, count in _terms(paper).items():
                number = term_ids.setdefault(text, len(term_ids))
                if number == len(frequency):
                    frequency.append(0)
                frequency[number] += 1
                numbers.append(number)
                counts.append(count)
            counted.append((numbers, counts))
        idf = [math.log(1 + (total - df + 0.5) / (df + 0.5)) for df in frequency]
        # Compact arrays, not dicts of floats: 100,000 papers of ~100 terms stay in tens of MB.
        self.terms: list[array[int]] = []
        self.weights: list[array[float]] = []
        posting_papers: list[array[int]] = [array("I") for _ in frequency]
        posting_weights: list[array[float]] = [array("f") for _ in frequency]
        for index, (numbers, counts) in enumerate(counted):
            if not index % _SLICE:
                pause()
            weights = [(1 + math.log(count)) * idf[term] for term, count in zip(numbers, counts, strict=True)]
            norm = math.sqrt(sum(w * w for w in weights)) or 1.0
            kept = [(term, w / norm) for term, w in zip(numbers, weights, strict=True) if w > 0]
            self.terms.append(array("I", (term for term, _ in kept)))
            self.weights.append(array("f", (w for _, w in kept)))
            for term, weight in kept:
                posting_papers[term].append(index)
                posting_weights[term].append(weight)
        self.postings = list(zip(posting_papers, posting_weights, strict=True))
        self._exact = total <= _EXACT_UP_TO
        self._common = max(_COMMON_FLOOR, total // 10)
        # paper -> (how many were asked for, the best that many): a list shorter than asked
        # means there are no more, and is not recomputed.
        self._cache: dict[int, tuple[int, list[tuple[int, float]]]] = {}
        self._lock = threading.Lock()

    def neighbours(self, paper_id: str, limit: int = LIMIT) -> list[Related]:
        index = self.position.get(paper_id)
        if index is None:
            return []
        asked, found = self._cache.get(index, (0, []))
        if asked < limit:
            asked = max(limit, LIMIT)
            found = self._score(index, asked)
            with self._lock:
                if len(self._cache) >= _CACHE_SIZE:
                    self._cache.clear()
                self._cache[index] = (asked, found)
        return [Related(self.papers[other], score) for other, score in found[:limit]]

    def _score(self, index: int, limit: int) -> list[tuple[int, float]]:
        terms = list(zip(self.terms[index], self.weights[index], strict=True))
        if not self._exact:
            terms = sorted(terms, key=lambda item: -item[1])[:_QUERY_TERMS]
        scores: dict[int, float] = {}
        for term, weight in terms:
            others, other_weights = self.postings[term]
            if not self._exact and len(others) > self._common:
                continue
            for other, other_weight in zip(others, other_weights, strict=True):
                scores[other] = scores.get(other, 0.0) + weight * other_weight
        scores.pop(index, None)
        ranked = sorted(
            ((other, round(score, 3)) for other, score in scores.items() if score >= 0.0005),
            key=lambda item: (-item[1], self.papers[item[0]].id),
        )
        return ranked[:limit]


def related_index(catalog: Catalog, pause: Callable[[], None] | None = None) -> RelatedIndex:
    """The catalog's index, built on first use (a thread may build it ahead: see `is_ready`)."""
    index: RelatedIndex | None = catalog.derived.get(_KEY)
    if index is None:
        index = RelatedIndex(catalog.papers, pause)
        catalog.derived[_KEY] = index
    return index


def is_ready(catalog: Catalog) -> bool:
    """Whether asking for related papers is instant (the index is built)."""
    return _KEY in catalog.derived


def related(catalog: Catalog, paper_id: str, limit: int = LIMIT) -> list[Related]:
    """The papers most like this one, best first, at most `limit`; none scoring zero."""
    return related_index(catalog).neighbours(paper_id, limit)
