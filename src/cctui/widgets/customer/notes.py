"""The customer's private notes and customer-visible actions, newest first."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from cctui.domain.models import NoteKind, OpenDone
from cctui.domain.workflow.notes import NoteView, customer_notes
from cctui.widgets.customer.tab import TabContext, TableTab, day, short
from cctui.widgets.safe_text import safe_text

if TYPE_CHECKING:
    from cctui.db.engine import Database


def note_kind(note: NoteView) -> Text:
    """ "Note", or "ACTION" (bold while open) for what the customer must do."""
    if note.kind is NoteKind.ACTION:
        return Text("ACTION", style="bold" if note.is_open_action else "")
    return Text("note")


class NotesTab(TableTab):
    """Notes and actions with date, kind, state, author and text; the highlighted one's
    full text shows under the table. ``d`` marks the highlighted one done."""

    DEFAULT_CSS = """
    NotesTab > #note-detail {
        height: auto;
        max-height: 3;
        padding: 0 1;
        background: $panel;
    }
    """

    TITLE = "Notes"
    TASK = "read the customer's notes and actions"
    COLUMNS = ("Date", "Kind", "State", "By", "Text")
    EMPTY = "No notes or actions yet: n writes a note, c adds an action."
    FIXED = 45

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._notes: dict[str, NoteView] = {}

    def compose(self) -> ComposeResult:
        """The table, the empty line and the full text of the highlighted note."""
        yield from super().compose()
        yield Static(Text(""), id="note-detail")

    def fetch(self, db: Database, context: TabContext) -> list[NoteView]:
        """The customer's notes and actions."""
        with db.session() as session:
            return customer_notes(session, context.customer_id)

    def rows(self, data: object) -> Iterable[tuple[str, Sequence[Text | str]]]:
        """One row per note; actions say which type."""
        notes: list[NoteView] = data if isinstance(data, list) else []
        self._notes = {str(note.id): note for note in notes}
        for note in notes:
            body = note.body
            if note.kind is NoteKind.ACTION and note.action_type_name:
                body = f"{note.action_type_name}: {body}"
            yield (
                str(note.id),
                (
                    day(note.created_at),
                    note_kind(note),
                    "open" if note.status is OpenDone.OPEN else "done",
                    short(note.author or "-", 12),
                    short(body, self.text_room),
                ),
            )

    def selected_note(self) -> NoteView | None:
        """The note or action under the cursor."""
        key = self.selected_key
        return self._notes.get(key) if key is not None else None

    def show(self, data: object) -> None:
        """Draw the rows and the highlighted note's full text."""
        super().show(data)
        self._show_detail()

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#note-detail", Static)
        note = self.selected_note()
        detail.display = note is not None
        if note is not None:
            closed = (
                f" (done by {note.done_by or '?'} on {day(note.done_at)})" if note.done_at else ""
            )
            text = safe_text(note.body)
            text.append(closed, style="italic")
            detail.update(text)
