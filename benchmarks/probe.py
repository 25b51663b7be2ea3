"""One timed start, run as its own process by benchmarks/run.py.

    python benchmarks/probe.py app DATA_DIR     paperbrowse until its list first shows papers
    python benchmarks/probe.py typed DATA_DIR QUERY  paperbrowse, its background work done, QUERY typed
    python benchmarks/probe.py bare             a bare Textual app until its empty screen shows
    python benchmarks/probe.py tomllib DATA_DIR plain tomllib parsing every file
    python benchmarks/probe.py stalls DATA_DIR SECONDS  the longest event-loop stall after the first frame
    python benchmarks/probe.py load DATA_DIR    a warm load, then a reload after one file is touched
    python benchmarks/probe.py first DATA_DIR OFFSET QUERY  the first query, typed OFFSET s after the first screen
    python benchmarks/probe.py watch DATA_DIR PRIMED  the longest stalls while the data watcher reloads

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
untimed: a run of another checkout may have touched a file since. `watch` prints milliseconds too: in the browser (the watcher asking every 0.5 s instead of 3), a
data file rewritten whole by another process, as an editor saves it, PB_RELOADS times (3): for
each, the longest gap between ticks of a 5 ms timer from the write until 1.5 s after the reload
is on screen and its word indexes and titles' layout are in; then the longest gap while the
watcher primed. PRIMED 1 lets it prime first (3 s after the start; each reload is then told what
changed), 0 keeps it from priming (the first reload looks at every file; priming's figure is 0).
With PB_STALL_TRACE set it also prints, on stderr, where every thread was during the longest
gaps and which thread held the interpreter through them (the processor time each used since
the sampler last ran: a stack sampled after a gap shows where the holder went on to, not
where it held), the cycle collector's long passes, and the objects frozen after a reload that
died since.
`stalls` prints milliseconds instead: the longest gap between ticks of a 5 ms timer on the
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
    from paperbrowse.cli import collector
    from paperbrowse.cli.context import Context
    from paperbrowse.core.store import cache

    context = Context(data=[data], library=None)
    # As the command does: a child takes the files' key while Textual is imported.
    check = cache.check_files(context.sources) if hasattr(cache, "check_files") else None

    from paperbrowse.core.library.user_library import Library
    from paperbrowse.tui.app import PaperBrowseApp
    from paperbrowse.tui.session import Session

    catalog, index = context.load(None, lambda read, total: None, check) if check else context._collection
    session = Session(catalog, Library.load(context.library_file), index)
    if hasattr(collector, "froze"):  # told whether the start froze its collection, as the command tells it
        return PaperBrowseApp(session, "probe", froze=collector.froze)
    return PaperBrowseApp(session, "probe")


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


def run_watch(data: str, primes: bool) -> None:
    import asyncio

    from paperbrowse.core.store import cache
    from paperbrowse.tui.screens.main import MainScreen
    from paperbrowse.tui.widgets import data_watcher

    data_watcher.WATCH_SECONDS = 0.5  # the watcher asks every 3 s: the same work, sooner
    data_watcher.PRIME_AFTER = 3.0 if primes else float("inf")
    shown = MainScreen._show_results
    first = asyncio.Event()
    worst = [0.0]
    beat = [time.perf_counter()]  # when the timer last ticked

    def show(self, *args, **kwargs):
        shown(self, *args, **kwargs)
        first.set()

    MainScreen._show_results = show
    app = make_app(data)
    files = sorted(name for name in os.listdir(data) if name.endswith(".toml"))
    figures: list[float] = []
    report = stall_tracer(beat) if os.environ.get("PB_STALL_TRACE") else None

    async def tick() -> None:
        last = beat[0] = time.perf_counter()
        while True:
            await asyncio.sleep(0.005)
            now = beat[0] = time.perf_counter()
            worst[0] = max(worst[0], now - last - 0.005)
            last = now

    async def session() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await first.wait()
            await pilot.pause()
            asyncio.get_running_loop().create_task(tick())
            watcher = app.screen.query_one(data_watcher.DataWatcher)
            primed = 0.0
            if primes:
                worst[0] = 0.0
                while cache.KEPT_LOAD not in watcher.catalog.derived:
                    await asyncio.sleep(0.05)
                primed = worst[0]
            await asyncio.sleep(1.0)
            for step in range(int(os.environ.get("PB_RELOADS", "3"))):
                path = os.path.join(data, files[(len(files) // 3 + step * 7) % len(files)])
                with open(path, "rb") as handle:
                    text = handle.read()
                old = app.session.catalog
                worst[0] = 0.0
                with open(path, "wb") as handle:  # as an editor saves it: the same text, written again
                    handle.write(text)
                while app.session.catalog is old:  # the reload shown (`MainScreen.use_catalog`)
                    await asyncio.sleep(0.02)
                del old
                while any(worker.group == "words" and not worker.is_finished for worker in app.workers):
                    await asyncio.sleep(0.02)  # its word indexes and titles' layout, read or built
                await asyncio.sleep(1.5)  # the replaced catalog let go (`tui.retire`)
                figures.append(worst[0])
            figures.append(primed)
            if report is not None:
                report.leftovers()

    asyncio.run(session())
    if report is not None:
        report()
    print(" ".join(f"{figure * 1000:.1f}" for figure in figures), flush=True)
    os._exit(0)


def stall_tracer(beat: list[float]):
    """With PB_STALL_TRACE set: a thread that samples every other thread's stack while the
    event loop is late (its timer's last tick in `beat`), and the collector's long passes.
    Returns the report to print (stderr) at the end: the longest gaps with their samples, the
    passes, and the objects the freezes after reloads kept that died since (`gc.unfreeze`)."""
    import contextlib
    import gc
    import threading
    import traceback
    from collections import Counter

    traced: list[tuple[float, list[tuple[float, str]]]] = []
    passes: list[tuple[float, int, str]] = []
    began = [0.0]
    idle = ("wait", "select", "sleep", "get", "_worker", "poll")

    def clocks() -> dict[str, float]:
        """Each thread's processor time so far, by its own clock."""
        found = {}
        for thread in threading.enumerate():
            with contextlib.suppress(OSError, TypeError):  # ended meanwhile
                found[thread.name] = time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
        return found

    def sample() -> None:
        seen, samples = 0.0, []
        before = clocks()
        while True:
            time.sleep(0.002)
            late = time.perf_counter() - beat[0]
            now = clocks()
            # Who held the interpreter while this thread could not run: the processor time each
            # thread used since the last sample (a stall's holder used about all of it).
            used = sorted(((now[name] - before.get(name, now[name]), name) for name in now), reverse=True)
            before = now
            if beat[0] != seen:
                if samples and samples[-1][0] > 0.04:
                    traced.append((samples[-1][0], samples))
                seen, samples = beat[0], []
            if late > 0.02:
                names = {t.ident: t.name for t in threading.enumerate()}
                stacks = [
                    "  cpu since the last sample: " + ", ".join(f"{name} {ms * 1000:.0f} ms" for ms, name in used[:3])
                ]
                for ident, frame in sys._current_frames().items():
                    if ident == threading.get_ident() or frame.f_code.co_name in idle:
                        continue
                    where = reversed(traceback.extract_stack(frame)[-7:])
                    chain = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in where)
                    stacks.append(f"  [{names.get(ident)}] {chain}")
                samples.append((late, "\n".join(stacks)))

    def collector(phase: str, info: dict) -> None:  # its time includes waits for the interpreter
        if phase == "start":
            began[0] = time.perf_counter()
        elif (took := time.perf_counter() - began[0]) > 0.015:
            passes.append((took, info["generation"], threading.current_thread().name))

    threading.Thread(target=sample, daemon=True).start()
    gc.callbacks.append(collector)

    def leftovers() -> None:
        """Run while the browser is still up: what the freezes kept that has died since."""
        gc.unfreeze()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        kept = Counter(type(o).__name__ for o in gc.garbage)
        print(f"frozen, then dead: {sum(kept.values())} objects, {kept.most_common(8)}", file=sys.stderr)
        gc.set_debug(0)
        gc.garbage.clear()

    def report() -> None:
        for took, generation, thread in passes:
            print(f"collector pass {took * 1000:.0f} ms, generation {generation}, {thread}", file=sys.stderr)
        for late, samples in sorted(traced, key=lambda item: -item[0])[:8]:
            print(f"late {late * 1000:.0f} ms, {len(samples)} samples", file=sys.stderr)
            for at, stacks in samples[:: max(1, len(samples) // 6)]:
                print(f" at {at * 1000:.0f}\n{stacks}", file=sys.stderr)

    report.leftovers = leftovers  # type: ignore[attr-defined]
    return report


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
    elif mode == "watch":
        run_watch(sys.argv[2], sys.argv[3] == "1")
    elif mode == "load":
        run_load(sys.argv[2])
    elif mode == "first":
        run_first(sys.argv[2], float(sys.argv[3]), sys.argv[4])
    elif mode == "bare":
        run_bare()
    else:
        run_tomllib(sys.argv[2])
