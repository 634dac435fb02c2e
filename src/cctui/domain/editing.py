"""What every service that changes a customer shares: the row lock, the date, reasons.

Every service that changes a customer or its open amounts locks the customer row first
(:func:`lock_customer`), so two changes to one customer run one after the other and neither
overwrites the other's figures.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cctui.domain.errors import ConflictError, NotFound, ValidationError
from cctui.domain.models import Customer


def lock_customer(
    session: Session, customer_id: int, expected_version: int | None = None
) -> Customer:
    """The customer, row-locked and re-read, refused when its version is not the one seen.

    ``expected_version`` is the ``version`` the user's screen loaded; None skips the check
    (a service acting on its own, such as an approval). The row lock makes two edits of one
    customer run one after the other, and re-reading makes the comparison use the stored
    version rather than a copy cached in the session.
    """
    customer = session.scalar(
        select(Customer)
        .where(Customer.id == customer_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if customer is None:
        raise NotFound(f"There is no customer with id {customer_id}.")
    if expected_version is not None and customer.version != expected_version:
        raise ConflictError(
            f"Someone else changed customer {customer.account} since you opened it; "
            "reload and try again."
        )
    return customer


def today(as_of: date | None) -> date:
    """``as_of``, or the current date when None."""
    return as_of if as_of is not None else date.today()


def clean_reason(reason: str | None, what: str) -> str:
    """``reason`` without surrounding blanks; a ValidationError naming ``what`` when empty."""
    cleaned = (reason or "").strip()
    if not cleaned:
        raise ValidationError(f"A {what} needs a reason.")
    return cleaned


def show_money(amount: Decimal, currency: str) -> str:
    """An amount for a message, e.g. ``12,500.00 EUR``."""
    return f"{amount:,.2f} {currency}"
