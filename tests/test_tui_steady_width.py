"""The list's rows and the details' text keep their width whether a scrollbar shows or not
(`scrollbar-gutter: stable`). Without it, a query that leaves fewer papers than the list holds
cut every title again one scrollbar wider, a paper whose details fit re-wrapped the text the
one before it scrolled, and the first frame was laid out again once the scrollbars it found
needed were shown: at 100,000 papers, a whole layout and frame between the first screen and a
query typed at once."""

from __future__ import annotations

from paperbrowse.tui.widgets.detail_pane import DetailPane
from paperbrowse.tui.widgets.paper_list import PaperList
from tui_support import list_rows, make_app, run, settle


def test_the_list_keeps_its_width_when_its_scrollbar_goes(tmp_path) -> None:
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        papers = app.screen.query_one(PaperList)
        assert papers.show_vertical_scrollbar  # 26 papers in a list of fewer rows
        width, rows = papers.scrollable_content_region.width, list_rows(papers)
        await pilot.press("slash", *"mixtral", "enter")
        await settle(pilot)
        shown = [row for row in list_rows(papers) if row.strip()]
        assert len(shown) == 1 and not papers.show_vertical_scrollbar
        assert papers.scrollable_content_region.width == width
        assert shown[0] in rows  # the same row, cut at the same place

    run(app, scenario, size=(100, 24))


def test_the_details_keep_their_width_whether_they_scroll_or_not(tmp_path) -> None:
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        detail = app.screen.query_one(DetailPane)
        seen: dict[bool, set[int]] = {True: set(), False: set()}
        for _ in range(26):
            seen[detail.show_vertical_scrollbar].add(detail.query_one("#detail-body").size.width)
            await pilot.press("down")
            await settle(pilot)
        assert seen[True] and seen[False]  # some papers' details scroll at this size, some fit
        assert seen[True] == seen[False] and len(seen[True]) == 1

    run(app, scenario, size=(160, 56))
