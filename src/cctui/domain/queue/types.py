"""What the debtor queue is asked for and what it hands back: queries, cursors, rows, pages."""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal

from cctui.domain.models import CallOutcome, CreditAction
from cctui.domain.queue.colour import ColourStatus, colour_with_cutoff

MIN_TRIGRAM_SEARCH = 3
"""Search texts at least this long match anywhere (and tolerate typos); shorter ones match
the start of a field."""


class SortDirection(enum.StrEnum):
    """Ascending or descending; empty values (None) come last either way."""

    ASC = "asc"
    DESC = "desc"

    @property
    def reverse(self) -> SortDirection:
        """The other direction."""
        return SortDirection.DESC if self is SortDirection.ASC else SortDirection.ASC


class QueueSort(enum.StrEnum):
    """The columns the queue sorts by; each value is the column's snake_case name."""

    OVERDUE = "overdue_balance"
    BALANCE = "balance"
    OLDEST_DUE = "oldest_due_on"
    NAME = "name"
    POSTAL_CODE = "postal_code"
    LAST_CALL = "last_call_at"
    NEXT_CALL = "next_call_on"
    NEXT_PROMISE = "next_promise_on"
    CONTROLLER = "controller"
    """By the controller's name; within one controller, biggest overdue balance first."""
    ACCOUNT = "account"
    RELEVANCE = "relevance"
    """Best search match first (ties: biggest overdue balance); only with a search text."""

    @property
    def default_direction(self) -> SortDirection:
        """The direction a click on the column starts with: amounts and relevance descending,
        everything else ascending (oldest due date first, names A to Z)."""
        if self in (QueueSort.OVERDUE, QueueSort.BALANCE, QueueSort.RELEVANCE):
            return SortDirection.DESC
        return SortDirection.ASC


@dataclass(frozen=True)
class QueueQuery:
    """Which debtors to list and in which order.

    ``sort`` None means relevance when ``search`` is given, else overdue balance descending
    (the queue's default order); ``direction`` None means the sort's default direction.
    A search of one or two characters matches the start of name, name 2, account, phone or
    postal code and keeps the queue's order; a longer one matches anywhere in them, or a
    name similar to it (typos tolerated).
    Filters combine with AND: ``controller_id`` (pass the actor's id for "my customers"),
    ``pool_id`` (customers assigned to the pool or matching its criteria), ``colour``,
    ``credit_actions`` (any of them), ``currency``. ``include_hidden`` adds the debtors
    whose follow-up date is still ahead.
    """

    sort: QueueSort | None = None
    direction: SortDirection | None = None
    search: str | None = None
    controller_id: int | None = None
    pool_id: int | None = None
    colour: ColourStatus | None = None
    credit_actions: tuple[CreditAction, ...] = ()
    currency: str | None = None
    include_hidden: bool = False

    @property
    def search_text(self) -> str | None:
        """The search text without surrounding or repeated blanks; None when empty."""
        if self.search is None:
            return None
        cleaned = " ".join(self.search.split())
        return cleaned or None

    @property
    def effective_sort(self) -> QueueSort:
        """The sort applied: relevance when searching (three characters or more) without a
        sort, else overdue balance."""
        if self.sort is not None:
            return self.sort
        search = self.search_text
        if search is not None and len(search) >= MIN_TRIGRAM_SEARCH:
            return QueueSort.RELEVANCE
        return QueueSort.OVERDUE

    @property
    def effective_direction(self) -> SortDirection:
        """The direction applied."""
        return self.direction or self.effective_sort.default_direction


@dataclass(frozen=True)
class QueueCursor:
    """A position in the queue: the sort key of a row and its customer id.

    ``key`` holds the row's sort value(s): ``(value,)`` for a column (None when empty),
    ``(controller name, controller id, overdue balance)`` for the controller sort and
    ``(score, overdue balance)`` for relevance. Hand it back unchanged to get the rows after
    (or before) that row; it only fits the sort and direction it came from.
    """

    sort: QueueSort
    direction: SortDirection
    key: tuple[object, ...]
    id: int


@dataclass(frozen=True)
class QueueRow:
    """One debtor as the queue lists it (a read model, never an ORM object)."""

    id: int
    account: str
    name: str
    name2: str | None
    address_line1: str | None
    address_line2: str | None
    city: str | None
    postal_code: str | None
    country: str | None
    phone: str | None
    currency: str
    contact_person: str | None
    payment_terms_days: int
    balance: Decimal
    overdue_balance: Decimal
    oldest_due_on: date | None
    held_document_count: int
    open_action_count: int
    last_call_at: datetime | None
    last_call_outcome: CallOutcome | None
    last_contacted_at: datetime | None
    next_call_on: date | None
    next_promise_on: date | None
    credit_action: CreditAction
    follow_up_on: date | None
    follow_up_reason: str | None
    controller_id: int | None
    controller_login: str | None
    controller_name: str | None
    colour: ColourStatus
    contacted_since: datetime
    """The earliest contact that counts as recent for :attr:`colour` (see
    :func:`cctui.domain.queue.colour.contact_cutoff`)."""
    contacted_within_days: int
    """The ``contacted_within_days`` setting the colour was worked out with."""
    note: str | None
    """The first line of the latest open note or action (seed 004's "Note" column)."""
    hidden: bool
    """True when the follow-up date is still ahead (listed only with ``include_hidden``)."""
    days_overdue: int | None
    """Days past due of the oldest overdue invoice on the day asked."""
    relevance: int | None = None
    """The search score (higher is better) when searching, else None."""

    @functools.cached_property
    def colour_reason(self) -> str:
        """Why the row has its colour, in one sentence (worked out when first asked for)."""
        return colour_with_cutoff(
            self.last_contacted_at,
            self.last_call_outcome,
            self.last_call_at,
            self.contacted_since,
            self.contacted_within_days,
        )[1]

    @classmethod
    def from_fields(cls, values: dict[str, object]) -> QueueRow:
        """A row taking ``values`` (every field by name, nothing else) as its attributes,
        without the per-field cost of the frozen ``__init__`` (a page builds hundreds of rows
        per key press). The dict becomes the row's: the caller must not keep it."""
        if values.keys() != _ROW_FIELDS:
            raise ValueError(f"a queue row needs exactly the fields {sorted(_ROW_FIELDS)}")
        row = object.__new__(cls)
        object.__setattr__(row, "__dict__", values)
        return row


_ROW_FIELDS = frozenset(field.name for field in fields(QueueRow))


@dataclass(frozen=True)
class QueuePage:
    """A page of the queue, with the cursors for the pages either side (None at the ends)."""

    rows: tuple[QueueRow, ...]
    next_cursor: QueueCursor | None
    """Pass as ``after`` for the next page; None when this is the last page."""
    prev_cursor: QueueCursor | None
    """Pass as ``before`` for the previous page; None when this is the first page."""
    sort: QueueSort
    direction: SortDirection
    as_of: date
