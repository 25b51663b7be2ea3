"""One change to many papers (core.library.bulk), and its undo as one step (tui.undo.Group)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperbrowse.core.library import bulk
from paperbrowse.core.library.entries import LibraryData
from paperbrowse.core.library.user_library import STATUSES, Library
from paperbrowse.tui import undo

IDS = ["a", "b", "c", "d", "e"]
# Per paper: starred, status, tags.
STATE = st.tuples(st.booleans(), st.sampled_from(STATUSES), st.lists(st.sampled_from(["x", "y", "z"]), unique=True))


def library_with(states: list[tuple[bool, str, list[str]]]) -> Library:
    library = Library(Path("/nonexistent/library.toml"), LibraryData())  # never saved
    for paper_id, (starred, status, tags) in zip(IDS, states, strict=False):
        library.star(paper_id, starred)
        library.set_status(paper_id, status)
        library.set_tags(paper_id, tags)
    return library


def snapshot(library: Library) -> list[dict[str, object]]:
    """Each paper's values; tags as a set (undo adds a removed tag back at the end)."""
    return [{**undo.values(library, p), "tags": sorted(library.user_tags(p))} for p in IDS]


def apply_as_one_step(library: Library, ids: list[str], apply) -> undo.Step | None:
    """What the browser does: the values before and after each paper, kept as one step."""
    before = {paper_id: undo.values(library, paper_id) for paper_id in ids}
    apply(library)
    return undo.group([undo.change(p, before[p], undo.values(library, p)) for p in ids])


@given(st.lists(STATE, min_size=5, max_size=5), st.lists(st.sampled_from(IDS), min_size=1, unique=True))
def test_star_all_stars_every_one_unless_all_were_starred(states, ids) -> None:
    library = library_with(states)
    all_starred = all(library.is_starred(p) for p in ids)
    starred = bulk.star_all(library, ids)
    assert starred is not all_starred
    assert all(library.is_starred(p) is starred for p in ids)
    assert bulk.star_all(library, ids) is not starred  # again: the other way, for all of them


@given(st.lists(STATE, min_size=5, max_size=5), st.lists(st.sampled_from(IDS), min_size=1, unique=True))
def test_next_status_follows_the_first_paper_and_cycles_them_together(states, ids) -> None:
    library = library_with(states)
    seen = []
    for _ in range(3):
        status = bulk.next_status(library, ids)
        bulk.set_status_all(library, ids, status)
        assert {library.status(p) for p in ids} == {status}
        seen.append(status)
    assert sorted(seen) == sorted(STATUSES)


def test_a_bad_status_changes_no_paper() -> None:
    library = library_with([(False, "unread", [])] * 5)
    with pytest.raises(ValueError, match="status must be"):
        bulk.set_status_all(library, IDS, "done")
    assert {library.status(p) for p in IDS} == {"unread"}


def test_tags_of_any_and_edit_tags_all_keep_each_papers_other_tags() -> None:
    library = library_with([(False, "unread", ["x"]), (False, "unread", ["y", "x"]), (False, "unread", [])])
    assert bulk.tags_of_any(library, ["a", "b", "c"]) == ["x", "y"]
    bulk.edit_tags_all(library, ["a", "b", "c"], add=["new"], remove=["x"])
    assert [library.user_tags(p) for p in "abc"] == [("new",), ("y", "new"), ("new",)]


@given(
    st.lists(STATE, min_size=5, max_size=5),
    st.lists(st.sampled_from(IDS), min_size=1, unique=True),
    st.sampled_from(["star", "status", "tags"]),
)
def test_one_undo_takes_back_the_whole_change_and_redo_does_it_again(states, ids, action) -> None:
    library = library_with(states)
    start = snapshot(library)
    change = {
        "star": lambda lib: bulk.star_all(lib, ids),
        "status": lambda lib: bulk.set_status_all(lib, ids, bulk.next_status(lib, ids)),
        "tags": lambda lib: bulk.edit_tags_all(lib, ids, add=["new"], remove=["x"]),
    }[action]
    step = apply_as_one_step(library, ids, change)
    changed = snapshot(library)
    stack = undo.UndoStack()
    stack.record(step)
    if step is None:
        assert changed == start
        return
    assert stack.undo(library) is step
    assert snapshot(library) == start
    assert stack.undo(library) is None  # it was one step
    assert stack.redo(library) is step
    assert snapshot(library) == changed


def test_a_group_says_what_it_changed_and_how_many() -> None:
    library = library_with([(False, "unread", [])] * 5)
    step = apply_as_one_step(library, IDS[:3], lambda lib: bulk.star_all(lib, IDS[:3]))
    assert isinstance(step, undo.Group) and step.describe() == "star of 3 papers"
    single = apply_as_one_step(library, ["d"], lambda lib: bulk.star_all(lib, ["d"]))
    assert isinstance(single, undo.Change) and single.describe() == "star of d"
