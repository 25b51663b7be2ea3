"""The parsed-file cache: the same catalog as parsing, and never trusted once the file changes."""

from __future__ import annotations

import os
import time

import pytest

from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.core.store import cache, small_files
from paperbrowse.core.store.cache import load_catalog_cached

CATEGORIES = '[[category]]\nid = "ml"\nname = "ML"\n'


def paper(paper_id: str, title: str) -> str:
    return (
        f'[[paper]]\nid = "{paper_id}"\ntitle = "{title}"\nauthors = ["A. Author"]\n'
        f'date = 2023-05-01\ncategory = "ml"\nweird = 1\n'
    )


@pytest.fixture
def collection(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "categories.toml").write_text(CATEGORIES)
    (folder / "a.toml").write_text(paper("one", "First") + "\n" + paper("two", "Second"))
    (folder / "bad.toml").write_text("[[paper]\n")
    age(folder)
    return folder


def age(folder, seconds: float = 60.0) -> None:
    """Date the files a minute back: a file changed within the last two seconds is never
    cached (a same-size rewrite in the same timestamp tick would keep its key)."""
    for path in folder.iterdir():
        stamp = time.time() - seconds
        os.utime(path, (stamp, stamp))


def snapshot(catalog):
    return (
        [(p, p.source, p.line, dict(p.extra)) for p in catalog.papers],
        sorted(catalog.categories),
        [str(problem) for problem in catalog.problems],
    )


def test_cached_catalog_equals_parsed_catalog(collection, tmp_path):
    store = tmp_path / "cache"
    first = load_catalog_cached([collection], store)
    assert list(store.glob("*.pickle")), "the first load fills the cache"
    second = load_catalog_cached([collection], store)
    assert snapshot(first) == snapshot(second) == snapshot(load_catalog([collection]))


def test_a_cache_hit_does_not_parse(collection, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    load_catalog_cached([collection], store)
    monkeypatch.setattr(cache, "parse_file", lambda path: pytest.fail(f"parsed {path} again"))
    assert len(load_catalog_cached([collection], store).papers) == 2


def test_an_edited_file_is_parsed_again_even_with_the_same_size(collection, tmp_path):
    store = tmp_path / "cache"
    load_catalog_cached([collection], store)
    target = collection / "a.toml"
    text = target.read_text()
    stat = target.stat()
    target.write_text(text.replace("First", "Fresh"))  # same length
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with the old mtime
    titles = {p.title for p in load_catalog_cached([collection], store).papers}
    assert "Fresh" in titles and "First" not in titles


def test_a_deleted_file_is_gone(collection, tmp_path):
    store = tmp_path / "cache"
    load_catalog_cached([collection], store)
    (collection / "a.toml").unlink()
    assert load_catalog_cached([collection], store).papers == []


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05garbage"])
def test_a_damaged_cache_entry_is_rebuilt(collection, tmp_path, damage):
    store = tmp_path / "cache"
    expected = snapshot(load_catalog_cached([collection], store))
    for entry in store.glob("*.pickle"):
        entry.write_bytes(damage)
    assert snapshot(load_catalog_cached([collection], store)) == expected
    assert snapshot(load_catalog_cached([collection], store)) == expected


def test_problems_name_the_file_as_reached_now(collection, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    load_catalog_cached([collection], store)
    monkeypatch.chdir(collection.parent)
    catalog = load_catalog_cached(["data"], store)
    assert any(p.file == os.path.join("data", "bad.toml") for p in catalog.problems)
    assert {p.source for p in catalog.papers} == {os.path.join("data", "a.toml")}


def test_the_cache_can_be_turned_off(collection, monkeypatch, tmp_path):
    monkeypatch.setenv("PAPERBROWSE_CACHE", "0")
    assert cache.cache_folder() is None
    assert len(load_catalog_cached([collection]).papers) == 2
    monkeypatch.setenv("PAPERBROWSE_CACHE", str(tmp_path / "elsewhere"))
    assert cache.cache_folder() == tmp_path / "elsewhere"


def test_an_unwritable_cache_still_loads(collection, tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    assert len(load_catalog_cached([collection], blocker).papers) == 2


def test_a_file_changed_just_now_is_not_cached(collection, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    (collection / "a.toml").write_text(paper("one", "First"))  # fresh: inside the racy window
    load_catalog_cached([collection], store)
    parsed = watch_parsing(monkeypatch)
    load_catalog_cached([collection], store)
    assert parsed == ["a.toml"]  # categories.toml and bad.toml came from the cache


def watch_parsing(monkeypatch) -> list[str]:
    parsed: list[str] = []
    real = cache.parse_file

    def parse(path):
        parsed.append(path.name)
        return real(path)

    monkeypatch.setattr(cache, "parse_file", parse)  # large files
    monkeypatch.setattr(small_files, "parse_file", parse)  # small ones, kept in runs
    return parsed


@pytest.mark.parametrize("papers", [1, 40])
def test_an_edit_parses_only_the_edited_file(tmp_path, monkeypatch, papers):
    """One-paper files share bucket entries, large files have their own: either way an edit
    parses that file again and no other, and the catalog is the parsed one."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "categories.toml").write_text(CATEGORIES)
    for number in range(30):
        text = "\n".join(paper(f"p{number}-{n}", "x" * 2000) for n in range(papers))
        (folder / f"f{number:02d}.toml").write_text(text)
    age(folder)
    store = tmp_path / "cache"
    load_catalog_cached([folder], store)
    edited = folder / "f07.toml"
    edited.write_text(paper("p7-0", "Edited"))
    os.utime(edited, (time.time() - 60, time.time() - 60))  # not racy; the others keep their ctime
    parsed = watch_parsing(monkeypatch)
    catalog = load_catalog_cached([folder], store)
    assert parsed == ["f07.toml"]
    assert snapshot(catalog) == snapshot(load_catalog([folder]))


def test_runs_of_small_files_reparse_only_what_changed(tmp_path, monkeypatch):
    """Hundreds of one-paper files are kept in runs: after an edit, an added and a deleted
    file, only the edited and the added one are parsed, and the catalog is the parsed one
    (problems and categories kept in small files included)."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "categories.toml").write_text(CATEGORIES)
    for number in range(700):
        (folder / f"p{number:03d}.toml").write_text(paper(f"p{number}", f"Paper {number}"))
    (folder / "p350b.toml").write_text("[[paper]\n")  # a syntax error, kept with its run
    age(folder)
    store = tmp_path / "cache"
    assert snapshot(load_catalog_cached([folder], store)) == snapshot(load_catalog([folder]))
    assert 1 < len(list(store.glob("files-*.pickle"))) <= small_files.BUCKETS
    (folder / "p123.toml").write_text(paper("p123", "Edited"))
    (folder / "p500.toml").unlink()
    (folder / "p600b.toml").write_text(paper("new", "New"))
    for name in ("p123.toml", "p600b.toml"):  # not racy; the others keep their times
        os.utime(folder / name, (time.time() - 60, time.time() - 60))
    parsed = watch_parsing(monkeypatch)
    catalog = load_catalog_cached([folder], store)
    assert sorted(parsed) == ["p123.toml", "p600b.toml"]
    assert snapshot(catalog) == snapshot(load_catalog([folder]))
    for entry in store.glob("snapshot-*"):
        entry.unlink()  # the runs alone, as after another edit
    parsed.clear()
    assert snapshot(load_catalog_cached([folder], store)) == snapshot(load_catalog([folder]))
    assert parsed == []


def test_a_run_with_a_file_changed_just_now_parses_that_file_again(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "categories.toml").write_text(CATEGORIES)
    for number in range(50):
        (folder / f"p{number:02d}.toml").write_text(paper(f"p{number}", f"Paper {number}"))
    age(folder)
    (folder / "p07.toml").write_text(paper("p7", "Fresh"))  # within the racy window
    store = tmp_path / "cache"
    load_catalog_cached([folder], store)
    parsed = watch_parsing(monkeypatch)
    catalog = load_catalog_cached([folder], store)
    assert parsed == ["p07.toml"]
    assert snapshot(catalog) == snapshot(load_catalog([folder]))


def test_the_papers_folder_is_read_through_the_cache_whatever_its_categories(tmp_path, monkeypatch):
    """`add` knows every paper of the papers folder (an id there is never reused), even one
    whose category no data defines; after the first time, without parsing the folder again."""
    from paperbrowse.core.records.catalog import Catalog
    from paperbrowse.core.sources.adding import Adder

    folder = tmp_path / "papers"
    folder.mkdir()
    for number in range(40):
        (folder / f"p{number}.toml").write_text(paper(f"p{number}", "Title").replace('"ml"', '"nowhere"'))
    age(folder)
    monkeypatch.setenv("PAPERBROWSE_CACHE", str(tmp_path / "cache"))
    assert {p.id for r in cache.folder_records(folder) for p in r.papers} == {f"p{n}" for n in range(40)}
    parsed = watch_parsing(monkeypatch)
    adder = Adder(folder, Catalog([], {}, [], ()), read=cache.folder_records)
    assert parsed == []
    assert {f"p{n}" for n in range(40)} <= adder._ids
