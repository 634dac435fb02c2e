"""``cctui app``: open the database, check the schema, find who you are, run the app."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from cctui.cli.common import CliState, ProgressBars, pass_state

if TYPE_CHECKING:
    from cctui.db.engine import Database
    from cctui.domain.identity import StaffIdentity

SCREENS = (
    "dashboard",
    "queue",
    "customer",
    "overdue",
    "agency",
    "held",
    "letters",
    "daily-check",
    "settings",
    "calls",
    "activity",
)
"""Screens ``--screen`` can open first (the names in :data:`cctui.screens.SCREENS`; kept
here so that ``cctui --help`` does not import Textual)."""

DEMO_CUSTOMERS = 1000
"""How many customers ``cctui app --demo`` generates into an empty database."""


@click.command("app")
@click.option(
    "--screen",
    type=click.Choice(SCREENS),
    help="Open this screen first.",
)
@click.option("--customer", metavar="ACCOUNT", help="Open this customer (account number) first.")
@click.option(
    "--demo",
    is_flag=True,
    help=f"Load demo data ({DEMO_CUSTOMERS:,} customers) first when the database is empty.",
)
@pass_state
def app_command(state: CliState, screen: str | None, customer: str | None, demo: bool) -> None:
    """Run the credit-control app in this terminal."""
    from cctui.db.migrate import ensure_schema

    settings = state.settings()
    db = state.open_database()
    try:
        ensure_schema(db)
        if demo:
            load_demo_if_empty(db, settings.user)
        user = identify_user(db, settings.user)
        from cctui.app import AppContext, run_app

        run_app(AppContext(db=db, user=user, start_screen=screen, customer=customer))
    finally:
        db.dispose()


def load_demo_if_empty(db: Database, login: str) -> bool:
    """Generate demo data (with ``login`` as an admin) when the database has no customers.

    Returns True when demo data was loaded. When the demo generator refuses (the database
    holds other data, such as staff), says so on stderr and goes on without it.
    """
    from sqlalchemy import select

    from cctui.demo import DemoRefused, generate_demo
    from cctui.domain.models import Customer

    with db.session() as session:
        if session.scalar(select(Customer.id).limit(1)) is not None:
            return False
    try:
        with ProgressBars() as progress:
            summary = generate_demo(db, customers=DEMO_CUSTOMERS, progress=progress, you=login)
    except DemoRefused as err:
        click.echo(f"Demo data not loaded: {err}", err=True)
        return False
    click.echo(summary.describe(), err=True)
    return True


def identify_user(db: Database, login: str) -> StaffIdentity:
    """The staff member ``login`` is, offering to create them as admin on a private database.

    On the embedded database, when someone is at the terminal, an unknown login may make
    itself an admin (it is their own database). Anywhere else :class:`UnknownLogin` stands,
    and its message says how to get added.
    """
    from cctui.domain.identity import (
        UnknownLogin,
        create_first_admin,
        identify,
        staff_count,
    )

    try:
        with db.session() as session:
            return identify(session, login)
    except UnknownLogin:
        if not (db.is_embedded and sys.stdin.isatty() and sys.stdout.isatty()):
            raise
        with db.session() as session:
            empty = staff_count(session) == 0
        question = (
            f"This private database has no staff yet. Make {login!r} its first admin?"
            if empty
            else f"{login!r} is not on the staff of this private database. Add you as an admin?"
        )
        if not click.confirm(question, default=True):
            raise
        name = click.prompt("Your name", default=login)
        with db.session() as session:
            return create_first_admin(session, login, name)
