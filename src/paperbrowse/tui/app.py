"""The Textual application: a thin shell that shows the main screen and offers its commands."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual.app import App, SystemCommand
from textual.screen import Screen

from paperbrowse.core.files.paths import shipped
from paperbrowse.tui.main_screen import MainScreen
from paperbrowse.tui.session import Session

# (title, help, action on the main screen): the command palette's paperbrowse entries.
COMMANDS = [
    ("Star / unstar", "Star or unstar the selected paper (s)", "star"),
    ("Cycle reading status", "unread → reading → read (r)", "cycle_status"),
    ("Edit note", "Write a Markdown note on the selected paper (n)", "edit_note"),
    ("Edit tags", "Your own tags for the selected paper (t)", "edit_tags"),
    ("Next unread", "Jump to the next unread paper (])", "next_unread"),
    ("Previous unread", "Jump to the previous unread paper ([)", "previous_unread"),
    ("Open link", "Open the paper in the browser (o)", "open_link"),
    ("Copy BibTeX", "Copy the selected paper's BibTeX (y)", "copy_bibtex"),
    ("Export starred list", "Markdown, BibTeX, CSV or JSON (e)", "export"),
    ("Toggle summary language", "English / 中文 (L)", "toggle_language"),
    ("Add paper", "From arXiv (id or link) or by hand (a)", "add_paper"),
    ("Go to the most related paper", "The first of the related papers in the details (1)", "first_related"),
    ("Search", "Focus the search box (/)", "focus_search"),
    ("Show problems", "Problems found in the data (!)", "problems"),
    ("Show keys", "Every key (?)", "help"),
]


class PaperBrowseApp(App[None]):
    CSS_PATH = str(shipped("styles") / "paperbrowse.tcss")
    TITLE = "paperbrowse"

    def __init__(self, session: Session, collection: str = "") -> None:
        super().__init__()
        self.session = session
        session.app = self
        self.sub_title = collection

    async def action_quit(self) -> None:
        """ctrl+q (Textual's own binding) quits the way q does: state remembered, saves flushed."""
        main = self.screen_stack[0] if self.screen_stack else None
        if isinstance(main, MainScreen):
            await main.action_quit()
        else:
            self.exit()

    def get_default_screen(self) -> Screen:
        return MainScreen(self.session)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, MainScreen):
            for title, help_text, action in COMMANDS:
                yield SystemCommand(title, help_text, partial(screen.run_command, action))
