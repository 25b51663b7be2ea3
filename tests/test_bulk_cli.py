"""The CLI acts on many papers at once, as the browser does on the marked ones: `status ID...
STATE`, `tag ID... +TAG -TAG`, `export --ids ID...`; the one-id forms read as they always did."""

from __future__ import annotations

import json

import test_library_cli as base
from paperbrowse.cli.library_commands import split_tag_words

# The library commands' collection, terminal and `cli` runner, shared as fixtures.
_terminal, data, lib, cli = base._terminal, base.data, base.lib, base.cli
library, ok = base.library, base.ok


def test_status_sets_many_papers_at_once(cli, lib):
    ok(cli("status", "kiwi", "zebra", "apple", "read"))
    assert [library(lib).status(p) for p in ("kiwi", "zebra", "apple", "mango")] == ["read", "read", "read", "unread"]
    ok(cli("status", "kiwi", "reading"))  # one id, as before
    assert library(lib).status("kiwi") == "reading"


def test_status_with_one_unknown_id_changes_nothing(cli, lib):
    code, _, err = cli("status", "kiwi", "nope", "read")
    assert code == 1 and "nope" in err
    assert not lib.exists()


def test_tag_many_papers_the_ids_ending_at_the_first_sign(cli, lib):
    ok(cli("tag", "zebra", "+mine"))
    out = ok(cli("tag", "zebra", "apple", "kiwi", "+shared", "-mine", "-absent"))
    assert out.splitlines() == ["zebra\tshared", "apple\tshared", "kiwi\tshared"]
    ok(cli("tag", "apple", "-shared"))  # one id: prints the tags alone, as before
    saved = library(lib)
    assert [saved.user_tags(p) for p in ("zebra", "apple", "kiwi")] == [("shared",), (), ("shared",)]


def test_tag_removal_words_that_look_like_options_end_the_ids_too(cli, lib):
    ok(cli("tag", "zebra", "apple", "+hardware", "+keep"))
    ok(cli("tag", "zebra", "apple", "-hardware", "-keep"))
    assert library(lib).user_tags("zebra") == () and library(lib).user_tags("apple") == ()


def test_tag_many_ids_without_a_change_says_where_the_ids_end(cli, lib):
    code, _, err = cli("tag", "zebra", "plain")
    assert code == 2 and "+TAG" in err and "zebra plain" in err
    code, _, err = cli("tag", "zebra", "+x", "plain")
    assert code == 2 and "not 'plain'" in err
    assert not lib.exists()


def test_split_tag_words() -> None:
    assert split_tag_words(["a", "b", "+x", "-y"]) == (["a", "b"], ["+x", "-y"])
    assert split_tag_words(["a"]) == (["a"], [])
    assert split_tag_words(["-y", "b"]) == ([], ["-y", "b"])


def test_export_ids_in_the_order_given(cli, lib):
    items = json.loads(ok(cli("export", "--ids", "mango", "zebra", "mango", "--format", "json")))
    assert [item["id"] for item in items] == ["mango", "zebra"]  # a paper named twice, once
    items = json.loads(ok(cli("export", "--ids", "mango", "zebra", "--sort", "title", "--format", "json")))
    assert [item["id"] for item in items] == ["mango", "zebra"]
    code, _, err = cli("export", "--ids", "nope")
    assert code == 1 and "nope" in err


def test_export_ids_with_a_query_or_starred_is_refused(cli, lib):
    code, _, err = cli("export", "--starred", "--ids", "kiwi")
    assert code == 2 and "--ids" in err
