"""Noticing the library file changed by another process (a second browser, the command line, a
sync), taking it in, and telling what a save found.

Every few seconds a thread asks the library to refresh: one stat, and a read only when the file
changed; this session's unsaved changes stay on top. A cheaper timer on the UI thread compares
the library's revision (grown by a refresh, or by a save that took in values from the file) and
announces `Changed` so the screen shows what the file says, and tells the library's notices
(a note merged with a conflict, a backup that could not be written).
"""

from __future__ import annotations

from textual import on, work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from paperbrowse.core.library.user_library import Library

WATCH_SECONDS = 3.0  # how often the file is looked at
SHOW_SECONDS = 0.5  # how often what was taken in is shown: one integer compared


class LibraryWatcher(Widget):
    DEFAULT_CSS = "LibraryWatcher { display: none; }"

    class Changed(Message):
        """The library took in values from its file: redraw what shows it."""

    def __init__(self, library: Library, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.library = library
        self._revision = library.revision
        self._looking = False  # a slow disk may take longer than the interval: one look at a time
        self._failed = False

    def on_mount(self) -> None:
        self.set_interval(WATCH_SECONDS, self.look)
        self.set_interval(SHOW_SECONDS, self.show_news)

    def look(self) -> None:
        if not self._looking:
            self._looking = True
            self._refresh()

    @work(thread=True, group="library-watch", exit_on_error=False)
    def _refresh(self) -> None:
        try:
            self.library.refresh()
        finally:
            self._looking = False

    def show_news(self) -> None:
        """Tell the library's notices, and announce what it took in from the file since last time."""
        for notice in self.library.take_notices():
            self.notify(notice, title="Your library", severity="warning", timeout=12, markup=False)
        if self.library.revision != self._revision:
            self._revision = self.library.revision
            self.post_message(self.Changed())

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.log.error(f"checking the library file failed: {event.worker.error!r}")
            if not self._failed:  # told once: the next looks would say the same every few seconds
                self._failed = True
                self.notify(
                    f"Cannot check your library file for changes: {event.worker.error}",
                    severity="warning",
                    timeout=10,
                    markup=False,
                )
