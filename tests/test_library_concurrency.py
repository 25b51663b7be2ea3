"""The library under real concurrency: several processes saving at once, and kill -9 mid-save."""

from __future__ import annotations

import os
import random
import select
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from paperbrowse.core.library.user_library import Library

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.name != "posix", reason="uses fork-style processes and SIGKILL"),
]

TIMEOUT = 60  # seconds for any one child: a hang (a lock never released) fails instead of blocking


def python(code: str, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        **kwargs,
    )


def finish(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0, err
    return out


def cli_command() -> list[str]:
    """The installed `paperbrowse` script next to this Python, else the module."""
    script = Path(sys.executable).parent / "paperbrowse"
    if script.exists():
        return [str(script)]
    found = shutil.which("paperbrowse")
    return [found] if found else [sys.executable, "-m", "paperbrowse.cli.main"]


def load(path: Path) -> Library:
    library = Library.load(path)
    assert library.error is None, library.error
    return library


def wait_for(condition, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "children did not get ready in time"
        time.sleep(0.005)


# --- two processes using the core, one save per change --------------------------------------

WORKER = """
    import sys, time
    from pathlib import Path
    from paperbrowse.core.library.user_library import Library

    path, start, count, role = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    gate = Path(sys.argv[5])
    library = Library.load(path)
    assert library.error is None, library.error
    (gate.parent / ("ready-" + role)).touch()
    while not gate.exists():
        time.sleep(0.001)
    # Both change the same paper, each a different field.
    if role == "a":
        library.set_status("shared", "reading")
    else:
        library.star("shared")
    library.save()
    for i in range(start, start + count):
        paper_id = f"p{i}"
        library.star(paper_id)
        library.save()
        library.set_note(paper_id, f"note of {paper_id} by {role}")
        library.set_tags(paper_id, [role, f"t{i}"])
        library.save()
        print(paper_id, flush=True)
"""


def test_two_processes_saving_at_the_same_time_lose_nothing(tmp_path):
    path = tmp_path / "library.toml"
    gate = tmp_path / "go"
    workers = [python(WORKER, str(path), str(start), "30", role, str(gate)) for role, start in (("a", 0), ("b", 30))]
    wait_for(lambda: (tmp_path / "ready-a").exists() and (tmp_path / "ready-b").exists())
    gate.touch()
    outputs = [finish(worker) for worker in workers]
    assert [len(out.split()) for out in outputs] == [30, 30]

    final = load(path)
    for i in range(60):
        role = "a" if i < 30 else "b"
        entry = final.entry(f"p{i}")
        assert entry.starred, f"p{i}"
        assert entry.note == f"note of p{i} by {role}"
        assert entry.tags == (role, f"t{i}")
    shared = final.entry("shared")
    assert shared.starred and shared.status == "reading"
    tomllib.loads(path.read_text(encoding="utf-8"))
    assert tomllib.loads(path.with_name("library.toml.bak").read_text(encoding="utf-8"))["version"] == 1


# --- several `paperbrowse` commands at once -------------------------------------------------

N_WORKERS = 4


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    root.mkdir()
    text = '[[category]]\nid = "llm"\nname = "LLMs"\n'
    for paper_id in [f"c{i}" for i in range(N_WORKERS)] + ["shared"]:
        text += (
            f'\n[[paper]]\nid = "{paper_id}"\ntitle = "Paper {paper_id}"\nauthors = ["A. Author"]\n'
            'date = 2023-01-01\ncategory = "llm"\n'
        )
    (root / "papers.toml").write_text(text, encoding="utf-8")
    return root


def test_cli_commands_running_at_once_lose_nothing(tmp_path, collection):
    path = tmp_path / "library.toml"
    env = {**os.environ, "PAPERBROWSE_LIBRARY": str(path)}
    base = [*cli_command(), "--data", str(collection)]

    def worker(n: int) -> list[tuple[list[str], subprocess.CompletedProcess]]:
        mine = f"c{n}"
        commands = [
            ["star", mine, "shared"],
            ["note", mine, "--append", f"line 1 from {n}"],
            ["status", mine, "reading"],
            ["note", mine, "--append", f"line 2 from {n}"],
            ["tag", mine, f"+w{n}", "+common"],
            ["note", mine, "--append", f"line 3 from {n}"],
            ["status", mine, "read"],
        ]
        return [
            (c, subprocess.run([*base, *c], env=env, capture_output=True, text=True, timeout=TIMEOUT)) for c in commands
        ]

    with ThreadPoolExecutor(N_WORKERS) as pool:
        results = list(pool.map(worker, range(N_WORKERS)))
    for runs in results:
        for command, run in runs:
            assert run.returncode == 0, (command, run.stderr)

    final = load(path)
    for n in range(N_WORKERS):
        entry = final.entry(f"c{n}")
        assert entry.starred
        assert entry.note == f"line 1 from {n}\nline 2 from {n}\nline 3 from {n}"
        assert entry.tags == (f"w{n}", "common")
        assert entry.status == "read"
        assert [s for _, s in entry.history] == ["reading", "read"]
    assert final.is_starred("shared")
    assert set(final.starred_ids()) == {*(f"c{n}" for n in range(N_WORKERS)), "shared"}


# Runs the real CLI main() in a child whose save waits until every child has reached its save:
# all of them have read the library and made their change before any of them writes.
BARRIER_CLI = """
    import sys, time
    from pathlib import Path
    from paperbrowse.core.library import user_library
    from paperbrowse.cli.main import main

    barrier, count, me = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    real_save = user_library.Library.save

    def save(self):
        (barrier / me).touch()
        deadline = time.monotonic() + 10
        while len(list(barrier.iterdir())) < count and time.monotonic() < deadline:
            time.sleep(0.005)
        real_save(self)

    user_library.Library.save = save
    sys.exit(main(sys.argv[4:]))
"""


@pytest.mark.parametrize("command", ["note", "tag"])
def test_concurrent_appends_to_one_note_or_tag_list_lose_nothing(tmp_path, collection, command):
    path = tmp_path / "library.toml"
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    env = {**os.environ, "PAPERBROWSE_LIBRARY": str(path)}

    def argv(n: int) -> list[str]:
        change = ["note", "shared", "--append", f"from w{n}"] if command == "note" else ["tag", "shared", f"+w{n}"]
        return ["--data", str(collection), *change]

    children = [python(BARRIER_CLI, str(barrier), str(N_WORKERS), f"w{n}", *argv(n), env=env) for n in range(N_WORKERS)]
    for child in children:
        finish(child)
    final = load(path)
    if command == "note":
        assert sorted(final.note("shared").split("\n")) == [f"from w{n}" for n in range(N_WORKERS)]
    else:
        assert sorted(final.user_tags("shared")) == [f"w{n}" for n in range(N_WORKERS)]


# --- kill -9 during saves -------------------------------------------------------------------

FILLER = ("中文笔记阅读论文" * 10 + " 😀 note\n") * 4500  # about 1.1 MB of UTF-8

SAVER = """
    import sys
    from paperbrowse.core.library.user_library import Library

    filler = sys.stdin.read()
    library = Library.load(sys.argv[1])
    assert library.error is None, library.error
    note = library.note("big")
    n = int(note.split("\\n", 1)[0]) if note else 0
    print("ready", n, flush=True)
    while True:
        n += 1
        library.set_note("big", f"{n}\\n{filler}")
        library.star(f"p{n}")
        library.save()
        print(n, flush=True)
"""


def check_file(path: Path) -> int:
    """The library parses, holds one whole version, and that version's number."""
    raw = path.read_bytes()
    document = tomllib.loads(raw.decode("utf-8"))
    assert document["version"] == 1
    library = load(path)
    note = library.note("big")
    head, _, body = note.partition("\n")
    assert body == FILLER, "the note is not one complete version"
    number = int(head)
    starred = {pid for pid, entry in library.data.entries.items() if entry.starred}
    assert starred == {f"p{i}" for i in range(1, number + 1)}, "stars and the note disagree"
    return number


def test_kill_9_at_any_moment_leaves_the_old_or_the_new_file(tmp_path):
    path = tmp_path / "library.toml"
    rng = random.Random(20240506)
    budget = time.monotonic() + 18
    on_disk, kills, mid_save = 0, 0, 0
    while kills < 40 and time.monotonic() < budget:
        child = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(SAVER), str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        child.stdin.write(FILLER)
        child.stdin.close()
        ready, _, _ = select.select([child.stdout], [], [], TIMEOUT)
        assert ready, "the child never started (a stale lock?)"
        first = child.stdout.readline().split()
        assert first and first[0] == "ready", child.stderr.read()
        assert int(first[1]) == on_disk
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=TIMEOUT)
        rest = child.stdout.read()
        child.stdout.close()
        child.stderr.close()
        assert child.returncode == -signal.SIGKILL
        reported = [int(line) for line in rest.split("\n")[:-1]]  # complete lines only
        last_saved = reported[-1] if reported else on_disk
        kills += 1

        number = check_file(path)
        # Every save the child reported is there; at most the one it was in the middle of is newer.
        assert number in (last_saved, last_saved + 1), (number, last_saved)
        mid_save += number == last_saved + 1
        backup = path.with_name("library.toml.bak")
        if backup.exists():
            tomllib.loads(backup.read_text(encoding="utf-8"))
        on_disk = number
    assert kills >= 10, "too few kills within the time budget"
    assert on_disk > 0
    # A last, clean save works on top of whatever the kills left behind.
    library = load(path)
    library.set_note("big", "done")
    library.save()
    assert load(path).note("big") == "done"
    print(f"{kills} kills, {mid_save} after the replace but before the report, {on_disk} saves")
