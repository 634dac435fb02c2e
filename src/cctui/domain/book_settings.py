"""Book-wide settings with their defaults, read and written through one place.

Settings live in the ``setting`` table as JSON; a book that never stored a key uses the
default here. Every getter validates what it reads, so a hand-edited bad value gives a clear
error rather than a wrong figure.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.errors import ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import Role, Setting
from cctui.domain.prepared import ReadStatement, fetch

AGING_BANDS = "aging_bands"
CONTACTED_WITHIN_DAYS = "contacted_within_days"
CONTROLLER_LIMIT_AUTHORITY = "controller_limit_authority"
DUNNING_MIN_OVERDUE = "dunning_min_overdue"
LEASE_MINUTES = "lease_minutes"
LETTERHEAD_COMPANY = "letterhead_company"
LETTERHEAD_ADDRESS = "letterhead_address"
LETTERHEAD_PHONE = "letterhead_phone"
LETTERHEAD_EMAIL = "letterhead_email"
LETTERHEAD_REGISTRATION = "letterhead_registration"
LETTERHEAD_FOOTER = "letterhead_footer"
SMTP_HOST = "smtp_host"
SMTP_PORT = "smtp_port"
SMTP_SECURITY = "smtp_security"
SMTP_USER = "smtp_user"
SMTP_FROM = "smtp_from"

DEFAULTS: dict[str, Any] = {
    AGING_BANDS: [0, 30, 60, 90],
    CONTACTED_WITHIN_DAYS: 14,
    CONTROLLER_LIMIT_AUTHORITY: "10000.00",
    DUNNING_MIN_OVERDUE: "10.00",
    LEASE_MINUTES: 15,
    LETTERHEAD_COMPANY: "",
    LETTERHEAD_ADDRESS: [],
    LETTERHEAD_PHONE: "",
    LETTERHEAD_EMAIL: "",
    LETTERHEAD_REGISTRATION: "",
    LETTERHEAD_FOOTER: "",
    SMTP_HOST: "",
    SMTP_PORT: 587,
    SMTP_SECURITY: "starttls",
    SMTP_USER: "",
    SMTP_FROM: "",
}
"""The value of each known key when the book has not stored one.

The SMTP keys (statements by e-mail, see :mod:`cctui.domain.smtp_settings`): a blank
``smtp_host`` means no server is set; a blank ``smtp_from`` means the letterhead's e-mail
address. The SMTP password is never a setting: it comes only from the environment variable
``CCTUI_SMTP_PASSWORD``.
"""


@dataclass(frozen=True)
class AgingBand:
    """One aging band: open amounts ``first_day``..``last_day`` days past due (inclusive).

    ``first_day`` is None for the band of amounts not yet past due ("current");
    ``last_day`` is None for the last, open-ended band.
    """

    label: str
    first_day: int | None
    last_day: int | None


@cache
def _setting_statement() -> ReadStatement:
    return select(Setting.value).where(Setting.key == bindparam("key"))


def read_setting(session: Session, key: str) -> Any:
    """The stored JSON value of ``key``, or its default (None for an unknown key)."""
    rows = fetch(session, _setting_statement(), key=key)
    stored = rows[0].value if rows else None
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


LETTERHEAD_LINES = 4
"""Most address lines a letterhead holds."""

LETTERHEAD_LIMITS = {
    LETTERHEAD_COMPANY: 200,
    LETTERHEAD_ADDRESS: 200,
    LETTERHEAD_PHONE: 40,
    LETTERHEAD_EMAIL: 320,
    LETTERHEAD_REGISTRATION: 100,
    LETTERHEAD_FOOTER: 500,
}
"""Longest text of each letterhead field (of each address line for the address)."""


@dataclass(frozen=True)
class Letterhead:
    """The company details printed at the head and foot of every letter (blank: not given)."""

    company_name: str
    address_lines: tuple[str, ...]
    phone: str
    email: str
    registration_number: str
    """VAT or company registration number."""
    footer: str


def _letterhead_text(session: Session, key: str) -> str:
    value = read_setting(session, key)
    if not isinstance(value, str) or len(value) > LETTERHEAD_LIMITS[key]:
        raise ValidationError(
            f"The {key} setting must be text of at most {LETTERHEAD_LIMITS[key]} characters."
        )
    return value


def letterhead(session: Session) -> Letterhead:
    """The letterhead as stored (every field blank until an admin fills it in)."""
    lines = read_setting(session, LETTERHEAD_ADDRESS)
    if (
        not isinstance(lines, list)
        or len(lines) > LETTERHEAD_LINES
        or not all(
            isinstance(line, str) and len(line) <= LETTERHEAD_LIMITS[LETTERHEAD_ADDRESS]
            for line in lines
        )
    ):
        raise ValidationError(
            f"The {LETTERHEAD_ADDRESS} setting must be at most {LETTERHEAD_LINES} lines of text."
        )
    return Letterhead(
        company_name=_letterhead_text(session, LETTERHEAD_COMPANY),
        address_lines=tuple(lines),
        phone=_letterhead_text(session, LETTERHEAD_PHONE),
        email=_letterhead_text(session, LETTERHEAD_EMAIL),
        registration_number=_letterhead_text(session, LETTERHEAD_REGISTRATION),
        footer=_letterhead_text(session, LETTERHEAD_FOOTER),
    )
