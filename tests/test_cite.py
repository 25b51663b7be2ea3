"""`paperbrowse cite ID... [--format bibtex|biblatex|csl-json|ris]`, and the browser's `y`, which
copies what `cite ID` prints."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import pytest
import rispy

from conftest import run
from paperbrowse.core.export import CITE_FORMATS, cite
from paperbrowse.core.files.paths import shipped
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.tui.widgets.paper_list import PaperList
from tui_support import make_app, settle
from tui_support import run as run_app

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_cite_prints_bibtex_by_default(capsys) -> None:
    code, out, err = run(capsys, "cite", "llama", "gemini")
    assert code == 0, err
    library = bibtexparser.parse_string(out)
    assert len(library.entries) == 2 and not library.failed_blocks
    assert library.entries[0].key == "touvron2023llama"
    catalog = load_catalog([shipped("data")])
    assert out == cite([catalog.by_id["llama"], catalog.by_id["gemini"]], "bibtex")


@pytest.mark.parametrize("fmt", CITE_FORMATS)
def test_every_format_reads_back_in_its_own_reader(capsys, fmt: str) -> None:
    code, out, err = run(capsys, "cite", "llama", "--format", fmt)
    assert code == 0, err
    if fmt in ("bibtex", "biblatex"):
        (entry,) = bibtexparser.parse_string(out).entries
        assert ("date" in entry.fields_dict) == (fmt == "biblatex")
    elif fmt == "csl-json":
        (item,) = json.loads(out)
        assert item["title"] == "LLaMA: Open and Efficient Foundation Language Models"
        assert item["archive"] == "arXiv" and item["archive_location"] == "2302.13971"
    else:
        (entry,) = rispy.loads(out)
        assert entry["title"] == "LLaMA: Open and Efficient Foundation Language Models"
        assert entry["authors"][0] == "Touvron, Hugo"


def test_an_unknown_id_is_told_and_the_others_are_printed(capsys) -> None:
    code, out, err = run(capsys, "cite", "llama", "lama-2", "llama", "--format", "csl-json")
    assert code == 1
    assert [item["title"][:5] for item in json.loads(out)] == ["LLaMA"]  # named twice, cited once
    assert "paperbrowse: no paper with id, citation key or arXiv id 'lama-2' (did you mean: " in err


def test_an_imported_entry_is_cited_under_the_users_key(capsys, tmp_path: Path) -> None:
    source = FIXTURES / "csl" / "bbt-pandoc-latex-schomd-citation-export.json"
    code, out, _ = run(capsys, "import", str(source))
    assert code == 0
    paper_id = next(line.split("\t")[0] for line in out.splitlines() if "Samuel Presbiter" in line)
    code, out, err = run(capsys, "cite", paper_id, "--format", "csl-json")
    assert code == 0, err
    (item,) = json.loads(out)
    assert item["id"] == "Dunning2016" and item["type"] == "book"
    assert item["collection-title"] == "Toronto Medieval Latin Texts"
    code, out, _ = run(capsys, "cite", paper_id)
    (entry,) = bibtexparser.parse_string(out).entries
    assert entry.key == "Dunning2016" and entry.entry_type == "book"
    assert run(capsys, "cite", "dunning2016")[1] == out  # by the citation key too, in any case


def test_an_arxiv_id_names_its_paper(capsys) -> None:
    assert run(capsys, "cite", "arXiv:2302.13971")[1] == run(capsys, "cite", "llama")[1]


def test_y_copies_what_cite_prints(tmp_path: Path, capsys) -> None:
    app = make_app(None, tmp_path / "library.toml")
    copied: list[str] = []
    chosen: list[str] = []
    app.copy_to_clipboard = copied.append  # never the real clipboard

    async def scenario(pilot) -> None:
        await pilot.press("j", "y")
        await settle(pilot)
        chosen.append(app.screen.query_one(PaperList).current.id)

    run_app(app, scenario)
    code, out, _ = run(capsys, "cite", chosen[0])
    assert code == 0 and copied == [out]


def test_a_preprint_in_a_later_venue_is_cited_with_the_venues_year(capsys) -> None:
    """Speculative decoding: on arXiv in November 2022, published at ICML 2023."""
    bibtex = run(capsys, "cite", "speculative-decoding")[1]
    (entry,) = bibtexparser.parse_string(bibtex).entries
    (item,) = json.loads(run(capsys, "cite", "speculative-decoding", "--format", "csl-json")[1])
    (ris,) = rispy.loads(run(capsys, "cite", "speculative-decoding", "--format", "ris")[1])
    assert entry.fields_dict["year"].value == "2023"
    assert item["issued"] == {"date-parts": [[2023]]} and item["container-title"] == "ICML 2023"
    assert ris["year"] == "2023" and "date" not in ris
