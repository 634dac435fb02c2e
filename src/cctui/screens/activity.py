"""My activity: calls per day by outcome and promises kept against broken, as charts.

Everyone sees their own; supervisors and admins pick a colleague or the whole team. The
figures are read in a thread worker and again on every change to calls or promises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Select
from textual.worker import Worker, WorkerState

from cctui.domain.charts.activity import (
    ActivityCharts,
    StaffChoice,
    activity_staff,
    read_activity_charts,
)
from cctui.domain.models import Role
from cctui.screens.base import CctuiScreen
from cctui.widgets.charts.activity import calls_figures, promises_figures
from cctui.widgets.charts.base import ChartView
from cctui.widgets.charts.grid import ChartGrid
from cctui.widgets.safe_text import plain

if TYPE_CHECKING:
    from cctui.app import AppContext

EVERYONE = 0
"""The picker's value for the whole team."""
CHARTS_GROUP = "activity-charts"
STAFF_GROUP = "activity-staff"


class ActivityScreen(CctuiScreen):
    """Two charts of one staff member's (or everyone's) work; ``w`` picks whose."""

    HELP_TITLE = "My activity"
    SCREEN_NAME = "activity"

    DEFAULT_CSS = """
    ActivityScreen #activity-whose {
        width: 60;
        max-width: 100%;
        display: none;
    }
    ActivityScreen.-supervisor #activity-whose {
        display: block;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "w",
            "pick_whose",
            "Whose",
            tooltip="Choose whose activity to chart: yours, a colleague's or everyone's.",
            id="activity.whose",
        ),
        Binding(
            "r,f5",
            "reload",
            "Reload",
            show=False,
            tooltip="Read the figures again.",
            id="activity.reload",
        ),
    ]

    @classmethod
    def open(cls, context: AppContext) -> ActivityScreen:
        """The registry's factory: the screen needs nothing from the context."""
        return cls()

    def __init__(self) -> None:
        super().__init__()
        self.staff_id: int | None = None

    def compose_body(self) -> ComposeResult:
        """The picker (supervisors) and the two charts."""
        yield Select[int]([], prompt="Whose activity", allow_blank=True, id="activity-whose")
        with ChartGrid(id="activity-grid"):
            yield ChartView("Calls per day by outcome", id="chart-calls")
            yield ChartView("Promises kept against broken", id="chart-promises")

    def on_mount(self) -> None:
        """Chart the user's own activity; supervisors get the picker too."""
        user = self.cctui.user
        self.staff_id = user.id
        if user.has_role(Role.SUPERVISOR):
            self.add_class("-supervisor")
            self._read_staff()
        self.query_one("#chart-calls", ChartView).focus()
        self.reload()

    def cares_about(self, customer_id: int | None, entity: str) -> bool:
        """Calls and promises (and the daily check, which judges promises)."""
        return entity in {"contact", "promise", "book"}

    def reload(self) -> None:
        """Read the charts again."""
        self._read_charts()

    def action_reload(self) -> None:
        """Read the charts again."""
        self.reload()

    def action_pick_whose(self) -> None:
        """Open the picker (supervisors); others only ever see their own."""
        if not self.cctui.user.has_role(Role.SUPERVISOR):
            self.notify("Only supervisors and admins see a colleague's activity.", timeout=4)
            return
        picker = self.query_one("#activity-whose", Select)
        picker.focus()
        picker.action_show_overlay()

    @on(Select.Changed, "#activity-whose")
    def _whose_changed(self, event: Select.Changed) -> None:
        if not isinstance(event.value, int):
            return
        self.staff_id = None if event.value == EVERYONE else event.value
        self.reload()

    @work(
        thread=True, exclusive=True, group=STAFF_GROUP, name="read the staff", exit_on_error=False
    )
    def _read_staff(self) -> tuple[StaffChoice, ...]:
        app = self.cctui
        with app.db.session() as session:
            return activity_staff(session, app.user)

    @work(
        thread=True,
        exclusive=True,
        group=CHARTS_GROUP,
        name="read the activity charts",
        exit_on_error=False,
    )
    def _read_charts(self) -> ActivityCharts:
        app = self.cctui
        with app.db.session() as session:
            return read_activity_charts(
                session, app.user, staff_id=self.staff_id, as_of=app.today()
            )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Draw the charts, or fill the picker, when a read comes back."""
        result = event.worker.result
        if event.worker.group == CHARTS_GROUP:
            if event.state is WorkerState.SUCCESS and isinstance(result, ActivityCharts):
                self.query_one("#chart-calls", ChartView).show(calls_figures(result))
                self.query_one("#chart-promises", ChartView).show(promises_figures(result))
            elif event.state is WorkerState.ERROR:
                for view in self.query(ChartView):
                    view.failed()
        elif (
            event.worker.group == STAFF_GROUP
            and event.state is WorkerState.SUCCESS
            and isinstance(result, tuple)
        ):
            picker = self.query_one("#activity-whose", Select)
            options = [("Everyone", EVERYONE)]
            options += [(plain(f"{s.name} ({s.login})"), s.id) for s in result]
            with picker.prevent(Select.Changed):
                picker.set_options(options)
                picker.value = self.staff_id if self.staff_id is not None else EVERYONE
