"""The call flow for agents (seeds 001, 004): next debtor, call, outcome, promise, next.

One key each: ``n`` claims the next debtor nobody else is calling (a lease), ``s`` starts the
call (a timer runs), ``c`` or ``u`` ends it as contacted or unreachable, ``p`` records a
promise to pay, and ``n`` again lets this debtor go and claims the next one: the whole loop
``n s c p Enter n`` is six keys. The lease is renewed while the agent stays on the debtor.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from cctui.domain.errors import CctuiError, ConflictError
from cctui.domain.models import CallOutcome
from cctui.domain.pools import LeasedDebtor, release_lease, renew_lease
from cctui.domain.queue.colour import ColourStatus
from cctui.domain.queue.types import QueueRow
from cctui.domain.workflow.call_desk import CallDesk, call_desk, take_next_debtor
from cctui.domain.workflow.calls import CallView, end_call, start_call
from cctui.domain.workflow.promises import PromiseView
from cctui.messages import DailyCheckFinished
from cctui.screens.base import CctuiScreen
from cctui.widgets.money import format_money
from cctui.widgets.safe_text import plain, safe_text

if TYPE_CHECKING:
    from cctui.app import AppContext

STEP_GROUP = "call-flow"
"""The workers that change the agent's desk (and read it back); one runs at a time."""
READ_GROUP = "call-flow-read"
"""The worker that only reads the desk; a step cancels it (the step reads the desk too)."""
LEASE_GROUP = "call-flow-lease"
"""The worker that renews the lease in the background."""

RENEW_MIN_SECONDS = 30.0
RENEW_MAX_SECONDS = 300.0
"""The lease is renewed every third of its length, within these bounds."""

LABEL_WIDTH = 9
"""Width of the labels of the debtor card."""

_COLOUR_STYLES = {
    ColourStatus.CONTACTED: "bold green",
    ColourStatus.ATTENTION: "bold red",
    ColourStatus.NONE: "bold",
}

_OUTCOME_WORDS = {
    CallOutcome.CONTACTED: "contacted",
    CallOutcome.UNREACHABLE: "unreachable",
    CallOutcome.DOCUMENT_CREATED: "document created",
}


@dataclass(frozen=True)
class Step:
    """The desk after one step of the flow, and what to tell the agent about it."""

    desk: CallDesk
    message: Text | None = None
    ended: CallView | None = None
    """The call this step ended, if it ended one."""


def format_elapsed(seconds: float) -> str:
    """A call's length as ``mm:ss`` (minutes go past 59 for long calls)."""
    whole = max(0, int(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def format_duration(duration: timedelta | None) -> str:
    """A finished call's length as ``mm:ss``."""
    return format_elapsed(0 if duration is None else duration.total_seconds())


def describe_status(row: QueueRow) -> Text:
    """The debtor's colour as a symbol and a word, coloured where colour is available."""
    return Text(f"{row.colour.symbol} {row.colour.word}", style=_COLOUR_STYLES[row.colour])


def describe_last_call(row: QueueRow) -> Text:
    """When the debtor was last called and how it ended, or "never called"."""
    if row.last_call_at is None:
        return Text("never called")
    text = Text(row.last_call_at.astimezone().strftime("%Y-%m-%d %H:%M"))
    if row.last_call_outcome is not None:
        text.append(f", {_OUTCOME_WORDS[row.last_call_outcome]}")
    return text


def describe_promises(promises: tuple[PromiseView, ...]) -> Text:
    """The earliest open promise (and how many more), or "none open"."""
    if not promises:
        return Text("none open")
    first = promises[0]
    text = Text(f"{format_money(first.amount, first.currency)} ")
    text.append(safe_text(first.currency))
    text.append(f" by {first.promised_on.isoformat()}")
    if len(promises) > 1:
        text.append(f" (+{len(promises) - 1} more)")
    return text


def describe_days(row: QueueRow) -> Text:
    """How many days the oldest overdue invoice is past due."""
    if row.days_overdue is None:
        return Text("not overdue")
    return Text(f"{row.days_overdue} day{'s' if row.days_overdue != 1 else ''} overdue")


def describe_lease(lease: LeasedDebtor) -> Text:
    """Until when the debtor is the agent's (local time of the database's expiry)."""
    text = Text(f"yours until {lease.expires_at.astimezone():%H:%M}")
    if lease.took_over_from is not None:
        text.append(", taken over after another agent's lease ran out")
    return text


def _or_none(value: str | None) -> Text:
    return safe_text(value) if value else Text("none", style="dim")


def debtor_card(lease: LeasedDebtor, promises: tuple[PromiseView, ...]) -> RenderableType:
    """The leased debtor in a few lines: who, how to reach them, what they owe, history."""
    row = lease.row
    top = Table.grid(expand=True)
    top.add_column("name", ratio=1, no_wrap=True, overflow="ellipsis")
    top.add_column("status", no_wrap=True, justify="right")
    top.add_row(safe_text(row.name, style="bold"), describe_status(row))

    pairs = Table.grid(expand=True, padding=(0, 1))
    for _ in range(2):
        pairs.add_column(no_wrap=True, width=LABEL_WIDTH, style="dim")
        pairs.add_column(no_wrap=True, ratio=1, overflow="ellipsis")
    owed = Text(format_money(row.overdue_balance, row.currency) + " ")
    owed.append(safe_text(row.currency))
    owed.stylize("bold")
    pairs.add_row("Account", safe_text(row.account), "Phone", _or_none(row.phone))
    pairs.add_row(
        "Contact",
        _or_none(row.contact_person),
        "Action",
        Text(row.credit_action.value.capitalize()),
    )
    pairs.add_row("Overdue", owed, "Days", describe_days(row))

    lines = Table.grid(expand=True, padding=(0, 1))
    lines.add_column(no_wrap=True, width=LABEL_WIDTH, style="dim")
    lines.add_column(no_wrap=True, ratio=1, overflow="ellipsis")
    lines.add_row("Last call", describe_last_call(row))
    lines.add_row("Promise", describe_promises(promises))
    lines.add_row("Note", _or_none(row.note))
    lines.add_row("Lease", describe_lease(lease))
    return Group(top, pairs, lines)


def empty_card(desk: CallDesk | None) -> Text:
    """What the card says when no debtor is on the agent's desk."""
    if desk is None:
        return Text("Reading your desk...", style="italic")
    if not desk.pools:
        return Text(
            "You work no pool yet, so there is no debtor to give you: "
            "ask a supervisor to add you to a pool."
        )
    if desk.none_left:
        return Text(
            "Nobody is left to call in your pools right now: every debtor is called today, "
            "planned for later or being called by someone else. Press n to look again."
        )
    return Text("No debtor on your desk. Press n for the next debtor.")


class CallFlowScreen(CctuiScreen):
    """The agent's desk: one debtor at a time, claimed so that nobody else calls it.

    Every step runs in a thread worker and reads the desk back from the database; the keys
    that do not apply to the current step are disabled and left out of the footer.
    """

    HELP_TITLE = "Next debtor (call flow)"
    SCREEN_NAME = "calls"

    DEFAULT_CSS = """
    CallFlowScreen #calls-body {
        padding: 0 1;
    }
    CallFlowScreen #calls-title {
        color: $accent;
        text-style: bold;
        margin-bottom: 1;
    }
    CallFlowScreen #calls-card {
        height: auto;
        min-height: 3;
    }
    CallFlowScreen #calls-call {
        margin-top: 1;
    }
    CallFlowScreen #calls-call.on-call {
        color: $warning;
    }
    CallFlowScreen #calls-message {
        margin-top: 1;
        height: auto;
    }
    CallFlowScreen #calls-keys {
        margin-top: 1;
        height: auto;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "n",
            "next_debtor",
            "Next",
            tooltip="Let this debtor go and take the next one nobody else is calling.",
            id="calls.next",
        ),
        Binding(
            "s",
            "start_call",
            "Call",
            tooltip="Start the call to this debtor: the timer runs until you end it.",
            id="calls.start",
        ),
        Binding(
            "c",
            "end_call('contacted')",
            "Contacted",
            tooltip="End the call: you spoke to the debtor.",
            id="calls.contacted",
        ),
        Binding(
            "u",
            "end_call('unreachable')",
            "Unreachable",
            tooltip="End the call: nobody answered or the number did not work.",
            id="calls.unreachable",
        ),
        Binding(
            "p",
            "promise",
            "Promise",
            tooltip="Record the debtor's promise to pay: amount and date (Enter accepts both).",
            id="calls.promise",
        ),
        Binding(
            "o",
            "open_customer",
            "Customer",
            show=False,
            tooltip="Open the full customer screen of this debtor (the legend shows o).",
            id="calls.customer",
        ),
        Binding(
            "r",
            "release",
            "Release",
            tooltip="Let this debtor go without calling, so another agent may take it.",
            id="calls.release",
        ),
        Binding(
            "f5",
            "reload",
            "Refresh",
            show=False,
            tooltip="Read your debtor and call from the database again.",
            id="calls.refresh",
        ),
    ]

    LEGEND: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("n", "next_debtor", "Next debtor"),
        ("s", "start_call", "Start call"),
        ("c", "end_call", "End: contacted"),
        ("u", "end_call", "End: unreachable"),
        ("p", "promise", "Promise to pay"),
        ("o", "open_customer", "Open customer"),
        ("r", "release", "Release debtor"),
    )
    """The keys the big legend shows: key, action name, label."""

    def __init__(self) -> None:
        super().__init__()
        self._desk: CallDesk | None = None
        self._ended: CallView | None = None
        self._message: Text | None = None
        self._busy = False
        self._reload_pending = False
        self._read_failed = False
        self._timer_call_id: int | None = None
        self._timer_anchor = 0.0
        self._renewer: Timer | None = None
        self._renewing: int | None = None
        """The customer whose lease the renewal timer keeps."""

    @classmethod
    def open(cls, context: AppContext) -> Screen[None]:
        """The screen for the go-to menu and ``--screen calls`` (needs nothing from context)."""
        return cls()

    @property
    def desk(self) -> CallDesk | None:
        """What the screen shows: the leased debtor and the running call (None until read)."""
        return self._desk

    @property
    def busy(self) -> bool:
        """True while a step is being carried out in the database."""
        return self._busy

    def compose_body(self) -> ComposeResult:
        """Title, debtor card, call line, message and key legend."""
        with VerticalScroll(id="calls-body"):
            yield Static(Text("Next debtor (call flow)"), id="calls-title")
            yield Static(empty_card(None), id="calls-card")
            yield Static(Text(""), id="calls-call")
            yield Static(Text(""), id="calls-message")
            yield Static(Text(""), id="calls-keys")

    def on_mount(self) -> None:
        """Read the agent's desk (a lease and call survive a restart) and start the clock."""
        # Compact footer keys: the keys of a step and the app's own fit in 80 columns.
        self.query_one(Footer).compact = True
        self.set_interval(1.0, self._tick)
        self.reload()

    # ------------------------------------------------------------------ live updates

    def reload(self) -> None:
        """Read the desk again (after the current step, if one is running).

        A read never holds up the agent's keys: a step started meanwhile cancels it.
        """
        if self._busy:
            self._reload_pending = True
            return
        self._read()

    def cares_about(self, customer_id: int | None, entity: str) -> bool:
        """Changes to the debtor on the desk (or to unknown customers) concern this screen."""
        debtor = None if self._desk is None else self._desk.debtor
        return customer_id is None or debtor is None or debtor.id == customer_id

    def on_daily_check_finished(self, message: DailyCheckFinished) -> None:
        """The daily check changed figures and colours: read the desk again."""
        self.reload()

    def on_screen_resume(self) -> None:
        """Back from the customer screen or a form: read the desk again."""
        if self._desk is not None:
            self.reload()

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only the keys of the current step (a call that was not started cannot end)."""
        desk = self._desk
        has_debtor = desk is not None and desk.lease is not None
        on_call = desk is not None and desk.call is not None
        if action == "next_debtor":
            if desk is None:
                return self._read_failed
            return not on_call and bool(desk.pools)
        if action in ("start_call", "release"):
            return has_debtor and not on_call
        if action == "end_call":
            return on_call
        if action in ("promise", "open_customer"):
            return has_debtor
        return True

    def _begin(self) -> bool:
        """Mark a step as running; False (and a beep) when one is running already."""
        if self._busy:
            self.app.bell()
            return False
        self._busy = True
        self.workers.cancel_group(self, READ_GROUP)
        return True

    def action_next_debtor(self) -> None:
        """Let the current debtor go and claim the next one."""
        if self._begin():
            self._show_message(Text("Looking for the next debtor...", style="italic"))
            self._next()

    def action_start_call(self) -> None:
        """Start the call to the debtor on the desk."""
        debtor = self._desk.debtor if self._desk is not None else None
        if debtor is not None and self._begin():
            self._start(debtor.id)

    def action_end_call(self, outcome: str) -> None:
        """End the running call as contacted or unreachable."""
        call = self._desk.call if self._desk is not None else None
        if call is not None and self._begin():
            self._end(call.id, CallOutcome(outcome))

    def action_release(self) -> None:
        """Let the debtor go without calling."""
        debtor = self._desk.debtor if self._desk is not None else None
        if debtor is not None and self._begin():
            self._release(debtor.id)

    def action_reload(self) -> None:
        """Read the desk again."""
        self.reload()

    def action_promise(self) -> None:
        """Open the promise form for the debtor, linked to the call it was made on."""
        from cctui.widgets.forms.promise import PromiseForm

        desk = self._desk
        debtor = None if desk is None else desk.debtor
        if desk is None or debtor is None:
            return
        call = desk.call or self._ended
        contact_id = call.id if call is not None and call.customer_id == debtor.id else None

        def recorded(outcome: str | None) -> None:
            if outcome is not None:
                self._show_message(Text(plain(outcome)))
                self.reload()

        self.app.push_screen(PromiseForm(debtor.id, debtor=debtor, contact_id=contact_id), recorded)

    def action_open_customer(self) -> None:
        """Open the full customer screen of the debtor."""
        debtor = self._desk.debtor if self._desk is not None else None
        if debtor is None:
            return
        try:
            from cctui.screens.customer import CustomerScreen
        except ImportError:  # a build without the customer screen
            self.notify(
                "The customer screen is not available in this version.",
                severity="warning",
                markup=False,
            )
            return
        self.app.push_screen(CustomerScreen(customer_id=debtor.id))

    # ------------------------------------------------------------------ workers

    @work(
        thread=True, exclusive=True, group=READ_GROUP, name="read your debtor", exit_on_error=False
    )
    def _read(self) -> Step:
        """Read the agent's lease, call and promises (runs in a thread)."""
        app = self.cctui
        with app.db.session() as session:
            return Step(call_desk(session, app.user, as_of=app.today()))

    @work(
        thread=True,
        exclusive=True,
        group=STEP_GROUP,
        name="claim the next debtor",
        exit_on_error=False,
    )
    def _next(self) -> Step:
        """Release the lease and claim the next debtor (runs in a thread)."""
        app = self.cctui
        with app.db.session() as session:
            desk = take_next_debtor(session, app.user, as_of=app.today())
        if desk.debtor is None:
            return Step(desk, Text(""))
        message = Text("Your next debtor: ")
        message.append(safe_text(desk.debtor.name))
        message.append(". Press s to start the call.")
        return Step(desk, message)

    @work(thread=True, exclusive=True, group=STEP_GROUP, name="start the call", exit_on_error=False)
    def _start(self, customer_id: int) -> Step:
        """Start the call (runs in a thread); its start time is the database's."""
        app = self.cctui
        with app.db.session() as session:
            start_call(session, app.user, customer_id)
            desk = call_desk(session, app.user, as_of=app.today())
        return Step(
            desk, Text("On the call: press c when you reached them, u when nobody answered.")
        )

    @work(thread=True, exclusive=True, group=STEP_GROUP, name="end the call", exit_on_error=False)
    def _end(self, call_id: int, outcome: CallOutcome) -> Step:
        """End the call with its outcome (runs in a thread)."""
        app = self.cctui
        with app.db.session() as session:
            ended = end_call(session, app.user, call_id, outcome=outcome, as_of=app.today())
            desk = call_desk(session, app.user, as_of=app.today())
        if outcome is CallOutcome.CONTACTED:
            message = Text("Press p to record a promise to pay, or n for the next debtor.")
        else:
            message = Text("Press n for the next debtor, or s to try again.")
        return Step(desk, message, ended)

    @work(
        thread=True,
        exclusive=True,
        group=STEP_GROUP,
        name="release the debtor",
        exit_on_error=False,
    )
    def _release(self, customer_id: int) -> Step:
        """Let the debtor go (runs in a thread)."""
        app = self.cctui
        with app.db.session() as session:
            release_lease(session, app.user, customer_id=customer_id)
            desk = call_desk(session, app.user, as_of=app.today())
        return Step(
            desk, Text("Debtor released: another agent may take it. Press n for the next one.")
        )

    @work(
        thread=True,
        exclusive=True,
        group=LEASE_GROUP,
        name="keep your lease on the debtor",
        exit_on_error=False,
    )
    def _renew(self, customer_id: int) -> LeasedDebtor | str:
        """Renew the lease (runs in a thread); the reason when it was lost."""
        app = self.cctui
        try:
            with app.db.session() as session:
                return renew_lease(session, app.user, customer_id=customer_id, as_of=app.today())
        except ConflictError as lost:
            return str(lost)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show the desk after each step; on failure, say so and stay on the step."""
        worker = event.worker
        if worker.group == LEASE_GROUP:
            if event.state is WorkerState.SUCCESS:
                self._renewed(worker.result)
            return
        if worker.group == READ_GROUP:
            self._read_done(event)
            return
        if worker.group != STEP_GROUP or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            return
        self._busy = False
        if event.state is WorkerState.SUCCESS and isinstance(worker.result, Step):
            self._apply(worker.result)
        elif event.state is WorkerState.ERROR:
            error = worker.error
            reason = str(error) if isinstance(error, CctuiError) else f"Could not {worker.name}."
            self._show_message(Text("! ", style="bold").append(plain(reason)))
        if self._reload_pending:
            self._reload_pending = False
            self.reload()

    def _read_done(self, event: Worker.StateChanged) -> None:
        """Show the desk read, unless a step started meanwhile (it reads a fresher one)."""
        if self._busy:
            return
        if event.state is WorkerState.SUCCESS and isinstance(event.worker.result, Step):
            self._read_failed = False
            self._apply(event.worker.result)
        elif event.state is WorkerState.ERROR and self._desk is None:
            self._read_failed = True
            self.query_one("#calls-card", Static).update(
                Text("Your desk could not be read. Press F5 to try again, or n.")
            )
            self.query_one("#calls-keys", Static).update(self._legend())
            self.refresh_bindings()

    # ------------------------------------------------------------------ showing

    def _apply(self, step: Step) -> None:
        """Show the desk of ``step`` and its message; keep the renewal and the timer in step."""
        before = None if self._desk is None else self._desk.debtor
        desk = step.desk
        after = desk.debtor
        if step.ended is not None:
            self._ended = step.ended
        elif desk.call is not None or after is None or before is None or after.id != before.id:
            self._ended = None
        self._desk = desk
        if step.message is not None:
            self._message = step.message
        self._schedule_renewal(desk.lease)
        self._show_desk()

    def _show_desk(self) -> None:
        desk = self._desk
        card = self.query_one("#calls-card", Static)
        if desk is not None and desk.lease is not None:
            card.update(debtor_card(desk.lease, desk.promises))
        else:
            card.update(empty_card(desk))
        title = Text("Next debtor (call flow)")
        if desk is not None and desk.pools:
            title.append("   Pools: ", style="not bold")
            title.append(safe_text(", ".join(desk.pools), style="not bold"))
        self.query_one("#calls-title", Static).update(title)
        self._show_call()
        self._show_message(self._message)
        self.query_one("#calls-keys", Static).update(self._legend())
        self.refresh_bindings()

    def _show_call(self) -> None:
        line = self.query_one("#calls-call", Static)
        call = None if self._desk is None else self._desk.call
        line.set_class(call is not None, "on-call")
        if call is None:
            self._timer_call_id = None
            ended = self._ended
            if ended is not None and ended.outcome is not None:
                line.update(
                    Text(
                        f"Call ended: {_OUTCOME_WORDS[ended.outcome]}, "
                        f"{format_duration(ended.duration)}."
                    )
                )
            elif self._desk is not None and self._desk.debtor is not None:
                line.update(Text("No call running. Press s to start the call."))
            else:
                line.update(Text(""))
            return
        if self._timer_call_id != call.id:
            since = (datetime.now(UTC) - call.started_at).total_seconds()
            self._timer_call_id = call.id
            self._timer_anchor = time.monotonic() - max(0.0, since)
        elapsed = format_elapsed(time.monotonic() - self._timer_anchor)
        text = Text(f" ON CALL {elapsed} ", style="bold reverse")
        debtor = self._desk.debtor if self._desk is not None else None
        if debtor is None or debtor.id != call.customer_id:
            text.append(f"  (customer id {call.customer_id})")
        line.update(text)

    def _tick(self) -> None:
        """Move the call timer on (display only: the call's times are the database's)."""
        if self._desk is not None and self._desk.call is not None:
            self._show_call()

    def _show_message(self, message: Text | None) -> None:
        self._message = message
        self.query_one("#calls-message", Static).update(message or Text(""))

    def _legend(self) -> RenderableType:
        """The keys that apply now, big enough to read at a glance."""
        grid = Table.grid(padding=(0, 2))
        for _ in range(3):
            grid.add_column(no_wrap=True)
        cells: list[Text] = []
        for key, action, label in self.LEGEND:
            if self.check_action(action, ()):
                cells.append(Text.assemble((f" {key} ", "bold reverse"), " ", label))
        if not cells:
            return Text("")
        for start in range(0, len(cells), 3):
            row = cells[start : start + 3]
            grid.add_row(*row, *[Text("")] * (3 - len(row)))
        return grid

    # ------------------------------------------------------------------ the lease

    def _schedule_renewal(self, lease: LeasedDebtor | None) -> None:
        """Renew the lease every third of its length while the debtor is on the desk."""
        if lease is not None and lease.customer_id == self._renewing:
            return
        self._renewing = None if lease is None else lease.customer_id
        if self._renewer is not None:
            self._renewer.stop()
            self._renewer = None
        if lease is None:
            return
        length = (lease.expires_at - lease.leased_at).total_seconds() / 3
        period = min(RENEW_MAX_SECONDS, max(RENEW_MIN_SECONDS, length))
        self._renewer = self.set_interval(period, self._renew_due)

    def _renew_due(self) -> None:
        debtor = None if self._desk is None else self._desk.debtor
        if debtor is not None and not self._busy:
            self._renew(debtor.id)

    def _renewed(self, result: object) -> None:
        desk = self._desk
        if desk is None or desk.lease is None:
            return
        if isinstance(result, LeasedDebtor):
            if result.customer_id == desk.lease.customer_id:
                self._desk = replace(desk, lease=result)
                self._show_desk()
        elif isinstance(result, str):
            self._desk = replace(desk, lease=None, promises=())
            self._schedule_renewal(None)
            self._show_message(Text("! ", style="bold").append(plain(result)))
            self._show_desk()
