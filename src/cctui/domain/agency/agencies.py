"""The collection agencies (seed 000): who they are, how to reach them, their commission.

Admins keep the list; an agency is never deleted (hand-overs refer to it) but deactivated:
an inactive agency takes no new invoices, while the invoices already with it stay there
until recalled. Names are unique regardless of case.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.errors import ConflictError, NotFound, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import CollectionAgency, Role

AGENCY_NAME_INDEX = "uq_collection_agency_name"
"""The unique constraint on agency names."""

_PERCENT_PLACES = Decimal("0.001")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LIMITS = {
    "name": 200,
    "address_line1": 200,
    "postal_code": 20,
    "city": 100,
    "contact_person": 200,
    "phone": 40,
    "email": 320,
}
_LABELS = {
    "name": "name",
    "address_line1": "address",
    "postal_code": "postal code",
    "city": "city",
    "contact_person": "contact person",
    "phone": "phone number",
    "email": "e-mail address",
}


@dataclass(frozen=True)
class AgencyDetails:
    """What an admin types for an agency; blanks mean "not given".

    ``commission_percent`` is the agency's commission on what it collects, 0 to 100 with at
    most three decimal places, given exactly (a Decimal, int or string, never a float).
    """

    name: str
    address_line1: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    contact_person: str | None = None
    phone: str | None = None
    email: str | None = None
    commission_percent: Decimal | int | str = Decimal(0)


@dataclass(frozen=True)
class AgencyView:
    """A collection agency as lists and forms show it (a read model)."""

    id: int
    name: str
    address_line1: str | None
    postal_code: str | None
    city: str | None
    country: str | None
    contact_person: str | None
    phone: str | None
    email: str | None
    commission_percent: Decimal
    active: bool


def _view(agency: CollectionAgency) -> AgencyView:
    return AgencyView(
        id=agency.id,
        name=agency.name,
        address_line1=agency.address_line1,
        postal_code=agency.postal_code,
        city=agency.city,
        country=agency.country,
        contact_person=agency.contact_person,
        phone=agency.phone,
        email=agency.email,
        commission_percent=agency.commission_percent,
        active=agency.active,
    )


def _snapshot(agency: CollectionAgency) -> dict[str, Any]:
    values = asdict(_view(agency))
    values.pop("id")
    return values


def commission_percent(value: Decimal | int | str) -> Decimal:
    """``value`` as a commission percentage 0-100 (three places at most), or a ValidationError."""
    if isinstance(value, float | bool):
        raise ValidationError("The commission must be given exactly as a number, not a float.")
    text = str(value).strip().replace(",", ".").removesuffix("%").strip()
    try:
        percent = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"The commission {str(value)!r} is not a number.") from None
    if not percent.is_finite() or not Decimal(0) <= percent <= Decimal(100):
        raise ValidationError(f"The commission must be between 0 and 100 %, not {value!s}.")
    if percent != percent.quantize(_PERCENT_PLACES):
        raise ValidationError(f"The commission {value!s} has more than three decimal places.")
    return percent.quantize(_PERCENT_PLACES)


def _text(value: str | None, field: str) -> str | None:
    cleaned = " ".join((value or "").split())
    if not cleaned:
        return None
    if len(cleaned) > _LIMITS[field]:
        raise ValidationError(
            f"The agency's {_LABELS[field]} may have at most {_LIMITS[field]} characters."
        )
    return cleaned


def _clean(details: AgencyDetails) -> dict[str, Any]:
    """The column values of ``details``, checked and tidied."""
    name = _text(details.name, "name")
    if name is None:
        raise ValidationError("A collection agency needs a name.")
    country = (details.country or "").strip().upper() or None
    if country is not None and not _COUNTRY.match(country):
        raise ValidationError(f"{details.country!r} is not a two-letter country code such as DE.")
    email = _text(details.email, "email")
    if email is not None and (" " in email or email.find("@") < 1 or email.endswith("@")):
        raise ValidationError(f"{email!r} is not an e-mail address.")
    return {
        "name": name,
        "address_line1": _text(details.address_line1, "address_line1"),
        "postal_code": _text(details.postal_code, "postal_code"),
        "city": _text(details.city, "city"),
        "country": country,
        "contact_person": _text(details.contact_person, "contact_person"),
        "phone": _text(details.phone, "phone"),
        "email": email,
        "commission_percent": commission_percent(details.commission_percent),
    }


def _name_free(session: Session, name: str, agency_id: int | None) -> None:
    query = select(CollectionAgency.name).where(func.lower(CollectionAgency.name) == name.lower())
    if agency_id is not None:
        query = query.where(CollectionAgency.id != agency_id)
    taken = session.scalar(query)
    if taken is not None:
        raise ConflictError(f"There is already a collection agency named {taken!r}.")


def _flush_unique(session: Session, name: str) -> None:
    """Flush, telling a name taken by a concurrent save as a sentence."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
        if constraint != AGENCY_NAME_INDEX:
            raise
        raise ConflictError(f"There is already a collection agency named {name!r}.") from None


def _locked_agency(session: Session, agency_id: int) -> CollectionAgency:
    agency = session.scalar(
        select(CollectionAgency)
        .where(CollectionAgency.id == agency_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if agency is None:
        raise NotFound(f"There is no collection agency with id {agency_id}.")
    return agency


def list_agencies(session: Session, *, include_inactive: bool = True) -> list[AgencyView]:
    """Every collection agency by name (only the active ones unless ``include_inactive``)."""
    query = select(CollectionAgency).order_by(func.lower(CollectionAgency.name))
    if not include_inactive:
        query = query.where(CollectionAgency.active)
    return [_view(agency) for agency in session.scalars(query)]


def get_agency(session: Session, agency_id: int) -> AgencyView:
    """One collection agency, or NotFound."""
    agency = session.get(CollectionAgency, agency_id)
    if agency is None:
        raise NotFound(f"There is no collection agency with id {agency_id}.")
    return _view(agency)


def create_agency(session: Session, actor: StaffIdentity, *, details: AgencyDetails) -> AgencyView:
    """Add a collection agency (admins only); it starts active."""
    require_role(actor, Role.ADMIN, "add collection agencies")
    values = _clean(details)
    _name_free(session, values["name"], None)
    agency = CollectionAgency(**values, active=True)
    session.add(agency)
    _flush_unique(session, values["name"])
    audit(
        session,
        actor,
        action="create_agency",
        entity="collection_agency",
        entity_id=agency.id,
        after=_snapshot(agency),
    )
    return _view(agency)


def update_agency(
    session: Session, actor: StaffIdentity, *, agency_id: int, details: AgencyDetails
) -> AgencyView:
    """Save an agency's details as typed (admins only); the active flag is left as it is."""
    require_role(actor, Role.ADMIN, "edit collection agencies")
    values = _clean(details)
    agency = _locked_agency(session, agency_id)
    _name_free(session, values["name"], agency.id)
    before = _snapshot(agency)
    for column, value in values.items():
        setattr(agency, column, value)
    _flush_unique(session, values["name"])
    after = _snapshot(agency)
    changed = {key for key in after if after[key] != before[key]}
    if changed:
        audit(
            session,
            actor,
            action="update_agency",
            entity="collection_agency",
            entity_id=agency.id,
            before={key: before[key] for key in sorted(changed)},
            after={key: after[key] for key in sorted(changed)},
        )
    return _view(agency)


def deactivate_agency(session: Session, actor: StaffIdentity, *, agency_id: int) -> AgencyView:
    """Stop handing invoices to an agency (admins only); invoices already there stay."""
    return _set_active(session, actor, agency_id, active=False)


def reactivate_agency(session: Session, actor: StaffIdentity, *, agency_id: int) -> AgencyView:
    """Let an inactive agency take invoices again (admins only)."""
    return _set_active(session, actor, agency_id, active=True)


def _set_active(
    session: Session, actor: StaffIdentity, agency_id: int, *, active: bool
) -> AgencyView:
    doing = "reactivate collection agencies" if active else "deactivate collection agencies"
    require_role(actor, Role.ADMIN, doing)
    agency = _locked_agency(session, agency_id)
    if agency.active == active:
        state = "active" if active else "inactive"
        raise ConflictError(f"The collection agency {agency.name!r} is already {state}.")
    agency.active = active
    session.flush()
    audit(
        session,
        actor,
        action="reactivate_agency" if active else "deactivate_agency",
        entity="collection_agency",
        entity_id=agency.id,
        before={"active": not active},
        after={"active": active},
    )
    return _view(agency)
