"""Commands that change the user's library: star, unstar, status, tag, note; and `library`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from paperbrowse.cli.context import AddCommand, CliError, Context
from paperbrowse.cli.lookup import find_paper
from paperbrowse.core.files.paths import user_papers_folder
from paperbrowse.core.library import bulk
from paperbrowse.core.library.note_editor_run import EditorError, edit_in_editor
from paperbrowse.core.library.user_library import STATUSES, Library, LibraryError
from paperbrowse.core.records.safe_text import one_line, visible
from paperbrowse.core.settings.config_file import editor_command


def _save(library: Library, *, kept_in: Path | None = None) -> None:
    """Save, then tell what the save found (a note merged with a conflict, a backup not written).

    This process ends here, and a change kept in memory with it: the message says why, and where
    the user's text is kept instead (`kept_in`) when there is such a place.
    """
    try:
        library.save()
    except LibraryError as err:
        message = err.reason
        if kept_in is not None:
            message += f"; your text is kept in {kept_in}"
        raise CliError(message) from None
    finally:
        for notice in library.take_notices():
            print(f"paperbrowse: {notice}", file=sys.stderr)


def _known(context: Context, ids: list[str]) -> list[str]:
    """Check every id before changing anything: one unknown id means nothing is written."""
    return [find_paper(context, paper_id).id for paper_id in ids]


def cmd_star(context: Context, args: argparse.Namespace) -> int:
    ids = _known(context, args.ids)
    library = context.writable_library()
    for paper_id in ids:
        library.star(paper_id, args.command == "star")
    _save(library)
    return 0


def cmd_status(context: Context, args: argparse.Namespace) -> int:
    ids = _known(context, args.ids)
    library = context.writable_library()
    bulk.set_status_all(library, ids, args.status)
    _save(library)
    return 0


def split_tag_words(words: list[str]) -> tuple[list[str], list[str]]:
    """`tag ID... +TAG -TAG`: the ids are the words before the first one that starts with + or -
    (so `tag ID +t` reads as it always did); the rest are the changes."""
    first = next((i for i, word in enumerate(words) if word.startswith(("+", "-"))), len(words))
    return words[:first], words[first:]


def cmd_tag(context: Context, args: argparse.Namespace) -> int:
    named, changes = split_tag_words([*args.ids, *args.changes])
    if not changes:
        after = f" (after the ids {one_line(' '.join(named))})" if len(named) > 1 else ""
        raise CliError(f"name at least one change: +TAG to add, -TAG to remove{after}", 2)
    add, remove = [], []
    for change in changes:
        if change.startswith("-") and len(change) > 1:
            remove.append(change[1:])
        elif change.startswith("+") and len(change) > 1:
            add.append(change[1:])
        else:
            raise CliError(f"write +TAG to add or -TAG to remove, not '{one_line(change)}'", 2)
    ids = list(dict.fromkeys(_known(context, named)))
    library = context.writable_library()
    bulk.edit_tags_all(library, ids, add, remove)
    _save(library)
    for paper_id in ids:
        tags = library.user_tags(paper_id)
        shown = one_line(", ".join(tags)) if tags else "(no tags of yours)"
        print(f"{one_line(paper_id)}\t{shown}" if len(ids) > 1 else shown)
    return 0


def cmd_note(context: Context, args: argparse.Namespace) -> int:
    (paper_id,) = _known(context, [args.id])
    if args.print:
        note = context.library.note(paper_id)
        if sys.stdout.isatty():
            note = visible(note)  # shown, never obeyed; piped to a file, the note stays exact
        print(note, end="" if not note or note.endswith("\n") else "\n")
        return 0
    library = context.writable_library()
    if args.text is not None:
        library.set_note(paper_id, args.text)
    elif args.append is not None:
        library.append_note(paper_id, args.append)
    else:
        opened_with = library.note(paper_id)
        try:
            edited, draft = edit_in_editor(opened_with, paper_id, editor_command(context.settings))
        except EditorError as err:
            raise CliError(str(err)) from None
        # The editor may have been open for an hour: what others saved meanwhile is merged with
        # the user's changes, never replaced by them.
        library.refresh()
        library.merge_note(paper_id, opened_with, edited)
        _save(library, kept_in=draft)
        draft.unlink(missing_ok=True)
        return 0
    _save(library)
    return 0


def _print_path(path: Path) -> None:
    """A path for a script: its exact bytes when piped; on a terminal, shown inertly."""
    if sys.stdout.isatty():
        print(visible(str(path)))
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(os.fsencode(path) + b"\n")
        sys.stdout.flush()


def cmd_library(context: Context, args: argparse.Namespace) -> int:
    if args.action == "path":
        _print_path(context.library_file)
        return 0
    if args.action == "papers":
        _print_path(user_papers_folder(context.library_file))
        return 0
    library = context.library
    orphans = library.orphans(context.catalog.by_id)
    for paper_id in orphans:
        entry = library.entry(paper_id)
        kept = [
            name
            for name, has in (
                ("star", entry.starred),
                ("note", entry.note),
                ("tags", entry.tags),
                (entry.status, entry.status != "unread"),
            )
            if has
        ]
        print(f"{one_line(paper_id)}\t{', '.join(kept) or 'nothing'}")
    if orphans:
        print(f"{len(orphans)} entries name papers that are not in the data; they are kept.", file=sys.stderr)
    return 0


def add_parsers(command: AddCommand) -> None:
    for name, verb in (("star", "star"), ("unstar", "unstar")):
        p = command(name, f"{verb} papers")
        p.add_argument("ids", nargs="+", metavar="ID")
    p = command("status", "set the reading status of papers")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("status", choices=STATUSES)
    p = command("tag", "add (+TAG) or remove (-TAG) your own tags, on one paper or many (ID... +TAG -TAG)")
    # One positional takes every word: `split_tag_words` finds where the ids end.
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("changes", nargs="*", metavar="+TAG|-TAG")
    p = command("note", "edit a paper's note in $EDITOR (or --text, --append, --print)")
    p.add_argument("id")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--text", metavar="T", help="replace the note with T")
    group.add_argument("--append", metavar="T", help="append T as a new line")
    group.add_argument("--print", action="store_true", help="print the note")
    p = command("library", "about your library file: where it is, your papers folder, entries for unknown papers")
    p.add_argument("action", choices=("orphans", "path", "papers"))


HANDLERS = {
    "star": cmd_star,
    "unstar": cmd_star,
    "status": cmd_status,
    "tag": cmd_tag,
    "note": cmd_note,
    "library": cmd_library,
}
