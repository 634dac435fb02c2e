"""Letters: how many wait to print per kind, the queued letters of one kind, batches printed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from cctui.domain.dunning.letters import QueuedLetter, queued_letters
from cctui.domain.letter_batches import PrintedBatch, printed_batches, queued_letter_counts
from cctui.domain.models import LetterKind, Role
from cctui.messages import DailyCheckFinished
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

CARED_ABOUT = frozenset({"letter", "letter_batch", "customer", "invoice"})
"""Changes that can alter what the screen shows."""


@dataclass(frozen=True)
class LettersView:
    """Everything the screen shows, read in one unit of work."""

    kind: LetterKind
    counts: dict[LetterKind, int]
    letters: list[QueuedLetter]
    batches: list[PrintedBatch]


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


def step_words(letter: QueuedLetter) -> str:
    """The dunning step as a short column: ``2``, or ``hand`` for a letter queued by hand."""
    return str(letter.step_no) if letter.step_no is not None else "hand"


def letter_detail(letter: QueuedLetter) -> Text:
    """The selected letter in two lines: customer, step and delivery."""
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
    selected letter's customer. Printing comes with letter batches.
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
    """

    BINDINGS = [
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

    @property
    def kind(self) -> LetterKind:
        """The kind of letter listed."""
        return KINDS[self._kind_index]

    def compose_body(self) -> ComposeResult:
        """Counts per kind, the queued letters, the selected one, the batches printed."""
        yield Static(counts_line({}, self.kind), id="letters-counts")
        letters: ItemTable[QueuedLetter] = ItemTable(id="letters-table")
        yield letters
        yield Static(Text(""), id="letters-detail")
        yield Static(Text("Batches printed", style="bold"), id="letters-batches-title")
        batches: DataTable[Text] = DataTable(id="letters-batches", cursor_type="none")
        batches.can_focus = False
        yield batches

    @property
    def table(self) -> ItemTable[QueuedLetter]:
        """The queued letters of the kind shown."""
        return self.query_one("#letters-table", ItemTable)

    def on_mount(self) -> None:
        """Lay the columns out and read the letters."""
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
            return LettersView(
                kind=kind,
                counts=queued_letter_counts(session),
                letters=queued_letters(session, kind=kind, limit=LIST_LIMIT),
                batches=printed_batches(session, limit=BATCH_LIMIT),
            )

    def show_read(self, read: LettersView) -> None:
        """Show what was read, the cursor staying on the same letter."""
        self.query_one("#letters-counts", Static).update(counts_line(read.counts, read.kind))
        self.table.fill((letter.id, letter, letter_cells(letter)) for letter in read.letters)
        self._show_detail()
        self._fill_batches(read.batches)

    def _fill_batches(self, batches: list[PrintedBatch]) -> None:
        table = self.query_one("#letters-batches", DataTable)
        title = self.query_one("#letters-batches-title", Static)
        table.clear()
        if not batches:
            title.update(
                Text.assemble(
                    ("Batches printed: ", "bold"),
                    "none yet (printing comes with letter batches).",
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

    @on(DataTable.RowHighlighted, "#letters-table")
    def _show_detail(self) -> None:
        letter = self.table.selected
        detail = self.query_one("#letters-detail", Static)
        if letter is None:
            detail.update(Text(f"No {self.kind.value} letter waits to be printed.", style="italic"))
        else:
            detail.update(letter_detail(letter))

    def action_next_kind(self) -> None:
        """List the letters of the next kind."""
        self._kind_index = (self._kind_index + 1) % len(KINDS)
        self.table.empty()
        self.reload()
