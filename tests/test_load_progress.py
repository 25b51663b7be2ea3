"""A long load says how far it has come: the core tells, the CLI shows it on a terminal."""

from __future__ import annotations

import io

import pytest

from paperbrowse.cli import progress as progress_module
from paperbrowse.cli.progress import LoadProgress
from paperbrowse.core.store.cache import load_catalog_cached
from test_cache import CATEGORIES, age, paper


@pytest.mark.parametrize("cached", [True, False])
def test_the_load_tells_every_file_read_up_to_the_total(tmp_path, monkeypatch, cached):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "categories.toml").write_text(CATEGORIES)
    for number in range(12):
        (folder / f"one-{number}.toml").write_text(paper(f"p{number}", "One"))
    (folder / "large.toml").write_text("\n".join(paper(f"l{n}", "x" * 3000) for n in range(40)))
    age(folder)
    monkeypatch.setenv("PAPERBROWSE_CACHE", str(tmp_path / "cache") if cached else "0")
    told: list[tuple[int, int]] = []
    catalog = load_catalog_cached([folder], progress=lambda done, total: told.append((done, total)))
    assert len(catalog.papers) == 52
    assert told[-1] == (14, 14)
    assert [done for done, _ in told] == sorted(done for done, _ in told)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_shows_after_a_second_on_a_terminal_and_is_erased(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: now[0])
    screen = Terminal()
    shown = LoadProgress(screen)
    shown(10, 100)
    assert screen.getvalue() == ""  # a load under a second says nothing
    now[0] = 1.5
    shown(40, 100)
    assert screen.getvalue() == "\rpaperbrowse: reading the data: 40 of 100 files (40%)"
    shown.finish()
    assert screen.getvalue().endswith("\r\x1b[K")


def test_nothing_is_written_to_a_pipe(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: now[0])
    pipe = io.StringIO()
    shown = LoadProgress(pipe)
    now[0] = 5.0
    shown(1, 2)
    shown.finish()
    assert pipe.getvalue() == ""
