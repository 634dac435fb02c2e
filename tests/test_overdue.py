"""The overdue invoices list: filters, orders, keyset paging and the per-row flags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from cctui.domain.agency import AgencyDetails, create_agency, flag_for_collection, hand_over
from cctui.domain.errors import ValidationError
from cctui.domain.models import (
    CollectionState,
    Dispute,
    DisputeStatus,
    Invoice,
    Promise,
    PromiseInvoice,
    PromiseStatus,
    Role,
)
from cctui.domain.overdue import (
    OverdueCursor,
    OverdueQuery,
    OverdueSort,
    overdue_count,
    overdue_invoices,
)
from tests.factories import TODAY, make_customer, make_invoice, make_staff


@dataclass
class Book:
    """Three customers, two controllers, invoices in two currencies; some paid, some not due."""

    invoices: list[Invoice]
    overdue: list[Invoice]
    customers: dict[str, object]
    controllers: dict[str, object]


@pytest.fixture
def book(session) -> Book:
    anna = make_staff(session, "anna")
    ben = make_staff(session, "ben")
    acme = make_customer(session, name="Acme Trading", account="ACME01", controller_id=anna.id)
    bolt = make_customer(session, name="Bolt & Nut", account="BOLT02", controller_id=ben.id)
    yank = make_customer(
        session, name="Yankee Doodle", account="YANK03", currency="USD", controller_id=anna.id
    )
    invoices: list[Invoice] = []
    # (customer, amount, days past due, open amount) - repeated days and amounts make ties.
    plan = [
        (acme, "100.00", 90, None),
        (acme, "250.00", 60, None),
        (acme, "250.00", 60, "250.00"),
        (acme, "40.00", 5, None),
        (acme, "75.00", 1, None),
        (acme, "60.00", 0, None),  # due today: not overdue
        (acme, "30.00", -10, None),  # not due yet
        (acme, "500.00", 120, "0"),  # paid
        (bolt, "250.00", 90, None),
        (bolt, "12.50", 30, "2.50"),
        (bolt, "900.00", 200, None),
        (bolt, "40.00", 14, None),
        (yank, "99.99", 45, None),
        (yank, "250.00", 60, None),
        (yank, "1.00", 365, None),
    ]
    for customer, amount, days, open_amount in plan:
        invoices.append(
            make_invoice(session, customer, amount, days_past_due=days, open_amount=open_amount)
        )
    overdue = [i for i in invoices if i.open_amount > 0 and i.due_on < TODAY]
    return Book(
        invoices=invoices,
        overdue=overdue,
        customers={"acme": acme, "bolt": bolt, "yank": yank},
        controllers={"anna": anna, "ben": ben},
    )


def _expected(invoices: list[Invoice], sort: OverdueSort, descending: bool) -> list[int]:
    if sort is OverdueSort.OPEN_AMOUNT:
        ordered = sorted(invoices, key=lambda i: (i.open_amount, i.id), reverse=descending)
    elif sort is OverdueSort.DUE_ON:
        ordered = sorted(invoices, key=lambda i: (i.due_on, i.id), reverse=descending)
    else:  # days past due descending is due date ascending
        ordered = sorted(invoices, key=lambda i: (i.due_on, i.id), reverse=not descending)
    return [i.id for i in ordered]


def _walk(session, query: OverdueQuery, limit: int) -> list[int]:
    ids: list[int] = []
    cursor = None
    while True:
        page = overdue_invoices(session, query=query, after=cursor, limit=limit, as_of=TODAY)
        assert len(page.rows) <= limit
        ids.extend(row.invoice_id for row in page.rows)
        if page.next_cursor is None:
            return ids
        assert len(page.rows) == limit
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", list(OverdueSort))
@pytest.mark.parametrize("descending", [None, True, False])
def test_keyset_pages_walk_the_whole_ordered_list(session, book, sort, descending):
    query = OverdueQuery(sort=sort, descending=descending)
    effective = sort.default_descending if descending is None else descending
    expected = _expected(book.overdue, sort, effective)
    assert len(expected) == 12
    for limit in (1, 2, 5, 12, 100):
        assert _walk(session, query, limit) == expected
    page = overdue_invoices(session, query=query, limit=100, as_of=TODAY)
    assert [row.invoice_id for row in page.rows] == expected
    assert page.next_cursor is None
    assert (page.sort, page.descending) == (sort, effective)


def test_default_order_is_oldest_due_first_and_rows_are_complete(session, book):
    page = overdue_invoices(session, query=OverdueQuery(), as_of=TODAY)
    first = page.rows[0]
    oldest = book.invoices[-1]
    assert first.invoice_id == oldest.id
    assert first.number == oldest.number
    assert (first.customer_id, first.account, first.customer_name) == (
        book.customers["yank"].id,
        "YANK03",
        "Yankee Doodle",
    )
    assert first.days_past_due == 365
    assert first.due_on == TODAY - timedelta(days=365)
    assert first.issued_on == first.due_on - timedelta(days=30)
    assert (first.amount, first.open_amount, first.currency) == (
        Decimal("1.00"),
        Decimal("1.00"),
        "USD",
    )
    assert (first.fee_amount, first.interest_amount) == (Decimal(0), Decimal(0))
    assert (first.dunning_level, first.last_dunned_on) == (0, None)
    assert first.collection_state is CollectionState.NONE
    assert (first.in_dispute, first.promised) == (False, False)
    assert [row.days_past_due for row in page.rows] == sorted(
        (row.days_past_due for row in page.rows), reverse=True
    )
    assert min(row.days_past_due for row in page.rows) == 1
    assert overdue_count(session, query=OverdueQuery(), as_of=TODAY) == 12


def test_open_amount_order_breaks_ties_by_id(session, book):
    rows = overdue_invoices(
        session, query=OverdueQuery(sort=OverdueSort.OPEN_AMOUNT), as_of=TODAY
    ).rows
    assert rows[0].open_amount == Decimal("900.00")
    ties = [row.invoice_id for row in rows if row.open_amount == Decimal("250.00")]
    assert len(ties) == 4
    assert ties == sorted(ties, reverse=True)


def _ids(session, **filters) -> set[int]:
    query = OverdueQuery(**filters)
    ids = {row.invoice_id for row in overdue_invoices(session, query=query, as_of=TODAY).rows}
    assert overdue_count(session, query=query, as_of=TODAY) == len(ids)
    return ids


def test_filters(session, book):
    acme, bolt, yank = (book.customers[k] for k in ("acme", "bolt", "yank"))
    anna = book.controllers["anna"]
    overdue = book.overdue

    def where(check) -> set[int]:
        return {i.id for i in overdue if check(i)}

    assert _ids(session, customer_id=acme.id) == where(lambda i: i.customer_id == acme.id)
    assert _ids(session, controller_id=anna.id) == where(
        lambda i: i.customer_id in (acme.id, yank.id)
    )
    assert _ids(session, currency=" usd ") == where(lambda i: i.currency == "USD")
    assert _ids(session, min_days_past_due=60) == where(lambda i: (TODAY - i.due_on).days >= 60)
    assert _ids(session, min_days_past_due=0) == where(lambda i: True)
    assert _ids(session, customer_id=bolt.id, min_days_past_due=31) == where(
        lambda i: i.customer_id == bolt.id and (TODAY - i.due_on).days > 30
    )

    # Search: part of the invoice number, the customer's name or account, case ignored.
    target = overdue[3]
    target.number = "SPECIAL-77"
    session.flush()
    assert _ids(session, search="special-7") == {target.id}
    assert _ids(session, search="  bolt   &  ") == where(lambda i: i.customer_id == bolt.id)
    assert _ids(session, search="yank0") == where(lambda i: i.customer_id == yank.id)
    assert _ids(session, search="100%") == set()  # wildcards are taken literally
    assert _ids(session, search="   ") == where(lambda i: True)

    # Dunning level and collection state.
    overdue[0].dunning_level = 2
    overdue[0].last_dunned_on = TODAY - timedelta(days=3)
    overdue[1].dunning_level = 1
    session.flush()
    assert _ids(session, dunning_level=2) == {overdue[0].id}
    assert _ids(session, dunning_level=0) == where(
        lambda i: i.id not in (overdue[0].id, overdue[1].id)
    )
    row = next(
        r for r in overdue_invoices(session, query=OverdueQuery(dunning_level=2), as_of=TODAY).rows
    )
    assert (row.dunning_level, row.last_dunned_on) == (2, TODAY - timedelta(days=3))

    admin = make_staff(session, "admin", Role.ADMIN)
    controller = make_staff(session, "ctrl", Role.CONTROLLER)
    agency = create_agency(session, admin, details=AgencyDetails(name="Alpha")).id
    flag_for_collection(session, controller, [overdue[0].id, overdue[2].id])
    hand_over(session, controller, [overdue[2].id], agency_id=agency, handed_on=TODAY)
    assert _ids(session, collection_state=CollectionState.FLAGGED) == {overdue[0].id}
    assert _ids(session, collection_state=CollectionState.HANDED_OVER) == {overdue[2].id}
    handed = overdue_invoices(
        session,
        query=OverdueQuery(collection_state=CollectionState.HANDED_OVER),
        as_of=TODAY,
    ).rows[0]
    assert handed.collection_agency_id == agency
    assert len(_ids(session, collection_state=CollectionState.NONE)) == len(overdue) - 2


def test_in_dispute_and_promised_flags(session, book):
    acme, bolt = book.customers["acme"], book.customers["bolt"]
    acme_open = [i for i in book.overdue if i.customer_id == acme.id]
    bolt_open = [i for i in book.overdue if i.customer_id == bolt.id]
    disputed, resolved = acme_open[0], acme_open[1]
    session.add(Dispute(invoice_id=disputed.id, reason="Goods damaged"))
    session.add(
        Dispute(
            invoice_id=resolved.id,
            reason="Wrong price",
            status=DisputeStatus.RESOLVED,
            resolved_at=datetime(2026, 11, 1, tzinfo=UTC),
            resolution="Price confirmed",
        )
    )
    # A live promise naming one of Acme's invoices; a kept one naming another.
    live = Promise(customer_id=acme.id, amount=Decimal("10.00"), currency="EUR", promised_on=TODAY)
    kept = Promise(
        customer_id=acme.id,
        amount=Decimal("10.00"),
        currency="EUR",
        promised_on=TODAY - timedelta(days=5),
        status=PromiseStatus.KEPT,
        evaluated_on=TODAY,
    )
    # A live promise of Bolt naming no invoice covers all of Bolt's invoices.
    blanket = Promise(
        customer_id=bolt.id, amount=Decimal("5.00"), currency="EUR", promised_on=TODAY
    )
    session.add_all([live, kept, blanket])
    session.flush()
    session.add_all(
        [
            PromiseInvoice(promise_id=live.id, invoice_id=acme_open[2].id),
            PromiseInvoice(promise_id=kept.id, invoice_id=acme_open[3].id),
        ]
    )
    session.flush()

    rows = {
        row.invoice_id: row
        for row in overdue_invoices(session, query=OverdueQuery(), as_of=TODAY).rows
    }
    assert {i for i, row in rows.items() if row.in_dispute} == {disputed.id}
    assert {i for i, row in rows.items() if row.promised} == {acme_open[2].id} | {
        i.id for i in bolt_open
    }
    assert _ids(session, in_dispute=True) == {disputed.id}
    assert _ids(session, in_dispute=False) == {i.id for i in book.overdue} - {disputed.id}

    # Flags are right on every page, however the list is cut.
    walked = []
    cursor = None
    while True:
        page = overdue_invoices(session, query=OverdueQuery(), after=cursor, limit=3, as_of=TODAY)
        walked.extend(page.rows)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert {row.invoice_id: (row.in_dispute, row.promised) for row in walked} == {
        i: (row.in_dispute, row.promised) for i, row in rows.items()
    }


def test_paging_is_stable_when_rows_leave_or_arrive(session, book):
    query = OverdueQuery()
    first = overdue_invoices(session, query=query, limit=4, as_of=TODAY)
    expected = _expected(book.overdue, OverdueSort.DUE_ON, False)
    assert [r.invoice_id for r in first.rows] == expected[:4]
    # An invoice on the first page is paid and an older one arrives meanwhile.
    paid = session.get(Invoice, first.rows[1].invoice_id)
    paid.open_amount = Decimal(0)
    make_invoice(session, book.customers["acme"], "5.00", days_past_due=999)
    session.flush()
    rest = []
    cursor = first.next_cursor
    while cursor is not None:
        page = overdue_invoices(session, query=query, after=cursor, limit=4, as_of=TODAY)
        rest.extend(r.invoice_id for r in page.rows)
        cursor = page.next_cursor
    assert rest == expected[4:]


def test_as_of_moves_the_overdue_line(session, book):
    later = TODAY + timedelta(days=11)
    page = overdue_invoices(session, query=OverdueQuery(), as_of=later)
    newly = {i.id for i in book.invoices if i.open_amount > 0 and TODAY <= i.due_on < later}
    assert len(newly) == 2
    assert {r.invoice_id for r in page.rows} == {i.id for i in book.overdue} | newly
    assert page.as_of == later
    assert page.rows[-1].days_past_due == 1


def test_refusals(session, book):
    with pytest.raises(ValidationError, match="1 to 1000 rows"):
        overdue_invoices(session, query=OverdueQuery(), limit=0)
    with pytest.raises(ValidationError, match="not a currency code"):
        overdue_invoices(session, query=OverdueQuery(currency="EURO"))
    with pytest.raises(ValidationError, match="cannot be negative"):
        overdue_invoices(session, query=OverdueQuery(min_days_past_due=-1))
    with pytest.raises(ValidationError, match="cannot be negative"):
        overdue_invoices(session, query=OverdueQuery(dunning_level=-1))
    cursor = overdue_invoices(session, query=OverdueQuery(), limit=2, as_of=TODAY).next_cursor
    assert cursor is not None
    with pytest.raises(ValidationError, match="another order"):
        overdue_invoices(
            session, query=OverdueQuery(sort=OverdueSort.OPEN_AMOUNT), after=cursor, as_of=TODAY
        )
    with pytest.raises(ValidationError, match="another order"):
        overdue_invoices(session, query=OverdueQuery(descending=True), after=cursor, as_of=TODAY)
    with pytest.raises(ValidationError, match="malformed"):
        overdue_invoices(
            session,
            query=OverdueQuery(sort=OverdueSort.OPEN_AMOUNT),
            after=OverdueCursor(OverdueSort.OPEN_AMOUNT, True, TODAY, 1),
            as_of=TODAY,
        )
