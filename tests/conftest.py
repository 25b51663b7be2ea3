"""Shared fixtures: a small valid collection on disk, TOML writers, and isolation from the user's files."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pytest

from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.schema import Category, Paper

# The local arXiv, Crossref and PDF stand-ins' fixtures (`arxiv_api`, `dead_url`,
# `crossref_api`, the PDF server), and the guards that keep every test away from the real ones.
pytest_plugins = ["arxiv_server", "crossref_server", "pdf_server"]

# ---------------------------------------------------------------------------------------------
# Isolation: no test may read or write the real user library or pick up the caller's data path.
# ---------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _isolate_user_files(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("user")
    library = home / "library.toml"
    monkeypatch.setenv("PAPERBROWSE_LIBRARY", str(library))
    monkeypatch.delenv("PAPERBROWSE_DATA", raising=False)
    monkeypatch.delenv("PAPERBROWSE_CONFIG", raising=False)
    # platformdirs honours these on Linux: even a code path that ignores PAPERBROWSE_LIBRARY
    # lands in the temporary folder, never in the developer's real data folder.
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "xdg-cache"))
    return library


# ---------------------------------------------------------------------------------------------
# Writing TOML text.
# ---------------------------------------------------------------------------------------------


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def write_text(path: Path, text: str) -> Path:
    """Write dedented TOML text to `path` (folders created), returning the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text), encoding="utf-8", newline="\n")
    return path


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based number of the line holding the `occurrence`-th line that contains `needle`."""
    seen = 0
    for number, line in enumerate(dedent(text).split("\n"), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} (occurrence {occurrence}) not in text")


def paper_toml(
    paper_id: str,
    *,
    title: str | None = None,
    category: str = "llm",
    date: str = "2023-01-01",
    authors: Sequence[str] = ("Ada Lovelace",),
    **extra: str,
) -> str:
    """One `[[paper]]` table as TOML text; `extra` values are raw TOML (write quotes yourself)."""
    lines = [
        "[[paper]]",
        f'id = "{paper_id}"',
        f'title = "{title or paper_id.replace("-", " ").title()}"',
        "authors = [" + ", ".join(f'"{a}"' for a in authors) + "]",
        f"date = {date}",
        f'category = "{category}"',
    ]
    lines += [f"{key} = {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


CATEGORIES_TOML = """\
# The fixture's category tree: llm > llm-inference, and vision at the top level.
[[category]]
id = "llm"
name = "Large language models"
name_zh = "大语言模型"
order = 1

[[category]]
id = "llm-inference"
name = "LLM inference"
parent = "llm"
order = 1

[[category]]
id = "vision"
name = "Computer vision"
order = 2
"""

PAPERS_2023_TOML = """\
[[paper]]
id = "llama"
title = "LLaMA: Open and Efficient Foundation Language Models"
authors = ["Hugo Touvron", "Thibaut Lavril"]
date = 2023-02-27
category = "llm"
orgs = ["Meta AI"]
venue = "arXiv"
arxiv = "2302.13971"
url = "https://arxiv.org/abs/2302.13971"
code = "https://github.com/facebookresearch/llama"
tags = ["llm", "open-weights"]
summary = "A family of foundation language models from 7B to 65B parameters trained on public data."
summary_zh = "一组基础语言模型。"
highlight = "Open weights at scale."
highlight_zh = "开放权重。"

[[paper]]
id = "gpt-4"
title = "GPT-4 Technical Report"
authors = ["OpenAI"]
date = "2023-03"
category = "llm"
orgs = ["OpenAI"]
arxiv = "2303.08774"
tags = ["llm", "multimodal"]
summary = "Reports a large multimodal model that accepts image and text inputs."

[[paper]]
id = "mistral-7b"
title = "Mistral 7B"
authors = ["Albert Q. Jiang"]
date = 2023-10-10
category = "llm"
orgs = ["Mistral AI"]
arxiv = "2310.06825"
tags = ["llm", "open-weights"]
summary = "A 7B model using grouped-query attention and sliding window attention."
"""

PAPERS_2022_TOML = """\
[[paper]]
id = "flash-attention"
title = "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness"
authors = ["Tri Dao", "Daniel Y. Fu"]
date = 2022-05-27
category = "llm-inference"
orgs = ["Stanford University"]
venue = "NeurIPS 2022"
arxiv = "2205.14135"
tags = ["attention", "kernels"]
summary = "An IO-aware exact attention algorithm using tiling to reduce memory reads."

[[paper]]
id = "speculative-decoding"
title = "Fast Inference from Transformers via Speculative Decoding"
authors = ["Yaniv Leviathan", "Matan Kalman", "Yossi Matias"]
date = 2022-11-30
category = "llm-inference"
orgs = ["Google Research"]
venue = "ICML 2023"
arxiv = "2211.17192"
tags = ["decoding", "inference"]
summary = "A small draft model proposes tokens that the large model verifies in parallel."

[[paper]]
id = "vit"
title = "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale"
authors = ["Alexey Dosovitskiy", "Lucas Beyer"]
date = 2020-10-22
category = "vision"
orgs = ["Google Research"]
venue = "ICLR 2021"
arxiv = "2010.11929"
tags = ["vision", "transformer"]
summary = "Applies a pure transformer to sequences of image patches."
"""

COLLECTION_IDS = frozenset({"llama", "gpt-4", "mistral-7b", "flash-attention", "speculative-decoding", "vit"})


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    """A valid collection folder: categories at the top, papers nested one and two levels down.

    Also holds files the loader must ignore: a hidden folder, a hidden file, a non-TOML file.
    """
    root = tmp_path / "collection"
    write_text(root / "categories.toml", CATEGORIES_TOML)
    write_text(root / "papers" / "2023.toml", PAPERS_2023_TOML)
    write_text(root / "papers" / "older" / "2022.toml", PAPERS_2022_TOML)
    write_text(root / ".git" / "broken.toml", "this is [[ not toml")
    write_text(root / ".hidden.toml", "this is [[ not toml either")
    write_text(root / "README.md", "[[paper]]\nnot a record file\n")
    return root


@pytest.fixture
def write_toml(tmp_path: Path) -> Callable[[str, str], Path]:
    """`write_toml("name.toml", text)`: write dedented TOML text under tmp_path/"files"."""

    def write(name: str, text: str) -> Path:
        return write_text(tmp_path / "files" / name, text)

    return write


# ---------------------------------------------------------------------------------------------
# In-memory records, for search tests that need exact control over every field.
# ---------------------------------------------------------------------------------------------


def make_paper(paper_id: str, title: str = "", *, date: str | dt.date = "2023-01-01", **fields) -> Paper:
    for key in ("authors", "orgs", "tags", "aliases"):
        if key in fields:
            fields[key] = tuple(fields[key])
    fields.setdefault("authors", ("Anonymous",))
    fields.setdefault("category", "llm")
    return Paper(id=paper_id, title=title or paper_id, date=PaperDate.parse(date), **fields)


def make_catalog(papers: Iterable[Paper], categories: Iterable[Category] | None = None) -> Catalog:
    if categories is None:
        categories = [
            Category("llm", "Large language models", order=1),
            Category("llm-inference", "LLM inference", parent="llm", order=1),
            Category("vision", "Computer vision", order=2),
        ]
    return Catalog(list(papers), {c.id: c for c in categories})


class FakeUser:
    """A tiny implementation of core.search.UserState for the `is:`, `has:` and `tag:` filters."""

    def __init__(
        self,
        starred: Iterable[str] = (),
        status: dict[str, str] | None = None,
        notes: Iterable[str] = (),
        tags: dict[str, Sequence[str]] | None = None,
    ) -> None:
        self.starred = set(starred)
        self.statuses = dict(status or {})
        self.notes = set(notes)
        self.tags = dict(tags or {})

    def is_starred(self, paper_id: str) -> bool:
        return paper_id in self.starred

    def status(self, paper_id: str) -> str:
        return self.statuses.get(paper_id, "unread")

    def has_note(self, paper_id: str) -> bool:
        return paper_id in self.notes

    def user_tags(self, paper_id: str) -> Sequence[str]:
        return tuple(self.tags.get(paper_id, ()))

    def paper_ids(self) -> set[str]:
        return self.starred | set(self.statuses) | self.notes | set(self.tags)


@pytest.fixture
def fake_user() -> type[FakeUser]:
    return FakeUser


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the CLI's main(argv) in-process: (exit code, stdout, stderr). An argparse exit
    (--version, usage errors) is turned into its code."""
    from paperbrowse.cli.main import main

    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err
