"""``cctui report queue``: the debtor queue, in the order and with the filters of the screen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING

import click

from cctui.cli.common import CliState, pass_state
from cctui.cli.reports.format import Column
from cctui.cli.reports.running import (
    controller_filter,
    make_output,
    output_options,
    paged,
    print_report,
)
from cctui.domain.models import CreditAction
from cctui.domain.queue.colour import ColourStatus
from cctui.domain.queue.types import QueueCursor, QueueQuery, QueueRow, QueueSort, SortDirection

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cctui.domain.identity import StaffIdentity

COLUMNS = (
    Column("account", "Account", lambda r: r.account),
    Column("name", "Name", lambda r: r.name),
    Column("name2", "Name 2", lambda r: r.name2, wide_only=True),
    Column("overdue_balance", "Overdue", lambda r: r.overdue_balance, numeric=True),
    Column("balance", "Balance", lambda r: r.balance, numeric=True),
    Column("currency", "Cur", lambda r: r.currency),
    Column("days_overdue", "Days", lambda r: r.days_overdue, numeric=True),
    Column("oldest_due_on", "Oldest due", lambda r: r.oldest_due_on, wide_only=True),
    Column("colour", "Status", lambda r: r.colour),
    Column("credit_action", "Action", lambda r: r.credit_action),
    Column("last_call_at", "Last call", lambda r: r.last_call_at, wide_only=True),
    Column("next_call_on", "Next call", lambda r: r.next_call_on),
    Column("next_promise_on", "Promise", lambda r: r.next_promise_on, wide_only=True),
    Column("follow_up_on", "Follow-up", lambda r: r.follow_up_on, wide_only=True),
    Column("controller", "Controller", lambda r: r.controller_login),
    Column("postal_code", "Postal code", lambda r: r.postal_code, wide_only=True),
    Column("city", "City", lambda r: r.city, wide_only=True),
    Column("phone", "Phone", lambda r: r.phone, wide_only=True),
    Column("contact_person", "Contact", lambda r: r.contact_person, wide_only=True),
    Column(
        "payment_terms_days", "Terms", lambda r: r.payment_terms_days, numeric=True, wide_only=True
    ),
    Column("held_documents", "Held", lambda r: r.held_document_count, numeric=True, wide_only=True),
    Column(
        "open_actions", "Open actions", lambda r: r.open_action_count, numeric=True, wide_only=True
    ),
    Column("note", "Note", lambda r: r.note, wide_only=True),
)
"""The queue's columns (seeds 004 and 002); the table shows the narrow set unless --wide."""

SORTS = tuple(sort.value for sort in QueueSort)


@click.command("queue")
@click.option(
    "--sort",
    type=click.Choice(SORTS),
    help="Column to sort by (default: overdue_balance, or relevance with --search).",
)
@click.option(
    "--asc/--desc",
    "ascending",
    default=None,
    help="Direction (default: amounts and relevance descending, the rest ascending).",
)
@click.option("--search", metavar="TEXT", help="Name, name 2, account, phone or postal code.")
@click.option("--mine", is_flag=True, help="Only the customers you are controller of.")
@click.option("--controller", metavar="LOGIN", help="Only this controller's customers.")
@click.option("--pool", metavar="NAME", help="Only the customers of this pool.")
@click.option(
    "--status",
    "colour",
    type=click.Choice([status.value for status in ColourStatus]),
    help="Only debtors of this contact status.",
)
@click.option(
    "--action",
    "actions",
    multiple=True,
    type=click.Choice([action.value for action in CreditAction]),
    help="Only debtors with this credit action (repeat for several).",
)
@click.option("--currency", metavar="CODE", help="Only debtors in this currency (e.g. EUR).")
@click.option(
    "--include-hidden", is_flag=True, help="Also debtors whose follow-up date is still ahead."
)
@output_options
@pass_state
def queue_report(
    state: CliState,
    sort: str | None,
    ascending: bool | None,
    search: str | None,
    mine: bool,
    controller: str | None,
    pool: str | None,
    colour: str | None,
    actions: tuple[str, ...],
    currency: str | None,
    include_hidden: bool,
    fmt: str,
    limit: int,
    every_row: bool,
    as_of: datetime | None,
    wide: bool,
) -> None:
    """The debtor queue: everyone with an overdue invoice, biggest overdue balance first."""
    if mine and controller:
        raise click.UsageError("Give --mine or --controller, not both.")

    def fetch(
        session: Session, actor: StaffIdentity, day: date, limit: int | None
    ) -> Iterator[QueueRow]:
        from cctui.domain.book_settings import contacted_within_days
        from cctui.domain.lookup import pool_id_by_name
        from cctui.domain.queue.page import queue_page

        controller_id = controller_filter(session, actor, mine, controller)
        query = QueueQuery(
            sort=QueueSort(sort) if sort else None,
            direction=None
            if ascending is None
            else (SortDirection.ASC if ascending else SortDirection.DESC),
            search=search,
            controller_id=controller_id,
            pool_id=pool_id_by_name(session, pool) if pool else None,
            colour=ColourStatus(colour) if colour else None,
            credit_actions=tuple(CreditAction(action) for action in actions),
            currency=currency.strip().upper() if currency else None,
            include_hidden=include_hidden,
        )
        within = contacted_within_days(session)

        def page(
            after: QueueCursor | None, size: int
        ) -> tuple[tuple[QueueRow, ...], QueueCursor | None]:
            found = queue_page(
                session, query=query, after=after, limit=size, as_of=day, within_days=within
            )
            return found.rows, found.next_cursor

        return paged(page, limit)

    print_report(state, COLUMNS, fetch, make_output(fmt, limit, every_row, as_of, wide))
