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


def temporary_limit_applies(customer: Customer, as_of: date) -> bool:
    """True when the customer's temporary limit is valid on ``as_of`` (before it expires)."""
    return (
        customer.temp_credit_limit is not None
        and customer.temp_limit_expires_on is not None
        and as_of < customer.temp_limit_expires_on
    )


def own_limit(customer: Customer, as_of: date) -> Decimal:
    """The customer's own effective limit on ``as_of``, ignoring any credit group."""
    if temporary_limit_applies(customer, as_of) and customer.temp_credit_limit is not None:
        return customer.temp_credit_limit
    return customer.credit_limit


def credit_position(session: Session, customer: Customer, as_of: date) -> CreditPosition:
    """The customer's credit position on ``as_of`` from the maintained balances."""
    if customer.credit_group_id is not None:
        group = session.get(CreditGroup, customer.credit_group_id)
        if group is not None:
            exposure = session.scalar(
                select(func.coalesce(func.sum(Customer.balance), 0)).where(
                    Customer.credit_group_id == group.id
                )
            )
            return CreditPosition(
                limit=group.credit_limit,
                exposure=Decimal(exposure or 0),
                temporary=False,
                group_name=group.name,
            )
    return CreditPosition(
        limit=own_limit(customer, as_of),
        exposure=customer.balance,
        temporary=temporary_limit_applies(customer, as_of),
        group_name=None,
    )
