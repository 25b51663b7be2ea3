"""The navigation tree: smart lists, the user's saved searches, the category tree and tags.

Each node carries the filter it stands for, in the query language (`cat:agents`, `is:starred`),
so selecting a node is just another query for the search core.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from paperbrowse.core.library.smart_lists import smart_list_counts, tag_counts
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.safe_text import one_line
from paperbrowse.core.search.query import quote
from paperbrowse.tui.keys import bindings
from paperbrowse.tui.labels import LANGUAGES, tr


@dataclass(frozen=True, slots=True)
class Node:
    key: str  # stable name, saved as the last category
    filter: str  # query-language filter for the list
    label: str
    detail: str = ""  # what the list's header adds to the label: a saved search's query


# The smart lists: (key, filter in the query language, label).
SMART_NODES = [
    Node("all", "", "All papers"),
    Node("starred", "is:starred", "Starred"),
    Node("reading", "is:reading", "Reading"),
    Node("unread", "is:unread", "Unread"),
    Node("notes", "has:note", "With notes"),
]


def category_node(catalog: Catalog, category_id: str) -> Node:
    return Node(f"cat:{category_id}", f"cat:{category_id}", catalog.categories[category_id].name)


def tag_node(tag: str) -> Node:
    return Node(f"tag:{tag}", f"tag:{quote(tag)}", f"#{tag}")


SAVED_BRANCH = "Saved searches"


def saved_node(name: str, query: str) -> Node:
    """A saved search's node: its query is the node's filter, the box's text narrows it."""
    return Node(f"saved:{name}", query, name, query)


def node_for_key(catalog: Catalog, library: Library, key: str) -> Node | None:
    """The node the tree shows under `key` (a saved selection), without building the tree."""
    for node in SMART_NODES:
        if node.key == key:
            return node
    kind, _, name = key.partition(":")
    if kind == "cat" and name in catalog.categories:
        return category_node(catalog, name)
    if kind == "tag" and name in tag_counts(catalog, library):
        return tag_node(name)
    if kind == "saved" and (query := library.saved_search(name)) is not None:
        return saved_node(name, query)
    return None


def node_name(node: Node, catalog: Catalog, language: str) -> str:
    """What the tree and the list's header call a node in `language`: a category's own Chinese
    name, a smart list's label translated; a tag or a saved search's name is the user's own word."""
    kind, _, name = node.key.partition(":")
    if kind == "cat":
        category = catalog.categories.get(name)
        return category.name_zh if language == "zh" and category and category.name_zh else node.label
    if kind in ("tag", "saved"):
        return node.label
    return tr(node.label, language)


def smart_nodes(catalog: Catalog, library: Library) -> list[tuple[Node, int]]:
    counts = smart_list_counts(catalog, library)
    return [(node, counts[node.key]) for node in SMART_NODES]


def _label(text: str, count: int) -> Text:
    label = Text(one_line(text))  # a Text, never markup: category names come from files
    label.append(f"  {count}", style="dim")
    return label


_COUNT = re.compile(r"  \d+$")


def _fit(label: Text, tail: int, room: int) -> Text:
    """`label` in `room` cells: a name too long is cut with `…`, its last `tail` characters (the
    count) kept whole. The list's header names the chosen node in full."""
    if label.cell_len <= room or tail >= len(label):
        return label
    name, count = label[: len(label) - tail], label[len(label) - tail :]
    keep = len(name)
    while keep and cell_len(name.plain[:keep]) > room - count.cell_len - 1:
        keep -= 1
    return Text.assemble(name[:keep], ("…", name.style), count)


class CategoryTree(Tree[Node]):
    BINDINGS = bindings("tree")

    language: reactive[str] = reactive("en", init=False)  # "en" or "zh": the nodes' names

    @dataclass
    class Chosen(Message):
        node: Node

    @dataclass
    class Entered(Message):
        """`enter` on a node: its papers are what the user wants to see now."""

        node: Node

    @dataclass
    class DeleteSaved(Message):
        """`d` on a saved search: the screen asks, then deletes it."""

        name: str
        query: str

    @dataclass
    class RenameSaved(Message):
        name: str
        query: str

    def __init__(self, catalog: Catalog, library: Library, *, id: str | None = None) -> None:
        super().__init__(Text("Library"), id=id)
        self.catalog = catalog
        self.library = library
        self.show_root = False
        self.guide_depth = 2
        self._drawn_at: tuple[Size, Size] | None = None  # the sizes the lines shown were drawn at
        self._shape: tuple[object, ...] = ()  # what the nodes were built for (`_shape_of`)

    def on_mount(self) -> None:
        self.rebuild()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._drawn_at = (self.outer_size, self.container_size)
        return super().render_lines(crop)

    def on_resize(self, event: events.Resize) -> None:
        # A widget hears of its size after the frame that first drew it at that size: Tree
        # would clear its lines and draw the same ones again (11-20 ms of the frame after the
        # first screen, the first keys typed waiting). The lines depend on the widths only; the
        # tree sizes its own scrolling as it draws them.
        if (event.size, event.container_size) == self._drawn_at:
            event.prevent_default()

    def watch_language(self) -> None:
        self.rebuild()

    def render_label(self, node: TreeNode[Node], base_style: Style, style: Style) -> Text:
        label = super().render_label(node, base_style, style)
        depth = 0
        parent = node.parent
        while parent is not None and parent is not self.root:
            depth, parent = depth + 1, parent.parent
        room = self.scrollable_content_region.width - depth * self.guide_depth
        count = _COUNT.search(label.plain) if node.data is not None else None  # a node's label ends with its count
        return _fit(label, len(count.group()), room) if count else label

    def use_catalog(self, catalog: Catalog) -> None:
        """Show the nodes of a collection loaded again, keeping the selection. When its categories
        and tags are those shown, only the counts change: the nodes are kept and relabelled
        (a reload at 100,000 papers is usually one file edited, and building every node again
        was most of the UI thread's part of it)."""
        self.catalog = catalog
        if self._shape == self._shape_of(catalog):
            self.refresh_counts(every=True)
        else:
            self.rebuild()

    def _shape_of(self, catalog: Catalog) -> tuple[object, ...]:
        """What decides which nodes the tree has (not their counts)."""
        categories = tuple((depth, c.id, c.name, c.name_zh) for depth, c in catalog.tree())
        return categories, tuple(sorted(tag_counts(catalog, self.library)))

    def rebuild(self, select: str | None = None) -> None:
        """Recount everything (cheap: one pass over the papers) and keep the selection."""
        keep = select or (self.cursor_node.data.key if self.cursor_node and self.cursor_node.data else "all")
        # What the user opened or closed stays so (saving tags rebuilds the tree).
        # A group is known by its English name, whichever language its label was in.
        english = {tr(name, language): name for name in ("Categories", "Tags", SAVED_BRANCH) for language in LANGUAGES}
        opened = {
            english.get(str(node.label), ""): node.is_expanded for node in self.root.children if node.data is None
        }
        self.clear()
        self._shape = self._shape_of(self.catalog)
        language = self.language
        for node, count in smart_nodes(self.catalog, self.library):
            self.root.add_leaf(_label(node_name(node, self.catalog, language), count), node)
        if searches := self.library.saved_searches():
            branch = self.root.add(
                Text(tr(SAVED_BRANCH, language), style="bold"), expand=opened.get(SAVED_BRANCH, True)
            )
            for name, query in searches.items():
                # The query dim after the name, as counts are: its whole text is in the list's header.
                branch.add_leaf(
                    Text(one_line(name)).append(f"  {one_line(query)}", style="dim"), saved_node(name, query)
                )
        categories = self.root.add(
            Text(tr("Categories", language), style="bold"), expand=opened.get("Categories", True)
        )
        self._add_categories(categories, None)
        tags = self.root.add(Text(tr("Tags", language), style="bold"), expand=opened.get("Tags", False))
        for tag, count in sorted(tag_counts(self.catalog, self.library).items()):
            tags.add_leaf(_label(f"#{tag}", count), tag_node(tag))
        self.select_key(keep)

    def refresh_counts(self, *, every: bool = False) -> None:
        """Stars, status or notes changed: relabel the smart nodes only; `every`: the categories'
        and tags' nodes too (the papers changed). A label that stays the same is left alone."""
        counts = {node.key: count for node, count in smart_nodes(self.catalog, self.library)}
        tags = tag_counts(self.catalog, self.library) if every else {}
        pending = list(self.root.children)
        while pending:
            child = pending.pop()
            pending.extend(child.children)
            node = child.data
            if node is None:
                continue
            kind, _, name = node.key.partition(":")
            if node.key in counts:
                count = counts[node.key]
            elif every and kind == "cat":
                count = self.catalog.count(name)
            elif every and kind == "tag":
                count = tags[name]
            else:
                continue
            label = _label(node_name(node, self.catalog, self.language), count)
            if label != child.label:
                child.set_label(label)

    def _add_categories(self, parent: TreeNode[Node], parent_id: str | None) -> None:
        # A loop over the catalog's depth-first rows, not a recursion: depth is bounded by the
        # catalog (MAX_CATEGORY_DEPTH), but a walk must not depend on the interpreter's stack.
        children = self.catalog.children
        branches: dict[str | None, TreeNode[Node]] = {parent_id: parent}
        for _, category in self.catalog.tree():
            under = branches.get(category.parent)
            if under is None:  # not below `parent_id`
                continue
            node = category_node(self.catalog, category.id)
            label = _label(node_name(node, self.catalog, self.language), self.catalog.count(category.id))
            if children.get(category.id):
                branches[category.id] = under.add(label, node, expand=True)
            else:
                under.add_leaf(label, node)

    def select_key(self, key: str) -> bool:
        def walk(node: TreeNode[Node]):
            for child in node.children:
                yield child
                yield from walk(child)

        for node in walk(self.root):
            if node.data is not None and node.data.key == key:
                if node.parent is not None and not node.parent.is_expanded:
                    node.parent.expand()
                # A node in a branch just opened, or added since the tree last laid its lines
                # out (a rebuild), has no line until the next refresh, and the cursor would land
                # on the first node (a restored tag shown with All papers highlighted): asking
                # for a line lays them out now, so the node gets its own.
                if node.line < 0:
                    self.get_node_at_line(0)
                self.move_cursor(node)
                return True
        self.move_cursor(self.root.children[0] if self.root.children else None)
        return False

    # Vim's keys, as in the list: g G first and last, l opens a node, h closes it or goes up.
    def action_first(self) -> None:
        self.cursor_line = 0

    def action_last(self) -> None:
        self.cursor_line = self.last_line

    def action_open_node(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and not node.is_expanded:
            node.expand()
        elif node.children:
            self.move_cursor(node.children[0])

    def action_close_node(self) -> None:
        node = self.cursor_node
        if node is not None and node.is_expanded:
            node.collapse()
        else:
            self.action_cursor_parent()

    # Keys for the saved search under the cursor; on another node they do what they do elsewhere.
    def _saved_at_cursor(self) -> Node | None:
        data = self.cursor_node.data if self.cursor_node is not None else None
        return data if data is not None and data.key.startswith("saved:") else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("delete_saved", "rename_saved"):
            return self._saved_at_cursor() is not None  # False: `r` on another node cycles the status
        return super().check_action(action, parameters)

    def action_delete_saved(self) -> None:
        if node := self._saved_at_cursor():
            self.post_message(self.DeleteSaved(node.label, node.filter))

    def action_rename_saved(self) -> None:
        if node := self._saved_at_cursor():
            self.post_message(self.RenameSaved(node.label, node.filter))

    def action_enter_node(self) -> None:
        node = self.cursor_node
        if node is not None and node.data is not None:
            self.post_message(self.Entered(node.data))

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[Node]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.Chosen(event.node.data))

    def on_tree_node_selected(self, event: Tree.NodeSelected[Node]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.Chosen(event.node.data))
