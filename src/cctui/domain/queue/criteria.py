"""Pool criteria: the small JSON vocabulary that chooses a pool's customers, and its SQL.

A pool holds the customers assigned to it (``customer.pool_id``) and, when it has criteria,
every customer matching them. Criteria are a JSON object whose keys all must match (AND);
a key holding a list matches any of its values (OR)::

    {"countries": ["DE", "AT"], "currencies": ["EUR"], "min_overdue": "1000"}

=====================  ====================================================================
key                    matches customers ...
=====================  ====================================================================
``countries``          whose country (ISO 3166 alpha-2) is one of these
``currencies``         whose currency (ISO 4217) is one of these (``currency``: just one)
``postal_prefixes``    whose postal code starts with one of these
``credit_actions``     whose credit action is one of ``ok``/``remind``/``password``/``hold``
``min_overdue``        owing at least this overdue amount (a string, e.g. ``"1000.00"``)
``max_overdue``        owing at most this overdue amount
``min_days_overdue``   whose oldest overdue invoice is at least this many days past due
=====================  ====================================================================

Anything else is refused with a sentence naming the key, so a typo never silently widens a
pool. An empty object is refused too: a pool without criteria is written as none (null).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cctui.domain.errors import NotFound, ValidationError
from cctui.domain.models import CreditAction, Pool
from cctui.domain.money import to_money

CRITERIA_KEYS = (
    "countries",
    "currencies",
    "currency",
    "postal_prefixes",
    "credit_actions",
    "min_overdue",
    "max_overdue",
    "min_days_overdue",
)
"""Every key a pool's criteria may use."""

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class PoolCriteria:
    """Parsed, validated pool criteria; empty fields do not restrict."""

    countries: tuple[str, ...] = ()
    currencies: tuple[str, ...] = ()
    postal_prefixes: tuple[str, ...] = ()
    credit_actions: tuple[CreditAction, ...] = ()
    min_overdue: Decimal | None = None
    max_overdue: Decimal | None = None
    min_days_overdue: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The canonical JSON object stored in ``pool.criteria``."""
        data: dict[str, Any] = {}
        if self.countries:
            data["countries"] = list(self.countries)
        if self.currencies:
            data["currencies"] = list(self.currencies)
        if self.postal_prefixes:
            data["postal_prefixes"] = list(self.postal_prefixes)
        if self.credit_actions:
            data["credit_actions"] = [action.value for action in self.credit_actions]
        if self.min_overdue is not None:
            data["min_overdue"] = str(self.min_overdue)
        if self.max_overdue is not None:
            data["max_overdue"] = str(self.max_overdue)
        if self.min_days_overdue is not None:
            data["min_days_overdue"] = self.min_days_overdue
        return data


def parse_criteria(raw: Mapping[str, Any] | None) -> PoolCriteria | None:
    """``raw`` (a pool's JSON criteria) checked against the vocabulary; None for no criteria.

    Raises ValidationError naming the first key or value that does not fit.
    """
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ValidationError('Pool criteria must be a JSON object such as {"countries": ["DE"]}.')
    if not raw:
        raise ValidationError(
            "Pool criteria must name at least one criterion; leave them out for a pool "
            "chosen by assignment only."
        )
    unknown = sorted(str(key) for key in raw if key not in CRITERIA_KEYS)
    if unknown:
        raise ValidationError(
            f"Pool criteria do not know {', '.join(unknown)}; use {', '.join(CRITERIA_KEYS)}."
        )
    if "currency" in raw and "currencies" in raw:
        raise ValidationError("Pool criteria take either currency or currencies, not both.")
    if "currency" in raw:
        single = raw["currency"]
        if not isinstance(single, str):
            raise ValidationError("The pool criterion currency must be a code such as EUR.")
        currencies = [single.strip().upper()]
    else:
        currencies = _strings(raw, "currencies", upper=True)
    criteria = PoolCriteria(
        countries=_codes(_strings(raw, "countries", upper=True), _COUNTRY, "country"),
        currencies=_codes(currencies, _CURRENCY, "currency"),
        postal_prefixes=tuple(_strings(raw, "postal_prefixes", upper=False)),
        credit_actions=_actions(_strings(raw, "credit_actions", upper=False)),
        min_overdue=_amount(raw, "min_overdue"),
        max_overdue=_amount(raw, "max_overdue"),
        min_days_overdue=_days(raw, "min_days_overdue"),
    )
    if (
        criteria.min_overdue is not None
        and criteria.max_overdue is not None
        and criteria.min_overdue > criteria.max_overdue
    ):
        raise ValidationError("The pool criterion min_overdue is above max_overdue.")
    return criteria


def _strings(raw: Mapping[str, Any], key: str, *, upper: bool) -> list[str]:
    value = raw.get(key)
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValidationError(f'The pool criterion {key} must be a list, e.g. ["A", "B"].')
    items = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValidationError(f"The pool criterion {key} must list non-empty texts.")
        items.append(item.strip().upper() if upper else item.strip())
    if not items:
        raise ValidationError(f"The pool criterion {key} must list at least one value.")
    return items


def _codes(values: list[str], pattern: re.Pattern[str], what: str) -> tuple[str, ...]:
    for value in values:
        if not pattern.match(value):
            raise ValidationError(f"{value!r} is not a {what} code in the pool criteria.")
    return tuple(dict.fromkeys(values))


def _actions(values: list[str]) -> tuple[CreditAction, ...]:
    known = {action.value: action for action in CreditAction}
    actions = []
    for value in values:
        if value.lower() not in known:
            raise ValidationError(
                f"{value!r} is not a credit action in the pool criteria; use {', '.join(known)}."
            )
        actions.append(known[value.lower()])
    return tuple(dict.fromkeys(actions))


def _amount(raw: Mapping[str, Any], key: str) -> Decimal | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, float) or not isinstance(value, str | int):
        raise ValidationError(f"The pool criterion {key} must be an amount written as text.")
    return to_money(value, what=f"pool criterion {key}", allow_zero=True)


def _days(raw: Mapping[str, Any], key: str) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 36500:
        raise ValidationError(f"The pool criterion {key} must be a whole number of days.")
    return value


def criteria_sql(criteria: PoolCriteria, prefix: str, as_of: date) -> tuple[str, dict[str, Any]]:
    """A SQL predicate on ``customer AS c`` for ``criteria`` and its bind values.

    Bind names start with ``prefix`` so several pools' predicates can share a statement.
    """
    parts: list[str] = []
    params: dict[str, Any] = {}

    def bind(name: str, value: Any) -> str:
        params[f"{prefix}{name}"] = value
        return f":{prefix}{name}"

    if criteria.countries:
        countries = bind("countries", list(criteria.countries))
        parts.append(f"c.country = ANY(CAST({countries} AS text[]))")
    if criteria.currencies:
        currencies = bind("currencies", list(criteria.currencies))
        parts.append(f"c.currency = ANY(CAST({currencies} AS text[]))")
    if criteria.postal_prefixes:
        patterns = [like_escape(prefix_) + "%" for prefix_ in criteria.postal_prefixes]
        parts.append(f"c.postal_code LIKE ANY(CAST({bind('postal', patterns)} AS text[]))")
    if criteria.credit_actions:
        actions = [action.value for action in criteria.credit_actions]
        parts.append(f"c.credit_action = ANY(CAST({bind('actions', actions)} AS text[]))")
    if criteria.min_overdue is not None:
        parts.append(f"c.overdue_balance >= {bind('min_overdue', criteria.min_overdue)}")
    if criteria.max_overdue is not None:
        parts.append(f"c.overdue_balance <= {bind('max_overdue', criteria.max_overdue)}")
    if criteria.min_days_overdue is not None:
        latest = as_of - timedelta(days=criteria.min_days_overdue)
        parts.append(f"c.oldest_due_on <= CAST({bind('oldest', latest)} AS date)")
    return "(" + " AND ".join(parts) + ")", params


def like_escape(text: str) -> str:
    """``text`` with the LIKE wildcards ``%`` and ``_`` (and the escape ``\\``) escaped."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def pools_sql(
    session: Session, pool_ids: Sequence[int], as_of: date, prefix: str = "pool"
) -> tuple[str, dict[str, Any]]:
    """A SQL predicate on ``customer AS c``: the customer is in any of the pools.

    A customer is in a pool when assigned to it (``customer.pool_id``) or, for a pool with
    criteria, when it matches them. Raises NotFound for a pool that does not exist.
    """
    wanted = sorted(set(pool_ids))
    pools = {pool.id: pool for pool in session.scalars(select(Pool).where(Pool.id.in_(wanted)))}
    parts: list[str] = []
    params: dict[str, Any] = {}
    for n, pool_id in enumerate(wanted):
        pool = pools.get(pool_id)
        if pool is None:
            raise NotFound(f"There is no pool with id {pool_id}.")
        name = f"{prefix}{n}_"
        params[f"{name}id"] = pool_id
        member = f"c.pool_id = :{name}id"
        criteria = parse_criteria(pool.criteria)
        if criteria is not None:
            matching, bound = criteria_sql(criteria, name, as_of)
            params.update(bound)
            member = f"({member} OR {matching})"
        parts.append(member)
    if not parts:
        return "false", params
    return "(" + " OR ".join(parts) + ")", params
