"""A rescue copy: what a session holds, written elsewhere when the library cannot be saved."""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path

import pytest

from paperbrowse.core.library import rescue
from paperbrowse.core.library.rescue import RescueError, write_rescue
from paperbrowse.core.library.user_library import Library, LibraryError

NOW = dt.datetime(2026, 12, 3, 4, 5, 6)


def test_the_copy_goes_beside_the_library_new_and_private(tmp_path: Path) -> None:
    library = tmp_path / "library.toml"
    copy = write_rescue(b"version = 1\n", library, now=NOW)
    assert copy == tmp_path / "library.unsaved-20261203-040506.toml"
    assert copy.read_bytes() == b"version = 1\n"
    assert copy.stat().st_mode & 0o777 == 0o600


def test_a_place_that_refuses_passes_to_the_next(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    second = tmp_path / "second"
    second.mkdir()
    copy = write_rescue(b"v", tmp_path / "library.toml", [not_a_folder, tmp_path / "missing", second], now=NOW)
    assert copy.parent == second


def test_an_existing_file_or_planted_link_at_the_name_is_left_alone(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("theirs", encoding="utf-8")
    (tmp_path / "library.unsaved-20261203-040506.toml").symlink_to(victim)
    (tmp_path / "library.unsaved-1-20261203-040506.toml").write_text("earlier copy", encoding="utf-8")
    copy = write_rescue(b"mine", tmp_path / "library.toml", [tmp_path], now=NOW)
    assert copy.name == "library.unsaved-2-20261203-040506.toml"
    assert victim.read_text(encoding="utf-8") == "theirs"
    assert (tmp_path / "library.unsaved-1-20261203-040506.toml").read_text(encoding="utf-8") == "earlier copy"


def test_no_place_taking_it_names_every_place_tried(tmp_path: Path) -> None:
    with pytest.raises(RescueError) as caught:
        write_rescue(b"v", tmp_path / "library.toml", [tmp_path / "a", tmp_path / "b"], now=NOW)
    assert str(tmp_path / "a") in str(caught.value) and str(tmp_path / "b") in str(caught.value)


def test_a_failed_write_leaves_no_partial_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(descriptor: int, data: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(RescueError, match="No space left"):
        write_rescue(b"v", tmp_path / "library.toml", [tmp_path], now=NOW)
    assert list(tmp_path.iterdir()) == []


def test_the_places_start_beside_the_library_and_end_in_the_temporary_folder(tmp_path: Path) -> None:
    places = rescue.rescue_places(tmp_path / "library.toml")
    assert places[0] == tmp_path and len(places) == len(set(places)) >= 3


def test_a_library_that_cannot_save_rescues_its_unsaved_changes(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    library = Library.load(folder / "library.toml")
    library.star("llama")
    library.append_note("llama", "a line I wrote")
    folder.write_text("now a file", encoding="utf-8")
    with pytest.raises(LibraryError):
        library.save()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    copy = library.rescue([folder, elsewhere])
    entry = tomllib.loads(copy.read_text(encoding="utf-8"))["papers"]["llama"]
    assert entry["starred"] is True and "a line I wrote" in entry["note"]
    assert Library.load(copy).note("llama").strip() == "a line I wrote"
