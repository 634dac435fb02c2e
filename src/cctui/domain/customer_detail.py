"""What the customer detail screen reads that no other service lists (read models only).

The header facts of one customer (who, how to reach them, credit action, follow-up, the open
customer-visible actions and the optimistic-lock ``version`` a form sends back), all of its
unpaid invoices (not only the overdue ones), the letters written to it in any state, and the
approval requests made for it. Every staff member may read them; nothing here changes data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from sqlalchemy import bindparam, func, select, true
from sqlalchemy.orm import Session, aliased

from cctui.domain.editing import today
from cctui.domain.errors import NotFound, ValidationError
from cctui.domain.models import (
    ActionType,
    ApprovalKind,
    ApprovalRequest,
    ApprovalStatus,
    CollectionState,
    CreditAction,
    CreditEvent,
    CreditLimitChange,
    Customer,
    DocumentKind,
    DunningStep,
    HeldDocument,
    Invoice,
    InvoiceKind,
    Letter,
    LetterInvoice,
    LetterKind,
    LetterStatus,
    Note,
    NoteKind,
    OpenDone,
    Staff,
)
from cctui.domain.overdue import in_dispute_clause, promised_clause
from cctui.domain.prepared import ReadRow, ReadStatement, fetch

MAX_LIST = 1000
"""The most rows one list here returns."""

SHOWN_ACTIONS = 3
"""How many open customer-visible actions the header names (the count covers the rest)."""


@dataclass(frozen=True)
class OpenAction:
    """An open customer-visible action, as the header's bar names it."""

    note_id: int
    type_name: str
    body: str


@dataclass(frozen=True)
class CustomerHeader:
    """The facts at the top of a customer's screen, with the version its forms send back."""

    customer_id: int
    account: str
    name: str
    name2: str | None
    contact_person: str | None
    phone: str | None
    email: str | None
    currency: str
    credit_action: CreditAction
    credit_action_event: CreditEvent
    manual_settings: bool
    credit_limit: Decimal
    temp_credit_limit: Decimal | None
    temp_limit_expires_on: date | None
    follow_up_on: date | None
    follow_up_reason: str | None
    open_action_count: int
    """Open customer-visible actions (the maintained figure)."""
    open_actions: tuple[OpenAction, ...]
    """The newest open actions, at most :data:`SHOWN_ACTIONS`."""
    version: int
    """The optimistic-lock version: a save sends it back and is refused when it moved."""

    @property
    def has_open_action(self) -> bool:
        """True while the customer has an action still to take (the red bar shows)."""
        return bool(self.open_actions) or self.open_action_count > 0


@cache
def _header_statement(with_actions: bool) -> ReadStatement:
    """The customer's header row; with its newest open actions, one row each (one row with
    NULL action columns when it has none). No row when there is no such customer."""
    query = select(
        Customer.id,
        Customer.account,
        Customer.name,
        Customer.name2,
        Customer.contact_person,
        Customer.phone,
        Customer.email,
        Customer.currency,
        Customer.credit_action,
        Customer.credit_action_event,
        Customer.manual_settings,
        Customer.credit_limit,
        Customer.temp_credit_limit,
        Customer.temp_limit_expires_on,
        Customer.follow_up_on,
        Customer.follow_up_reason,
        Customer.open_action_count,
        Customer.version,
    ).where(Customer.id == bindparam("customer_id"))
    if not with_actions:
        return query
    actions = (
        select(
            Note.id.label("note_id"),
            ActionType.name.label("type_name"),
            Note.body,
            Note.created_at,
        )
        .join(ActionType, ActionType.id == Note.action_type_id)
        .where(
            Note.customer_id == Customer.id,
            Note.kind == NoteKind.ACTION,
            Note.status == OpenDone.OPEN,
        )
        .order_by(Note.created_at.desc(), Note.id.desc())
        .limit(SHOWN_ACTIONS)
        .lateral("open_action")
    )
    return (
        query.add_columns(actions.c.note_id, actions.c.type_name, actions.c.body)
        .outerjoin(actions, true())
        .order_by(actions.c.created_at.desc(), actions.c.note_id.desc())
    )


def customer_header(
    session: Session, customer_id: int, *, with_actions: bool = True
) -> CustomerHeader:
    """The header facts of customer ``customer_id``; NotFound when there is none.

    ``with_actions=False`` leaves the open actions unread (``open_actions`` is empty while
    ``open_action_count`` still counts them), for a reader that does not name them, such as
    the credit tab.
    """
    rows = fetch(session, _header_statement(with_actions), customer_id=customer_id)
    if not rows:
        raise NotFound(f"There is no customer with id {customer_id}.")
    row = rows[0]
    return CustomerHeader(
        customer_id=row.id,
        account=row.account,
        name=row.name,
        name2=row.name2,
        contact_person=row.contact_person,
        phone=row.phone,
        email=row.email,
        currency=row.currency,
        credit_action=row.credit_action,
        credit_action_event=row.credit_action_event,
        manual_settings=row.manual_settings,
        credit_limit=row.credit_limit,
        temp_credit_limit=row.temp_credit_limit,
        temp_limit_expires_on=row.temp_limit_expires_on,
        follow_up_on=row.follow_up_on,
        follow_up_reason=row.follow_up_reason,
        open_action_count=row.open_action_count,
        open_actions=tuple(
            OpenAction(action.note_id, action.type_name, action.body)
            for action in rows
            if with_actions and action.note_id is not None
        ),
        version=row.version,
    )


@dataclass(frozen=True)
class UnpaidInvoice:
    """An invoice or credit note of the customer with something still open on it."""

    invoice_id: int
    number: str
    kind: InvoiceKind
    issued_on: date
    due_on: date
    days_past_due: int
    """Days after the due date on the day asked; zero or less is not overdue."""
    amount: Decimal
    open_amount: Decimal
    currency: str
    dunning_level: int
    collection_state: CollectionState
    in_dispute: bool
    promised: bool
    """True while a live promise covers it."""

    @property
    def overdue(self) -> bool:
        """True when it is past its due date."""
        return self.days_past_due > 0


def _check_limit(limit: int, what: str) -> None:
    if not 1 <= limit <= MAX_LIST:
        raise ValidationError(f"Between 1 and {MAX_LIST} {what} can be listed at once.")


@cache
def _unpaid_statement() -> ReadStatement:
    return (
        select(
            Invoice.id,
            Invoice.number,
            Invoice.kind,
            Invoice.issued_on,
            Invoice.due_on,
            Invoice.amount,
            Invoice.open_amount,
            Invoice.currency,
            Invoice.dunning_level,
            Invoice.collection_state,
            in_dispute_clause(Invoice.id).label("in_dispute"),
            promised_clause(Invoice.id, Invoice.customer_id).label("promised"),
        )
        .where(Invoice.customer_id == bindparam("customer_id"), Invoice.open_amount != 0)
        .order_by(Invoice.due_on, Invoice.id)
        .limit(bindparam("limit"))
    )


def unpaid_invoices(
    session: Session, customer_id: int, *, limit: int = 500, as_of: date | None = None
) -> list[UnpaidInvoice]:
    """The customer's invoices and credit notes with an open amount, oldest due first."""
    _check_limit(limit, "invoices")
    day = today(as_of)
    rows = fetch(session, _unpaid_statement(), customer_id=customer_id, limit=limit)
    return [
        UnpaidInvoice(
            invoice_id=row.id,
            number=row.number,
            kind=InvoiceKind(row.kind),
            issued_on=row.issued_on,
            due_on=row.due_on,
            days_past_due=(day - row.due_on).days,
            amount=row.amount,
            open_amount=row.open_amount,
            currency=row.currency,
            dunning_level=row.dunning_level,
            collection_state=CollectionState(row.collection_state),
            in_dispute=bool(row.in_dispute),
            promised=bool(row.promised),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class CustomerLetter:
    """A letter written to the customer, queued, printed, sent or cancelled."""

    id: int
    kind: LetterKind
    status: LetterStatus
    currency: str
    """The customer's currency, which the letter's amounts are in."""
    queued_on: date
    step_no: int | None
    """The dunning step that queued it; None for a letter queued by hand."""
    step_name: str | None
    fee: Decimal
    invoice_count: int
    total_open: Decimal
    """What was open on its invoices when it was queued."""
    printed_at: datetime | None
    sent_at: datetime | None


@cache
def _letters_statement() -> ReadStatement:
    chosen = (
        select(
            Letter.id,
            Letter.customer_id,
            Letter.kind,
            Letter.status,
            Letter.dunning_step_id,
            Letter.fee,
            Letter.queued_on,
            Letter.printed_at,
            Letter.sent_at,
        )
        .where(Letter.customer_id == bindparam("customer_id"))
        .order_by(Letter.queued_on.desc(), Letter.id.desc())
        .limit(bindparam("limit"))
        .subquery("chosen")
    )
    lines = (
        select(
            func.count().label("invoice_count"),
            func.coalesce(func.sum(LetterInvoice.open_amount), 0).label("total_open"),
        )
        .where(LetterInvoice.letter_id == chosen.c.id)
        .lateral("lines")
    )
    return (
        select(
            chosen,
            Customer.currency,
            DunningStep.step_no,
            DunningStep.name.label("step_name"),
            lines.c.invoice_count,
            lines.c.total_open,
        )
        .join(Customer, Customer.id == chosen.c.customer_id)
        .outerjoin(DunningStep, DunningStep.id == chosen.c.dunning_step_id)
        .join(lines, true())
        .order_by(chosen.c.queued_on.desc(), chosen.c.id.desc())
    )


def customer_letters(
    session: Session, customer_id: int, *, limit: int = 200
) -> list[CustomerLetter]:
    """The customer's letters in every state, the newest first."""
    _check_limit(limit, "letters")
    rows = fetch(session, _letters_statement(), customer_id=customer_id, limit=limit)
    return [
        CustomerLetter(
            id=row.id,
            kind=LetterKind(row.kind),
            status=LetterStatus(row.status),
            currency=row.currency,
            queued_on=row.queued_on,
            step_no=row.step_no,
            step_name=row.step_name,
            fee=row.fee,
            invoice_count=int(row.invoice_count),
            total_open=Decimal(row.total_open),
            printed_at=row.printed_at,
            sent_at=row.sent_at,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class CustomerApproval:
    """A request for a supervisor's approval made for the customer, in any state."""

    id: int
    kind: ApprovalKind
    status: ApprovalStatus
    summary: str
    """What it asks, in one line (plain text, no currency formatting of the locale)."""
    requested_by: str | None
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None


def _summary(row: ReadRow) -> str:
    """What an approval request of :func:`_approvals_statement` asks, in one line."""
    if row.change_id is not None:
        what = "Temporary limit" if row.temporary else "Credit limit"
        old = "none" if row.old_limit is None else f"{row.old_limit:,.2f}"
        until = f" until {row.expires_on.isoformat()}" if row.expires_on else ""
        return f"{what} {old} -> {row.new_limit:,.2f} {row.currency}{until}"
    if row.held_id is not None:
        return (
            f"Release {DocumentKind(row.document_kind).value} {row.reference} "
            f"({row.held_amount:,.2f} {row.held_currency})"
        )
    return ApprovalKind(row.kind).value.replace("_", " ")


@cache
def _approvals_statement() -> ReadStatement:
    requester = aliased(Staff)
    decider = aliased(Staff)
    return (
        select(
            ApprovalRequest.id,
            ApprovalRequest.kind,
            ApprovalRequest.status,
            ApprovalRequest.requested_at,
            ApprovalRequest.decided_at,
            Customer.currency,
            requester.login.label("requested_by"),
            decider.login.label("decided_by"),
            CreditLimitChange.id.label("change_id"),
            CreditLimitChange.temporary,
            CreditLimitChange.old_limit,
            CreditLimitChange.new_limit,
            CreditLimitChange.expires_on,
            HeldDocument.id.label("held_id"),
            HeldDocument.document_kind,
            HeldDocument.reference,
            HeldDocument.amount.label("held_amount"),
            HeldDocument.currency.label("held_currency"),
        )
        .join(Customer, Customer.id == ApprovalRequest.customer_id)
        .outerjoin(requester, requester.id == ApprovalRequest.requested_by_id)
        .outerjoin(decider, decider.id == ApprovalRequest.decided_by_id)
        .outerjoin(
            CreditLimitChange, CreditLimitChange.id == ApprovalRequest.credit_limit_change_id
        )
        .outerjoin(HeldDocument, HeldDocument.id == ApprovalRequest.held_document_id)
        .where(ApprovalRequest.customer_id == bindparam("customer_id"))
        .order_by(
            (ApprovalRequest.status != ApprovalStatus.PENDING).asc(),
            ApprovalRequest.requested_at.desc(),
            ApprovalRequest.id.desc(),
        )
        .limit(bindparam("limit"))
    )


def customer_approvals(
    session: Session, customer_id: int, *, limit: int = 200
) -> list[CustomerApproval]:
    """The approval requests made for the customer, pending first, then the newest."""
    _check_limit(limit, "approval requests")
    rows = fetch(session, _approvals_statement(), customer_id=customer_id, limit=limit)
    return [
        CustomerApproval(
            id=row.id,
            kind=ApprovalKind(row.kind),
            status=ApprovalStatus(row.status),
            summary=_summary(row),
            requested_by=row.requested_by,
            requested_at=row.requested_at,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
        )
        for row in rows
    ]
