"""Book-wide settings with their defaults, read and written through one place.

Settings live in the ``setting`` table as JSON; a book that never stored a key uses the
default here. Every getter validates what it reads, so a hand-edited bad value gives a clear
error rather than a wrong figure.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.errors import ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import Role, Setting

AGING_BANDS = "aging_bands"
CONTACTED_WITHIN_DAYS = "contacted_within_days"
CONTROLLER_LIMIT_AUTHORITY = "controller_limit_authority"
DUNNING_MIN_OVERDUE = "dunning_min_overdue"
LEASE_MINUTES = "lease_minutes"

DEFAULTS: dict[str, Any] = {
    AGING_BANDS: [0, 30, 60, 90],
    CONTACTED_WITHIN_DAYS: 14,
    CONTROLLER_LIMIT_AUTHORITY: "10000.00",
    DUNNING_MIN_OVERDUE: "10.00",
    LEASE_MINUTES: 15,
}
"""The value of each known key when the book has not stored one."""


@dataclass(frozen=True)
class AgingBand:
    """One aging band: open amounts ``first_day``..``last_day`` days past due (inclusive).

    ``first_day`` is None for the band of amounts not yet past due ("current");
    ``last_day`` is None for the last, open-ended band.
    """

    label: str
    first_day: int | None
    last_day: int | None


def read_setting(session: Session, key: str) -> Any:
    """The stored JSON value of ``key``, or its default (None for an unknown key)."""
    stored = session.scalar(select(Setting.value).where(Setting.key == key))
    return DEFAULTS.get(key) if stored is None else stored


def write_setting(session: Session, actor: StaffIdentity, key: str, value: Any) -> None:
    """Store ``value`` under ``key`` (admins only), with an audit row of before and after."""
    require_role(actor, Role.ADMIN, "change book settings")
    before = session.scalar(select(Setting.value).where(Setting.key == key))
    statement = insert(Setting).values(key=key, value=value, updated_by_id=actor.id)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Setting.key],
            set_={"value": statement.excluded.value, "updated_by_id": actor.id},
        )
    )
    audit(
        session,
        actor,
        action="change_setting",
        entity="setting",
        entity_id=key,
        before=None if before is None else {"value": before},
        after={"value": value},
    )


def aging_band_limits(session: Session) -> list[int]:
    """The aging band boundaries in days past due, e.g. ``[0, 30, 60, 90]``.

    They must be whole numbers, start at 0 and rise strictly.
    """
    value = read_setting(session, AGING_BANDS)
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(day, int) and not isinstance(day, bool) for day in value)
        or value[0] != 0
        or any(later <= earlier for earlier, later in itertools.pairwise(value))
    ):
        raise ValidationError(
            f"The aging_bands setting must be rising whole days starting at 0, not {value!r}."
        )
    return list(value)


def aging_bands(session: Session) -> list[AgingBand]:
    """The aging bands the limits describe: current, 1-30, 31-60, 61-90, 90+ by default."""
    return bands_from_limits(aging_band_limits(session))


def bands_from_limits(limits: list[int]) -> list[AgingBand]:
    """Aging bands for boundaries such as ``[0, 30, 60, 90]`` (see :func:`aging_band_limits`)."""
    bands = [AgingBand("current", None, limits[0])]
    for earlier, later in itertools.pairwise(limits):
        bands.append(AgingBand(f"{earlier + 1}-{later}", earlier + 1, later))
    bands.append(AgingBand(f"{limits[-1]}+", limits[-1] + 1, None))
    return bands


def contacted_within_days(session: Session) -> int:
    """Days within which a successful contact makes a debtor "contacted" (seed 004)."""
    value = read_setting(session, CONTACTED_WITHIN_DAYS)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 365:
        raise ValidationError(
            f"The contacted_within_days setting must be 1 to 365 days, not {value!r}."
        )
    return value


def _amount_setting(session: Session, key: str) -> Decimal:
    value = read_setting(session, key)
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0:
        raise ValidationError(f"The {key} setting must be an amount of 0 or more, not {value!r}.")
    return amount


def dunning_min_overdue(session: Session) -> Decimal:
    """Customers whose overdue total is below this are not dunned (a tolerance)."""
    return _amount_setting(session, DUNNING_MIN_OVERDUE)


def lease_minutes(session: Session) -> int:
    """How long an agent's claim on a debtor lasts unless renewed."""
    value = read_setting(session, LEASE_MINUTES)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 24 * 60:
        raise ValidationError(
            f"The lease_minutes setting must be 1 to 1440 minutes, not {value!r}."
        )
    return value


def controller_limit_authority(session: Session) -> Decimal:
    """The largest credit limit a controller may set without a supervisor's approval.

    A staff member's own ``approval_limit`` overrides it.
    """
    return _amount_setting(session, CONTROLLER_LIMIT_AUTHORITY)
