"""What the UI thread does between the first keys of a query and its list, and what it skips.

At 100,000 papers the first query typed right after the first screen (`/zzqx` in a burst)
waited behind the UI thread's own work: the first letters searched on the UI thread, a list
was drawn for a query the box no longer held, and the footer's keys restyled themselves twice
each as `/` changed them. Counted here, not timed.
"""

from __future__ import annotations

import threading
from pathlib import Path

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static

from paperbrowse.tui.screens.main import MainScreen
from paperbrowse.tui.textual_shims import FooterKey
from paperbrowse.tui.widgets.key_footer import KeyFooter
from tui_support import burst, make_app, plain, plist, run, settle


def _restyled(app: App[object]) -> list[str]:
    """The nodes the app restyles from now on (a class or a pseudo-class changed), by type."""
    names: list[str] = []
    update = app.update_styles

    def counted(node, animate: bool = True) -> None:
        names.append(type(node).__name__)
        update(node, animate)

    app.update_styles = counted  # type: ignore[method-assign]
    return names


def test_the_footers_keys_are_not_restyled_when_slash_changes_them(tmp_path: Path) -> None:
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        footer = app.screen.query_one(KeyFooter)
        before = {key.action for key in footer.query(FooterKey)}
        restyled = _restyled(app)
        await burst(pilot, "slash")
        await settle(pilot)
        after = {key.action for key in footer.query(FooterKey)}
        assert after != before  # the footer now shows the search box's keys
        assert "FooterKey" not in restyled
        assert sorted(restyled) == ["PaperList", "SearchBox"]  # the focus leaves one, enters the other
        for key in footer.query(FooterKey):  # the look Textual gives them: the palette's key alone compact
            assert key.compact == key.has_class("-compact") == key.has_class("-command-palette")

    run(app, scenario)


class _PlainFooter(App[None]):
    def compose(self) -> ComposeResult:
        yield Footer()


def test_textual_still_restyles_each_new_footer_key_on_mount() -> None:
    """FooterKey's `compact` starts True against the footer's False (Textual 8.2): when this
    fails, KeyFooter.compose no longer needs to set it before the key mounts."""
    import asyncio

    async def main() -> list[str]:
        app = _PlainFooter()
        async with app.run_test() as pilot:
            await pilot.pause()
            restyled = _restyled(app)
            await app.query_one(Footer).recompose()
            await pilot.pause()
            return restyled

    assert "FooterKey" in asyncio.run(main())


def test_the_first_query_with_words_searches_off_the_ui_thread(tmp_path: Path) -> None:
    """The start's filter took milliseconds; that says nothing of the first search for words."""
    app = make_app(None, tmp_path / "library.toml")
    where: dict[str, str] = {}

    async def scenario(pilot) -> None:
        session = app.screen.session
        search = session.list_papers

        def recorded(*args, **kwargs):
            where.setdefault(args[1], threading.current_thread().name)
            return search(*args, **kwargs)

        session.list_papers = recorded
        await burst(pilot, "slash", "t")
        assert where["t"] != threading.main_thread().name
        assert app.screen._shown_text == "t"

    run(app, scenario)


def test_a_result_for_a_query_the_box_no_longer_holds_is_not_shown(tmp_path: Path) -> None:
    """A search's result arriving after the next letter reached the box, before its search
    started (its `QueryChanged` still queued), is not drawn: the newer one follows."""
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        shown = plist(app).papers
        every = screen.session.catalog.papers
        screen.search_box.value = "transformer"  # typed; its search is not started yet
        screen._show_results(screen._generation, every[:1], (), "transforme")  # the earlier letter's
        assert plist(app).papers is shown
        await settle(pilot)
        assert screen._shown_text == "transformer"
        assert screen._shown_generation == screen._generation

    run(app, scenario)


def test_the_footer_takes_its_new_keys_once_the_keys_typed_are_quiet(tmp_path: Path) -> None:
    """`/` gives the footer the search box's keys: while the query's letters still arrive, that
    whole layout and frame would come between them, so the footer waits for a quiet moment."""
    app = make_app(None, tmp_path / "library.toml")

    def shown(footer: KeyFooter) -> set[str]:
        return {key.action for key in footer.query(FooterKey)}

    async def scenario(pilot) -> None:
        footer = app.screen.query_one(KeyFooter)
        before = shown(footer)
        app.foreground.quiet = 60.0  # the keys below stay "just typed" for the whole test
        await burst(pilot, "slash", "t", "r")
        for _ in range(5):
            await pilot.pause()
        assert app.screen.focused is app.screen.search_box and app.screen.search_box.value == "tr"
        assert shown(footer) == before and footer.behind  # still the list's keys

        app.foreground.quiet = 0.0  # quiet now: the next change of bindings shows the new keys
        app.screen.refresh_bindings()
        await settle(pilot)
        assert not footer.behind
        assert shown(footer) != before and "star" not in shown(footer)

    run(app, scenario)


def test_the_first_frame_has_the_footers_keys(tmp_path: Path, monkeypatch) -> None:
    """Textual's footer composes its keys after the first frame, a layout and frame of their
    own about 0.1 s after the first screen: here they are in the first layout already."""
    keys_at_layout: list[set[str]] = []
    lay_out = Screen._refresh_layout

    def watched(screen: Screen[object], *args, **kwargs) -> None:
        if isinstance(screen, MainScreen):
            keys_at_layout.append({key.action for key in screen.query(FooterKey) if key.display})
        lay_out(screen, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", watched)
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        assert {"focus_search", "star", "help", "quit"} <= keys_at_layout[0]
        assert keys_at_layout[0] == {key.action for key in app.screen.query(FooterKey) if key.display}  # and stayed

    run(app, scenario)


def test_the_first_frame_has_the_first_papers_details(tmp_path: Path, monkeypatch) -> None:
    """The details came one message later than the list (the list's Highlighted), so after the
    first frame, a layout and frame of their own that a query typed then waited behind."""
    heads: list[str] = []
    lay_out = Screen._refresh_layout

    def watched(screen: Screen[object], *args, **kwargs) -> None:
        if isinstance(screen, MainScreen):
            heads.append(plain(screen.query_one("#detail-head", Static)))
        lay_out(screen, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", watched)
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        first = app.screen.papers.papers[0]
        assert first.title.split(":")[0] in heads[0]
        assert plain(app.screen.query_one("#detail-head", Static)) == heads[0]  # and they stayed

    run(app, scenario)
