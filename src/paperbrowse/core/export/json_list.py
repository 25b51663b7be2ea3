"""JSON export: the `--json` shape of each paper plus the user's state and note."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from paperbrowse.core.export.json_shape import paper_dict

if TYPE_CHECKING:
    from paperbrowse.core.export import ExportItem

# json.dumps escapes C0 controls itself; these others would still act on a terminal that shows
# the file (DEL, C1 controls, bidi marks, line separators). As \u escapes they decode the same.
_TERMINAL_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def item_dict(item: ExportItem) -> dict[str, Any]:
    data = paper_dict(item.paper)
    data["starred"] = item.starred_at is not None
    data["starred_at"] = item.starred_at.isoformat() if item.starred_at else None
    data["status"] = item.status
    data["user_tags"] = list(item.user_tags)
    data["has_note"] = bool(item.note.strip())
    data["note"] = item.note
    return data


def to_json(items: Sequence[ExportItem]) -> str:
    """A JSON array, one object per item, indented, UTF-8 text, with a trailing newline."""
    text = json.dumps([item_dict(item) for item in items], ensure_ascii=False, indent=2)
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"
