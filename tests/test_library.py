"""The user's library (core): round trips, the file's shape, backups, bad files, merging saves."""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import time
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperbrowse.core.files import atomic
from paperbrowse.core.library import toml_file, user_library
from paperbrowse.core.library.user_library import STATUSES, Entry, Library, LibraryError

SURROGATE = re.compile("[\ud800-\udfff]")


# --- helpers --------------------------------------------------------------------------------


@pytest.fixture
def lib_path(tmp_path: Path) -> Path:
    return tmp_path / "lib" / "library.toml"


def reload(path: Path) -> Library:
    library = Library.load(path)
    assert library.error is None, library.error
    return library


def saved(library: Library) -> Library:
    library.save()
    assert not library.unsaved
    return reload(library.path)


def folder_listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch):
    """Every `now()` the library asks for returns the same instant."""
    instant = dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC)
    monkeypatch.setattr(user_library, "now", lambda: instant)
    return instant


# --- round trips ----------------------------------------------------------------------------

SLUG = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=12).filter(
    lambda s: s[0].isalnum()
)
# Any text, with "\r\n", CJK, emoji, control characters and lone surrogates mixed in often.
NOTE_CHARS = st.one_of(
    st.characters(),
    st.sampled_from(["\r\n", "\r", "\n", "\x00", "\x1b", "\x7f", "\t", '"', "'", "\\", '"""']),
    st.sampled_from(["论文", "阅读", "注释", "😀", "🧪", "👩‍🔬", "\u202e", "\u2028"]),
    st.characters(categories=["Cs"]),
)
NOTE = st.lists(NOTE_CHARS, max_size=40).map("".join)
# Tags and state values: any text but "\r" (see test_crlf_in_tags_and_state_round_trips).
TAG = st.text(st.characters(exclude_characters="\r"), max_size=12)
STATE_VALUE = st.text(st.characters(exclude_characters="\r"), max_size=20)

PAPER_CHANGES = st.fixed_dictionaries(
    {
        "starred": st.booleans(),
        "note": NOTE,
        "tags": st.lists(TAG, max_size=5),
        "statuses": st.lists(st.sampled_from(STATUSES), max_size=4),
        "opened": st.booleans(),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    papers=st.dictionaries(SLUG, PAPER_CHANGES, min_size=1, max_size=4),
    state=st.fixed_dictionaries({"category": STATE_VALUE, "query": STATE_VALUE, "selected": SLUG}),
)
def test_every_field_round_trips_through_save_and_load(tmp_path_factory, papers, state):
    path = tmp_path_factory.mktemp("rt") / "library.toml"
    library = Library.load(path)
    for paper_id, change in papers.items():
        library.star(paper_id, change["starred"])
        library.set_note(paper_id, change["note"])
        library.set_tags(paper_id, change["tags"])
        for status in change["statuses"]:
            library.set_status(paper_id, status)
        if change["opened"]:
            library.mark_opened(paper_id)
    library.set_state(**state)
    in_memory = {pid: library.entry(pid) for pid in papers}

    loaded = saved(library)

    assert loaded.state == {key: SURROGATE.sub("\ufffd", value) for key, value in state.items()}
    for paper_id, change in papers.items():
        entry = loaded.entry(paper_id)
        assert entry == in_memory[paper_id]  # every field, times included
        assert entry.starred is change["starred"]
        assert (entry.starred_at is not None) is change["starred"]
        # Stripped, blanks dropped, lone surrogates replaced, case-variant repeats dropped.
        expected_tags: dict[str, str] = {}
        for tag in change["tags"]:
            cleaned = SURROGATE.sub("\ufffd", tag).strip()
            if cleaned:
                expected_tags.setdefault(cleaned.casefold(), cleaned)
        assert entry.tags == tuple(expected_tags.values())
        final_status = change["statuses"][-1] if change["statuses"] else "unread"
        assert entry.status == final_status
        assert [s for _, s in entry.history] == _distinct_runs(change["statuses"])
        assert (entry.last_opened is not None) is change["opened"]
        # The note comes back exactly, but for lone surrogates, each replaced by one character.
        note = entry.note
        assert not SURROGATE.search(note)
        assert len(note) == len(change["note"])
        assert SURROGATE.sub("", change["note"]) == "".join(
            c for c, o in zip(note, change["note"], strict=True) if not SURROGATE.match(o)
        )
    # The file is valid TOML for any other reader too.
    tomllib.loads(path.read_text(encoding="utf-8"))


def _distinct_runs(statuses: list[str]) -> list[str]:
    """The statuses set_status records: a repeat of the current status is no change."""
    out, current = [], "unread"
    for status in statuses:
        if status != current:
            out.append(status)
            current = status
    return out


@pytest.mark.parametrize(
    "note",
    [
        "line one\r\nline two\r\n",
        "lone\rcarriage",
        "中文笔记 — 😀 emoji 👩‍🔬",
        "\x00\x01\x1b[31mred\x7f\x9b",
        '"""quoted"""',
    ],
)
def test_tricky_notes_round_trip_exactly(lib_path, note):
    library = Library.load(lib_path)
    library.set_note("x", note)
    assert saved(library).note("x") == note


def test_a_huge_note_round_trips(lib_path):
    note = "# Heading\n\n" + ("Some *Markdown* text, 中文 and 😀.\n" * 40_000)
    library = Library.load(lib_path)
    library.set_note("x", note)
    assert saved(library).note("x") == note


def test_lone_surrogates_become_the_replacement_character(lib_path):
    library = Library.load(lib_path)
    library.set_note("x", "a\ud800b\udcffc")
    library.set_tags("x", ["t\udc80"])
    assert library.note("x") == "a\ufffdb\ufffdc"
    loaded = saved(library)
    assert loaded.note("x") == "a\ufffdb\ufffdc"
    assert loaded.user_tags("x") == ("t\ufffd",)


def test_crlf_in_tags_and_state_round_trips(lib_path):
    library = Library.load(lib_path)
    library.set_note("x", "plain note\nwith a newline")
    library.set_tags("x", ["two\r\nlines"])
    library.set_state(query="a\r\nb")
    loaded = saved(library)
    assert loaded.user_tags("x") == ("two\r\nlines",)
    assert loaded.state["query"] == "a\r\nb"


# --- the file's shape -----------------------------------------------------------------------


def test_file_has_a_version_and_papers_sorted_by_id(lib_path):
    library = Library.load(lib_path)
    for paper_id in ("zeta", "alpha", "mid.1", "beta-2"):
        library.star(paper_id)
    library.save()
    text = lib_path.read_text(encoding="utf-8")
    document = tomllib.loads(text)
    assert document["version"] == 1
    assert text.startswith("version = 1\n")
    assert list(document["papers"]) == sorted(["zeta", "alpha", "mid.1", "beta-2"])
    headers = re.findall(r'^\[papers\.("[^"]+"|[^.\]]+)\]$', text, flags=re.M)
    assert [h.strip('"') for h in headers] == ["alpha", "beta-2", "mid.1", "zeta"]


def test_saving_again_gives_identical_bytes(lib_path):
    library = Library.load(lib_path)
    library.star("b")
    library.set_note("a", "note\r\nwith CRLF and 中文")
    library.set_tags("a", ["x", "y"])
    library.set_status("a", "reading")
    library.set_state(category="llm", query="q", selected="a")
    library.save()
    first = lib_path.read_bytes()
    assert toml_file.dump(reload(lib_path).data) == first
    assert toml_file.dump(toml_file.parse(first.decode("utf-8"), str(lib_path))) == first


def test_the_file_does_not_depend_on_the_order_of_changes(tmp_path, frozen_clock):
    one, two = Library.load(tmp_path / "one.toml"), Library.load(tmp_path / "two.toml")
    for paper_id in ("c", "a", "b"):
        one.star(paper_id)
        one.set_note(paper_id, f"note {paper_id}")
    two.set_state(query="q", category="llm")
    one.set_state(category="llm", query="q")
    for paper_id in ("b", "c", "a"):
        two.set_note(paper_id, f"note {paper_id}")
        two.star(paper_id)
    one.save()
    two.save()
    assert (tmp_path / "one.toml").read_bytes() == (tmp_path / "two.toml").read_bytes()


def test_backup_holds_the_previous_version(lib_path):
    library = Library.load(lib_path)
    library.star("a")
    library.save()
    first = lib_path.read_bytes()
    backup = lib_path.with_name("library.toml.bak")
    assert not backup.exists()  # nothing to back up on the first save
    library.set_note("a", "second")
    library.save()
    second = lib_path.read_bytes()
    assert backup.read_bytes() == first
    library.set_note("a", "third")
    library.save()
    assert backup.read_bytes() == second
    assert reload(lib_path).note("a") == "third"


def test_no_temporary_files_are_left_behind(lib_path):
    library = Library.load(lib_path)
    for n in range(3):
        library.set_note("a", str(n))
        library.save()
    names = folder_listing(lib_path.parent)
    assert names <= {"library.toml", "library.toml.bak", "library.toml.lock"}


def test_unknown_keys_survive_a_save(lib_path):
    lib_path.parent.mkdir(parents=True)
    lib_path.write_text(
        "version = 1\n"
        'future_setting = "keep me"\n'
        "\n"
        "[state]\n"
        'category = "llm"\n'
        'theme = "dark"\n'
        "\n"
        "[sync]\n"
        'peer = "laptop"\n'
        "count = 3\n"
        "\n"
        "[papers.x]\n"
        'status = "reading"\n'
        "rating = 5\n"
        'colour = "blue"\n'
        "\n"
        "[papers.x.annotations]\n"
        "page = 7\n"
        "\n"
        "[papers.x.modified]\n"
        "status = 2024-01-01T00:00:00Z\n"
        "rating = 2024-01-02T00:00:00Z\n",
        encoding="utf-8",
    )
    library = reload(lib_path)
    library.star("x")
    library.set_note("y", "new")
    library.save()
    document = tomllib.loads(lib_path.read_text(encoding="utf-8"))
    assert document["future_setting"] == "keep me"
    assert document["sync"] == {"peer": "laptop", "count": 3}
    assert document["state"] == {"category": "llm", "theme": "dark"}
    entry = document["papers"]["x"]
    assert entry["rating"] == 5
    assert entry["colour"] == "blue"
    assert entry["annotations"] == {"page": 7}
    assert entry["status"] == "reading"
    assert entry["starred"] is True
    assert entry["modified"]["rating"] == dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    assert document["papers"]["y"]["note"] == "new"


# --- files that cannot be read --------------------------------------------------------------

GOOD_HEAD = 'version = 1\n\n[papers.x]\nstatus = "reading"\n'
CORRUPT = {
    "bad TOML": (GOOD_HEAD + 'note = "unterminated\n', 5),
    "status = 3": ("version = 1\n\n[papers.x]\nstarred = true\nstatus = 3\n", 5),
    'starred = "yes"': (GOOD_HEAD + 'starred = "yes"\n', 5),
    "status not known": ('version = 1\n\n[papers."llava-1.5"]\nstatus = "done"\n', 4),
    "tags not strings": (GOOD_HEAD + "tags = [1, 2]\n", 5),
    "version = 99": ("version = 99\n\n[papers.x]\nstarred = true\n", None),
}


@pytest.mark.parametrize("content, line", list(CORRUPT.values()), ids=list(CORRUPT))
def test_a_bad_file_opens_read_only_and_is_never_overwritten(lib_path, content, line):
    lib_path.parent.mkdir(parents=True)
    lib_path.write_text(content, encoding="utf-8")
    before = lib_path.read_bytes()
    library = Library.load(lib_path)
    assert library.read_only
    message = str(library.error)
    assert str(lib_path) in message
    if line is not None:
        assert f"{lib_path}:{line}:" in message
        assert library.error.line == line
    else:
        assert "version 99" in message
    library.star("x")
    library.set_note("y", "would be lost")
    with pytest.raises(LibraryError) as raised:
        library.save()
    assert str(lib_path) in str(raised.value)
    assert lib_path.read_bytes() == before
    assert folder_listing(lib_path.parent) == {"library.toml"}  # no .bak, no temporary file


def test_a_file_that_is_not_utf8_names_its_line(lib_path):
    lib_path.parent.mkdir(parents=True)
    content = b'version = 1\n\n[papers.x]\nnote = "caf\xe9"\n'
    lib_path.write_bytes(content)
    library = Library.load(lib_path)
    assert library.read_only
    assert f"{lib_path}:4:" in str(library.error)
    library.star("x")
    with pytest.raises(LibraryError):
        library.save()
    assert lib_path.read_bytes() == content


def test_a_folder_at_the_path_is_refused(lib_path):
    lib_path.mkdir(parents=True)
    (lib_path / "keep.txt").write_text("mine")
    library = Library.load(lib_path)
    assert library.read_only
    assert str(lib_path) in str(library.error)
    library.star("x")
    with pytest.raises(LibraryError):
        library.save()
    assert lib_path.is_dir()
    assert folder_listing(lib_path) == {"keep.txt"}


def test_a_file_broken_after_loading_is_not_overwritten(lib_path):
    library = Library.load(lib_path)
    library.star("a")
    library.save()
    lib_path.write_text("version = 1\n[papers.a]\nstarred = \n", encoding="utf-8")
    broken = lib_path.read_bytes()
    library.set_note("a", "kept in memory")
    with pytest.raises(LibraryError) as raised:
        library.save()
    assert f"{lib_path}:3" in str(raised.value)
    assert lib_path.read_bytes() == broken
    assert library.unsaved and library.note("a") == "kept in memory"
    # Once the user repairs the file, the pending change is saved.
    lib_path.write_text("version = 1\n", encoding="utf-8")
    library.save()
    assert reload(lib_path).note("a") == "kept in memory"


def test_a_missing_file_is_an_empty_writable_library(lib_path):
    library = Library.load(lib_path)
    assert not library.read_only
    assert library.entry("x") == Entry()
    assert library.starred_ids() == []
    assert not lib_path.exists()  # loading never creates it


# --- where the file is ----------------------------------------------------------------------


def test_a_symlinked_library_is_updated_through_the_link(tmp_path):
    real_dir, link_dir = tmp_path / "dotfiles", tmp_path / "config"
    real_dir.mkdir()
    link_dir.mkdir()
    real = real_dir / "library.toml"
    link = link_dir / "library.toml"
    real.write_text('version = 1\n\n[papers.a]\nstatus = "read"\n', encoding="utf-8")
    link.symlink_to(real)
    first = real.read_bytes()
    library = reload(link)
    library.star("b")
    library.save()
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert reload(real).is_starred("b")
    assert reload(real).status("a") == "read"
    assert (real_dir / "library.toml.bak").read_bytes() == first
    assert not (link_dir / "library.toml.bak").exists()


def test_a_dangling_symlink_creates_its_target(tmp_path):
    real = tmp_path / "elsewhere" / "library.toml"
    real.parent.mkdir()
    link = tmp_path / "library.toml"
    link.symlink_to(real)
    library = Library.load(link)
    library.set_note("a", "hello")
    library.save()
    assert link.is_symlink()
    assert reload(real).note("a") == "hello"


def test_a_missing_parent_folder_is_created(tmp_path):
    path = tmp_path / "deep" / "er" / "library.toml"
    library = Library.load(path)
    library.star("a")
    library.save()
    assert reload(path).is_starred("a")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores permissions")
def test_a_read_only_folder_fails_the_save_and_keeps_the_change(lib_path):
    library = Library.load(lib_path)
    library.star("a")
    library.save()
    before = lib_path.read_bytes()
    library.set_note("a", "pending")
    os.chmod(lib_path.parent, 0o500)
    try:
        with pytest.raises(LibraryError) as raised:
            library.save()
        assert str(lib_path) in str(raised.value)
        assert library.unsaved and library.note("a") == "pending"
        assert lib_path.read_bytes() == before
    finally:
        os.chmod(lib_path.parent, 0o700)
    library.save()
    assert reload(lib_path).note("a") == "pending"


def test_a_failing_write_keeps_the_change_for_the_next_save(lib_path, monkeypatch):
    """The same path as a full disk or a read-only folder, without needing a non-root user."""
    library = Library.load(lib_path)
    library.star("a")
    library.save()
    before = lib_path.read_bytes()
    library.set_note("a", "pending")

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic, "_new_temp_file", no_space)
    with pytest.raises(LibraryError) as raised:
        library.save()
    assert str(lib_path) in str(raised.value)
    assert os.strerror(errno.ENOSPC) in str(raised.value)
    assert library.unsaved and library.note("a") == "pending"
    assert lib_path.read_bytes() == before
    monkeypatch.undo()
    library.save()
    assert not library.unsaved
    assert reload(lib_path).note("a") == "pending"


# --- merging: two Library objects on the same file ------------------------------------------


def tick() -> None:
    time.sleep(0.002)  # the clock moves on between two users' changes


def test_changes_to_different_papers_are_both_kept(lib_path):
    a, b = Library.load(lib_path), Library.load(lib_path)
    a.star("x")
    b.set_note("y", "B's note")
    a.save()
    b.save()
    final = reload(lib_path)
    assert final.is_starred("x")
    assert final.note("y") == "B's note"
    # B's save picked up A's star in memory too.
    assert b.is_starred("x")


def test_changes_to_different_fields_of_one_paper_are_both_kept(lib_path):
    a, b = Library.load(lib_path), Library.load(lib_path)
    a.star("x")
    a.set_tags("x", ["from-a"])
    b.set_note("x", "from B")
    b.set_status("x", "read")
    b.save()
    a.save()
    final = reload(lib_path).entry("x")
    assert final.starred and final.tags == ("from-a",)
    assert final.note == "from B" and final.status == "read"


@pytest.mark.parametrize("first_saver", ["older", "newer"])
def test_the_later_change_of_a_field_wins_whoever_saves_last(lib_path, first_saver):
    older, newer = Library.load(lib_path), Library.load(lib_path)
    older.set_note("x", "older text")
    older.set_status("x", "read")
    tick()
    newer.set_note("x", "newer text")
    newer.set_status("x", "reading")
    savers = [older, newer] if first_saver == "older" else [newer, older]
    for library in savers:
        library.save()
    final = reload(lib_path).entry("x")
    assert final.note == "newer text"
    assert final.status == "reading"
    # Both status changes are in the history.
    assert sorted(s for _, s in final.history) == ["read", "reading"]
    if first_saver == "newer":  # the older copy's save merged the newer text into its memory
        assert older.note("x") == "newer text"


def test_an_unstar_after_another_copy_starred_wins(lib_path):
    a, b = Library.load(lib_path), Library.load(lib_path)
    a.star("x")  # A starred it too, earlier, and has not saved yet
    tick()
    b.star("x")
    b.save()
    tick()
    a.star("x", False)
    a.save()
    assert not reload(lib_path).is_starred("x")
    assert reload(lib_path).starred_ids() == []


def test_an_unstar_after_reloading_wins(lib_path):
    b = Library.load(lib_path)
    b.star("x")
    b.save()
    a = Library.load(lib_path)
    assert a.is_starred("x")
    tick()
    a.star("x", False)
    a.save()
    assert not reload(lib_path).is_starred("x")


def test_an_earlier_unstar_loses_to_a_later_star(lib_path):
    seed = Library.load(lib_path)
    seed.star("x")
    seed.save()
    a, b = Library.load(lib_path), Library.load(lib_path)
    a.star("x", False)
    tick()
    b.star("x", False)
    b.star("x", True)
    b.save()
    a.save()
    assert reload(lib_path).is_starred("x")


def test_state_is_merged_per_save(lib_path):
    a, b = Library.load(lib_path), Library.load(lib_path)
    a.set_state(category="llm")
    b.star("x")
    a.save()
    b.save()  # B never touched the state: A's stays
    final = reload(lib_path)
    assert final.state == {"category": "llm"} and final.is_starred("x")


def test_changes_after_a_save_are_saved_by_the_next(lib_path):
    library = Library.load(lib_path)
    library.star("a")
    library.save()
    library.set_note("a", "later")
    library.star("b")
    assert library.unsaved
    library.save()
    final = reload(lib_path)
    assert final.note("a") == "later" and final.starred_ids() == ["a", "b"]


def test_a_change_made_while_a_save_is_writing_is_kept_for_the_next_save(lib_path, monkeypatch):
    library = Library.load(lib_path)
    library.set_note("a", "first")
    real_dump = toml_file.dump

    def dump_while_user_types(data):
        # The snapshot is taken; the UI thread changes the same field and another one meanwhile.
        library.set_note("a", "typed during the save")
        library.set_state(query="typed too")
        return real_dump(data)

    monkeypatch.setattr(user_library.toml_file, "dump", dump_while_user_types)
    library.save()
    monkeypatch.undo()
    assert reload(lib_path).note("a") == "first"  # what the save had snapshotted
    assert library.note("a") == "typed during the save"  # the newer text is still on top
    assert library.state["query"] == "typed too"
    assert library.unsaved
    library.save()
    final = reload(lib_path)
    assert final.note("a") == "typed during the save"
    assert final.state["query"] == "typed too"
    assert not library.unsaved


def test_save_without_changes_does_not_touch_the_file(lib_path):
    library = Library.load(lib_path)
    library.save()
    assert not lib_path.exists()
    library.star("a")
    library.save()
    stamp = lib_path.stat().st_mtime_ns
    library.star("a")  # already starred: no change
    library.save()
    assert lib_path.stat().st_mtime_ns == stamp
    assert not lib_path.with_name("library.toml.bak").exists()


def test_refresh_picks_up_another_copy_and_keeps_what_is_unsaved(lib_path):
    a, b = Library.load(lib_path), Library.load(lib_path)
    b.star("x")
    b.save()
    a.set_note("y", "pending")
    assert a.refresh()
    assert a.is_starred("x") and a.note("y") == "pending" and a.unsaved
    assert not a.refresh()  # the file did not change again
    a.save()
    assert Library.load(lib_path).note("y") == "pending" and Library.load(lib_path).is_starred("x")


# --- reading and changing -------------------------------------------------------------------


def test_starred_ids_are_in_star_order(lib_path):
    library = Library.load(lib_path)
    for paper_id in ("c", "a", "b"):
        library.star(paper_id)
        tick()
    assert library.starred_ids() == ["c", "a", "b"]
    library.star("c", False)
    tick()
    library.star("c")  # starring again puts it last
    assert library.starred_ids() == ["a", "b", "c"]
    assert saved(library).starred_ids() == ["a", "b", "c"]
    assert library.toggle_star("a") is False
    assert library.starred_ids() == ["b", "c"]


def test_orphans_are_the_entries_for_unknown_ids(lib_path):
    library = Library.load(lib_path)
    library.star("known")
    library.set_note("gone-1", "kept")
    library.set_tags("gone-0", ["x"])
    loaded = saved(library)
    assert loaded.orphans(["known", "other"]) == ["gone-0", "gone-1"]
    assert loaded.orphans([]) == ["gone-0", "gone-1", "known"]
    assert loaded.note("gone-1") == "kept"


@pytest.mark.parametrize("before, after", [("unread", "reading"), ("reading", "reading"), ("read", "read")])
def test_opening_a_link_moves_unread_to_reading_only(lib_path, before, after):
    library = Library.load(lib_path)
    if before != "unread":
        library.set_status("x", before)
    history = library.entry("x").history
    library.link_opened("x")
    assert library.status("x") == after
    assert len(library.entry("x").history) == len(history) + (before != after)


def test_cycle_status_goes_unread_reading_read_unread(lib_path):
    library = Library.load(lib_path)
    assert [library.cycle_status("x") for _ in range(4)] == ["reading", "read", "unread", "reading"]
    assert [s for _, s in library.entry("x").history] == ["reading", "read", "unread", "reading"]
    times = [at for at, _ in library.entry("x").history]
    assert times == sorted(times)
    with pytest.raises(ValueError):
        library.set_status("x", "done")


def test_edit_tags_removes_case_insensitively(lib_path):
    library = Library.load(lib_path)
    library.set_tags("x", ["ML", "Vision", "to-read"])
    library.edit_tags("x", remove=["ml", " VISION "])
    assert library.user_tags("x") == ("to-read",)
    library.edit_tags("x", add=["new", " spaced ", "new"], remove=["absent"])
    assert library.user_tags("x") == ("to-read", "new", "spaced")
    library.edit_tags("x", add=["to-read"])  # already there: no duplicate
    assert library.user_tags("x") == ("to-read", "new", "spaced")
    assert saved(library).user_tags("x") == ("to-read", "new", "spaced")


def test_edit_tags_adds_without_case_duplicates(lib_path):
    library = Library.load(lib_path)
    library.set_tags("x", ["ml"])
    library.edit_tags("x", add=["ML", "Ml"])
    assert [t.lower() for t in library.user_tags("x")] == ["ml"]


def test_notes_append_on_a_new_line(lib_path):
    library = Library.load(lib_path)
    library.append_note("x", "first")
    library.append_note("x", "second")
    assert library.note("x") == "first\nsecond"
    library.set_note("x", "ends with newline\n")
    library.append_note("x", "next")
    assert library.note("x") == "ends with newline\nnext"
    assert not library.has_note("y")
    library.set_note("y", "  \n ")
    assert not library.has_note("y")  # only whitespace is no note


def test_a_no_op_change_is_not_a_change(lib_path):
    library = Library.load(lib_path)
    library.set_status("x", "unread")
    library.set_note("x", "")
    library.set_tags("x", [" ", ""])
    library.star("x", False)
    assert not library.unsaved
