"""Changing the book settings from what an admin types: each value parsed and checked first.

:func:`cctui.domain.book_settings.write_setting` stores any JSON; the settings screen goes
through here instead, so a value the getters would refuse (``contacted_within_days`` of
``0``, aging bands that fall) is refused with a sentence and never written.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cctui.domain import book_settings as bs
from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.errors import CctuiError, ConflictError, NotFound, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.letter_placeholders import PLACEHOLDERS, unknown_placeholders
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


TEMPLATE_CODE = re.compile(r"[a-z0-9_-]{1,40}")
"""What a new letter template code may be: lower-case letters, digits, ``_`` and ``-``."""


@dataclass(frozen=True)
class LetterTemplateInfo:
    """A letter template as the settings screen lists and edits it."""

    id: int
    code: str
    kind: LetterKind
    name: str
    subject: str
    body: str


def _info(template: LetterTemplate) -> LetterTemplateInfo:
    return LetterTemplateInfo(
        id=template.id,
        code=template.code,
        kind=template.kind,
        name=template.name,
        subject=template.subject,
        body=template.body,
    )


def _template_state(template: LetterTemplate) -> dict[str, Any]:
    return {
        "code": template.code,
        "kind": template.kind,
        "name": template.name,
        "subject": template.subject,
        "body": template.body,
    }


def letter_templates(session: Session) -> list[LetterTemplateInfo]:
    """Every letter template, by kind then code, with its whole text."""
    templates = session.scalars(
        select(LetterTemplate).order_by(LetterTemplate.kind, LetterTemplate.code)
    )
    return [_info(template) for template in templates]


def _checked_text(code: str, name: str, subject: str, body: str, kept_code: str | None) -> None:
    """Refuse a bad code, a missing or long name or subject, an empty body, unknown names."""
    if code != kept_code and not TEMPLATE_CODE.fullmatch(code):
        raise ValidationError(
            f"A template code is 1 to 40 lower-case letters, digits, _ or -, not {code[:50]!r}."
        )
    if not name or len(name) > 100:
        raise ValidationError("A letter template needs a name of 1 to 100 characters.")
    if not subject or len(subject) > 200:
        raise ValidationError("A letter template needs a subject of 1 to 200 characters.")
    if not body.strip():
        raise ValidationError("A letter template needs a body.")
    unknown = unknown_placeholders(subject)
    unknown += [found for found in unknown_placeholders(body) if found not in unknown]
    if unknown:
        raise ValidationError(
            f"Unknown placeholder{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)}; the known ones are {', '.join(PLACEHOLDERS)}."
        )


def save_letter_template(
    session: Session,
    actor: StaffIdentity,
    *,
    template_id: int | None,
    code: str,
    kind: LetterKind | str,
    name: str,
    subject: str,
    body: str,
) -> LetterTemplateInfo:
    """Add a letter template (``template_id`` None) or change one (admins only).

    Every placeholder in the subject and body must be one of
    :data:`~cctui.domain.letter_placeholders.PLACEHOLDERS`; letters printed from now on use
    the new text. A code another template has is refused. An existing template may keep a
    code from before the code rule (such as ``R1``); a new or changed code must follow it.
    """
    require_role(actor, Role.ADMIN, "edit the letter templates")
    template = None
    if template_id is not None:
        template = session.get(LetterTemplate, template_id, with_for_update=True)
        if template is None:
            raise NotFound(f"There is no letter template with id {template_id}.")
    try:
        wanted_kind = LetterKind(kind)
    except ValueError:
        known = ", ".join(item.value for item in LetterKind)
        raise ValidationError(f"A letter template's kind is one of {known}.") from None
    code = code.strip()
    name = " ".join(name.split())
    subject = " ".join(subject.split())
    body = body.replace("\r\n", "\n").rstrip()
    _checked_text(code, name, subject, body, None if template is None else template.code)
    same_code = select(LetterTemplate.id).where(LetterTemplate.code == code)
    if template is not None:
        same_code = same_code.where(LetterTemplate.id != template.id)
    if session.scalar(same_code) is not None:
        raise ConflictError(f"There is already a letter template with the code {code}.")
    before = None if template is None else _template_state(template)
    if template is None:
        template = LetterTemplate(
            code=code, kind=wanted_kind, name=name, subject=subject, body=body
        )
        session.add(template)
    else:
        template.code, template.kind, template.name = code, wanted_kind, name
        template.subject, template.body = subject, body
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ConflictError(f"There is already a letter template with the code {code}.") from None
    after = _template_state(template)
    if before != after:
        audit(
            session,
            actor,
            action="add_letter_template" if before is None else "change_letter_template",
            entity="letter_template",
            entity_id=template.id,
            before=before,
            after=after,
        )
    return _info(template)
