"""A customer's credit position: the limit that applies today and what counts against it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cctui.domain.models import CreditGroup, Customer


@dataclass(frozen=True)
class CreditPosition:
    """The limit a customer is held to on one day and the exposure measured against it.

    For a member of a credit group both are the group's: the group's limit against the
    balances of all its members. Otherwise the limit is the temporary limit while it is
    valid (before its expiry date), else the customer's own limit.
    """

    limit: Decimal
    exposure: Decimal
    temporary: bool
    """True when the limit is a temporary one."""
    group_name: str | None
    """The credit group whose limit this is, if any."""

    @property
    def available(self) -> Decimal:
        """How much more may be owed before the limit is exceeded (negative when over)."""
        return self.limit - self.exposure

    @property
    def use_percent(self) -> Decimal | None:
        """Exposure as a percentage of the limit, one decimal; None for a zero limit."""
        if self.limit <= 0:
            return None
        return (self.exposure * 100 / self.limit).quantize(Decimal("0.1"))


def temporary_applies(
    temp_credit_limit: Decimal | None, temp_limit_expires_on: date | None, as_of: date
) -> bool:
    """True when a temporary limit (with its expiry) is valid on ``as_of`` (before it expires)."""
    return (
        temp_credit_limit is not None
        and temp_limit_expires_on is not None
        and as_of < temp_limit_expires_on
    )


def temporary_limit_applies(customer: Customer, as_of: date) -> bool:
    """True when the customer's temporary limit is valid on ``as_of`` (before it expires)."""
    return temporary_applies(customer.temp_credit_limit, customer.temp_limit_expires_on, as_of)


def effective_limit(
    credit_limit: Decimal,
    temp_credit_limit: Decimal | None,
    temp_limit_expires_on: date | None,
    as_of: date,
) -> Decimal:
    """The temporary limit while it is valid on ``as_of``, else the credit limit."""
    if (
        temporary_applies(temp_credit_limit, temp_limit_expires_on, as_of)
        and temp_credit_limit is not None
    ):
        return temp_credit_limit
    return credit_limit


def own_limit(customer: Customer, as_of: date) -> Decimal:
    """The customer's own effective limit on ``as_of``, ignoring any credit group."""
    return effective_limit(
        customer.credit_limit,
        customer.temp_credit_limit,
        customer.temp_limit_expires_on,
        as_of,
    )


def position_of(
    *,
    credit_limit: Decimal,
    temp_credit_limit: Decimal | None,
    temp_limit_expires_on: date | None,
    balance: Decimal,
    as_of: date,
    group: tuple[str, Decimal, Decimal] | None = None,
) -> CreditPosition:
    """The position from a customer's figures already read: its limits and balance, and
    for a member of a credit group the group's (name, limit, members' balances)."""
    if group is not None:
        name, limit, exposure = group
        return CreditPosition(limit=limit, exposure=exposure, temporary=False, group_name=name)
    return CreditPosition(
        limit=effective_limit(credit_limit, temp_credit_limit, temp_limit_expires_on, as_of),
        exposure=balance,
        temporary=temporary_applies(temp_credit_limit, temp_limit_expires_on, as_of),
        group_name=None,
    )


def credit_position(session: Session, customer: Customer, as_of: date) -> CreditPosition:
    """The customer's credit position on ``as_of`` from the maintained balances."""
    group: tuple[str, Decimal, Decimal] | None = None
    if customer.credit_group_id is not None:
        credit_group = session.get(CreditGroup, customer.credit_group_id)
        if credit_group is not None:
            exposure = session.scalar(
                select(func.coalesce(func.sum(Customer.balance), 0)).where(
                    Customer.credit_group_id == credit_group.id
                )
            )
            group = (credit_group.name, credit_group.credit_limit, Decimal(exposure or 0))
    return position_of(
        credit_limit=customer.credit_limit,
        temp_credit_limit=customer.temp_credit_limit,
        temp_limit_expires_on=customer.temp_limit_expires_on,
        balance=customer.balance,
        as_of=as_of,
        group=group,
    )
