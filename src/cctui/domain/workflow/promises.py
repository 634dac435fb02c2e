"""Promises to pay (seed 004): amount, date and invoices; kept or broken by the daily run.

An agent records what the customer promised to pay and by when, optionally for chosen open
invoices. While open ("live") a promise pauses dunning of its invoices (of all the customer's
invoices when it names none; the dunning step reads the promise tables itself). The day
after its date the daily check (:func:`evaluate_promises`) marks it *kept* when the
customer's payments received from the day it was made up to and including its date add up
to its amount, or when every invoice it names is paid; *broken* otherwise. The customer's
``next_promise_on`` is the earliest date of its open promises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from sqlalchemy import bindparam, func, select, text, true
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.daily_check_steps import StepContext
from cctui.domain.editing import lock_customer, show_money, today
from cctui.domain.errors import ConflictError, NotFound, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    Contact,
    Invoice,
    InvoiceKind,
    Promise,
    PromiseInvoice,
    PromiseStatus,
    Role,
    Staff,
)
from cctui.domain.money import to_money
from cctui.domain.prepared import ReadStatement, fetch
from cctui.domain.workflow.maintained import refresh_next_promise
from cctui.domain.workflow.texts import optional_text

MAX_LIST = 1000
"""The most promises one call lists."""


@dataclass(frozen=True)
class PromiseView:
    """A promise to pay as the customer's history shows it."""

    id: int
    customer_id: int
    amount: Decimal
    currency: str
    promised_on: date
    status: PromiseStatus
    evaluated_on: date | None
    """The day it was found kept or broken, or cancelled."""
    recorded_by: str | None
    created_at: datetime
    contact_id: int | None
    invoice_ids: tuple[int, ...]
    invoice_numbers: tuple[str, ...]


def _promised_invoices(
    session: Session, customer_id: int, account: str, invoice_ids: Sequence[int]
) -> list[Invoice]:
    """The chosen invoices, each an open invoice of the customer, in the order given."""
    wanted = list(dict.fromkeys(invoice_ids))
    if not wanted:
        return []
    found = {
        invoice.id: invoice
        for invoice in session.scalars(
            select(Invoice).where(
                Invoice.id.in_(wanted),
                Invoice.customer_id == customer_id,
                Invoice.kind == InvoiceKind.INVOICE,
                Invoice.open_amount > 0,
            )
        )
    }
    missing = [str(invoice_id) for invoice_id in wanted if invoice_id not in found]
    if missing:
        raise NotFound(f"These invoices are not open invoices of {account}: {', '.join(missing)}.")
    return [found[invoice_id] for invoice_id in wanted]


def record_promise(
    session: Session,
    actor: StaffIdentity,
    *,
    customer_id: int,
    amount: Decimal | str,
    promised_on: date,
    invoice_ids: Sequence[int] = (),
    contact_id: int | None = None,
    as_of: date | None = None,
) -> int:
    """Record the customer's promise to pay ``amount`` (its currency) by ``promised_on``
    (today or later), for chosen open invoices or none, perhaps made on call ``contact_id``.

    Return the promise's id; the customer's next promise date follows at once.
    """
    require_role(actor, Role.AGENT, "record promises to pay")
    value = to_money(amount, what="promised amount")
    day = today(as_of)
    if promised_on < day:
        raise ValidationError(
            f"A promise to pay must be for today ({day.isoformat()}) or later, "
            f"not {promised_on.isoformat()}."
        )
    customer = lock_customer(session, customer_id)
    invoices = _promised_invoices(session, customer.id, customer.account, invoice_ids)
    if contact_id is not None:
        call_customer = session.scalar(select(Contact.customer_id).where(Contact.id == contact_id))
        if call_customer != customer.id:
            raise NotFound(f"There is no call with id {contact_id} to {customer.account}.")
    promise = Promise(
        customer_id=customer.id,
        staff_id=actor.id,
        contact_id=contact_id,
        amount=value,
        currency=customer.currency,
        promised_on=promised_on,
    )
    session.add(promise)
    session.flush()
    session.add_all(PromiseInvoice(promise_id=promise.id, invoice_id=i.id) for i in invoices)
    refresh_next_promise(session, [customer.id])
    audit(
        session,
        actor,
        action="record_promise",
        entity="promise",
        entity_id=promise.id,
        after={
            "customer_id": customer.id,
            "amount": value,
            "currency": customer.currency,
            "promised_on": promised_on,
            "invoices": [invoice.number for invoice in invoices],
            "contact_id": contact_id,
        },
    )
    return promise.id


def cancel_promise(
    session: Session,
    actor: StaffIdentity,
    promise_id: int,
    *,
    reason: str | None = None,
    as_of: date | None = None,
) -> None:
    """Cancel an open promise (it no longer pauses dunning), dated ``as_of``; say why if
    you like."""
    require_role(actor, Role.AGENT, "cancel promises to pay")
    why = optional_text(reason)
    customer_id = session.scalar(select(Promise.customer_id).where(Promise.id == promise_id))
    if customer_id is None:
        raise NotFound(f"There is no promise with id {promise_id}.")
    lock_customer(session, customer_id)
    promise = session.scalar(
        select(Promise)
        .where(Promise.id == promise_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if promise is None:
        raise NotFound(f"There is no promise with id {promise_id}.")
    if promise.status != PromiseStatus.OPEN:
        raise ConflictError(
            f"The promise of {show_money(promise.amount, promise.currency)} by "
            f"{promise.promised_on.isoformat()} is already {promise.status.value}."
        )
    promise.status = PromiseStatus.CANCELLED
    promise.evaluated_on = today(as_of)
    session.flush()
    refresh_next_promise(session, [customer_id])
    audit(
        session,
        actor,
        action="cancel_promise",
        entity="promise",
        entity_id=promise.id,
        customer_id=customer_id,
        before={"status": PromiseStatus.OPEN},
        after={"status": PromiseStatus.CANCELLED, "reason": why},
    )


@cache
def _customer_statement(open_only: bool) -> ReadStatement:
    """The customer's promises, each with its invoices' ids and numbers (NULL for none)."""
    in_due_order = (Invoice.due_on, Invoice.id)
    invoices = (
        select(
            func.array_agg(Invoice.id).aggregate_order_by(*in_due_order).label("invoice_ids"),
            func.array_agg(Invoice.number)
            .aggregate_order_by(*in_due_order)
            .label("invoice_numbers"),
        )
        .select_from(PromiseInvoice)
        .join(Invoice, Invoice.id == PromiseInvoice.invoice_id)
        .where(PromiseInvoice.promise_id == Promise.id)
        .lateral("promised")
    )
    query = (
        select(
            Promise.id,
            Promise.customer_id,
            Promise.amount,
            Promise.currency,
            Promise.promised_on,
            Promise.status,
            Promise.evaluated_on,
            Promise.created_at,
            Promise.contact_id,
            Staff.login,
            invoices.c.invoice_ids,
            invoices.c.invoice_numbers,
        )
        .outerjoin(Staff, Staff.id == Promise.staff_id)
        .join(invoices, true())
        .where(Promise.customer_id == bindparam("customer_id"))
        .order_by(Promise.promised_on.desc(), Promise.id.desc())
        .limit(bindparam("limit"))
    )
    if open_only:
        query = query.where(Promise.status == PromiseStatus.OPEN)
    return query


def customer_promises(
    session: Session,
    customer_id: int,
    *,
    open_only: bool = False,
    limit: int = 200,
) -> list[PromiseView]:
    """The customer's promises, the latest date first, with their invoices (only the open
    ones if ``open_only``). Every staff member may read them."""
    if not 1 <= limit <= MAX_LIST:
        raise ValidationError(f"Between 1 and {MAX_LIST} promises can be listed at once.")
    rows = fetch(session, _customer_statement(open_only), customer_id=customer_id, limit=limit)
    return [
        PromiseView(
            id=row.id,
            customer_id=row.customer_id,
            amount=row.amount,
            currency=row.currency,
            promised_on=row.promised_on,
            status=PromiseStatus(row.status),
            evaluated_on=row.evaluated_on,
            recorded_by=row.login,
            created_at=row.created_at,
            contact_id=row.contact_id,
            invoice_ids=tuple(row.invoice_ids or ()),
            invoice_numbers=tuple(row.invoice_numbers or ()),
        )
        for row in rows
    ]


LOCK_DUE_CUSTOMERS = text("""
SELECT count(*) FROM (
    SELECT c.id FROM customer AS c
    WHERE c.id IN (SELECT p.customer_id FROM promise AS p
                   WHERE p.status = 'open' AND p.promised_on < :d)
    ORDER BY c.id
    FOR UPDATE OF c
) AS locked
""")
"""Lock, in id order, the customers with promises to judge: a payment or promise being
recorded for one of them finishes first, and is seen by the judgement."""

EVALUATE_PROMISES = text("""
WITH judged AS (
    SELECT p.id,
           CASE WHEN coalesce(paid.total, 0) >= p.amount OR coalesce(inv.all_paid, false)
                THEN 'kept' ELSE 'broken' END AS outcome,
           coalesce(paid.total, 0) AS paid
    FROM promise AS p
    LEFT JOIN LATERAL (
        SELECT sum(pay.amount) AS total FROM payment AS pay
        WHERE pay.customer_id = p.customer_id AND pay.currency = p.currency
          AND pay.reversed_at IS NULL
          AND pay.received_on BETWEEN CAST(p.created_at AS date) AND p.promised_on
    ) AS paid ON true
    LEFT JOIN LATERAL (
        SELECT bool_and(i.open_amount = 0) AS all_paid
        FROM promise_invoice AS pi JOIN invoice AS i ON i.id = pi.invoice_id
        WHERE pi.promise_id = p.id
    ) AS inv ON true
    WHERE p.status = 'open' AND p.promised_on < :d
), changed AS (
    UPDATE promise AS p
    SET status = judged.outcome, evaluated_on = :d
    FROM judged
    WHERE p.id = judged.id AND p.status = 'open'
    RETURNING p.id, p.customer_id, p.status, judged.paid
), audit AS (
    INSERT INTO audit_log (actor, staff_id, action, entity, entity_id, before, after)
    SELECT :actor, :staff_id, 'evaluate_promise', 'promise', id::text,
           jsonb_build_object('status', 'open'),
           jsonb_build_object('status', status, 'paid', paid::text,
                              'evaluated_on', to_char(CAST(:d AS date), 'YYYY-MM-DD'))
    FROM changed
)
SELECT count(*) FILTER (WHERE status = 'kept') AS kept,
       count(*) FILTER (WHERE status = 'broken') AS broken,
       coalesce(array_agg(DISTINCT customer_id), '{}') AS customer_ids
FROM changed
""")
"""Judge every open promise whose date is before the run date: kept when the customer's
payments (not reversed, in the promise's currency) received from the day the promise was
made up to and including its date reach its amount, or when all the invoices it names are
paid; broken otherwise. Each judgement is dated and written to the audit log."""


def evaluate_promises(session: Session, context: StepContext) -> Mapping[str, int]:
    """Daily step: mark the promises due before the run date kept or broken, and move the
    customers' next promise dates. Repeating it changes nothing."""
    session.flush()
    session.execute(LOCK_DUE_CUSTOMERS, context.params)
    kept, broken, customer_ids = session.execute(EVALUATE_PROMISES, context.params).one()
    refresh_next_promise(session, customer_ids)
    return {"promises_kept": int(kept), "promises_broken": int(broken)}
