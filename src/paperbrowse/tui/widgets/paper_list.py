"""The paper list: a Line API widget that renders only the rows on screen.

One widget per row (ListView) stalls at a few hundred rows; here a row is drawn only when it
is visible, so 100,000 results cost what 30 do. Matched title characters are computed per
visible row, on demand.
"""

from __future__ import annotations

from collections.abc import Collection, Container, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from paperbrowse.core.library.entries import STAR_MARK, STATUS_MARKS
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.records.schema import Paper
from paperbrowse.core.search.highlight import highlight_positions
from paperbrowse.core.search.query import Query
from paperbrowse.core.search.user_state import NoUserState, UserState
from paperbrowse.tui.keys import bindings
from paperbrowse.tui.marks import MARK
from paperbrowse.tui.textual_shims import style_scrollbar_now

ORG_FROM = 90  # the list's width from which a row shows the first organisation


class PaperList(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {
        "paper-list--cursor",
        "paper-list--match",
        "paper-list--star",
        "paper-list--dim",
        "paper-list--mark",
    }
    DEFAULT_CSS = """
    PaperList {
        height: 1fr;
        background: $surface;
        overflow-x: hidden;  /* rows are cut to the width: no scrollbar across the list's last row */
        scrollbar-gutter: stable;  /* the rows keep their width whether a scrollbar shows or not */
        scrollbar-size-vertical: 1;
    }
    PaperList > .paper-list--cursor {
        background: $block-cursor-blurred-background;
    }
    PaperList:focus > .paper-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    PaperList > .paper-list--match {
        color: $accent;
        text-style: bold underline;
    }
    PaperList > .paper-list--star {
        color: $warning;
    }
    PaperList > .paper-list--dim {
        color: $text-muted;
    }
    PaperList > .paper-list--mark {
        color: $success;
        text-style: bold;
    }
    """
    BINDINGS = bindings("list")

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    @dataclass
    class Highlighted(Message):
        paper: Paper | None

    @dataclass
    class Opened(Message):
        paper: Paper

    class AboveTop(Message):
        """`up` on the first row: the user wants what is above the list (the search)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.papers: Sequence[Paper] = ()
        self.search_query: Query = Query()  # not `query`: that would hide Widget.query()
        self.user: UserState = NoUserState()
        self._positions: dict[int, list[int]] = {}
        self.marked: Container[str] = ()  # the marked papers' ids; a column shows them while any are
        self._styles: dict[tuple[str, ...], Style] = {}

    def on_mount(self) -> None:
        style_scrollbar_now(self)

    @property
    def current(self) -> Paper | None:
        return self.papers[self.cursor] if 0 <= self.cursor < len(self.papers) else None

    def show(self, papers: Sequence[Paper], query: Query, user: UserState, keep: str | None = None) -> None:
        """Replace the rows; keep the cursor on paper `keep` when it is still listed."""
        self.papers, self.search_query, self.user = papers, query, user
        self._positions.clear()
        self.virtual_size = Size(0, len(papers))  # no width: rows are cut to the list's
        target = 0
        if keep is not None:
            target = next((i for i, p in enumerate(papers) if p.id == keep), 0)
        self.cursor = target
        self.refresh()

    def refresh_marks(self) -> None:
        """Stars and status changed: redraw, nothing else moves."""
        self.refresh()

    def show_marks(self, marked: Collection[str]) -> None:
        self.marked = marked if marked else ()
        self.refresh()

    def move_to(self, paper_id: str) -> bool:
        for index, paper in enumerate(self.papers):
            if paper.id == paper_id:
                self.cursor = index
                return True
        return False

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.papers) - 1)) if self.papers else 0

    def watch_cursor(self, value: int) -> None:
        self.scroll_to_region_row(value)
        self.refresh()
        self.post_message(self.Highlighted(self.current))

    def scroll_to_region_row(self, row: int) -> None:
        height = max(self.scrollable_content_region.height, 1)
        top = round(self.scroll_y)
        if row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False)

    def on_resize(self) -> None:
        self.scroll_to_region_row(self.cursor)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_up_or_search(self) -> None:
        if self.cursor <= 0:
            self.post_message(self.AboveTop())
        else:
            self.cursor -= 1

    def action_half_page(self, direction: int) -> None:
        self.cursor += direction * max(self.scrollable_content_region.height // 2, 1)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self.papers) - 1

    def action_page_down(self) -> None:
        self.cursor += max(self.scrollable_content_region.height - 1, 1)

    def action_page_up(self) -> None:
        self.cursor -= max(self.scrollable_content_region.height - 1, 1)

    def action_open(self) -> None:
        if self.current is not None:
            self.post_message(self.Opened(self.current))

    def on_click(self, event: events.Click) -> None:
        row = event.y + round(self.scroll_y)
        if 0 <= row < len(self.papers):
            if row == self.cursor and event.chain >= 2:
                self.action_open()
            self.cursor = row

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def _style(self, *components: str) -> Style:
        """The list's style with `components` over it, kept until the styles change: each row
        asked for three or four, and each walked the widget's ancestors for their backgrounds."""
        style = self._styles.get(components)
        if style is None:
            style = self.rich_style
            for component in components:
                style += self.get_component_rich_style(component)
            self._styles[components] = style
        return style

    def render_line(self, y: int) -> Strip:
        row = y + round(self.scroll_y)
        width = self.scrollable_content_region.width
        if row >= len(self.papers):
            return Strip.blank(width, self._style())
        paper = self.papers[row]
        look = ("paper-list--cursor",) if row == self.cursor else ()
        base = self._style(*look)
        if not self.marked:
            return Strip(self._row(paper, row, width, look)).adjust_cell_length(width, base)
        # While there are marks, a column of its own before the star, never a character of the title.
        mark = Segment(MARK if paper.id in self.marked else " ", self._style(*look, "paper-list--mark"))
        return Strip([mark, *self._row(paper, row, width - 1, look)]).adjust_cell_length(width, base)

    def _row(self, paper: Paper, row: int, width: int, look: tuple[str, ...]) -> list[Segment]:
        dim = self._style(*look, "paper-list--dim")
        star = STAR_MARK if self.user.is_starred(paper.id) else " "
        mark = STATUS_MARKS.get(self.user.status(paper.id), " ")
        year = paper.date.isoformat()[:4]  # "n.d." for an undated work
        org = one_line(paper.orgs[0]) if paper.orgs else ""
        # The title first: the first organisation gets a column only once the title has room.
        org_width = min(width // 5, 24) if width >= ORG_FROM else 0
        title_width = max(width - 3 - 6 - 1 - (2 + org_width if org_width else 0), 4)  # 1: a gap at the edge
        segments = [Segment(star, self._style(*look, "paper-list--star")), Segment(f"{mark} ", dim)]
        segments += self._title(paper, row, title_width, look)
        segments.append(Segment(f"  {year}", dim))
        if org_width:
            segments.append(Segment("  " + _fit(org, org_width), dim))
        return segments

    def _title(self, paper: Paper, row: int, width: int, look: tuple[str, ...]) -> list[Segment]:
        title = one_line(paper.title)
        if row not in self._positions:
            same_length = len(title) == len(paper.title)
            self._positions[row] = highlight_positions(self.search_query, title) if same_length else []
        return fit_title(
            title, self._positions[row], width, self._style(*look), self._style(*look, "paper-list--match")
        )


def fit_title(title: str, positions: list[int], width: int, plain: Style, match: Style) -> list[Segment]:
    """A title in `width` cells, its matched characters (`positions`) in `match`: cut with an
    ellipsis, and where the last match is past the part that fits, its end shown instead (as
    fzf does)."""
    if title.isascii():  # a cell a character: the part shown is found by counting
        return _runs(title, _shown_part(len(title), max(positions, default=-1), width), positions, width, plain, match)
    return fit_title_by_cells(title, positions, width, plain, match)


def fit_title_by_cells(title: str, positions: list[int], width: int, plain: Style, match: Style) -> list[Segment]:
    """`fit_title` for any text: character by character, each by its cells."""
    matched = set(positions)
    segments: list[Segment] = []
    used = 0
    start = 0
    if matched and cell_len(title[: max(matched) + 1]) > width - 1:
        start = len(title)
        while start > 0 and cell_len(title[start - 1 :]) <= width - 1:
            start -= 1
        segments.append(Segment("…", plain))
        used = 1
    for index, char in enumerate(title[start:], start=start):
        char_width = cell_len(char)
        if used + char_width > width - (1 if index < len(title) - 1 else 0):
            segments.append(Segment("…", plain))
            used += 1
            break
        segments.append(Segment(char, match if index in matched else plain))
        used += char_width
    if used < width:
        segments.append(Segment(" " * (width - used), plain))
    return list(Segment.simplify(segments))


def _shown_part(length: int, last_match: int, width: int) -> tuple[int, int, bool, bool]:
    """Of a title of `length` one-cell characters in `width` cells: where the part shown starts
    and ends, and whether an ellipsis goes before it and after it. As in fzf, a match past the
    part that fits shows the title's end instead."""
    if last_match + 1 > width - 1:
        return max(length - (width - 1), 0), length, True, False
    if length <= width:
        return 0, length, False, False
    return 0, width - 1, False, True


def _runs(
    title: str, part: tuple[int, int, bool, bool], positions: list[int], width: int, plain: Style, match: Style
) -> list[Segment]:
    """The segments of a title's part shown: runs of matched and plain characters, the
    ellipses, and spaces to `width`."""
    start, end, before, after = part
    segments = [Segment("…", plain)] if before else []
    at = start
    matched = sorted({position for position in positions if start <= position < end})
    index = 0
    while index < len(matched):
        first = last = matched[index]
        while index + 1 < len(matched) and matched[index + 1] == last + 1:
            index += 1
            last = matched[index]
        if first > at:
            segments.append(Segment(title[at:first], plain))
        segments.append(Segment(title[first : last + 1], match))
        at = last + 1
        index += 1
    if end > at:
        segments.append(Segment(title[at:end], plain))
    if after:
        segments.append(Segment("…", plain))
    used = end - start + before + after
    if used < width:
        segments.append(Segment(" " * (width - used), plain))
    return segments


def _fit(text: str, width: int) -> str:
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    out, used = [], 0
    for char in text:
        if used + cell_len(char) > width - 1:
            break
        out.append(char)
        used += cell_len(char)
    return "".join(out) + "…" + " " * (width - used - 1)
