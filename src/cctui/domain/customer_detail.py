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

from sqlalchemy import func, select, true
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


def customer_header(session: Session, customer_id: int) -> CustomerHeader:
    """The header facts of customer ``customer_id``; NotFound when there is none."""
    customer = session.get(Customer, customer_id, populate_existing=True)
    if customer is None:
        raise NotFound(f"There is no customer with id {customer_id}.")
    actions = session.execute(
        select(Note.id, ActionType.name, Note.body)
        .join(ActionType, ActionType.id == Note.action_type_id)
        .where(
            Note.customer_id == customer_id,
            Note.kind == NoteKind.ACTION,
            Note.status == OpenDone.OPEN,
        )
        .order_by(Note.created_at.desc(), Note.id.desc())
        .limit(SHOWN_ACTIONS)
    ).all()
    return CustomerHeader(
        customer_id=customer.id,
        account=customer.account,
        name=customer.name,
        name2=customer.name2,
        contact_person=customer.contact_person,
        phone=customer.phone,
        email=customer.email,
        currency=customer.currency,
        credit_action=customer.credit_action,
        credit_action_event=customer.credit_action_event,
        manual_settings=customer.manual_settings,
        credit_limit=customer.credit_limit,
        temp_credit_limit=customer.temp_credit_limit,
        temp_limit_expires_on=customer.temp_limit_expires_on,
        follow_up_on=customer.follow_up_on,
        follow_up_reason=customer.follow_up_reason,
        open_action_count=customer.open_action_count,
        open_actions=tuple(OpenAction(row[0], row[1], row[2]) for row in actions),
        version=customer.version,
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


def unpaid_invoices(
    session: Session, customer_id: int, *, limit: int = 500, as_of: date | None = None
) -> list[UnpaidInvoice]:
    """The customer's invoices and credit notes with an open amount, oldest due first."""
    _check_limit(limit, "invoices")
    day = today(as_of)
    rows = session.execute(
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
        .where(Invoice.customer_id == customer_id, Invoice.open_amount != 0)
        .order_by(Invoice.due_on, Invoice.id)
        .limit(limit)
    )
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


def customer_letters(
    session: Session, customer_id: int, *, limit: int = 200
) -> list[CustomerLetter]:
    """The customer's letters in every state, the newest first."""
    _check_limit(limit, "letters")
    chosen = (
        select(Letter)
        .where(Letter.customer_id == customer_id)
        .order_by(Letter.queued_on.desc(), Letter.id.desc())
        .limit(limit)
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
    rows = session.execute(
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


def _summary(
    kind: ApprovalKind,
    change: CreditLimitChange | None,
    held: HeldDocument | None,
    currency: str,
) -> str:
    if change is not None:
        what = "Temporary limit" if change.temporary else "Credit limit"
        old = "none" if change.old_limit is None else f"{change.old_limit:,.2f}"
        until = f" until {change.expires_on.isoformat()}" if change.expires_on else ""
        return f"{what} {old} -> {change.new_limit:,.2f} {currency}{until}"
    if held is not None:
        return (
            f"Release {held.document_kind.value} {held.reference} "
            f"({held.amount:,.2f} {held.currency})"
        )
    return kind.value.replace("_", " ")


def customer_approvals(
    session: Session, customer_id: int, *, limit: int = 200
) -> list[CustomerApproval]:
    """The approval requests made for the customer, pending first, then the newest."""
    _check_limit(limit, "approval requests")
    requester = aliased(Staff)
    decider = aliased(Staff)
    rows = session.execute(
        select(
            ApprovalRequest,
            Customer.currency,
            requester.login,
            decider.login,
            CreditLimitChange,
            HeldDocument,
        )
        .join(Customer, Customer.id == ApprovalRequest.customer_id)
        .outerjoin(requester, requester.id == ApprovalRequest.requested_by_id)
        .outerjoin(decider, decider.id == ApprovalRequest.decided_by_id)
        .outerjoin(
            CreditLimitChange, CreditLimitChange.id == ApprovalRequest.credit_limit_change_id
        )
        .outerjoin(HeldDocument, HeldDocument.id == ApprovalRequest.held_document_id)
        .where(ApprovalRequest.customer_id == customer_id)
        .order_by(
            (ApprovalRequest.status != ApprovalStatus.PENDING).asc(),
            ApprovalRequest.requested_at.desc(),
            ApprovalRequest.id.desc(),
        )
        .limit(limit)
    )
    return [
        CustomerApproval(
            id=request.id,
            kind=request.kind,
            status=request.status,
            summary=_summary(request.kind, change, held, currency),
            requested_by=asked_by,
            requested_at=request.requested_at,
            decided_by=decided_by,
            decided_at=request.decided_at,
        )
        for request, currency, asked_by, decided_by, change, held in rows
    ]
