"""How many papers each of the browser's smart lists and tags holds, counted once per change.

The counts agree with the query filters the lists run (`is:starred`, `is:reading`,
`is:unread`, `has:note`, `tag:`), since both ask the same library methods.
"""

from __future__ import annotations

from collections import Counter

from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.catalog import Catalog


def smart_list_counts(catalog: Catalog, library: Library) -> dict[str, int]:
    """Papers per smart list. Only library entries for loaded papers count (orphans do not)."""
    known = [pid for pid in library.paper_ids() if pid in catalog.by_id]
    statuses = Counter(library.status(pid) for pid in known)
    return {
        "all": len(catalog.papers),
        "starred": sum(1 for pid in known if library.is_starred(pid)),
        "reading": statuses["reading"],
        "unread": len(catalog.papers) - statuses["reading"] - statuses["read"],
        "notes": sum(1 for pid in known if library.has_note(pid)),
    }


def tag_counts(catalog: Catalog, library: Library | None) -> Counter[str]:
    """Papers per tag, the record's and the user's together, case-insensitively.

    The records' own counts are taken once per catalog; only the few papers the user tagged
    are looked at again on each change.
    """
    counts = Counter(catalog.tag_counts())
    if library is None:
        return counts
    for paper_id in library.paper_ids():
        paper = catalog.by_id.get(paper_id)
        if paper is None:
            continue
        theirs = {t.lower() for t in paper.tags}
        counts.update({t.lower() for t in library.user_tags(paper_id)} - theirs)
    return counts
