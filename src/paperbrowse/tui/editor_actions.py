"""The browser's editors of what the user writes: the note (`n`, and `N` in their own editor)
and the tags (`t`).

Mixed into the main screen. Each opens on what the library file says now (a running save done
first, another copy's save taken in), and applies only what the user changed, merged with what
others saved meanwhile, through the same core calls as the CLI's `note` and `tag`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.app import SuspendNotSupported
from textual.screen import Screen

from paperbrowse.core.library.note_editor_run import EditorError, edit_in_editor
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.schema import Paper
from paperbrowse.core.settings.config_file import editor_command

if TYPE_CHECKING:
    from paperbrowse.tui.session import Session


class EditorActions(Screen[None]):
    if TYPE_CHECKING:
        session: Session

        def _paper_or_none(self, action: Callable[[], object] | None = None) -> Paper | None: ...
        def _writable(self) -> bool: ...
        def _change(self, apply: Callable[[Library], object], paper_id: str, *, tags: bool = False) -> None: ...
        def tags_marked(self) -> bool: ...

    def _note_to_edit(self, action: Callable[[], object]) -> tuple[Paper, str] | None:
        """The selected paper and its note as the file says now (a running save done first), for
        an editor to open on; None when there is no paper or the library is read-only."""
        paper = self._paper_or_none(action)
        if paper is None or not self._writable():
            return None
        self.session.library.refresh(wait=1.0)
        return paper, self.session.library.note(paper.id)

    def action_edit_note(self) -> None:
        from paperbrowse.tui.screens.note_editor import NoteEditor

        opening = self._note_to_edit(self.action_edit_note)
        if opening is None:
            return
        paper, opened_with = opening

        def saved(text: str | None) -> None:
            if text is None:
                return
            try:
                # Only what the user changed is applied, merged with what others saved meanwhile.
                self._change(lambda library: library.merge_note(paper.id, opened_with, text), paper.id)
            except Exception as error:  # a bug must not take the user's text with it
                self.log.error(f"applying the note failed: {error!r}")
                self.notify(
                    f"Could not keep the note: {type(error).__name__}: {error}. Your text is back in the editor.",
                    severity="error",
                    timeout=15,
                    markup=False,
                )
                self.app.push_screen(NoteEditor(paper.title, opened_with, draft=text), saved)

        self.app.push_screen(NoteEditor(paper.title, opened_with), saved)

    def action_edit_note_in_editor(self) -> None:
        opening = self._note_to_edit(self.action_edit_note_in_editor)
        if opening is None:
            return
        paper, opened_with = opening
        try:
            with self.app.suspend():  # the editor gets the terminal; the browser comes back after
                edited, draft = edit_in_editor(opened_with, paper.id, editor_command(self.session.settings))
        except SuspendNotSupported:
            self.notify(
                "This terminal cannot hand itself to an editor: press n instead.", severity="warning", markup=False
            )
            return
        except EditorError as err:
            self.notify(str(err), title="Note not changed", severity="error", timeout=15, markup=False)
            return
        self.session.library.refresh()  # the editor may have been open for an hour
        self._change(lambda library: library.merge_note(paper.id, opened_with, edited), paper.id)
        # The library holds the text now (and a rescue copy guards it if saving fails).
        draft.unlink(missing_ok=True)

    def action_edit_tags(self) -> None:
        from paperbrowse.tui.screens.tags_dialog import TagChanges, TagsDialog

        if self.tags_marked():
            return
        paper = self._paper_or_none(self.action_edit_tags)
        if paper is None or not self._writable():
            return

        def saved(changes: TagChanges | None) -> None:
            if changes is not None:  # only the user's additions and removals: others' tags stay
                self._change(
                    lambda library: library.edit_tags(paper.id, add=changes.add, remove=changes.remove),
                    paper.id,
                    tags=True,
                )

        self.session.library.refresh(wait=1.0)  # open on what the file says now, a running save done first
        user_tags = list(self.session.library.user_tags(paper.id))
        self.app.push_screen(TagsDialog(paper.title, user_tags, list(paper.tags)), saved)
