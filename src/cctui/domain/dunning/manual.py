"""A reminder sent by hand (seed 000, "Overdue invoices"): chosen invoices, queued now.

A controller picks open invoices (of one customer or several) and queues one reminder letter
per customer listing them. Unlike the daily run it charges no fee, names no dunning step and
leaves the invoices' dunning level alone. An invoice in an open dispute is refused (it is not
dunned until resolved), and so is one already on a reminder waiting to be printed: the
customer would get the same reminder twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.editing import lock_customer, today
from cctui.domain.errors import ConflictError, NotFound, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    Customer,
    Dispute,
    DisputeStatus,
    DunningStep,
    Invoice,
    InvoiceKind,
    Letter,
    LetterInvoice,
    LetterKind,
    LetterStatus,
    LetterTemplate,
    Role,
)

MAX_INVOICES = 1000
"""The most invoices one manual reminder run takes."""


def _template_id(session: Session, template_id: int | None) -> int | None:
    """The chosen reminder template, or the default reminder letter: the first dunning
    step's template (None when there is none; the printer then uses its own layout)."""
    if template_id is None:
        first = session.scalar(
            select(DunningStep.letter_template_id)
            .join(LetterTemplate, LetterTemplate.id == DunningStep.letter_template_id)
            .where(LetterTemplate.kind == LetterKind.REMINDER)
            .order_by(DunningStep.step_no)
            .limit(1)
        )
        return first
    template = session.get(LetterTemplate, template_id)
    if template is None:
        raise NotFound(f"There is no letter template with id {template_id}.")
    if template.kind != LetterKind.REMINDER:
        raise ValidationError(
            f"A reminder needs a letter template of kind reminder; {template.code} is "
            f"{template.kind.value}."
        )
    return template.id


def _refuse_unfit(session: Session, invoices: list[Invoice]) -> None:
    """Refuse credit notes, paid invoices, disputed ones and ones already on a reminder."""
    for invoice in invoices:
        if invoice.kind != InvoiceKind.INVOICE:
            raise ConflictError(f"{invoice.number} is a credit note; only invoices are reminded.")
        if invoice.open_amount <= 0:
            raise ConflictError(f"Invoice {invoice.number} is paid; there is nothing to remind.")
    ids = [invoice.id for invoice in invoices]
    disputed = session.scalar(
        select(Invoice.number)
        .join(Dispute, Dispute.invoice_id == Invoice.id)
        .where(Invoice.id.in_(ids), Dispute.status == DisputeStatus.OPEN)
        .order_by(Invoice.number)
        .limit(1)
    )
    if disputed is not None:
        raise ConflictError(
            f"Invoice {disputed} is in dispute; resolve the dispute before reminding."
        )
    queued = session.execute(
        select(Invoice.number, Letter.id)
        .join(LetterInvoice, LetterInvoice.invoice_id == Invoice.id)
        .join(Letter, Letter.id == LetterInvoice.letter_id)
        .where(
            Invoice.id.in_(ids),
            Letter.status == LetterStatus.QUEUED,
            Letter.kind.in_([LetterKind.REMINDER, LetterKind.AGENCY]),
        )
        .order_by(Invoice.number)
        .limit(1)
    ).first()
    if queued is not None:
        raise ConflictError(
            f"Invoice {queued[0]} is already on letter {queued[1]} waiting to be printed."
        )


def queue_manual_reminder(
    session: Session,
    actor: StaffIdentity,
    invoice_ids: Sequence[int],
    *,
    template_id: int | None = None,
    as_of: date | None = None,
) -> list[int]:
    """Queue now one reminder letter per customer for the chosen open invoices; return the
    letters' ids (by customer id).

    No fee, no dunning step (the lines have ``dunning_step_id`` NULL), dunning levels
    unchanged. ``template_id`` must be a reminder template; by default the first dunning
    step's. Controllers and above.
    """
    require_role(actor, Role.CONTROLLER, "send reminders by hand")
    wanted = list(dict.fromkeys(invoice_ids))
    if not wanted:
        raise ValidationError("Choose at least one invoice to remind.")
    if len(wanted) > MAX_INVOICES:
        raise ValidationError(f"At most {MAX_INVOICES} invoices can be reminded at once.")
    day = today(as_of)
    template = _template_id(session, template_id)
    owners = {
        invoice_id: customer_id
        for invoice_id, customer_id in session.execute(
            select(Invoice.id, Invoice.customer_id).where(Invoice.id.in_(wanted))
        )
    }
    missing = [str(invoice_id) for invoice_id in wanted if invoice_id not in owners]
    if missing:
        raise NotFound(f"There are no invoices with these ids: {', '.join(missing)}.")
    customers: dict[int, Customer] = {}
    for customer_id in sorted(set(owners.values())):
        customers[customer_id] = lock_customer(session, customer_id)
    invoices = list(
        session.scalars(
            select(Invoice)
            .where(Invoice.id.in_(wanted))
            .order_by(Invoice.customer_id, Invoice.due_on, Invoice.id)
            .execution_options(populate_existing=True)
        )
    )
    _refuse_unfit(session, invoices)
    letter_ids: list[int] = []
    for customer_id, customer in customers.items():
        listed = [invoice for invoice in invoices if invoice.customer_id == customer_id]
        letter = Letter(
            customer_id=customer_id,
            kind=LetterKind.REMINDER,
            template_id=template,
            dunning_step_id=None,
            delivery=customer.delivery,
            status=LetterStatus.QUEUED,
            queued_on=day,
            queued_by_id=actor.id,
        )
        session.add(letter)
        session.flush()
        session.add_all(
            LetterInvoice(
                letter_id=letter.id,
                invoice_id=invoice.id,
                dunning_step_id=None,
                open_amount=invoice.open_amount,
            )
            for invoice in listed
        )
        audit(
            session,
            actor,
            action="queue_manual_reminder",
            entity="letter",
            entity_id=letter.id,
            after={
                "customer_id": customer_id,
                "kind": LetterKind.REMINDER,
                "template_id": template,
                "queued_on": day,
                "invoices": {str(invoice.id): invoice.open_amount for invoice in listed},
            },
        )
        letter_ids.append(letter.id)
    session.flush()
    return letter_ids
