"""``cctui app``: run the app; it opens the database, checks the schema and finds who you
are in a worker, behind its start screen."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Protocol

import click

from cctui.cli.common import CliState, ProgressBars, pass_state

if TYPE_CHECKING:
    from cctui.app import AppContext
    from cctui.db.engine import Database
    from cctui.domain.identity import StaffIdentity

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: how far a long step is."""

AskFirstAdmin = Callable[[str, str], "str | None"]
"""``ask(question, login)``: the name to make an unknown login an admin under, or None."""

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
    from cctui.app import run_app

    if sys.stdin.isatty() and sys.stdout.isatty():
        run_app(partial(open_app_context, state, screen=screen, customer=customer, demo=demo))
        return
    # Nobody to read a start screen: a database that cannot be opened ends the command in
    # one sentence, as it ends every verb.
    with ProgressBars() as bars:
        context = open_app_context(
            state, OpeningOnStderr(bars), screen=screen, customer=customer, demo=demo
        )
    run_app(lambda opening: context)


class OpeningSteps(Protocol):
    """Where :func:`open_app_context` tells its steps and asks its question."""

    def step(self, text: str) -> None:
        """Say what is being done now."""

    def progress(self, stage: str, done: int, total: int) -> None:
        """Say how far a long step is."""

    def ask_first_admin(self, question: str, login: str) -> str | None:
        """The name to make an unknown login an admin under, or None for no."""


class OpeningOnStderr:
    """:class:`OpeningSteps` for a command run without a terminal: progress bars on stderr,
    steps unsaid, the question (never asked without a terminal) on the terminal."""

    def __init__(self, bars: ProgressBars) -> None:
        self._bars = bars

    def step(self, text: str) -> None:
        """Nothing: the steps are quick, and only their failure matters here."""

    def progress(self, stage: str, done: int, total: int) -> None:
        """A progress bar on stderr."""
        self._bars(stage, done, total)

    def ask_first_admin(self, question: str, login: str) -> str | None:
        """Ask on the terminal."""
        return ask_on_terminal(question, login)


def open_app_context(
    state: CliState, opening: OpeningSteps, *, screen: str | None, customer: str | None, demo: bool
) -> AppContext:
    """Open the database, bring its schema up to date, load demo data when asked, find the
    user: what the app needs to start (run in the app's worker while its start screen shows).

    Each step is told to ``opening``; the database is closed again when a step fails.
    """
    from cctui.app import AppContext
    from cctui.db.migrate import ensure_schema

    settings = state.settings()
    opening.step(f"Opening the database ({settings.target.label})…")
    db = state.open_database()
    notices: list[str] = []
    try:
        opening.step("Checking the database's schema…")
        ensure_schema(db)
        if demo:
            load_demo_if_empty(db, settings.user, progress=opening.progress, say=notices.append)
        opening.step(f"Signing in as {settings.user}…")
        user = identify_user(db, settings.user, ask=opening.ask_first_admin)
    except BaseException:
        db.dispose()
        raise
    return AppContext(
        db=db, user=user, start_screen=screen, customer=customer, notices=tuple(notices)
    )


def load_demo_if_empty(
    db: Database,
    login: str,
    progress: Progress | None = None,
    say: Callable[[str], None] | None = None,
) -> bool:
    """Generate demo data (with ``login`` as an admin) when the database has no customers.

    Returns True when demo data was loaded. ``progress`` hears how far it is and ``say``
    what came of it (default: progress bars and a line on stderr). When the demo generator
    refuses (the database holds other data, such as staff), says so and goes on without it.
    """
    tell = say or partial(click.echo, err=True)
    from sqlalchemy import select

    from cctui.demo import DemoRefused, generate_demo
    from cctui.domain.models import Customer

    with db.session() as session:
        if session.scalar(select(Customer.id).limit(1)) is not None:
            return False
    try:
        with ProgressBars() as bars:
            summary = generate_demo(
                db, customers=DEMO_CUSTOMERS, progress=progress or bars, you=login
            )
    except DemoRefused as err:
        tell(f"Demo data not loaded: {err}")
        return False
    tell(summary.describe())
    return True


def identify_user(db: Database, login: str, ask: AskFirstAdmin | None = None) -> StaffIdentity:
    """The staff member ``login`` is, offering to create them as admin on a private database.

    On the embedded database, when someone is at the terminal, an unknown login may make
    itself an admin (it is their own database): ``ask(question, login)`` returns the name
    to add them under, or None for no (default: ask on the terminal). Anywhere else
    :class:`UnknownLogin` stands, and its message says how to get added.
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
        name = (ask or ask_on_terminal)(question, login)
        if name is None:
            raise
        with db.session() as session:
            return create_first_admin(session, login, name)


def ask_on_terminal(question: str, login: str) -> str | None:
    """Ask ``question`` on the terminal; the name to add the login under, or None for no."""
    if not click.confirm(question, default=True):
        return None
    return str(click.prompt("Your name", default=login))
