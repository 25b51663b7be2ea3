"""Saving the library off the UI thread, and one line that stays while a save is failing.

Every change is saved at once by a thread worker. A failing save (a full disk, a folder that
went away) keeps every change in memory and retries on one timer that waits longer each time
(2 s, 4 s, ... up to a minute): changes made meanwhile join the next attempt instead of
starting attempts of their own. The failure is told once as a notification and then shown by
this line until a save succeeds, never repeated per change or per attempt.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from paperbrowse.core.library.user_library import Library, LibraryError
from paperbrowse.core.records.safe_text import one_line

FIRST_RETRY = 2.0  # seconds
LAST_RETRY = 60.0


class SaveStatus(Static):
    DEFAULT_CSS = """
    SaveStatus {
        display: none;
        height: auto;
        background: $error;
        color: $text;
        padding: 0 1;
    }
    SaveStatus.-failing {
        display: block;
    }
    """

    @dataclass
    class _Done(Message):
        error: str  # empty: saved

    def __init__(self, library: Library, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.library = library
        self._saving = False
        self._again = False  # a change came while a save was running
        self._retry: Timer | None = None
        self._delay = FIRST_RETRY
        self._quit_unsaved = False
        self.farewell = ""  # what to print on the terminal after quitting

    @property
    def failing(self) -> bool:
        return self.has_class("-failing")

    def save_soon(self) -> None:
        """Save the library's changes in the background; a pending retry takes this one too."""
        if self.library.read_only or self._retry is not None:
            return
        if self._saving:
            self._again = True
            return
        self._saving = True
        self._save()

    @work(thread=True, group="save", exit_on_error=False)
    def _save(self) -> None:
        try:
            self.library.save()
        except LibraryError as err:
            self.post_message(self._Done(str(err)))
        else:
            self.post_message(self._Done(""))

    @on(_Done)
    def _done(self, event: _Done) -> None:
        self._saving = False
        if event.error:
            self._failed(event.error)
            return
        if self.failing:
            self.remove_class("-failing")
            self.notify("Your changes are saved now.", title="Saved", timeout=4, markup=False)
        self._delay = FIRST_RETRY
        if self._again or self.library.unsaved:
            self._again = False
            self.save_soon()

    def _failed(self, error: str) -> None:
        if not self.failing:
            self.notify(
                f"{error}. Your changes are kept and saved as soon as it works.",
                title="Not saved",
                severity="error",
                timeout=10,
                markup=False,
            )
        self.add_class("-failing")
        self.update(
            f"⚠ Not saved: {one_line(error)}. Retrying in {self._delay:.0f} s; q twice quits, keeping a rescue copy."
        )
        self._retry = self.set_timer(self._delay, self._retry_now)
        self._delay = min(self._delay * 2, LAST_RETRY)

    def _retry_now(self) -> None:
        self._retry = None
        self.save_soon()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """A bug in saving (anything but a LibraryError) is shown like a failed save, never lost."""
        if event.state is WorkerState.ERROR:
            self.log.error(f"saving the library failed: {event.worker.error!r}")
            self._saving = False
            self._failed(f"{type(event.worker.error).__name__}: {event.worker.error}")

    def save_now(self) -> bool:
        """Save before quitting; on failure warn once, and let a second quit go with a rescue copy.

        `farewell` then says where the copy went (or that none could be written), for the
        terminal after the app has gone.
        """
        if self.library.read_only or not self.library.unsaved:
            return True
        try:
            self.library.save()
            return True
        except LibraryError as err:
            if self._quit_unsaved:
                self.farewell = self._rescue(str(err))
                return True
            self._quit_unsaved = True
            self.notify(
                f"{err}. Press q again to quit: your unsaved changes are then written to a rescue copy elsewhere.",
                severity="error",
                title="Not saved",
                timeout=10,
                markup=False,
            )
            return False

    def _rescue(self, error: str) -> str:
        try:
            copy = self.library.rescue()
        except (OSError, ValueError, RecursionError, TypeError) as err:
            self.log.error(f"no rescue copy: {err!r}")
            return (
                f"paperbrowse: {self.library.path} was not saved ({error}), and {err}; your unsaved changes are lost."
            )
        return (
            f"paperbrowse: {self.library.path} was not saved ({error}).\n"
            f"Your changes are in {copy}: open it with PAPERBROWSE_LIBRARY={copy} paperbrowse,\n"
            f"or copy it over {self.library.path} once it can be written."
        )
