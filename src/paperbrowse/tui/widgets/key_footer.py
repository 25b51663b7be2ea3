"""The footer: the main keys, in the app's language, as many as fit; `? Help` and `q Quit` always.

Textual's footer lays its keys out in one row and cuts the row at the terminal's edge, so at 80
columns `q Quit` lost its last letter and at 60 `? Help` was gone. This one hides keys from the
end of the row before any is cut, the palette's first, and never the two a newcomer needs.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from rich.cells import cell_len
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer

from paperbrowse.tui.foreground import quiet_in_of
from paperbrowse.tui.labels import language_of, tr
from paperbrowse.tui.textual_shims import FooterKey

ALWAYS = ("help", "quit")  # the actions whose keys the footer never hides
COMPOSE_WAIT = 5.0  # seconds the screen's start waits at most for the footer's first keys


class KeyFooter(Footer):
    _composed: tuple[object, ...] | None = None  # what the keys shown were composed from
    _later: Timer | None = None  # a recompose put off until the keys typed are quiet

    def on_mount(self) -> None:
        self.watch(self.app, "language", lambda _: self.recompose(), init=False)

    def compose(self) -> Iterator[Widget]:
        language = language_of(self)
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.description = tr(widget.description, language)
                # Born with the `compact` (and its class) it ends with: the footer's, which
                # Textual binds it to, or FooterKey's own True for the palette's key (not
                # bound). Otherwise each key restyles itself twice as it mounts, once to add
                # `-compact` and once, bound to the footer's False, to take it away: 40 of
                # 2-4 ms each when `/` changed the footer's keys (Textual 8.2), while the keys
                # typed after it waited.
                compact = True if widget.has_class("-command-palette") else self.compact
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
            yield widget

    async def recompose(self) -> None:
        """Only when the keys to show changed. Textual's footer recomposes on every change of
        bindings the screen signals, which came 3-5 times in the second after the first frame
        with the same keys each time: each removed and mounted every key again (50-120 ms of
        the UI thread on a busy machine), while the first keystroke waited behind them."""
        shown = self._shown()
        if shown == self._composed:
            return
        # While keys arrive (`/` then a query), new keys in the footer would cost a whole
        # layout and frame between them (40-90 ms at 120x40, the first query's keys waiting
        # behind it): the footer follows once they are quiet.
        if (wait := quiet_in_of(self.app)) > 0:
            if self._later is None:
                self._later = self.set_timer(wait, self._when_quiet)
            return
        if self._later is not None:
            self._later.stop()
            self._later = None
        self._composed = shown
        await super().recompose()
        self.fit()

    async def compose_now(self) -> None:
        """The keys, composed now: awaited before the screen's first layout, they are in its
        first frame. Textual's footer composes them after that frame, when the screen signals
        its bindings, and their layout and frame came about 0.1 s after the first screen, when
        a user may be typing a query already."""
        if self._composed is not None:
            return
        self._bindings_ready = True
        composed = asyncio.Event()

        async def compose_keys() -> None:  # in the footer's own turn: its keys bind to it
            try:
                await self.recompose()
            finally:
                composed.set()

        self.call_next(compose_keys)
        # The footer's turn comes within milliseconds; should it never come (the app closing
        # first), the screen's start does not wait on it.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(composed.wait(), COMPOSE_WAIT)

    @property
    def behind(self) -> bool:
        """A change of keys waits for the keys typed to be quiet."""
        return self._later is not None

    async def _when_quiet(self) -> None:
        self._later = None
        await self.recompose()  # puts itself off again if a key came meanwhile

    def _shown(self) -> tuple[object, ...]:
        """What `compose` shows: the screen's bindings, the language, the footer's options."""
        if not self._bindings_ready:
            return ()
        bindings = tuple((binding, enabled, tip) for _, binding, enabled, tip in self.screen.active_bindings.values())
        return (language_of(self), self.compact, self.show_command_palette, bindings)

    def on_resize(self) -> None:
        self.fit()

    def fit(self) -> None:
        """Show the keys that fit the width: the palette's goes first, then from the row's end."""
        keys = list(self.query_children(FooterKey))
        if not keys or not self.size.width:  # not laid out yet: its first size fits them
            return
        palette = [key for key in keys if key.has_class("-command-palette")]
        row = [key for key in keys if key not in palette]
        always = [key for key in row if key.action in ALWAYS]
        optional = [key for key in row if key not in always] + palette
        used = sum(_width(key) for key in keys)
        room = self.size.width
        hidden: set[FooterKey] = set()
        for key in reversed(optional):
            if used <= room:
                break
            hidden.add(key)
            used -= _width(key)
        for key in keys:
            if key.display != (key not in hidden):  # setting it, even unchanged, lays the screen out
                key.display = key not in hidden


def _width(key: FooterKey) -> int:
    """The cells a key takes in the row: its text (padded as the footer pads it), its margins,
    padding and border."""
    styles = key.styles
    return cell_len(key.render().plain) + styles.margin.width + styles.gutter.width
