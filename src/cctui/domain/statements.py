"""Statements of account (seed 002): one letter per customer listing every open invoice.

A statement goes by e-mail when the customer takes e-mail and has an address, otherwise by
mail (it is then printed with the statement batch). A customer has at most one statement
waiting at a time: the partial UNIQUE index ``uq_letter_queued_statement`` holds that in
the database, so queueing statements twice, or from two places at once, queues each
customer once. The lines carry no dunning step (``dunning_step_id`` NULL) and the amount
open when the statement was queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session
from sqlalchemy.types import Integer, Numeric

from cctui.domain.audit import BookChange, audit, notify_change
from cctui.domain.authz import require_role
from cctui.domain.book_settings import read_setting
from cctui.domain.editing import lock_customer, today
from cctui.domain.errors import ConflictError, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.lookup import staff_id_by_login
from cctui.domain.models import (
    Customer,
    Delivery,
    Invoice,
    Letter,
    LetterInvoice,
    LetterKind,
    LetterStatus,
    LetterTemplate,
    Role,
)
from cctui.domain.wording import plural

DEFAULT_TEMPLATES_SETTING = "default_templates"
"""Book setting naming the template code of each kind (``{"statement": "statement"}``)."""

QUEUED_STATEMENT = "kind = 'statement' AND status = 'queued'"
"""The predicate of the partial UNIQUE index: one queued statement per customer."""


@dataclass(frozen=True)
class StatementsQueued:
    """What queueing statements did, with a sentence for the user."""

    queued: int
    by_email: int
    by_mail: int
    letter_ids: tuple[int, ...]
    """The letters queued (all of them for one customer; empty after a bulk run)."""
    message: str


def statement_delivery(customer: Customer) -> Delivery:
    """E-mail when the customer takes e-mail and has an address; otherwise mail."""
    if customer.delivery == Delivery.EMAIL and (customer.email or "").strip():
        return Delivery.EMAIL
    return Delivery.MAIL


def statement_template_id(session: Session) -> int | None:
    """The statement template: the one ``default_templates`` names, else the first statement
    template; None when there is none (the printer then uses the shipped text)."""
    chosen = read_setting(session, DEFAULT_TEMPLATES_SETTING)
    code = chosen.get(LetterKind.STATEMENT.value) if isinstance(chosen, dict) else None
    if isinstance(code, str):
        found = session.scalar(
            select(LetterTemplate.id).where(
                LetterTemplate.code == code, LetterTemplate.kind == LetterKind.STATEMENT
            )
        )
        if found is not None:
            return found
    return session.scalar(
        select(LetterTemplate.id)
        .where(LetterTemplate.kind == LetterKind.STATEMENT)
        .order_by(LetterTemplate.id)
        .limit(1)
    )


def queue_statement(
    session: Session, actor: StaffIdentity, customer_id: int, *, as_of: date | None = None
) -> StatementsQueued:
    """Queue a statement for one customer listing each open invoice (controllers and up).

    Refused when the customer owes nothing or already has a statement waiting.
    """
    require_role(actor, Role.CONTROLLER, "queue statements")
    day = today(as_of)
    customer = lock_customer(session, customer_id)
    invoices = list(
        session.execute(
            select(Invoice.id, Invoice.open_amount)
            .where(Invoice.customer_id == customer_id, Invoice.open_amount > 0)
            .order_by(Invoice.due_on, Invoice.id)
        )
    )
    if not invoices:
        raise ConflictError(
            f"Customer {customer.account} has no open invoices; no statement was queued."
        )
    delivery = statement_delivery(customer)
    template_id = statement_template_id(session)
    letter_id = session.scalar(
        insert(Letter)
        .values(
            customer_id=customer_id,
            kind=LetterKind.STATEMENT,
            template_id=template_id,
            delivery=delivery,
            status=LetterStatus.QUEUED,
            fee=Decimal(0),
            queued_on=day,
            queued_by_id=actor.id,
        )
        .on_conflict_do_nothing(index_elements=["customer_id"], index_where=text(QUEUED_STATEMENT))
        .returning(Letter.id)
    )
    if letter_id is None:
        waiting = session.scalar(
            select(Letter.id).where(
                Letter.customer_id == customer_id,
                Letter.kind == LetterKind.STATEMENT,
                Letter.status == LetterStatus.QUEUED,
            )
        )
        raise ConflictError(
            f"A statement for {customer.account} is already queued (letter {waiting})."
        )
    session.add_all(
        LetterInvoice(
            letter_id=letter_id, invoice_id=invoice_id, dunning_step_id=None, open_amount=amount
        )
        for invoice_id, amount in invoices
    )
    audit(
        session,
        actor,
        action="queue_statement",
        entity="letter",
        entity_id=letter_id,
        after={
            "customer_id": customer_id,
            "kind": LetterKind.STATEMENT,
            "delivery": delivery,
            "template_id": template_id,
            "queued_on": day,
            "invoices": {str(invoice_id): amount for invoice_id, amount in invoices},
        },
    )
    session.flush()
    how = (
        f"by e-mail to {customer.email}"
        if delivery is Delivery.EMAIL
        else "by mail"
        if customer.delivery == Delivery.MAIL
        else "by mail, as the customer has no e-mail address"
    )
    return StatementsQueued(
        queued=1,
        by_email=int(delivery is Delivery.EMAIL),
        by_mail=int(delivery is Delivery.MAIL),
        letter_ids=(letter_id,),
        message=(
            f"Statement for {customer.account} queued {how}: "
            f"{plural(len(invoices), 'open invoice')}."
        ),
    )


_QUEUE_ALL = text(
    """
WITH chosen AS MATERIALIZED (
    SELECT c.id AS customer_id,
           CASE WHEN c.delivery = 'email' AND btrim(coalesce(c.email, '')) <> ''
                THEN 'email' ELSE 'mail' END AS delivery
    FROM customer AS c
    WHERE c.balance >= :min_balance
      AND (CAST(:controller_id AS integer) IS NULL OR c.controller_id = :controller_id)
      AND EXISTS (SELECT 1 FROM invoice AS i WHERE i.customer_id = c.id AND i.open_amount > 0)
      AND NOT EXISTS (
          SELECT 1 FROM letter AS l
          WHERE l.customer_id = c.id AND l.kind = 'statement' AND l.status = 'queued')
    ORDER BY c.id
), letters AS (
    INSERT INTO letter (customer_id, kind, template_id, delivery, status, fee, queued_on,
                        queued_by_id)
    SELECT customer_id, 'statement', :template_id, delivery, 'queued', 0, :d, :staff_id
    FROM chosen
    ON CONFLICT (customer_id) WHERE kind = 'statement' AND status = 'queued' DO NOTHING
    RETURNING id, customer_id, delivery
), lines AS (
    INSERT INTO letter_invoice (letter_id, invoice_id, dunning_step_id, open_amount)
    SELECT l.id, i.id, NULL, i.open_amount
    FROM letters AS l JOIN invoice AS i ON i.customer_id = l.customer_id AND i.open_amount > 0
), audit AS (
    INSERT INTO audit_log (actor, staff_id, action, entity, entity_id, after)
    SELECT :actor, :staff_id, 'queue_statement', 'letter', l.id::text,
           jsonb_build_object('customer_id', l.customer_id, 'kind', 'statement',
                              'delivery', l.delivery, 'template_id', :template_id,
                              'queued_on', to_char(CAST(:d AS date), 'YYYY-MM-DD'))
    FROM letters AS l
)
SELECT count(*) AS queued, count(*) FILTER (WHERE delivery = 'email') AS by_email
FROM letters
"""
).bindparams(
    bindparam("min_balance", type_=Numeric(14, 2)),
    bindparam("controller_id", type_=Integer()),
    bindparam("template_id", type_=Integer()),
)
"""One queued statement, its lines and its audit row for every customer who owes at least
``:min_balance`` and has none waiting; a statement queued meanwhile by someone else wins."""


def queue_statements(
    session: Session,
    actor: StaffIdentity,
    *,
    min_balance: Decimal = Decimal("0.01"),
    controller: str | None = None,
    as_of: date | None = None,
) -> StatementsQueued:
    """Queue a statement for every customer owing ``min_balance`` or more (those of the
    controller with login ``controller`` only, when given), in one set-based statement.

    Customers who already have a statement waiting are skipped. Controllers and up.
    """
    require_role(actor, Role.CONTROLLER, "queue statements")
    if not min_balance.is_finite() or min_balance <= 0:
        raise ValidationError(f"The smallest balance must be more than 0, not {min_balance}.")
    controller_id = staff_id_by_login(session, controller) if controller is not None else None
    params: dict[str, Any] = {
        "min_balance": min_balance,
        "controller_id": controller_id,
        "template_id": statement_template_id(session),
        "d": today(as_of),
        "actor": actor.login,
        "staff_id": actor.id,
    }
    session.flush()
    queued, by_email = session.execute(_QUEUE_ALL, params).one()
    queued, by_email = int(queued), int(by_email)
    if queued:
        notify_change(session, BookChange(None, "letter", "queue_statement"))
    whose = f" of {controller.strip()}" if controller is not None else ""
    if not queued:
        message = (
            f"No statement was queued: every customer{whose} owing {min_balance} or more "
            "already has one waiting, or none owes that much."
        )
    else:
        message = (
            f"{plural(queued, 'statement')} queued for customers{whose}: "
            f"{by_email:,} by e-mail, {queued - by_email:,} by mail."
        )
    return StatementsQueued(
        queued=queued,
        by_email=by_email,
        by_mail=queued - by_email,
        letter_ids=(),
        message=message,
    )


MAX_LISTED = 1000
"""The most queued e-mail statements one call lists."""


@dataclass(frozen=True)
class EmailStatement:
    """A statement waiting to be e-mailed, and how its last attempt went (if any)."""

    letter_id: int
    customer_id: int
    account: str
    name: str
    email: str
    queued_on: date
    send_attempts: int
    last_error: str | None
    """Why the last attempt failed; None before any attempt."""


def queued_email_statements(session: Session, *, limit: int = 100) -> list[EmailStatement]:
    """The statements waiting to be e-mailed, by letter id (every staff member may read)."""
    if not 1 <= limit <= MAX_LISTED:
        raise ValidationError(f"Between 1 and {MAX_LISTED} statements can be listed at once.")
    rows = session.execute(
        select(
            Letter.id,
            Letter.customer_id,
            Customer.account,
            Customer.name,
            Customer.email,
            Letter.queued_on,
            Letter.send_attempts,
            Letter.last_error,
        )
        .join(Customer, Customer.id == Letter.customer_id)
        .where(
            Letter.kind == LetterKind.STATEMENT,
            Letter.status == LetterStatus.QUEUED,
            Letter.delivery == Delivery.EMAIL,
        )
        .order_by(Letter.id)
        .limit(limit)
    )
    return [
        EmailStatement(
            letter_id=row.id,
            customer_id=row.customer_id,
            account=row.account,
            name=row.name,
            email=row.email or "",
            queued_on=row.queued_on,
            send_attempts=row.send_attempts,
            last_error=row.last_error,
        )
        for row in rows
    ]


def send_errors(session: Session, letter_ids: list[int]) -> dict[int, tuple[int, str]]:
    """For those of ``letter_ids`` still queued whose last e-mail attempt failed: the number
    of attempts and the reason of the last."""
    if not letter_ids:
        return {}
    rows = session.execute(
        select(Letter.id, Letter.send_attempts, Letter.last_error).where(
            Letter.id.in_(letter_ids),
            Letter.status == LetterStatus.QUEUED,
            Letter.last_error.is_not(None),
        )
    )
    return {row.id: (row.send_attempts, row.last_error) for row in rows}


def failed_email_statements(session: Session) -> int:
    """How many statements waiting to be e-mailed failed at their last attempt."""
    found = session.scalar(
        select(func.count()).where(
            Letter.kind == LetterKind.STATEMENT,
            Letter.status == LetterStatus.QUEUED,
            Letter.delivery == Delivery.EMAIL,
            Letter.last_error.is_not(None),
        )
    )
    return int(found or 0)
