"""The Textual application: a thin shell that shows the main screen and offers its commands."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path

from textual import events, on
from textual.app import App, SystemCommand
from textual.reactive import reactive
from textual.screen import Screen

from paperbrowse.core.files import opener
from paperbrowse.core.files.paths import shipped
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.tui.cold_start import BackgroundLoad
from paperbrowse.tui.foreground import Foreground
from paperbrowse.tui.key_order import Binds, KeyHandled, KeyOrder
from paperbrowse.tui.keymap import keymap
from paperbrowse.tui.keys import palette_entries
from paperbrowse.tui.screens.main import MainScreen
from paperbrowse.tui.session import Session


class PaperBrowseApp(App[None]):
    CSS_PATH = str(shipped("styles") / "paperbrowse.tcss")
    TITLE = "paperbrowse"
    # Under 24 rows the dialogs close up (styles/paperbrowse.tcss) so that their last line shows.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (24, "-tall")]

    # "en" or "zh": the labels everywhere and the summaries in the details (L switches).
    language: reactive[str] = reactive("en", init=False)

    def __init__(
        self,
        session: Session,
        collection: str = "",
        loading: BackgroundLoad | None = None,
        froze: Callable[[], bool] = lambda: False,
    ) -> None:
        """`loading`: a cold start's load still reading; `session` then holds its first part.
        `froze`: whether the start froze its collection out of the collector's sight (see
        `foreground.reloading`)."""
        super().__init__()
        self.session = session
        self.loading = loading
        self.sub_title = collection
        self.foreground = Foreground(froze)  # background builders pause on it while keys arrive
        self.key_order = KeyOrder(self._binds)  # keys typed in a burst act in their order
        # config.toml's [open]: the commands links and PDFs open with; None: the system's opener.
        self.link_opener: Sequence[str] | None = tuple(session.settings.opener) or None
        self.pdf_viewer: Sequence[str] | None = tuple(session.settings.pdf_viewer or session.settings.opener) or None

    def open_target(self, target: str | Path, command: Sequence[str] | None = None) -> opener.Opened:
        """Open a file or link outside the app (core.files.opener); called from a worker thread.
        The one door to the desktop: tests replace it."""
        return opener.open_target(target, command)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            self.foreground.key_pressed()
            if self.key_order.hold(event):
                # Normally the key before answers; a safety net for one whose widget went away.
                self.set_timer(0.2, self._route_held)
            else:
                await self._route(event)
            return
        await super().on_event(event)

    async def _route(self, event: events.Event) -> None:
        await super().on_event(event)  # a priority binding acts, or the key goes to a widget
        if event.is_forwarded:
            self.key_order.sent(event, self.focused or self.screen)

    def _binds(self, event: events.Event) -> Binds:
        """Whether `event` meets a binding where it would go now (see `tui.key_order`)."""
        if not isinstance(event, events.Key):
            return Binds(False, False)
        active = self.screen.active_bindings
        found = [active[key].binding for key in (event.key, *event.aliases) if key in active]
        return Binds(bool(found), any(binding.priority for binding in found))

    @on(KeyHandled)
    async def _key_handled(self, message: KeyHandled) -> None:
        message.stop()
        self.key_order.handled(message.serial)
        await self._route_held()

    async def _route_held(self) -> None:
        for event in self.key_order.release():
            await self._route(event)

    def on_mount(self) -> None:
        session = self.session
        mapping, problems = keymap(session.settings)
        self.set_keymap(mapping)
        session.keymap = mapping
        told: list[object] = [*session.settings_problems, *problems]
        theme = session.setting("theme")
        if theme and theme in self.available_themes:
            self.theme = theme
        elif theme:
            told.append(
                f"{session.settings.file or 'config.toml'}: theme: no theme is named {theme!r}; the default is used"
            )
        self.theme_changed_signal.subscribe(self, lambda chosen: session.choose("theme", chosen.name))
        if told:
            for problem in told:
                self.log.warning(f"config: {problem}")
            shown = "\n".join(one_line(str(problem)) for problem in told[:5])
            more = f"\n… and {len(told) - 5} more (paperbrowse config check)" if len(told) > 5 else ""
            self.notify(shown + more, title="Settings", severity="warning", timeout=12, markup=False)

    async def action_quit(self) -> None:
        """ctrl+q (Textual's own binding) quits the way q does: state remembered, saves flushed."""
        main = self.screen_stack[0] if self.screen_stack else None
        if isinstance(main, MainScreen):
            await main.action_quit()
        else:
            self.exit()

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(self.session, self.loading)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        # Textual's "Keys" panel lists the focused widget's keys: "Help: every key" lists them all.
        yield from (command for command in super().get_system_commands(screen) if command.title != "Keys")
        if isinstance(screen, MainScreen):
            for key in palette_entries():
                help_text = f"{key.help[:1].upper()}{key.help[1:]} ({key.written()})"
                yield SystemCommand(key.palette, help_text, partial(screen.run_command, key.action))
