"""Disputes: a customer contests an invoice; while the dispute is open it is not dunned.

Anyone working debtors (agents up) may open a dispute with the customer's reason; resolving
it is a decision on the invoice, taken by a controller or above, with a resolution text. An
invoice has at most one open dispute: the database refuses a second (a unique partial index),
and the refusal is told as a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.errors import ConflictError, NotFound
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import Dispute, DisputeStatus, Invoice, InvoiceKind, Role, Staff
from cctui.domain.workflow.texts import required_text

OPEN_DISPUTE_INDEX = "uq_dispute_open_invoice"
"""The unique partial index allowing one open dispute per invoice."""


@dataclass(frozen=True)
class DisputeView:
    """A dispute with its invoice, as the customer's disputes list shows it."""

    id: int
    invoice_id: int
    invoice_number: str
    invoice_open_amount: Decimal
    currency: str
    reason: str
    status: DisputeStatus
    opened_by: str | None
    opened_at: datetime
    resolved_by: str | None
    resolved_at: datetime | None
    resolution: str | None


def _already_disputed(session: Session, invoice: Invoice) -> ConflictError:
    row = session.execute(
        select(Dispute.opened_at, Staff.login)
        .outerjoin(Staff, Staff.id == Dispute.opened_by_id)
        .where(Dispute.invoice_id == invoice.id, Dispute.status == DisputeStatus.OPEN)
    ).one_or_none()
    since = "" if row is None else f" since {row[0].astimezone():%Y-%m-%d}"
    by = "" if row is None or row[1] is None else f" (opened by {row[1]})"
    return ConflictError(
        f"Invoice {invoice.number} is already in dispute{since}{by}; "
        "resolve that dispute before opening another."
    )


def open_dispute(session: Session, actor: StaffIdentity, *, invoice_id: int, reason: str) -> int:
    """Open a dispute on an open invoice with the customer's reason; return its id.

    Refused when the invoice is already in an open dispute.
    """
    require_role(actor, Role.AGENT, "open disputes")
    why = required_text(reason, "A dispute needs the customer's reason.")
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        raise NotFound(f"There is no invoice with id {invoice_id}.")
    if invoice.kind != InvoiceKind.INVOICE:
        raise ConflictError(f"{invoice.number} is a credit note; only invoices can be disputed.")
    if invoice.open_amount <= 0:
        raise ConflictError(f"Invoice {invoice.number} is paid; there is nothing to dispute.")
    dispute = Dispute(invoice_id=invoice.id, reason=why, opened_by_id=actor.id)
    try:
        with session.begin_nested():
            session.add(dispute)
            session.flush()
    except IntegrityError as error:
        if OPEN_DISPUTE_INDEX not in str(error.orig):
            raise
        raise _already_disputed(session, invoice) from None
    audit(
        session,
        actor,
        action="open_dispute",
        entity="dispute",
        entity_id=dispute.id,
        after={
            "invoice_id": invoice.id,
            "invoice": invoice.number,
            "customer_id": invoice.customer_id,
            "reason": why,
        },
    )
    return dispute.id


def resolve_dispute(
    session: Session, actor: StaffIdentity, dispute_id: int, *, resolution: str
) -> None:
    """Resolve an open dispute with what was decided (controllers and above); the invoice
    is dunned again if still open."""
    require_role(actor, Role.CONTROLLER, "resolve disputes")
    text = required_text(resolution, "Resolving a dispute needs a resolution.")
    dispute = session.scalar(
        select(Dispute)
        .where(Dispute.id == dispute_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if dispute is None:
        raise NotFound(f"There is no dispute with id {dispute_id}.")
    if dispute.status != DisputeStatus.OPEN:
        raise ConflictError("This dispute was already resolved.")
    dispute.status = DisputeStatus.RESOLVED
    dispute.resolved_at = datetime.now(UTC)
    dispute.resolved_by_id = actor.id
    dispute.resolution = text
    session.flush()
    audit(
        session,
        actor,
        action="resolve_dispute",
        entity="dispute",
        entity_id=dispute.id,
        customer_id=session.scalar(
            select(Invoice.customer_id).where(Invoice.id == dispute.invoice_id)
        ),
        before={"status": DisputeStatus.OPEN},
        after={"status": DisputeStatus.RESOLVED, "resolution": text},
    )


def customer_disputes(
    session: Session, customer_id: int, *, open_only: bool = False
) -> list[DisputeView]:
    """The disputes on the customer's invoices, the latest opened first (only the open ones
    if ``open_only``). Every staff member may read them."""
    opener = aliased(Staff)
    resolver = aliased(Staff)
    query = (
        select(Dispute, Invoice.number, Invoice.open_amount, Invoice.currency)
        .add_columns(opener.login, resolver.login)
        .join(Invoice, Invoice.id == Dispute.invoice_id)
        .outerjoin(opener, opener.id == Dispute.opened_by_id)
        .outerjoin(resolver, resolver.id == Dispute.resolved_by_id)
        .where(Invoice.customer_id == customer_id)
        .order_by(Dispute.opened_at.desc(), Dispute.id.desc())
    )
    if open_only:
        query = query.where(Dispute.status == DisputeStatus.OPEN)
    return [
        DisputeView(
            id=dispute.id,
            invoice_id=dispute.invoice_id,
            invoice_number=number,
            invoice_open_amount=open_amount,
            currency=currency,
            reason=dispute.reason,
            status=dispute.status,
            opened_by=opened_by,
            opened_at=dispute.opened_at,
            resolved_by=resolved_by,
            resolved_at=dispute.resolved_at,
            resolution=dispute.resolution,
        )
        for dispute, number, open_amount, currency, opened_by, resolved_by in session.execute(query)
    ]
