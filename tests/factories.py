"""Small builders for domain tests: staff, policies, customers and invoices on a real database.

They insert rows directly (no role checks) so a test can set up the book it needs in a few
lines, then exercise the service under test. Maintained figures are refreshed the way the
services refresh them.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from cctui.domain.figures import refresh_balances
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    CreditAction,
    CreditPolicy,
    Customer,
    Invoice,
    Letter,
    LetterInvoice,
    LetterKind,
    Role,
    Staff,
)
from cctui.domain.secrets import hash_secret

_numbers = itertools.count(1)

TODAY = date(2026, 11, 23)
"""The business day most tests pretend it is."""


def make_staff(
    session: Session,
    login: str,
    role: Role = Role.CONTROLLER,
    *,
    secret: str | None = None,
    approval_limit: Decimal | None = None,
) -> StaffIdentity:
    """Add a staff member and return their identity (a supervisor password if ``secret``)."""
    staff = Staff(
        login=login,
        name=login.title(),
        role=role,
        approval_secret=hash_secret(secret, salt=b"0123456789abcdef") if secret else None,
        approval_limit=approval_limit,
    )
    session.add(staff)
    session.flush()
    return StaffIdentity(id=staff.id, login=staff.login, name=staff.name, role=staff.role)


def make_policy(session: Session, code: str = "STD", **overrides: Any) -> CreditPolicy:
    """Add a credit policy: 30 days, limit 10,000, 10 %, aged 30/60/90 -> remind/password/hold."""
    values: dict[str, Any] = {
        "code": code,
        "name": f"Policy {code}",
        "payment_terms_days": 30,
        "default_credit_limit": Decimal("10000.00"),
        "limit_exceeded_percent": Decimal("10"),
        "aged_once_days": 30,
        "aged_twice_days": 60,
        "aged_thrice_days": 90,
        "action_limit_exceeded": CreditAction.REMIND,
        "action_limit_exceeded_percent": CreditAction.PASSWORD,
        "action_aged_once": CreditAction.REMIND,
        "action_aged_twice": CreditAction.PASSWORD,
        "action_aged_thrice": CreditAction.HOLD,
    }
    values.update(overrides)
    policy = CreditPolicy(**values)
    session.add(policy)
    session.flush()
    return policy


def make_customer(
    session: Session,
    *,
    policy: CreditPolicy | None = None,
    credit_limit: Decimal | str = "1000.00",
    currency: str = "EUR",
    **overrides: Any,
) -> Customer:
    """Add a customer on ``policy`` (manual settings when None) with ``credit_limit``."""
    n = next(_numbers)
    values: dict[str, Any] = {
        "account": f"T{n:06d}",
        "name": f"Test Customer {n}",
        "currency": currency,
        "credit_policy_id": policy.id if policy is not None else None,
        "manual_settings": policy is None,
        "credit_limit": Decimal(credit_limit),
    }
    values.update(overrides)
    customer = Customer(**values)
    session.add(customer)
    session.flush()
    return customer


def make_invoice(
    session: Session,
    customer: Customer,
    amount: Decimal | str,
    *,
    days_past_due: int = 0,
    open_amount: Decimal | str | None = None,
    as_of: date = TODAY,
) -> Invoice:
    """Add an open invoice due ``days_past_due`` days before ``as_of`` and refresh figures."""
    value = Decimal(amount)
    due = as_of - timedelta(days=days_past_due)
    invoice = Invoice(
        customer_id=customer.id,
        number=f"INV{next(_numbers):08d}",
        issued_on=due - timedelta(days=30),
        due_on=due,
        currency=customer.currency,
        amount=value,
        open_amount=value if open_amount is None else Decimal(open_amount),
    )
    session.add(invoice)
    session.flush()
    refresh_balances(session, [customer.id], as_of)
    return invoice


def make_letter(
    session: Session,
    customer: Customer,
    amounts: list[str],
    kind: LetterKind = LetterKind.REMINDER,
) -> Letter:
    """Queue a letter of ``kind`` for ``customer`` listing a new overdue invoice per amount."""
    letter = Letter(customer_id=customer.id, kind=kind, fee=Decimal("0"))
    session.add(letter)
    session.flush()
    for amount in amounts:
        invoice = make_invoice(session, customer, amount, days_past_due=20)
        session.add(
            LetterInvoice(letter_id=letter.id, invoice_id=invoice.id, open_amount=Decimal(amount))
        )
    session.flush()
    return letter
