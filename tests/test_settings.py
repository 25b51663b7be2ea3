"""config.toml: every setting, broken lines (file, line, key; the rest still applies), key
bindings and their clashes, the choices the browser remembers, and the CLI's `config`."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest
from textual.widgets import Static

from paperbrowse.cli.config_command import example_text
from paperbrowse.cli.main import main
from paperbrowse.core.files.paths import shipped
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.core.settings import remembered
from paperbrowse.core.settings.config_file import Settings, config_path, editor_command, load_settings
from paperbrowse.tui.app import PaperBrowseApp
from paperbrowse.tui.keymap import is_key, keymap
from paperbrowse.tui.screens.export_dialog import ExportDialog
from paperbrowse.tui.session import Session
from tui_support import notes, run, settle


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_is_no_problem(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "absent.toml") == (Settings(), [])


def test_every_setting_of_the_example_is_read(tmp_path: Path) -> None:
    """The example documents every setting: uncommented, it sets each one and raises nothing."""
    text = re.sub(r"(?m)^# ((?:[a-z_]+|\"[a-z_.0-9]+\") = )", r"\1", example_text())
    settings, problems = load_settings(write(tmp_path, text))
    assert problems == []
    defaults = Settings()
    for name in Settings.__slots__:
        if name != "file":
            assert getattr(settings, name) != getattr(defaults, name), name
    assert settings.editor == ("code", "--wait") and settings.pdf_viewer == ("zathura",)
    assert settings.export_folder == str(Path("~/Documents/reading").expanduser())
    assert keymap(settings)[1] == []  # the default keys, as the example lists them, clash with nothing


def test_each_wrong_line_is_named_and_the_rest_applies(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'theme = "nord"\n'
        "language = 3\n"
        'colour = "red"\n'
        "[export]\n"
        'format = "docx"\n'
        'folder = "~/out"\n'
        "[open]\n"
        "command = []\n"
        'pdf = "zathura --fork"\n'
        'pdf_viewer = "x"\n',
    )
    settings, problems = load_settings(path)
    assert [str(problem) for problem in problems] == [
        f"{path}:2: language: must be a string, not int; the default is used",
        f"{path}:3: colour: is not a setting (known: theme, language, editor); the default is used",
        f"{path}:5: export.format: 'docx' is not one of markdown, bibtex, csl-json, ris, csv, json; the default is used",
        f"{path}:8: open.command: names no command; the default is used",
        f"{path}:10: open.pdf_viewer: is not a setting (known: command, pdf); the default is used",
    ]
    assert settings.theme == "nord" and settings.pdf_viewer == ("zathura", "--fork")
    assert settings.export_format == "markdown" and settings.export_folder == str(Path.home() / "out")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'theme = "nord"\nlanguage = \n', ":2: "),
        (b"\xff\xfe", "is not UTF-8"),
        (b"# " + b"x" * (1 << 20) + b"\n", "larger than 1 MB"),
        (b"[export]\nformat = 1\n[export]\n", ":3: "),
    ],
)
def test_a_file_that_is_not_a_settings_file_is_one_problem_and_every_default(
    tmp_path: Path, raw: bytes, message: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(raw)
    settings, [problem] = load_settings(path)
    assert settings == Settings() and message in str(problem) and str(path) in str(problem)


def test_a_section_that_is_not_a_table(tmp_path: Path) -> None:
    path = write(tmp_path, 'export = "bibtex"\nkeys = 1\n')
    _, problems = load_settings(path)
    assert [str(p) for p in problems] == [
        f"{path}:1: export: must be a table ([name]); the default is used",
        f"{path}:2: keys: must be a table ([keys]); the default is used",
    ]


def test_the_editor_comes_from_the_file_then_the_environment() -> None:
    assert editor_command(Settings(editor=("nvim", "-u", "NONE")), {"EDITOR": "nano"}) == ("nvim", "-u", "NONE")
    assert editor_command(Settings(), {"VISUAL": "code --wait", "EDITOR": "nano"}) == ("code", "--wait")
    assert editor_command(Settings(), {}) == ("vi",)


def test_config_path_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_path() == tmp_path / "xdg" / "paperbrowse" / "config.toml"
    monkeypatch.setenv("PAPERBROWSE_CONFIG", str(tmp_path / "mine.toml"))
    assert config_path() == tmp_path / "mine.toml"


# --- keys ---------------------------------------------------------------------------------------


def keys_of(tmp_path: Path, text: str) -> tuple[dict[str, str], list[str]]:
    settings, problems = load_settings(write(tmp_path, "[keys]\n" + text))
    assert problems == []
    mapping, wrong = keymap(settings)
    return mapping, [str(problem).split(":", 1)[1] for problem in wrong]


def test_keys_move_and_clashes_are_refused_with_their_line(tmp_path: Path) -> None:
    mapping, wrong = keys_of(
        tmp_path,
        '"screen.star" = "ctrl+t"\n'  # 2: fine
        '"screen.cycle_status" = ["s", "alt+r"]\n'  # 3: fine, s is free once star moved
        '"list.cursor_down" = "n"\n'  # 4: n is the screen's note key, and acts beside the list
        '"details.scroll_down" = "space"\n'  # 5: fine
        '"screen.nothing" = "x"\n'  # 6: no such action
        '"screen.export" = "ctrl+"\n'  # 7: not a key
        '"screen.follow_link.1" = "F1"\n',  # 8: not a key name Textual knows (f1 is)
    )
    assert mapping == {"screen.star": "ctrl+t", "screen.cycle_status": "s,alt+r", "details.scroll_down": "space"}
    assert wrong == [
        "6: keys.screen.nothing: names no action (`paperbrowse config example` lists them); its default keys stay",
        "7: keys.screen.export: 'ctrl+' is not a key name; its default keys stay",
        "8: keys.screen.follow_link.1: 'F1' is not a key name; its default keys stay",
        "4: keys.list.cursor_down: 'n' is already screen.edit_note; its default keys stay",
    ]


def test_two_remapped_actions_on_one_key_clash_but_different_places_do_not(tmp_path: Path) -> None:
    mapping, wrong = keys_of(tmp_path, '"screen.star" = "x"\n"screen.export" = "x"\n"tree.cursor_down" = "x"\n')
    assert mapping == {"screen.star": "x"}
    assert len(wrong) == 2 and all("'x' is already screen.star" in line for line in wrong)
    mapping, wrong = keys_of(tmp_path, '"tree.cursor_down" = "n"\n"help.close" = "x"\n"list.first" = "x"\n')
    assert wrong[0].startswith("2: keys.tree.cursor_down: 'n' is already screen.edit_note")
    assert mapping == {"help.close": "x", "list.first": "x"}  # the help screen is a place of its own


@pytest.mark.parametrize("name", ["j", "G", "?", "ctrl+s", "shift+f5", "question_mark", "pageup", "space", "escape"])
def test_key_names_textual_knows(name: str) -> None:
    assert is_key(name)


@pytest.mark.parametrize("name", ["", "ctrl+", "F1", "hyperspace", "cmd+s", "two words", "\x1b"])
def test_key_names_textual_does_not_know(name: str) -> None:
    assert not is_key(name)


# --- remembered choices --------------------------------------------------------------------------


def test_a_choice_wins_until_the_file_changes() -> None:
    state = remembered.remember("theme", "nord", "gruvbox")
    assert remembered.current("theme", "gruvbox", state) == "nord"  # chosen after the file said gruvbox
    assert remembered.current("theme", "dracula", state) == "dracula"  # the file changed since: it wins
    assert remembered.current("theme", "", {}) == ""


# --- the CLI ---------------------------------------------------------------------------------------


def test_config_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("PAPERBROWSE_CONFIG", str(path))
    assert main(["config", "path"]) == 0 and capsys.readouterr().out == f"{path}\n"
    assert main(["config", "check"]) == 0 and "no such file" in capsys.readouterr().out
    path.write_text('language = "fr"\n[keys]\n"screen.star" = "q"\n', encoding="utf-8")
    assert main(["config", "check"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{path}:1: language: 'fr' is not one of en, zh; the default is used",
        f"{path}:3: keys.screen.star: 'q' is already screen.quit; its default keys stay",
    ]
    path.write_text('language = "zh"\n', encoding="utf-8")
    assert main(["config", "check"]) == 0 and capsys.readouterr().out == f"{path}: fine\n"
    assert main(["config", "example"]) == 0
    tomllib.loads(capsys.readouterr().out)  # the example is TOML as it stands


def test_export_and_note_follow_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    path = tmp_path / "config.toml"
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\nopen(sys.argv[-1], 'a').write('from the configured editor\\n')\n", encoding="utf-8")
    path.write_text(
        f'editor = [{str(sys.executable)!r}, {str(editor)!r}]\n[export]\nformat = "bibtex"\n'.replace("'", '"'),
        encoding="utf-8",
    )
    monkeypatch.setenv("PAPERBROWSE_CONFIG", str(path))
    monkeypatch.setenv("EDITOR", "false")
    assert main(["star", "llama"]) == 0
    capsys.readouterr()
    assert main(["export"]) == 0 and capsys.readouterr().out.startswith("@")
    assert main(["export", "--format", "csv"]) == 0 and not capsys.readouterr().out.startswith("@")
    assert main(["note", "llama"]) == 0
    assert main(["note", "llama", "--print"]) == 0 and "from the configured editor" in capsys.readouterr().out


def test_a_broken_file_is_told_once_and_the_command_still_works(tmp_path: Path, monkeypatch, capsys) -> None:
    path = write(tmp_path, "[export]\nformat = 7\n")
    monkeypatch.setenv("PAPERBROWSE_CONFIG", str(path))
    assert main(["export"]) == 0
    captured = capsys.readouterr()
    assert captured.err.count(f"{path}:2: export.format") == 1 and captured.out.startswith("#")


# --- the browser -----------------------------------------------------------------------------------


def browser(tmp_path: Path, config: str) -> tuple[PaperBrowseApp, Path]:
    settings, problems = load_settings(write(tmp_path, config))
    library = tmp_path / "library.toml"
    catalog = load_catalog([str(shipped("data"))])
    return PaperBrowseApp(Session(catalog, Library.load(library), None, settings, problems), "26 papers"), library


def test_the_browser_takes_the_keys_and_tells_what_is_wrong(tmp_path: Path) -> None:
    app, library = browser(tmp_path, 'colour = 1\n[keys]\n"screen.star" = "ctrl+t"\n"list.cursor_down" = "n"\n')

    async def scenario(pilot) -> None:
        told = notes(app, "warning")
        assert any("config.toml:1: colour" in n and "config.toml:4: keys.list.cursor_down" in n for n in told), told
        await pilot.press("s")  # no longer star
        await settle(pilot)
        assert not app.session.library.starred_ids()
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert len(app.session.library.starred_ids()) == 1
        await pilot.press("question_mark")
        await settle(pilot)
        shown = "\n".join(str(static.render()) for static in app.screen.query(Static))
        assert "Your keys (config.toml)" in shown and re.search(r"ctrl\+t\s+screen\.star", shown), shown

    run(app, scenario)


def test_the_theme_and_language_chosen_are_remembered_until_the_file_changes(tmp_path: Path) -> None:
    app, library = browser(tmp_path, 'theme = "gruvbox"\n')

    async def first(pilot) -> None:
        assert app.theme == "gruvbox"
        app.theme = "nord"  # what picking a theme in the palette does
        await pilot.press("L")
        await settle(pilot)
        await pilot.press("q")

    run(app, first)
    state = tomllib.loads(library.read_text(encoding="utf-8"))["state"]
    assert (state["theme"], state["language"]) == ("nord", "zh")

    app, _ = browser(tmp_path, 'theme = "gruvbox"\n')

    async def second(pilot) -> None:
        assert app.theme == "nord" and app.screen.detail.language == "zh"

    run(app, second)
    app, _ = browser(tmp_path, 'theme = "dracula"\nlanguage = "en"\n')

    async def third(pilot) -> None:
        assert app.theme == "dracula" and app.screen.detail.language == "en"  # the file changed: it wins

    run(app, third)


def test_an_unknown_theme_is_told_and_the_default_kept(tmp_path: Path) -> None:
    app, _ = browser(tmp_path, 'theme = "no-such-theme"\n')

    async def scenario(pilot) -> None:
        assert app.theme == "textual-dark"
        assert any("no theme is named 'no-such-theme'" in n for n in notes(app, "warning"))

    run(app, scenario)


def test_the_export_dialog_starts_with_the_files_format_and_folder(tmp_path: Path) -> None:
    app, _ = browser(tmp_path, f'[export]\nformat = "csv"\nfolder = "{tmp_path}"\n')

    async def scenario(pilot) -> None:
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert dialog.query_one("#export-path").value == str(tmp_path / "paperbrowse-starred.csv")
        assert dialog.query_one("RadioSet").pressed_button.name == "csv"

    run(app, scenario)
