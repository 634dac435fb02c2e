"""The staff list admins keep: who may log in, with which role, limit and approval password.

Staff are never deleted (notes, letters and the audit log name them); an admin deactivates
them instead. The book always keeps one active admin: the last one can be neither demoted
nor deactivated. Every change is admin-only and leaves an audit row; approval passwords are
stored as slow salted hashes (:mod:`cctui.domain.secrets`), never as typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.errors import ConflictError, NotFound, ValidationError
from cctui.domain.identity import StaffIdentity, normalise_login
from cctui.domain.models import Role, Staff
from cctui.domain.money import to_money
from cctui.domain.secrets import hash_secret

NAME_MAX = 200
EMAIL_MAX = 320
PASSWORD_MIN = 8
"""Shortest approval password accepted."""
PASSWORD_MAX = 200


@dataclass(frozen=True)
class StaffView:
    """A staff member as the settings screen lists them (the password hash is not included)."""

    id: int
    login: str
    name: str
    email: str | None
    role: Role
    approval_limit: Decimal | None
    has_approval_password: bool
    active: bool


def _view(staff: Staff) -> StaffView:
    return StaffView(
        id=staff.id,
        login=staff.login,
        name=staff.name,
        email=staff.email,
        role=staff.role,
        approval_limit=staff.approval_limit,
        has_approval_password=staff.approval_secret is not None,
        active=staff.active,
    )


def _role(value: Role | str) -> Role:
    try:
        return Role(str(value).strip().lower())
    except ValueError:
        choices = ", ".join(role.value for role in Role)
        raise ValidationError(f"The role must be one of {choices}, not {value!r}.") from None


def _name(value: str) -> str:
    cleaned = " ".join(value.split())
    if not 1 <= len(cleaned) <= NAME_MAX:
        raise ValidationError(f"A staff member needs a name of 1 to {NAME_MAX} characters.")
    return cleaned


def _email(value: str | None) -> str | None:
    cleaned = (value or "").strip()
    if not cleaned:
        return None
    if len(cleaned) > EMAIL_MAX or " " in cleaned or cleaned.find("@") < 1 or cleaned.endswith("@"):
        raise ValidationError(f"{cleaned[:80]!r} is not an e-mail address.")
    return cleaned


def _limit(value: Decimal | int | str | None) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return to_money(value, what="approval limit", allow_zero=True)


def _login(value: str) -> str:
    login = normalise_login(value)
    if any(character.isspace() or not character.isprintable() for character in login):
        raise ValidationError(f"The login {login!r} must not contain blanks.")
    return login


def list_staff(session: Session, actor: StaffIdentity) -> list[StaffView]:
    """Every staff member, active first, by login (admins only)."""
    require_role(actor, Role.ADMIN, "see the staff list")
    rows = session.scalars(select(Staff).order_by(Staff.active.desc(), Staff.login))
    return [_view(staff) for staff in rows]


def create_staff(
    session: Session,
    actor: StaffIdentity,
    *,
    login: str,
    name: str,
    role: Role | str,
    approval_limit: Decimal | int | str | None = None,
    email: str | None = None,
) -> StaffView:
    """Add an active staff member (admins only); the login must be unused."""
    require_role(actor, Role.ADMIN, "add staff")
    wanted = _login(login)
    values = {
        "login": wanted,
        "name": _name(name),
        "email": _email(email),
        "role": _role(role),
        "approval_limit": _limit(approval_limit),
    }
    if session.scalar(select(Staff.id).where(Staff.login == wanted)) is not None:
        raise ConflictError(f"A staff member with the login {wanted!r} already exists.")
    staff = Staff(**values, active=True)
    try:
        with session.begin_nested():
            session.add(staff)
            session.flush()
    except IntegrityError:
        raise ConflictError(f"A staff member with the login {wanted!r} already exists.") from None
    audit(session, actor, action="create_staff", entity="staff", entity_id=staff.id, after=values)
    return _view(staff)


def _locked(session: Session, staff_id: int) -> Staff:
    staff = session.scalar(
        select(Staff)
        .where(Staff.id == staff_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if staff is None:
        raise NotFound(f"There is no staff member with id {staff_id}.")
    return staff


def _lock_admins(session: Session) -> list[int]:
    """Lock every active admin row, in id order, before touching the row being changed.

    Two admins demoting each other at once then queue on the same first row instead of
    deadlocking, and the second sees the first's change when its turn comes.
    """
    return list(
        session.scalars(
            select(Staff.id)
            .where(Staff.role == Role.ADMIN, Staff.active)
            .order_by(Staff.id)
            .with_for_update()
        )
    )


def _keep_an_admin(staff: Staff, admins: list[int], doing: str) -> None:
    """Refuse when ``staff`` is the last of the active ``admins`` (see :func:`_lock_admins`)."""
    if staff.role is not Role.ADMIN or not staff.active:
        return
    if not [admin for admin in admins if admin != staff.id]:
        raise ConflictError(
            f"{staff.login} is the last active admin, so cannot be {doing}; "
            "make someone else an admin first."
        )


def update_staff(
    session: Session,
    actor: StaffIdentity,
    staff_id: int,
    *,
    name: str,
    approval_limit: Decimal | int | str | None,
    email: str | None = None,
) -> StaffView:
    """Save a staff member's name, e-mail and approval limit as typed (admins only)."""
    require_role(actor, Role.ADMIN, "edit staff")
    values = {"name": _name(name), "email": _email(email), "approval_limit": _limit(approval_limit)}
    staff = _locked(session, staff_id)
    before = {key: getattr(staff, key) for key in values}
    changed = [key for key, value in values.items() if before[key] != value]
    if changed:
        for key in changed:
            setattr(staff, key, values[key])
        session.flush()
        audit(
            session,
            actor,
            action="update_staff",
            entity="staff",
            entity_id=staff.id,
            before={key: before[key] for key in changed},
            after={key: values[key] for key in changed},
        )
    return _view(staff)


def change_role(
    session: Session, actor: StaffIdentity, staff_id: int, role: Role | str
) -> StaffView:
    """Give a staff member another role (admins only); the last active admin stays one.

    Someone who is no longer a supervisor or admin loses their approval password.
    """
    require_role(actor, Role.ADMIN, "change staff roles")
    wanted = _role(role)
    admins = _lock_admins(session)
    staff = _locked(session, staff_id)
    if staff.role is wanted:
        return _view(staff)
    if wanted is not Role.ADMIN:
        _keep_an_admin(staff, admins, f"made {_article(wanted)} {wanted.value}")
    before = staff.role
    staff.role = wanted
    dropped = not wanted.at_least(Role.SUPERVISOR) and staff.approval_secret is not None
    if dropped:
        staff.approval_secret = None
    session.flush()
    audit(
        session,
        actor,
        action="change_staff_role",
        entity="staff",
        entity_id=staff.id,
        before={"role": before},
        after={"role": wanted, "approval_password_removed": dropped},
    )
    return _view(staff)


def _article(role: Role) -> str:
    return "an" if role.value[0] in "aeiou" else "a"


def deactivate_staff(session: Session, actor: StaffIdentity, staff_id: int) -> StaffView:
    """Stop a staff member logging in (admins only); not yourself, nor the last active admin."""
    return _set_active(session, actor, staff_id, active=False)


def reactivate_staff(session: Session, actor: StaffIdentity, staff_id: int) -> StaffView:
    """Let a deactivated staff member log in again (admins only)."""
    return _set_active(session, actor, staff_id, active=True)


def _set_active(
    session: Session, actor: StaffIdentity, staff_id: int, *, active: bool
) -> StaffView:
    require_role(actor, Role.ADMIN, "reactivate staff" if active else "deactivate staff")
    admins = [] if active else _lock_admins(session)
    staff = _locked(session, staff_id)
    if staff.active == active:
        state = "active" if active else "inactive"
        raise ConflictError(f"{staff.login} is already {state}.")
    if not active:
        if staff.id == actor.id:
            raise ConflictError("You cannot deactivate yourself; ask another admin.")
        _keep_an_admin(staff, admins, "deactivated")
    staff.active = active
    session.flush()
    audit(
        session,
        actor,
        action="reactivate_staff" if active else "deactivate_staff",
        entity="staff",
        entity_id=staff.id,
        before={"active": not active},
        after={"active": active},
    )
    return _view(staff)


def set_approval_password(
    session: Session, actor: StaffIdentity, staff_id: int, password: str
) -> StaffView:
    """Set the password a supervisor or admin types to approve a held document (admins only).

    The audit row says that it changed, never what it is.
    """
    require_role(actor, Role.ADMIN, "set approval passwords")
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise ValidationError(
            f"An approval password needs {PASSWORD_MIN} to {PASSWORD_MAX} characters."
        )
    if not password.strip():
        raise ValidationError("An approval password cannot be only blanks.")
    staff = _locked(session, staff_id)
    if not staff.role.at_least(Role.SUPERVISOR):
        raise ConflictError(
            f"{staff.login} is {_article(staff.role)} {staff.role.value}: only supervisors and "
            "admins approve, so only they have an approval password."
        )
    if not staff.active:
        raise ConflictError(f"{staff.login} is inactive; reactivate them first.")
    had = staff.approval_secret is not None
    staff.approval_secret = hash_secret(password)
    session.flush()
    audit(
        session,
        actor,
        action="set_approval_password",
        entity="staff",
        entity_id=staff.id,
        before={"approval_password": had},
        after={"approval_password": True},
    )
    return _view(staff)


def active_admins(session: Session) -> int:
    """How many active admins the book has."""
    return (
        session.scalar(
            select(func.count()).select_from(Staff).where(Staff.role == Role.ADMIN, Staff.active)
        )
        or 0
    )
