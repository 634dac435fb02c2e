"""Changing the book settings from what an admin types: each value parsed and checked first.

:func:`cctui.domain.book_settings.write_setting` stores any JSON; the settings screen goes
through here instead, so a value the getters would refuse (``contacted_within_days`` of
``0``, aging bands that fall) is refused with a sentence and never written.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cctui.domain import book_settings as bs
from cctui.domain.authz import require_role
from cctui.domain.errors import CctuiError, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import LetterKind, LetterTemplate, Role

MAX_AGING_DAY = 3650
"""The largest aging band boundary (ten years)."""


@dataclass(frozen=True)
class BookSettingView:
    """One book setting as the settings screen lists it."""

    key: str
    label: str
    value: str
    """The value as an admin would type it (``"0, 30, 60, 90"``), or a note that it is bad."""
    meaning: str


@dataclass(frozen=True)
class LetterTemplateChoice:
    """A letter template a dunning step may send."""

    id: int
    code: str
    kind: LetterKind
    name: str


def _whole(text: str, what: str, low: int, high: int) -> int:
    cleaned = text.strip()
    if not cleaned.lstrip("-").isdigit():
        raise ValidationError(f"The {what} {cleaned!r} is not a whole number.")
    value = int(cleaned)
    if not low <= value <= high:
        raise ValidationError(f"The {what} must be {low} to {high}, not {value}.")
    return value


def _amount(text: str, what: str) -> str:
    cleaned = text.strip().replace(" ", "").replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(f"The {what} {text.strip()!r} is not an amount.") from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError(f"The {what} must be an amount of 0 or more, not {text.strip()!r}.")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(f"The {what} {text.strip()!r} has more than two decimal places.")
    return str(amount.quantize(Decimal("0.01")))


def _aging_bands(text: str) -> list[int]:
    parts = [part for part in text.replace(";", ",").replace(" ", ",").split(",") if part]
    if not parts:
        raise ValidationError("Give the aging band boundaries as days, such as 0, 30, 60, 90.")
    days = [_whole(part, "aging band boundary", 0, MAX_AGING_DAY) for part in parts]
    if days[0] != 0:
        raise ValidationError("The aging band boundaries must start at 0 days.")
    for earlier, later in itertools.pairwise(days):
        if later <= earlier:
            raise ValidationError(
                f"The aging band boundaries must rise: {later} comes after {earlier}."
            )
    return days


@dataclass(frozen=True)
class _Editable:
    label: str
    meaning: str
    parse: Callable[[str], Any]
    show: Callable[[Any], str]


def _show_number(value: Any) -> str:
    return str(value)


def _show_amount(value: Any) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


_EDITABLE: dict[str, _Editable] = {
    bs.AGING_BANDS: _Editable(
        "Aging bands (days)",
        "Boundaries of the aged balance columns, rising from 0.",
        _aging_bands,
        lambda value: ", ".join(str(day) for day in value),
    ),
    bs.CONTACTED_WITHIN_DAYS: _Editable(
        "Contacted within (days)",
        "A successful contact this recent colours a debtor contacted (1-365).",
        lambda text: _whole(text, "number of days", 1, 365),
        _show_number,
    ),
    bs.DUNNING_MIN_OVERDUE: _Editable(
        "Dunning minimum overdue",
        "Customers owing less overdue than this get no dunning letter.",
        lambda text: _amount(text, "dunning minimum"),
        _show_amount,
    ),
    bs.LEASE_MINUTES: _Editable(
        "Claim on a debtor (min)",
        "How long an agent's claim on a debtor lasts unless renewed (1-1440).",
        lambda text: _whole(text, "number of minutes", 1, 24 * 60),
        _show_number,
    ),
    bs.CONTROLLER_LIMIT_AUTHORITY: _Editable(
        "Controller limit authority",
        "Largest credit limit a controller sets without a supervisor.",
        lambda text: _amount(text, "controller limit authority"),
        _show_amount,
    ),
}
"""The settings the screen edits one by one, in the order it lists them."""

_CHECKS: dict[str, Callable[[Session], object]] = {
    bs.AGING_BANDS: bs.aging_band_limits,
    bs.CONTACTED_WITHIN_DAYS: bs.contacted_within_days,
    bs.DUNNING_MIN_OVERDUE: bs.dunning_min_overdue,
    bs.LEASE_MINUTES: bs.lease_minutes,
    bs.CONTROLLER_LIMIT_AUTHORITY: bs.controller_limit_authority,
}


def _view(session: Session, key: str) -> BookSettingView:
    editable = _EDITABLE[key]
    try:
        _CHECKS[key](session)
        value = editable.show(bs.read_setting(session, key))
    except CctuiError:
        value = f"invalid: {bs.read_setting(session, key)!r}"
    return BookSettingView(key, editable.label, value, editable.meaning)


def list_book_settings(session: Session) -> list[BookSettingView]:
    """The book settings an admin edits on the settings screen, with their current values."""
    return [_view(session, key) for key in _EDITABLE]


def change_book_setting(
    session: Session, actor: StaffIdentity, key: str, typed: str
) -> BookSettingView:
    """Store the setting ``key`` from the text an admin typed (admins only).

    The text is parsed and checked first: a bad value raises a ValidationError and nothing
    is written. Writing the value it already has writes nothing either.
    """
    require_role(actor, Role.ADMIN, "change book settings")
    editable = _EDITABLE.get(key)
    if editable is None:
        raise ValidationError(f"There is no book setting called {key!r} to change here.")
    value = editable.parse(typed)
    if bs.read_setting(session, key) != value:
        bs.write_setting(session, actor, key, value)
        _CHECKS[key](session)
    return _view(session, key)


def save_letterhead(session: Session, actor: StaffIdentity, wanted: bs.Letterhead) -> bs.Letterhead:
    """Store the letterhead as typed (admins only): blanks trimmed, empty address lines dropped.

    Only the fields that changed are written (each with its audit row).
    """
    require_role(actor, Role.ADMIN, "change the letterhead")
    lines = [" ".join(line.split()) for line in wanted.address_lines]
    values: dict[str, Any] = {
        bs.LETTERHEAD_COMPANY: " ".join(wanted.company_name.split()),
        bs.LETTERHEAD_ADDRESS: [line for line in lines if line],
        bs.LETTERHEAD_PHONE: wanted.phone.strip(),
        bs.LETTERHEAD_EMAIL: wanted.email.strip(),
        bs.LETTERHEAD_REGISTRATION: wanted.registration_number.strip(),
        bs.LETTERHEAD_FOOTER: " ".join(wanted.footer.split()),
    }
    _check_letterhead(values)
    for key, value in values.items():
        if bs.read_setting(session, key) != value:
            bs.write_setting(session, actor, key, value)
    return bs.letterhead(session)


_LETTERHEAD_LABELS = {
    bs.LETTERHEAD_COMPANY: "company name",
    bs.LETTERHEAD_ADDRESS: "address line",
    bs.LETTERHEAD_PHONE: "phone number",
    bs.LETTERHEAD_EMAIL: "e-mail address",
    bs.LETTERHEAD_REGISTRATION: "VAT or registration number",
    bs.LETTERHEAD_FOOTER: "footer",
}


def _check_letterhead(values: dict[str, Any]) -> None:
    if len(values[bs.LETTERHEAD_ADDRESS]) > bs.LETTERHEAD_LINES:
        raise ValidationError(f"A letterhead has at most {bs.LETTERHEAD_LINES} address lines.")
    for key, value in values.items():
        limit = bs.LETTERHEAD_LIMITS[key]
        for text in value if isinstance(value, list) else [value]:
            if len(text) > limit:
                raise ValidationError(
                    f"The letterhead's {_LETTERHEAD_LABELS[key]} may have at most "
                    f"{limit} characters, not {len(text):,}."
                )
    email = values[bs.LETTERHEAD_EMAIL]
    if email and (" " in email or email.find("@") < 1 or email.endswith("@")):
        raise ValidationError(f"{email!r} is not an e-mail address.")
    if not values[bs.LETTERHEAD_COMPANY] and any(
        values[key] for key in values if key != bs.LETTERHEAD_COMPANY
    ):
        raise ValidationError("A letterhead with an address or footer needs the company name.")


def letter_template_choices(session: Session) -> list[LetterTemplateChoice]:
    """The letter templates, by code, for the dunning step form to offer."""
    templates = session.scalars(select(LetterTemplate).order_by(LetterTemplate.code))
    return [
        LetterTemplateChoice(
            id=template.id, code=template.code, kind=template.kind, name=template.name
        )
        for template in templates
    ]
