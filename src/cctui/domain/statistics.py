"""Customer statistics (seed 002): the figures a controller reads before chasing a debtor.

Balance and overdue balance are the customer's maintained figures; the aging bands, the
payment habits (average days to pay, average days overdue) and the to-do counts are computed
for the day asked as three small aggregates over the customer's own rows, read in one
statement with the customer's figures and its credit group's (after the aging-band setting).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache

from sqlalchemy import ColumnElement, and_, bindparam, cast, func, select, true
from sqlalchemy.orm import Session, aliased

from cctui.domain.base import MONEY
from cctui.domain.book_settings import AgingBand, aging_bands
from cctui.domain.credit.position import position_of
from cctui.domain.errors import NotFound
from cctui.domain.models import (
    CreditAction,
    CreditEvent,
    CreditGroup,
    Customer,
    Invoice,
    InvoiceKind,
    OpenDone,
    Todo,
)
from cctui.domain.prepared import ReadStatement, fetch

ONE_DECIMAL = Decimal("0.1")


class AccountStatus(enum.StrEnum):
    """Whether a customer is overdue, over its credit limit, both, or neither (seed 002)."""

    OK = "ok"
    OVERDUE = "overdue"
    OVER_LIMIT = "over_limit"
    OVERDUE_AND_OVER_LIMIT = "overdue_and_over_limit"

    @property
    def words(self) -> str:
        """The status in words, for screens and letters (never only a colour)."""
        return _STATUS_WORDS[self]

    @classmethod
    def of(cls, *, overdue: bool, over_limit: bool) -> AccountStatus:
        """The status for a customer that is (or is not) overdue and over its limit."""
        if overdue and over_limit:
            return cls.OVERDUE_AND_OVER_LIMIT
        if overdue:
            return cls.OVERDUE
        if over_limit:
            return cls.OVER_LIMIT
        return cls.OK


_STATUS_WORDS = {
    AccountStatus.OK: "OK",
    AccountStatus.OVERDUE: "Overdue",
    AccountStatus.OVER_LIMIT: "Over credit limit",
    AccountStatus.OVERDUE_AND_OVER_LIMIT: "Overdue and over credit limit",
}


@dataclass(frozen=True)
class CustomerStatistics:
    """One customer's statistics on ``as_of`` (a read model: never an ORM object)."""

    customer_id: int
    account: str
    name: str
    currency: str
    as_of: date
    balance: Decimal
    """What the customer owes (the maintained figure)."""
    overdue_balance: Decimal
    """The part of the balance past its due date (the maintained figure)."""
    aging: tuple[tuple[str, Decimal], ...]
    """(band label, open amount) for each aging band of the book, "current" first."""
    held_document_count: int
    """Documents waiting in the credit-held list (the maintained figure)."""
    avg_days_to_pay: Decimal | None
    """Average days from issue to payment of paid invoices, one decimal; None if none."""
    avg_overdue_days: Decimal | None
    """Average days those invoices were paid after their due date (early counts as 0)."""
    todo_count: int
    """Open to-dos."""
    overdue_todo_count: int
    """Open to-dos due before ``as_of``."""
    credit_limit: Decimal
    """The limit that applies on ``as_of`` (temporary or credit-group limit included)."""
    credit_exposure: Decimal
    """What counts against that limit (the credit group's balances for a group member)."""
    credit_use_percent: Decimal | None
    """Exposure as a percentage of the limit, one decimal; None for a zero limit."""
    credit_available: Decimal
    """How much more may be owed before the limit is exceeded (negative when over)."""
    temporary_limit: bool
    """True when ``credit_limit`` is a temporary limit."""
    credit_group: str | None
    """The credit group whose limit applies, if any."""
    credit_action: CreditAction
    credit_action_event: CreditEvent
    credit_action_since: datetime
    account_status: AccountStatus

    @property
    def past_due_amount(self) -> Decimal:
        """The open amount in every aging band after "current"."""
        return _past_due(self.aging)


BandShape = tuple[tuple[bool, bool], ...]
"""For each aging band, whether it has a first day and whether it has a last day."""


def _band_condition(index: int, has_first: bool, has_last: bool) -> ColumnElement[bool]:
    """Invoices whose days past due fall in band ``index``, on ``due_on`` against the band's
    bound dates ``band_<index>_due_by`` (its first day before the day asked) and
    ``band_<index>_due_from`` (its last day before it)."""
    conditions: list[ColumnElement[bool]] = []
    if has_first:
        conditions.append(Invoice.due_on <= bindparam(f"band_{index}_due_by"))
    if has_last:
        conditions.append(Invoice.due_on >= bindparam(f"band_{index}_due_from"))
    return and_(*conditions)


def _band_dates(bands: list[AgingBand], as_of: date) -> dict[str, date]:
    """The bound dates of :func:`_band_condition` for ``bands`` on ``as_of``."""
    dates: dict[str, date] = {}
    for index, band in enumerate(bands):
        if band.first_day is not None:
            dates[f"band_{index}_due_by"] = as_of - timedelta(days=band.first_day)
        if band.last_day is not None:
            dates[f"band_{index}_due_from"] = as_of - timedelta(days=band.last_day)
    return dates


@cache
def _statistics_statement(shape: BandShape) -> ReadStatement:
    """The customer's figures, its credit group's, and the three aggregates, in one row (none
    for an unknown customer); the aging bands are those of ``shape``."""
    aging = (
        select(
            *(
                func.coalesce(
                    func.sum(Invoice.open_amount).filter(_band_condition(index, *band)),
                    cast(0, MONEY),
                ).label(f"band_{index}")
                for index, band in enumerate(shape)
            )
        )
        .where(Invoice.customer_id == bindparam("customer_id"), Invoice.open_amount > 0)
        .subquery("aging")
    )
    days_to_pay = Invoice.paid_on - Invoice.issued_on
    days_overdue = func.greatest(Invoice.paid_on - Invoice.due_on, 0)
    habits = (
        select(
            func.round(func.avg(days_to_pay), 1).label("avg_days_to_pay"),
            func.round(func.avg(days_overdue), 1).label("avg_overdue_days"),
        )
        .where(
            Invoice.customer_id == bindparam("customer_id"),
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.paid_on.is_not(None),
            Invoice.written_off_amount == 0,
        )
        .subquery("habits")
    )
    todos = (
        select(
            func.count().label("todo_count"),
            func.count().filter(Todo.due_on < bindparam("as_of")).label("overdue_todo_count"),
        )
        .where(Todo.customer_id == bindparam("customer_id"), Todo.status == OpenDone.OPEN)
        .subquery("todos")
    )
    member = aliased(Customer)
    group_exposure = (
        select(func.coalesce(func.sum(member.balance), 0))
        .where(member.credit_group_id == CreditGroup.id)
        .scalar_subquery()
    )
    return (
        select(
            Customer.id,
            Customer.account,
            Customer.name,
            Customer.currency,
            Customer.balance,
            Customer.overdue_balance,
            Customer.held_document_count,
            Customer.credit_limit,
            Customer.temp_credit_limit,
            Customer.temp_limit_expires_on,
            Customer.credit_action,
            Customer.credit_action_event,
            Customer.credit_action_since,
            CreditGroup.id.label("group_id"),
            CreditGroup.name.label("group_name"),
            CreditGroup.credit_limit.label("group_limit"),
            group_exposure.label("group_exposure"),
            aging,
            habits,
            todos,
        )
        .select_from(Customer)
        .outerjoin(CreditGroup, CreditGroup.id == Customer.credit_group_id)
        .join(aging, true())
        .join(habits, true())
        .join(todos, true())
        .where(Customer.id == bindparam("customer_id"))
    )


def customer_statistics(
    session: Session, customer_id: int, *, as_of: date | None = None
) -> CustomerStatistics:
    """The statistics of one customer on ``as_of`` (default today); any role may read them.

    An open invoice's days past due are ``as_of - due_on``: zero or less is "current".
    Average days to pay and overdue days cover invoices (not credit notes) paid in full and
    never written off. The account status is overdue when anything open is past due on
    ``as_of`` and over limit when the exposure is above the limit that applies.
    Raises :class:`NotFound` for an unknown customer.
    """
    today = as_of if as_of is not None else date.today()
    bands = aging_bands(session)
    shape = tuple((band.first_day is not None, band.last_day is not None) for band in bands)
    rows = fetch(
        session,
        _statistics_statement(shape),
        customer_id=customer_id,
        as_of=today,
        **_band_dates(bands, today),
    )
    if not rows:
        raise NotFound(f"There is no customer with id {customer_id}.")
    row = rows[0]._mapping
    band_amounts = tuple(
        (band.label, Decimal(row[f"band_{index}"])) for index, band in enumerate(bands)
    )
    position = position_of(
        credit_limit=row["credit_limit"],
        temp_credit_limit=row["temp_credit_limit"],
        temp_limit_expires_on=row["temp_limit_expires_on"],
        balance=row["balance"],
        as_of=today,
        group=None
        if row["group_id"] is None
        else (row["group_name"], row["group_limit"], Decimal(row["group_exposure"])),
    )
    return CustomerStatistics(
        customer_id=row["id"],
        account=row["account"],
        name=row["name"],
        currency=row["currency"],
        as_of=today,
        balance=row["balance"],
        overdue_balance=row["overdue_balance"],
        aging=band_amounts,
        held_document_count=row["held_document_count"],
        avg_days_to_pay=_one_decimal(row["avg_days_to_pay"]),
        avg_overdue_days=_one_decimal(row["avg_overdue_days"]),
        todo_count=int(row["todo_count"]),
        overdue_todo_count=int(row["overdue_todo_count"]),
        credit_limit=position.limit,
        credit_exposure=position.exposure,
        credit_use_percent=position.use_percent,
        credit_available=position.available,
        temporary_limit=position.temporary,
        credit_group=position.group_name,
        credit_action=row["credit_action"],
        credit_action_event=row["credit_action_event"],
        credit_action_since=row["credit_action_since"],
        account_status=AccountStatus.of(
            overdue=_past_due(band_amounts) > 0, over_limit=position.exposure > position.limit
        ),
    )


def _past_due(aging: tuple[tuple[str, Decimal], ...]) -> Decimal:
    """The open amount in every aging band after the first ("current")."""
    return sum((amount for _, amount in aging[1:]), Decimal(0))


def _one_decimal(value: object) -> Decimal | None:
    """A database average as a Decimal with one decimal place (None stays None)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(ONE_DECIMAL)
