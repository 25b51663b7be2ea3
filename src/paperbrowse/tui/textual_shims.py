"""Workarounds for what Textual 8.2 does not offer, each with a test that fails once Textual
no longer needs it (tests/test_textual_shims.py). Nothing else in paperbrowse redefines a
framework reactive or handler.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import Input

# The footer's key widget, which Textual 8.2 does not export: the footer (tui/widgets/key_footer)
# reads each key's text and hides the keys that do not fit, rather than let Textual cut the row.
from textual.widgets._footer import FooterKey as FooterKey

# Textual 8.2 names these keys but cannot tell their characters (`key_to_character("slash")` is
# None), so a focused Input does not claim them and a binding of the screen takes them.
KEY_CHARACTERS = {"plus": "+", "minus": "-", "slash": "/", "at": "@", "backslash": "\\", "underscore": "_"}


class SearchInput(Input):
    """An Input for a one-line query, with two workarounds.

    It keeps every printable key: without it, `/` typed in the search would run the screen's
    `/` binding (focus the search) instead of being typed, and old-style arXiv ids hold a `/`.

    It repaints, rather than lays out the whole screen, when its text changes.

    Textual 8.2's Input sets its virtual size (the text's width) on every change, and Widget
    declares `virtual_size` with `layout=True`: each keystroke then arranges every widget of the
    screen again, 4 ms a key at 100,000 papers, taken from the search. A one-line input of a
    fixed size without scrollbars only needs a repaint; scrolling to the cursor reads the new
    size directly. Use it only with a fixed height and width (the CSS of its place).
    """

    virtual_size = Reactive(Size(0, 0), layout=False)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return super().check_consume_key(key, character or KEY_CHARACTERS.get(key))


def style_scrollbar_now(widget: Widget) -> None:
    """Give `widget`'s vertical scrollbar its styles now, from `on_mount`, before the first layout.

    Textual 8.2 makes a scrollbar when it is first needed, in a layout, and styles it the first
    time a restyle of the widget finds it shown: its size rules are then set, and each lays
    the whole screen out again. The list's came at the first `/` (its focus leaving the list),
    a layout and frame of 50-110 ms at 120x40 that the query typed after it waited for."""
    widget.app.update_styles(widget.vertical_scrollbar)
