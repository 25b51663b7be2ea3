"""Saved searches in the library file: validation, the file's shape, and merging between copies."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
import textwrap
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperbrowse.core.library import saved_searches, toml_file
from paperbrowse.core.library.entries import LibraryData
from paperbrowse.core.library.saved_searches import SavedSearch
from paperbrowse.core.library.user_library import Library, SavedSearchError, SavedSearchExists


def load(path: Path) -> Library:
    library = Library.load(path)
    assert library.error is None, library.error
    return library


def test_a_saved_search_survives_a_restart_in_the_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "library.toml"
    library = load(path)
    assert library.save_search("  RL papers ", "tag:rl dpo") == "RL papers"
    library.star("p1")
    library.save()
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    assert document["saved_searches"]["RL papers"]["query"] == "tag:rl dpo"
    assert document["papers"]["p1"]["starred"] is True
    assert load(path).saved_searches() == {"RL papers": "tag:rl dpo"}


def test_names_are_listed_in_the_order_people_look_them_up(tmp_path: Path) -> None:
    library = load(tmp_path / "library.toml")
    for name in ("beta", "Alpha", "gamma"):
        library.save_search(name, f"q {name}")
    assert list(library.saved_searches()) == ["Alpha", "beta", "gamma"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "needs a name"),
        ("   ", "needs a name"),
        ("x" * 81, "at most 80 characters, not 81"),
        ("bad\x1b[31mname", "control or invisible characters: 'bad\\e[31mname'"),
        ("two\nlines", "control or invisible"),
        ("hidden\u202eevil", "control or invisible"),
    ],
)
def test_a_name_that_cannot_be_kept_is_refused_with_why(tmp_path: Path, name: str, message: str) -> None:
    library = load(tmp_path / "library.toml")
    with pytest.raises(SavedSearchError, match=message.replace("[", r"\[").replace("\\e", r"\\e")):
        library.save_search(name, "dpo")
    assert library.saved_searches() == {}
    assert not library.unsaved


@pytest.mark.parametrize(("query", "message"), [("  ", "no query to save"), ("a\tb", "control"), ("q" * 1001, "1001")])
def test_a_query_that_cannot_be_kept_is_refused(tmp_path: Path, query: str, message: str) -> None:
    with pytest.raises(SavedSearchError, match=message):
        load(tmp_path / "library.toml").save_search("name", query)


def test_an_existing_name_is_replaced_only_when_asked(tmp_path: Path) -> None:
    library = load(tmp_path / "library.toml")
    library.save_search("mine", "dpo")
    with pytest.raises(SavedSearchExists) as raised:
        library.save_search("mine", "moe")
    assert raised.value.query == "dpo"
    library.save_search("mine", "dpo")  # the same query again is no conflict
    library.save_search("mine", "moe", replace=True)
    assert library.saved_search("mine") == "moe"


def test_delete_and_rename(tmp_path: Path) -> None:
    path = tmp_path / "library.toml"
    library = load(path)
    library.save_search("a", "dpo")
    library.save_search("b", "moe")
    assert library.rename_search("a", "c") == "c"
    assert library.delete_search("b") == "moe"
    with pytest.raises(SavedSearchError, match="no saved search named 'b'"):
        library.delete_search("b")
    with pytest.raises(SavedSearchError, match="no saved search named 'zz'"):
        library.rename_search("zz", "y")
    library.save_search("d", "x")
    with pytest.raises(SavedSearchExists):
        library.rename_search("c", "d")
    library.save()
    assert load(path).saved_searches() == {"c": "dpo", "d": "x"}
    # The deleted names stay as tombstones, so that no other copy brings them back.
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    assert document["saved_searches"]["b"]["deleted"] is True
    assert "query" not in document["saved_searches"]["b"]


def test_two_copies_saving_different_searches_keep_both(tmp_path: Path) -> None:
    path = tmp_path / "library.toml"
    first, second = load(path), load(path)
    first.save_search("one", "dpo")
    second.save_search("two", "moe")
    first.save()
    second.save()
    assert load(path).saved_searches() == {"one": "dpo", "two": "moe"}
    first.refresh()
    assert first.saved_searches() == {"one": "dpo", "two": "moe"}


def test_a_deletion_is_not_undone_by_a_copy_that_still_holds_the_search(tmp_path: Path) -> None:
    path = tmp_path / "library.toml"
    setup = load(path)
    setup.save_search("old", "dpo")
    setup.save()
    deleting, adding = load(path), load(path)
    deleting.delete_search("old")
    adding.save_search("new", "moe")  # this copy still holds "old", unchanged
    deleting.save()
    adding.save()
    assert load(path).saved_searches() == {"new": "moe"}
    adding.refresh()
    assert adding.saved_searches() == {"new": "moe"}


def test_a_deletion_after_another_copys_change_wins_and_an_older_change_loses(tmp_path: Path) -> None:
    path = tmp_path / "library.toml"
    setup = load(path)
    setup.save_search("s", "dpo")
    setup.save()
    editing, deleting = load(path), load(path)
    editing.save_search("s", "moe", replace=True)  # made first ...
    deleting.delete_search("s")  # ... and this one later, without having seen it
    deleting.save()
    editing.save()  # saved last, but older: the deletion stands
    assert load(path).saved_searches() == {}


def test_a_copy_that_saw_the_deletion_may_save_the_name_again(tmp_path: Path) -> None:
    path = tmp_path / "library.toml"
    first = load(path)
    first.save_search("s", "dpo")
    first.save()
    first.delete_search("s")
    first.save()
    second = load(path)
    second.save_search("s", "moe")  # stamped after the tombstone it read
    second.save()
    assert load(path).saved_searches() == {"s": "moe"}


def test_old_tombstones_are_dropped_at_a_save(tmp_path: Path) -> None:
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    searches = {
        "old": SavedSearch("", now - dt.timedelta(days=31), deleted=True),
        "recent": SavedSearch("", now - dt.timedelta(days=1), deleted=True),
        "kept": SavedSearch("q", now - dt.timedelta(days=400)),
    }
    assert set(saved_searches.prune(searches, now)) == {"recent", "kept"}


def test_a_hand_edited_saved_search_of_the_wrong_shape_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "library.toml"
    path.write_text(
        "version = 1\n\n[saved_searches.mine]\nquery = 3\nmodified = 2026-01-01T00:00:00Z\n", encoding="utf-8"
    )
    library = Library.load(path)
    assert library.read_only
    assert str(library.error) == f"{path}:4: saved search 'mine' needs a 'query' string"


def test_an_older_file_without_saved_searches_reads_and_gains_them(tmp_path: Path) -> None:
    path = tmp_path / "library.toml"
    path.write_text('version = 1\n\n[papers.p1]\nstatus = "read"\n', encoding="utf-8")
    library = load(path)
    assert library.saved_searches() == {}
    library.save_search("x", "y")
    library.save()
    assert load(path).status("p1") == "read"


@given(st.text(max_size=90), st.text(max_size=40))
def test_whatever_is_accepted_reads_back_the_same(name: str, query: str) -> None:
    try:
        kept_name = saved_searches.check_name(name)
        kept_query = saved_searches.check_query(query)
    except SavedSearchError:
        return
    library = Library(Path("unused.toml"), LibraryData())
    library.save_search(kept_name, kept_query)
    parsed = toml_file.parse(toml_file.dump(library.data).decode("utf-8"), "library.toml")
    assert parsed.searches[kept_name].query == kept_query


CHILD = """
    import sys
    from paperbrowse.core.library.user_library import Library
    path, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    library = Library.load(path)
    for number in range(count):
        library.save_search(f"{prefix}{number}", f"query {prefix} {number}")
        library.save()
    if prefix == "b":
        library.delete_search("b0")
        library.save()
"""


def test_two_processes_saving_at_once_keep_every_search(tmp_path: Path) -> None:
    path = tmp_path / "library.toml"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(CHILD), str(path), prefix, "15"], stderr=subprocess.PIPE
        )
        for prefix in ("a", "b")
    ]
    for child in children:
        _, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
    expected = {f"a{n}" for n in range(15)} | {f"b{n}" for n in range(1, 15)}
    assert set(load(path).saved_searches()) == expected


OPS = st.lists(
    st.tuples(
        st.integers(0, 1),  # which copy
        st.sampled_from(["save", "delete", "write"]),
        st.sampled_from(["a", "b", "c"]),
        st.sampled_from(["dpo", "moe", "tag:rl"]),
    ),
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(OPS)
def test_two_copies_agree_with_the_file_and_keep_what_only_one_touched(ops: list[tuple[int, str, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "library.toml"
        copies = [load(path), load(path)]
        touched: dict[str, set[int]] = {}
        for number, action, name, query in ops:
            copy = copies[number]
            if action == "save":
                copy.save_search(name, query, replace=True)
            elif action == "delete" and copy.saved_search(name) is not None:
                copy.delete_search(name)
            elif action == "write":
                copy.save()
                continue
            else:
                continue
            touched.setdefault(name, set()).add(number)
        own = [copy.saved_searches() for copy in copies]
        for copy in copies:
            copy.save()
        for copy in copies:
            copy.refresh()
        on_disk = load(path).saved_searches()
        assert copies[0].saved_searches() == copies[1].saved_searches() == on_disk
        for name, by in touched.items():
            if len(by) == 1:  # only one copy changed it: its last word stands
                (number,) = by
                assert on_disk.get(name) == own[number].get(name)
