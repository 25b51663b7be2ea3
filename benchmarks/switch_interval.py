"""What the interpreter's switch interval costs the event loop beside a word index's build.

    python benchmarks/switch_interval.py

A thread that wants the interpreter waits for its holder's switch interval before it may take
it. The browser's UI thread lets go at every turn of its event loop (a keystroke is dozens of
turns) and a build thread holds it between its pauses, so each turn may wait that long. This
runs 200 turns of an asyncio loop (each a 0.5 ms sleep, as a turn's wait for input) beside a
thread that builds word indexes without pause, at the default 5 ms and at the 1 ms the browser
uses while it builds (`tui/foreground.building`), alternately; it prints each run's seconds.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time

from paperbrowse.core.search.word_index import WordIndex

TURNS = 200


def turns(count: int) -> float:
    async def run() -> float:
        start = time.perf_counter()
        for _ in range(count):
            await asyncio.sleep(0.0005)
        return time.perf_counter() - start

    return asyncio.run(run())


def build(texts: list[str], done: threading.Event) -> None:
    while not done.is_set():
        WordIndex(texts, len(texts))


def main() -> None:
    texts = [f"word{i % 5000} other{i % 777} thing{i}" for i in range(200_000)]
    default = sys.getswitchinterval()
    for interval in (0.005, 0.001) * 3:
        done = threading.Event()

        builder = threading.Thread(target=build, args=(texts, done))
        sys.setswitchinterval(interval)
        builder.start()
        time.sleep(0.2)
        took = turns(TURNS)
        done.set()
        builder.join()
        sys.setswitchinterval(default)
        alone = turns(TURNS)
        print(
            f"switch interval {interval * 1000:.0f} ms: {TURNS} turns {took:.3f} s beside a build, {alone:.3f} s alone"
        )


if __name__ == "__main__":
    main()
