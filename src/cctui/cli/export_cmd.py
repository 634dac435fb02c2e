"""``cctui export customers|invoices|queue|agency``: the book as CSV or JSON, streamed."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from operator import attrgetter
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from cctui.cli.common import CliState, pass_state
from cctui.cli.reports.agency_report import INVOICE_COLUMNS
from cctui.cli.reports.format import Column, plain_value
from cctui.cli.reports.queue_report import COLUMNS as QUEUE_COLUMNS
from cctui.domain.importing.layouts import CUSTOMERS, INVOICES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cctui.domain.identity import StaffIdentity

KINDS = ("customers", "invoices", "queue", "agency")


def _columns(names: Iterable[str]) -> tuple[Column, ...]:
    return tuple(Column(name, name, attrgetter(name)) for name in names)


def _agency_column(column: Column) -> Column:
    return Column(column.key, column.header, lambda row: column.read(row.invoice))


COLUMNS: dict[str, tuple[Column, ...]] = {
    "customers": _columns(CUSTOMERS.names),
    "invoices": _columns((*INVOICES.names, *INVOICES.ignored)),
    "queue": QUEUE_COLUMNS,
    "agency": (
        Column("agency", "Agency", attrgetter("agency")),
        *(_agency_column(column) for column in INVOICE_COLUMNS),
    ),
}
"""Each export's columns: customers and invoices in their import layouts, the queue and the
agency lists with the columns of their reports."""


def _csv_cell(value: object) -> str:
    """A value as CSV holds it: exact amounts, ISO dates, enum values, empty for none."""
    shown = plain_value(value)
    if shown is None:
        return ""
    if isinstance(shown, bool):
        return "true" if shown else "false"
    return str(shown)


def write_rows(columns: Sequence[Column], rows: Iterable[Any], fmt: str, out: IO[str]) -> int:
    """Write ``rows`` to ``out`` one at a time as CSV (with a header) or a JSON array."""
    written = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([column.key for column in columns])
        for row in rows:
            writer.writerow([_csv_cell(column.read(row)) for column in columns])
            written += 1
        return written
    out.write("[")
    for row in rows:
        value = {column.key: plain_value(column.read(row)) for column in columns}
        out.write(
            ("," if written else "") + json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        )
        written += 1
    out.write("]\n")
    return written


def _rows(kind: str, session: Session, actor: StaffIdentity, day: date | None) -> Iterator[Any]:
    from cctui.domain.export import export_agency, export_customers, export_invoices, export_queue

    if kind == "customers":
        return export_customers(session, actor)
    if kind == "invoices":
        return export_invoices(session, actor)
    if kind == "queue":
        return export_queue(session, actor, as_of=day)
    return export_agency(session, actor, as_of=day)


@click.command("export")
@click.argument("kind", type=click.Choice(KINDS))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("csv", "json")),
    default="csv",
    show_default=True,
    help="csv (a header row) or json (an array of objects with snake_case keys).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file (default: standard output).",
)
@click.option(
    "--date",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The day overdue days are counted to in the queue and agency lists (default: today).",
)
@pass_state
def export_command(
    state: CliState, kind: str, fmt: str, out: Path | None, as_of: datetime | None
) -> None:
    """Export KIND: customers, invoices, queue (the debtor queue) or agency (the collection
    agency lists), every row, amounts as exact strings and dates as YYYY-MM-DD.

    Customers come out in the layout `cctui import customers` reads and invoices in the
    invoices layout (plus columns the import ignores), so importing an export changes nothing.
    """
    from cctui.db.migrate import ensure_schema
    from cctui.domain.identity import identify

    login = state.settings().user
    day = as_of.date() if as_of is not None else None
    db = state.open_database()
    try:
        ensure_schema(db)
        with db.session() as session:
            actor = identify(session, login)
            rows = _rows(kind, session, actor, day)
            if out is None:
                stream = sys.stdout
                count = write_rows(COLUMNS[kind], rows, fmt, stream)
                stream.flush()
            else:
                with out.open("w", encoding="utf-8", newline="") as target:
                    count = write_rows(COLUMNS[kind], rows, fmt, target)
    finally:
        db.dispose()
    if out is not None:
        click.echo(f"Wrote {count:,} row{'s' if count != 1 else ''} of {kind} to {out}.", err=True)
