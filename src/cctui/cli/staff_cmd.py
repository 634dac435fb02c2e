"""``cctui staff add|role|list``: the staff list, with each person's own database login.

Admins only (the domain checks). On a shared server whose connection may create roles
(the schema owner with CREATEROLE, or a superuser) and where ``cctui db roles`` has been
run, adding a staff member also creates their PostgreSQL login in their role's group, and
a change of role moves it; on the embedded database no login role is made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import click

from cctui.cli.common import CliState, pass_state

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cctui.domain.identity import StaffIdentity
    from cctui.domain.staff_logins import StaffLogin

T = TypeVar("T")

ROLES = ("agent", "controller", "supervisor", "admin")
"""The staff roles, lowest first (kept here so that ``--help`` needs no domain import)."""

_LOGIN_ROLE_HELP = (
    "Create (or move) the person's PostgreSQL login role in the cctui group of the role "
    "(default: on a shared server where this connection may create roles and "
    "`cctui db roles` has been run); --no-login-role leaves the server's roles alone."
)


@click.group("staff")
def staff_group() -> None:
    """Manage the staff list and each person's database login (admins)."""


@staff_group.command("add")
@click.argument("login")
@click.option("--role", type=click.Choice(ROLES), required=True, help="The staff role.")
@click.option("--name", metavar="TEXT", help="Full name (default: the login).")
@click.option("--email", metavar="ADDRESS", help="E-mail address.")
@click.option("--login-role/--no-login-role", "login_role", default=None, help=_LOGIN_ROLE_HELP)
@pass_state
def add_command(
    state: CliState,
    login: str,
    role: str,
    name: str | None,
    email: str | None,
    login_role: bool | None,
) -> None:
    """Add the staff member LOGIN with a role, and their database login on a shared server."""
    from cctui.domain.staff_logins import add_staff

    def work(session: Session, actor: StaffIdentity) -> StaffLogin:
        return add_staff(
            session,
            actor,
            login=login,
            name=name or login,
            role=role,
            email=email,
            login_role=login_role,
            shared_server=not state.settings().target.is_embedded,
        )

    click.echo(_as_admin(state, work).describe())


@staff_group.command("role")
@click.argument("login")
@click.argument("role", type=click.Choice(ROLES))
@click.option("--login-role/--no-login-role", "login_role", default=None, help=_LOGIN_ROLE_HELP)
@pass_state
def role_command(state: CliState, login: str, role: str, login_role: bool | None) -> None:
    """Give the staff member LOGIN another ROLE; their database login follows."""
    from cctui.domain.staff_logins import set_staff_role

    def work(session: Session, actor: StaffIdentity) -> StaffLogin:
        return set_staff_role(
            session,
            actor,
            login,
            role,
            login_role=login_role,
            shared_server=not state.settings().target.is_embedded,
        )

    click.echo(_as_admin(state, work).describe())


@staff_group.command("list")
@pass_state
def list_command(state: CliState) -> None:
    """Every staff member with role, state and database group."""
    from cctui.domain.staff_logins import staff_logins

    def work(session: Session, actor: StaffIdentity) -> list[StaffLogin]:
        return staff_logins(session, actor)

    rows = _as_admin(state, work)
    width = max([len(row.staff.login) for row in rows] + [5])
    click.echo(f"{'login':<{width}}  {'role':<10}  {'active':<6}  {'database':<16}  name")
    for row in rows:
        group = row.database_group or "-"
        active = "yes" if row.staff.active else "no"
        click.echo(
            f"{row.staff.login:<{width}}  {row.staff.role.value:<10}  {active:<6}  "
            f"{group:<16}  {row.staff.name}"
        )


def _as_admin(state: CliState, work: Callable[[Session, StaffIdentity], T]) -> T:
    """Open the database, identify the acting staff member and run ``work`` in one unit."""
    from cctui.db.migrate import ensure_schema
    from cctui.domain.identity import identify

    db = state.open_database()
    try:
        ensure_schema(db)
        with db.session() as session:
            actor = identify(session, state.settings().user)
            return work(session, actor)
    finally:
        db.dispose()
