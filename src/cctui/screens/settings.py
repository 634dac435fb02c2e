"""Settings (admins): credit policies, dunning steps, action types, book settings, agencies,
staff and roles, the letterhead and letter templates, and the SMTP server of statements by
e-mail, one tab each.

Every tab is a table of its rows; ``a`` adds, ``e`` or Enter edits, ``d`` deactivates or
reactivates where the book allows it, ``p`` sets a supervisor's approval password. Forms
save through the domain in a worker and show its refusals inline; every service checks
the actor's role itself, whatever this screen offers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from cctui.domain.models import Role
from cctui.screens.base import CctuiScreen
from cctui.widgets.safe_text import plain, safe_text
from cctui.widgets.settings import Row, Section, all_sections
from cctui.widgets.settings.form import FormModal, FormSpec

if TYPE_CHECKING:
    from cctui.app import AppContext

READ_GROUP = "settings-read"
"""The worker group that reads every section (one read at a time)."""
TOGGLE_GROUP = "settings-toggle"
"""The worker group of ``d`` (deactivate / reactivate)."""

SHOWN_ENTITIES = frozenset(
    {
        "credit_policy",
        "customer",
        "dunning_step",
        "action_type",
        "letter_template",
        "setting",
        "collection_agency",
        "staff",
    }
)
"""The entities of the changes (see :mod:`cctui.live`) that alter what this screen shows."""

CELL_WIDTH = 26
"""Longest text shown in a cell of a narrow column; longer names end in an ellipsis."""
WIDE_CELL_WIDTH = 52
"""Longest text in the last column of a two-column table (settings, letterhead)."""


def cell(value: str, width: int) -> Text:
    """A cell showing ``value`` literally, cut to ``width`` characters with an ellipsis."""
    text = plain(value)
    if len(text) > width:
        text = text[: width - 1] + "…"
    return safe_text(text)


def _section_binding(number: int) -> Binding:
    return Binding(
        str(number),
        f"section({number})",
        f"Section {number}",
        show=False,
        tooltip=f"Show the settings section numbered {number} on its tab.",
        id=f"settings.section-{number}",
    )


class SettingsScreen(CctuiScreen):
    """The admins' settings: eight sections on tabs, each a table with add, edit and toggle."""

    HELP_TITLE = "Settings"
    SCREEN_NAME = "settings"
    MIN_ROLE = Role.ADMIN
    """Only admins are offered the screen (each service checks the role again)."""

    DEFAULT_CSS = """
    SettingsScreen #settings-tabs {
        height: 1fr;
    }
    SettingsScreen TabPane {
        padding: 0;
    }
    /* Eight tabs must fit 80 columns: one space between labels instead of two. */
    SettingsScreen Tab {
        padding: 0 1 0 0;
    }
    SettingsScreen .settings-note {
        color: $text-muted;
        padding: 0 1;
    }
    SettingsScreen .settings-table {
        height: 1fr;
    }
    SettingsScreen .settings-empty {
        padding: 0 1;
        height: auto;
    }
    """

    BINDINGS = [
        Binding("a", "add", "Add", tooltip="Add a row to this section.", id="settings.add"),
        Binding(
            "e",
            "edit",
            "Edit",
            tooltip="Edit the row under the cursor (Enter does the same).",
            id="settings.edit",
        ),
        Binding(
            "d",
            "switch_active",
            "Deactivate",
            tooltip="Deactivate the row under the cursor, or reactivate an inactive one.",
            id="settings.toggle",
        ),
        Binding(
            "p",
            "password",
            "Password",
            tooltip="Set the approval password of the supervisor or admin under the cursor.",
            id="settings.password",
        ),
        Binding(
            "r,f5",
            "refresh",
            "Refresh",
            show=False,
            tooltip="Read every section from the database again.",
            id="settings.refresh",
        ),
        *[_section_binding(number) for number in range(1, 9)],
    ]

    @classmethod
    def open(cls, context: AppContext) -> SettingsScreen:
        """The settings screen (it needs nothing from the context)."""
        return cls()

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[Section] = []
        self.rows: dict[str, list[Row]] = {}

    def compose_body(self) -> ComposeResult:
        """A tab per section: a line saying what it holds, then its table."""
        self.sections = all_sections(self.cctui.user)
        with TabbedContent(id="settings-tabs"):
            for number, section in enumerate(self.sections, start=1):
                with TabPane(f"{number} {section.title}", id=f"pane-{section.name}"):
                    yield Static(Text(section.note), classes="settings-note")
                    table: DataTable[Text] = DataTable(
                        id=f"table-{section.name}",
                        cursor_type="row",
                        classes="settings-table",
                    )
                    for column in section.columns:
                        table.add_column(Text(column), key=column)
                    yield table
                    yield Static("", id=f"empty-{section.name}", classes="settings-empty")

    def on_mount(self) -> None:
        """Read every section, and start in the first table."""
        # The staff tab offers the most keys: a compact footer keeps Go to and Back in 80 columns.
        self.query_one(Footer).compact = True
        self.reload()
        self._focus_table()

    # ------------------------------------------------------------------ reading

    def reload(self) -> None:
        """Read every section again, keeping each table's cursor on its row."""
        for section in self.sections:
            self._table(section).loading = True
        self._read()

    def cares_about(self, customer_id: int | None, entity: str) -> bool:
        """Changes to what the sections list (by their audit entity); a policy's customer
        count moves when customers join or leave it."""
        return entity in SHOWN_ENTITIES

    def action_refresh(self) -> None:
        """Read every section again."""
        self.reload()

    @work(
        thread=True,
        exclusive=True,
        group=READ_GROUP,
        name="read the settings",
        exit_on_error=False,
    )
    def _read(self) -> dict[str, list[Row]]:
        """Every section's rows, in one unit of work (runs in a thread)."""
        with self.cctui.db.session() as session:
            return {section.name: section.load(session) for section in self.sections}

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Fill the tables when the rows arrive; after a toggle, say what it did."""
        group = event.worker.group
        if group == READ_GROUP:
            if event.state is WorkerState.SUCCESS and isinstance(event.worker.result, dict):
                self.rows = event.worker.result
                for section in self.sections:
                    self._fill(section)
            if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
                for section in self.sections:
                    self._table(section).loading = False
        elif group == TOGGLE_GROUP and event.state is WorkerState.SUCCESS:
            self._done(str(event.worker.result))

    def _fill(self, section: Section) -> None:
        table = self._table(section)
        kept = self._cursor_key(table)
        row_index = table.cursor_row
        table.clear()
        rows = self.rows.get(section.name, [])
        last = len(section.columns) - 1
        for row in rows:
            widths = [
                WIDE_CELL_WIDTH if last == 1 and index == 1 else CELL_WIDTH
                for index in range(len(row.cells))
            ]
            table.add_row(
                *(cell(value, width) for value, width in zip(row.cells, widths, strict=True)),
                key=row.key,
            )
        keys = [row.key for row in rows]
        if kept in keys:
            table.move_cursor(row=keys.index(kept), animate=False)
        elif rows:
            table.move_cursor(row=min(row_index, len(rows) - 1), animate=False)
        empty = self.query_one(f"#empty-{section.name}", Static)
        empty.update(Text(section.empty) if not rows else Text(""))
        empty.display = not rows

    # ------------------------------------------------------------------ where we are

    def current_section(self) -> Section:
        """The section whose tab is showing."""
        active = self.query_one(TabbedContent).active
        for section in self.sections:
            if active == f"pane-{section.name}":
                return section
        return self.sections[0]

    def _table(self, section: Section) -> DataTable[Text]:
        table: DataTable[Text] = self.query_one(f"#table-{section.name}", DataTable)
        return table

    @staticmethod
    def _cursor_key(table: DataTable[Text]) -> str | None:
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return None if key is None else str(key)

    def current_row(self) -> Row | None:
        """The row under the cursor of the showing section, or None when it has none."""
        section = self.current_section()
        key = self._cursor_key(self._table(section))
        for row in self.rows.get(section.name, []):
            if row.key == key:
                return row
        return None

    def _focus_table(self) -> None:
        self._table(self.current_section()).focus()

    @on(TabbedContent.TabActivated)
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer add, deactivate and password only in the sections that have them."""
        if not self.sections or not self.is_mounted:
            return True
        section = self.current_section()
        if action == "add":
            return section.can_add
        if action == "switch_active":
            return section.can_toggle
        if action == "password":
            return section.has_password
        return True

    def action_section(self, number: int) -> None:
        """Show the section numbered ``number`` and put the cursor in its table."""
        if 1 <= number <= len(self.sections):
            self.query_one(TabbedContent).active = f"pane-{self.sections[number - 1].name}"
            self.call_after_refresh(self._focus_table)

    # ------------------------------------------------------------------ changing

    def action_add(self) -> None:
        """Open the section's add form."""
        self._open(self.current_section().add_form())

    def action_edit(self) -> None:
        """Open the edit form of the row under the cursor."""
        row = self.current_row()
        if row is None:
            self.notify("There is no row to edit here.", severity="warning", timeout=4)
            return
        self._open(self.current_section().edit_form(row))

    @on(DataTable.RowSelected)
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_password(self) -> None:
        """Open the approval password form of the staff member under the cursor."""
        row = self.current_row()
        if row is None:
            return
        self._open(self.current_section().password_form(row))

    def action_switch_active(self) -> None:
        """Deactivate the row under the cursor, or reactivate it, through the domain."""
        section = self.current_section()
        row = self.current_row()
        if row is None or not section.can_toggle:
            return
        self._toggle(section, row)

    @work(
        thread=True,
        exclusive=True,
        group=TOGGLE_GROUP,
        name="deactivate or reactivate that row",
        exit_on_error=False,
    )
    def _toggle(self, section: Section, row: Row) -> str:
        """Run the section's toggle in one unit of work (runs in a thread)."""
        with self.cctui.db.session() as session:
            return section.toggle(session, row)

    def _open(self, spec: FormSpec | None) -> None:
        if spec is None:
            return
        self.app.push_screen(FormModal(spec), self._form_closed)

    def _form_closed(self, result: str | None) -> None:
        if result is not None:
            self._done(result)

    def _done(self, sentence: str) -> None:
        """Say what changed and read the sections again."""
        self.notify(plain(sentence), title="Settings", timeout=5, markup=False)
        self.reload()
