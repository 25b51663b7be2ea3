"""Durable writes: a new file's mode is the one any program would give it, an old file's kept."""

from __future__ import annotations

import os
import stat

import pytest

from paperbrowse.core.files.atomic import atomic_write, remove_leftovers


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_file_gets_0666_less_the_umask_of_the_moment(tmp_path, umask):
    old = os.umask(umask)  # the process's own setting, as a user's shell would leave it
    try:
        atomic_write(tmp_path / "new.toml", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.toml").stat().st_mode) == 0o666 & ~umask


def test_a_replaced_file_keeps_its_own_mode(tmp_path):
    path = tmp_path / "library.toml"
    path.write_bytes(b"old")
    path.chmod(0o640)
    atomic_write(path, [b"new ", b"text"])
    assert path.read_bytes() == b"new text"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["library.toml"]  # no temporary file left


def test_leftovers_of_a_killed_writer_are_found_by_their_name(tmp_path, monkeypatch):
    path = tmp_path / "library.toml"
    path.write_bytes(b"kept")

    def killed(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, b"lost")
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["library.toml"]  # cleaned on the way out
    (tmp_path / ".library.toml.0123456789ab.tmp").write_bytes(b"a writer killed by -9")
    remove_leftovers(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["library.toml"]
    assert path.read_bytes() == b"kept"
