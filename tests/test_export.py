"""The export formats: every one parsed back by a real parser, with hostile record text."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from dataclasses import replace
from datetime import datetime

import bibtexparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from paperbrowse.core.export import FORMATS, ExportItem, export, to_bibtex, to_csv, to_json, to_markdown
from paperbrowse.core.export.bibtex import citation_keys, entry_type
from paperbrowse.core.export.csv_table import COLUMNS
from paperbrowse.core.files.paths import shipped
from paperbrowse.core.records.catalog import Catalog, load_catalog
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.records.schema import Category, Paper, paper_from_table

HOSTILE = [
    "Unbalanced } brace and { another {",
    "}}}} closes early",
    "{{{{ opens many",
    "100% of R&D #1 costs $5 in snake_case ^ tilde ~ back\\slash \\",
    "Quotes \"double\" and 'single'",
    "=cmd()",
    "@SUM(1)",
    "+1 and -1",
    "中文标题：大模型",
    "Llama 🦙 emoji",
    "Multi\nline\r\ntitle",
    "[markup] and [bold red]rich[/]",
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "# heading",
    "x\n@misc{evil, title={pwned}}",
    "ends with a backslash \\",
    "tab\there and escape \x1b[31m red \u202e bidi",
    "",
]
# Any text without surrogates, with the characters every format treats specially made common.
SPECIALS = "{}\\%&#$_^~@=+-\t\r\n\"',;[]()<>*`!|\x1b\u202e and others"
TEXT = st.text(alphabet=st.one_of(st.sampled_from(SPECIALS), st.characters(blacklist_categories=("Cs",))), max_size=80)


def make_paper(paper_id: str = "llama", **changes) -> Paper:
    fields = {
        "id": paper_id,
        "title": "LLaMA: Open and Efficient Foundation Language Models",
        "authors": ("Hugo Touvron", "Thibaut Lavril", "Gautier Izacard"),
        "date": PaperDate(2023, 2, 27),
        "category": "foundation",
        "orgs": ("Meta AI",),
        "arxiv": "2302.13971",
        "url": "https://arxiv.org/abs/2302.13971",
        "pdf": "https://arxiv.org/pdf/2302.13971",
        "code": "https://github.com/facebookresearch/llama",
        "tags": ("llm", "open-weights"),
    }
    fields.update(changes)
    return Paper(**fields)


def make_catalog(*papers: Paper) -> Catalog:
    return Catalog(
        list(papers),
        {
            "foundation": Category("foundation", "Foundation models", order=1),
            "agents": Category("agents", "Agents & [tools]", order=2),
            "tools": Category("tools", "Tool use", parent="agents", order=1),
        },
    )


# --- helpers that undo each format ----------------------------------------------------------

_BIB_ESCAPE = re.compile(r"\\(textbackslash|textasciicircum|textasciitilde)\{\}|\\([{}%&#$_])")
_BIB_WORDS = {"textbackslash": "\\", "textasciicircum": "^", "textasciitilde": "~"}


def bib_decode(value: str) -> str:
    """Undo the exporter's LaTeX escapes (one pass, so `\\textbackslash{}` never reads as `\\{`)."""
    return _BIB_ESCAPE.sub(lambda m: _BIB_WORDS[m.group(1)] if m.group(1) else m.group(2), value)


def bib_name(name: str) -> str:
    """A name as the author field holds it once decoded: braced when it contains " and "."""
    name = one_line(name)
    braced = re.search(r"\sand\s", name, re.IGNORECASE) or name.count(",") > 2
    return "{" + name + "}" if braced else name


def parse_bib(text: str) -> bibtexparser.Library:
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    assert library.comments == []  # nothing leaked out of an entry
    return library


def bib_title(entry) -> str:
    value = entry["title"]
    assert value.startswith("{") and value.endswith("}"), value  # the inner pair of {{...}}
    return bib_decode(value[1:-1])


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def neutralised(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


# --- dispatch ---------------------------------------------------------------------------------


def test_export_dispatches_every_format():
    paper = make_paper()
    catalog = make_catalog(paper)
    items = [ExportItem(paper)]
    assert FORMATS == ("markdown", "bibtex", "csv", "json")
    assert export(items, "markdown", catalog) == to_markdown(items, catalog)
    assert export(items, "bibtex", catalog) == to_bibtex(items)
    assert export(items, "csv", catalog) == to_csv(items)
    assert export(items, "json", catalog) == to_json(items)
    with pytest.raises(ValueError, match="unknown export format"):
        export(items, "docx", catalog)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_items(fmt):
    text = export([], fmt, make_catalog())
    if fmt == "json":
        assert json.loads(text) == []
    elif fmt == "csv":
        assert parse_csv(text) == [] and text.startswith("id,title,")
    elif fmt == "bibtex":
        assert parse_bib(text).entries == []
    else:
        # The title and the count, and no heading for the catalog's categories, all empty.
        assert fmt == "markdown"
        assert text == "# Reading list\n\n0 papers.\n"


def test_export_never_imports_textual():
    code = "import sys, paperbrowse.core.export; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- CSV --------------------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", HOSTILE)
def test_csv_round_trips_hostile_text(hostile):
    paper = make_paper(title=hostile, authors=(hostile, "Ann Other"), venue=hostile, tags=(hostile,))
    item = ExportItem(paper, note=hostile + "\nsecond line", user_tags=("mine",), status="reading")
    text = to_csv([item])
    [row] = parse_csv(text)
    assert list(row) == list(COLUMNS)
    assert row["title"] == neutralised(hostile)
    assert row["venue"] == neutralised(hostile)
    assert row["authors"] == neutralised(f"{hostile}; Ann Other")
    assert row["tags"] == neutralised(hostile)
    assert row["note"] == neutralised(hostile + "\nsecond line")
    assert row["status"] == "reading"
    assert row["user_tags"] == "mine"


def test_csv_neutralises_formulas():
    starts = ["=cmd()", "+cmd()", "-2+3", "@SUM(1)", "\tcmd", "\rcmd"]
    items = [ExportItem(make_paper(f"p{i}", title=title), note=title) for i, title in enumerate(starts)]
    rows = parse_csv(to_csv(items))
    assert [row["title"] for row in rows] == ["'" + title for title in starts]
    assert [row["note"] for row in rows] == ["'" + title for title in starts]
    assert rows[0]["title"] == "'=cmd()"
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())


def test_csv_columns_and_line_endings():
    starred = datetime(2024, 3, 1, 9, 30)
    paper = make_paper(venue="ICML 2023")
    item = ExportItem(paper, note="n", user_tags=("a", "b"), starred_at=starred, status="read")
    text = to_csv([item])
    assert text.startswith(",".join(COLUMNS) + "\r\n")
    assert text.endswith("\r\n")
    [row] = parse_csv(text)
    assert row == {
        "id": "llama",
        "title": "LLaMA: Open and Efficient Foundation Language Models",
        "authors": "Hugo Touvron; Thibaut Lavril; Gautier Izacard",
        "year": "2023",
        "date": "2023-02-27",
        "venue": "ICML 2023",
        "category": "foundation",
        "orgs": "Meta AI",
        "arxiv": "2302.13971",
        "url": "https://arxiv.org/abs/2302.13971",
        "code": "https://github.com/facebookresearch/llama",
        "tags": "llm; open-weights",
        "user_tags": "a; b",
        "status": "read",
        "starred_at": "2024-03-01T09:30:00",
        "note": "n",
    }


# --- JSON -------------------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", HOSTILE)
def test_json_round_trips_hostile_text(hostile):
    paper = make_paper(title=hostile, authors=(hostile,), venue=hostile)
    item = ExportItem(paper, note=hostile, user_tags=(hostile,))
    [data] = json.loads(to_json([item]))
    assert data["title"] == hostile
    assert data["authors"] == [hostile]
    assert data["venue"] == hostile
    assert data["note"] == hostile
    assert data["user_tags"] == [hostile]
    assert data["has_note"] is bool(hostile.strip())


def test_json_shape():
    starred = datetime(2024, 3, 1, 9, 30)
    items = [
        ExportItem(make_paper(), note="read §3", user_tags=("x",), starred_at=starred, status="read"),
        ExportItem(make_paper("other")),
    ]
    text = to_json(items)
    assert text.endswith("]\n") and text.startswith("[\n  {")
    first, second = json.loads(text)
    assert first["id"] == "llama" and first["date"] == "2023-02-27" and first["year"] == 2023
    assert first["url"] == "https://arxiv.org/abs/2302.13971"
    assert (first["starred"], first["starred_at"], first["status"]) == (True, "2024-03-01T09:30:00", "read")
    assert (first["user_tags"], first["has_note"], first["note"]) == (["x"], True, "read §3")
    assert (second["starred"], second["starred_at"], second["status"]) == (False, None, "unread")
    assert (second["has_note"], second["note"], second["user_tags"]) == (False, "", [])
    assert "§" in text  # ensure_ascii=False: the file is UTF-8


def test_json_escapes_terminal_controls_but_keeps_them():
    title = "esc \x1b[31m c1 \x9b2J bidi \u202e line\u2028sep del \x7f 中文 🦙"
    text = to_json([ExportItem(make_paper(title=title), note=title)])
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e\u2028]", text)
    assert "中文 🦙" in text
    [data] = json.loads(text)
    assert data["title"] == title and data["note"] == title


# --- BibTeX -----------------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", HOSTILE)
def test_bibtex_round_trips_hostile_text(hostile):
    names = (hostile or "Nobody", "Ann Other")
    paper = make_paper(title=hostile, authors=names, venue="ICML 2023 " + hostile, tags=(hostile, "ok"))
    text = to_bibtex([ExportItem(paper, note="SECRET NOTE " + hostile, user_tags=("mine",))])
    library = parse_bib(text)
    [entry] = library.entries
    assert entry.entry_type == "inproceedings"
    assert bib_title(entry) == one_line(hostile)
    assert bib_decode(entry["booktitle"]) == one_line("ICML 2023 " + hostile)
    assert bib_decode(entry["author"]) == " and ".join(map(bib_name, names))
    assert bib_decode(entry["keywords"]) == ", ".join(t for t in (one_line(hostile), "ok", "mine") if t)
    assert "SECRET NOTE" not in text  # the user's note never goes into a bibliography
    assert "\x1b" not in text and "\u202e" not in text


def test_bibtex_cannot_be_broken_out_of():
    evil = "}, note = {pwned}, x = {"
    new_entry = "x\n@misc{evil, title={pwned}}"
    items = [ExportItem(make_paper("a", title=evil)), ExportItem(make_paper("b", title=new_entry))]
    library = parse_bib(to_bibtex(items))
    assert len(library.entries) == 2
    assert all("note" not in entry.fields_dict and "x" not in entry.fields_dict for entry in library.entries)
    assert bib_title(library.entries[0]) == evil


def test_bibtex_fields():
    paper = make_paper(venue="NeurIPS 2023", url="https://example.org/a_b~c#frag?q=1%20x")
    [entry] = parse_bib(to_bibtex([ExportItem(paper, user_tags=("open-weights", "to read"))])).entries
    assert entry.key == "touvron2023llama"
    assert entry["title"] == "{LLaMA: Open and Efficient Foundation Language Models}"
    assert entry["author"] == "Hugo Touvron and Thibaut Lavril and Gautier Izacard"
    assert entry["year"] == "2023"
    assert entry["month"] == "feb"
    assert entry["booktitle"] == "NeurIPS 2023"
    assert entry["eprint"] == "2302.13971"
    assert entry["archivePrefix"] == "arXiv"
    assert "primaryClass" not in entry.fields_dict and "doi" not in entry.fields_dict
    assert entry["url"] == "https://example.org/a_b~c#frag?q=1%20x"  # verbatim: no LaTeX escapes
    assert entry["keywords"] == "llm, open-weights, to read"


def test_bibtex_urls_are_http_and_brace_free():
    paper = make_paper(url='https://example.org/{x}\\ y"z', code="javascript:alert(1)")
    [entry] = parse_bib(to_bibtex([ExportItem(paper)])).entries
    assert entry["url"] == "https://example.org/%7Bx%7D%5C%20y%22z"
    assert "javascript" not in to_bibtex([ExportItem(make_paper(url="javascript:alert(1)", arxiv=""))])


def test_bibtex_others_and_name_with_and():
    paper = make_paper(authors=("Procter and Gamble", "Touvron, Hugo", "a, b, c, d", "others"))
    [entry] = parse_bib(to_bibtex([ExportItem(paper)])).entries
    assert entry["author"] == "{Procter and Gamble} and Touvron, Hugo and {a, b, c, d} and others"
    assert entry.key == "gamble2023llama"


@pytest.mark.parametrize(
    ("venue", "kind", "field"),
    [
        ("NeurIPS 2023", "inproceedings", "booktitle"),
        ("ICLR 2024", "inproceedings", "booktitle"),
        ("ACL 2024", "inproceedings", "booktitle"),
        ("Findings of EMNLP 2023", "inproceedings", "booktitle"),
        ("ASPLOS 2024", "inproceedings", "booktitle"),
        ("MLSys 2024", "inproceedings", "booktitle"),
        ("COLM 2024", "inproceedings", "booktitle"),
        ("ICML 2024 Workshop on Foundation Models", "inproceedings", "booktitle"),
        ("Proceedings of the 29th Symposium on Operating Systems Principles", "inproceedings", "booktitle"),
        ("TMLR", "article", "journal"),
        ("Journal of Machine Learning Research", "article", "journal"),
        ("IEEE Transactions on Pattern Analysis and Machine Intelligence", "article", "journal"),
        ("ACM Computing Surveys", "article", "journal"),
        ("Nature", "article", "journal"),
        ("Science", "article", "journal"),
        ("Physical Review Letters", "article", "journal"),
        ("Some Blog", "misc", "howpublished"),
        ("", "misc", "howpublished"),
    ],
)
def test_bibtex_entry_type(venue, kind, field):
    assert entry_type(venue) == kind
    [entry] = parse_bib(to_bibtex([ExportItem(make_paper(venue=venue))])).entries
    assert entry.entry_type == kind
    expected = venue or "arXiv preprint arXiv:2302.13971"
    assert entry[field] == expected
    if kind == "misc" and not venue:
        assert entry["eprint"] == "2302.13971"


def test_bibtex_misc_without_arxiv_or_venue():
    paper = make_paper(arxiv="", url="", pdf="", date=PaperDate(2020))
    [entry] = parse_bib(to_bibtex([ExportItem(paper)])).entries
    assert entry.entry_type == "misc"
    assert set(entry.fields_dict) == {"title", "author", "year", "keywords"}


def test_citation_keys_stable_and_unique():
    llama = make_paper("llama")
    llama2 = make_paper("llama2", title="Llama 2: Open Foundation and Fine-Tuned Chat Models")
    llama3 = make_paper("llama3", title="The Llama 3 Herd", date=PaperDate(2023))
    keys = citation_keys([llama, llama2, llama3])
    assert keys == ["touvron2023llama", "touvron2023llamaa", "touvron2023llamab"]
    assert citation_keys([llama, llama2, llama3]) == keys  # deterministic
    assert citation_keys([llama2, llama]) == ["touvron2023llama", "touvron2023llamaa"]  # input order
    # A natural key that equals an earlier suffixed one is suffixed in turn.
    clash = make_paper("clash", title="Llamaa")
    clashing = citation_keys([llama, llama2, clash])
    assert clashing == ["touvron2023llama", "touvron2023llamaa", "touvron2023llamaaa"]
    many = citation_keys([make_paper(f"p{i}") for i in range(40)])
    assert len(set(many)) == 40 and many[27] == "touvron2023llamaaa"
    library = parse_bib(to_bibtex([ExportItem(p) for p in (llama, llama2, llama3)]))
    assert [entry.key for entry in library.entries] == keys


@pytest.mark.parametrize(
    ("authors", "title", "key"),
    [
        (("Baptiste Rozière",), "Code Llama: Open Foundation Models for Code", "roziere2023code"),
        (("Hunter Lightman",), "Let's Verify Step by Step", "lightman2023lets"),
        (("Tri Dao",), "FlashAttention-2: Faster Attention", "dao2023flashattention2"),
        (("Yann LeCun",), "A Path Towards Autonomous Machine Intelligence", "lecun2023path"),
        (("Touvron, Hugo",), "On the Llama", "touvron2023llama"),
        (("Martin Luther King Jr.",), "Of Dreams", "king2023dreams"),
        (("Łukasz Kaiser",), "Attention", "kaiser2023attention"),
        (("others",), "Towards a Theory", "anon2023theory"),
        (("王小明",), "中文标题", "anon2023"),
        ((), "The", "anon2023"),
        (("O'Neil 3rd",), "🦙 Via Emoji", "oneil2023emoji"),
    ],
)
def test_citation_key_parts(authors, title, key):
    assert citation_keys([make_paper(authors=authors, title=title)]) == [key]
    assert re.fullmatch(r"[a-z]+[0-9]{4}[a-z0-9]*", key)


# --- Markdown ---------------------------------------------------------------------------------


def _tokens(markdown: str):
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    tokens = parser.parse(markdown)
    flat = []
    for token in tokens:
        flat.append(token)
        flat.extend(token.children or [])
    return flat


def strong_text(tokens) -> str:
    """The text of the first bold span: a paper's title."""
    inline = next(t for t in tokens if t.type == "inline" and any(c.type == "strong_open" for c in t.children))
    start = next(i for i, child in enumerate(inline.children) if child.type == "strong_open")
    parts = []
    for child in inline.children[start + 1 :]:
        if child.type == "strong_close":
            break
        parts.append(child.content)
    return "".join(parts)


def test_markdown_groups_by_category_in_tree_order():
    papers = [
        make_paper("tool", category="tools", title="Tool Paper"),
        make_paper("found2", title="Second Foundation"),
        make_paper("agent", category="agents", title="Agent Paper"),
        make_paper("found1", title="First Foundation"),
    ]
    catalog = make_catalog(*papers)
    items = [ExportItem(paper) for paper in papers]
    text = to_markdown(items, catalog)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == ["# Reading list", "## Foundation models", "## Agents \\& \\[tools\\]", "### Tool use"]
    titles = ("Second Foundation", "First Foundation", "Agent Paper", "Tool Paper")
    order = [text.index(title) for title in titles]
    assert order == sorted(order)  # categories in tree order, given order within each
    rendered = MarkdownIt("commonmark").render(text)
    assert "<h2>Agents &amp; [tools]</h2>" in rendered


def test_markdown_parent_heading_shown_for_child_only_and_unknown_category_last():
    papers = [make_paper("tool", category="tools", title="Tool Paper"), make_paper("x", category="mystery")]
    text = to_markdown([ExportItem(p) for p in papers], make_catalog(*papers))
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == ["# Reading list", "## Agents \\& \\[tools\\]", "### Tool use", "## mystery"]


def test_markdown_entry_content():
    many = tuple(f"Author {i}" for i in range(8))
    starred = datetime(2024, 3, 1, 9, 30)
    note = "First *line*\r\n\r\n# my heading\n- my list"
    paper = make_paper(authors=many, venue="ICML 2023")
    item = ExportItem(paper, note=note, user_tags=("mine",), starred_at=starred, status="reading")
    text = to_markdown([item], make_catalog(paper))
    assert "Author 0, Author 1, Author 2, Author 3, Author 4 et al." in text
    assert "Author 5" not in text
    assert "Year: 2023 · Venue: ICML 2023" in text
    assert "[arXiv](<https://arxiv.org/abs/2302.13971>)" in text
    assert "[code](<https://github.com/facebookresearch/llama>)" in text
    assert "[pdf](<https://arxiv.org/pdf/2302.13971>)" in text
    assert "Tags: llm, open-weights" in text and "My tags: mine" in text
    assert "Status: reading · starred 2024-03-01" in text
    assert "  > First *line*\n  >\n  > # my heading\n  > - my list\n" in text
    # The note is a blockquote inside the paper's list item: the list has one item.
    tokens = _tokens(text)
    assert [t.type for t in tokens if t.type == "blockquote_open"] == ["blockquote_open"]
    top_items = [t for t in tokens if t.type == "list_item_open" and t.level == 1]
    assert len(top_items) == 1


def test_markdown_others_means_et_al():
    paper = make_paper(authors=("Ann A", "Bob B", "others"))
    assert "Ann A, Bob B et al." in to_markdown([ExportItem(paper)], make_catalog(paper))


@pytest.mark.parametrize("hostile", HOSTILE)
def test_markdown_hostile_text_stays_literal(hostile):
    paper = make_paper(
        title=hostile,
        authors=(hostile, "B"),
        venue=hostile,
        tags=(hostile,),
        url="",
        arxiv="",
        pdf="",
        code="",
    )
    text = to_markdown([ExportItem(paper, user_tags=(hostile,), status=hostile)], make_catalog(paper))
    tokens = _tokens(text)
    types = {t.type for t in tokens}
    assert "link_open" not in types and "image" not in types
    assert "html_inline" not in types and "html_block" not in types
    headings = [t for t in tokens if t.type == "heading_open"]
    assert len(headings) == 2  # "Reading list" and the category, nothing from the record
    assert [t.level for t in tokens if t.type == "list_item_open"].count(1) == 1
    assert "\x1b" not in text and "\u202e" not in text
    if one_line(hostile):
        assert strong_text(tokens) == one_line(hostile)  # the title renders as itself


def test_markdown_title_renders_literally():
    title = "[click](javascript:alert(1)) <script>x</script> # heading *bold* `code`"
    paper = make_paper(title=title)
    html = MarkdownIt("commonmark").render(to_markdown([ExportItem(paper)], make_catalog(paper)))
    literal = "[click](javascript:alert(1)) &lt;script&gt;x&lt;/script&gt; # heading *bold* `code`"
    assert f"<strong>{literal}</strong>" in html
    assert 'href="javascript' not in html


def test_markdown_links_only_http():
    paper = make_paper(url="javascript:alert(1)", code="ftp://x.org/y", pdf="papers/local.pdf", arxiv="")
    text = to_markdown([ExportItem(paper)], make_catalog(paper))
    html = MarkdownIt("commonmark").render(text)
    assert "<a " not in html
    assert "javascript:alert(1)" in html  # shown as text, not linked


def test_markdown_urls_are_percent_encoded():
    paper = make_paper(url="https://example.org/a b>c<d)e", arxiv="")
    text = to_markdown([ExportItem(paper)], make_catalog(paper))
    assert "[paper](<https://example.org/a%20b%3Ec%3Cd)e>)" in text
    html = MarkdownIt("commonmark").render(text)
    assert 'href="https://example.org/a%20b%3Ec%3Cd)e"' in html


def test_markdown_control_characters_visible():
    paper = make_paper(title="red \x1b[31m text")
    item = ExportItem(paper, note="bell \x07 here\n\u202eevil")
    text = to_markdown([item], make_catalog(paper))
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "\\\\e\\[31m" in text  # `\e[31m`, escaped for Markdown
    assert "  > bell \\a here\n  > <U+202E>evil" in text


# --- property tests ---------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(title=TEXT, note=TEXT, author=TEXT)
def test_property_csv_round_trip(title, note, author):
    paper = make_paper(title=title, authors=(author,))
    [row] = parse_csv(to_csv([ExportItem(paper, note=note)]))
    assert row["title"] == neutralised(title)
    assert row["note"] == neutralised(note)
    assert row["authors"] == neutralised(author)


@settings(max_examples=100, deadline=None)
@given(title=TEXT, note=TEXT, tag=TEXT)
def test_property_json_round_trip(title, note, tag):
    paper = make_paper(title=title)
    text = to_json([ExportItem(paper, note=note, user_tags=(tag,))])
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", text)  # nothing acts on a terminal
    [data] = json.loads(text)
    assert (data["title"], data["note"], data["user_tags"]) == (title, note, [tag])


@settings(max_examples=100, deadline=None)
@given(title=TEXT, venue=TEXT, author=TEXT, note=TEXT)
def test_property_bibtex_round_trip(title, venue, author, note):
    paper = make_paper(title=title, venue=venue, authors=(author, "Ann Other"), tags=(venue,))
    library = parse_bib(to_bibtex([ExportItem(paper, note=note), ExportItem(paper)]))
    assert len(library.entries) == 2
    first = library.entries[0]
    assert bib_title(first) == one_line(title)
    venue_field = {"inproceedings": "booktitle", "article": "journal", "misc": "howpublished"}
    venue_field = venue_field[first.entry_type]
    expected_venue = one_line(venue) or "arXiv preprint arXiv:2302.13971"
    assert bib_decode(first[venue_field]) == expected_venue
    names = [bib_name(name) for name in (author, "Ann Other") if one_line(name)]
    if one_line(author).lower() != "others":
        assert bib_decode(first["author"]) == " and ".join(names)
    assert library.entries[0].key != library.entries[1].key


@settings(max_examples=100, deadline=None)
@given(title=TEXT, note=TEXT)
def test_property_markdown_structure(title, note):
    paper = make_paper(title=title, venue=title, url="", arxiv="", pdf="", code="")
    text = to_markdown([ExportItem(paper, note=note, user_tags=(title,))], make_catalog(paper))
    tokens = _tokens(text)
    assert [t.level for t in tokens if t.type == "list_item_open"].count(1) == 1
    assert len([t for t in tokens if t.type == "heading_open" and t.level == 0]) == 2
    # Anything outside the note's blockquote comes from us: no record text becomes a link or HTML.
    depth, outside = 0, []
    for token in tokens:
        depth += token.nesting if token.type.startswith("blockquote") else 0
        if depth == 0:
            outside.append(token.type)
    assert not {"link_open", "image", "html_inline", "html_block"} & set(outside)


# --- the shipped data -------------------------------------------------------------------------


def test_shipped_data_through_every_format():
    catalog = load_catalog([shipped("data")])
    assert catalog.errors == []
    papers = catalog.in_display_order()
    assert len(papers) == 26
    items = [ExportItem(paper) for paper in papers]
    library = parse_bib(export(items, "bibtex", catalog))
    assert len(library.entries) == 26
    assert len({entry.key for entry in library.entries}) == 26
    for entry, paper in zip(library.entries, papers, strict=True):
        assert bib_title(entry) == paper.title
        venue_year = paper.bib.venue_year if paper.bib is not None else 0
        assert entry["year"] == str(venue_year or paper.year)  # a record may give its venue's year
    keys = [entry.key for entry in library.entries]
    assert "touvron2023llama" in keys and "touvron2023llamaa" in keys
    rows = parse_csv(export(items, "csv", catalog))
    assert [row["id"] for row in rows] == [paper.id for paper in papers]
    data = json.loads(export(items, "json", catalog))
    assert [entry["id"] for entry in data] == [paper.id for paper in papers]
    text = export(items, "markdown", catalog)
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert headings == [category.name for _, category in catalog.tree()]
    assert len([t for t in _tokens(text) if t.type == "list_item_open" and t.level == 1]) == 26


def test_replace_keeps_item_frozen():
    item = ExportItem(make_paper())
    with pytest.raises(AttributeError):
        item.note = "x"  # type: ignore[misc]
    assert replace(item, status="read").status == "read"


# --- The shipped records' entries ------------------------------------------------------------


def test_shipped_records_give_the_venue_year_and_a_braced_corporate_author():
    catalog = load_catalog([shipped("data")])
    speculative, gemini = catalog.by_id["speculative-decoding"], catalog.by_id["gemini"]
    [entry] = parse_bib(to_bibtex([ExportItem(speculative)])).entries
    assert entry.entry_type == "inproceedings" and entry["booktitle"] == "ICML 2023"
    assert entry["year"] == "2023" and "month" not in entry.fields_dict  # the venue's year, not the preprint's
    assert entry.key == "leviathan2023fast"
    [entry] = parse_bib(to_bibtex([ExportItem(gemini)])).entries
    assert entry["author"].startswith("{Gemini Team} and Rohan Anil and ")
    assert entry["author"].endswith(" and others")
    assert entry.key == "geminiteam2023gemini" and entry.entry_type == "misc" and entry["eprint"] == "2312.11805"


def test_an_imported_entry_keeps_its_type_key_and_fields():
    from paperbrowse.core.sources.bibtex_import import parse_bibtex

    text = (
        "@incollection{Knuth:84,\n  author = {Knuth, Donald E. and {TeX Users Group} and others},\n"
        "  title = {{\\LaTeX} and \\texttt{jiant}},\n  booktitle = {Proc. {TUG}},\n  pages = {1--10},\n"
        "  publisher = {AMS}, address = {Providence}, year = 1984, month = aug, doi = {10.1/x_y},\n"
        "  url = {https://example.org/a_b}, mrnumber = {12345}\n}\n"
    )
    [draft] = parse_bibtex(text, "k.bib").papers
    paper, _ = paper_from_table(draft.table("knuth", "inbox"))
    assert paper is not None and paper.authors == ("Donald E. Knuth", "TeX Users Group", "et al.")
    assert paper.title == "LaTeX and jiant"
    out = to_bibtex([ExportItem(paper, user_tags=("mine",))])
    assert out.startswith("@incollection{Knuth:84,\n")
    for line in (
        "title = {{\\LaTeX} and \\texttt{jiant}}",
        "author = {Knuth, Donald E. and {TeX Users Group} and others}",
        "booktitle = {Proc. {TUG}}",
        "pages = {1--10}",
        "publisher = {AMS}",
        "address = {Providence}",
        "year = {1984}",
        "month = aug",
        "doi = {10.1/x_y}",
        "mrnumber = {12345}",
    ):
        assert line in out
    biblatex = to_bibtex([ExportItem(paper)], "biblatex")
    assert "date = {1984-08}" in biblatex and "location = {Providence}" in biblatex


def test_kept_values_cannot_break_out_or_reach_the_terminal():
    from paperbrowse.core.records.bibliography import Bibliography

    bib = Bibliography(
        type="misc",
        key="ok",
        bibtex=(("note", "x\n@misc{evil, title={pwned}}\x1b[31m"), ("howpublished", "}, evil = {")),
    )
    text = to_bibtex([ExportItem(make_paper(bib=bib))])
    [entry] = parse_bib(text).entries
    assert set(entry.fields_dict) >= {"note", "howpublished"} and "evil" not in entry.fields_dict
    assert "\x1b" not in text and "\n@misc{evil" not in text
    table = {"id": "x", "title": "T", "authors": ["A"], "date": "2020", "category": "c", "type": "misc"}
    assert paper_from_table({**table, "key": "a\x1bb"})[0] is None
    assert paper_from_table({**table, "key": "a:b-c_d.e/f"})[0] is not None
