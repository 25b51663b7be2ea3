"""Generate a realistic synthetic paper collection for benchmarks.

    python benchmarks/generate.py 100000 /tmp/papers-100k
    python benchmarks/generate.py 100000 /tmp/papers-100k-one --per-file 1

Titles, 2-8 authors, summaries of 100-200 words, nested categories, dates and tags, spread
over files of 1,000 papers, as a lab's collection would be; or, with `--per-file 1`, one file
per paper named by its id, as `add` and `import` write them. The same size and seed always give
the same papers, whatever the layout.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import tomli_w

WORDS = [
    "attention",
    "transformer",
    "language",
    "model",
    "efficient",
    "sparse",
    "mixture",
    "experts",
    "retrieval",
    "augmented",
    "generation",
    "reasoning",
    "chain",
    "thought",
    "alignment",
    "preference",
    "optimization",
    "reward",
    "policy",
    "diffusion",
    "image",
    "video",
    "audio",
    "speech",
    "multimodal",
    "vision",
    "encoder",
    "decoder",
    "contrastive",
    "pretraining",
    "fine",
    "tuning",
    "instruction",
    "tuning",
    "quantization",
    "pruning",
    "distillation",
    "inference",
    "serving",
    "latency",
    "throughput",
    "memory",
    "cache",
    "speculative",
    "decoding",
    "parallel",
    "kernel",
    "gpu",
    "hardware",
    "scaling",
    "laws",
    "data",
    "curation",
    "benchmark",
    "evaluation",
    "robustness",
    "safety",
    "agent",
    "tool",
    "planning",
    "graph",
    "neural",
    "network",
    "reinforcement",
    "learning",
    "offline",
    "online",
    "exploration",
    "representation",
    "self",
    "supervised",
    "masked",
    "autoencoder",
    "tokenizer",
    "embedding",
    "long",
    "context",
    "position",
    "interpolation",
    "state",
    "space",
    "recurrent",
    "convolution",
    "protein",
    "molecule",
    "chemistry",
    "physics",
    "climate",
    "weather",
    "code",
    "program",
    "synthesis",
    "math",
    "theorem",
    "proving",
    "search",
    "ranking",
    "recommendation",
    "federated",
    "privacy",
    "differential",
    "fairness",
]
TITLE_SHAPES = [
    "{A}: {b} {c} for {d} {e}",
    "Towards {b} {c} with {d} {e}",
    "{A} {b}: Scaling {c} {d}",
    "On the {b} of {c} {d} in {e} Models",
    "{A}{B}: A {b} Approach to {c} {d}",
    "Rethinking {b} {c} for {d}",
]
FIRST = [
    "Wei",
    "Li",
    "Ana",
    "Maria",
    "Chen",
    "Yuki",
    "Omar",
    "Lucas",
    "Sofia",
    "Arjun",
    "Mei",
    "Ivan",
    "Fatima",
    "Noah",
    "Lea",
    "Kenji",
    "Priya",
    "Tom",
    "Elena",
]
LAST = [
    "Zhang",
    "Wang",
    "Smith",
    "Garcia",
    "Kim",
    "Tanaka",
    "Müller",
    "Rossi",
    "Silva",
    "Nguyen",
    "Patel",
    "Cohen",
    "Ivanova",
    "Okafor",
    "Dubois",
    "Larsen",
]
ORGS = [
    "Tsinghua University",
    "Stanford University",
    "Google DeepMind",
    "Meta AI",
    "MIT",
    "ETH Zurich",
    "Carnegie Mellon University",
    "University of Tokyo",
    "Microsoft Research",
    "Peking University",
]
VENUES = ["", "", "NeurIPS 2023", "ICML 2024", "ICLR 2024", "ACL 2023", "CVPR 2024", "TMLR"]
ROOTS = ["language", "vision", "learning", "systems", "science"]
CHILDREN = ["theory", "methods", "applications", "benchmarks"]
PER_FILE = 1000


def categories() -> list[dict]:
    cats = []
    for order, root in enumerate(ROOTS, 1):
        cats.append({"id": root, "name": root.title(), "order": order})
        for child_order, child in enumerate(CHILDREN, 1):
            cats.append({"id": f"{root}-{child}", "name": child.title(), "parent": root, "order": child_order})
    return cats


def paper(rng: random.Random, number: int, category_ids: list[str]) -> dict:
    words = [rng.choice(WORDS) for _ in range(6)]
    title = rng.choice(TITLE_SHAPES).format(
        A=words[0].title(), B=words[5].title(), b=words[1], c=words[2], d=words[3], e=words[4]
    )
    summary = " ".join(rng.choice(WORDS) for _ in range(rng.randint(100, 200))).capitalize() + "."
    year = rng.randint(2015, 2025)
    record = {
        "id": f"p{number:07d}",
        "title": title,
        "authors": [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(2, 8))],
        "date": f"{year}-{rng.randint(1, 12):02d}",
        "category": rng.choice(category_ids),
        "orgs": rng.sample(ORGS, rng.randint(1, 3)),
        "arxiv": f"{year % 100:02d}{rng.randint(1, 12):02d}.{rng.randint(1, 29999):05d}",
        "tags": sorted(set(rng.sample(WORDS, rng.randint(2, 5)))),
        "summary": summary,
        "highlight": " ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + ".",
    }
    venue = rng.choice(VENUES)
    if venue:
        record["venue"] = venue
    return record


def generate(size: int, folder: Path, seed: int = 2023, per_file: int = PER_FILE) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    cats = categories()
    (folder / "categories.toml").write_bytes(tomli_w.dumps({"category": cats}).encode())
    ids = [c["id"] for c in cats]
    files = []
    for start in range(0, size, per_file):
        batch = [paper(rng, n, ids) for n in range(start, min(start + per_file, size))]
        name = f"{batch[0]['id']}.toml" if per_file == 1 else f"papers-{start // per_file:04d}.toml"
        path = folder / name
        path.write_bytes(tomli_w.dumps({"paper": batch}).encode())
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("size", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--per-file", type=int, default=PER_FILE, help="papers per file (1: as `add` writes them)")
    args = parser.parse_args()
    files = generate(args.size, args.folder, args.seed, args.per_file)
    total = sum(f.stat().st_size for f in files)
    print(f"{args.size} papers in {len(files)} files, {total / 1e6:.1f} MB, in {args.folder}")


if __name__ == "__main__":
    main()
