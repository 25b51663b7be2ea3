"""The scan's files are made a piece at a time (so a thread making them lets the browser run
between pieces): the pieces join into the same list, in the order of the sorted paths."""

from __future__ import annotations

import os

from paperbrowse.core.records import pieces
from paperbrowse.core.records.scan import scan


def test_files_made_in_pieces_are_the_files_made_at_once(tmp_path, monkeypatch) -> None:
    names = [f"{number:02d}-{letter}.toml" for number, letter in zip(range(17), "qwertyuiopasdfghj", strict=True)]
    for name in reversed(names):  # a listing's order, not the sorted one
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.toml").write_text("", encoding="utf-8")
    whole = scan([tmp_path]).files()
    monkeypatch.setattr(pieces, "PIECE", 3)
    in_pieces = scan([tmp_path]).files()

    assert in_pieces == whole
    assert [os.path.relpath(file.path, tmp_path) for file in in_pieces] == [
        *sorted(names),
        os.path.join("sub", "a.toml"),
    ]
    assert all(file.stat is not None and file.stat.st_ino == os.stat(file.path).st_ino for file in in_pieces)
