"""Loading record files: every problem is collected with its file and line, good records still load."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CATEGORIES_TOML, COLLECTION_IDS, PAPERS_2023_TOML, dedent, line_of, paper_toml
from paperbrowse.core.records import scan as scan_module
from paperbrowse.core.records.catalog import build_catalog, load_catalog
from paperbrowse.core.records.loader import find_files, parse_file, parse_text, scan_files


def only_problem(catalog_or_records):
    problems = catalog_or_records.problems
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def load(folder_or_files, *more) -> object:
    return load_catalog([folder_or_files, *more])


@pytest.fixture
def cats(write_toml) -> Path:
    return write_toml("categories.toml", CATEGORIES_TOML)


# --- a good collection ----------------------------------------------------------------------


def test_collection_loads_recursively_without_problems(collection):
    catalog = load_catalog([collection])
    assert catalog.problems == [], [str(p) for p in catalog.problems]
    assert set(catalog.by_id) == COLLECTION_IDS
    assert set(catalog.categories) == {"llm", "llm-inference", "vision"}
    assert catalog.descendants("llm") == {"llm", "llm-inference"}
    assert catalog.descendants("vision") == {"vision"}
    assert catalog.descendants("nope") == frozenset()
    assert catalog.count("llm") == 5 and catalog.count("llm-inference") == 2 and catalog.count("vision") == 1
    assert [(depth, c.id) for depth, c in catalog.tree()] == [(0, "llm"), (1, "llm-inference"), (0, "vision")]


def test_records_remember_file_and_header_line(collection):
    catalog = load_catalog([collection])
    gpt4 = catalog.by_id["gpt-4"]
    assert Path(gpt4.source) == collection / "papers" / "2023.toml"
    assert gpt4.line == line_of(PAPERS_2023_TOML, "[[paper]]", occurrence=2)
    assert catalog.categories["vision"].line == line_of(CATEGORIES_TOML, "[[category]]", occurrence=3)


def test_hidden_and_non_toml_files_are_ignored(collection):
    files, problems = find_files([collection])
    assert problems == []
    names = sorted(str(f.relative_to(collection)) for f in files)
    assert names == ["categories.toml", "papers/2023.toml", "papers/older/2022.toml"]


def test_display_order_groups_by_category_tree_newest_first(collection):
    order = [p.id for p in load_catalog([collection]).in_display_order()]
    assert order == ["mistral-7b", "gpt-4", "llama", "speculative-decoding", "flash-attention", "vit"]


def test_single_files_can_be_sources_and_duplicates_are_read_once(collection):
    categories = collection / "categories.toml"
    papers = collection / "papers" / "2023.toml"
    catalog = load_catalog([categories, papers, papers, collection / "papers" / ".." / "papers" / "2023.toml"])
    assert catalog.problems == [], [str(p) for p in catalog.problems]
    assert set(catalog.by_id) == {"llama", "gpt-4", "mistral-7b"}


def test_missing_path_is_reported_and_other_sources_still_load(collection, tmp_path):
    missing = tmp_path / "nowhere"
    catalog = load_catalog([missing, collection])
    problem = only_problem(catalog)
    assert problem.file == str(missing)
    assert problem.line is None
    assert "no such file or folder" in problem.message
    assert problem.severity == "error"
    assert set(catalog.by_id) == COLLECTION_IDS


def test_empty_and_comment_only_files_are_fine(write_toml, cats):
    write_toml("empty.toml", "")
    write_toml("comments.toml", "# nothing here yet\n\n   \n")
    catalog = load(cats.parent)
    assert catalog.problems == []
    assert catalog.papers == []
    assert len(catalog.categories) == 3


# --- TOML syntax errors ---------------------------------------------------------------------

BROKEN = """\
[[paper]]
id = "a"
title = "unterminated
authors = ["x"]
"""


def test_syntax_error_has_file_line_and_column(write_toml, cats, collection):
    broken = write_toml("broken.toml", BROKEN)
    catalog = load_catalog([collection, broken])
    problem = only_problem(catalog)
    assert problem.file == str(broken)
    assert problem.line == 3
    assert problem.column == len('title = "unterminated') + 1
    assert problem.message.startswith("TOML syntax error")
    assert "(at line" not in problem.message  # the position is not repeated in the text
    assert str(problem).startswith(f"{broken}:3:{problem.column}: TOML syntax error")
    # a syntax error costs that file only
    assert set(catalog.by_id) == COLLECTION_IDS


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('[[paper]]\nid = "a"\ntitle = = "x"\n', 3),
        ('[[paper]]\nid = "a"\nid = "b"\n', 3),
        ('# header\n\n[[paper\nid = "a"\n', 3),
        ('[[paper]]\nid = "a"\n\n\n\nauthors = ["x",\n', 6),
    ],
)
def test_syntax_error_lines(text, line):
    problem = only_problem(parse_text(text, "f.toml"))
    assert (problem.file, problem.line) == ("f.toml", line)
    assert problem.column is None or problem.column >= 1


# --- missing, wrong-typed and bad fields: the line of the key, or of the header -------------


@pytest.mark.parametrize("missing", ["id", "title", "authors", "date", "category"])
def test_missing_field_reports_the_header_line(write_toml, cats, missing):
    good = paper_toml("good-one")
    bad_lines = [line for line in paper_toml("bad-one").splitlines() if not line.startswith(f"{missing} =")]
    text = "# two papers\n\n" + good + "\n" + "\n".join(bad_lines) + "\n\n" + paper_toml("good-two")
    path = write_toml("papers.toml", text)
    catalog = load(cats.parent)
    problem = only_problem(catalog)
    assert problem.file == str(path)
    assert problem.line == line_of(text, "[[paper]]", occurrence=2)
    assert f"missing required field '{missing}'" in problem.message
    assert "record skipped" in problem.message
    assert set(catalog.by_id) == {"good-one", "good-two"}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("title", "42"),
        ("authors", '"Ada Lovelace"'),
        ("orgs", '"Meta"'),
        ("tags", "[1, 2]"),
        ("venue", "2023"),
        ("summary", '["a"]'),
        ("arxiv", "2302.13971"),
    ],
)
def test_wrong_type_reports_the_key_line(write_toml, cats, key, value):
    lines = paper_toml("bad-one").splitlines()
    lines = [line for line in lines if not line.startswith(f"{key} =")]
    lines.insert(3, "# a comment line to move things down")
    lines.append(f"{key} = {value}")
    text = paper_toml("good-one") + "\n" + "\n".join(lines) + "\n"
    path = write_toml("papers.toml", text)
    catalog = load(cats.parent)
    problem = only_problem(catalog)
    assert (problem.file, problem.line) == (str(path), line_of(text, f"{key} = {value}"))
    assert f"paper 'bad-one': field '{key}' must be" in problem.message
    assert set(catalog.by_id) == {"good-one"}


@pytest.mark.parametrize("value", ['"2023-13"', '"2023-02-30"', '"last May"', "2023", "12:30:00", '"99"'])
def test_bad_date_reports_the_date_line(write_toml, cats, value):
    text = dedent(f"""
        [[paper]]
        id = "first"
        title = "First"
        authors = ["A"]
        date = 2023-01-01
        category = "llm"

        [[paper]]
        id = "second"
        title = "Second"
        authors = ["A"]
        category = "llm"
        date = {value}
        tags = ["x"]
    """)
    path = write_toml("papers.toml", text)
    catalog = load(cats.parent)
    problem = only_problem(catalog)
    assert (problem.file, problem.line) == (str(path), 13)
    assert "paper 'second': bad date" in problem.message
    assert set(catalog.by_id) == {"first"}


@pytest.mark.parametrize(
    ("key", "value"),
    [("url", "javascript:alert(1)"), ("code", "file:///etc/passwd"), ("pdf", "ftp://x.org/p.pdf"), ("url", "https://")],
)
def test_bad_link_reports_the_key_line(write_toml, cats, key, value):
    text = paper_toml("good-one") + "\n" + paper_toml("bad-one", venue='"NeurIPS"', **{key: f'"{value}"'})
    path = write_toml("papers.toml", text)
    catalog = load(cats.parent)
    problem = only_problem(catalog)
    assert (problem.file, problem.line) == (str(path), line_of(text, f"{key} = "))
    assert f"link in '{key}'" in problem.message
    assert set(catalog.by_id) == {"good-one"}


def test_bad_id_reports_the_id_line(write_toml, cats):
    text = paper_toml("good-one") + "\n" + paper_toml("Bad One")
    path = write_toml("papers.toml", text)
    catalog = load(cats.parent)
    problem = only_problem(catalog)
    assert (problem.file, problem.line) == (str(path), line_of(text, 'id = "Bad One"'))
    assert "lowercase" in problem.message


def test_several_problems_in_one_record_are_all_reported(write_toml, cats):
    text = dedent("""
        [[paper]]
        id = "bad"
        title = 3
        authors = ["A"]
        date = "soon"
        category = "llm"
        url = "ftp://x"
    """)
    path = write_toml("papers.toml", text)
    catalog = load(cats.parent)
    assert sorted((p.file, p.line) for p in catalog.problems) == [(str(path), 3), (str(path), 5), (str(path), 7)]
    assert catalog.papers == []


def test_unknown_field_is_a_warning_on_its_line_and_kept(write_toml, cats):
    text = paper_toml("good-one", stars='"10.1/x"')
    path = write_toml("papers.toml", text)
    catalog = load(cats.parent)
    problem = only_problem(catalog)
    assert problem.severity == "warning"
    assert (problem.file, problem.line) == (str(path), line_of(text, "stars = "))
    assert "unknown field 'stars'" in problem.message
    assert str(problem) == f"{path}:{problem.line}: warning: paper 'good-one': unknown field 'stars' (kept)"
    assert catalog.errors == []
    assert catalog.by_id["good-one"].extra == {"stars": "10.1/x"}


def test_unknown_top_level_key_is_a_warning(write_toml, cats):
    path = write_toml("papers.toml", "# schema\nversion = 2\n\n" + paper_toml("good-one"))
    catalog = load(cats.parent)
    problem = only_problem(catalog)
    assert problem.severity == "warning"
    assert (problem.file, problem.line) == (str(path), 2)
    assert "unknown top-level key 'version'" in problem.message
    assert set(catalog.by_id) == {"good-one"}


# --- whole-collection checks: categories and duplicates ------------------------------------


def test_unknown_category_reports_the_paper_and_lists_known_ones(write_toml, cats):
    text = paper_toml("good-one") + "\n" + paper_toml("lost", category="robotics")
    path = write_toml("papers.toml", text)
    catalog = load(cats.parent)
    problem = only_problem(catalog)
    assert (problem.file, problem.line) == (str(path), line_of(text, "[[paper]]", occurrence=2))
    assert "unknown category 'robotics'" in problem.message
    assert "llm, llm-inference, vision" in problem.message
    assert set(catalog.by_id) == {"good-one"}


def test_duplicate_id_across_files_names_both_places(write_toml, cats):
    first_text = paper_toml("other") + "\n" + paper_toml("dup", title="First")
    second_text = "# second file\n" + paper_toml("dup", title="Second") + "\n" + paper_toml("another")
    first = write_toml("a.toml", first_text)
    second = write_toml("b.toml", second_text)
    catalog = load(cats.parent)
    problem = only_problem(catalog)
    first_line = line_of(first_text, "[[paper]]", occurrence=2)
    assert (problem.file, problem.line) == (str(second), 2)
    assert "duplicate id 'dup'" in problem.message
    assert f"{first}:{first_line}" in problem.message
    assert catalog.by_id["dup"].title == "First"
    assert set(catalog.by_id) == {"other", "dup", "another"}


def test_duplicate_id_in_one_file(write_toml, cats):
    text = paper_toml("dup", title="First") + "\n" + paper_toml("dup", title="Second")
    path = write_toml("a.toml", text)
    problem = only_problem(load(cats.parent))
    assert (problem.file, problem.line) == (str(path), line_of(text, "[[paper]]", occurrence=2))
    assert f"{path}:1" in problem.message


def test_duplicate_category_id(write_toml, cats):
    path = write_toml("more.toml", '[[category]]\nid = "vision"\nname = "Again"\n')
    catalog = load(cats.parent)
    problem = only_problem(catalog)
    assert (problem.file, problem.line) == (str(path), 1)
    assert "duplicate category id 'vision'" in problem.message
    assert f"{cats}:{line_of(CATEGORIES_TOML, '[[category]]', occurrence=3)}" in problem.message
    assert catalog.categories["vision"].name == "Computer vision"


def test_category_with_unknown_parent_is_reported_and_shown_at_the_top(write_toml):
    text = dedent("""
        [[category]]
        id = "root"
        name = "Root"

        [[category]]
        id = "orphan"
        name = "Orphan"
        parent = "missing"
    """)
    path = write_toml("cats.toml", text)
    catalog = load(path)
    problem = only_problem(catalog)
    assert (problem.file, problem.line) == (str(path), 5)
    assert "unknown parent 'missing'" in problem.message
    assert catalog.categories["orphan"].parent is None
    assert {c.id for _, c in catalog.tree()} == {"root", "orphan"}


@pytest.mark.parametrize(
    "parents",
    [
        {"a": "a"},
        {"a": "b", "b": "a"},
        {"a": "b", "b": "c", "c": "a"},
    ],
)
def test_category_cycle_is_reported_and_every_category_stays_visible(write_toml, parents):
    text = "".join(f'[[category]]\nid = "{c}"\nname = "{c.upper()}"\nparent = "{p}"\n\n' for c, p in parents.items())
    path = write_toml("cats.toml", text)
    catalog = load(path)
    assert catalog.problems, "a cycle must be reported"
    assert all("cycle" in p.message and p.file == str(path) for p in catalog.problems)
    assert all(p.line == line_of(text, f'id = "{p.message.split(chr(39))[1]}"') - 1 for p in catalog.problems)
    listed = [c.id for _, c in catalog.tree()]
    assert sorted(listed) == sorted(parents), "no category may vanish from the tree"
    for category in parents:
        assert category in catalog.descendants(category)


def test_category_below_a_cycle_keeps_its_parent(write_toml):
    text = dedent("""
        [[category]]
        id = "leaf"
        name = "Leaf"
        parent = "a"

        [[category]]
        id = "a"
        name = "A"
        parent = "b"

        [[category]]
        id = "b"
        name = "B"
        parent = "a"
    """)
    catalog = load(write_toml("cats.toml", text))
    assert all("'leaf'" not in p.message for p in catalog.problems)
    assert len(catalog.problems) == 1 and "cycle" in catalog.problems[0].message
    assert catalog.categories["leaf"].parent == "a"
    assert "leaf" in catalog.descendants("a")
    assert sorted(c.id for _, c in catalog.tree()) == ["a", "b", "leaf"]


def test_papers_in_every_category_of_a_nested_tree_are_counted(write_toml, cats):
    write_toml("p.toml", paper_toml("x", category="llm-inference") + "\n" + paper_toml("y", category="llm"))
    catalog = load(cats.parent)
    assert catalog.count("llm") == 2
    assert catalog.count("llm-inference") == 1
    assert catalog.count("vision") == 0


# --- files that are not what they should be -------------------------------------------------


def test_non_utf8_file_reports_the_line_of_the_bad_byte(tmp_path, collection):
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(paper_toml("cafe", title="Cafe").encode() + b'summary = "caf\xe9"\n')
    catalog = load_catalog([collection, bad])
    problem = only_problem(catalog)
    assert (problem.file, problem.line) == (str(bad), 7)
    assert "UTF-8" in problem.message
    assert set(catalog.by_id) == COLLECTION_IDS


def test_unreadable_path_is_reported_not_raised(tmp_path):
    # a folder named like a record file is skipped by the walk, but given directly it must not crash
    weird = tmp_path / "dir.toml"
    weird.mkdir()
    records = parse_file(tmp_path / "gone.toml")
    assert records.problems and records.problems[0].line is None
    assert load_catalog([weird]).problems == []


def test_paper_that_is_not_an_array_of_tables(write_toml, cats):
    path = write_toml("papers.toml", '# oops\npaper = "x"\n')
    catalog = load(cats.parent)
    problem = only_problem(catalog)
    assert problem.file == str(path)
    assert "'paper' must be an array of tables" in problem.message
    assert problem.severity == "error"
    assert len(catalog.categories) == 3


def test_paper_that_is_not_an_array_of_tables_names_its_line(write_toml):
    path = write_toml("papers.toml", '# oops\n\npaper = "x"\n')
    problem = only_problem(load(path))
    assert (problem.file, problem.line) == (str(path), 3)


@pytest.mark.parametrize("value", ["[1, 2]", '{ id = "x" }', "[[1], [2]]"])
def test_other_wrong_shapes_for_paper(value):
    problem = only_problem(parse_text(f"paper = {value}\n", "f.toml"))
    assert "must be an array of tables" in problem.message


def test_inline_array_of_tables_loads(write_toml, cats):
    write_toml(
        "inline.toml",
        'paper = [{ id = "inline", title = "Inline", authors = ["A"], date = 2023-01-01, category = "llm" }]\n',
    )
    catalog = load(cats.parent)
    assert catalog.problems == []
    assert "inline" in catalog.by_id


def test_file_with_only_categories_and_papers_mixed(write_toml):
    text = dedent("""
        [[category]]
        id = "llm"
        name = "LLMs"

        [[paper]]
        id = "p"
        title = "P"
        authors = ["A"]
        date = "2021"
        category = "llm"
    """)
    catalog = load(write_toml("mixed.toml", text))
    assert catalog.problems == []
    assert catalog.by_id["p"].line == 5
    assert catalog.by_id["p"].date.isoformat() == "2021"


# --- line numbers are not fooled by what strings contain -----------------------------------

FAKE_HEADER_IN_SUMMARY = '''\
[[paper]]
id = "quoter"
title = "Quoter"
authors = ["A"]
date = 2023-01-01
category = "llm"
summary = """This summary quotes a record file:
[[paper]]
id = "not-a-paper"
date = "not a date"
"""
highlight = \'\'\'and a literal one
[[paper]]
\'\'\'

[[paper]]
id = "after"
title = "After"
authors = ["A"]
category = "llm"
date = "2023-99"
'''


def test_header_inside_multiline_string_does_not_shift_lines(write_toml, cats):
    path = write_toml("papers.toml", FAKE_HEADER_IN_SUMMARY)
    catalog = load(cats.parent)
    problem = only_problem(catalog)
    assert (problem.file, problem.line) == (str(path), line_of(FAKE_HEADER_IN_SUMMARY, 'date = "2023-99"'))
    assert catalog.by_id["quoter"].line == 1
    assert "[[paper]]" in catalog.by_id["quoter"].summary


def test_crlf_line_endings_keep_line_numbers(tmp_path, cats):
    text = paper_toml("good-one") + "\n" + paper_toml("bad-one", date='"2023-13"')
    path = tmp_path / "crlf.toml"
    path.write_bytes(text.replace("\n", "\r\n").encode())
    catalog = load_catalog([cats, path])
    problem = only_problem(catalog)
    assert (problem.file, problem.line) == (str(path), line_of(text, 'date = "2023-13"'))


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_separator_in_a_string_does_not_shift_lines(write_toml, cats, separator):
    text = paper_toml("good-one", summary=f'"one{separator}two"') + "\n" + paper_toml("bad-one", date='"2023-13"')
    path = write_toml("papers.toml", text)
    problem = only_problem(load(cats.parent))
    assert (problem.file, problem.line) == (str(path), line_of(text, 'date = "2023-13"'))


@pytest.mark.parametrize("title", ["\"Python'''s docstrings\"", '\'Say """hi\''])
def test_triple_quotes_inside_a_one_line_string_do_not_hide_later_lines(write_toml, cats, title):
    text = paper_toml("good-one", highlight=title) + "\n" + paper_toml("bad-one", date='"2023-13"')
    path = write_toml("papers.toml", text)
    problem = only_problem(load(cats.parent))
    assert (problem.file, problem.line) == (str(path), line_of(text, 'date = "2023-13"'))


@pytest.mark.parametrize(
    "lines",
    [
        ['summary = """He said \\"""hi\\""" twice', "[[paper]]", '"""'],  # escaped delimiter inside
        ['summary = """ends with four quotes""""'],
        ['summary = """ends with five quotes"""""'],
        ["summary = '''a literal ends at the first delimiter, backslash or not \\'''"],
        ["summary = \"C# is not a comment inside a string, nor is this '''\""],
        ['"key#1" = """', "[[paper]]", '"""'],
        ['summary = """one""" # a comment with """ in it'],
        ["summary = \"escaped \\\" quote then ''' in the same string\""],
    ],
)
def test_multiline_string_tracking_edge_cases(write_toml, cats, lines):
    text = paper_toml("good-one") + "\n".join(lines) + "\n\n" + paper_toml("bad-one", date='"2023-13"')
    assert tomllib.loads(text)  # each case is valid TOML
    path = write_toml("papers.toml", text)
    catalog = load(cats.parent)
    [problem] = catalog.errors  # the quoted "key#1" is also an unknown field: a warning
    assert (problem.file, problem.line) == (str(path), line_of(text, 'date = "2023-13"'))
    assert set(catalog.by_id) == {"good-one"}


# --- never raises ---------------------------------------------------------------------------

_TOML_BITS = st.sampled_from(
    [
        "[[paper]]\n",
        "[[category]]\n",
        "[paper]\n",
        'id = "x"\n',
        'id = "Y Z"\n',
        "title = 1\n",
        'authors = ["a"]\n',
        "authors = []\n",
        "date = 2023-01-01\n",
        'date = "2023-02-30"\n',
        'category = "llm"\n',
        'parent = "llm"\n',
        'name = "n"\n',
        "order = true\n",
        'url = "javascript:x"\n',
        'summary = """\n',
        '"""\n',
        "'''\n",
        "paper = 3\n",
        'x."y".z = 1\n',
        "[[paper.sub]]\n",
        "\n",
        "# c\n",
        '"\\u001b" = 1\n',
        "date = 1979-05-27T07:32:00Z\n",
        "date = 07:32:00\n",
        "tags = [[1], 'a']\n",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises(text):
    records = parse_text(text, "fuzz.toml")
    catalog = build_catalog([records])
    for problem in catalog.problems:
        assert problem.file == "fuzz.toml"
        assert problem.line is None or problem.line >= 1
        str(problem)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TOML_BITS, max_size=30).map("".join))
def test_toml_like_text_never_raises_and_lines_are_in_range(text):
    records = parse_text(text, "fuzz.toml")
    catalog = build_catalog([records])
    line_count = max(1, len(text.split("\n")))
    for problem in catalog.problems:
        assert problem.line is None or 1 <= problem.line <= line_count, (str(problem), text)
    for paper in catalog.papers:
        assert paper.line is None or 1 <= paper.line <= line_count


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_raise(tmp_path, data):
    path = tmp_path / "bytes.toml"
    path.write_bytes(data)
    records = parse_file(path)
    assert records.path == str(path)


def test_the_scan_keeps_path_order_and_reads_each_file_once(tmp_path):
    """One listing per folder gives the order sorting the paths gave; a file reached twice (a
    link, a source named twice) is read once."""
    data = tmp_path / "data"
    for name in ["b.toml", "a/z.toml", "a.b.toml", "a/c/d.toml", "B.toml", "a0.toml", "a/c.toml"]:
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / name).write_text("")
    (data / "link.toml").symlink_to(data / "b.toml")
    files, problems = find_files([data, data / "a.b.toml"])
    expected = sorted(p for p in data.rglob("*.toml") if p.name != "link.toml")
    assert files == expected and problems == []


def test_a_folder_named_like_a_data_file_is_searched_and_a_linked_one_is_not(tmp_path):
    data = tmp_path / "data"
    (data / "odd.toml").mkdir(parents=True)
    (data / "odd.toml" / "in.toml").write_text("")
    (data / "z.toml").write_text("")
    outside = tmp_path / "outside.toml"
    outside.mkdir()
    (outside / "hidden-away.toml").write_text("")
    (data / "linked.toml").symlink_to(outside, target_is_directory=True)
    (data / "linked-folder").symlink_to(outside, target_is_directory=True)
    files, problems = find_files([data])
    assert files == [data / "odd.toml" / "in.toml", data / "z.toml"] and problems == []


def test_a_file_that_cannot_be_looked_at_keeps_its_place_and_the_rest_are_stamped(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for name in ["a.toml", "c.toml", "notes.txt", ".hidden.toml"]:
        (data / name).write_text("")
    (data / "b.toml").symlink_to(data / "nowhere.toml")
    files, _ = scan_files([data])
    assert [(Path(f.path).name, f.stat is None) for f in files] == [
        ("a.toml", False),
        ("b.toml", True),
        ("c.toml", False),
    ]
    assert parse_file(data / "b.toml").problems  # it says why it cannot be read


def test_a_hard_linked_file_is_read_once_under_its_first_name(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "b.toml").write_text("")
    os.link(data / "b.toml", data / "a.toml")
    (data / "c.toml").write_text("")
    assert find_files([data])[0] == [data / "a.toml", data / "c.toml"]


@given(st.lists(st.from_regex(r"\.?[a-z.]{0,6}(\.toml)?", fullmatch=True).filter(bool), unique=True, max_size=80))
def test_sorting_out_a_listing_by_its_joined_names_equals_testing_each_name(names):
    data, others = scan_module.sort_out(names)
    assert data == [n for n in names if n.endswith(".toml") and not n.startswith(".")]
    assert sorted(others) == sorted(n for n in names if not n.endswith(".toml") and not n.startswith("."))
