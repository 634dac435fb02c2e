"""``cctui import payments``: record the file's new payments and allocate them as
:func:`cctui.domain.ledger.record_payment` does.

A payment is known by its customer and ``reference``: one already in the book (reversed or
not) is left alone when its amount and date match, and refused when they differ (an import
never changes money received). New payments are applied in file order, each with the ledger's
own allocation (``_spread``): to its ``invoice`` if the row names one, else to the customer's
open invoices oldest due first; a payment larger than what is open on them is refused. The
allocation runs in memory over the open invoices of the customers concerned, then payments,
allocations and invoices are written set-based (COPY and one UPDATE).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import BigInteger, Date, Numeric, String

from cctui.domain.errors import ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.importing.parse import ImportFile
from cctui.domain.importing.report import Outcome, Progress, RowError, refuse_unless_skipping
from cctui.domain.importing.staging import StagingCopy
from cctui.domain.ledger import _spread
from cctui.domain.models import Invoice


@dataclass(frozen=True)
class _Payment:
    line: int
    customer_id: int
    account: str
    reference: str
    received_on: date
    amount: Decimal
    currency: str
    method: str | None
    invoice_id: int | None
    invoice_number: str | None


_CUSTOMERS = text(
    "SELECT account, id, currency FROM customer WHERE account = ANY(:accounts)"
).bindparams(bindparam("accounts", type_=ARRAY(String())))
_KNOWN = text(
    "SELECT customer_id, reference, amount, received_on FROM payment "
    "WHERE customer_id = ANY(:ids) AND reference = ANY(:references)"
).bindparams(
    bindparam("ids", type_=ARRAY(BigInteger())), bindparam("references", type_=ARRAY(String()))
)
_INVOICES = text(
    "SELECT number, id, customer_id, kind FROM invoice WHERE number = ANY(:numbers)"
).bindparams(bindparam("numbers", type_=ARRAY(String())))
_LOCK = text("SELECT id FROM customer WHERE id = ANY(:ids) ORDER BY id FOR UPDATE").bindparams(
    bindparam("ids", type_=ARRAY(BigInteger()))
)
_OPEN = text(
    "SELECT id, customer_id, open_amount, paid_on FROM invoice "
    "WHERE customer_id = ANY(:ids) AND open_amount > 0 ORDER BY customer_id, due_on, id"
).bindparams(bindparam("ids", type_=ARRAY(BigInteger())))
_NEW_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('payment', 'id')) FROM generate_series(1, :n)"
)
_SETTLE = text("""
UPDATE invoice AS i SET open_amount = v.open_amount, paid_on = v.paid_on
FROM unnest(:ids, :open_amounts, :paid_on) AS v(id, open_amount, paid_on)
WHERE i.id = v.id
""").bindparams(
    bindparam("ids", type_=ARRAY(BigInteger())),
    bindparam("open_amounts", type_=ARRAY(Numeric(14, 2))),
    bindparam("paid_on", type_=ARRAY(Date())),
)


def _read(
    session: Session, source: ImportFile, progress: Progress
) -> tuple[int, list[_Payment], list[RowError]]:
    """The file's new payments, resolved against the book, and every bad value."""
    rows = list(source.rows(progress))
    errors = [error for row in rows for error in row.errors]
    good = [row for row in rows if not row.errors]
    accounts = sorted({row.values["account"] for row in good})
    customers = {
        account: (customer_id, currency)
        for account, customer_id, currency in session.execute(_CUSTOMERS, {"accounts": accounts})
    }
    numbers = sorted({row.values["invoice"] for row in good if row.values.get("invoice")})
    invoices = {
        number: (invoice_id, customer_id, kind)
        for number, invoice_id, customer_id, kind in session.execute(
            _INVOICES, {"numbers": numbers}
        )
    }
    known: dict[tuple[int, str], tuple[Decimal, date]] = {
        (customer_id, reference): (amount, received_on)
        for customer_id, reference, amount, received_on in session.execute(
            _KNOWN,
            {
                "ids": sorted({found[0] for found in customers.values()}),
                "references": sorted({row.values["reference"] for row in good}),
            },
        )
    }
    first_line: dict[tuple[str, str], int] = {}
    payments: list[_Payment] = []
    for row in good:
        values: dict[str, Any] = row.values
        account, reference = values["account"], values["reference"]

        def bad(column: str, message: str, line: int = row.line) -> None:
            errors.append(RowError(source.name, line, column, message))

        earlier = first_line.setdefault((account, reference), row.line)
        if earlier != row.line:
            bad("reference", f"{reference!r} of {account} is already on line {earlier}")
            continue
        if account not in customers:
            bad("account", f"no customer has the account {account!r}")
            continue
        customer_id, currency = customers[account]
        if values.get("currency") not in (None, currency):
            bad("currency", f"{values['currency']} is not the currency of {account} ({currency})")
            continue
        number = values.get("invoice")
        invoice_id: int | None = None
        if number is not None:
            found = invoices.get(number)
            if found is None or found[1] != customer_id or found[2] != "invoice":
                bad("invoice", f"{number!r} is not an invoice of {account}")
                continue
            invoice_id = found[0]
        previous = known.get((customer_id, reference))
        if previous is not None:
            if previous != (values["amount"], values["received_on"]):
                bad(
                    "reference",
                    f"{reference!r} of {account} was already recorded as {previous[0]} "
                    f"received on {previous[1].isoformat()}; an import never changes a payment",
                )
            continue
        payments.append(
            _Payment(
                row.line,
                customer_id,
                account,
                reference,
                values["received_on"],
                values["amount"],
                currency,
                values.get("method"),
                invoice_id,
                number,
            )
        )
    return len(rows), payments, errors


def _allocate(
    session: Session, source: ImportFile, payments: list[_Payment]
) -> tuple[
    list[tuple[_Payment, list[tuple[Invoice, Decimal]]]], dict[int, Invoice], list[RowError]
]:
    """Apply each payment in file order with the ledger's allocation, in memory."""
    ids = sorted({payment.customer_id for payment in payments})
    session.execute(_LOCK, {"ids": ids}).all()
    open_by_customer: dict[int, list[Invoice]] = defaultdict(list)
    by_id: dict[int, Invoice] = {}
    for invoice_id, customer_id, open_amount, paid_on in session.execute(_OPEN, {"ids": ids}):
        # Detached stand-ins, never added to the session: _spread only moves their amounts.
        invoice = Invoice(
            id=invoice_id, customer_id=customer_id, open_amount=open_amount, paid_on=paid_on
        )
        open_by_customer[customer_id].append(invoice)
        by_id[invoice_id] = invoice
    applied: list[tuple[_Payment, list[tuple[Invoice, Decimal]]]] = []
    errors: list[RowError] = []
    changed: dict[int, Invoice] = {}
    for payment in payments:
        candidates = [
            invoice for invoice in open_by_customer[payment.customer_id] if invoice.open_amount > 0
        ]
        if payment.invoice_id is not None:
            chosen = by_id.get(payment.invoice_id)
            if chosen is None or chosen.open_amount <= 0:
                errors.append(
                    RowError(
                        source.name,
                        payment.line,
                        "invoice",
                        f"{payment.invoice_number!r} is not an open invoice of {payment.account}",
                    )
                )
                continue
            candidates = [chosen]
        try:
            parts = _spread(payment.amount, candidates, "payment", payment.received_on)
        except ValidationError as err:
            errors.append(RowError(source.name, payment.line, "amount", str(err)))
            continue
        for invoice, _part in parts:
            changed[invoice.id] = invoice
        applied.append((payment, parts))
    return applied, changed, errors


def _write(
    session: Session,
    actor: StaffIdentity,
    applied: list[tuple[_Payment, list[tuple[Invoice, Decimal]]]],
    changed: dict[int, Invoice],
) -> None:
    """Insert the payments and their allocations and settle the invoices, set-based."""
    if not applied:
        return
    new_ids = list(session.scalars(_NEW_IDS, {"n": len(applied)}))
    with StagingCopy(
        session,
        "payment",
        [
            "id",
            "customer_id",
            "amount",
            "currency",
            "received_on",
            "reference",
            "method",
            "created_by_id",
        ],
    ) as payments:
        for payment_id, (payment, _parts) in zip(new_ids, applied, strict=True):
            payments.add(
                (
                    payment_id,
                    payment.customer_id,
                    payment.amount,
                    payment.currency,
                    payment.received_on,
                    payment.reference,
                    payment.method,
                    actor.id,
                )
            )
    with StagingCopy(
        session, "payment_allocation", ["payment_id", "invoice_id", "amount", "allocated_on"]
    ) as allocations:
        for payment_id, (payment, parts) in zip(new_ids, applied, strict=True):
            for invoice, part in parts:
                allocations.add((payment_id, invoice.id, part, payment.received_on))
    invoices = list(changed.values())
    session.execute(
        _SETTLE,
        {
            "ids": [invoice.id for invoice in invoices],
            "open_amounts": [invoice.open_amount for invoice in invoices],
            "paid_on": [invoice.paid_on for invoice in invoices],
        },
    )


def import_payments(
    session: Session,
    actor: StaffIdentity,
    source: ImportFile,
    *,
    skip_bad: bool,
    progress: Progress,
) -> Outcome:
    """Record and allocate the file's new payments; refuse the file when a row is bad,
    unless ``skip_bad``."""
    rows, payments, errors = _read(session, source, progress)
    refuse_unless_skipping(source.name, errors, skip_bad)
    progress("Allocating", 0, 2)
    applied, changed, refused = _allocate(session, source, payments)
    errors.extend(refused)
    refuse_unless_skipping(source.name, errors, skip_bad)
    progress("Allocating", 1, 2)
    _write(session, actor, applied, changed)
    progress("Allocating", 2, 2)
    touched = tuple(sorted({payment.customer_id for payment, _ in applied}))
    return Outcome(rows, len(applied), 0, tuple(errors), touched)
