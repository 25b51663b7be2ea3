"""One timed start, run as its own process by benchmarks/run.py.

    python benchmarks/probe.py app DATA_DIR     paperbrowse until its list first shows papers
    python benchmarks/probe.py typed DATA_DIR QUERY  paperbrowse, its background work done, QUERY typed
    python benchmarks/probe.py bare             a bare Textual app until its empty screen shows
    python benchmarks/probe.py tomllib DATA_DIR plain tomllib parsing every file
    python benchmarks/probe.py stalls DATA_DIR SECONDS  the longest event-loop stall after the first frame
    python benchmarks/probe.py load DATA_DIR    a warm load, then a reload after one file is touched
    python benchmarks/probe.py first DATA_DIR OFFSET QUERY  the first query, typed OFFSET s after the first screen

`first` prints figures of its own: the seconds from the keys (`/` and QUERY, sent at once as a
terminal sends them) to the list narrowed to QUERY's result, in-process, then the processor
seconds each thread had used by then, and of those since the first screen (`name=total/since`):
the UI thread's share against the workers' (the word indexes' read, the titles' layout, the
search) is what bounds a first query.

`load` prints figures of its own, in seconds: `load_catalog_cached` on a warm cache; again
after one data file's time changed, every file looked at (the full rescan: only that file is
parsed again); their processor times; then a reload as the browser's data watcher makes it
(after its first: inotify's names of the changed files handed to `reload_catalog`, which
looks at those only; the median of three, a file touched before each) and its processor time;
then the first reload after a start (the catalog read back from the snapshot, the watch
started, the catalog primed as the watcher primes it when the checkout can: `store/primed.py`)
and its processor time, the priming's own wall and processor time, and 1 if it primed. The cache is brought up to date first,
untimed: a run of another checkout may have touched a file since. `stalls` prints milliseconds instead: the longest gap between ticks of a 5 ms timer on the
event loop, from the first frame for SECONDS, and when it began (seconds after the first frame).

Each prints the seconds from the moment the caller spawned it (PB_SPAWNED_AT, a time.time())
to its screen being up (headless), imports included, and its own peak memory so far, then
exits at once: background threads (the related-papers index) must not count. `typed` is the
other end of a session: the peak memory once everything built in the background (word
indexes, the titles' scattered-letter layout, related papers) is there and a query was typed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def done() -> None:
    print(f"{time.time() - float(os.environ['PB_SPAWNED_AT']):.6f} {peak_kb()}", flush=True)
    os._exit(0)


def peak_kb() -> int:
    """This program's peak resident memory. Not getrusage's ru_maxrss: Linux carries that over
    exec from the forked parent, so it would report the benchmark runner's own size."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def make_app(data: str):
    """paperbrowse on DATA_DIR, built as the `paperbrowse` command builds it."""
    from paperbrowse.cli.context import Context
    from paperbrowse.core.library.user_library import Library
    from paperbrowse.tui.app import PaperBrowseApp
    from paperbrowse.tui.session import Session

    context = Context(data=[data], library=None)
    return PaperBrowseApp(Session(context.catalog, Library.load(context.library_file), context.index), "probe")


def run_app(data: str) -> None:
    from paperbrowse.tui.screens.main import MainScreen

    shown = MainScreen._show_results

    def show_then_exit(self, *args, **kwargs):
        shown(self, *args, **kwargs)
        self.call_after_refresh(done)  # once the list with its results is on screen

    MainScreen._show_results = show_then_exit
    make_app(data).run(headless=True, size=(120, 40))


def run_typed(data: str, query: str) -> None:
    import asyncio

    app = make_app(data)

    async def session() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(3):  # the background work starts after the first frame
                await pilot.pause()
                await app.workers.wait_for_complete()
            await pilot.press("slash", *("space" if char == " " else char for char in query))
            for _ in range(3):
                await pilot.pause()
                await app.workers.wait_for_complete()

    asyncio.run(session())
    done()


def run_stalls(data: str, seconds: float) -> None:
    import asyncio

    from paperbrowse.tui.screens.main import MainScreen

    shown = MainScreen._show_results
    worst = [0.0, 0.0]

    async def tick(app) -> None:
        start = last = time.perf_counter()
        while last - start < seconds:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            if now - last - 0.005 > worst[0]:
                worst[:] = [now - last - 0.005, last - start]
            last = now
        app.exit()

    def show_then_tick(self, *args, **kwargs):
        first = not self._shown_generation
        shown(self, *args, **kwargs)
        if first:  # from the first frame on
            self.call_after_refresh(lambda: asyncio.get_running_loop().create_task(tick(self.app)))

    MainScreen._show_results = show_then_tick
    make_app(data).run(headless=True, size=(120, 40))
    print(f"{worst[0] * 1000:.1f} {worst[1]:.2f}", flush=True)
    os._exit(0)


def run_load(data: str) -> None:
    import gc

    from paperbrowse.core.files.changes import ChangeWatcher
    from paperbrowse.core.store import cache
    from paperbrowse.core.store.cache import load_catalog_cached

    catalog = load_catalog_cached([data])  # up to date: the figures below are a warm load and reloads
    gc.disable()  # as the entry point loads (cli/collector.py)
    start, cpu = time.perf_counter(), time.process_time()
    load_catalog_cached([data])
    warm, warm_cpu = time.perf_counter() - start, time.process_time() - cpu
    files = sorted(name for name in os.listdir(data) if name.endswith(".toml"))

    def touch(number: int) -> None:
        stamp = time.time() - 100 - time.perf_counter() % 50  # changed, and too old to be racy
        os.utime(os.path.join(data, files[number % len(files)]), (stamp, stamp))

    touch(len(files) // 2)
    start, cpu = time.perf_counter(), time.process_time()
    load_catalog_cached([data])  # every file looked at: a reload without the watcher's names
    full, full_cpu = time.perf_counter() - start, time.process_time() - cpu

    # As the browser's data watcher reloads (tui/widgets/data_watcher.py, on its thread): ask
    # the watcher, take the names it heard, load again. A checkout without `reload_catalog`
    # reloads as its browser did, every file looked at.
    reload_catalog = getattr(cache, "reload_catalog", None)
    try:
        from paperbrowse.core.store.primed import prime
    except ImportError:  # a checkout without priming: its first reload looks at every file
        prime = None
    catalog = load_catalog_cached([data])  # a start: the snapshot the full load above left
    watcher = ChangeWatcher([data])
    watcher.changed()
    watcher.heard()  # as the watcher primes: its names taken, then the scan
    start, cpu = time.perf_counter(), time.process_time()
    primed = prime is not None and prime(catalog)
    prime_wall, prime_cpu = time.perf_counter() - start, time.process_time() - cpu

    def reload(catalog):
        assert watcher.changed(now=True)
        if reload_catalog is None:
            return load_catalog_cached(catalog.sources)
        return reload_catalog(catalog, watcher.heard())

    # The first reload after that start: with priming, told what changed like the later ones;
    # else every file looked at and every unit read back, as the browser's first reload did.
    touch(len(files) // 3)
    start, cpu = time.perf_counter(), time.process_time()
    catalog = reload(catalog)
    first, first_cpu = time.perf_counter() - start, time.process_time() - cpu
    walls, cpus = [], []
    for step in range(3):  # the median of three: a reload is seconds on a machine others share
        touch(len(files) // 4 + step * 7)
        start, cpu = time.perf_counter(), time.process_time()
        catalog = reload(catalog)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    watched, watched_cpu = sorted(walls)[1], sorted(cpus)[1]
    print(
        f"{warm:.6f} {full:.6f} {warm_cpu:.6f} {full_cpu:.6f} {watched:.6f} {watched_cpu:.6f} "
        f"{first:.6f} {first_cpu:.6f} {prime_wall:.6f} {prime_cpu:.6f} {int(primed)}",
        flush=True,
    )
    os._exit(0)


def run_first(data: str, offset: float, query: str) -> None:
    import asyncio
    import threading

    from textual import events

    from paperbrowse.tui.screens.main import MainScreen

    shown = MainScreen._show_results
    first = asyncio.Event()

    def show(self, *args, **kwargs):
        shown(self, *args, **kwargs)
        first.set()

    MainScreen._show_results = show
    app = make_app(data)

    def clocks() -> dict[str, float]:  # each thread's processor time, by its clock
        return {t.name: time.clock_gettime(time.pthread_getcpuclockid(t.ident)) for t in threading.enumerate()}

    narrowed = [0.0]
    found: dict[str, tuple[float, float]] = {}

    async def session() -> None:
        async with app.run_test(size=(120, 40)):
            await first.wait()
            before = clocks()
            await asyncio.sleep(offset)
            typed = time.perf_counter()
            for key, char in (("slash", "/"), *((c, c) for c in query)):  # one burst, as a terminal sends them
                event = events.Key(key, char)
                event.set_sender(app)
                app._driver.send_message(event)
            screen = app.screen
            while not (screen._shown_text == query and screen._shown_generation == screen._generation):
                await asyncio.sleep(0.002)
            narrowed[0] = time.perf_counter() - typed
            found.update({name: (total, total - before.get(name, 0.0)) for name, total in clocks().items()})

    asyncio.run(session())
    threads = " ".join(f"{name}={total:.3f}/{since:.3f}" for name, (total, since) in sorted(found.items()))
    print(f"{narrowed[0]:.6f} {threads}", flush=True)
    os._exit(0)


def run_bare() -> None:
    from textual.app import App

    class Bare(App[None]):
        def on_mount(self) -> None:
            self.call_after_refresh(done)

    Bare().run(headless=True, size=(120, 40))


def run_tomllib(data: str) -> None:
    import tomllib

    for path in sorted(Path(data).rglob("*.toml")):
        with open(path, "rb") as handle:
            tomllib.load(handle)
    done()


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "app":
        run_app(sys.argv[2])
    elif mode == "typed":
        run_typed(sys.argv[2], sys.argv[3])
    elif mode == "stalls":
        run_stalls(sys.argv[2], float(sys.argv[3]))
    elif mode == "load":
        run_load(sys.argv[2])
    elif mode == "first":
        run_first(sys.argv[2], float(sys.argv[3]), sys.argv[4])
    elif mode == "bare":
        run_bare()
    else:
        run_tomllib(sys.argv[2])
