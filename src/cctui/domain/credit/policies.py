"""Credit policies and how customers follow one or keep manual settings (seed 003).

A credit policy holds the payment terms, default credit limit, prompt-payment discount,
overdue interest, the "limit exceeded by %" figure, the aged once / twice / thrice thresholds
and the credit action each event sets. A customer either follows a policy (its action is then
set by events) or has *manual settings* (its action is set by hand and never changed by an
automatic rule).

Customers following a policy take its payment terms: assigning a policy copies them, and
changing a policy's terms changes those of every customer that follows it. The policy's
default credit limit is a suggestion for new accounts; it never overwrites a customer's limit
(limits change only through :mod:`cctui.domain.credit.limits`, with their history).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.editing import clean_reason, lock_customer
from cctui.domain.errors import ConflictError, NotFound, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import CreditAction, CreditEvent, CreditPolicy, Customer, Role
from cctui.domain.money import to_money

MAX_AGED_DAYS = 3650
"""The largest aging threshold a policy may name (ten years)."""

PERCENT_PLACES = Decimal("0.001")

_ACTION_FIELDS = (
    "action_limit_exceeded",
    "action_limit_exceeded_percent",
    "action_aged_once",
    "action_aged_twice",
    "action_aged_thrice",
)
_FIELDS = (
    "code",
    "name",
    "payment_terms_days",
    "default_credit_limit",
    "discount_percent",
    "discount_days",
    "overdue_interest_percent",
    "limit_exceeded_percent",
    "aged_once_days",
    "aged_twice_days",
    "aged_thrice_days",
    *_ACTION_FIELDS,
)


@dataclass(frozen=True)
class PolicyView:
    """A credit policy as screens show it, with how many customers follow it."""

    id: int
    code: str
    name: str
    payment_terms_days: int
    default_credit_limit: Decimal
    discount_percent: Decimal
    discount_days: int
    overdue_interest_percent: Decimal
    limit_exceeded_percent: Decimal
    aged_once_days: int
    aged_twice_days: int
    aged_thrice_days: int
    action_limit_exceeded: CreditAction
    action_limit_exceeded_percent: CreditAction
    action_aged_once: CreditAction
    action_aged_twice: CreditAction
    action_aged_thrice: CreditAction
    customers: int
    """Customers following the policy (not on manual settings)."""


def _view(policy: CreditPolicy, customers: int) -> PolicyView:
    return PolicyView(
        **{name: getattr(policy, name) for name in _FIELDS},
        id=policy.id,
        customers=customers,
    )


def _snapshot(policy: CreditPolicy) -> dict[str, Any]:
    return {name: getattr(policy, name) for name in _FIELDS}


def _whole(value: object, what: str, low: int, high: int) -> int:
    """``value`` as a whole number between ``low`` and ``high``, else a ValidationError."""
    if isinstance(value, bool):
        raise ValidationError(f"The {what} must be a whole number.")
    if isinstance(value, str):
        text = value.strip()
        if not text.lstrip("-").isdigit():
            raise ValidationError(f"The {what} {value!r} is not a whole number.")
        value = int(text)
    if not isinstance(value, int):
        raise ValidationError(f"The {what} must be a whole number.")
    if not low <= value <= high:
        raise ValidationError(f"The {what} must be {low} to {high}, not {value}.")
    return value


def _percent(value: object, what: str, *, allow_zero: bool = True) -> Decimal:
    """``value`` as a percentage 0..100 (or above 0 when not ``allow_zero``), 3 places."""
    if isinstance(value, float | bool):
        raise ValidationError(f"The {what} must be given exactly, as a number.")
    text = str(value).strip().replace(",", ".")
    try:
        percent = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"The {what} {str(value)!r} is not a number.") from None
    if not percent.is_finite():
        raise ValidationError(f"The {what} {str(value)!r} is not a number.")
    if percent != percent.quantize(PERCENT_PLACES):
        raise ValidationError(f"The {what} {str(value)!r} has more than three decimal places.")
    if percent > 100 or percent < 0 or (percent == 0 and not allow_zero):
        lowest = "0" if allow_zero else "more than 0"
        raise ValidationError(f"The {what} must be {lowest} to 100 %, not {str(value)!r}.")
    return percent.quantize(PERCENT_PLACES)


def _action(value: object, what: str) -> CreditAction:
    """``value`` as a credit action (a CreditAction or its name), else a ValidationError."""
    if isinstance(value, CreditAction):
        return value
    if isinstance(value, str):
        try:
            return CreditAction(value.strip().lower())
        except ValueError:
            pass
    choices = ", ".join(action.value for action in CreditAction)
    raise ValidationError(f"The action for {what} must be one of {choices}, not {value!r}.")


def _text(value: object, what: str, longest: int) -> str:
    cleaned = str(value).strip() if value is not None else ""
    if not cleaned or len(cleaned) > longest:
        raise ValidationError(f"The {what} must have 1 to {longest} characters.")
    return cleaned


def _validated(values: dict[str, Any]) -> dict[str, Any]:
    """Each given policy field parsed and checked on its own (thresholds checked together)."""
    parsers: dict[str, Any] = {
        "code": lambda v: _text(v, "policy code", 20),
        "name": lambda v: _text(v, "policy name", 100),
        "payment_terms_days": lambda v: _whole(v, "payment terms in days", 0, 365),
        "default_credit_limit": lambda v: to_money(v, what="default credit limit", allow_zero=True),
        "discount_percent": lambda v: _percent(v, "prompt-payment discount"),
        "discount_days": lambda v: _whole(v, "prompt-payment discount days", 0, 365),
        "overdue_interest_percent": lambda v: _percent(v, "overdue interest"),
        "limit_exceeded_percent": lambda v: _percent(
            v, "limit-exceeded percentage", allow_zero=False
        ),
        "aged_once_days": lambda v: _whole(v, "aged-once threshold", 1, MAX_AGED_DAYS),
        "aged_twice_days": lambda v: _whole(v, "aged-twice threshold", 1, MAX_AGED_DAYS),
        "aged_thrice_days": lambda v: _whole(v, "aged-thrice threshold", 1, MAX_AGED_DAYS),
    }
    for field in _ACTION_FIELDS:
        words = field.removeprefix("action_").replace("_", " ")
        parsers[field] = lambda v, words=words: _action(v, words)
    return {name: parsers[name](value) for name, value in values.items()}


def _check_thresholds(once: int, twice: int, thrice: int) -> None:
    if not once < twice < thrice:
        raise ValidationError(
            "The aged once, twice and thrice thresholds must rise strictly, "
            f"not {once}, {twice}, {thrice} days."
        )


def _code_free(session: Session, code: str, policy_id: int | None = None) -> None:
    query = select(CreditPolicy.id).where(func.lower(CreditPolicy.code) == code.lower())
    if policy_id is not None:
        query = query.where(CreditPolicy.id != policy_id)
    if session.scalar(query) is not None:
        raise ConflictError(f"A credit policy with the code {code!r} already exists.")


def _followers(session: Session, policy_id: int) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(Customer)
        .where(Customer.credit_policy_id == policy_id, Customer.manual_settings.is_(False))
    )
    return count or 0


def create_policy(
    session: Session,
    actor: StaffIdentity,
    *,
    code: str,
    name: str,
    payment_terms_days: int | str,
    default_credit_limit: Decimal | int | str,
    discount_percent: Decimal | int | str = 0,
    discount_days: int | str = 0,
    overdue_interest_percent: Decimal | int | str = 0,
    limit_exceeded_percent: Decimal | int | str = 10,
    aged_once_days: int | str = 30,
    aged_twice_days: int | str = 60,
    aged_thrice_days: int | str = 90,
    action_limit_exceeded: CreditAction | str = CreditAction.REMIND,
    action_limit_exceeded_percent: CreditAction | str = CreditAction.PASSWORD,
    action_aged_once: CreditAction | str = CreditAction.REMIND,
    action_aged_twice: CreditAction | str = CreditAction.PASSWORD,
    action_aged_thrice: CreditAction | str = CreditAction.HOLD,
) -> PolicyView:
    """Create a credit policy (supervisors and admins); the code must be unused."""
    require_role(actor, Role.SUPERVISOR, "create credit policies")
    values = _validated(
        {
            "code": code,
            "name": name,
            "payment_terms_days": payment_terms_days,
            "default_credit_limit": default_credit_limit,
            "discount_percent": discount_percent,
            "discount_days": discount_days,
            "overdue_interest_percent": overdue_interest_percent,
            "limit_exceeded_percent": limit_exceeded_percent,
            "aged_once_days": aged_once_days,
            "aged_twice_days": aged_twice_days,
            "aged_thrice_days": aged_thrice_days,
            "action_limit_exceeded": action_limit_exceeded,
            "action_limit_exceeded_percent": action_limit_exceeded_percent,
            "action_aged_once": action_aged_once,
            "action_aged_twice": action_aged_twice,
            "action_aged_thrice": action_aged_thrice,
        }
    )
    _check_thresholds(
        values["aged_once_days"], values["aged_twice_days"], values["aged_thrice_days"]
    )
    _code_free(session, values["code"])
    policy = CreditPolicy(**values)
    session.add(policy)
    session.flush()
    audit(
        session,
        actor,
        action="create_credit_policy",
        entity="credit_policy",
        entity_id=policy.id,
        after=_snapshot(policy),
    )
    return _view(policy, 0)


def update_policy(
    session: Session,
    actor: StaffIdentity,
    policy_id: int,
    **changes: Any,
) -> PolicyView:
    """Change some fields of a policy (supervisors and admins), given by name.

    Accepts the keyword arguments of :func:`create_policy`. A new payment term is copied to
    every customer following the policy (their versions move on, so an open edit of one of
    them is refused on save).
    """
    require_role(actor, Role.SUPERVISOR, "change credit policies")
    unknown = sorted(set(changes) - set(_FIELDS))
    if unknown:
        raise ValidationError(f"A credit policy has no field {unknown[0]!r}.")
    policy = session.scalar(
        select(CreditPolicy).where(CreditPolicy.id == policy_id).with_for_update()
    )
    if policy is None:
        raise NotFound(f"There is no credit policy with id {policy_id}.")
    values = _validated(changes)
    merged = {**_snapshot(policy), **values}
    _check_thresholds(
        merged["aged_once_days"], merged["aged_twice_days"], merged["aged_thrice_days"]
    )
    if "code" in values:
        _code_free(session, values["code"], policy.id)
    before = _snapshot(policy)
    for name, value in values.items():
        setattr(policy, name, value)
    session.flush()
    moved = 0
    if before["payment_terms_days"] != policy.payment_terms_days:
        moved = _copy_terms(session, policy)
    after = _snapshot(policy)
    changed = [name for name in _FIELDS if before[name] != after[name]]
    audit(
        session,
        actor,
        action="update_credit_policy",
        entity="credit_policy",
        entity_id=policy.id,
        before={name: before[name] for name in changed},
        after={**{name: after[name] for name in changed}, "customers_given_terms": moved},
    )
    return _view(policy, _followers(session, policy.id))


def _copy_terms(session: Session, policy: CreditPolicy) -> int:
    """Give the policy's payment terms to its followers; return how many changed."""
    result = session.execute(
        update(Customer)
        .where(
            Customer.credit_policy_id == policy.id,
            Customer.manual_settings.is_(False),
            Customer.payment_terms_days != policy.payment_terms_days,
        )
        .values(payment_terms_days=policy.payment_terms_days, version=Customer.version + 1)
        .execution_options(synchronize_session=False)
        .returning(Customer.id)
    )
    ids = list(result.scalars())
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Customer) and loaded.id in ids:
            session.expire(loaded, ["payment_terms_days", "version"])
    return len(ids)


def list_policies(session: Session) -> list[PolicyView]:
    """Every credit policy, by code, with the number of customers following each."""
    rows = session.execute(
        select(Customer.credit_policy_id, func.count())
        .where(Customer.credit_policy_id.is_not(None), Customer.manual_settings.is_(False))
        .group_by(Customer.credit_policy_id)
    )
    counts = {policy_id: count for policy_id, count in rows}
    policies = session.scalars(select(CreditPolicy).order_by(CreditPolicy.code))
    return [_view(policy, counts.get(policy.id, 0)) for policy in policies]


def get_policy(session: Session, policy_id: int) -> PolicyView:
    """One credit policy, or NotFound."""
    policy = session.get(CreditPolicy, policy_id)
    if policy is None:
        raise NotFound(f"There is no credit policy with id {policy_id}.")
    return _view(policy, _followers(session, policy.id))


def _settings(customer: Customer) -> dict[str, Any]:
    return {
        "credit_policy_id": customer.credit_policy_id,
        "manual_settings": customer.manual_settings,
        "payment_terms_days": customer.payment_terms_days,
        "credit_action": customer.credit_action,
        "credit_action_event": customer.credit_action_event,
    }


def assign_policy(
    session: Session,
    actor: StaffIdentity,
    customer_id: int,
    policy_id: int,
    expected_version: int | None = None,
) -> None:
    """Put a customer on a credit policy (controllers and above), taking its payment terms.

    The customer leaves manual settings. Its current credit action stays until the next
    transaction or daily check evaluates the policy's events.
    """
    require_role(actor, Role.CONTROLLER, "assign credit policies")
    policy = session.get(CreditPolicy, policy_id)
    if policy is None:
        raise NotFound(f"There is no credit policy with id {policy_id}.")
    customer = lock_customer(session, customer_id, expected_version)
    before = _settings(customer)
    customer.credit_policy_id = policy.id
    customer.manual_settings = False
    customer.payment_terms_days = policy.payment_terms_days
    session.flush()
    audit(
        session,
        actor,
        action="assign_credit_policy",
        entity="customer",
        entity_id=customer.id,
        before=before,
        after={**_settings(customer), "policy_code": policy.code},
    )


def set_manual_settings(
    session: Session,
    actor: StaffIdentity,
    customer_id: int,
    action: CreditAction,
    reason: str,
    expected_version: int | None = None,
) -> None:
    """Put a customer on manual settings with ``action`` (supervisors and admins).

    The customer leaves its policy (``credit_policy_id`` is cleared) and keeps its payment
    terms; no automatic rule changes its action from now on. The event is ``manual`` and the
    action counts from now. ``reason`` is required and goes into the audit row.
    """
    require_role(actor, Role.SUPERVISOR, "put customers on manual credit settings")
    chosen = _action(action, "manual settings")
    why = clean_reason(reason, "change to manual credit settings")
    customer = lock_customer(session, customer_id, expected_version)
    before = _settings(customer)
    customer.manual_settings = True
    customer.credit_policy_id = None
    customer.credit_action = chosen
    customer.credit_action_event = CreditEvent.MANUAL
    customer.credit_action_since = datetime.now(UTC)
    session.flush()
    audit(
        session,
        actor,
        action="set_manual_credit_settings",
        entity="customer",
        entity_id=customer.id,
        before=before,
        after={**_settings(customer), "reason": why},
    )
