"""The first query after start, as a user sees it, and what many small files cost.

    python benchmarks/first_keystroke.py --baseline /tmp/base --sizes 10000 100000

`--baseline` is another checkout of paperbrowse with its own `.venv` (e.g. `git worktree add
/tmp/base main`); both are measured in the same run, interleaved, and every figure is printed
for both with their ratio. For each size, on a warm cache:

- first query: `paperbrowse` runs in a real terminal (tmux); once the list is on screen, after
  0, 0.1, 0.3 and 1 s, `/zzqx` is typed (one send-keys) and the screen polled until the
  count reads "K of N papers", K what `search --all` finds: from the keypress to the list
  narrowed, from outside the process.
- longest stall: the longest gap between ticks of a 5 ms event-loop timer during the first
  10 s after the first frame (benchmarks/probe.py stalls).
- many files: the same papers as one file per paper (as `add` writes them) against files of
  1,000 papers: `search --json`, the first screen, and in-process a warm load and a reload
  after one file is touched (probe.py load): "reload" as the browser's data watcher makes
  it (told by inotify which file changed), "full reload" looking at every file (as the
  first reload after a start, or without inotify), and their ratios. `--sizes` with no size
  runs only this part.

Timings on a shared machine are noisy: quote the ratios, and the medians over --repeat runs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bytecode import compile_checkout
from generate import generate

HERE = Path(__file__).resolve().parent
# What probe.py load prints, in order. "reload": as the data watcher reloads (told by inotify
# which file changed, from the second reload on); "full reload": every file looked at;
# "first reload": the first after a start, primed where the checkout primes (store/primed.py);
# "prime": the priming itself; "primed": 1 when it primed.
LOAD_FIGURES = (
    "warm",
    "full reload",
    "warm cpu",
    "full reload cpu",
    "reload",
    "reload cpu",
    "first reload",
    "first reload cpu",
    "prime",
    "prime cpu",
    "primed",
)
QUERY = "zzqx"
OFFSETS = (0.0, 0.1, 0.3, 1.0)


def collection(size: int, root: Path, per_file: int) -> Path:
    folder = root / (f"papers-{size}" if per_file == 1000 else f"papers-{size}-per-{per_file}")
    marker = folder / ".complete"
    if not marker.exists():
        generate(size, folder, per_file=per_file)
        marker.write_text("ok")
    return folder


class Terminal:
    """A tmux server of our own (a new socket each: a server being killed may linger), one
    window running one command."""

    started = 0

    def __init__(self, command: list[str], env: dict[str, str], size: tuple[int, int] = (120, 40)) -> None:
        Terminal.started += 1
        self.base = ["tmux", "-L", f"pb-bench-{os.getpid()}-{Terminal.started}", "-f", os.devnull]
        exports = " ".join(f"{key}={value!r}" for key, value in env.items())
        line = f"env {exports} " + " ".join(command)
        subprocess.run(
            [*self.base, "new-session", "-d", "-s", "b", "-x", str(size[0]), "-y", str(size[1]), line], check=True
        )

    def screen(self) -> str:
        return subprocess.run([*self.base, "capture-pane", "-p", "-t", "b"], capture_output=True, text=True).stdout

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.base, "send-keys", "-t", "b", *keys], check=True)

    def wait_for(self, *texts: str, timeout: float = 600.0) -> float:
        """Poll until one of `texts` is on screen, not inside a longer number; the time it was
        first seen."""
        patterns = [re.compile(r"(?<![\d,])" + re.escape(text)) for text in texts]
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            screen = self.screen()
            if any(pattern.search(screen) for pattern in patterns):
                return time.perf_counter()
            time.sleep(0.005)
        raise RuntimeError(f"{texts!r} never appeared:\n{self.screen()}")

    def close(self) -> None:
        where = [*self.base, "display-message", "-p", "#{socket_path}"]
        socket = subprocess.run(where, capture_output=True, text=True).stdout.strip()
        subprocess.run([*self.base, "kill-server"], capture_output=True)
        if socket:  # a server killed while its pane's program exits may leave its socket behind
            Path(socket).unlink(missing_ok=True)


def expected_count(program: Path, data: Path, scratch: Path) -> int:
    """How many papers the query finds: the count the list must reach."""
    env = {**os.environ, "PAPERBROWSE_LIBRARY": str(scratch / "cli-library.toml")}
    env["PAPERBROWSE_CACHE"] = str(scratch / f"cache-{program.parent.parent.parent.name}")
    command = [str(program), "--data", str(data), "search", "--json", "--all", QUERY]
    return len(json.loads(subprocess.run(command, env=env, capture_output=True, check=True).stdout))


def first_query(
    program: Path, data: Path, size: int, offset: float, scratch: Path, expected: int = 0, rebuild: bool = False
) -> tuple[float, float]:
    """(keypress to the first narrowed list, even a part of the answer; to the whole answer)."""
    library = scratch / "library.toml"
    library.unlink(missing_ok=True)  # no restored query
    if rebuild:  # as after the data changed: the word indexes are built, not read
        for kept in (scratch / f"cache-{program.parent.parent.parent.name}").glob("words-*.pickle"):
            kept.unlink()
    env = {
        "PAPERBROWSE_LIBRARY": str(library),
        "PAPERBROWSE_CACHE": str(scratch / f"cache-{program.parent.parent.parent.name}"),
        "TERM": "xterm-256color",
        "HOME": str(scratch),
    }
    terminal = Terminal([str(program), "--data", str(data)], env)
    try:
        terminal.wait_for(f"{size} of {size} papers")
        time.sleep(offset)
        typed = time.perf_counter()
        terminal.keys("/", *QUERY)
        first = terminal.wait_for(f"{expected} of {size} papers", "found in the first") - typed
        return first, terminal.wait_for(f"{expected} of {size} papers") - typed
    finally:
        terminal.close()


def timed(args: list[str], env: dict[str, str]) -> float:
    return timed_cpu(args, env)[0]


def timed_cpu(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time, and the processor time the command took (user and system): on a machine
    other work shares, the second moves less."""
    start = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise RuntimeError(f"{args} failed")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def probe(python: Path, mode: str, data: Path, scratch: Path, cache: str, *extra: str) -> list[float]:
    env = {
        **os.environ,
        "PAPERBROWSE_LIBRARY": str(scratch / "probe-library.toml"),
        "PAPERBROWSE_CACHE": str(scratch / cache),
        "PB_SPAWNED_AT": repr(time.time()),
    }
    out = subprocess.run(
        [str(python), str(HERE / "probe.py"), mode, str(data), *extra], env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    line = out.stdout.strip().splitlines()[-1].split()
    return [float(value) for value in (line if mode == "load" else line[-2:])]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> None:
    # As an installed paperbrowse runs: its modules compiled once, not at every start (a machine
    # that sets this would add 0.13-0.2 s to every figure of both layouts).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout with its own .venv")
    parser.add_argument("--sizes", type=int, nargs="*", default=[10000])
    parser.add_argument("--many-files", type=int, nargs="*", default=[20000], help="sizes for the one-file layout")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stall-seconds", type=float, default=10.0)
    parser.add_argument("--data-root", type=Path, default=Path(tempfile.gettempdir()) / "paperbrowse-bench")
    parser.add_argument(
        "--rebuild-words",
        action="store_true",
        help="also type while the word indexes are built (the kept ones removed before each run)",
    )
    parser.add_argument("--offsets", type=float, nargs="+", default=list(OFFSETS))
    parser.add_argument(
        "--per-file",
        type=int,
        default=1000,
        help="papers per file for --sizes (1: the first query on one file per paper, as `add` writes)",
    )
    parser.add_argument(
        "--scratch",
        type=Path,
        help="a folder of this script's caches to reuse (a 1,000,000 run fills its own in minutes)",
    )
    args = parser.parse_args()
    checkouts = {"base": args.baseline.resolve(), "new": HERE.parent}
    for root in checkouts.values():
        compile_checkout(root)
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="pb-first-"))
    print(f"caches in {scratch}", flush=True)
    os.chmod(scratch, 0o700)
    for size in args.sizes:
        data = collection(size, args.data_root, args.per_file)
        expected = expected_count(checkouts["new"] / ".venv/bin/paperbrowse", data, scratch)
        for root in checkouts.values():  # fill each one's cache first: these figures are warm
            # The CLI keeps the word indexes; a browser closed right after its query would
            # not (their build takes seconds), and each "read" run would build them.
            expected_count(root / ".venv/bin/paperbrowse", data, scratch)
            first_query(root / ".venv/bin/paperbrowse", data, size, 1.0, scratch, expected)
            probe(root / ".venv/bin/python", "app", data, scratch, f"cache-{root.name}")
        layout = "one file per paper" if args.per_file == 1 else f"files of {args.per_file:,}"
        print(f"\n{size:,} papers in {layout} (median of {args.repeat}; seconds unless said)")
        for rebuild in (False, True) if args.rebuild_words else (False,):
            how = "word indexes built meanwhile" if rebuild else "word indexes read"
            for offset in args.offsets:
                found: dict[str, list[tuple[float, float]]] = {name: [] for name in checkouts}
                for _ in range(args.repeat):
                    for name, root in checkouts.items():
                        program = root / ".venv/bin/paperbrowse"
                        found[name].append(first_query(program, data, size, offset, scratch, expected, rebuild))
                (base_first, base), (new_first, new) = (
                    tuple(median([times[i] for times in found[name]]) for i in (0, 1)) for name in ("base", "new")
                )
                print(
                    f"  {how}, first query typed {offset:.1f} s after the first screen: whole answer base {base:.2f}"
                    f"  new {new:.2f}; first narrowed list base {base_first:.2f}  new {new_first:.2f}",
                    flush=True,
                )
            if rebuild:  # keep the word indexes again (a search builds and keeps them)
                for root in checkouts.values():
                    expected_count(root / ".venv/bin/paperbrowse", data, scratch)
        for rebuild in (False, True) if args.rebuild_words else (False,):
            stalls: dict[str, list[float]] = {name: [] for name in checkouts}
            for _ in range(args.repeat):
                for name, root in checkouts.items():
                    cache = f"cache-{root.name}"
                    if rebuild:
                        for kept in (scratch / cache).glob("words-*.pickle"):
                            kept.unlink()
                    stall = probe(root / ".venv/bin/python", "stalls", data, scratch, cache, str(args.stall_seconds))
                    stalls[name].append(stall[0])
            print(
                f"  longest event-loop stall, first {args.stall_seconds:.0f} s"
                f"{', word indexes built meanwhile' if rebuild else ''}: "
                f"base {median(stalls['base']):.0f} ms  new {median(stalls['new']):.0f} ms",
                flush=True,
            )
    for size in args.many_files:
        layouts = {
            "1,000 per file": collection(size, args.data_root, 1000),
            "one per file": collection(size, args.data_root, 1),
        }
        print(f"\n{size:,} papers: one file per paper against files of 1,000 (median of {args.repeat})")
        times: dict[tuple[str, str, str], list[float]] = {}
        for _ in range(args.repeat):  # checkouts and layouts interleaved
            for name, root in checkouts.items():
                env = {**os.environ, "PAPERBROWSE_LIBRARY": str(scratch / "cli-library.toml")}
                env["PAPERBROWSE_CACHE"] = str(scratch / f"cache-{root.name}")
                for layout, data in layouts.items():
                    python = root / ".venv/bin/python"
                    figures = probe(python, "load", data, scratch, f"cache-{root.name}")
                    for what, value in zip(LOAD_FIGURES, figures, strict=True):
                        times.setdefault((name, what, layout), []).append(value)
                    command = [
                        str(root / ".venv/bin/paperbrowse"),
                        "--data",
                        str(data),
                        "search",
                        "--json",
                        "attention",
                    ]
                    timed(command, env)  # the word indexes kept again for the data as touched
                    wall, cpu = timed_cpu(command, env)
                    times.setdefault((name, "search", layout), []).append(wall)
                    times.setdefault((name, "search cpu", layout), []).append(cpu)
                    start = probe(python, "app", data, scratch, f"cache-{root.name}")
                    times.setdefault((name, "start", layout), []).append(start[0])
        for name in checkouts:
            for what in ("search", "search cpu", "start", *LOAD_FIGURES):
                many, one = median(times[name, what, "1,000 per file"]), median(times[name, what, "one per file"])
                print(f"  {name}: {what:15} {many:.3f} s vs one per file {one:.3f} s: {one / many:.2f}x")


if __name__ == "__main__":
    main()
