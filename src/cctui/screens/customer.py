"""The customer detail screen: header, open-action bar, fact box and eight tabs, every action.

Opened from the queue and the call flow with a customer's id, or with ``--customer ACCOUNT``
(the account is looked up in a worker; an unknown one is said in one sentence and the
screen closes). Every read and every change runs in a thread worker through the domain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from cctui.domain.customer_detail import CustomerHeader, customer_header
from cctui.domain.errors import CctuiError, NotFound
from cctui.domain.lookup import customer_id_by_account
from cctui.domain.statistics import CustomerStatistics, customer_statistics
from cctui.domain.workflow.notes import close_note
from cctui.domain.workflow.todos import complete_todo
from cctui.messages import DailyCheckFinished
from cctui.screens.base import CctuiScreen
from cctui.widgets.customer.calls import CallsTab
from cctui.widgets.customer.charts import ChartsTab
from cctui.widgets.customer.credit import CreditTab
from cctui.widgets.customer.facts import FactBox
from cctui.widgets.customer.header import ActionBar, CustomerHeaderView
from cctui.widgets.customer.invoices import InvoicesTab
from cctui.widgets.customer.letters import LettersTab
from cctui.widgets.customer.notes import NotesTab
from cctui.widgets.customer.promises import PromisesTab
from cctui.widgets.customer.tab import CustomerTab, TabContext
from cctui.widgets.customer.todos import TodosTab
from cctui.widgets.forms.follow_up import FollowUpForm
from cctui.widgets.forms.note import ActionForm, NoteForm
from cctui.widgets.forms.todo import TodoForm

if TYPE_CHECKING:
    from cctui.app import AppContext

TABS: tuple[tuple[str, type[CustomerTab]], ...] = (
    ("invoices", InvoicesTab),
    ("notes", NotesTab),
    ("todos", TodosTab),
    ("calls", CallsTab),
    ("promises", PromisesTab),
    ("credit", CreditTab),
    ("letters", LettersTab),
    ("charts", ChartsTab),
)
"""The tabs in order; number key N shows the N-th."""

HEADER_GROUP = "customer-header"
TAB_GROUP = "customer-tab-"
CHANGE_GROUP = "customer-change"


MONEY_FORM_NAMES = ("payment", "write_off", "waive", "dispute", "hand_over", "promise")
"""The forms other parts of the app provide, opened from this screen by their keys."""

INVOICE_FORMS = frozenset({"write_off", "waive", "dispute", "hand_over"})
"""Forms about one invoice: they start on the invoice under the cursor in the invoices tab."""


def money_form(
    name: str, customer_id: int, invoice_ids: tuple[int, ...]
) -> ModalScreen[str | None]:
    """The form ``name`` of :data:`MONEY_FORM_NAMES` for the customer (imported when used).

    Each is a ``ModalScreen[str | None]`` that saves through the domain and dismisses with a
    one-sentence outcome (None when cancelled).
    """
    if name == "payment":
        from cctui.widgets.forms.payment import PaymentForm

        return PaymentForm(customer_id, invoice_ids)
    if name == "write_off":
        from cctui.widgets.forms.write_off import WriteOffForm

        return WriteOffForm(customer_id, invoice_ids)
    if name == "waive":
        from cctui.widgets.forms.waive import WaiveForm

        return WaiveForm(customer_id, invoice_ids)
    if name == "dispute":
        from cctui.widgets.forms.dispute import DisputeForm

        return DisputeForm(customer_id, invoice_ids)
    if name == "hand_over":
        from cctui.widgets.forms.hand_over import HandOverForm

        return HandOverForm(customer_id, invoice_ids)
    if name == "promise":
        from cctui.widgets.forms.promise import PromiseForm

        return PromiseForm(customer_id, invoice_ids)
    raise ValueError(f"There is no form called {name!r}.")


@dataclass(frozen=True)
class CustomerFacts:
    """What the top of the screen shows: the header facts and the statistics."""

    header: CustomerHeader
    statistics: CustomerStatistics


@dataclass(frozen=True)
class Unknown:
    """The customer asked for does not exist; ``reason`` says so in one sentence."""

    reason: str


@dataclass(frozen=True)
class ChangeOutcome:
    """What a change started from a key did: a sentence, and whether it was refused."""

    message: str
    refused: bool = False


def _tab_binding(number: int, name: str, title: str) -> Binding:
    return Binding(
        str(number),
        f"show_tab('{name}')",
        f"{title} tab",
        show=False,
        tooltip=f"Show the {title.lower()} tab.",
        id=f"customer.tab-{name}",
    )


class CustomerScreen(CctuiScreen):
    """One customer: who, what they owe, the history, and every workflow action.

    Keys: 1-8 and ←/→ switch tabs; n note, c action, d done, f follow-up, t to-do,
    p promise, $ payment, w write-off, v waive, x dispute, a hand to agency, s facts,
    r reload.
    """

    HELP_TITLE = "Customer"
    SCREEN_NAME = "customer"

    DEFAULT_CSS = """
    CustomerScreen #customer-tabs {
        height: 1fr;
    }
    CustomerScreen #customer-tabs TabPane {
        padding: 0;
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "n",
            "note",
            "Note",
            tooltip="Write a private note on this customer (only staff see it).",
            id="customer.note",
        ),
        Binding(
            "c",
            "customer_action",
            "Action",
            tooltip="Add an action the customer must take, from the action-type list.",
            id="customer.action",
        ),
        Binding(
            "d",
            "done",
            "Done",
            tooltip="Mark the note, action or to-do under the cursor done.",
            id="customer.done",
        ),
        Binding(
            "f",
            "follow_up",
            "Follow-up",
            tooltip="Set the follow-up date and reason, or clear it (empty date).",
            id="customer.follow-up",
        ),
        Binding(
            "t",
            "todo",
            "To-do",
            tooltip="Create a credit to-do on this customer with a due date.",
            id="customer.todo",
        ),
        Binding(
            "p",
            "money_form('promise')",
            "Promise",
            tooltip="Record a promise to pay.",
            id="customer.promise",
        ),
        Binding(
            "dollar_sign",
            "money_form('payment')",
            "Payment",
            show=False,
            tooltip="Record a payment received from this customer.",
            id="customer.payment",
        ),
        Binding(
            "w",
            "money_form('write_off')",
            "Write off",
            show=False,
            tooltip="Write off the invoice under the cursor in the invoices tab.",
            id="customer.write-off",
        ),
        Binding(
            "v",
            "money_form('waive')",
            "Waive",
            show=False,
            tooltip="Waive fees or interest of the invoice under the cursor.",
            id="customer.waive",
        ),
        Binding(
            "x",
            "money_form('dispute')",
            "Dispute",
            show=False,
            tooltip="Open a dispute on the invoice under the cursor.",
            id="customer.dispute",
        ),
        Binding(
            "a",
            "money_form('hand_over')",
            "Hand to agency",
            show=False,
            tooltip="Hand the invoice under the cursor to a collection agency.",
            id="customer.hand-over",
        ),
        Binding(
            "s",
            "toggle_facts",
            "Facts",
            show=False,
            tooltip="Hide or show the statistics box (more room for the tabs).",
            id="customer.facts",
        ),
        Binding(
            "r,f5",
            "reload",
            "Reload",
            show=False,
            tooltip="Read this customer from the database again.",
            id="customer.reload",
        ),
        Binding(
            "left",
            "next_tab(-1)",
            "Previous tab",
            show=False,
            priority=True,
            tooltip="Show the tab on the left.",
            id="customer.previous-tab",
        ),
        Binding(
            "right",
            "next_tab(1)",
            "Next tab",
            show=False,
            priority=True,
            tooltip="Show the tab on the right.",
            id="customer.next-tab",
        ),
        *(
            _tab_binding(number, name, tab.TITLE)
            for number, (name, tab) in enumerate(TABS, start=1)
        ),
    ]

    def __init__(self, customer_id: int | None = None, *, account: str | None = None) -> None:
        """Show customer ``customer_id``, or the one with account number ``account``."""
        super().__init__()
        if customer_id is None and account is None:
            raise ValueError("A customer screen needs a customer id or an account.")
        self.customer_id = customer_id
        self.account = account
        self.facts: CustomerFacts | None = None
        self._loaded: set[str] = set()

    # ------------------------------------------------------------------ layout

    def compose_body(self) -> ComposeResult:
        """Header, action bar, fact box and the tabs."""
        yield CustomerHeaderView(Text("Loading the customer…"), id="customer-header")
        yield ActionBar(id="customer-action-bar")
        yield FactBox(Text(""), id="customer-facts")
        with TabbedContent(id="customer-tabs"):
            for number, (name, tab) in enumerate(TABS, start=1):
                with TabPane(f"{number} {tab.TITLE}", id=f"tab-{name}"):
                    yield tab(id=f"customer-{name}")

    def tab(self, name: str) -> CustomerTab:
        """The widget of tab ``name`` (``"invoices"``, ``"notes"``, ...)."""
        return self.query_one(f"#customer-{name}", CustomerTab)

    @property
    def active_tab(self) -> str:
        """The name of the tab shown now."""
        active = self.query_one(TabbedContent).active
        return active.removeprefix("tab-") if active else TABS[0][0]

    def on_mount(self) -> None:
        """Read the customer; the first tab follows once its id is known."""
        self.tab("invoices").focus_target().focus()
        self._read_facts()

    # ------------------------------------------------------------------ reading

    def reload(self) -> None:
        """Read the header, the facts and every tab shown so far again, keeping cursors."""
        self._read_facts()
        if self.customer_id is not None:
            for name in sorted(self._loaded):
                self._read_tab(name)

    def cares_about(self, customer_id: int | None, entity: str) -> bool:
        """Only changes to this customer (or to no customer in particular) concern it."""
        return customer_id is None or customer_id == self.customer_id

    def on_daily_check_finished(self, message: DailyCheckFinished) -> None:
        """The daily check may have changed the credit action and the figures."""
        self.reload()

    def _read_facts(self) -> None:
        self.run_worker(
            self._fetch_facts,
            thread=True,
            exclusive=True,
            group=HEADER_GROUP,
            name="read the customer",
            exit_on_error=False,
        )

    def _fetch_facts(self) -> CustomerFacts | Unknown:
        """The header and statistics (and the id behind the account) — in a thread."""
        app = self.cctui
        customer_id = self.customer_id
        if customer_id is None and not (self.account or "").strip():
            return Unknown("No customer was named: open one from the debtor queue.")
        try:
            with app.db.session() as session:
                if customer_id is None:
                    customer_id = customer_id_by_account(session, self.account or "")
                header = customer_header(session, customer_id)
                statistics = customer_statistics(session, customer_id, as_of=app.today())
        except NotFound as error:
            return Unknown(str(error))
        return CustomerFacts(header, statistics)

    def _read_tab(self, name: str) -> None:
        customer_id = self.customer_id
        if customer_id is None:
            return
        tab = self.tab(name)
        self._loaded.add(name)
        context = TabContext(customer_id, self.cctui.user, self.cctui.today())
        db = self.cctui.db
        self.run_worker(
            lambda: tab.fetch(db, context),
            thread=True,
            exclusive=True,
            group=TAB_GROUP + name,
            name=tab.TASK,
            exit_on_error=False,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Draw what a read brought back, or mark the part that failed."""
        group = event.worker.group
        if group == HEADER_GROUP:
            self._facts_arrived(event)
        elif group.startswith(TAB_GROUP):
            tab = self.tab(group.removeprefix(TAB_GROUP))
            if event.state is WorkerState.SUCCESS:
                tab.show(event.worker.result)
            elif event.state is WorkerState.ERROR:
                tab.failed()
        elif group == CHANGE_GROUP and event.state is WorkerState.SUCCESS:
            outcome = event.worker.result
            if isinstance(outcome, ChangeOutcome):
                self.notify(
                    outcome.message,
                    severity="warning" if outcome.refused else "information",
                    markup=False,
                )
                self.reload()

    def _facts_arrived(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.query_one(CustomerHeaderView).update(
                Text("The customer could not be read. Press r to try again.")
            )
            return
        if event.state is not WorkerState.SUCCESS:
            return
        result = event.worker.result
        if isinstance(result, Unknown):
            self.notify(
                result.reason.rstrip(".") + "; showing the start screen instead.",
                title="No such customer",
                severity="warning",
                timeout=10,
                markup=False,
            )
            if self.is_current:
                self.dismiss()
            return
        if not isinstance(result, CustomerFacts):
            return
        first = self.facts is None
        self.facts = result
        self.customer_id = result.header.customer_id
        self.account = result.header.account
        self.query_one(CustomerHeaderView).show(result.header)
        self.query_one(ActionBar).show(result.header)
        self.query_one(FactBox).show(result.statistics)
        if first and self.active_tab not in self._loaded:
            self._read_tab(self.active_tab)

    # ------------------------------------------------------------------ tabs

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Load a tab the first time it shows, and put the focus in it."""
        name = (event.pane.id or "").removeprefix("tab-")
        if name not in dict(TABS):
            return
        if name not in self._loaded and self.customer_id is not None:
            self._read_tab(name)
        self.tab(name).focus_target().focus()

    def action_show_tab(self, name: str) -> None:
        """Show tab ``name``."""
        self.query_one(TabbedContent).active = f"tab-{name}"

    def action_next_tab(self, step: int) -> None:
        """Show the tab ``step`` places to the right (negative: left), wrapping around."""
        names = [name for name, _ in TABS]
        index = names.index(self.active_tab)
        self.action_show_tab(names[(index + step) % len(names)])

    def action_toggle_facts(self) -> None:
        """Hide the fact box, or show it again."""
        self.query_one(FactBox).toggle_class("-hidden")

    def action_reload(self) -> None:
        """Read everything again."""
        self.reload()

    # ------------------------------------------------------------------ actions

    def _ready(self) -> int | None:
        """The customer's id once the customer is read; otherwise say to wait."""
        if self.customer_id is None or self.facts is None:
            self.notify("The customer is still being read; try again in a moment.", timeout=4)
            return None
        return self.customer_id

    def _open_form(self, form: ModalScreen[str | None]) -> None:
        self.app.push_screen(form, self._form_closed)

    def _form_closed(self, outcome: str | None) -> None:
        """Say what a saved form did; read the customer again either way (a form refused
        because someone else changed the customer needs the newer version next time)."""
        if isinstance(outcome, str):
            self.notify(outcome, markup=False)
        self.reload()

    def action_note(self) -> None:
        """Open the private-note form."""
        if (customer_id := self._ready()) is not None:
            self._open_form(NoteForm(customer_id))

    def action_customer_action(self) -> None:
        """Open the customer-visible action form."""
        if (customer_id := self._ready()) is not None:
            self._open_form(ActionForm(customer_id))

    def action_todo(self) -> None:
        """Open the to-do form."""
        if (customer_id := self._ready()) is not None:
            self._open_form(TodoForm(customer_id))

    def action_follow_up(self) -> None:
        """Open the follow-up form with the date, reason and version read last."""
        if (customer_id := self._ready()) is None or self.facts is None:
            return
        header = self.facts.header
        self._open_form(
            FollowUpForm(
                customer_id,
                version=header.version,
                follow_up_on=header.follow_up_on,
                reason=header.follow_up_reason,
            )
        )

    def selected_invoice_ids(self) -> tuple[int, ...]:
        """The invoice under the cursor in the invoices tab, if that tab has rows."""
        invoices = self.tab("invoices")
        if "invoices" not in self._loaded or not isinstance(invoices, InvoicesTab):
            return ()
        selected = invoices.selected_id
        return () if selected is None else (selected,)

    def action_money_form(self, name: str) -> None:
        """Open the payment, write-off, waive, dispute, hand-over or promise form."""
        if (customer_id := self._ready()) is None:
            return
        invoice_ids = self.selected_invoice_ids() if name in INVOICE_FORMS else ()
        self._open_form(money_form(name, customer_id, invoice_ids))

    def action_done(self) -> None:
        """Mark the highlighted note or action (notes tab) or to-do (to-dos tab) done."""
        if self._ready() is None:
            return
        active = self.active_tab
        actor = self.cctui.user
        change: Callable[[], ChangeOutcome]
        if active == "notes":
            notes = self.tab("notes")
            note = notes.selected_note() if isinstance(notes, NotesTab) else None
            if note is None:
                self.notify("There is no note or action to mark done.", severity="warning")
                return
            note_id = note.id

            def change() -> ChangeOutcome:
                with self.cctui.db.session() as session:
                    closed = close_note(session, actor, note_id)
                return ChangeOutcome(f"{closed.kind.value.capitalize()} marked done.")

            task = "mark the note done"
        elif active == "todos":
            todos = self.tab("todos")
            todo_id = todos.selected_id if isinstance(todos, TodosTab) else None
            if todo_id is None:
                self.notify("There is no to-do to mark done.", severity="warning")
                return

            def change() -> ChangeOutcome:
                with self.cctui.db.session() as session:
                    complete_todo(session, actor, todo_id)
                return ChangeOutcome("To-do marked done.")

            task = "mark the to-do done"
        else:
            self.notify(
                "Choose a note or action (tab 2) or a to-do (tab 3), then press d.",
                severity="warning",
            )
            return
        self._run_change(change, task)

    def _run_change(self, change: Callable[[], ChangeOutcome], task: str) -> None:
        def guarded() -> ChangeOutcome:
            try:
                return change()
            except CctuiError as error:
                return ChangeOutcome(str(error), refused=True)

        self.run_worker(
            guarded,
            thread=True,
            exclusive=True,
            group=CHANGE_GROUP,
            name=task,
            exit_on_error=False,
        )


def open_customer(context: AppContext) -> CustomerScreen:
    """The customer named by ``--customer ACCOUNT`` (looked up when the screen opens)."""
    return CustomerScreen(account=context.customer or "")
