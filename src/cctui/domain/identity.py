"""Who is using cctui: staff rows matched to the OS or SSH login."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cctui.domain.audit import record_audit
from cctui.domain.database_roles import check_database_login
from cctui.domain.errors import CctuiError, ConflictError, ValidationError
from cctui.domain.models import Role, Staff


class UnknownLogin(CctuiError):
    """No active staff member has this login."""

    def __init__(self, login: str) -> None:
        super().__init__(
            f"No active staff member has the login {login!r}: ask an admin to add you to "
            "the staff, or start cctui with --user LOGIN."
        )
        self.login = login


@dataclass(frozen=True)
class StaffIdentity:
    """The staff member acting: handed to screens and to every service that changes data."""

    id: int
    login: str
    name: str
    role: Role

    def has_role(self, role: Role) -> bool:
        """True when this person's role includes the rights of ``role``."""
        return self.role.at_least(role)


def normalise_login(login: str) -> str:
    """Logins are stored lower-case and without surrounding blanks."""
    cleaned = login.strip().lower()
    if not cleaned or len(cleaned) > 64:
        raise ValidationError("A login must have between 1 and 64 characters.")
    return cleaned


def _identity(staff: Staff) -> StaffIdentity:
    return StaffIdentity(id=staff.id, login=staff.login, name=staff.name, role=staff.role)


def identify(session: Session, login: str) -> StaffIdentity:
    """Return the active staff member with ``login`` or raise ``UnknownLogin``.

    On a shared server where the connection is a staff member's own database login (a
    member of a cctui group role), ``login`` must be that login: see
    :func:`cctui.domain.database_roles.check_database_login`.
    """
    wanted = normalise_login(login)
    check_database_login(session, wanted)
    staff = session.scalar(select(Staff).where(Staff.login == wanted, Staff.active))
    if staff is None:
        raise UnknownLogin(wanted)
    return _identity(staff)


def staff_count(session: Session) -> int:
    """How many staff rows exist (active or not)."""
    return session.scalar(select(func.count()).select_from(Staff)) or 0


def create_first_admin(session: Session, login: str, name: str) -> StaffIdentity:
    """Create ``login`` as an admin on a private (embedded) book.

    Refused when the login already exists; the caller decides whether the database is
    one where the person running cctui may make themselves an admin.
    """
    wanted = normalise_login(login)
    if session.scalar(select(Staff.id).where(Staff.login == wanted)) is not None:
        raise ConflictError(f"A staff member with the login {wanted!r} already exists.")
    display_name = name.strip() or wanted
    staff = Staff(login=wanted, name=display_name, role=Role.ADMIN)
    session.add(staff)
    session.flush()
    record_audit(
        session,
        actor=wanted,
        staff_id=staff.id,
        action="create_first_admin",
        entity="staff",
        entity_id=staff.id,
        after={"login": wanted, "name": display_name, "role": Role.ADMIN},
    )
    return _identity(staff)
