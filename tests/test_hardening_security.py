"""Hardening against hostile record text: it never controls the terminal, never runs an action,
never opens a link other than http(s), and never breaks out of its place in an export.

Record text (titles, authors, organisations, venues, tags, summaries, category names) is
untrusted, and so is what reaches the screen from the library file (notes, your tags, ids).
The checks look at what the terminal would receive: the text of every segment Textual renders
(styles are applied separately, so an ESC there can only have come from the text), and the bytes
the command line writes to a terminal.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import bibtexparser
import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.widgets import Input, TextArea

from paperbrowse.cli.main import main
from paperbrowse.core.export import ExportItem
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.catalog import Catalog, load_catalog
from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.schema import Category, Paper, check_link, is_web_link
from paperbrowse.tui.screens.main import MainScreen
from paperbrowse.tui.screens.problems import ProblemsScreen
from paperbrowse.tui.widgets.category_tree import CategoryTree
from paperbrowse.tui.widgets.detail_pane import DetailPane
from paperbrowse.tui.widgets.paper_list import PaperList
from test_hardening_input import check_round_trip
from tui_support import make_app, opened, run, settle

# Markup Rich/Textual would act on, escape sequences a terminal would act on, bidi overrides.
MARKUP = "[b]bold[/b] [link=file:///etc/passwd]pw[/link] [@click=app.quit]quit[/] [on red]x[/]"
ESCAPES = (
    "\x1b[31mred\x1b[0m \x1b]0;pwned\x07 \x1b]52;c;cHduZWQ=\x07 \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ "
    "\x9b2J \x9d0;c1\x9c \x90dcs\x9c \x08\x08 \r\x0b\x0c \x00"
)
BIDI = "\u202eevil\u202c \u2066iso\u2069 \u200f\u061c"
HOSTILE = f"{MARKUP} {ESCAPES} {BIDI}"
# What must never reach a terminal as a character: C0 (but newline and tab) and C1 controls,
# DEL, bidi embeddings, overrides and isolates, directional marks, line/paragraph separators.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]")


def unsafe(text: str) -> list[str]:
    return sorted(set(UNSAFE.findall(text)))


# ---------------------------------------------------------------------------------------------
# A hostile collection and library.
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    """(data folder, library file): every text field hostile, plus a bad record and an orphan."""
    data = tmp_path / "data"
    data.mkdir()
    fields = dict.fromkeys(("title", "venue", "summary", "summary_zh", "highlight", "highlight_zh"), HOSTILE)
    document = {
        "category": [{"id": "evil", "name": f"Cat {HOSTILE}"}],
        "paper": [
            {
                "id": "evil",
                **fields,
                "authors": [HOSTILE, "Ann Other"],
                "orgs": [HOSTILE],
                "tags": [HOSTILE, "x"],
                "date": "2024-01",
                "category": "evil",
                "url": "https://example.org/evil",
            },
            {
                "id": "plain",
                "title": "A plain paper about evil",
                "authors": ["B"],
                "date": "2023-01",
                "category": "evil",
                "tags": ["x"],
            },
            {"id": "bad\x1b]0;t\x07", "title": HOSTILE, f"unknown{ESCAPES}": 1},
        ],
    }
    (data / "papers.toml").write_text(tomli_w.dumps(document), encoding="utf-8")
    library = tmp_path / "library.toml"
    lib = Library.load(library)
    lib.set_note("evil", f"My note {HOSTILE}\n\nsecond paragraph {ESCAPES}")
    lib.set_tags("evil", [f"mine {HOSTILE}"])
    lib.star("evil")
    lib.set_note(f"gone{ESCAPES}", "an orphan entry with a hostile id")
    lib.save()
    return data, library


def recording(app, calls: list[str]):
    app.open_url = lambda url, **_: calls.append(url)
    app.open_target = lambda target, command=None: opened(calls, target)
    app.copy_to_clipboard = lambda text: calls.append(f"clipboard:{text}")
    return app


def screen_segments(app) -> list[list]:
    return [list(strip) for strip in app.screen._compositor.render_strips()]


def screen_lines(app) -> list[str]:
    return ["".join(seg.text for seg in strip) for strip in screen_segments(app)]


# The app's own actions: a link to another paper (a number), and a link in the note's Markdown,
# whose click MainScreen checks before opening anything (test_markdown_links_in_notes_...).
APP_ACTIONS = re.compile(r"^screen\.follow_link\(\d+\)$|^link\('[^']*'\)$")


def check_screen(app, where: str) -> str:
    """Nothing on screen can act: no control character in any rendered text, no hyperlink
    style (written as OSC 8), no click action but the app's own. Returns the screen's text."""
    for y, strip in enumerate(screen_segments(app)):
        for segment in strip:
            assert not unsafe(segment.text), (where, y, segment.text)
            style = segment.style
            if style is None:
                continue
            assert not style.link, (where, y, segment.text, style.link)
            action = (style.meta or {}).get("@click")
            assert action is None or APP_ACTIONS.match(action), (where, y, segment.text, action)
    return "\n".join(screen_lines(app))


def find_on_screen(app, needle: str) -> list[tuple[int, int]]:
    """Screen (x, y) cells where `needle` starts, for clicking."""
    found = []
    for y, line in enumerate(screen_lines(app)):
        start = line.find(needle)
        while start >= 0:
            found.append((cell_len(line[:start]), y))
            start = line.find(needle, start + 1)
    return found


# ---------------------------------------------------------------------------------------------
# The browser shows it literally and it never acts.
# ---------------------------------------------------------------------------------------------


def test_tui_shows_hostile_text_literally_on_every_screen(hostile):
    data, library = hostile
    calls: list[str] = []
    app = recording(make_app([data], library), calls)

    async def scenario(pilot) -> None:
        main_text = check_screen(app, "main")
        for literal in (
            "[b]bold[/b]",
            "[link=file:///etc/passwd]pw[/link]",
            "[@click=app.quit]quit[/]",
            "\\e[31mred",
            "\\e]0;pwned\\a",
            "\\e]52;c;cHduZWQ=\\a",
            "<U+202E>evil",
            "\\x9b2J",
        ):
            assert literal in main_text, literal
        assert main_text.count("[@click=app.quit]") >= 5  # list row, title, authors, orgs, summary, note...
        # The tree with every tag shown.
        tree = app.screen.query_one(CategoryTree)
        for node in tree.root.children:
            node.expand()
        await settle(pilot)
        assert "#[b]bold[/b]" in check_screen(app, "tags expanded")
        # The problems screen: the bad record's id and unknown key, made visible.
        await pilot.press("exclamation_mark")
        await settle(pilot)
        problems = check_screen(app, "problems")
        assert "unknown" in problems and "\\e]0;t\\a" in problems
        await pilot.press("escape")
        await settle(pilot)
        # `y` copies BibTeX through OSC 52: the text handed over is inert and one entry.
        app.screen.set_focus(app.screen.query_one(PaperList))
        await pilot.press("y")
        await settle(pilot)
        [copied] = [c.removeprefix("clipboard:") for c in calls if c.startswith("clipboard:")]
        assert not unsafe(copied)
        assert len(bibtexparser.parse_string(copied).entries) == 1
        assert app.is_running

    run(app, scenario, size=(160, 60))


def test_tui_clicking_on_click_markup_runs_nothing(hostile):
    """`[@click=app.quit]` is text: clicked everywhere it shows (list, details, tree, note)."""
    data, library = hostile
    calls: list[str] = []
    app = recording(make_app([data], library), calls)

    async def scenario(pilot) -> None:
        places = find_on_screen(app, "[@click=app.quit]")
        assert len(places) >= 5, screen_lines(app)
        for x, y in places:
            await pilot.click(offset=(x + 3, y))  # on "click"
            await settle(pilot)
            assert app.is_running and app.return_code is None, (x, y)
            assert isinstance(app.screen, MainScreen)
        for x, y in find_on_screen(app, "[link=file:///etc/passwd]"):
            await pilot.click(offset=(x + 8, y))
        await settle(pilot)
        assert app.is_running and calls == []

    run(app, scenario, size=(160, 60))


def test_tui_note_editor_shows_control_characters_visibly(hostile):
    data, library = hostile
    app = make_app([data], library)

    async def scenario(pilot) -> None:
        assert app.screen.query_one(PaperList).current.id == "evil"
        await pilot.press("n")
        await settle(pilot)
        check_screen(app, "note editor")

    run(app, scenario, size=(160, 50))


def test_tui_tags_dialog_shows_control_characters_visibly(hostile):
    data, library = hostile
    app = make_app([data], library)

    async def scenario(pilot) -> None:
        await pilot.press("t")
        await settle(pilot)
        check_screen(app, "tags dialog")

    run(app, scenario, size=(160, 50))


def test_tui_note_editor_shows_the_escaped_forms_not_nothing(hostile):
    """Made visible, not deleted: the editor shows `\\e]0;pwned\\a` and `<U+202E>`, so the user
    sees what the note holds (a mutant that strips control characters passes the test above)."""
    data, library = hostile
    app = make_app([data], library)

    async def scenario(pilot) -> None:
        await pilot.press("n")
        await settle(pilot)
        text = app.screen.query_one(TextArea).text
        for shown in ("\\e[31mred\\e[0m", "\\e]0;pwned\\a", "\\e]52;c;cHduZWQ=\\a", "<U+202E>evil<U+202C>", "\\x9b2J"):
            assert shown in text, shown
        assert text.startswith("My note [b]bold[/b] [link=file:///etc/passwd]pw[/link]")
        assert "second paragraph \\e[31mred" in text

    run(app, scenario, size=(160, 50))


def test_tui_tags_dialog_shows_the_escaped_forms_not_nothing(hostile):
    data, library = hostile
    app = make_app([data], library)

    async def scenario(pilot) -> None:
        await pilot.press("t")
        await settle(pilot)
        value = app.screen.query_one("#tags-input", Input).value
        for shown in ("[@click=app.quit]quit[/]", "\\e]0;pwned\\a", "<U+202E>evil<U+202C>", "\\x9b2J"):
            assert shown in value, shown
        assert not unsafe(value)

    run(app, scenario, size=(160, 50))


def test_tui_problems_screen_shows_markup_in_a_problem_literally(tmp_path):
    """A problem quotes what the file says (a category, an id): it is text, never markup."""
    data = tmp_path / "data"
    data.mkdir()
    category = "[@click=app.quit]x[/] [b]bold[/b]"
    document = {
        "paper": [
            {"id": "fine", "title": "Fine", "authors": ["A"], "date": "2023", "category": category},
            {"id": "[link=file:///etc/passwd]pw[/link]", "title": "T", "authors": ["A"], "date": "2023"},
        ]
    }
    (data / "papers.toml").write_text(tomli_w.dumps(document), encoding="utf-8")
    app = make_app([data], tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        text = check_screen(app, "problems")
        assert category in text
        assert "[link=file:///etc/passwd]pw[/link]" in text
        for x, y in find_on_screen(app, "[@click=app.quit]"):
            await pilot.click(offset=(x + 3, y))
            await settle(pilot)
        assert app.is_running and app.return_code is None

    run(app, scenario, size=(160, 40))


def test_tui_read_only_banner_and_notice_show_the_error_inertly(tmp_path, collection):
    library = tmp_path / "library.toml"
    library.write_text('[papers]\n"\\u001b]0;pwned\\u0007" = 5\n', encoding="utf-8")
    app = make_app([collection], library)

    async def scenario(pilot) -> None:
        assert app.session.library.read_only
        await pilot.press("s")  # refused, with a notification quoting the error
        await settle(pilot)
        check_screen(app, "read-only")

    run(app, scenario, size=(160, 40))


# --- links ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "arxiv", "opened"),
    [
        ("https://example.org/a%20b?q=1#frag", "", "https://example.org/a%20b?q=1#frag"),
        ("HTTP://EXAMPLE.ORG/x", "", "HTTP://EXAMPLE.ORG/x"),
        ("", "2302.13971", "https://arxiv.org/abs/2302.13971"),
        ("", "", None),
    ],
    ids=["https", "upper-case-http", "arxiv-only", "no-link"],
)
def test_o_opens_only_http_links(tmp_path, url, arxiv, opened):
    paper = {"id": "p", "title": "T", "authors": ["A"], "date": "2023", "category": "c"}
    paper.update({k: v for k, v in (("url", url), ("arxiv", arxiv)) if v})
    (tmp_path / "p.toml").write_text(tomli_w.dumps({"category": [{"id": "c", "name": "C"}], "paper": [paper]}))
    calls: list[str] = []
    app = recording(make_app([tmp_path / "p.toml"], tmp_path / "library.toml"), calls)

    async def scenario(pilot) -> None:
        await pilot.press("o")
        await settle(pilot)
        assert calls == ([opened] if opened else [])
        if opened is None:
            assert any("no http(s) link" in n.message for n in app._notifications)

    run(app, scenario)


BAD_LINKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "\x00javascript:alert(1)",
    "file:///etc/passwd",
    "FILE:///etc/passwd",
    "data:text/html,<script>x</script>",
    "vbscript:msgbox(1)",
    "ftp://example.org/x",
    "mailto:a@example.org",
    "ssh://example.org",
    "//evil.example/x",
    "https:evil.example",
    "http://",
    "https://exa mple.org",
    "https://example.org/\x1b]8;;x",
    "https://example.org/\x85",
    'https://example.org/"onmouseover=x',
    "\\\\evil\\share",
    "C:\\Windows\\x",
    "/etc/passwd",
    "../../etc/passwd",
]


@pytest.mark.parametrize("field", ["url", "code", "pdf"])
@pytest.mark.parametrize("link", BAD_LINKS)
def test_the_loader_rejects_links_that_are_not_http(tmp_path, field, link):
    paper = {"id": "p", "title": "T", "authors": ["A"], "date": "2023", "category": "c", field: link}
    text = tomli_w.dumps({"category": [{"id": "c", "name": "C"}], "paper": [paper]})
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    catalog = load_catalog([path])
    assert "p" not in catalog.by_id, (field, link)
    [problem] = catalog.errors
    line = next(n for n, row in enumerate(text.split("\n"), 1) if row.startswith(f"{field} ="))
    assert (problem.file, problem.line) == (str(path), line)
    assert f"link in '{field}'" in problem.message and "record skipped" in problem.message


@settings(max_examples=300, deadline=None)
@given(
    link=st.one_of(
        st.text(max_size=40),
        st.tuples(
            st.sampled_from(["http", "https", "HTTPS", "javascript", "file", "data", "", "ftp", "h\ttp", " https"]),
            st.sampled_from([":", "://", ":/", "://\\", ":\\\\"]),
            st.text(max_size=25),
        ).map("".join),
    )
)
def test_any_link_the_loader_accepts_is_a_plain_web_link(link):
    try:
        check_link(link)
        check_link(link, allow_relative=True)
    except ValueError:  # urlsplit's "Invalid IPv6 URL": test_a_bracket_in_a_link_host_...
        return
    if check_link(link) is None:
        assert is_web_link(link)
        assert link.split(":", 1)[0].lower() in ("http", "https")
        assert not re.search(r"[\x00-\x20\x7f-\x9f<>\"\\`{}|^]", link), repr(link)
    if check_link(link, allow_relative=True) is None and not is_web_link(link):  # a pdf path
        assert not link.startswith(("/", "\\")) and ".." not in link.replace("\\", "/").split("/")
        assert ":" not in link.split("/")[0] or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", link), repr(link)


URLSPLIT_BUG = (
    "BUG: core/records.py check_link (and is_web_link): urllib.parse.urlsplit raises ValueError "
    "('Invalid IPv6 URL') for a host with an unbalanced bracket ('https://[oops', 'http://]x'), "
    "and nothing catches it: one record with such a `url`, `code` or `pdf` makes paper_from_table "
    "raise out of loader.parse_text, so load_catalog fails and every command and the browser die "
    "with a traceback (the other records never load); clicking such a link in a note crashes the "
    "browser (MainScreen._note_link). Fix: in check_link/is_web_link, catch ValueError from "
    "urlsplit and treat the link as bad ('is not a valid URL')."
)


@pytest.mark.parametrize("field", ["url", "code", "pdf"])
@pytest.mark.parametrize("link", ["https://[oops", "http://]x/", "https://[::1/"])
def test_a_bracket_in_a_link_host_is_a_problem_not_a_crash(tmp_path, capsys, field, link):
    good = {"id": "good", "title": "Good", "authors": ["A"], "date": "2023", "category": "c"}
    bad = {**good, "id": "bad", field: link}
    text = tomli_w.dumps({"category": [{"id": "c", "name": "C"}], "paper": [good, bad]})
    (tmp_path / "p.toml").write_text(text, encoding="utf-8")
    catalog = load_catalog([tmp_path])
    assert "good" in catalog.by_id and "bad" not in catalog.by_id
    [problem] = catalog.errors
    assert f"link in '{field}'" in problem.message and problem.line is not None
    assert main(["--data", str(tmp_path), "validate"]) == 1


def test_clicking_a_note_link_with_a_bracket_in_its_host_does_not_crash(tmp_path):
    paper = {"id": "p", "title": "T", "authors": ["A"], "date": "2023", "category": "c"}
    (tmp_path / "p.toml").write_text(tomli_w.dumps({"category": [{"id": "c", "name": "C"}], "paper": [paper]}))
    library = tmp_path / "library.toml"
    lib = Library.load(library)
    lib.set_note("p", "see [BADLINK](https://[oops) here")
    lib.save()
    calls: list[str] = []
    app = recording(make_app([tmp_path / "p.toml"], library), calls)

    async def scenario(pilot) -> None:
        [(x, y)] = find_on_screen(app, "BADLINK")
        await pilot.click(offset=(x + 2, y))
        await settle(pilot)
        assert app.is_running and calls == []

    run(app, scenario)


NOTE_WITH_LINKS = """Links in my note:

[OKLINK](https://example.org/ok) [FTPLINK](ftp://example.org/f) [MAILLINK](mailto:a@example.org)

[RELLINK](../../etc/passwd) [JSLINK](javascript:alert(1)) [FILELINK](file:///etc/passwd)

[DATALINK](data:text/html,x) [SSHLINK](ssh://example.org) <file:///etc/passwd>
"""


def test_markdown_links_in_notes_open_only_when_http(tmp_path):
    paper = {"id": "linky", "title": "Linky", "authors": ["A"], "date": "2023", "category": "c"}
    (tmp_path / "p.toml").write_text(tomli_w.dumps({"category": [{"id": "c", "name": "C"}], "paper": [paper]}))
    library = tmp_path / "library.toml"
    lib = Library.load(library)
    lib.set_note("linky", NOTE_WITH_LINKS)
    lib.save()
    calls: list[str] = []
    app = recording(make_app([tmp_path / "p.toml"], library), calls)

    async def scenario(pilot) -> None:
        check_screen(app, "note with links")
        clicked = []
        for label in ("FTPLINK", "MAILLINK", "RELLINK", "JSLINK", "FILELINK", "DATALINK", "SSHLINK", "OKLINK"):
            places = find_on_screen(app, label)
            assert places, (label, screen_lines(app))
            x, y = places[0]
            await pilot.click(offset=(x + 2, y))
            await settle(pilot)
            clicked.append(label)
            if label != "OKLINK":
                assert calls == [], (label, calls)
        assert calls == ["https://example.org/ok"]
        refused = [n.message for n in app._notifications if n.message.startswith("Not opening")]
        assert refused and all("only http(s) links open" in m for m in refused)
        assert app.is_running

    run(app, scenario, size=(120, 40))


# ---------------------------------------------------------------------------------------------
# The command line: nothing raw on a terminal.
# ---------------------------------------------------------------------------------------------


class _TerminalBytes(io.BytesIO):
    def isatty(self) -> bool:
        return True


@contextmanager
def terminal(*, tty: bool = True, stdout_errors: str = "strict") -> Iterator[dict[str, bytes]]:
    """sys.stdout and sys.stderr as a UTF-8 terminal (or a pipe) would take them; yields a dict
    filled with the bytes written when the block ends."""
    kind = _TerminalBytes if tty else io.BytesIO
    out_bytes, err_bytes = kind(), kind()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors=stdout_errors, write_through=True)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="backslashreplace", write_through=True)
    saved = sys.stdout, sys.stderr
    written: dict[str, bytes] = {}
    sys.stdout, sys.stderr = out, err
    try:
        yield written
    finally:
        out.flush()
        err.flush()
        sys.stdout, sys.stderr = saved
        written["out"], written["err"] = out_bytes.getvalue(), err_bytes.getvalue()


COMMANDS = [
    ["list"],
    ["list", "--starred"],
    ["list", "--json"],
    ["search", "bold"],
    ["search", "evil", "--json"],
    ["search", "x", "--limit", "5"],
    ["show", "evil"],
    ["show", "evil", "--json"],
    ["show", "plain"],
    ["validate"],
    ["validate", "--strict"],
    ["tag", "evil", "+new"],
    ["library", "orphans"],
    ["export"],
    ["export", "--format", "bibtex"],
    ["export", "--format", "csv"],
    ["export", "--format", "json"],
    ["export", "evil", "--format", "markdown"],
    ["star", "nosuch\x1b[31m"],
    ["search", "cat:\x1b]0;x\x07"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda argv: " ".join(argv).encode("unicode_escape").decode())
def test_cli_output_to_a_terminal_is_inert(hostile, argv):
    data, library = hostile
    with terminal() as written:
        code = main(["--data", str(data), "--library", str(library), *argv])
    out, err = written["out"].decode("utf-8"), written["err"].decode("utf-8")
    assert code in (0, 1), (code, err)
    assert out or err
    assert not unsafe(out), unsafe(out)
    assert not unsafe(err), unsafe(err)


def test_cli_note_print_to_a_terminal_is_inert(hostile):
    data, library = hostile
    with terminal() as written:
        assert main(["--data", str(data), "--library", str(library), "note", "evil", "--print"]) == 0
    assert not unsafe(written["out"].decode("utf-8"))


def test_cli_note_print_to_a_pipe_is_exact(hostile):
    data, library = hostile
    with terminal(tty=False) as written:
        assert main(["--data", str(data), "--library", str(library), "note", "evil", "--print"]) == 0
    assert written["out"].decode("utf-8") == Library.load(library).note("evil") + "\n"


@pytest.mark.parametrize("argv", [["list"], ["star", "llama"]])
def test_cli_library_errors_on_a_terminal_are_inert(tmp_path, collection, argv):
    library = tmp_path / "library.toml"
    library.write_text('[papers]\n"\\u001b]0;pwned\\u0007" = 5\n', encoding="utf-8")
    with terminal() as written:
        main(["--data", str(collection), "--library", str(library), *argv])
    err = written["err"].decode("utf-8")
    assert "library" in err and not unsafe(err), err


def test_cli_export_hints_on_a_terminal_are_inert(hostile):
    data, library = hostile
    with terminal() as written:
        assert main(["--data", str(data), "--library", str(library), "export", "cat:\x1b[31mzz"]) == 0
    err = written["err"].decode("utf-8")
    assert "unknown category" in err and not unsafe(err), err


def test_cli_export_to_a_pipe_is_the_exact_export(hostile):
    """README: export writes to stdout for scripts: to a pipe the bytes are the export itself,
    so hostile text round-trips; only a terminal gets the visible form."""
    data, library = hostile
    for fmt in ("csv", "json", "bibtex", "markdown"):
        with terminal(tty=False) as piped:
            assert main(["--data", str(data), "--library", str(library), "export", "--format", fmt]) == 0
        with terminal() as shown:
            assert main(["--data", str(data), "--library", str(library), "export", "--format", fmt]) == 0
        if fmt in ("csv", "json"):
            assert HOSTILE.replace("\r", "").split()[0] in piped["out"].decode("utf-8")
        if fmt == "csv":
            assert "\x1b[31m" in piped["out"].decode("utf-8")  # exact text, for the spreadsheet
        assert not unsafe(shown["out"].decode("utf-8"))


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file names must be UTF-8")
@pytest.mark.parametrize("argv", [["validate"], ["library", "path"]])
def test_cli_non_utf8_paths_print_without_a_traceback(tmp_path, argv):
    folder = os.fsencode(tmp_path)
    (tmp_path / "cats.toml").write_text('[[category]]\nid = "c"\nname = "C"\n')
    with open(os.path.join(folder, b"bad\xff.toml"), "wb") as handle:
        handle.write(b"[[paper]]\nid = \n")
    library = os.fsdecode(os.path.join(folder, b"lib\xff.toml"))
    with terminal() as written:
        code = main(["--data", str(tmp_path), "--library", library, *argv])
    assert code in (0, 1)
    assert b"bad" in written["out"] or b"lib" in written["out"]


# ---------------------------------------------------------------------------------------------
# Record text that tries to steer the browser's own queries.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ['x"', 'say "hi"'])
def test_a_tag_node_lists_exactly_the_papers_with_that_tag(tmp_path, tag):
    base = {"authors": ["A"], "date": "2023", "category": "c"}
    papers = [
        {**base, "id": "quoted", "title": "Quoted", "tags": [tag]},
        {**base, "id": "plain-x", "title": "Plain x", "tags": ["x", "say"]},
    ]
    (tmp_path / "p.toml").write_text(tomli_w.dumps({"category": [{"id": "c", "name": "C"}], "paper": papers}))
    app = make_app([tmp_path / "p.toml"], tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        tree = app.screen.query_one(CategoryTree)
        for node in tree.root.children:  # open the Tags branch first
            node.expand()
        await settle(pilot)
        assert tree.select_key(f"tag:{tag.lower()}")
        await settle(pilot)
        assert tree.cursor_node.data.key == f"tag:{tag.lower()}"
        shown = [p.id for p in app.screen.query_one(PaperList).papers]
        assert shown == ["quoted"], shown

    run(app, scenario)


def test_related_paper_links_carry_only_a_number(hostile):
    """A click on a related paper's title runs `screen.follow_link(N)`: no record text in it."""
    data, library = hostile
    app = make_app([data], library)

    async def scenario(pilot) -> None:
        detail = app.screen.query_one(DetailPane)
        for _ in range(20):
            await settle(pilot)
            if detail.links:
                break
            await pilot.pause(0.05)
        assert detail.links == {1: "plain"}
        [(x, y)] = find_on_screen(app, "A plain paper about evil")
        await pilot.click(offset=(x + 1, y))
        await settle(pilot)
        assert app.screen.query_one(PaperList).current.id == "plain"

    run(app, scenario, size=(160, 60))


# ---------------------------------------------------------------------------------------------
# Exports: no field breaks out of its BibTeX field, CSV cell or Markdown line.
# ---------------------------------------------------------------------------------------------

BREAKOUTS = st.sampled_from(
    [
        "}",
        "{",
        "}}",
        "{{",
        "},\n  title = {pwned",
        "}\n@misc{evil, title={x}}\n",
        "@comment{",
        "@string{a=b}",
        '"',
        '",',
        "\\",
        "\\}",
        "%",
        "&",
        "#",
        "$",
        "_",
        "^",
        "~",
        " and ",
        " AND ",
        "others",
        ",",
        ", ,",
        "\n",
        "\r\n",
        "\r",
        "\t",
        "\x00",
        "\x1b[31m",
        "\u202e",
        "\u2028",
        "=SUM(A1)",
        "+1",
        "-1",
        "@x",
        "\t=1",
        '"=1"',
        ";",
        "; ",
        "\n# Heading",
        "\n- item",
        "\n> quote",
        "\n---",
        "\n```",
        "`code`",
        "*",
        "**",
        "_",
        "[x](javascript:x)",
        "<script>",
        "<!--",
        "|",
        "![i](http://x/i.png)",
        "\\*",
        "1. ",
        "\n1. item",
        "[^1]",
        "&amp;",
        "中文",
        "😀",
        "\u0301",
    ]
)
BREAKOUT_TEXT = st.lists(st.one_of(BREAKOUTS, st.characters(exclude_categories=["Cs"])), max_size=12).map("".join)


@settings(max_examples=200, deadline=None)
@given(
    papers=st.lists(st.tuples(*[BREAKOUT_TEXT] * 6), min_size=1, max_size=4),
    notes=st.lists(BREAKOUT_TEXT, min_size=4, max_size=4),
    tags=st.lists(BREAKOUT_TEXT, max_size=3),
)
def test_no_field_breaks_out_of_its_export_structure(papers, notes, tags):
    made = []
    for index, (title, author, org, venue, tag, summary) in enumerate(papers):
        made.append(
            Paper(
                id=f"p{index}",
                title=title,
                authors=(author, "Second Author"),
                date=PaperDate(2023, 7),
                category="c" if index % 2 else "d",
                orgs=(org,),
                venue=venue,
                arxiv="2302.13971",
                url="https://example.org/x",
                tags=(tag,),
                summary=summary,
            )
        )
    items = [ExportItem(p, note=notes[i], user_tags=tuple(tags), status="read") for i, p in enumerate(made)]
    catalog = Catalog(made, {"c": Category("c", "C [x](javascript:y)"), "d": Category("d", "D\n# h", parent="c")})
    check_round_trip(items, catalog)
