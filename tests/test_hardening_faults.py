"""Hardening against faults: full disks, refused writes, odd library paths, kill -9, many
writers at once, and data or cache files changed underneath.

The promises under test (README "Your library", SECURITY.md): a save that fails raises a clear
LibraryError (the CLI exits 1 naming the file), keeps the change in memory for a retry, and
leaves the old file intact byte for byte; a kill at any moment leaves a file that parses and holds
every acknowledged change; concurrent writers lose nothing; a stale or corrupt cache is rebuilt,
never trusted.
"""

from __future__ import annotations

import errno
import os
import pickle
import random
import signal
import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path

import pytest

from conftest import CATEGORIES_TOML, paper_toml, write_text
from paperbrowse.cli.main import main
from paperbrowse.core.files import atomic, exports
from paperbrowse.core.library.user_library import Library, LibraryError
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.core.store import cache, trust
from paperbrowse.core.store.cache import load_catalog_cached
from paperbrowse.tui.widgets.paper_list import PaperList
from tui_support import list_rows, make_app, opened, run, settle

POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX file semantics, fork and SIGKILL")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def load_ok(path: Path) -> Library:
    library = Library.load(path)
    assert library.error is None, library.error
    return library


@pytest.fixture
def lib_path(tmp_path: Path) -> Path:
    """A library that already holds something, so 'intact' means something."""
    path = tmp_path / "home" / "library.toml"
    library = Library.load(path)
    library.star("llama")
    library.set_note("llama", "my old note\nwith two lines")
    library.set_tags("vit", ["vision"])
    library.save()
    library.set_status("vit", "read")
    library.save()  # a second save leaves a .bak too
    return path


# ---------------------------------------------------------------------------------------------
# Fault injection: the machine runs as root, so errors are injected where the OS would raise them.
# ---------------------------------------------------------------------------------------------


def _error(code: int) -> OSError:
    return OSError(code, os.strerror(code))


class Fault:
    """One failing system call on the save path, switched on and off (also from another thread)."""

    WHERE = ("temp file", "write", "fsync", "replace", "lock")

    def __init__(self, where: str, code: int) -> None:
        assert where in self.WHERE
        self.where, self.code = where, code
        self._patch: pytest.MonkeyPatch | None = None

    def __enter__(self) -> Fault:
        self.on()
        return self

    def __exit__(self, *exc: object) -> None:
        self.off()

    def on(self) -> None:
        patch = self._patch = pytest.MonkeyPatch()
        error = _error(self.code)

        def fail(*args: object, **kwargs: object):
            raise error

        if self.where == "temp file":  # creating the temporary file: EACCES, EROFS, ENOSPC (inodes)
            patch.setattr(atomic, "_new_temp_file", fail)
            patch.setattr(exports, "_new_temp_file", fail)  # an export's own, made beside its target
        elif self.where == "write":  # writing the bytes: ENOSPC
            real = os.fdopen

            def fdopen(fd, *args, **kwargs):
                handle = real(fd, *args, **kwargs)
                return _FailingWrites(handle, error)

            patch.setattr(os, "fdopen", fdopen)
        elif self.where == "fsync":  # ENOSPC and EIO often surface only here
            patch.setattr(os, "fsync", fail)
        elif self.where == "replace":  # the rename: EACCES, EROFS
            patch.setattr(os, "replace", fail)
        else:  # the lock file beside the library: EROFS, EACCES
            patch.setattr(atomic, "open", fail, raising=False)

    def off(self) -> None:
        if self._patch is not None:
            self._patch.undo()
            self._patch = None


class _FailingWrites:
    def __init__(self, handle, error: OSError) -> None:
        self.handle, self.error = handle, error

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()

    def write(self, data: bytes) -> int:
        raise self.error

    def flush(self) -> None:
        self.handle.flush()

    def fileno(self) -> int:
        return self.handle.fileno()


FAULTS = [
    ("temp file", errno.ENOSPC),
    ("temp file", errno.EACCES),
    ("temp file", errno.EROFS),
    ("write", errno.ENOSPC),
    ("write", errno.EIO),
    ("fsync", errno.ENOSPC),
    ("fsync", errno.EIO),
    ("replace", errno.EACCES),
    ("replace", errno.EROFS),
    ("lock", errno.EROFS),
    ("lock", errno.EACCES),
]
FAULT_IDS = [f"{where}-{errno.errorcode[code]}" for where, code in FAULTS]


@pytest.mark.parametrize(("where", "code"), FAULTS, ids=FAULT_IDS)
def test_a_failing_save_is_a_clear_error_keeps_the_change_and_the_old_file(lib_path, where, code):
    before = lib_path.read_bytes()
    backup = lib_path.with_name("library.toml.bak")
    backup_before = backup.read_bytes()
    library = load_ok(lib_path)
    library.star("new")
    library.append_note("llama", "added line")
    library.edit_tags("vit", add=["later"])
    with Fault(where, code), pytest.raises(LibraryError) as info:
        library.save()
    message = str(info.value)
    assert str(lib_path) in message and os.strerror(code) in message
    assert "kept in memory" in message
    assert lib_path.read_bytes() == before  # byte for byte
    assert backup.read_bytes() == backup_before
    assert leftovers(lib_path.parent) == []
    assert library.unsaved and library.is_starred("new")  # kept for the retry
    library.save()  # the fault is gone: the retry writes everything
    assert not library.unsaved
    again = load_ok(lib_path)
    assert again.is_starred("new") and again.is_starred("llama")
    assert again.note("llama") == "my old note\nwith two lines\nadded line"
    assert again.user_tags("vit") == ("vision", "later") and again.status("vit") == "read"
    assert backup.read_bytes() == before


def test_the_first_save_failing_creates_no_file(tmp_path):
    path = tmp_path / "library.toml"
    library = Library.load(path)
    library.star("a")
    with Fault("write", errno.ENOSPC), pytest.raises(LibraryError):
        library.save()
    assert not path.exists() and leftovers(tmp_path) == []
    library.save()
    assert load_ok(path).is_starred("a")


@pytest.mark.parametrize(
    ("argv", "where", "code"),
    [
        (["star", "vit", "gpt-4"], "write", errno.ENOSPC),
        (["note", "llama", "--append", "x"], "temp file", errno.EROFS),
        (["tag", "vit", "+x"], "replace", errno.EACCES),
        (["status", "llama", "read"], "lock", errno.EROFS),
    ],
    ids=["star-ENOSPC", "note-EROFS", "tag-EACCES", "status-lock-EROFS"],
)
def test_cli_changes_under_a_fault_exit_1_naming_the_file(capsys, collection, lib_path, argv, where, code):
    before = lib_path.read_bytes()
    with Fault(where, code):
        result = main(["--data", str(collection), "--library", str(lib_path), *argv])
    out, err = capsys.readouterr()
    assert result == 1
    assert err.startswith("paperbrowse: ") and str(lib_path) in err and os.strerror(code) in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert lib_path.read_bytes() == before
    assert main(["--data", str(collection), "--library", str(lib_path), *argv]) == 0  # no fault: works


@pytest.mark.parametrize(("where", "code"), [("write", errno.ENOSPC), ("fsync", errno.EIO), ("temp file", errno.EROFS)])
def test_cli_export_under_a_fault_exits_1_and_writes_nothing(capsys, collection, tmp_path, where, code):
    target = tmp_path / "out.bib"
    with Fault(where, code):
        result = main(["--data", str(collection), "export", "cat:llm", "--format", "bibtex", "-o", str(target)])
    err = capsys.readouterr().err
    assert result == 1 and f"cannot write {target}" in err and os.strerror(code) in err
    assert not target.exists() and leftovers(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# Odd library paths: a folder, a symlink, a missing or impossible parent folder.
# ---------------------------------------------------------------------------------------------


def test_a_library_path_that_is_a_folder(tmp_path, capsys, collection):
    folder = tmp_path / "library.toml"
    (folder / "inside").mkdir(parents=True)
    library = Library.load(folder)
    assert library.read_only and str(folder) in str(library.error) and "folder" in str(library.error)
    library.star("llama")
    with pytest.raises(LibraryError, match="not saving"):
        library.save()
    assert main(["--data", str(collection), "--library", str(folder), "star", "llama"]) == 1
    err = capsys.readouterr().err
    assert str(folder) in err and "refusing to write" in err
    assert main(["--data", str(collection), "--library", str(folder), "list"]) == 0
    assert "read-only" in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["inside"]


@POSIX
def test_a_symlinked_library_keeps_its_link_and_updates_the_target(tmp_path, capsys, collection):
    (tmp_path / "sync").mkdir()
    (tmp_path / "home").mkdir()
    target = tmp_path / "sync" / "real.toml"
    link = tmp_path / "home" / "library.toml"
    os.symlink(os.path.join("..", "sync", "real.toml"), link)  # relative, as dotfile managers make them
    library = Library.load(link)
    library.star("llama")
    library.save()
    assert main(["--data", str(collection), "--library", str(link), "tag", "llama", "+mine"]) == 0
    assert main(["--data", str(collection), "--library", str(link), "note", "llama", "--text", "n"]) == 0
    assert link.is_symlink() and os.readlink(link) == os.path.join("..", "sync", "real.toml")
    assert sorted(p.name for p in (tmp_path / "home").iterdir()) == ["library.toml"]  # nothing beside the link
    assert {"real.toml", "real.toml.bak", "real.toml.lock"} <= {p.name for p in (tmp_path / "sync").iterdir()}
    saved = tomllib.loads(target.read_text(encoding="utf-8"))["papers"]["llama"]
    assert (saved["starred"], saved["tags"], saved["note"]) == (True, ["mine"], "n")
    # A link whose target does not exist yet: the first save creates the target, keeps the link.
    dangling = tmp_path / "home" / "other.toml"
    os.symlink(tmp_path / "sync" / "new.toml", dangling)
    assert main(["--data", str(collection), "--library", str(dangling), "star", "vit"]) == 0
    assert dangling.is_symlink() and load_ok(tmp_path / "sync" / "new.toml").is_starred("vit")


@POSIX
def test_a_symlink_loop_or_a_link_into_a_missing_folder_is_a_clear_error(tmp_path, capsys, collection):
    loop = tmp_path / "loop.toml"
    os.symlink(loop.name, loop)
    library = Library.load(loop)
    assert library.read_only and str(loop) in str(library.error)
    assert main(["--data", str(collection), "--library", str(loop), "star", "vit"]) == 1
    assert str(loop) in capsys.readouterr().err
    nowhere = tmp_path / "nowhere.toml"
    os.symlink(tmp_path / "missing-folder" / "x.toml", nowhere)
    assert main(["--data", str(collection), "--library", str(nowhere), "star", "vit"]) == 1
    err = capsys.readouterr().err
    assert str(nowhere) in err and "No such file or directory" in err
    assert nowhere.is_symlink()


def test_a_missing_parent_folder_is_created_an_impossible_one_is_a_clear_error(tmp_path, capsys, collection):
    deep = tmp_path / "a" / "b" / "c" / "library.toml"
    assert main(["--data", str(collection), "--library", str(deep), "star", "vit"]) == 0
    assert load_ok(deep).is_starred("vit")
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    impossible = blocker / "sub" / "library.toml"
    assert main(["--data", str(collection), "--library", str(impossible), "star", "vit"]) == 1
    err = capsys.readouterr().err
    assert str(impossible) in err and "Traceback" not in err
    assert blocker.read_text() == "a file where a folder should be"


# ---------------------------------------------------------------------------------------------
# The browser: a failing save keeps the ★, says so, and a later save writes it.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "code"), [("fsync", errno.ENOSPC), ("temp file", errno.EACCES), ("lock", errno.EROFS)]
)
def test_tui_save_fault_keeps_the_star_and_retries(collection, lib_path, monkeypatch, where, code):
    monkeypatch.setattr("paperbrowse.tui.widgets.save_status.FIRST_RETRY", 0.2)
    before = lib_path.read_bytes()
    app = make_app([collection], lib_path)
    fault = Fault(where, code)

    async def scenario(pilot) -> None:
        papers = app.screen.query_one(PaperList)
        paper_id = papers.current.id
        assert not app.session.library.is_starred(paper_id)
        fault.on()
        try:
            await pilot.press("s")
            await settle(pilot)
            errors = [n for n in app._notifications if n.severity == "error"]
            assert errors, [n.message for n in app._notifications]
            assert str(lib_path) in errors[0].message and os.strerror(code) in errors[0].message
            assert list_rows(papers)[papers.cursor].startswith("★")  # the ★ stays
            assert app.session.library.unsaved and app.session.library.is_starred(paper_id)
            assert lib_path.read_bytes() == before  # byte for byte
            await pilot.pause(0.5)  # a retry or two, still failing
            assert lib_path.read_bytes() == before and app.is_running
        finally:
            fault.off()
        for _ in range(40):  # the retry timer (0.2 s here, then longer; 2 s in real use) now succeeds
            await pilot.pause(0.1)
            await settle(pilot)
            if not app.session.library.unsaved:
                break
        assert not app.session.library.unsaved
        assert load_ok(lib_path).is_starred(paper_id)
        assert list_rows(papers)[papers.cursor].startswith("★")

    run(app, scenario)
    final = load_ok(lib_path)
    assert final.note("llama") == "my old note\nwith two lines"  # what was there is still there
    assert leftovers(lib_path.parent) == []


# ---------------------------------------------------------------------------------------------
# kill -9 of a writer at random moments, 200 times.
# ---------------------------------------------------------------------------------------------

# One Python process imports paperbrowse once and forks a writer per round, so that 200 rounds
# cost 200 forks rather than 200 interpreter starts. Each writer makes one change per save (the
# n-th change is a star, a status, a tag or a note line, by n % 4), records n in [state], and
# appends "n" to its own ack file only after save() returned: an acknowledged change.
FORKER = r"""
import os, sys, traceback
from paperbrowse.core.library.user_library import Library

path, acks = sys.argv[1], sys.argv[2]

def writer(fd):
    library = Library.load(path)
    if library.error is not None:
        raise SystemExit(f"unreadable: {library.error}")
    n = int(library.state.get("selected") or 0)
    os.write(fd, f"start {n}\n".encode())
    while True:
        n += 1
        kind = n % 4
        if kind == 0:
            library.star(f"s{n}")
        elif kind == 1:
            library.set_status(f"r{n}", "reading" if n % 8 == 1 else "read")
        elif kind == 2:
            library.edit_tags("tagged", add=[f"t{n}"])
        else:
            library.append_note("log", f"line {n} 中文 😀")
        library.set_state(selected=str(n))
        library.save()
        os.write(fd, f"{n}\n".encode())

for line in sys.stdin:
    fd = os.open(os.path.join(acks, line.strip() + ".acks"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    pid = os.fork()
    if pid == 0:
        try:
            writer(fd)
        except BaseException:
            os.write(fd, traceback.format_exc().encode())
        os._exit(3)
    os.close(fd)
    print(pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print(status, flush=True)
"""


def expected_state(path: Path, number: int) -> None:
    """The library holds exactly the changes 1..number, whole, and nothing newer."""
    library = load_ok(path)
    assert int(library.state.get("selected") or 0) == number
    entries = library.data.entries
    stars = {pid for pid, e in entries.items() if e.starred}
    assert stars == {f"s{n}" for n in range(4, number + 1, 4)}
    statuses = {pid: e.status for pid, e in entries.items() if pid.startswith("r")}
    assert statuses == {f"r{n}": "reading" if n % 8 == 1 else "read" for n in range(1, number + 1, 4)}
    assert library.user_tags("tagged") == tuple(f"t{n}" for n in range(2, number + 1, 4))
    assert library.note("log") == "\n".join(f"line {n} 中文 😀" for n in range(3, number + 1, 4))


@pytest.mark.slow
@POSIX
def _wait_for_an_ack(log: Path) -> None:
    for _ in range(2000):
        if log.exists() and len(log.read_text(encoding="utf-8").split("\n")) > 2:  # start, an ack
            return
        time.sleep(0.005)


def test_kill_9_at_random_moments_200_times_loses_no_acknowledged_change(tmp_path):
    path = tmp_path / "library.toml"
    acks = tmp_path / "acks"
    acks.mkdir()
    forker = subprocess.Popen(
        [sys.executable, "-c", FORKER, str(path), str(acks)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    rng = random.Random(6)
    on_disk = kills = mid_save = 0
    try:
        for round_number in range(200):
            forker.stdin.write(f"{round_number}\n")
            forker.stdin.flush()
            pid = int(forker.stdout.readline())
            if round_number % 3 == 0:
                # Every third round first waits for a save to be acknowledged, so that the file
                # keeps growing however slow a busy machine makes the writer.
                _wait_for_an_ack(acks / f"{round_number}.acks")
            # The writer saves back to back, so a kill lands inside a save almost every time: while
            # loading, reading under the lock, writing the backup or the temporary file, fsyncing,
            # replacing, or between the replace and the ack. Short delays hit the first save.
            time.sleep(rng.choice([rng.uniform(0, 0.005), rng.uniform(0, 0.02), rng.uniform(0.01, 0.04)]))
            os.kill(pid, signal.SIGKILL)
            status = int(forker.stdout.readline())
            log = (acks / f"{round_number}.acks").read_text(encoding="utf-8")
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, log
            kills += 1
            lines = log.split("\n")[:-1]  # complete lines only
            if lines:
                assert lines[0] == f"start {on_disk}", lines[0]
            acknowledged = int(lines[-1]) if len(lines) > 1 else on_disk
            if not path.exists():
                assert acknowledged == 0
                continue
            number = int(load_ok(path).state.get("selected") or 0)
            # Every acknowledged change is on disk; at most the save being acknowledged is newer.
            assert number in (acknowledged, acknowledged + 1), (number, acknowledged)
            mid_save += number == acknowledged + 1
            expected_state(path, number)
            backup = path.with_name("library.toml.bak")
            if backup.exists():
                tomllib.loads(backup.read_text(encoding="utf-8"))
            on_disk = number
    finally:
        forker.stdin.close()
        forker.wait(timeout=30)
        forker.stdout.close()
        forker.stderr.close()
    assert kills == 200
    assert on_disk >= 50, f"only {on_disk} saves acknowledged: the kills came too early to test much"
    # A clean save afterwards works on top of whatever the kills left, and tidies up.
    library = load_ok(path)
    library.star("after")
    library.save()
    assert leftovers(tmp_path) == []
    assert load_ok(path).is_starred("after")
    print(f"200 kills; {on_disk} changes acknowledged; {mid_save} kills between a save and its ack")


# ---------------------------------------------------------------------------------------------
# N processes (CLI commands and a browser) changing the same library at once.
# ---------------------------------------------------------------------------------------------

CLI_WORKER = """
import sys, time
from pathlib import Path
from paperbrowse.cli.main import main

gate, data, ready = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
ready.touch()
while not gate.exists():
    time.sleep(0.002)
for paper_id in sys.argv[4:]:
    for argv in (["star", paper_id], ["note", paper_id, "--append", "cli"], ["tag", paper_id, "+cli"]):
        code = main(["--data", data, *argv])
        assert code == 0, (argv, code)
print("done", flush=True)
"""

TUI_WORKER = """
import asyncio, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[4])
from tui_support import make_app, settle
from paperbrowse.tui.widgets.paper_list import PaperList

gate, data, ready = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
library = sys.argv[5]
app = make_app([data], library)

async def main():
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        papers = app.screen.query_one(PaperList)
        starred = []
        ready.touch()
        while not gate.exists():
            await asyncio.sleep(0.002)
        for _ in range(4):
            while papers.current.id.startswith("c"):  # the CLI processes' papers
                await pilot.press("j")
            starred.append(papers.current.id)
            await pilot.press("s", "r")
            await settle(pilot)
            await pilot.press("j")
        await pilot.press("q")
        await settle(pilot)
        print(" ".join(starred), flush=True)

asyncio.run(main())
"""


@pytest.mark.slow
@POSIX
def test_three_cli_processes_and_a_browser_changing_one_library_lose_nothing(tmp_path):
    data = tmp_path / "data"
    text = '[[category]]\nid = "llm"\nname = "LLMs"\n'
    ids = [f"c{i}" for i in range(6)] + [f"t{i}" for i in range(6)]
    for paper_id in ids:
        text += "\n" + paper_toml(paper_id, date=f"2023-01-{10 + int(paper_id[1:]):02d}")
    write_text(data / "papers.toml", text)
    path = tmp_path / "library.toml"
    seed = Library.load(path)
    seed.set_note("t5", "written before anyone started")
    seed.save()
    gate = tmp_path / "go"
    env = {**os.environ, "PAPERBROWSE_LIBRARY": str(path)}
    tests = str(Path(__file__).parent)

    def start(code: str, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code), *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    workers = [
        start(CLI_WORKER, str(gate), str(data), str(tmp_path / f"ready-cli{n}"), f"c{2 * n}", f"c{2 * n + 1}")
        for n in range(3)
    ]
    workers.append(start(TUI_WORKER, str(gate), str(data), str(tmp_path / "ready-tui"), tests, str(path)))
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < 4:
        assert time.monotonic() < deadline, [w.poll() for w in workers]
        assert all(w.poll() is None for w in workers), [w.communicate() for w in workers if w.poll() is not None]
        time.sleep(0.01)
    gate.touch()
    outputs = []
    for worker in workers:
        out, err = worker.communicate(timeout=90)
        assert worker.returncode == 0, err
        outputs.append(out)
    browser_starred = outputs[-1].split()
    assert len(browser_starred) == 4 and all(pid.startswith("t") for pid in browser_starred)

    final = load_ok(path)
    for n in range(6):
        entry = final.entry(f"c{n}")
        assert entry.starred and entry.note == "cli" and entry.tags == ("cli",), (f"c{n}", entry)
    for paper_id in browser_starred:
        assert final.is_starred(paper_id) and final.status(paper_id) == "reading", paper_id
    assert set(final.starred_ids()) == {f"c{n}" for n in range(6)} | set(browser_starred)
    assert final.note("t5") == "written before anyone started"
    assert final.state.get("selected")  # the browser's state, saved on quit


# ---------------------------------------------------------------------------------------------
# Data files edited or deleted, and the cache out of date or corrupt.
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def snapshot(catalog) -> tuple:
    return (
        [(p, p.source, p.line, dict(p.extra)) for p in catalog.papers],
        sorted(catalog.categories.items()),
        list(catalog.problems),
    )


def test_data_files_edited_in_every_way_are_seen_by_the_next_load(collection, store):
    target = collection / "papers" / "2023.toml"
    load_catalog_cached([collection], store)
    text = target.read_text(encoding="utf-8")
    # In place, same size, old mtime put back.
    stat = target.stat()
    target.write_text(text.replace("Mistral 7B", "Mistral 8B"), encoding="utf-8")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert load_catalog_cached([collection], store).by_id["mistral-7b"].title == "Mistral 8B"
    # Replaced by a rename (what editors do), with the old times.
    fresh = target.with_name("2023.toml.new")
    fresh.write_text(text.replace("Mistral 7B", "Mistral 9B"), encoding="utf-8")
    os.utime(fresh, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(fresh, target)
    assert load_catalog_cached([collection], store).by_id["mistral-7b"].title == "Mistral 9B"
    # Broken: the problem is reported, not the cached records.
    target.write_text(text + "\n[[paper]\n", encoding="utf-8")
    catalog = load_catalog_cached([collection], store)
    assert "mistral-7b" not in catalog.by_id and catalog.errors[0].file == str(target)
    # Deleted: its records are gone.
    target.unlink()
    catalog = load_catalog_cached([collection], store)
    assert not {"llama", "gpt-4", "mistral-7b"} & set(catalog.by_id) and catalog.errors == []
    assert snapshot(catalog) == snapshot(load_catalog([collection]))


def _entry(store: Path) -> Path:
    [entry] = store.glob("*.pickle")
    return entry


def _right_key_bad_body(entry: Path) -> bytes:
    key, packed = pickle.loads(entry.read_bytes())
    path, papers, categories, problems = packed
    return pickle.dumps((key, (path, [row[:3] for row in papers], categories, problems)))


def _right_key_wrong_types(entry: Path) -> bytes:
    key, packed = pickle.loads(entry.read_bytes())
    return pickle.dumps((key, ("x", [("not", "a", "row")] * 3, "nope", None)))


CORRUPTIONS = {
    "empty": lambda entry: b"",
    "garbage": lambda entry: os.urandom(64),
    "truncated": lambda entry: entry.read_bytes()[: len(entry.read_bytes()) // 2],
    "not-a-tuple": lambda entry: pickle.dumps("hello"),
    "wrong-arity": lambda entry: pickle.dumps((1, 2, 3)),
    "stale-key": lambda entry: pickle.dumps((("old", "key"), pickle.loads(entry.read_bytes())[1])),
    "right-key-short-rows": _right_key_bad_body,
    "right-key-wrong-types": _right_key_wrong_types,
}


@pytest.mark.parametrize("kind", list(CORRUPTIONS))
def test_a_corrupt_cache_entry_is_ignored_and_rebuilt(tmp_path, store, kind):
    data = tmp_path / "data"
    write_text(data / "cats.toml", CATEGORIES_TOML)
    write_text(data / "papers.toml", paper_toml("only", title="The only paper") + 'bogus = "kept"\n')
    expected = snapshot(load_catalog([data]))
    load_catalog_cached([data], store)
    entries = {p.name for p in store.glob("*.pickle")}
    for entry in store.glob("*.pickle"):
        entry.write_bytes(CORRUPTIONS[kind](entry))
    assert snapshot(load_catalog_cached([data], store)) == expected
    assert {p.name for p in store.glob("*.pickle")} == entries
    for entry in store.glob("*.pickle"):  # rebuilt: a readable entry again
        key, _ = pickle.loads(entry.read_bytes())
        assert key[0] == cache.FORMAT
    assert snapshot(load_catalog_cached([data], store)) == expected


@pytest.mark.parametrize("kind", ["a folder at the entry", "the cache is a file", "unwritable"])
def test_an_unusable_cache_folder_still_loads(collection, tmp_path, monkeypatch, capsys, kind):
    store = tmp_path / "cache"
    expected = snapshot(load_catalog([collection]))
    if kind == "a folder at the entry":
        load_catalog_cached([collection], store)
        for entry in store.glob("*.pickle"):
            entry.unlink()
            entry.mkdir()
    elif kind == "the cache is a file":
        store.write_text("not a folder")
    else:

        def refused(*args: object, **kwargs: object) -> None:
            raise _error(errno.EACCES)

        monkeypatch.setattr(trust, "atomic_write", refused)  # every cache file is written through trust
    assert snapshot(load_catalog_cached([collection], store)) == expected
    monkeypatch.setenv("PAPERBROWSE_CACHE", str(store))
    assert main(["--data", str(collection), "list"]) == 0  # and the command line works
    assert "llama" in capsys.readouterr().out


class _CoarseClock:
    """File times as a filesystem with coarse timestamps reports them (whole seconds, as on
    ext3, HFS+, FAT, many network file systems, and Linux before multigrain timestamps within
    one clock tick): two writes in the same tick look alike."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real = Path.stat

        def stat(path: Path, *args, **kwargs):
            result = real(path, *args, **kwargs)
            if path.suffix != ".toml":
                return result
            seconds = {"st_mtime_ns": int(result.st_mtime) * 10**9, "st_ctime_ns": int(result.st_ctime) * 10**9}
            return _Stat(result, seconds)

        monkeypatch.setattr(Path, "stat", stat)


class _Stat:
    def __init__(self, real, overrides: dict) -> None:
        self._real, self._overrides = real, overrides

    def __getattr__(self, name: str):
        return self._overrides.get(name, getattr(self._real, name))


def test_an_edit_in_the_same_timestamp_tick_is_not_hidden_by_the_cache(collection, store, monkeypatch):
    _CoarseClock(monkeypatch)
    target = collection / "papers" / "2023.toml"
    text = target.read_text(encoding="utf-8")
    target.write_text(text, encoding="utf-8")
    load_catalog_cached([collection], store)  # cached just after the write
    target.write_text(text.replace("Mistral 7B", "Mistral 8B"), encoding="utf-8")  # same size, same tick
    if int(time.time()) != int(target.stat().st_mtime):  # pragma: no cover - the tick ended meanwhile
        pytest.skip("the clock crossed a second between the writes")
    assert load_catalog_cached([collection], store).by_id["mistral-7b"].title == "Mistral 8B"


def test_the_running_browser_survives_its_data_files_edited_and_deleted(collection, tmp_path, monkeypatch):
    """Files edited, broken or deleted underneath never crash the browser (its watcher reloads
    them every few seconds, see test_tui_reload.py), and the next start shows them as they are."""
    monkeypatch.chdir(tmp_path)
    lib_path = tmp_path / "library.toml"
    app = make_app([collection], lib_path)
    calls: list[str] = []
    app.open_url = lambda url, **_: calls.append(url)
    app.open_target = lambda target, command=None: opened(calls, target)

    async def scenario(pilot) -> None:
        (collection / "papers" / "older" / "2022.toml").unlink()
        target = collection / "papers" / "2023.toml"
        target.write_text(target.read_text(encoding="utf-8").replace("Mistral 7B", "Mistral 8B"), encoding="utf-8")
        (collection / "categories.toml").write_text("[[category]\nbroken", encoding="utf-8")
        for keys in (["s"], ["r"], ["j", "o"], ["slash", "v", "i", "t", "enter"]):
            await pilot.press(*keys)
            await settle(pilot)
        # The watcher's reload may come at any moment: once it has, the broken categories leave
        # no paper to star (a busy machine decides which); what is starred must be saved.
        shown = app.screen.query_one(PaperList).current
        starred.append(shown.id if shown else None)
        for keys in (["s"], ["question_mark"], ["escape"]):
            await pilot.press(*keys)
            await settle(pilot)
        assert app.is_running
        await pilot.press("q")

    starred: list[str | None] = []
    run(app, scenario)
    assert app.return_code == 0
    assert len(load_ok(lib_path).starred_ids()) == (2 if starred[0] else 1)
    fresh = make_app([collection], lib_path)

    async def next_start(pilot) -> None:
        catalog = fresh.session.catalog
        assert "vit" not in catalog.by_id and catalog.errors  # deleted, and the broken file reported
        assert len(fresh.screen.query_one(PaperList).papers) == 0  # no categories: records skipped
        assert any(p.file.endswith("categories.toml") for p in catalog.errors)

    run(fresh, next_start)


def test_the_last_tag_node_is_restored_on_the_next_start(collection, tmp_path):
    lib_path = tmp_path / "library.toml"
    library = Library.load(lib_path)
    library.set_state(category="tag:attention", query="", selected="")
    library.save()
    app = make_app([collection], lib_path)

    async def scenario(pilot) -> None:
        from paperbrowse.tui.widgets.category_tree import CategoryTree

        tree = app.screen.query_one(CategoryTree)
        assert tree.cursor_node.data.key == "tag:attention"
        assert [p.id for p in app.screen.query_one(PaperList).papers] == ["flash-attention"]

    run(app, scenario)


def test_a_library_changed_by_another_process_while_the_browser_runs_is_merged(collection, lib_path):
    app = make_app([collection], lib_path)

    async def scenario(pilot) -> None:
        other = Library.load(lib_path)  # `paperbrowse ...` in another terminal, meanwhile
        other.star("flash-attention")
        other.append_note("llama", "from the other terminal")
        other.save()
        paper_id = app.screen.query_one(PaperList).current.id
        await pilot.press("s", "t")
        await settle(pilot)
        await pilot.press(*"mine", "enter")
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        final = load_ok(lib_path)
        assert final.is_starred(paper_id) and final.user_tags(paper_id) == ("mine",)
        assert final.is_starred("flash-attention") and final.is_starred("llama")
        assert final.note("llama") == "my old note\nwith two lines\nfrom the other terminal"
        assert final.user_tags("vit") == ("vision",) and final.status("vit") == "read"

    run(app, scenario)
