"""`paperbrowse import FILE.bib`: BibTeX entries become records; broken entries are reported
with their line and skipped; LaTeX becomes plain text."""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path

import bibtexparser
import pytest

from conftest import CATEGORIES_TOML, dedent, line_of, paper_toml, run, write_text
from paperbrowse.core.files.paths import shipped, user_papers_folder
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.latex_text import latex_to_text
from paperbrowse.core.sources.bibtex_import import parse_bibtex, read_bibtex_file

GOOD = r"""
@article{touvron2023llama,
  title   = {{LLaMA}: Open and Efficient Foundation Language Models},
  author  = {Touvron, Hugo and Lavril, Thibaut and Lacroix, Timoth{\'e}e and others},
  journal = {arXiv preprint arXiv:2302.13971},
  year    = {2023},
  month   = feb,
  abstract = {We introduce {LLaMA}, a collection of foundation language models
              ranging from 7B to 65B parameters.},
  keywords = {llm, open-weights; pretraining}
}

@inproceedings{dao2022flashattention,
  title     = "Flash{A}ttention: Fast \& Memory-Efficient Exact Attention with {IO}-Awareness",
  author    = "Tri Dao and Daniel Y. Fu and Stefano Ermon and Atri Rudra and Christopher R{\'e}",
  booktitle = {Advances in Neural Information Processing Systems},
  year      = 2022,
  doi       = {10.48550/arXiv.2205.14135},
}

@misc{vaswani2017attention,
  title         = {Attention Is All You Need},
  author        = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki},
  year          = {2017},
  eprint        = {1706.03762v7},
  archivePrefix = {arXiv},
  url           = {https://arxiv.org/abs/1706.03762},
  note          = {50% of the citations in the field}
}
"""

BROKEN = r"""
@article{ok1,
  title  = {A Good Paper},
  author = {Ada Lovelace},
  year   = {2021}
}

@article{unclosed,
  title  = {An Unclosed Brace,
  author = {Bea Broken},
  year   = {2021}

@article{notitle,
  author = {Nora Notitle},
  year   = {2021}
}

@article{noauthor,
  title  = {Nobody Wrote This},
  year   = {2021}
}

@article{badyear,
  title  = {A Paper From Some Day},
  author = {Yan Year},
  year   = {someday}
}

@article{ok1,
  title  = {The Same Key Again},
  author = {Ada Lovelace},
  year   = {2022}
}

@article{twotitles,
  title  = {One Title},
  title  = {Another Title},
  author = {Tim Twice},
  year   = {2021}
}

@book{ok2,
  title  = {Another Good One},
  editor = {Ed Itor},
  year   = {2020}
}
"""


@pytest.fixture
def papers() -> Path:
    return user_papers_folder(Path(os.environ["PAPERBROWSE_LIBRARY"]))


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    """A collection with categories and one unrelated paper."""
    root = tmp_path / "data"
    write_text(root / "categories.toml", CATEGORIES_TOML)
    write_text(root / "p.toml", paper_toml("vit", title="An Image is Worth 16x16 Words", category="vision"))
    return root


def bib(tmp_path: Path, text: str, name: str = "refs.bib") -> Path:
    return write_text(tmp_path / name, text)


def record(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))["paper"][0]


# ---------------------------------------------------------------------------------------------
# Reading entries.
# ---------------------------------------------------------------------------------------------


def test_entries_become_drafts_with_latex_cleaned() -> None:
    found = parse_bibtex(dedent(GOOD), "refs.bib")
    assert found.problems == []
    llama, flash, attention = found.papers
    assert llama.title == "LLaMA: Open and Efficient Foundation Language Models"
    assert llama.authors == ("Hugo Touvron", "Thibaut Lavril", "Timothée Lacroix", "et al.")
    assert llama.date == PaperDate(2023, 2)
    assert llama.arxiv == "2302.13971" and llama.venue == ""  # "arXiv preprint" is no venue
    assert (
        llama.summary
        == "We introduce LLaMA, a collection of foundation language models ranging from 7B to 65B parameters."
    )
    assert llama.tags == ("llm", "open-weights", "pretraining")
    assert llama.origin == f"refs.bib:{line_of(GOOD, '@article{touvron2023llama')}"
    assert flash.title == "FlashAttention: Fast & Memory-Efficient Exact Attention with IO-Awareness"
    assert flash.authors[-1] == "Christopher Ré"
    assert flash.venue == "Advances in Neural Information Processing Systems"
    assert flash.url == "" and flash.bib is not None and flash.bib.get("doi") == "10.48550/arXiv.2205.14135"
    assert flash.date == PaperDate(2022)
    assert attention.arxiv == "1706.03762" and attention.url == "https://arxiv.org/abs/1706.03762"
    assert attention.authors == ("Ashish Vaswani", "Noam Shazeer", "Niki Parmar")


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        ("{{LLaMA}}", "LLaMA"),
        (r"Fast \& Cheap", "Fast & Cheap"),
        (r"M{\"u}ller", "Müller"),
        (r"Na\"{\i}ve Bayes", "Naïve Bayes"),
        (r"50\% faster", "50% faster"),
        ("50% faster", "50% faster"),  # a bare % would start a LaTeX comment
        (r"\textit{Attention} Is {All} You Need", "Attention Is All You Need"),
        ("A -- B", "A – B"),
        ("Line\n   broken", "Line broken"),
        (r"{\"O}zt{\"u}rk", "Öztürk"),
    ],
)
def test_latex_to_text(latex: str, text: str) -> None:
    assert latex_to_text(latex) == text


def test_broken_entries_are_reported_with_their_line_and_the_rest_imported() -> None:
    found = parse_bibtex(dedent(BROKEN), "refs.bib")
    assert [p.title for p in found.papers] == [
        "A Good Paper",
        "Nobody Wrote This",
        "A Paper From Some Day",
        "The Same Key Again",
        "One Title",
        "Another Good One",
    ]
    nobody, someday, again, one, edited = found.papers[1:]
    assert nobody.authors == () and someday.date == PaperDate(0)
    assert again.bib is not None and again.bib.key == ""  # the key belongs to the first entry
    assert edited.authors == () and edited.bib is not None and edited.bib.editor == ("Ed Itor",)
    problems = [(p.line, p.severity, p.message) for p in found.problems]
    assert problems == [
        (
            line_of(BROKEN, "title  = {An Unclosed Brace"),
            "error",
            (
                f"the '{{' opened here is not closed before the entry on line {line_of(BROKEN, '@article{notitle')}"
                " (entry skipped)"
            ),
        ),
        (line_of(BROKEN, "@article{notitle"), "error", "entry 'notitle': no title (entry skipped)"),
        (line_of(BROKEN, "@article{noauthor"), "warning", "entry 'noauthor': no author or editor (imported)"),
        (
            line_of(BROKEN, "year   = {someday}"),
            "warning",
            "entry 'badyear': the year 'someday' is not a date (imported undated)",
        ),
        (
            line_of(BROKEN, "@article{ok1", 2),
            "warning",
            (
                f"entry key 'ok1' is used twice (first on line {line_of(BROKEN, '@article{ok1')});"
                " this one is imported without it"
            ),
        ),
        (
            line_of(BROKEN, "title  = {Another Title}"),
            "warning",
            (
                f"entry 'twotitles': the field 'title' is given twice (line {line_of(BROKEN, 'title  = {One Title}')});"
                " the first is kept"
            ),
        ),
    ]
    assert all(p.file == "refs.bib" for p in found.problems)


def test_a_latin_1_file_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "old.bib"
    path.write_bytes("@misc{x, title={Caf\xe9 Society}, author={Jos\xe9 P\xe9rez}, year=1999}\n".encode("latin-1"))
    found = read_bibtex_file(path)
    assert [p.title for p in found.papers] == ["Café Society"]
    assert found.papers[0].authors == ("José Pérez",)
    assert [(p.line, p.severity) for p in found.problems] == [(1, "warning")]


# ---------------------------------------------------------------------------------------------
# `paperbrowse import`.
# ---------------------------------------------------------------------------------------------


def test_import_writes_one_file_named_after_the_bibliography(capsys, tmp_path: Path, empty: Path, papers: Path) -> None:
    code, out, err = run(capsys, "import", str(bib(tmp_path, GOOD)), "--data", str(empty))
    assert code == 0, err
    assert [line.split("\t")[0] for line in out.splitlines()] == [
        "touvron2023llama",
        "dao2022flashattention",
        "vaswani2017attention",
    ]
    assert "3 papers added" in err
    # One file for the whole bibliography (a thousand papers to a file): a few files load as
    # fast as one, where a file per paper cost a stat and a cache entry each.
    [written] = [path for path in papers.glob("*.toml") if path.name != "categories.toml"]
    assert written.name == f"refs-{dt.date.today().isoformat()}.toml"
    tables = tomllib.loads(written.read_text(encoding="utf-8"))["paper"]
    llama = next(table for table in tables if table["id"] == "touvron2023llama")
    assert llama["title"] == "LLaMA: Open and Efficient Foundation Language Models"
    assert llama["date"] == "2023-02" and llama["category"] == "inbox" and llama["arxiv"] == "2302.13971"
    text = written.read_text(encoding="utf-8").splitlines()
    assert text[0].startswith("# Imported by paperbrowse on ")
    # Each paper says the entry it came from, just above its table.
    assert f"# from {tmp_path / 'refs.bib'}:{line_of(GOOD, '@article{touvron')}" in text
    catalog = load_catalog([empty, papers])
    assert catalog.problems == []
    assert {"touvron2023llama", "dao2022flashattention", "vaswani2017attention"} <= set(catalog.by_id)
    # The catalog's line of each paper is its table's header, as for any record file.
    assert text[catalog.by_id["touvron2023llama"].line - 1] == "[[paper]]"


def test_an_import_of_more_than_a_thousand_papers_writes_files_of_a_thousand(
    capsys, tmp_path: Path, empty: Path, papers: Path
) -> None:
    entries = "".join(
        f"@misc{{k{n}, title={{Paper number {n}}}, author={{Doe, Jane}}, year={{2020}}}}\n" for n in range(2500)
    )
    path = tmp_path / "big.bib"
    path.write_text(entries, encoding="utf-8")
    code, _, err = run(capsys, "import", str(path), "--data", str(empty))
    assert code == 0, err and "2500 papers added" in err
    files = sorted(p for p in papers.glob("big-*.toml"))
    assert sorted(len(tomllib.loads(p.read_text(encoding="utf-8"))["paper"]) for p in files) == [500, 1000, 1000]
    assert sum(paper.source.startswith(str(papers)) for paper in load_catalog([empty, papers]).papers) == 2500


def test_broken_entries_make_the_command_fail_after_importing_the_rest(
    capsys, tmp_path: Path, empty: Path, papers: Path
) -> None:
    path = bib(tmp_path, BROKEN)
    code, out, err = run(capsys, "import", str(path), "--data", str(empty))
    assert code == 1
    assert len(out.splitlines()) == 6
    assert f"{path}:{line_of(BROKEN, '@article{notitle')}: entry 'notitle': no title (entry skipped)" in err
    assert f"{path}:{line_of(BROKEN, 'title  = {An Unclosed')}: the '{{' opened here is not closed" in err
    assert "6 papers added" in err


def test_papers_already_in_the_collection_are_skipped(capsys, tmp_path: Path, papers: Path) -> None:
    code, out, err = run(capsys, "import", str(bib(tmp_path, GOOD)))  # the shipped data have LLaMA
    assert code == 0
    assert "touvron2023llama" not in out
    assert (
        f"{tmp_path / 'refs.bib'}:{line_of(GOOD, '@article{touvron')}: already in the collection as 'llama',"
        f" from {shipped('data') / 'foundation.toml'}:" in err
    )
    code, out, err = run(capsys, "import", str(bib(tmp_path, GOOD)))  # again: everything is there
    assert code == 0 and out == ""
    assert "0 papers added" in err and "3 already there" in err


def test_same_author_year_and_word_get_distinct_ids(capsys, tmp_path: Path, empty: Path, papers: Path) -> None:
    text = """
    @misc{a, title={Scaling Laws One}, author={Kaplan, Jared}, year=2020}
    @misc{b, title={Scaling Laws Two}, author={Kaplan, Jared}, year=2020}
    """
    code, out, _ = run(capsys, "import", str(bib(tmp_path, text)), "--data", str(empty))
    assert [line.split("\t")[0] for line in out.splitlines()] == ["kaplan2020scaling", "kaplan2020scaling-2"]


def test_a_file_that_cannot_be_read(capsys, tmp_path: Path) -> None:
    code, out, err = run(capsys, "import", str(tmp_path / "missing.bib"))
    assert code == 1 and "cannot read" in err and "No such file" in err


def test_a_file_without_entries(capsys, tmp_path: Path) -> None:
    code, out, err = run(capsys, "import", str(bib(tmp_path, "% just a comment\n")))
    assert code == 1 and "holds no BibTeX entries" in err


def test_the_exported_starred_list_imports_back(capsys, tmp_path: Path, empty: Path, papers: Path) -> None:
    """Export and import agree: what paperbrowse writes as BibTeX it reads back the same."""
    shipped_ids = ["llama", "flm-101b", "lets-verify", "qwen-vl", "kosmos2"]
    assert run(capsys, "star", *shipped_ids)[0] == 0
    exported = tmp_path / "starred.bib"
    assert run(capsys, "export", "--starred", "--format", "bibtex", "-o", str(exported))[0] == 0
    assert len(bibtexparser.parse_file(str(exported)).entries) == 5
    code, out, err = run(capsys, "import", str(exported), "--data", str(empty))
    assert code == 0, err
    original = load_catalog([shipped("data")])
    imported = {p.arxiv: p for p in load_catalog([empty, papers]).papers if p.category == "inbox"}
    for paper_id in shipped_ids:
        paper = original.by_id[paper_id]
        copy = imported[paper.arxiv]
        assert copy.title == paper.title
        assert copy.authors == paper.authors
        assert copy.year == paper.year


def test_lines_stay_exact_after_a_backslash_at_the_end_of_a_line() -> None:
    text = (
        "@article{a,\n  title = {Ends with a backslash \\\\\n  and goes on},\n"
        '  note = "one\\\n two",\n  year = 2001\n}\n\n@article{b,\n  title = {B},\n  year = {later}\n}\n'
    )
    found = parse_bibtex(text, "x.bib")
    [problem] = [p for p in found.problems if "later" in p.message]
    assert problem.line == text.split("\n").index("  year = {later}") + 1
    assert [p.origin for p in found.papers] == ["x.bib:1", f"x.bib:{text.split(chr(10)).index('@article{b,') + 1}"]


def test_titles_and_letters_twice_are_two_papers_unless_author_and_year_agree(
    capsys, tmp_path: Path, empty: Path, papers: Path
) -> None:
    text = """
    @article{l1, title={Letters}, author={Ann Smith}, journal={TUGboat}, year=1990}
    @article{l2, title={Letters}, author={Bob Jones}, journal={TUGboat}, year=1990}
    @article{l3, title={Letters}, author={Smith, Ann}, journal={TUGboat}, year=1991}
    @article{l4, title={{L}etters}, author={Smith, A.}, journal={TUGboat}, year=1990}
    @article{c1, title={Calendar}, author={Anonymous}, journal={TUGboat}, year=1990, number=1, pages={5--6}}
    @article{c2, title={Calendar}, author={Anonymous}, journal={TUGboat}, year=1990, number=2, pages={7--8}}
    """
    code, out, err = run(capsys, "import", str(bib(tmp_path, text)), "--data", str(empty))
    assert code == 0, err
    assert len(out.splitlines()) == 5  # the two calendars are in two issues
    line = f"{tmp_path / 'refs.bib'}:4: already in the collection as 'smith1990letters', from {tmp_path / 'refs.bib'}:1"
    assert line + " (skipped)" in err  # the same title, first author and year; the others are three papers


def test_a_first_import_with_the_default_data_does_not_say_the_folder_is_unused(
    capsys, tmp_path: Path, monkeypatch
) -> None:
    """The papers folder is made by this import; the next command reads it with the defaults."""
    library = tmp_path / "fresh" / "library.toml"
    monkeypatch.setenv("PAPERBROWSE_LIBRARY", str(library))
    code, _, err = run(capsys, "import", str(bib(tmp_path, GOOD)))
    assert code == 0, err
    assert "not among the data in use" not in err
    code, out, _ = run(capsys, "show", "vaswani2017attention")  # (LLaMA is a shipped paper's duplicate)
    assert code == 0 and "Attention" in out
