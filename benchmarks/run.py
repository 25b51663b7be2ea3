"""Measure paperbrowse at scale, beside the floors measured in the same run.

    python benchmarks/run.py --sizes 10000 100000 --repeat 5

For each size it generates (once) a synthetic collection, then prints median and spread of:
start to first screen with a warm and a cold cache, keystroke to updated list (through Pilot,
and the search core alone), `paperbrowse search --json`, peak memory, and page/jump keys.
The floors, a bare Textual app reaching an empty screen and plain tomllib parsing the same
files, are measured in the same run: machines here are shared and noisy, so compare ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bytecode import compile_checkout  # noqa: E402
from generate import generate  # noqa: E402

QUERY = "attention kernel"


def collection(size: int, root: Path) -> Path:
    folder = root / f"papers-{size}"
    marker = folder / ".complete"
    if not marker.exists():
        generate(size, folder)
        marker.write_text("ok")
    return folder


def timed_process(args: list[str], env: dict[str, str], *, reports: bool = False) -> tuple[float, float]:
    """Seconds and peak memory (MB) of one child process.

    With `reports`, the child (probe.py) prints its own time from spawn to its screen being up
    and its own peak memory; otherwise the wall clock runs until the process ends, and the peak
    is the kernel's, which counts the runner's size at the fork too.
    """
    with tempfile.TemporaryFile() as errors, tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        spawned = {**env, "PB_SPAWNED_AT": repr(time.time())}
        process = subprocess.Popen(args, env=spawned, stdout=output if reports else subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        if status != 0:
            errors.seek(0)
            raise RuntimeError(f"{args} failed: {errors.read().decode(errors='replace')[-2000:]}")
        peak = usage.ru_maxrss
        if reports:
            output.seek(0)
            seconds, peak_kb = output.read().decode().split()[-2:]
            elapsed, peak = float(seconds), int(peak_kb)
    return elapsed, peak / 1024


def spread(values: list[float], unit: str = "s", scale: float = 1.0) -> str:
    values = [v * scale for v in values]
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:.3g} {unit}"
    return f"{median:.3g} {unit} ({min(values):.3g}–{max(values):.3g})"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def pilot_latencies(data: Path, library: Path) -> tuple[list[float], list[float], list[float]]:
    """Seconds from a key press until the list has drawn its result: typing, then scrolling.

    Pilot's own settling after a press is not counted: the clock stops when the paper list
    has drawn its last visible row after the result arrived (the first full repaint).
    """
    from paperbrowse.cli.context import Context
    from paperbrowse.core.library.user_library import Library
    from paperbrowse.tui.app import PaperBrowseApp
    from paperbrowse.tui.screens.main import MainScreen
    from paperbrowse.tui.session import Session
    from paperbrowse.tui.widgets.paper_list import PaperList

    drawn: list[tuple[float, int]] = []  # (when, row) of every row the list draws
    shown: list[float] = []
    render_line = PaperList.render_line

    def timed_render_line(self, y):
        strip = render_line(self, y)
        drawn.append((time.perf_counter(), y - self.scrollable_content_region.height + 1))
        return strip

    PaperList.render_line = timed_render_line
    show_results = MainScreen._show_results

    def timed_show_results(self, generation, *args):
        show_results(self, generation, *args)
        if generation == self._generation:
            shown.append(time.perf_counter())

    MainScreen._show_results = timed_show_results
    context = Context(data=[str(data)], library=str(library))
    app = PaperBrowseApp(Session(context.catalog, Library.load(library), context.index), "bench")
    typing, painted, scrolling = [], [], []

    async def press(key: str, wait_for_search: bool) -> tuple[float, float]:
        drawn.clear()
        shown.clear()
        start = time.perf_counter()
        await pilot.press(key)
        while wait_for_search and screen._shown_generation != screen._generation:
            await asyncio.sleep(0.0002)
        await pilot.pause()
        await pilot.pause()
        # On screen: the list has drawn its bottom row after the newest result arrived.
        ready = shown[-1] if wait_for_search and shown else start
        ends = [when for when, from_bottom in drawn if from_bottom == 0 and when >= ready]
        return ready - start, (min(ends) if ends else ready) - start

    try:
        async with app.run_test(size=(120, 40)) as pilot:
            # Typing starts once the word indexes are ready (read back from the cache, or
            # built once in the background after the first screen).
            index = app.session.index
            while not index.ready():
                await asyncio.sleep(0.01)
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            await pilot.press("slash")
            for key in QUERY:
                listed, drawn_at = await press("space" if key == " " else key, True)
                typing.append(listed)
                painted.append(drawn_at)
            await press("escape", True)
            papers = screen.query_one(PaperList)
            for key in ["G", "g", *["pagedown"] * 10, *["pageup"] * 10, "G", "g"]:
                scrolling.append((await press(key, False))[1])
            assert papers.cursor == 0
    finally:
        PaperList.render_line = render_line
        MainScreen._show_results = show_results
    return typing, painted, scrolling


async def bare_latencies() -> list[float]:
    """The floor: a bare Textual app echoing each key of an Input into a Static."""
    from textual.app import App
    from textual.widgets import Input, Static

    drawn: list[float] = []

    class Echo(Static):
        def render(self):
            drawn.append(time.perf_counter())
            return super().render()

    class Bare(App[None]):
        def compose(self):
            yield Input()
            yield Echo()

        def on_input_changed(self, event: Input.Changed) -> None:
            self.query_one(Echo).update(event.value)

    result = []
    async with Bare().run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for key in QUERY:
            drawn.clear()
            start = time.perf_counter()
            await pilot.press("space" if key == " " else key)
            await pilot.pause()
            result.append((min(drawn) if drawn else start) - start)
    return result


def core_latencies(data: Path) -> list[float]:
    from paperbrowse.cli.context import Context
    from paperbrowse.core.store.kept_search import prepare_search

    index = Context(data=[str(data)], library=None).index
    prepare_search(index)  # what the browser does in the background after its first screen
    index.prepare_keystrokes()
    result = []
    for end in range(1, len(QUERY) + 1):
        start = time.perf_counter()
        index.search(QUERY[:end])
        result.append(time.perf_counter() - start)
    return result


def measure(size: int, root: Path, repeat: int) -> dict[str, str]:
    data = collection(size, root)
    work = Path(tempfile.mkdtemp(prefix="pb-bench-"))
    env = {**os.environ, "PAPERBROWSE_LIBRARY": str(work / "library.toml"), "PAPERBROWSE_CACHE": str(work / "cache")}
    python = sys.executable
    probe = [python, str(HERE / "probe.py")]
    warm, memory, session, cold, floor_app, floor_toml, cli = [], [], [], [], [], [], []
    timed_process([*probe, "app", str(data)], env, reports=True)  # fills the cache
    cli_args = [python, "-m", "paperbrowse.cli.main", "--data", str(data), "search", QUERY, "--json"]
    timed_process(cli_args, env)  # builds the word indexes once and keeps them, as a first search does
    for run in range(repeat):
        seconds, peak = timed_process([*probe, "app", str(data)], env, reports=True)
        warm.append(seconds)
        memory.append(peak)
        session.append(timed_process([*probe, "typed", str(data), QUERY], env, reports=True)[1])
        cold_env = {**env, "PAPERBROWSE_CACHE": str(work / f"cold-{run}")}
        cold.append(timed_process([*probe, "app", str(data)], cold_env, reports=True)[0])
        floor_app.append(timed_process([*probe, "bare"], env, reports=True)[0])
        floor_toml.append(timed_process([*probe, "tomllib", str(data)], env, reports=True)[0])
        cli.append(timed_process(cli_args, env)[0])
    os.environ["PAPERBROWSE_CACHE"] = env["PAPERBROWSE_CACHE"]
    typing, painted, scrolling, core, echo = [], [], [], [], []
    for _ in range(repeat):
        keys, paints, scrolls = asyncio.run(pilot_latencies(data, work / "library.toml"))
        typing += keys
        painted += paints
        scrolling += scrolls
        core += core_latencies(data)
        echo += asyncio.run(bare_latencies())
    bare = statistics.median(floor_app)
    return {
        "start, cache warm": f"{spread(warm)} = {statistics.median(warm) / bare:.1f}× bare Textual",
        "start, no cache": f"{spread(cold)} = {statistics.median(cold) / statistics.median(floor_toml):.2f}× tomllib alone",
        "keystroke → list updated (Pilot), median / p95": f"{statistics.median(typing) * 1e3:.1f} / {percentile(typing, 0.95) * 1e3:.1f} ms",
        "keystroke → list repainted (Pilot), median / p95": f"{statistics.median(painted) * 1e3:.1f} / {percentile(painted, 0.95) * 1e3:.1f} ms",
        "keystroke, search core alone, median / p95": f"{statistics.median(core) * 1e3:.1f} / {percentile(core, 0.95) * 1e3:.1f} ms",
        "`search --json`, cache warm": f"{spread(cli)} = {statistics.median(cli) / bare:.1f}× bare Textual",
        "peak memory (warm start)": spread(memory, "MB"),
        "peak memory (background work done, query typed)": spread(session, "MB"),
        "jump / page keys (Pilot), median / max": f"{statistics.median(scrolling) * 1e3:.1f} / {max(scrolling) * 1e3:.1f} ms",
        "floor: bare Textual app to first screen": spread(floor_app),
        "floor: bare Textual keystroke → echo (Pilot), median / p95": f"{statistics.median(echo) * 1e3:.1f} / {percentile(echo, 0.95) * 1e3:.1f} ms",
        "floor: tomllib parsing the files": spread(floor_toml),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data-root", type=Path, default=Path(tempfile.gettempdir()) / "paperbrowse-bench")
    parser.add_argument("--smoke", action="store_true", help="CI: check that it runs, at a small size")
    args = parser.parse_args()
    compile_checkout(HERE.parent)
    results = {size: measure(size, args.data_root, args.repeat) for size in args.sizes}
    names = list(next(iter(results.values())))
    print(
        f"| figure ({args.repeat} runs: median (min–max)) | " + " | ".join(f"{s:,} papers" for s in args.sizes) + " |"
    )
    print("|---|" + "---|" * len(args.sizes))
    for name in names:
        print(f"| {name} | " + " | ".join(results[s][name] for s in args.sizes) + " |")


if __name__ == "__main__":
    main()
