"""The smart lists' counts agree with the filters they run, and ignore orphan entries."""

from __future__ import annotations

from paperbrowse.core.files.paths import shipped
from paperbrowse.core.library.smart_lists import smart_list_counts, tag_counts
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.core.search.engine import SearchIndex

FILTERS = {"all": "", "starred": "is:starred", "reading": "is:reading", "unread": "is:unread", "notes": "has:note"}


def test_counts_match_the_filters_and_skip_orphans(tmp_path):
    catalog = load_catalog([shipped("data")])
    library = Library.load(tmp_path / "library.toml")
    library.star("llama")
    library.star("gone-from-the-data")  # an orphan entry: kept, never counted
    library.set_status("gptq", "reading")
    library.set_status("medusa", "read")
    library.set_status("gone-from-the-data", "read")
    library.set_note("blip2", "read section 3")
    library.set_note("mixtral", "   ")  # blank: no note
    library.edit_tags("llama", add=["MoE"])

    counts = smart_list_counts(catalog, library)
    index = SearchIndex(catalog)
    for key, query in FILTERS.items():
        assert counts[key] == len(index.search(query, library).hits), key
    assert counts == {"all": 26, "starred": 1, "reading": 1, "unread": 24, "notes": 1}

    tags = tag_counts(catalog, library)
    assert tags["moe"] == len(index.search("tag:moe", library).hits)


def test_tag_counts_agree_with_the_tag_filter_for_every_tag(tmp_path):
    """Counted once per catalog, then the user's tags on top: each count is its filter's hits."""
    catalog = load_catalog([shipped("data")])
    library = Library.load(tmp_path / "library.toml")
    index = SearchIndex(catalog)
    before = tag_counts(catalog, library)
    library.edit_tags("llama", add=["Brand-New", "moe"])  # one new tag, one llama lacked
    library.edit_tags("mixtral", add=["MoE"])  # already its own tag, in another case
    library.edit_tags("gone-from-the-data", add=["orphan"])
    after = tag_counts(catalog, library)
    for tag in set(before) | set(after) | {"brand-new", "orphan"}:
        assert after[tag] == len(index.search(f'tag:"{tag}"', library).hits), tag
    assert after["brand-new"] == 1 and after["moe"] == before["moe"] + 1 and after["orphan"] == 0
