"""The library file stays true, round two (issue 19, items 1, 3, 4, 8, 9, 10): editors merge with
what others saved meanwhile, change times from a fast clock or the end of time, the backup's mode,
a read-only library, a backup that cannot be written. The core, and real `paperbrowse` processes.
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run
from paperbrowse.core.files import atomic
from paperbrowse.core.library.note_merge import END_MARKER, MINE_MARKER, THEIRS_MARKER, merge_notes
from paperbrowse.core.library.user_library import Library, LibraryError

FAR_FUTURE = "2099-01-01T00:00:00Z"
END_OF_TIME = "9999-12-31T23:59:59.999999Z"


@pytest.fixture
def lib_path() -> Path:
    """The library file the conftest points PAPERBROWSE_LIBRARY at (so `paperbrowse` uses it too)."""
    return Path(os.environ["PAPERBROWSE_LIBRARY"])


def paperbrowse(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed command, as a user runs it (on the shipped collection, which has `llama`)."""
    script = Path(sys.executable).parent / "paperbrowse"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "paperbrowse.cli.main"]
    return subprocess.run(
        [*command, *argv], capture_output=True, text=True, encoding="utf-8", timeout=60, env=env, check=False
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    return result


def on_disk(path: Path, paper_id: str = "llama") -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8")).get("papers", {}).get(paper_id, {})


def write_library(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("version = 1\n\n" + textwrap.dedent(body).lstrip(), encoding="utf-8")


def loaded(path: Path) -> Library:
    library = Library.load(path)
    assert library.error is None, library.error
    return library


# --- 1: a note edited while another copy saves is merged three-way ---------------------------


def test_merge_keeps_both_appends_and_both_one_sided_changes():
    assert merge_notes("X", "X\nCLI line", "X\nbrowser").text == "X\nCLI line\nbrowser"
    assert merge_notes("X\n", "X\nCLI", "X\nB").text == "X\nCLI\nB"
    assert merge_notes("", "CLI line", "browser words").text == "CLI line\nbrowser words"
    ends = merge_notes("a\nb\nc\nd", "A\nb\nc\nd", "a\nb\nc\nD")
    assert ends.text == "A\nb\nc\nD" and not ends.conflicted
    assert merge_notes("a\nb", "a\nb", "mine").text == "mine"  # only mine changed
    assert merge_notes("a\nb", "theirs", "a\nb").text == "theirs"  # only theirs changed
    assert merge_notes("a\nb\nc", "a\nc", "a\nb\nc\nd").text == "a\nc\nd"  # a deletion and an append


def test_merge_of_the_same_lines_keeps_both_between_markers_naming_each():
    merged = merge_notes("a\nb\nc", "a\ntheirs\nc", "a\nmine\nc")
    assert merged.conflicted
    assert merged.text == f"a\n{THEIRS_MARKER}\ntheirs\n{MINE_MARKER}\nmine\n{END_MARKER}\nc"
    assert "elsewhere" in THEIRS_MARKER and "your" in MINE_MARKER


LINES = st.lists(st.sampled_from(["a", "b", "c", "", "d e", "# h"]), max_size=6).map("\n".join)


@given(LINES, LINES, LINES)
@settings(max_examples=300, deadline=None)
def test_merge_never_drops_a_line_only_one_side_added(base, theirs, mine):
    merged = merge_notes(base, theirs, mine).text.split("\n")
    for side in (theirs, mine):
        for line in side.split("\n"):
            if line and line not in base.split("\n"):
                assert line in merged, (base, theirs, mine)


def test_a_note_merge_is_replayed_on_what_the_file_holds_at_save_time(lib_path):
    mine, other = loaded(lib_path), loaded(lib_path)
    base = mine.note("llama")  # the editor opens on the empty note
    other.append_note("llama", "CLI line")
    other.save()
    mine.merge_note("llama", base, "browser words")  # this copy has not seen the append
    mine.save()
    assert on_disk(lib_path)["note"] == "CLI line\nbrowser words"
    assert mine.note("llama") == "CLI line\nbrowser words"
    assert mine.take_notices() == []


def test_a_note_changed_in_the_same_lines_keeps_both_and_says_so(lib_path):
    first = loaded(lib_path)
    first.set_note("llama", "intro\nthe claim\noutro")
    first.save()
    mine, other = loaded(lib_path), loaded(lib_path)
    base = mine.note("llama")
    other.set_note("llama", "intro\ntheir claim\noutro")
    other.save()
    mine.merge_note("llama", base, "intro\nmy claim\noutro")
    mine.save()
    note = on_disk(lib_path)["note"]
    assert "their claim" in note and "my claim" in note and THEIRS_MARKER in note and END_MARKER in note
    (notice,) = mine.take_notices()
    assert "llama" in notice and "both versions" in notice
    assert mine.take_notices() == []  # told once


def test_a_refresh_takes_in_other_saves_and_keeps_unsaved_changes(lib_path):
    mine, other = loaded(lib_path), loaded(lib_path)
    mine.append_note("llama", "mine, unsaved")
    revision = mine.revision
    assert not mine.refresh()  # no file yet, none now
    other.star("gpt-4")
    other.edit_tags("llama", add=["from-cli"])
    other.save()
    assert mine.refresh() and mine.revision > revision
    assert mine.is_starred("gpt-4") and mine.user_tags("llama") == ("from-cli",)
    assert mine.note("llama") == "mine, unsaved" and mine.unsaved
    assert not mine.refresh()  # one stat, nothing new
    mine.save()
    assert on_disk(lib_path)["note"] == "mine, unsaved" and on_disk(lib_path)["tags"] == ["from-cli"]


EDITOR_WHILE_ANOTHER_WRITES = """
    import subprocess, sys
    draft = sys.argv[1]
    opened_on = open(draft, encoding="utf-8").read()
    open({seen!r}, "w", encoding="utf-8").write(opened_on)
    # Another writer saves while this editor is open.
    subprocess.run({writer!r}, check=True)
    open(draft, "w", encoding="utf-8").write({text!r})
"""


def editor_env(tmp_path: Path, writer: list[str], text: str) -> tuple[dict[str, str], Path]:
    seen = tmp_path / "seen.txt"
    script = tmp_path / "editor.py"
    script.write_text(
        textwrap.dedent(EDITOR_WHILE_ANOTHER_WRITES).format(seen=str(seen), writer=writer, text=text), encoding="utf-8"
    )
    env = {**os.environ, "EDITOR": f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}", "TMPDIR": str(tmp_path)}
    env.pop("VISUAL", None)
    return env, seen


def command() -> list[str]:
    script = Path(sys.executable).parent / "paperbrowse"
    return [str(script)] if script.exists() else [sys.executable, "-m", "paperbrowse.cli.main"]


def test_editor_note_merges_with_an_append_saved_while_it_was_open(lib_path, tmp_path):
    ok(paperbrowse("note", "llama", "--text", "before"))
    env, seen = editor_env(tmp_path, [*command(), "note", "llama", "--append", "CLI line"], "before\nfrom the editor")
    result = ok(paperbrowse("note", "llama", env=env))
    assert seen.read_text(encoding="utf-8") == "before"
    assert on_disk(lib_path)["note"] == "before\nCLI line\nfrom the editor"
    assert "both versions" not in result.stderr
    assert not list(tmp_path.glob("paperbrowse-llama-*"))  # the draft is gone once saved


def test_editor_note_changing_the_same_line_as_another_writer_keeps_both_and_says_so(lib_path, tmp_path):
    ok(paperbrowse("note", "llama", "--text", "the claim"))
    env, _ = editor_env(tmp_path, [*command(), "note", "llama", "--text", "their claim"], "my claim")
    result = ok(paperbrowse("note", "llama", env=env))
    note = on_disk(lib_path)["note"]
    assert "their claim" in note and "my claim" in note and THEIRS_MARKER in note
    assert "llama" in result.stderr and "both versions are kept" in result.stderr


def test_editor_note_whose_save_fails_keeps_the_draft_and_names_it(lib_path, tmp_path):
    ok(paperbrowse("note", "llama", "--text", "before"))
    # The other writer leaves a library no one can trust: the save refuses, the text must survive.
    writer = [sys.executable, "-c", f"open({str(lib_path)!r}, 'w').write('not [ toml')"]
    env, _ = editor_env(tmp_path, writer, "my precious words")
    result = paperbrowse("note", "llama", env=env)
    assert result.returncode == 1
    (draft,) = tmp_path.glob("paperbrowse-llama-*")
    assert draft.read_text(encoding="utf-8") == "my precious words"
    assert str(draft) in result.stderr and "kept in memory" not in result.stderr


APPENDER = """
import sys
from pathlib import Path
from paperbrowse.core.library.user_library import Library
path, count, ready = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
ready.touch()
for number in range(count):
    library = Library.load(path)
    library.append_note("llama", f"cli-{number}")
    library.save()
"""


def test_editor_saves_racing_a_process_that_appends_lose_no_line(lib_path, tmp_path):
    """An editor session after another, each appending a line at the end of what it opened on,
    while another process appends 40 lines of its own: every line of both is in the file."""
    lib_path.parent.mkdir(parents=True, exist_ok=True)
    count = 40
    ready = tmp_path / "ready"
    command = [sys.executable, "-c", APPENDER, str(lib_path), str(count), str(ready)]
    appender = subprocess.Popen(command, stderr=subprocess.PIPE)
    editor = loaded(lib_path)
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert time.monotonic() < deadline and appender.poll() is None, "the appender did not start"
        time.sleep(0.005)
    for number in range(count):
        editor.refresh()
        opened_with = editor.note("llama")
        edited = f"{opened_with}\neditor-{number}" if opened_with else f"editor-{number}"
        editor.refresh()  # the other process may have saved while "the editor was open"
        editor.merge_note("llama", opened_with, edited)
        editor.save()
    _, err = appender.communicate(timeout=120)
    assert appender.returncode == 0, err
    lines = on_disk(lib_path)["note"].split("\n")
    assert sorted(lines) == sorted([f"cli-{n}" for n in range(count)] + [f"editor-{n}" for n in range(count)])
    assert editor.take_notices() == []  # appends at the end never conflict


# --- 3: a change made after reading a future time wins; the screen follows the file -----------


def test_a_change_after_reading_a_future_time_wins(lib_path):
    write_library(
        lib_path,
        f"""
        [papers.llama]
        starred = false
        status = "unread"
        [papers.llama.modified]
        starred = {FAR_FUTURE}
        """,
    )
    library = Library.load(lib_path)
    library.star("llama")
    library.save()
    assert on_disk(lib_path)["starred"] is True
    assert Library.load(lib_path).is_starred("llama")


def test_a_future_time_saved_by_another_copy_is_taken_in_before_the_next_change(lib_path):
    mine = loaded(lib_path)
    write_library(
        lib_path,
        f"""
        [papers.llama]
        starred = false
        status = "unread"
        [papers.llama.modified]
        starred = {FAR_FUTURE}
        """,
    )
    assert mine.refresh()
    mine.star("llama")  # made after reading the fast clock's stamp: later than it
    mine.save()
    assert on_disk(lib_path)["starred"] is True


def test_a_save_that_loses_to_a_concurrent_future_change_shows_the_file(lib_path):
    mine = loaded(lib_path)
    mine.star("llama")  # not having seen the other change: ordered by time, and 2099 is later
    write_library(
        lib_path,
        f"""
        [papers.llama]
        starred = false
        status = "unread"
        [papers.llama.modified]
        starred = {FAR_FUTURE}
        """,
    )
    revision = mine.revision
    mine.save()
    assert on_disk(lib_path).get("starred", False) is False
    assert not mine.is_starred("llama") and mine.revision > revision  # what the file says, and a redraw


# --- 4: a change time at the end of time ------------------------------------------------------

END_OF_TIME_LIBRARY = f"""
    [papers.llama]
    starred = false
    status = "unread"
    note = "old"
    tags = ["old"]
    [papers.llama.modified]
    starred = {END_OF_TIME}
    note = {END_OF_TIME}
    tags = {END_OF_TIME}
    status = {END_OF_TIME}
"""


def test_changes_over_the_end_of_time_are_saved(lib_path):
    write_library(lib_path, END_OF_TIME_LIBRARY)
    library = loaded(lib_path)
    library.star("llama")
    library.append_note("llama", "new")
    library.edit_tags("llama", add=["new"])
    library.set_status("llama", "read")
    library.save()
    saved = on_disk(lib_path)
    assert saved["starred"] is True and saved["note"] == "old\nnew" and saved["tags"] == ["old", "new"]
    assert saved["status"] == "read"


def test_cli_append_and_star_over_the_end_of_time(lib_path, capsys):
    write_library(lib_path, END_OF_TIME_LIBRARY)
    assert run(capsys, "note", "llama", "--append", "appended")[0] == 0
    assert run(capsys, "star", "llama")[0] == 0
    saved = on_disk(lib_path)
    assert saved["starred"] is True and saved["note"] == "old\nappended"


# --- 8: the backup is as private as the library -----------------------------------------------


@pytest.fixture
def world_readable_umask():
    """The umask most users have: a new file is readable by everyone."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_the_backup_takes_the_library_mode(lib_path, monkeypatch, world_readable_umask):
    library = Library.load(lib_path)
    library.set_note("llama", "private")
    library.save()
    lib_path.chmod(0o600)
    library.set_note("llama", "more private")
    library.save()  # the first save with a file to back up
    backup = lib_path.with_name(lib_path.name + ".bak")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(lib_path.stat().st_mode) == 0o600
    # An old world-readable backup is replaced by a private one, never readable by others
    # even while it is written.
    backup.chmod(0o644)
    modes: list[int] = []
    real_replace = os.replace

    def spying_replace(source, target, *args, **kwargs):
        modes.append(stat.S_IMODE(os.stat(source).st_mode))
        return real_replace(source, target, *args, **kwargs)

    real_open = os.open

    def spying_open(name, flags, mode=0o777, *args, **kwargs):
        if str(name).endswith(".tmp"):
            modes.append(mode)
        return real_open(name, flags, mode, *args, **kwargs)

    monkeypatch.setattr(atomic.os, "replace", spying_replace)
    monkeypatch.setattr(atomic.os, "open", spying_open)
    library.set_note("llama", "most private")
    library.save()
    monkeypatch.undo()
    assert modes == [0o600, 0o600, 0o600, 0o600]  # backup: created, renamed; library: the same
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert "more private" in backup.read_text(encoding="utf-8")


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_a_new_library_is_private_and_a_mode_the_user_chose_is_kept(lib_path, world_readable_umask):
    library = Library.load(lib_path)
    library.set_note("llama", "private")
    library.save()
    assert stat.S_IMODE(lib_path.stat().st_mode) == 0o600  # not 0644, whatever the umask
    lib_path.chmod(0o640)  # shared with the user's group on purpose
    library.set_note("llama", "for the group")
    library.save()
    assert stat.S_IMODE(lib_path.stat().st_mode) == 0o640


# --- 9: a read-only library is respected ----------------------------------------------------------


@pytest.fixture
def read_only_library(lib_path: Path) -> Path:
    library = Library.load(lib_path)
    library.set_note("llama", "frozen")
    library.save()
    lib_path.chmod(0o444)
    yield lib_path
    lib_path.chmod(0o644)


def test_a_read_only_library_loads_read_only_and_is_never_written(read_only_library):
    before = read_only_library.read_bytes()
    library = Library.load(read_only_library)
    assert library.read_only and library.note("llama") == "frozen"
    assert str(read_only_library) in str(library.error) and "read-only" in str(library.error)
    library.star("llama")
    with pytest.raises(LibraryError, match="read-only"):
        library.save()
    assert read_only_library.read_bytes() == before
    assert stat.S_IMODE(read_only_library.stat().st_mode) == 0o444


def test_a_library_made_read_only_after_loading_refuses_the_save_and_keeps_the_change(lib_path):
    library = Library.load(lib_path)
    library.star("llama")
    library.save()
    before = lib_path.read_bytes()
    library.set_note("llama", "pending")
    lib_path.chmod(0o444)
    try:
        with pytest.raises(LibraryError) as raised:
            library.save()
        assert str(lib_path) in str(raised.value) and "read-only" in str(raised.value)
        assert lib_path.read_bytes() == before and library.unsaved
    finally:
        lib_path.chmod(0o644)
    library.save()  # writable again: the kept change is saved
    assert on_disk(lib_path)["note"] == "pending"


def test_cli_refuses_to_write_a_read_only_library(read_only_library):
    before = read_only_library.read_bytes()
    for argv in (("star", "llama"), ("note", "llama", "--append", "x"), ("tag", "llama", "+x")):
        result = paperbrowse(*argv)
        assert result.returncode == 1, argv
        assert str(read_only_library) in result.stderr and "read-only" in result.stderr
    assert read_only_library.read_bytes() == before
    assert ok(paperbrowse("note", "llama", "--print")).stdout == "frozen\n"  # reading still works


# --- 10: a backup that cannot be written never blocks the save ----------------------------------


def test_a_folder_where_the_backup_goes_does_not_block_the_save(lib_path):
    library = Library.load(lib_path)
    library.star("llama")
    library.save()
    backup = lib_path.with_name(lib_path.name + ".bak")
    backup.mkdir()
    library.set_note("llama", "saved anyway")
    library.save()
    assert on_disk(lib_path)["note"] == "saved anyway" and not library.unsaved
    (notice,) = library.take_notices()
    assert str(backup) in notice and "without a backup" in notice
    library.set_note("llama", "and again")
    library.save()
    assert library.take_notices() == []  # told once a session
    assert on_disk(lib_path)["note"] == "and again" and backup.is_dir()


def test_cli_saves_past_a_backup_folder_and_names_it(lib_path):
    ok(paperbrowse("star", "llama"))
    backup = lib_path.with_name(lib_path.name + ".bak")
    shutil.rmtree(backup, ignore_errors=True)
    backup.unlink(missing_ok=True)
    backup.mkdir()
    result = ok(paperbrowse("note", "llama", "--append", "still saved"))
    assert str(backup) in result.stderr
    assert on_disk(lib_path)["note"] == "still saved"
