"""Letters: how many wait to print per kind, the queued letters of one kind, batches printed;
statements queued for every customer and e-mailed to those who take e-mail."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, ProgressBar, Static
from textual.worker import Worker, WorkerState

from cctui.domain.dunning.letters import QueuedLetter, queued_letters
from cctui.domain.letter_batches import PrintedBatch, printed_batches, queued_letter_counts
from cctui.domain.models import Delivery, LetterKind, Role
from cctui.domain.statements import (
    StatementsQueued,
    failed_email_statements,
    queue_statements,
    send_errors,
)
from cctui.letters.batches import (
    BatchCancelled,
    BatchOutcome,
    issue_batch,
    preview_batch,
    queued_by_delivery,
    reprint_batch,
)
from cctui.letters.email import SendOutcome, send_statements
from cctui.letters.output import default_out_dir
from cctui.messages import DailyCheckFinished
from cctui.screens.invoice_dialogs import ConfirmScreen
from cctui.screens.item_list import ItemListScreen
from cctui.widgets.item_table import ItemTable
from cctui.widgets.money import format_money
from cctui.widgets.safe_text import safe_text

if TYPE_CHECKING:
    from cctui.app import AppContext

LIST_LIMIT = 500
"""The most queued letters the screen lists at once."""

BATCH_LIMIT = 20
"""The most printed batches the screen lists."""

KINDS: tuple[LetterKind, ...] = tuple(LetterKind)
"""The kinds ``f`` cycles through, in this order."""

BATCH_GROUP = "letters-batch"
"""The group of the worker that previews, prints or reprints a batch (one at a time)."""

BATCH_ACTIONS = frozenset({"preview", "print_batch", "reprint", "send_email", "queue_statements"})
"""The actions that start a batch (or a run of e-mails, or queueing statements)."""

WAITING_ACTIONS = BATCH_ACTIONS | {"next_kind", "open_customer", "refresh"}
"""The screen's actions disabled (shown greyed) while a batch runs."""

BatchRun = Callable[[Any, threading.Event, Callable[[int, int], None], Path], BatchOutcome]
"""Runs one batch given the session of ``db.session()``, the cancel event, the progress
callback and the folder to write to."""

Run = Callable[[threading.Event, Callable[[int, int], None]], object]
"""Runs one piece of work of the batch worker given the cancel event and the progress
callback; returns what to tell (an outcome, or the BatchCancelled it stopped with)."""

FINISHED = frozenset({WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED})
"""The states a worker ends in."""

CARED_ABOUT = frozenset({"letter", "letter_batch", "customer", "invoice"})
"""Changes that can alter what the screen shows."""


@dataclass(frozen=True)
class LettersView:
    """Everything the screen shows, read in one unit of work."""

    kind: LetterKind
    counts: dict[LetterKind, int]
    letters: list[QueuedLetter]
    batches: list[PrintedBatch]
    by_mail: dict[LetterKind, int]
    """Queued letters per kind sent by mail: those a batch prints."""
    by_email: dict[LetterKind, int]
    """Queued letters per kind sent by e-mail (``E`` sends the statements)."""
    email_failed: int
    """Statements waiting for e-mail whose last attempt failed."""
    send_errors: dict[int, tuple[int, str]]
    """For listed letters whose last e-mail attempt failed: attempts and the reason."""


def counts_line(counts: dict[LetterKind, int], chosen: LetterKind) -> Text:
    """``Waiting to print: ▸reminder 3  agency 1 …``; the kind shown is marked, not only bold."""
    line = Text("Waiting to print: ", style="bold")
    for kind in KINDS:
        label = f"{kind.value} {counts.get(kind, 0):,}"
        if kind is chosen:
            line.append(f"▸{label}", style="bold reverse")
        else:
            line.append(f" {label}")
        line.append("  ")
    return line


def email_line(by_email: dict[LetterKind, int], failed: int) -> Text:
    """``By e-mail: statement 3 (1 failed)  reminder 2 · E sends the statements``."""
    line = Text("By e-mail: ", style="bold")
    for kind in KINDS:
        count = by_email.get(kind, 0)
        if count:
            line.append(f"{kind.value} {count:,}")
            if kind is LetterKind.STATEMENT and failed:
                line.append(f" ({failed:,} failed)", style="bold")
            line.append("  ")
    if by_email.get(LetterKind.STATEMENT, 0):
        line.append("· E sends the statements")
    return line


def step_words(letter: QueuedLetter) -> str:
    """The dunning step as a short column: ``2``, or ``hand`` for a letter queued by hand."""
    return str(letter.step_no) if letter.step_no is not None else "hand"


def letter_detail(letter: QueuedLetter, failure: tuple[int, str] | None = None) -> Text:
    """The selected letter in two lines (customer, step and delivery), and a third when its
    last e-mail attempt failed: how many attempts and why."""
    text = safe_text(letter.account, style="bold")
    text.append(" ")
    text.append_text(safe_text(letter.name, style="bold"))
    text.append(f"\n{letter.kind.value.capitalize()} letter")
    if letter.step_name is not None:
        text.append(f", step {letter.step_no} ")
        text.append_text(safe_text(letter.step_name))
    text.append(f", by {letter.delivery.value}; {letter.invoice_count} invoice")
    text.append("s" if letter.invoice_count != 1 else "")
    text.append(f", {format_money(letter.total_open, letter.currency)} ")
    text.append_text(safe_text(letter.currency))
    text.append(" open.")
    if failure is not None:
        attempts, reason = failure
        text.append(f"\n✗ E-mail failed ({attempts} attempt{'' if attempts == 1 else 's'}): ")
        text.append_text(safe_text(reason))
    return text


def letter_cells(letter: QueuedLetter) -> list[Text]:
    """One queued letter's row: customer, step, invoices, total, currency, fee, when, who."""
    return [
        safe_text(letter.name),
        Text(step_words(letter)),
        Text(str(letter.invoice_count), justify="right"),
        Text(format_money(letter.total_open, letter.currency), justify="right"),
        safe_text(letter.currency),
        Text(format_money(letter.fee, letter.currency), justify="right"),
        Text(letter.queued_on.isoformat()),
        safe_text(letter.queued_by or "-"),
    ]


class LettersScreen(ItemListScreen[QueuedLetter, LettersView]):
    """Letters waiting for the batch that prints them, by kind, and the batches printed.

    ``f`` shows the next kind (reminder, agency, invoice, statement); Enter opens the
    selected letter's customer. ``v`` writes a preview PDF of the kind shown (marks nothing),
    ``P`` prints its batch after asking, ``R`` prints again the batch highlighted in the
    list of printed batches (Tab moves there; the newest is highlighted at first). While a
    batch runs a progress line shows, the other keys wait, and ``c`` or Esc cancels it:
    nothing is marked printed and no file is written.

    ``S`` queues a statement for every customer with an open balance (after asking); ``E``
    e-mails the statements of customers who take e-mail, with the same progress line, and
    ``c`` stops it between two statements (those sent stay sent). A line above the table
    counts the letters waiting for e-mail; a statement whose last e-mail failed says why.
    """

    HELP_TITLE = "Letters"
    SCREEN_NAME = "letters"
    MIN_ROLE: ClassVar[Role] = Role.CONTROLLER
    """The least role offered the screen."""
    WORKER_GROUP = "letters"

    DEFAULT_CSS = """
    LettersScreen #letters-counts {
        height: 1;
        padding: 0 1;
    }
    LettersScreen #letters-email {
        height: 1;
        padding: 0 1;
        display: none;
    }
    LettersScreen #letters-email.-some {
        display: block;
    }
    LettersScreen #letters-table {
        height: 1fr;
        min-height: 4;
    }
    LettersScreen #letters-detail {
        height: auto;
        max-height: 4;
        padding: 0 1;
    }
    LettersScreen #letters-batches-title {
        padding: 0 1;
        border-top: solid $primary;
        height: 2;
    }
    LettersScreen #letters-batches {
        height: auto;
        max-height: 6;
    }
    LettersScreen #letters-progress {
        height: 1;
        padding: 0 1;
        display: none;
    }
    LettersScreen #letters-progress.-running {
        display: block;
    }
    LettersScreen #letters-progress-label {
        width: auto;
    }
    """

    BINDINGS = [
        # Before "enter,c": while a batch runs, c cancels it (and Esc does, not going back).
        Binding(
            "c,escape",
            "cancel_batch",
            "Cancel batch",
            tooltip="Stop the batch being printed: nothing is marked printed, no file is kept.",
            id="letters.cancel-batch",
        ),
        Binding(
            "f",
            "next_kind",
            "Kind",
            tooltip="Show the queued letters of the next kind: reminder, agency, invoice, ...",
            id="letters.kind",
        ),
        Binding(
            "enter,c",
            "open_customer",
            "Customer",
            tooltip="Open the customer of the selected letter.",
            id="letters.open-customer",
        ),
        Binding(
            "v",
            "preview",
            "Preview",
            tooltip="Write a preview PDF of the queued letters of the kind shown; marks nothing.",
            id="letters.preview",
        ),
        Binding(
            "P",
            "print_batch",
            "Print",
            tooltip="Print the queued letters of the kind shown into one PDF and mark them "
            "printed (asks first).",
            id="letters.print",
        ),
        Binding(
            "R",
            "reprint",
            "Reprint",
            tooltip="Print the batch highlighted under 'Batches printed' again to a new PDF.",
            id="letters.reprint",
        ),
        Binding(
            "S",
            "queue_statements",
            "Statements",
            tooltip="Queue a statement for every customer with an open balance (asks first); "
            "by e-mail for those who take it, else by mail.",
            id="letters.queue-statements",
        ),
        Binding(
            "E",
            "send_email",
            "E-mail",
            tooltip="E-mail the queued statements of customers who take e-mail, each as a PDF.",
            id="letters.send-email",
        ),
        Binding(
            "f5",
            "refresh",
            "Refresh",
            show=False,
            tooltip="Read the letters from the database again.",
            id="letters.refresh",
        ),
    ]

    @classmethod
    def open(cls, context: AppContext) -> LettersScreen:
        """The registry's factory: the screen needs nothing from the context."""
        return cls()

    def __init__(self) -> None:
        super().__init__()
        self._kind_index = 0
        self._by_mail: dict[LetterKind, int] = {}
        self._by_email: dict[LetterKind, int] = {}
        self._send_errors: dict[int, tuple[int, str]] = {}
        self._cancel: threading.Event | None = None
        """Set to cancel the batch running; None when none runs."""
        self._running_label = ""
        self._cancellable = True

    @property
    def kind(self) -> LetterKind:
        """The kind of letter listed."""
        return KINDS[self._kind_index]

    def compose_body(self) -> ComposeResult:
        """Counts per kind, the queued letters, the selected one, the batches printed."""
        yield Static(counts_line({}, self.kind), id="letters-counts")
        yield Static(Text(""), id="letters-email")
        with Horizontal(id="letters-progress"):
            yield Static("", id="letters-progress-label")
            yield ProgressBar(id="letters-progress-bar", show_eta=False)
        letters: ItemTable[QueuedLetter] = ItemTable(id="letters-table")
        yield letters
        yield Static(Text(""), id="letters-detail")
        yield Static(Text("Batches printed", style="bold"), id="letters-batches-title")
        yield DataTable[Text](id="letters-batches", cursor_type="row")

    @property
    def table(self) -> ItemTable[QueuedLetter]:
        """The queued letters of the kind shown."""
        return self.query_one("#letters-table", ItemTable)

    def on_mount(self) -> None:
        """Lay the columns out and read the letters."""
        # Ten keys: a compact footer keeps every one of them in 80 columns.
        self.query_one(Footer).compact = True
        letters = self.table
        # The other columns take 63 cells (padding and scrollbar included); the customer's
        # name gets the rest, more on a wider terminal.
        letters.add_column("Customer", width=max(16, self.app.size.width - 63), key="customer")
        letters.add_column("Step", width=4, key="step")
        letters.add_column("Inv", width=3, key="invoices")
        letters.add_column("Total open", width=11, key="total")
        letters.add_column("Cur", width=3, key="currency")
        letters.add_column("Fee", width=7, key="fee")
        letters.add_column("Queued", width=10, key="queued")
        letters.add_column("By", width=8, key="by")
        batches = self.query_one("#letters-batches", DataTable)
        batches.add_column("Printed", width=16, key="printed")
        batches.add_column("Kind", width=9, key="kind")
        batches.add_column("Letters", width=7, key="letters")
        batches.add_column("Pages", width=6, key="pages")
        batches.add_column("By", width=12, key="by")
        self.reload()

    def start_read(self) -> None:
        """Read the counts, the letters of the kind shown and the batches."""
        self._read(self.kind)

    def cares_about(self, customer_id: int | None, entity: str) -> bool:
        """Letters, batches, and customers or invoices they list concern the screen."""
        return entity in CARED_ABOUT

    def on_daily_check_finished(self, message: DailyCheckFinished) -> None:
        """The daily check queues dunning letters: read them again."""
        self.reload()

    @work(
        thread=True,
        exclusive=True,
        group=WORKER_GROUP,
        name="read the letters queue",
        exit_on_error=False,
    )
    def _read(self, kind: LetterKind) -> LettersView:
        """Read counts, letters of ``kind`` and batches (runs in a thread)."""
        with self.cctui.db.session() as session:
            letters = queued_letters(session, kind=kind, limit=LIST_LIMIT)
            by_delivery = queued_by_delivery(session)
            return LettersView(
                kind=kind,
                counts=queued_letter_counts(session),
                letters=letters,
                batches=printed_batches(session, limit=BATCH_LIMIT),
                by_mail={kind: counts[Delivery.MAIL] for kind, counts in by_delivery.items()},
                by_email={kind: counts[Delivery.EMAIL] for kind, counts in by_delivery.items()},
                email_failed=failed_email_statements(session),
                send_errors=send_errors(
                    session,
                    [letter.id for letter in letters if letter.delivery is Delivery.EMAIL],
                ),
            )

    def show_read(self, read: LettersView) -> None:
        """Show what was read, the cursor staying on the same letter."""
        self.query_one("#letters-counts", Static).update(counts_line(read.counts, read.kind))
        email = self.query_one("#letters-email", Static)
        email.update(email_line(read.by_email, read.email_failed))
        email.set_class(any(read.by_email.values()), "-some")
        self._send_errors = read.send_errors
        self.table.fill((letter.id, letter, letter_cells(letter)) for letter in read.letters)
        self._show_detail()
        self._fill_batches(read.batches)
        self._by_mail = read.by_mail
        self._by_email = read.by_email

    def _fill_batches(self, batches: list[PrintedBatch]) -> None:
        table = self.batches_table
        title = self.query_one("#letters-batches-title", Static)
        highlighted = self.highlighted_batch
        table.clear()
        if not batches:
            title.update(
                Text.assemble(
                    ("Batches printed: ", "bold"),
                    "none yet (P prints the queued letters of the kind shown).",
                )
            )
            table.display = False
            return
        title.update(Text(f"Batches printed (the last {len(batches)})", style="bold"))
        table.display = True
        for batch in batches:
            table.add_row(
                Text(batch.created_at.astimezone().strftime("%Y-%m-%d %H:%M")),
                Text(batch.kind.value),
                Text(f"{batch.letter_count:,}", justify="right"),
                Text(f"{batch.page_count:,}", justify="right"),
                safe_text(batch.created_by or "-"),
                key=str(batch.id),
            )
        ids = [batch.id for batch in batches]
        if highlighted in ids:
            table.move_cursor(row=ids.index(highlighted), animate=False)

    @on(DataTable.RowHighlighted, "#letters-table")
    def _show_detail(self) -> None:
        letter = self.table.selected
        detail = self.query_one("#letters-detail", Static)
        if letter is None:
            detail.update(Text(f"No {self.kind.value} letter waits to be printed.", style="italic"))
        else:
            detail.update(letter_detail(letter, self._send_errors.get(letter.id)))

    def action_next_kind(self) -> None:
        """List the letters of the next kind."""
        self._kind_index = (self._kind_index + 1) % len(KINDS)
        self.table.empty()
        self.reload()

    @property
    def batches_table(self) -> DataTable[Text]:
        """The printed batches, newest first, each keyed by its id."""
        return self.query_one("#letters-batches", DataTable)

    @property
    def highlighted_batch(self) -> int | None:
        """The id of the printed batch under the batches' cursor, if any is listed."""
        table = self.batches_table
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    @property
    def running(self) -> bool:
        """Whether a batch is being previewed, printed or reprinted."""
        return self._cancel is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While a batch runs only cancelling it works; cancelling shows only then."""
        if action == "cancel_batch":
            return self.running and self._cancellable
        if self.running and action in WAITING_ACTIONS:
            return None
        return True

    def action_open_customer(self) -> None:
        """Open the customer of the selected letter (not while a batch runs)."""
        if not self.running:
            super().action_open_customer()

    def action_cancel_batch(self) -> None:
        """Ask the running batch to stop before its next letter."""
        if self._cancel is not None:
            self._cancel.set()
            self._progress_label(f"Cancelling: {self._running_label.lower()}...")

    def action_preview(self) -> None:
        """Write ``<kind>-preview.pdf`` from the queued letters of the kind shown."""
        kind = self.kind
        self._start_batch(
            f"preview the {kind.value} letters",
            f"Previewing {kind.value} letters",
            lambda session, cancel, progress, out_dir: preview_batch(
                session,
                self.cctui.user,
                kind,
                out_dir=out_dir,
                progress=progress,
                cancel=cancel,
            ),
        )

    def action_print_batch(self) -> None:
        """Ask, then print the queued letters of the kind shown and mark them printed."""
        kind = self.kind
        count = self._by_mail.get(kind, 0)
        if count == 0:
            self.notify(f"No {kind.value} letters by mail wait to be printed.", markup=False)
            return
        noun = f"{kind.value} letter{'' if count == 1 else 's'}"
        question = Text(f"Print {count:,} {noun}? They will be marked printed.")

        def answered(yes: bool | None) -> None:
            if yes:
                self._start_batch(
                    f"print the {kind.value} letters",
                    f"Printing {kind.value} letters",
                    lambda session, cancel, progress, out_dir: issue_batch(
                        session,
                        self.cctui.user,
                        kind,
                        out_dir=out_dir,
                        progress=progress,
                        cancel=cancel,
                    ),
                )

        self.app.push_screen(ConfirmScreen("Print letters", question, yes="Print"), answered)

    def action_reprint(self) -> None:
        """Print the highlighted printed batch again to ``<kind>-batch-<id>-reprint.pdf``."""
        batch_id = self.highlighted_batch
        if batch_id is None:
            self.notify("No batch has been printed yet.", markup=False)
            return
        self._start_batch(
            f"print batch {batch_id} again",
            f"Reprinting batch {batch_id}",
            lambda session, cancel, progress, out_dir: reprint_batch(
                session, self.cctui.user, batch_id, out_dir=out_dir
            ),
        )

    def action_queue_statements(self) -> None:
        """Ask, then queue a statement for every customer with an open balance."""
        question = Text(
            "Queue a statement for every customer with an open balance? Customers who "
            "take e-mail get it by e-mail (E sends), the others by mail (P prints). "
            "Customers with a statement waiting are skipped."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._start_work(
                    "queue the statements",
                    "Queueing statements",
                    lambda cancel, progress: self._queue_statements(),
                    cancellable=False,
                )

        self.app.push_screen(ConfirmScreen("Queue statements", question, yes="Queue"), answered)

    def _queue_statements(self) -> StatementsQueued:
        with self.cctui.db.session() as session:
            return queue_statements(session, self.cctui.user, as_of=self.cctui.today())

    def action_send_email(self) -> None:
        """E-mail the queued statements of customers who take e-mail (one worker, cancellable)."""
        if self._by_email.get(LetterKind.STATEMENT, 0) == 0:
            self.notify("No statements are queued for e-mail.", markup=False)
            return
        self._start_work(
            "e-mail the statements",
            "Sending statements by e-mail",
            lambda cancel, progress: send_statements(
                self.cctui.db,
                self.cctui.user,
                progress=progress,
                cancel=cancel,
                letter_date=self.cctui.today(),
            ),
        )

    def _start_batch(self, name: str, label: str, run: BatchRun) -> None:
        """Show the progress line and run the batch ``run`` in the batch worker."""

        def batch(
            cancel: threading.Event, progress: Callable[[int, int], None]
        ) -> BatchOutcome | BatchCancelled:
            try:
                with self.cctui.db.session() as session:
                    return run(session, cancel, progress, default_out_dir())
            except BatchCancelled as cancelled:
                return cancelled

        self._start_work(name, label, batch)

    def _start_work(self, name: str, label: str, run: Run, *, cancellable: bool = True) -> None:
        """Show the progress line and run ``run`` in the batch worker (one at a time)."""
        if self.running:
            return
        cancel = threading.Event()
        self._cancel = cancel
        self._running_label = label
        self._cancellable = cancellable
        bar = self.query_one("#letters-progress-bar", ProgressBar)
        bar.update(total=None, progress=0)
        self._progress_label(f"{label} (c cancels) " if cancellable else f"{label}... ")
        self.query_one("#letters-progress").add_class("-running")
        self.refresh_bindings()

        def work() -> object:
            def progress(done: int, total: int) -> None:
                self.app.call_from_thread(bar.update, total=total, progress=done)

            return run(cancel, progress)

        self.run_worker(
            work, name=name, group=BATCH_GROUP, thread=True, exclusive=True, exit_on_error=False
        )

    def _progress_label(self, words: str) -> None:
        self.query_one("#letters-progress-label", Static).update(Text(words))

    @on(Worker.StateChanged)
    def _batch_worker_changed(self, event: Worker.StateChanged) -> None:
        """Tell how the batch went, hide the progress line and read the letters again."""
        if event.worker.group != BATCH_GROUP or event.state not in FINISHED:
            return
        self._cancel = None
        self.query_one("#letters-progress").remove_class("-running")
        self.refresh_bindings()
        if event.state is WorkerState.SUCCESS:
            result = event.worker.result
            if isinstance(result, BatchCancelled):
                self.notify(str(result), title="Batch cancelled", severity="warning", markup=False)
            elif isinstance(result, BatchOutcome):
                self.notify(_outcome_words(result), title="Letters", markup=False)
            elif isinstance(result, SendOutcome):
                self._tell_sent(result)
            elif isinstance(result, StatementsQueued):
                self.notify(result.message, title="Statements", markup=False)
        self.reload()

    def _tell_sent(self, outcome: SendOutcome) -> None:
        """The e-mail run's sentence: an error when the server failed, a warning when some
        statements failed or the run was cancelled."""
        if outcome.stopped:
            self.notify(
                outcome.message, title="E-mail stopped", severity="error", timeout=15, markup=False
            )
        elif outcome.cancelled or outcome.failed:
            self.notify(outcome.message, title="E-mail", severity="warning", markup=False)
        else:
            self.notify(outcome.message, title="E-mail", markup=False)

    def on_unmount(self) -> None:
        """Closing the screen stops a batch still running: nothing half-done is kept."""
        if self._cancel is not None:
            self._cancel.set()


def _outcome_words(outcome: BatchOutcome) -> str:
    """The outcome's sentence, naming the PDF written if the sentence does not already."""
    if outcome.path is None or str(outcome.path) in outcome.message:
        return outcome.message
    return f"{outcome.message} File: {outcome.path}"
