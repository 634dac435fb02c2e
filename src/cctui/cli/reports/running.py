"""What every ``cctui report`` shares: its output options, paging through a list, printing."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

from cctui.cli.common import CliState
from cctui.cli.reports.format import FORMATS, Column, render

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cctui.domain.identity import StaffIdentity

Row = TypeVar("Row")
Cursor = TypeVar("Cursor")

PAGE_SIZE = 1000
"""Rows fetched per round trip while a report pages through a list."""
DEFAULT_LIMIT = 100
"""Rows a report prints unless told ``--limit N`` or ``--all``."""

Fetch = Callable[["Session", "StaffIdentity", date, int | None], Iterator[Any]]
"""``fetch(session, actor, day, limit)``: the report's rows (at most ``limit``; None: all)."""


@dataclass(frozen=True)
class Output:
    """How a report prints: its format, how many rows, for which day, how wide."""

    fmt: str
    limit: int | None
    as_of: date | None
    wide: bool


def paged(
    fetch_page: Callable[[Cursor | None, int], tuple[Sequence[Row], Cursor | None]],
    limit: int | None,
) -> Iterator[Row]:
    """Rows from ``fetch_page(after, size)`` page after page, until ``limit`` rows (None: all).

    ``fetch_page`` returns a page's rows and the cursor of the next page (None on the last).
    """
    after: Cursor | None = None
    left = limit
    while left is None or left > 0:
        size = PAGE_SIZE if left is None else min(PAGE_SIZE, left)
        rows, after = fetch_page(after, size)
        yield from rows
        if left is not None:
            left -= len(rows)
        if after is None or not rows:
            return


def output_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every report takes: --format, --limit/--all, --date and --wide."""
    options = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default="table",
            show_default=True,
            help="table for people; csv or json (an array of objects) for scripts.",
        ),
        click.option(
            "--limit",
            type=click.IntRange(min=1),
            default=DEFAULT_LIMIT,
            show_default=True,
            metavar="N",
            help="Print at most N rows.",
        ),
        click.option("--all", "every_row", is_flag=True, help="Print every row (no --limit)."),
        click.option(
            "--date",
            "as_of",
            type=click.DateTime(formats=["%Y-%m-%d"]),
            metavar="YYYY-MM-DD",
            help="The day overdue days are counted to (default: today).",
        ),
        click.option(
            "--wide",
            is_flag=True,
            help="In a table, every column (csv and json always have every column).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def make_output(
    fmt: str, limit: int, every_row: bool, as_of: datetime | None, wide: bool
) -> Output:
    """The :class:`Output` the options of :func:`output_options` ask for."""
    return Output(
        fmt=fmt,
        limit=None if every_row else limit,
        as_of=as_of.date() if as_of is not None else None,
        wide=wide,
    )


def print_report(state: CliState, columns: Sequence[Column], fetch: Fetch, output: Output) -> None:
    """Open the database as the user, fetch the rows and print them as ``output`` asks."""
    from cctui.db.migrate import ensure_schema
    from cctui.domain.identity import identify

    login = state.settings().user
    db = state.open_database()
    try:
        ensure_schema(db)
        with db.session() as session:
            actor = identify(session, login)
            day = output.as_of if output.as_of is not None else date.today()
            rows = list(itertools.islice(fetch(session, actor, day, output.limit), output.limit))
    finally:
        db.dispose()
    shown = columns
    if output.fmt == "table" and not output.wide:
        shown = [column for column in columns if not column.wide_only]
    click.echo(render(shown, rows, output.fmt), nl=False)
    if output.fmt == "table" and not rows:
        click.echo("Nothing to list.", err=True)


def controller_filter(
    session: Session, actor: StaffIdentity, mine: bool, login: str | None
) -> int | None:
    """The controller id ``--mine`` (the actor) or ``--controller LOGIN`` asks for, if any."""
    from cctui.domain.lookup import staff_id_by_login

    if login:
        return staff_id_by_login(session, login)
    return actor.id if mine else None
