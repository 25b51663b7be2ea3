"""Shared helpers for the Textual tests (Pilot and snapshot): build the app, let it settle.

Kept small and stable on purpose; other test modules import from here:

    app = make_app([shipped("data")], tmp_path / "library.toml")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)

`run(app, scenario)` does the same from a synchronous test (no pytest-asyncio here), `plain`,
`list_rows`, `plist` and `notes` read what the screen shows, `burst` sends keys as fast as a paste.
"""

from __future__ import annotations

import asyncio
import contextlib
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot
from textual.scroll_view import ScrollView
from textual.widget import Widget
from textual.worker import WorkerCancelled

from paperbrowse.core.files.opener import Opened
from paperbrowse.core.files.paths import shipped
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.tui.app import PaperBrowseApp
from paperbrowse.tui.session import Session
from paperbrowse.tui.widgets.key_footer import KeyFooter
from paperbrowse.tui.widgets.paper_list import PaperList

SIZE = (160, 48)
SHIPPED_COUNT = 26


def make_app(
    data: Sequence[Path | str] | None,
    library: Path | str,
    collection: str | None = None,
) -> PaperBrowseApp:
    """A `PaperBrowseApp` on the records in `data` (None: the shipped collection) and the
    library file `library` (need not exist yet), built the way `paperbrowse` builds it."""
    sources = [str(p) for p in data] if data else [str(shipped("data"))]
    catalog = load_catalog(sources)
    if collection is None:
        collection = f"{len(catalog.papers)} papers"
    return PaperBrowseApp(Session(catalog, Library.load(Path(library))), collection)


async def settle(pilot: Pilot) -> None:
    """Let the app finish what the last input started: screen switches, search and save
    workers, and the messages they post back to the UI thread.

    Pilot's pause waits until the process looks idle, which a busy machine can fake: the app
    is settled once no worker runs, no key is held back and no widget has a message waiting (a
    worker's result, a toast, a key on its way up)."""
    app = pilot.app
    await pilot.pause()
    for _ in range(30):  # a worker's result may start another worker (a search, then a save)
        if all(worker.is_finished for worker in app.workers) and not _messages_waiting(app):
            return
        # A worker cancelled meanwhile (a reload's words worker cancels the one before it) ends
        # the wait with WorkerCancelled: the next round looks again.
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause(0.05 if footers_behind(app) else None)


def _messages_waiting(app: PaperBrowseApp) -> bool:
    if app.key_order.held:  # keys the app holds until the one before them is handled
        return True
    if footers_behind(app):  # a footer's new keys wait for the keys typed to be quiet
        return True
    nodes = [app, *(node for screen in app.screen_stack for node in screen.walk_children(with_self=True))]
    return any(node.message_queue_size for node in nodes)


def footers_behind(app: PaperBrowseApp) -> bool:
    return any(footer.behind for screen in app.screen_stack for footer in screen.query(KeyFooter))


def run(app: PaperBrowseApp, scenario: Callable[[Pilot], Awaitable[None]], *, size: tuple[int, int] = SIZE) -> None:
    """Run `scenario(pilot)` on `app` (settled first) from a plain, synchronous test."""

    async def main() -> None:
        async with app.run_test(size=size, notifications=True) as pilot:
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def plain(widget: Widget) -> str:
    """What a Static or Label shows, as plain text (no styles, markup never interpreted)."""
    return str(widget.render())


def list_rows(paper_list: ScrollView) -> list[str]:
    """The visible rows of the paper list as the terminal shows them."""
    height = paper_list.scrollable_content_region.height
    return ["".join(seg.text for seg in paper_list.render_line(y)) for y in range(height)]


def _key_event(key: str) -> events.Key:
    """The Key event a terminal sends for `key` (a character or a key name), as Pilot makes it."""
    if len(key) == 1:
        return events.Key(key if key.isalnum() else _character_to_key(key), key)
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
    except KeyError:
        char = None
    return events.Key(key, char)


async def burst(pilot: Pilot, *keys: str) -> None:
    """Send keys back to back, as a fast typist or a paste does (Pilot's `press` waits for the
    app to go idle after every key), then let the app settle. The app acts on them in their
    order (tui/key_order.py), as it does on a terminal's."""
    for key in keys:
        event = _key_event(key)
        event.set_sender(pilot.app)
        pilot.app._driver.send_message(event)
    await settle(pilot)


def notes(app, severity: str | None = None) -> list[str]:
    """The notifications shown, as `title: message` (only those of `severity`, when given)."""
    return [
        f"{n.title}: {n.message}" if n.title else n.message
        for n in app._notifications
        if severity is None or n.severity == severity
    ]


def plist(app) -> PaperList:
    """The main screen's paper list."""
    return app.screen.query_one(PaperList)


def opened(calls: list[str], target: object) -> Opened:
    """A stand-in for the app's `open_target`: records the target, says it was opened."""
    calls.append(str(target))
    return Opened(True, str(target))


async def until(pilot, check) -> None:
    """Let the app draw until `check()` holds (the footer and the tree fill in after the first
    frame, later on a busy machine); a bounded number of frames, never a clock."""
    for _ in range(100):
        if check():
            return
        await pilot.pause(0.02)
