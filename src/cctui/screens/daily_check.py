"""Daily check: the last runs and what they changed; admins run today's check from here."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, ProgressBar, Static
from textual.worker import Worker, WorkerState

from cctui.domain.daily_check import CHANGE_WORDS, DailyCheckResult, run_daily_check
from cctui.domain.daily_check_history import DailyCheckRunView, daily_check_runs
from cctui.domain.models import Role, RunStatus
from cctui.messages import DailyCheckFinished
from cctui.screens.base import CctuiScreen
from cctui.widgets.safe_text import safe_text

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cctui.app import AppContext

READ_GROUP = "daily-check-history"
"""The group of the worker that reads the runs."""

RUN_GROUP = "daily-check-run"
"""The group of the worker that runs today's check (one at a time)."""

RUN_LIMIT = 60
"""How many runs the screen lists."""

STATUS_WORDS = {
    RunStatus.DONE: "✓ done",
    RunStatus.RUNNING: "… running",
    RunStatus.FAILED: "✗ failed",
}
"""Each status as a symbol and a word (never colour alone)."""

STATUS_COLOURS = {RunStatus.RUNNING: "warning", RunStatus.FAILED: "error"}
"""The theme colour beside the status words."""


def change_words(name: str) -> str:
    """What a count of the run's changes means, in words."""
    return CHANGE_WORDS.get(name, name.replace("_", " "))


def changes_summary(changes: Mapping[str, int]) -> str:
    """The counts that are not zero, in one line: ``invoices dunned 12, fees charged 3``."""
    moved = [f"{change_words(name)} {count:,}" for name, count in changes.items() if count]
    return ", ".join(moved) if moved else "nothing changed"


def duration_words(seconds: float | None) -> str:
    """``0.4 s``, ``12 s``, ``3:05 min``; ``-`` while it runs."""
    if seconds is None:
        return "-"
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d} min"


def run_detail(run: DailyCheckRunView) -> Text:
    """The selected run in full: when, who, how long, each change on its own line."""
    text = Text(f"{run.run_on.isoformat()}: {STATUS_WORDS[run.status]}", style="bold")
    if run.started_by:
        text.append(", started by ")
        text.append_text(safe_text(run.started_by))
    started = run.started_at.astimezone().strftime("%H:%M:%S")
    text.append(f" at {started}, took {duration_words(run.duration_seconds)}.")
    if run.error:
        text.append("\nError: ", style="bold")
        text.append_text(safe_text(run.error))
    moved = [(name, count) for name, count in run.changes.items() if count]
    if not moved and run.status is RunStatus.DONE:
        text.append("\nNothing changed.")
    for name, count in moved:
        text.append(f"\n{count:>9,}  ")
        text.append_text(safe_text(change_words(name)))
    return text


class DailyCheckScreen(CctuiScreen):
    """The daily aged-balance check: its last runs and what each changed.

    Everyone may read the history. Admins press ``R`` to run today's check now; a progress
    bar follows its steps, and a day already checked is said so rather than run twice.
    """

    HELP_TITLE = "Daily check"
    SCREEN_NAME = "daily-check"
    MIN_ROLE: ClassVar[Role] = Role.AGENT
    """The least role offered the screen (running it needs an admin)."""

    DEFAULT_CSS = """
    DailyCheckScreen #daily-title {
        height: 1;
        padding: 0 1;
    }
    DailyCheckScreen #daily-progress-row {
        height: 1;
        padding: 0 1;
        display: none;
    }
    DailyCheckScreen #daily-progress-row.-running {
        display: block;
    }
    DailyCheckScreen #daily-stage {
        width: 1fr;
    }
    DailyCheckScreen #daily-table {
        height: 1fr;
        min-height: 4;
    }
    DailyCheckScreen #daily-detail {
        height: auto;
        max-height: 60%;
        border-top: solid $primary;
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding(
            "R",
            "run_check",
            "Run today's check",
            tooltip="Run today's daily check now (admins); a day already checked is not rerun.",
            id="daily-check.run",
        ),
        Binding(
            "f5",
            "refresh",
            "Refresh",
            show=False,
            tooltip="Read the runs from the database again.",
            id="daily-check.refresh",
        ),
    ]

    @classmethod
    def open(cls, context: AppContext) -> DailyCheckScreen:
        """The registry's factory: the screen needs nothing from the context."""
        return cls()

    def __init__(self) -> None:
        super().__init__()
        self._runs: dict[str, DailyCheckRunView] = {}

    @property
    def may_run(self) -> bool:
        """True for admins: only they run the check from here."""
        return self.cctui.user.has_role(Role.ADMIN)

    @property
    def running(self) -> bool:
        """True while today's check runs from this screen."""
        return any(worker.group == RUN_GROUP and worker.is_running for worker in self.workers)

    def compose_body(self) -> ComposeResult:
        """Title, progress (while running), the runs and the selected run's changes."""
        yield Static(id="daily-title")
        with Horizontal(id="daily-progress-row"):
            yield Static(Text(""), id="daily-stage")
            yield ProgressBar(total=None, show_eta=False, id="daily-progress")
        table: DataTable[Text] = DataTable(id="daily-table", cursor_type="row", zebra_stripes=True)
        yield table
        with VerticalScroll(id="daily-detail", can_focus=False):
            yield Static(Text(""), id="daily-detail-text")

    def on_mount(self) -> None:
        """Lay the columns out and read the runs."""
        table = self.query_one("#daily-table", DataTable)
        table.add_column("Date", width=10, key="date")
        table.add_column("Status", width=9, key="status")
        table.add_column("By", width=10, key="by")
        table.add_column("Took", width=8, key="took")
        # The other columns take 47 cells (padding and scrollbar included).
        table.add_column("Changes", width=max(20, self.app.size.width - 49), key="changes")
        self._show_title()
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the run key from everyone but admins; dim it while a run is going on."""
        if action == "run_check":
            if not self.may_run:
                return False
            return None if self.running else True
        return True

    def _show_title(self) -> None:
        today = self.cctui.today().isoformat()
        done = any(
            run.run_on.isoformat() == today and run.status is RunStatus.DONE
            for run in self._runs.values()
        )
        title = Text(f"Daily check: today {today} ", style="bold")
        title.append("done" if done else "not run yet")
        if self.may_run and not done:
            title.append("   R runs it now", style="dim")
        self.query_one("#daily-title", Static).update(title)

    def reload(self) -> None:
        """Read the runs again, keeping the selected run."""
        self.query_one("#daily-table", DataTable).loading = not self._runs
        self._read()

    def action_refresh(self) -> None:
        """Read the runs again."""
        self.reload()

    def cares_about(self, customer_id: int | None, entity: str) -> bool:
        """Only daily check runs concern this screen."""
        return entity == "daily_check_run"

    def on_daily_check_finished(self, message: DailyCheckFinished) -> None:
        """A check finished (here or at login): read the runs again."""
        self.reload()

    @work(
        thread=True,
        exclusive=True,
        group=READ_GROUP,
        name="read the daily check runs",
        exit_on_error=False,
    )
    def _read(self) -> list[DailyCheckRunView]:
        """Read the last runs (runs in a thread)."""
        with self.cctui.db.session() as session:
            return daily_check_runs(session, limit=RUN_LIMIT)

    def action_run_check(self) -> None:
        """Run today's check now, with a progress bar (admins only)."""
        if not self.may_run:
            self.notify("Only an admin may run the daily check from here.", severity="warning")
            return
        if self.running:
            return
        self.query_one("#daily-progress-row").add_class("-running")
        self.query_one("#daily-stage", Static).update(Text("Starting the daily check"))
        self.query_one("#daily-progress", ProgressBar).update(total=None, progress=0)
        self._run()
        self.refresh_bindings()

    @work(
        thread=True,
        exclusive=True,
        group=RUN_GROUP,
        name="run today's daily check",
        exit_on_error=False,
    )
    def _run(self) -> DailyCheckResult:
        """Run the check of the app's today (runs in a thread); progress reaches the bar."""
        app = self.cctui

        def progress(stage: str, done: int, total: int) -> None:
            app.call_from_thread(self._show_progress, stage, done, total)

        with app.db.session() as session:
            return run_daily_check(session, app.user, run_on=app.today(), progress=progress)

    def _show_progress(self, stage: str, done: int, total: int) -> None:
        self.query_one("#daily-stage", Static).update(Text(f"{stage} ({done}/{total})"))
        self.query_one("#daily-progress", ProgressBar).update(total=total, progress=done)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show the runs when read; after a run, say what it did and let screens refresh."""
        group = event.worker.group
        if group == READ_GROUP:
            table = self.query_one("#daily-table", DataTable)
            if event.state is WorkerState.SUCCESS and isinstance(event.worker.result, list):
                self._fill(event.worker.result)
                table.loading = False
            elif event.state is WorkerState.ERROR:
                table.loading = False
        elif group == RUN_GROUP and event.state in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self.query_one("#daily-progress-row").remove_class("-running")
            self.refresh_bindings()
            result = event.worker.result
            if event.state is WorkerState.SUCCESS and isinstance(result, DailyCheckResult):
                self.notify(result.describe(), title="Daily check", timeout=8, markup=False)
                for screen in self.app.screen_stack:
                    screen.post_message(DailyCheckFinished(result))
            else:
                self.reload()

    def _fill(self, runs: list[DailyCheckRunView]) -> None:
        """Show ``runs``, the cursor staying on the same run."""
        table = self.query_one("#daily-table", DataTable)
        selected = self._selected()
        table.clear()
        self._runs = {}
        for run in runs:
            key = str(run.id)
            self._runs[key] = run
            table.add_row(
                Text(run.run_on.isoformat()),
                Text(STATUS_WORDS[run.status], style=self._status_style(run.status)),
                safe_text(run.started_by or "-"),
                Text(duration_words(run.duration_seconds), justify="right"),
                self._changes_cell(run),
                key=key,
            )
        if selected is not None and str(selected.id) in self._runs:
            table.move_cursor(row=table.get_row_index(str(selected.id)))
        self._show_title()
        self._show_detail()

    def _changes_cell(self, run: DailyCheckRunView) -> Text:
        """What the run changed; for a failed run, its error."""
        if run.error:
            cell = Text("error: ")
            cell.append_text(safe_text(run.error))
            return cell
        return Text(changes_summary(run.changes))

    def _status_style(self, status: RunStatus) -> str:
        """Bold in the theme's colour for a run not done (cells do not resolve $names)."""
        colour = STATUS_COLOURS.get(status)
        if colour is None:
            return ""
        return f"bold {self.app.get_css_variables().get(colour, '')}".strip()

    def _selected(self) -> DailyCheckRunView | None:
        """The run under the cursor, if any."""
        table = self.query_one("#daily-table", DataTable)
        if not self._runs or table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return self._runs.get(str(row_key.value))

    @on(DataTable.RowHighlighted, "#daily-table")
    def _show_detail(self) -> None:
        run = self._selected()
        detail = self.query_one("#daily-detail-text", Static)
        if run is None:
            detail.update(Text("The daily check has not run yet.", style="italic"))
        else:
            detail.update(run_detail(run))
