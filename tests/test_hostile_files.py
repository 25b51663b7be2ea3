"""Hostile files and links (issue 19, items 2, 6, 7, 12, 13, 15): planted links at an export's
name, folders other users can write, category chains thousands deep, megabyte BibTeX fields,
UTF-16 BibTeX, invisible characters, and a cache folder someone else could write.

Where the item is about a command, the installed `paperbrowse` runs in a subprocess; another
user is a real second uid (the tests run as root, which may chown to any uid), and a folder
with mode 0o1777 owned by that uid stands for /tmp.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from conftest import paper_toml, write_text
from paperbrowse.core.files import exports
from paperbrowse.core.files.exports import ExportExists, ExportRefused, write_export
from paperbrowse.core.library.user_library import Library
from paperbrowse.tui.screens.confirm import Confirm
from paperbrowse.tui.screens.main import MainScreen
from test_tui_keys import _export
from tui_support import make_app, notes, run, settle

PAPERBROWSE = str(Path(sys.executable).parent / "paperbrowse")
OTHER = 4242  # another user's uid: no name needed, root may chown to any number
AS_ROOT = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown to another uid needs root")
POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX links, owners and modes")


def paperbrowse(
    *argv: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed command, as a user runs it."""
    return subprocess.run(
        [PAPERBROWSE, *argv], capture_output=True, text=True, cwd=cwd, env={**os.environ, **(env or {})}, timeout=120
    )


def shared_folder(path: Path, *, mode: int = 0o1777, owner: int = OTHER) -> Path:
    """A folder another user owns that everybody can write: /tmp (sticky) or worse (not)."""
    path.mkdir(parents=True)
    os.chown(path, owner, owner)
    path.chmod(mode)  # after chown, which clears the sticky bit on some systems
    return path


def plant_link(link: Path, target: Path, *, owner: int = OTHER) -> Path:
    link.symlink_to(target)
    os.lchown(link, owner, owner)
    return link


# ---------------------------------------------------------------------------------------------
# Item 2: an export never writes through a link, nor into a folder others could swap it in.
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def starred(tmp_path: Path, collection: Path) -> list[str]:
    """`--data … --library …` for a library with two papers starred, one title a shell command."""
    library_file = tmp_path / "me" / "library.toml"
    library = Library.load(library_file)
    library.star("llama")
    library.star("vit")
    library.set_note("vit", "private: my review notes")
    library.save()
    return ["--data", str(collection), "--library", str(library_file)]


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """The file a planted link points at: the user's own, e.g. ~/.bash_login."""
    home = tmp_path / "home"
    home.mkdir()
    return home / ".bash_login"


def untouched(victim: Path, before: bytes | None) -> None:
    if before is None:
        assert not victim.exists() and not victim.is_symlink(), "the link was followed"
    else:
        assert victim.read_bytes() == before, "the link's target was written"


@POSIX
@pytest.mark.parametrize("exists", [False, True], ids=["dangling", "to-a-file"])
def test_export_refuses_a_link_at_its_name_and_force_replaces_the_link_itself(starred, tmp_path, victim, exists):
    before = b"echo hello\n" if exists else None
    if before is not None:
        victim.write_bytes(before)
    out = tmp_path / "out"
    out.mkdir()
    link = out / "reading.csv"
    link.symlink_to(victim)

    result = paperbrowse(*starred, "export", "--format", "csv", "-o", str(link))
    assert result.returncode == 1, result
    assert "symbolic link" in result.stderr and "--force" in result.stderr and "Traceback" not in result.stderr
    untouched(victim, before)
    assert link.is_symlink()

    result = paperbrowse(*starred, "export", "--format", "csv", "-o", str(link), "--force")
    assert result.returncode == 0, result.stderr
    untouched(victim, before)
    assert not link.is_symlink() and link.is_file()
    assert "LLaMA" in link.read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["reading.csv"]  # no temporary file left


@POSIX
@AS_ROOT
@pytest.mark.parametrize("force", [False, True])
def test_export_in_a_sticky_shared_folder_leaves_another_users_link_alone(starred, tmp_path, victim, force):
    """The issue's case: in /tmp another user plants reading.csv -> ~/.bash_login."""
    victim.write_bytes(b"# mine\n")
    shared = shared_folder(tmp_path / "tmp")
    link = plant_link(shared / "reading.csv", victim)
    dangling = plant_link(shared / "new.csv", tmp_path / "home" / ".profile")

    for name in ("reading.csv", "new.csv"):
        argv = ["export", "--format", "csv", "-o", name, *(["--force"] if force else [])]
        result = paperbrowse(*starred, *argv, cwd=shared)
        assert result.returncode == 1, result
        assert "belongs to another user" in result.stderr, result.stderr  # --force or not: never theirs
        assert "Traceback" not in result.stderr
    untouched(victim, b"# mine\n")
    untouched(tmp_path / "home" / ".profile", None)
    assert link.is_symlink() and dangling.is_symlink()
    assert os.lstat(link).st_uid == OTHER


@POSIX
@AS_ROOT
def test_export_in_a_sticky_shared_folder_makes_a_new_file_only_the_user_can_read(starred, tmp_path):
    shared = shared_folder(tmp_path / "tmp")
    result = paperbrowse(*starred, "export", "--format", "json", "-o", "reading.json", cwd=shared)
    assert result.returncode == 0, result.stderr
    written = shared / "reading.json"
    assert not written.is_symlink() and written.stat().st_uid == os.geteuid()
    assert stat.S_IMODE(written.stat().st_mode) == 0o600  # it holds the user's notes
    assert {p["id"] for p in json.loads(written.read_text(encoding="utf-8"))} == {"llama", "vit"}
    # The user's own file there: --force replaces it (rename, the sticky bit protects it).
    result = paperbrowse(*starred, "export", "--format", "csv", "-o", "reading.json", "--force", cwd=shared)
    assert result.returncode == 0, result.stderr
    assert written.read_text(encoding="utf-8").startswith("id,title")


@POSIX
@AS_ROOT
@pytest.mark.parametrize("mode", [0o777, 0o775])
def test_export_refuses_a_shared_folder_without_the_sticky_bit(starred, tmp_path, mode):
    shared = shared_folder(tmp_path / "drop", mode=mode)
    result = paperbrowse(*starred, "export", "--format", "csv", "-o", str(shared / "reading.csv"))
    assert result.returncode == 1
    assert "other users can write" in result.stderr and "folder of your own" in result.stderr
    assert list(shared.iterdir()) == []


@POSIX
def test_export_into_the_users_own_open_folder_is_their_choice(starred, tmp_path):
    mine = tmp_path / "open"
    mine.mkdir()
    mine.chmod(0o777)  # theirs, opened up on purpose
    result = paperbrowse(*starred, "export", "--format", "csv", "-o", str(mine / "reading.csv"))
    assert result.returncode == 0, result.stderr
    assert (mine / "reading.csv").read_text(encoding="utf-8").startswith("id,title")


@POSIX
@AS_ROOT
def test_export_refuses_a_folder_link_another_user_planted_on_the_way(starred, tmp_path):
    private = tmp_path / "home" / ".ssh"
    private.mkdir(parents=True)
    shared = shared_folder(tmp_path / "tmp", owner=OTHER + 1)  # like /tmp: the link's maker does not own it
    plant_link(shared / "exports", private)
    result = paperbrowse(*starred, "export", "--format", "csv", "-o", str(shared / "exports" / "authorized_keys"))
    assert result.returncode == 1 and "link made by another user" in result.stderr, result.stderr
    assert list(private.iterdir()) == []
    # The user's own link in the same place is the user's choice, and is followed.
    (shared / "exports").unlink()
    (shared / "mine").symlink_to(private)
    result = paperbrowse(*starred, "export", "--format", "csv", "-o", str(shared / "mine" / "reading.csv"))
    assert result.returncode == 0, result.stderr
    assert (private / "reading.csv").is_file()


@POSIX
def test_a_link_that_appears_between_the_check_and_the_write_is_not_followed(tmp_path, victim, monkeypatch):
    """The name is taken exclusively (link(2)): the check before it is not what protects."""
    target = tmp_path / "reading.csv"
    real_link = os.link

    def racing_link(source, name, **kwargs):
        plant_link(target, victim, owner=os.geteuid())  # an attacker wins the race
        return real_link(source, name, **kwargs)

    monkeypatch.setattr(os, "link", racing_link)
    with pytest.raises(ExportExists) as raised:
        write_export(target, b"=cmd|' /C calc'!A0\n")
    assert raised.value.is_link
    untouched(victim, None)
    assert [p.name for p in tmp_path.iterdir() if p.name != "home"] == ["reading.csv"]  # no temporary file


@POSIX
@pytest.mark.parametrize("code", [errno.EPERM, errno.EOPNOTSUPP])
def test_without_hard_links_the_new_file_is_still_created_exclusively(tmp_path, victim, monkeypatch, code):
    """FAT and some network file systems have no link(2): the file is written in place, O_EXCL."""

    def no_links(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "link", no_links)
    write_export(tmp_path / "a.md", b"text")
    assert (tmp_path / "a.md").read_bytes() == b"text"
    plant_link(tmp_path / "b.md", victim, owner=os.geteuid())
    monkeypatch.setattr(exports._Folder, "lstat", lambda self, name: None)  # the check misses it
    with pytest.raises(FileExistsError):
        write_export(tmp_path / "b.md", b"text")
    untouched(victim, None)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


@POSIX
def test_force_keeps_the_mode_of_the_users_own_file_and_a_folder_is_refused(tmp_path):
    target = tmp_path / "reading.md"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_export(target, b"new", force=True)
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o640
    with pytest.raises(IsADirectoryError):
        write_export(tmp_path, b"x", force=True)
    (tmp_path / "sub").mkdir()
    with pytest.raises(IsADirectoryError):
        write_export(tmp_path / "sub", b"x", force=True)


@POSIX
@AS_ROOT
def test_refusals_are_permission_errors_that_name_the_reason(tmp_path):
    shared = shared_folder(tmp_path / "drop", mode=0o777)
    with pytest.raises(ExportRefused) as raised:
        write_export(shared / "x.md", b"x")
    assert isinstance(raised.value, PermissionError) and "other users can write" in raised.value.strerror


@POSIX
def test_the_browser_asks_before_replacing_a_link_and_replaces_only_the_link(tmp_path, collection, victim, monkeypatch):
    monkeypatch.chdir(tmp_path)
    library = tmp_path / "library.toml"
    lib = Library.load(library)
    lib.star("llama")
    lib.save()
    link = tmp_path / "list.md"
    link.symlink_to(victim)  # dangling: it "does not exist" to os.path.exists
    app = make_app([collection], library)

    async def scenario(pilot) -> None:
        await _export(pilot, Path("list.md"), 0)
        assert isinstance(app.screen, Confirm)  # the link is a file that exists
        untouched(victim, None)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert any("Exported 1 paper to" in n for n in notes(app)), notes(app)

    run(app, scenario)
    untouched(victim, None)
    assert not link.is_symlink() and "LLaMA" in link.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Item 6: a category chain thousands deep: linear, no recursion, a problem where it is cut.
# ---------------------------------------------------------------------------------------------

CHAIN = 1_200


def chain_toml(levels: int) -> str:
    """`c0 > c1 > … > c{levels-1}`, one category per four lines (its `[[category]]` on line 4i+1)."""
    rows = []
    for i in range(levels):
        parent = f'parent = "c{i - 1}"' if i else "# the top"
        rows.append(f'[[category]]\nid = "c{i}"\nname = "Level {i:05}"\n{parent}\n')
    return "".join(rows)


@pytest.fixture
def deep_data(tmp_path: Path) -> Path:
    data = tmp_path / "deep"
    write_text(data / "categories.toml", chain_toml(CHAIN))
    papers = paper_toml("top", category="c0") + "\n" + paper_toml("bottom", category=f"c{CHAIN - 1}")
    write_text(data / "papers.toml", papers)
    return data


def test_a_deep_category_chain_does_not_stop_any_command(deep_data, tmp_path):
    library = tmp_path / "library.toml"
    base = ["--data", str(deep_data), "--library", str(library)]
    for argv in (["star", "bottom"], ["list", "--json"], ["show", "bottom"], ["search", "bottom"], ["export"]):
        result = paperbrowse(*base, *argv, env={"PAPERBROWSE_CACHE": "0"})
        assert result.returncode == 0, (argv, result.stderr[-2000:])
        assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
        if argv[0] in ("list", "export"):
            assert "problems in the data" in result.stderr  # told once, with where to look
    assert Library.load(library).is_starred("bottom")

    result = paperbrowse(*base, "validate", env={"PAPERBROWSE_CACHE": "0"})
    cut = [line for line in result.stdout.splitlines() if "levels deep" in line]
    assert len(cut) == (CHAIN - 1) // 32
    first = str(deep_data / "categories.toml") + ":" + str(4 * 32 + 1) + ": category 'c32': nested 33 levels deep"
    assert cut[0].startswith(first), cut[0]
    assert "2 papers" in result.stderr


def test_the_catalog_of_a_deep_chain_is_cut_every_32_levels_and_keeps_every_category(deep_data):
    from paperbrowse.core.records.catalog import MAX_CATEGORY_DEPTH, load_catalog

    catalog = load_catalog([deep_data])
    assert len(catalog.categories) == CHAIN and {p.id for p in catalog.papers} == {"top", "bottom"}
    rows = catalog.tree()
    assert len(rows) == CHAIN and max(depth for depth, _ in rows) == MAX_CATEGORY_DEPTH - 1
    assert [c.id for _, c in rows] == [f"c{i}" for i in range(CHAIN)]  # still in chain order
    assert catalog.descendants("c0") == {f"c{i}" for i in range(32)}
    assert catalog.count(f"c{CHAIN - 1 - (CHAIN - 1) % 32}") == 1
    problems = [p for p in catalog.problems if "levels deep" in p.message]
    assert [p.line for p in problems] == [4 * i + 1 for i in range(32, CHAIN, 32)]
    assert all(p.file == str(deep_data / "categories.toml") for p in problems)


def test_a_catalog_built_by_hand_walks_a_deep_chain_and_a_cycle_without_recursion():
    from paperbrowse.core.records.catalog import Catalog
    from paperbrowse.core.records.schema import Category

    levels = 3 * sys.getrecursionlimit()  # unfixed, every category's descendants are kept: keep it small
    categories = {f"c{i}": Category(f"c{i}", f"C{i}", parent=f"c{i - 1}" if i else None) for i in range(levels)}
    categories["x"] = Category("x", "X", parent="y")  # a cycle nobody fixed: unreachable, not looping
    categories["y"] = Category("y", "Y", parent="x")
    catalog = Catalog([], categories)
    assert len(catalog.tree()) == levels
    assert len(catalog.descendants("c0")) == levels and catalog.descendants("x") == frozenset()


@pytest.mark.parametrize("levels", [1_000, 2_000])
def test_cycles_and_unknown_parents_in_a_long_chain_are_found_in_one_pass(tmp_path, levels):
    from paperbrowse.core.records.catalog import load_catalog

    text = chain_toml(levels).replace("# the top", f'parent = "c{levels - 1}"')  # c0's parent closes a loop
    text += '[[category]]\nid = "orphan"\nname = "Orphan"\nparent = "nowhere"\n'
    data = write_text(tmp_path / "cats.toml", text)
    catalog = load_catalog([data])
    messages = [p.message for p in catalog.problems]
    assert sum("cycle" in m for m in messages) == 1 and sum("unknown parent 'nowhere'" in m for m in messages) == 1
    assert len(catalog.tree()) == levels + 1


def test_the_browser_builds_the_tree_of_a_deep_chain(deep_data, tmp_path):
    from paperbrowse.tui.widgets.category_tree import CategoryTree

    app = make_app([deep_data], tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        tree = app.screen.query_one(CategoryTree)
        [categories] = [n for n in tree.root.children if str(n.label) == "Categories"]
        assert len(categories.children) == 1 + (CHAIN - 1) // 32  # c0, then each cut's new top
        node, depth = categories.children[0], 1
        while node.children:
            node, depth = node.children[0], depth + 1
        assert depth == 32 and node.data.key == "cat:c31"
        assert tree.select_key(f"cat:c{CHAIN - 1}")
        await settle(pilot)
        assert app.is_running

    run(app, scenario)


def test_the_tree_widget_adds_a_deep_chain_without_recursion(tmp_path):
    """The catalog cuts chains at 32 levels; the widget's own walk must not rely on it."""
    from paperbrowse.core.records.catalog import Catalog
    from paperbrowse.core.records.schema import Category
    from paperbrowse.tui.widgets.category_tree import CategoryTree

    levels = 2 * sys.getrecursionlimit()
    categories = {f"c{i}": Category(f"c{i}", f"C{i}", parent=f"c{i - 1}" if i else None) for i in range(levels)}
    tree = CategoryTree(Catalog([], categories), Library.load(tmp_path / "library.toml"))
    tree._add_categories(tree.root, None)
    node, depth = tree.root, 0
    while node.children:
        [node] = node.children
        depth += 1
    assert depth == levels and node.data.key == f"cat:c{levels - 1}"


# ---------------------------------------------------------------------------------------------
# Item 7: a field of megabytes is cut (and said so) before the quadratic LaTeX conversion.
# ---------------------------------------------------------------------------------------------


def big_entry(abstract: str, *, title: str = "A Title", author: str = "Ada Lovelace") -> str:
    """An entry whose `abstract` field starts on line 6."""
    return f"@article{{big,\n  title = {{{title}}},\n  author = {{{author}}},\n  year = {{2020}},\n  journal = {{J}},\n  abstract = {{{abstract}}}\n}}\n"


def added_records(library: Path) -> list[Path]:
    """The record files `import` wrote into the papers folder beside `library`."""
    return [p for p in (library.parent / "papers").rglob("*.toml") if p.name != "categories.toml"]


def test_import_of_a_2_mb_abstract_is_cut_and_told_and_quick(tmp_path, collection):
    from paperbrowse.core.records.latex_text import FIELD_LIMIT

    words = "Plain words of a very long abstract " * (2_000_000 // 36)
    path = tmp_path / "huge.bib"
    path.write_text(big_entry(words), encoding="utf-8")
    library = tmp_path / "me" / "library.toml"
    result = subprocess.run(
        [PAPERBROWSE, "--data", str(collection), "--library", str(library), "import", str(path)],
        capture_output=True,
        text=True,
        timeout=60,  # 49 s on the reviewer's machine before the cap; well under a second now
    )
    assert result.returncode == 0, result.stderr
    told = (
        f"{path}:6: warning: entry 'big': the abstract is {len(words.strip()):,} characters long; only the first 20,000"
    )
    assert told in result.stderr, result.stderr
    [written] = added_records(library)
    import tomllib

    summary = tomllib.loads(written.read_text(encoding="utf-8"))["paper"][0]["summary"]
    assert summary.startswith("Plain words of a very long abstract") and len(summary) <= FIELD_LIMIT
    assert summary.split()[-1] in words.split()[:7]  # cut at a space, not mid-word


def test_a_huge_latex_field_is_converted_only_up_to_the_limit():
    from paperbrowse.core.records.latex_text import FIELD_LIMIT, latex_to_text
    from paperbrowse.core.sources.bibtex_import import parse_bibtex

    latex = "M{\\\"u}ller's \\emph{method} -- $x_1$ and 50% " * (1_000_000 // 40)
    found = parse_bibtex(big_entry(latex, title="T " + latex, author='M{\\"u}ller' + "r" * 30_000), "big.bib")
    [paper] = found.papers
    assert paper.summary.startswith("Müller's method – x_1 and 50% Müller's")
    assert len(paper.summary) <= FIELD_LIMIT and paper.summary == latex_to_text(latex[:FIELD_LIMIT].rsplit(" ", 1)[0])
    told = [(p.line, p.severity, p.message.split(":")[1].split(" is ")[0].strip()) for p in found.problems]
    assert told == [(2, "warning", "the title"), (3, "warning", "the author"), (6, "warning", "the abstract")]


def test_the_fast_path_for_plain_text_gives_what_the_converter_gives():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from paperbrowse.core.records import latex_text

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60))
    def check(text: str) -> None:
        if latex_text._LATEX.search(text):
            return
        slow = " ".join(latex_text.convert(text).replace("\u00ad", "").split())
        assert latex_text.latex_to_text(text) == slow

    check()
    # A CJK compatibility ideograph: NFC maps it to its unified form on both paths.
    assert latex_text.latex_to_text("\uf900") == latex_text.convert("\uf900") == "\u8c48"


def test_latex_soft_hyphens_are_hints_not_text():
    """`\\-` becomes U+00AD in pylatexenc, which the records (now) show escaped: it is dropped."""
    from paperbrowse.core.sources.bibtex_import import parse_bibtex

    [paper] = parse_bibtex(big_entry("Self\\-attention", title="Trans\\-former soft\u00adhyphen"), "x.bib").papers
    assert (paper.title, paper.summary) == ("Transformer softhyphen", "Selfattention")


# ---------------------------------------------------------------------------------------------
# Item 12: UTF-16 and UTF-32 BibTeX (with a byte-order mark, or UTF-16 without) import; a file
# that cannot be decoded is an error naming the file and the line, never an empty success.
# ---------------------------------------------------------------------------------------------

UNICODE_BIB = '% refs\n@article{m,\n  title = {Über Modelle: 大模型},\n  author = {M{\\"u}ller, J\u00fcrgen},\n  year = {2021}\n}\n'


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom", "utf-32", "utf-32-be-bom"])
def test_a_bib_file_with_a_byte_order_mark_imports(tmp_path, codec):
    from paperbrowse.core.sources.bibtex_import import read_bibtex_file

    boms = {
        "utf-16-le-bom": ("\ufeff", "utf-16-le"),
        "utf-16-be-bom": ("\ufeff", "utf-16-be"),
        "utf-32-be-bom": ("\ufeff", "utf-32-be"),
    }
    prefix, encoding = boms.get(codec, ("", codec))
    path = tmp_path / "refs.bib"
    path.write_bytes((prefix + UNICODE_BIB).encode(encoding))
    found = read_bibtex_file(path)
    assert found.problems == []
    [paper] = found.papers
    assert paper.title == "Über Modelle: 大模型" and paper.authors == ("Jürgen Müller",)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf_16_without_a_byte_order_mark_is_recognised_with_a_warning(tmp_path, codec):
    from paperbrowse.core.sources.bibtex_import import read_bibtex_file

    path = tmp_path / "refs.bib"
    path.write_bytes(UNICODE_BIB.encode(codec))
    found = read_bibtex_file(path)
    assert [p.title for p in found.papers] == ["Über Modelle: 大模型"]
    assert [(p.line, p.severity, p.message) for p in found.problems] == [
        (1, "warning", f"no byte-order mark; read as {codec.upper()}")
    ]


def test_the_utf16_bib_of_the_issue_imports_through_the_command(tmp_path, collection):
    path = tmp_path / "refs.bib"
    path.write_bytes(UNICODE_BIB.encode("utf-16"))  # with a BOM, as Windows editors save it
    library = tmp_path / "me" / "library.toml"
    result = paperbrowse("--data", str(collection), "--library", str(library), "import", str(path))
    assert result.returncode == 0, result.stderr
    assert "Über Modelle: 大模型" in result.stdout and "1 paper added" in result.stderr
    assert "Latin-1" not in result.stderr


@pytest.mark.parametrize(
    ("raw", "line", "message"),
    [
        (
            b"\xff\xfe" + "@misc{a,\n title={x".encode("utf-16-le") + b"\x00\xd8" + "}}\n".encode("utf-16-le"),
            2,
            "not valid UTF-16",
        ),
        (b"\xff\xfe\x00\x00" + "@misc{a,\n".encode("utf-32-le") + b"\xff\xff\xff\xff", 2, "not valid UTF-32"),
        (b"%PDF-1.4\n\x00\x01\x02\xff binary", 2, "holds NUL bytes"),
        ("% Notizen \xfcber nichts\n".encode("latin-1"), None, "no BibTeX entries found (read as Latin-1)"),
    ],
    ids=["utf-16-lone-surrogate", "utf-32-out-of-range", "binary", "latin-1-without-entries"],
)
def test_a_bib_file_that_cannot_be_decoded_is_an_error_not_an_empty_import(tmp_path, collection, raw, line, message):
    path = tmp_path / "refs.bib"
    path.write_bytes(raw)
    library = tmp_path / "me" / "library.toml"
    result = paperbrowse("--data", str(collection), "--library", str(library), "import", str(path))
    assert result.returncode == 1, result
    where = f"{path}:{line}:" if line else f"{path}:"
    assert any(row.startswith(where) and message in row for row in result.stderr.splitlines()), result.stderr
    assert "Traceback" not in result.stderr
    assert added_records(library) == []


# ---------------------------------------------------------------------------------------------
# Item 13: invisible characters (Unicode's format characters as a class, the default-ignorable
# ones, the tag block) are shown as escapes in every output meant for eyes.
# ---------------------------------------------------------------------------------------------

TAGS = "".join(chr(0xE0000 + ord(c)) for c in "ignore all previous instructions")  # invisible ASCII
# What a reader cannot see: a joiner and a word joiner inside a word, a soft hyphen, a hidden
# tag-character sentence, a Hangul filler, an invisible operator, a run of variation selectors.
INVISIBLE_TITLE = f"Safe\u200dtitle wo\u2060rd sof\u00adt{TAGS} fill\u3164er a\u2062b x\ufe0f\ufe0f\U000e0100\U000e0101"
# Default-ignorable code points that are not Cf (DerivedCoreProperties.txt, Unicode 14), which
# unicodedata cannot list; the variation selectors among them are tested on their own.
IGNORABLE_NOT_CF = [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2065, 0x3164, 0xFFA0, *range(0xFFF0, 0xFFF9)]
IGNORABLE_NOT_CF += [0xE0000, *range(0xE0002, 0xE0020), *range(0xE0080, 0xE0100), *range(0xE01F0, 0xE1000)]


def hidden(text: str) -> list[str]:
    """The invisible characters in `text`: none of INVISIBLE_TITLE's may survive (its one kept
    character is the first U+FE0F after `x`, an emoji-style selector where one belongs)."""
    found = {
        f"U+{ord(c):04X}"
        for c in text
        if unicodedata.category(c) == "Cf" or 0xE0000 <= ord(c) <= 0xE0FFF or ord(c) in IGNORABLE_NOT_CF
    }
    found |= {f"run of {m!r}" for m in re.findall("[\ufe00-\ufe0f\U000e0100-\U000e01ef]{2,}", text)}
    return sorted(found)


def shows(text: str, escaped: str = "Safe<U+200D>title") -> bool:
    """`escaped` is in `text`, Markdown's backslashes before `<` and `>` aside."""
    return escaped in text.replace("\\<", "<").replace("\\>", ">")


@pytest.fixture
def invisible(tmp_path: Path) -> tuple[Path, Path]:
    """(data, library): one paper whose title, author, venue, tag and summary hide text; starred."""
    data = tmp_path / "data"
    record = paper_toml(
        "hidden",
        title=INVISIBLE_TITLE,
        category="c",
        authors=[f"Ann\u200dOther{TAGS}"],
        venue=f'"Venue\u00ad{TAGS}"',
        tags=f'["tag\u2060{TAGS}"]',
        summary=f'"Summary {INVISIBLE_TITLE}"',
    )
    write_text(data / "papers.toml", '[[category]]\nid = "c"\nname = "Cat\u200d"\n\n' + record)
    library = tmp_path / "library.toml"
    lib = Library.load(library)
    lib.star("hidden")
    lib.save()
    return data, library


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\u200db", "a<U+200D>b"),
        ("a\u2060b\u00adc", "a<U+2060>b\\xadc"),
        ("x\U000e0041\U000e0042", "x<U+E0041><U+E0042>"),
        ("\u3164\u115f", "<U+3164><U+115F>"),
        ("👩\u200d💻", "👩<U+200D>💻"),  # an emoji joiner is shown: safety first
        ("🏴\U000e0067\U000e0062\U000e007f", "🏴<U+E0067><U+E0062><U+E007F>"),  # so is a subdivision flag's tag
        ("x\ufe0f\ufe0f\ufe0f", "x\ufe0f<U+FE0F><U+FE0F>"),  # a run of selectors hides bytes
        ("a\ufe00", "a<U+FE00>"),
        ("\ufe0fstart", "<U+FE0F>start"),
        ("latin\U000e0100", "latin<U+E0100>"),
    ],
)
def test_visible_shows_invisible_characters(raw, shown):
    from paperbrowse.core.records.safe_text import one_line, visible

    assert visible(raw) == shown and one_line(raw) == shown


@pytest.mark.parametrize(
    "text",
    [
        "大模型的推理加速",  # CJK
        "می\u200cخواهم",  # Persian: the non-joiner between two letters is spelling
        "क्\u200dष and क्\u200cष",  # Devanagari: a joiner after a virama chooses the conjunct
        "❤\ufe0f 1\ufe0f\u20e3 ☺\ufe0e",  # emoji and text presentation, a keycap
        "葛\U000e0100城",  # an ideographic variation sequence
        "e\u0301 Z\u0351\u0358 👍🏽 🇨🇳",  # combining marks, a skin tone, a flag
        "\u1820\u180b",  # Mongolian with a free variation selector
    ],
)
def test_visible_keeps_the_invisible_characters_real_text_needs(text):
    from paperbrowse.core.records.safe_text import visible

    assert visible(text) == text


def test_every_format_character_and_default_ignorable_is_shown_between_latin_letters():
    """Category Cf as a class, from this Python's Unicode database, plus the ignorables."""
    from paperbrowse.core.records.safe_text import visible

    format_chars = [c for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    assert len(format_chars) > 150  # the database is there
    for code in [*format_chars, *IGNORABLE_NOT_CF]:
        shown = visible(f"a{chr(code)}b")
        assert shown == f"a<U+{code:04X}>b" or shown == f"a\\x{code:02x}b", (hex(code), shown)


def test_cli_show_list_and_search_show_invisible_characters(invisible):
    data, library = invisible
    base = ["--data", str(data), "--library", str(library)]
    for argv in (["show", "hidden"], ["list"], ["search", "safe"], ["list", "--starred"]):
        result = paperbrowse(*base, *argv, env={"COLUMNS": "400"})
        assert result.returncode == 0, result.stderr
        assert not hidden(result.stdout), (argv, hidden(result.stdout))
        assert "Safe<U+200D>title" in result.stdout, (argv, result.stdout)
    shown = paperbrowse(*base, "show", "hidden").stdout
    assert "sof\\xadt<U+E0069><U+E0067>" in shown and "fill<U+3164>er" in shown and "x\ufe0f<U+FE0F>" in shown


@pytest.mark.parametrize("fmt", ["markdown", "bibtex", "csl-json", "ris", "csv", "json"])
def test_exports_to_a_terminal_show_invisible_characters(invisible, fmt):
    from paperbrowse.cli.main import main
    from test_hardening_security import terminal

    data, library = invisible
    with terminal() as written:
        assert main(["--data", str(data), "--library", str(library), "export", "--format", fmt]) == 0
    out = written["out"].decode("utf-8")
    assert shows(out) and not hidden(out), hidden(out)


def test_markdown_and_bibtex_exports_to_a_file_show_them_and_csv_json_keep_the_exact_text(invisible, tmp_path):
    data, library = invisible
    base = ["--data", str(data), "--library", str(library), "export"]
    for fmt, name in (
        ("markdown", "r.md"),
        ("bibtex", "r.bib"),
        ("ris", "r.ris"),
        ("csl-json", "r.csl.json"),
        ("csv", "r.csv"),
        ("json", "r.json"),
    ):
        result = paperbrowse(*base, "--format", fmt, "-o", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
        text = (tmp_path / name).read_text(encoding="utf-8")
        if fmt in ("markdown", "bibtex", "ris"):  # text for eyes, LaTeX, line-based RIS: escaped, one line a field
            assert not hidden(text) and shows(text), (fmt, hidden(text))
        elif fmt == "csv":  # data for programs: exact, as SECURITY.md says (-o and pipes)
            assert INVISIBLE_TITLE in text
        else:
            assert json.loads(text)[0]["title"] == INVISIBLE_TITLE


def test_the_browser_shows_invisible_characters_in_the_list_the_details_and_the_copied_bibtex(invisible):
    from paperbrowse.tui.widgets.paper_list import PaperList
    from test_hardening_security import recording, screen_lines

    data, library = invisible
    calls: list[str] = []
    app = recording(make_app([data], library), calls)

    async def scenario(pilot) -> None:
        screen = "\n".join(screen_lines(app))
        assert not hidden(screen), hidden(screen)
        assert "Safe<U+200D>title" in screen  # in the list and in the details' title
        assert screen.count("Safe<U+200D>title") >= 3  # list row, details title, summary
        assert "Ann<U+200D>Other" in screen and "Venue\\xad" in screen
        app.screen.set_focus(app.screen.query_one(PaperList))
        await pilot.press("y")
        await settle(pilot)
        [copied] = [c.removeprefix("clipboard:") for c in calls if c.startswith("clipboard:")]
        assert not hidden(copied) and "Safe<U+200D>title" in copied

    run(app, scenario, size=(200, 60))


# ---------------------------------------------------------------------------------------------
# Item 15: a cache folder or file someone else could write is not read; a cache file that
# names anything but the cache's own classes is a miss, never code run.
# ---------------------------------------------------------------------------------------------


class _RunsCode:
    """A pickle that, when loaded, creates the file `marker`: what a planted cache file does."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def fill_cache(collection: Path, cache: Path, library: Path) -> None:
    """Run the command once so that every cache file exists (entries, buckets, snapshot, texts, words)."""
    result = paperbrowse(
        "--data",
        str(collection),
        "--library",
        str(library),
        "search",
        "attention",
        env={"PAPERBROWSE_CACHE": str(cache)},
    )
    assert result.returncode == 0, result.stderr
    assert {p.name.split("-")[0] for p in cache.iterdir() if "-" in p.name} == {"snapshot", "texts", "words", "files"}


def plant_code(cache: Path, marker: Path) -> int:
    """Replace every pickle in `cache` with one that runs code; how many were replaced."""
    import pickle

    pickles = list(cache.glob("*.pickle"))
    for path in pickles:
        path.write_bytes(pickle.dumps(_RunsCode(marker)))
    return len(pickles)


def stale_data(collection: Path) -> None:
    """Files older than the racy window, so that the first run caches them."""
    for path in collection.rglob("*.toml"):
        os.utime(path, (1_600_000_000, 1_600_000_000))


@POSIX
@AS_ROOT
@pytest.mark.parametrize("case", ["owned by another user", "others can write", "sticky /tmp-like"])
def test_a_cache_folder_that_is_not_the_users_alone_is_not_read(collection, tmp_path, case):
    stale_data(collection)
    cache, library, marker = tmp_path / "cache", tmp_path / "library.toml", tmp_path / "pwned"
    fill_cache(collection, cache, library)
    assert plant_code(cache, marker) >= 3
    if case == "owned by another user":
        os.chown(cache, OTHER, OTHER)
        why = f"it belongs to another user (uid {OTHER})"
    elif case == "others can write":
        cache.chmod(0o777)
        why = "other users can write to it (mode 777)"
    else:
        os.chown(cache, OTHER, OTHER)
        cache.chmod(0o1777)
        why = f"it belongs to another user (uid {OTHER})"
    env = {"PAPERBROWSE_CACHE": str(cache)}
    result = paperbrowse("--data", str(collection), "--library", str(library), "search", "attention", env=env)
    assert result.returncode == 0, result.stderr
    assert not marker.exists(), "a planted cache file ran code"
    assert "flash-attention" in result.stdout  # the collection, loaded without the cache
    told = [line for line in result.stderr.splitlines() if "not using the cache folder" in line]
    advice = "(make it yours alone with chmod 700, or choose another with PAPERBROWSE_CACHE)"
    assert told == [
        f"paperbrowse: warning: not using the cache folder {cache}: {why}; running without the cache {advice}"
    ]
    assert all(
        path.read_bytes().startswith(b"\x80") and b"system" in path.read_bytes() for path in cache.glob("*.pickle")
    )


@POSIX
def test_a_replaced_cache_file_in_the_users_own_folder_runs_no_code(collection, tmp_path):
    """The folder is fine, the file was swapped anyway (a restored backup, a synced folder)."""
    stale_data(collection)
    cache, library, marker = tmp_path / "cache", tmp_path / "library.toml", tmp_path / "pwned"
    fill_cache(collection, cache, library)
    plant_code(cache, marker)
    env = {"PAPERBROWSE_CACHE": str(cache)}
    for _ in range(2):  # the first run rebuilds the cache, the second reads what it wrote
        result = paperbrowse("--data", str(collection), "--library", str(library), "search", "attention", env=env)
        assert result.returncode == 0 and "flash-attention" in result.stdout, result.stderr
        assert not marker.exists(), "a planted cache file ran code"
        assert "not using the cache folder" not in result.stderr
    assert all(b"system" not in path.read_bytes() for path in cache.glob("*.pickle"))  # rebuilt


@POSIX
@AS_ROOT
def test_a_cache_file_another_user_owns_or_can_write_is_a_miss(collection, tmp_path):
    from paperbrowse.core.store.cache import load_catalog_cached

    stale_data(collection)
    cache = tmp_path / "cache"
    first = load_catalog_cached([collection], cache)
    [snapshot_file] = cache.glob("snapshot-*.pickle")
    os.chown(snapshot_file, OTHER, OTHER)
    again = load_catalog_cached([collection], cache)
    assert "texts" not in again.derived  # not read back from the snapshot: built again
    assert snapshot_file.stat().st_uid == os.geteuid()  # and replaced by the user's own
    snapshot_file.chmod(0o666)
    assert "texts" not in load_catalog_cached([collection], cache).derived
    assert "texts" in load_catalog_cached([collection], cache).derived  # the rewritten one is trusted
    assert [p.id for p in again.papers] == [p.id for p in first.papers]


@POSIX
@pytest.mark.parametrize("umask", [0o002, 0o022, 0o077])
def test_cache_files_are_private_whatever_the_umask_and_are_read_back(collection, tmp_path, umask):
    from paperbrowse.core.search.engine import SearchIndex
    from paperbrowse.core.store.cache import load_catalog_cached
    from paperbrowse.core.store.kept_search import prepare_layout, prepare_search

    stale_data(collection)
    cache = tmp_path / "cache"
    old = os.umask(umask)
    try:
        first = SearchIndex(load_catalog_cached([collection], cache))
        prepare_search(first)
        prepare_layout(first)
    finally:
        os.umask(old)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700 & ~umask
    modes = {path.name.split("-")[0]: stat.S_IMODE(path.stat().st_mode) for path in cache.iterdir()}
    assert "layout" in modes and set(modes.values()) == {0o600}, modes
    catalog = load_catalog_cached([collection], cache)
    assert "texts" in catalog.derived  # read back from the snapshot, not built again
    index = SearchIndex(catalog)
    prepare_search(index)
    assert index.search("attention", Library.load(tmp_path / "l.toml")).hits


def test_the_cache_reads_back_dates_times_and_nested_tables_it_stored(tmp_path):
    from paperbrowse.core.store.cache import load_catalog_cached

    data = tmp_path / "data"
    extra = (
        'when = 1979-05-27T07:32:00\nday = 1979-05-27\nat = 07:32:00\nnested = { a = [1, 2.5, true, { b = "x" }] }\n'
    )
    write_text(data / "p.toml", '[[category]]\nid = "c"\nname = "C"\n\n' + paper_toml("p", category="c") + extra)
    stale_data(data)
    cache = tmp_path / "cache"
    first = load_catalog_cached([data], cache)
    second = load_catalog_cached([data], cache)
    assert "texts" in second.derived
    assert dict(second.papers[0].extra) == dict(first.papers[0].extra) and len(first.papers[0].extra) == 4


def test_the_restricted_unpickler_refuses_anything_but_the_caches_own_classes(tmp_path):
    import pickle

    from paperbrowse.core.store import trust

    path = tmp_path / "x.pickle"
    for payload in (_RunsCode(tmp_path / "pwned"), {"f": print}, [Path("/")], {"a": __import__("builtins").eval}):
        path.write_bytes(pickle.dumps(payload))
        with pytest.raises(trust.UntrustedCache):
            trust.load(path)
    assert not (tmp_path / "pwned").exists()
    import datetime as dt
    from array import array
    from collections import Counter

    kept = (Counter("aab"), array("Q", [1, 2]), dt.datetime(2020, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=2))))
    path.write_bytes(pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))
    assert trust.load(path) == kept
