"""``cctui report held``: documents held by credit control, oldest first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING

import click

from cctui.cli.common import CliState, pass_state
from cctui.cli.reports.format import Column
from cctui.cli.reports.running import make_output, output_options, print_report
from cctui.domain.credit.held import MAX_LIST, HeldDocumentView
from cctui.domain.models import HeldStatus

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cctui.domain.identity import StaffIdentity

COLUMNS = (
    Column("id", "Id", lambda r: r.id, numeric=True),
    Column("account", "Account", lambda r: r.customer_account),
    Column("customer_name", "Customer", lambda r: r.customer_name),
    Column("kind", "Kind", lambda r: r.kind),
    Column("reference", "Reference", lambda r: r.reference),
    Column("amount", "Amount", lambda r: r.amount, numeric=True),
    Column("currency", "Cur", lambda r: r.currency),
    Column("credit_action", "Action", lambda r: r.credit_action),
    Column("age_days", "Days", lambda r: r.age_days, numeric=True),
    Column("status", "Status", lambda r: r.status),
    Column("needs_supervisor", "Supervisor", lambda r: r.needs_supervisor, wide_only=True),
    Column("reasons", "Reasons", lambda r: "; ".join(r.reasons), wide_only=True),
    Column("created_by", "Entered by", lambda r: r.created_by, wide_only=True),
    Column("decided_by", "Decided by", lambda r: r.decided_by, wide_only=True),
    Column("decided_at", "Decided at", lambda r: r.decided_at, wide_only=True),
    Column(
        "pending_approval_id",
        "Approval",
        lambda r: r.pending_approval_id,
        numeric=True,
        wide_only=True,
    ),
)
"""The held documents' columns."""

STATUSES = (*(status.value for status in HeldStatus), "all")


@click.command("held")
@click.option(
    "--status",
    type=click.Choice(STATUSES),
    default=HeldStatus.HELD.value,
    show_default=True,
    help="Which documents: still held, released, rejected or all.",
)
@click.option("--customer", metavar="ACCOUNT", help="Only this customer's documents.")
@output_options
@pass_state
def held_report(
    state: CliState,
    status: str,
    customer: str | None,
    fmt: str,
    limit: int,
    every_row: bool,
    as_of: datetime | None,
    wide: bool,
) -> None:
    """Documents held by a credit action, oldest first (controllers and above).

    At most the oldest 1,000 are listed, even with --all.
    """

    def fetch(
        session: Session, actor: StaffIdentity, day: date, limit: int | None
    ) -> Iterator[HeldDocumentView]:
        from cctui.domain.credit.held import list_held_documents
        from cctui.domain.lookup import customer_id_by_account

        return iter(
            list_held_documents(
                session,
                actor,
                status=None if status == "all" else HeldStatus(status),
                customer_id=customer_id_by_account(session, customer) if customer else None,
                limit=MAX_LIST if limit is None else min(limit, MAX_LIST),
                as_of=day,
            )
        )

    print_report(state, COLUMNS, fetch, make_output(fmt, limit, every_row, as_of, wide))
