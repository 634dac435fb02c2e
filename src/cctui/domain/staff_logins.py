"""Staff members together with their own database logins on a shared server.

The staff row is made and changed by :mod:`cctui.domain.staff_admin` (admins only, audited);
this module adds the PostgreSQL side: a login role named like the staff login, in the
group role of the staff member's role (:mod:`cctui.domain.database_roles`), created in the
same transaction as the staff row so that neither exists without the other. No password
is set: the server authenticates the login by peer (the OS user of the same name) or by a
password the DBA sets (``ALTER ROLE … PASSWORD``), which the person keeps in ``~/.pgpass``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cctui.domain import database_roles as roles
from cctui.domain.errors import NotFound
from cctui.domain.identity import StaffIdentity, normalise_login
from cctui.domain.models import Role, Staff
from cctui.domain.staff_admin import StaffView, change_role, create_staff, list_staff


class LoginRole(enum.StrEnum):
    """What happened to the staff member's database login."""

    CREATED = "created"
    PLACED = "placed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class StaffLogin:
    """A staff member and the state of their database login.

    ``database_group``: the cctui group their login is in; None when they have no login
    role in a group. ``login_role`` says what this call did with it.
    """

    staff: StaffView
    database_group: str | None
    login_role: LoginRole

    def describe(self) -> str:
        """One sentence for people."""
        who = f"{self.staff.login} ({self.staff.name}, {self.staff.role.value})"
        group = roles.group_role(self.staff.role)
        if self.login_role is LoginRole.CREATED:
            return (
                f"{who}: staff member saved; database login {self.staff.login!r} created in "
                f"{group} (no password: peer authentication, or the DBA sets one)."
            )
        if self.login_role is LoginRole.PLACED:
            return f"{who}: staff member saved; database login {self.staff.login!r} is in {group}."
        return f"{who}: staff member saved; no database login was created or changed."


def _wants_login(session: Session, login_role: bool | None, shared_server: bool) -> bool:
    """Whether to manage the login role: as asked, else on a shared server that allows it."""
    if login_role is not None:
        return login_role
    return (
        shared_server
        and roles.may_create_roles(session)
        and roles.existing_groups(session) == set(roles.GROUP_ROLES)
    )


def add_staff(
    session: Session,
    actor: StaffIdentity,
    *,
    login: str,
    name: str,
    role: Role | str,
    email: str | None = None,
    approval_limit: Decimal | int | str | None = None,
    login_role: bool | None = None,
    shared_server: bool = True,
) -> StaffLogin:
    """Add a staff member (admins only) and, when wanted, their database login in its group.

    ``login_role``: True creates (or places) the login role and fails when it cannot, False
    leaves the server's roles alone, None does it on a shared server whose connection may
    create roles and where ``cctui db roles`` has been run.
    """
    view = create_staff(
        session,
        actor,
        login=login,
        name=name,
        role=role,
        email=email,
        approval_limit=approval_limit,
    )
    if not _wants_login(session, login_role, shared_server):
        return StaffLogin(view, None, LoginRole.SKIPPED)
    created = roles.place_login_role(session, view.login, view.role, create=True)
    group = roles.group_role(view.role)
    return StaffLogin(view, group, LoginRole.CREATED if created else LoginRole.PLACED)


def set_staff_role(
    session: Session,
    actor: StaffIdentity,
    login: str,
    role: Role | str,
    *,
    login_role: bool | None = None,
    shared_server: bool = True,
) -> StaffLogin:
    """Give a staff member another role (admins only) and move their database login along.

    The login role is moved when it exists (and ``login_role`` is not False); it is never
    created here unless ``login_role`` is True.
    """
    wanted = normalise_login(login)
    staff_id = session.scalar(select(Staff.id).where(Staff.login == wanted))
    if staff_id is None:
        raise NotFound(f"No staff member has the login {wanted!r}.")
    view = change_role(session, actor, staff_id, role)
    manage = _wants_login(session, login_role, shared_server)
    if not manage or (login_role is None and not roles.login_role_exists(session, view.login)):
        group = roles.login_groups(session, [view.login]).get(view.login)
        return StaffLogin(view, group, LoginRole.SKIPPED)
    created = roles.place_login_role(session, view.login, view.role, create=bool(login_role))
    group_name = roles.group_role(view.role)
    return StaffLogin(view, group_name, LoginRole.CREATED if created else LoginRole.PLACED)


def staff_logins(session: Session, actor: StaffIdentity) -> list[StaffLogin]:
    """Every staff member (admins only) with the cctui group of their database login."""
    views = list_staff(session, actor)
    groups = roles.login_groups(session, [view.login for view in views])
    return [StaffLogin(view, groups.get(view.login), LoginRole.SKIPPED) for view in views]
