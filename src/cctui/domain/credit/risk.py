"""Risk scores and the credit limit they suggest (seed 001).

A risk score runs from 0 (no risk) to 100 (the highest risk); a customer may have none.

The suggested limit, for a day ``as_of``:

1. ``annual_sales`` = the sum of the amounts of the customer's invoices (kind *invoice*;
   credit notes do not count) issued in the 365 days before ``as_of``: from
   ``as_of - 365 days`` up to and including the day before ``as_of``.
2. ``monthly_sales`` = ``annual_sales / 12``.
3. ``sales_based`` = ``monthly_sales * (payment_terms_days + 30) / 30``: what the customer
   buys over its payment terms plus one month of slack.
4. ``factor`` by score band: 0-20 -> 1.5, 21-40 -> 1.2, 41-60 -> 1.0, 61-80 -> 0.6,
   81-100 -> 0.25; no score -> 1.0.
5. ``suggested`` = ``max(insurance_amount, sales_based * factor) + guarantee_amount``,
   rounded down to a whole 100. The insured amount is a floor the credit insurer stands
   behind; a guarantee adds to the limit in full.

The arithmetic is exact (Decimal, no intermediate rounding); only the figures shown in the
suggestion are rounded to cents. Applying a suggestion is an ordinary limit change, so a
raise above the actor's authority waits for a supervisor's approval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.credit.limits import LimitChangeResult, change_credit_limit
from cctui.domain.editing import lock_customer, show_money, today
from cctui.domain.errors import NotFound, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import Customer, Invoice, InvoiceKind, Role

SALES_WINDOW_DAYS = 365
ROUND_TO = Decimal(100)
CENT = Decimal("0.01")

SCORE_BANDS: tuple[tuple[int, int, Decimal], ...] = (
    (0, 20, Decimal("1.5")),
    (21, 40, Decimal("1.2")),
    (41, 60, Decimal("1.0")),
    (61, 80, Decimal("0.6")),
    (81, 100, Decimal("0.25")),
)
"""(lowest score, highest score, factor) of each risk band."""

NO_SCORE_FACTOR = Decimal("1.0")


@dataclass(frozen=True)
class LimitSuggestion:
    """A suggested credit limit with every input it came from and the reasoning in words."""

    customer_id: int
    as_of: date
    currency: str
    risk_score: int | None
    payment_terms_days: int
    annual_sales: Decimal
    monthly_sales: Decimal
    """Rounded to cents for display; the suggestion uses the exact figure."""
    sales_based: Decimal
    """Rounded to cents for display; the suggestion uses the exact figure."""
    factor: Decimal
    insurance_amount: Decimal
    guarantee_amount: Decimal
    current_limit: Decimal
    suggested: Decimal
    explanation: str


def risk_factor(score: int | None) -> Decimal:
    """The factor the score's band applies to the sales-based limit (1.0 without a score)."""
    if score is None:
        return NO_SCORE_FACTOR
    for low, high, factor in SCORE_BANDS:
        if low <= score <= high:
            return factor
    raise ValidationError(f"A risk score must be 0 to 100, not {score}.")


def _score(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not text.isdigit():
            raise ValidationError(f"The risk score {value!r} is not a whole number.")
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("A risk score must be a whole number from 0 to 100.")
    if not 0 <= value <= 100:
        raise ValidationError(f"A risk score must be 0 to 100, not {value}.")
    return value


def set_risk_score(
    session: Session,
    actor: StaffIdentity,
    customer_id: int,
    score: int | str | None,
    expected_version: int | None = None,
) -> None:
    """Set (or with None, clear) a customer's risk score, 0 = no risk to 100 = highest."""
    require_role(actor, Role.CONTROLLER, "set risk scores")
    value = _score(score)
    customer = lock_customer(session, customer_id, expected_version)
    before = {"risk_score": customer.risk_score}
    customer.risk_score = value
    session.flush()
    audit(
        session,
        actor,
        action="set_risk_score",
        entity="customer",
        entity_id=customer.id,
        before=before,
        after={"risk_score": value},
    )


def suggest_credit_limit(
    session: Session, customer_id: int, as_of: date | None = None
) -> LimitSuggestion:
    """The credit limit the rule of this module suggests for the customer on ``as_of``."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"There is no customer with id {customer_id}.")
    day = today(as_of)
    annual = session.scalar(
        select(func.coalesce(func.sum(Invoice.amount), 0)).where(
            Invoice.customer_id == customer.id,
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.issued_on >= day - timedelta(days=SALES_WINDOW_DAYS),
            Invoice.issued_on < day,
        )
    )
    annual_sales = Decimal(annual or 0)
    terms = customer.payment_terms_days
    monthly = annual_sales / 12
    sales_based = monthly * (terms + 30) / 30
    factor = risk_factor(customer.risk_score)
    weighted = sales_based * factor
    insurance = customer.insurance_amount
    guarantee = customer.guarantee_amount
    base = max(insurance, weighted)
    suggested = ((base + guarantee) / ROUND_TO).to_integral_value(rounding=ROUND_FLOOR) * ROUND_TO
    suggested = suggested.quantize(CENT)
    currency = customer.currency
    score_words = (
        f"risk score {customer.risk_score}" if customer.risk_score is not None else "no risk score"
    )
    floor_words = (
        f"the insured {show_money(insurance, currency)} is higher, so it is the base"
        if insurance > weighted
        else f"the insured {show_money(insurance, currency)} is not higher"
    )
    explanation = (
        f"Sales of {show_money(annual_sales, currency)} in the 365 days before "
        f"{day.isoformat()} make {show_money(_cents(monthly), currency)} a month; over "
        f"{terms} days' terms plus 30 that is {show_money(_cents(sales_based), currency)}; "
        f"{score_words} gives a factor of {factor}, so "
        f"{show_money(_cents(weighted), currency)}; {floor_words}; adding the guarantee of "
        f"{show_money(guarantee, currency)} and rounding down to a whole 100 suggests "
        f"{show_money(suggested, currency)}."
    )
    return LimitSuggestion(
        customer_id=customer.id,
        as_of=day,
        currency=currency,
        risk_score=customer.risk_score,
        payment_terms_days=terms,
        annual_sales=annual_sales,
        monthly_sales=_cents(monthly),
        sales_based=_cents(sales_based),
        factor=factor,
        insurance_amount=insurance,
        guarantee_amount=guarantee,
        current_limit=customer.credit_limit,
        suggested=suggested,
        explanation=explanation,
    )


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def apply_suggested_limit(
    session: Session,
    actor: StaffIdentity,
    customer_id: int,
    as_of: date | None = None,
    expected_version: int | None = None,
) -> LimitChangeResult:
    """Make the suggested limit the customer's permanent limit (controllers and above).

    Goes through :func:`cctui.domain.credit.limits.change_credit_limit` with the reason
    "Suggested by risk score N", so a raise above the actor's authority waits for approval.
    A customer without a risk score is refused: the suggestion must rest on a score.
    """
    require_role(actor, Role.CONTROLLER, "apply suggested credit limits")
    customer = lock_customer(session, customer_id, expected_version)
    if customer.risk_score is None:
        raise ValidationError(
            f"Customer {customer.account} has no risk score; set one before applying a "
            "suggested limit."
        )
    suggestion = suggest_credit_limit(session, customer.id, as_of)
    result = change_credit_limit(
        session,
        actor,
        customer.id,
        suggestion.suggested,
        f"Suggested by risk score {suggestion.risk_score}",
        as_of=suggestion.as_of,
    )
    audit(
        session,
        actor,
        action="apply_suggested_credit_limit",
        entity="customer",
        entity_id=customer.id,
        after={
            "change_id": result.change_id,
            "applied": result.applied,
            "suggested": suggestion.suggested,
            "explanation": suggestion.explanation,
        },
    )
    return result
