"""Collection agencies: the list admins keep, flagging, hand-over, recall, lists and totals."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from cctui.domain.agency import (
    FLAGGED_BUCKET,
    AgencyDetails,
    AgencyInvoiceCursor,
    agency_invoices,
    agency_totals,
    create_agency,
    deactivate_agency,
    flag_for_collection,
    hand_over,
    list_agencies,
    reactivate_agency,
    recall,
    unflag,
    update_agency,
)
from cctui.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    AgencyHandover,
    AuditLog,
    CollectionState,
    Customer,
    Invoice,
    Role,
)
from cctui.domain.recalc import recalculate_figures
from tests.factories import TODAY, make_customer, make_invoice, make_staff


def _audits(session, action: str) -> list[AuditLog]:
    return list(
        session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id))
    )


def _check_holds(session) -> None:
    """The CHECK (state = handed_over) = (agency set) holds, and at most one open hand-over
    per invoice matches the invoice's agency."""
    broken = session.scalar(
        text(
            "SELECT count(*) FROM invoice WHERE (collection_state = 'handed_over') "
            "<> (collection_agency_id IS NOT NULL)"
        )
    )
    assert broken == 0
    mismatched = session.scalar(
        text(
            "SELECT count(*) FROM invoice AS i LEFT JOIN agency_handover AS h "
            "ON h.invoice_id = i.id AND h.recalled_on IS NULL "
            "WHERE (i.collection_state = 'handed_over') <> (h.id IS NOT NULL) "
            "OR h.agency_id IS DISTINCT FROM i.collection_agency_id"
        )
    )
    assert mismatched == 0


def _figures_true(session, admin: StaffIdentity) -> None:
    report = recalculate_figures(session, admin, all_customers=True, as_of=TODAY)
    assert report.corrected == ()


class Book:
    """Staff, two agencies and a few customers with invoices."""

    def __init__(self, session) -> None:
        self.admin = make_staff(session, "admin", Role.ADMIN)
        self.controller = make_staff(session, "ctrl", Role.CONTROLLER)
        self.agent = make_staff(session, "agent", Role.AGENT)
        self.alpha = create_agency(
            session,
            self.admin,
            details=AgencyDetails(name="Alpha Inkasso", commission_percent="12.5"),
        ).id
        self.beta = create_agency(
            session, self.admin, details=AgencyDetails(name="Beta Collect", country="gb")
        ).id
        self.eur = make_customer(session, currency="EUR", name="Euro Debtor")
        self.usd = make_customer(session, currency="USD", name="Dollar Debtor")


@pytest.fixture
def book(session) -> Book:
    return Book(session)


# --- agencies -------------------------------------------------------------------------


def test_admin_keeps_the_agencies_with_audit(session, book):
    created = create_agency(
        session,
        book.admin,
        details=AgencyDetails(
            name="  Gamma   Recovery ",
            address_line1="1 High Street",
            postal_code="EC1A 1BB",
            city="London",
            country="gb",
            contact_person="Pat Smith",
            phone="+44 20 1234 5678",
            email="pat@gamma.example",
            commission_percent="7.25",
        ),
    )
    assert created.name == "Gamma Recovery"
    assert created.country == "GB"
    assert created.commission_percent == Decimal("7.250")
    assert created.active

    updated = update_agency(
        session,
        book.admin,
        agency_id=created.id,
        details=AgencyDetails(name="Gamma Recovery Ltd", city="London", commission_percent=8),
    )
    assert updated.commission_percent == Decimal("8.000")
    assert updated.phone is None
    row = _audits(session, "update_agency")[-1]
    assert row.entity == "collection_agency"
    assert row.entity_id == str(created.id)
    assert row.staff_id == book.admin.id
    assert row.before["name"] == "Gamma Recovery"
    assert row.after["name"] == "Gamma Recovery Ltd"
    assert row.before["commission_percent"] == "7.250"
    assert row.after["commission_percent"] == "8.000"
    assert "city" not in row.after  # unchanged fields are not repeated

    deactivate_agency(session, book.admin, agency_id=created.id)
    assert [a.name for a in list_agencies(session, include_inactive=False)] == [
        "Alpha Inkasso",
        "Beta Collect",
    ]
    assert "Gamma Recovery Ltd" in [a.name for a in list_agencies(session)]
    with pytest.raises(ConflictError, match="already inactive"):
        deactivate_agency(session, book.admin, agency_id=created.id)
    reactivate_agency(session, book.admin, agency_id=created.id)
    assert _audits(session, "deactivate_agency")[-1].after == {"active": False}
    assert _audits(session, "reactivate_agency")[-1].after == {"active": True}
    assert len(_audits(session, "create_agency")) == 3


def test_only_admins_edit_agencies(session, book):
    for actor in (book.controller, book.agent):
        with pytest.raises(PermissionDenied, match="Only an admin"):
            create_agency(session, actor, details=AgencyDetails(name="Nope"))
        with pytest.raises(PermissionDenied):
            update_agency(session, actor, agency_id=book.alpha, details=AgencyDetails(name="X"))
        with pytest.raises(PermissionDenied):
            deactivate_agency(session, actor, agency_id=book.alpha)


@pytest.mark.parametrize(
    ("percent", "message"),
    [
        ("100.001", "between 0 and 100"),
        ("-1", "between 0 and 100"),
        ("abc", "not a number"),
        ("1.2345", "three decimal places"),
        (12.5, "not a float"),
        ("NaN", "between 0 and 100"),
    ],
)
def test_commission_is_validated(session, book, percent, message):
    with pytest.raises(ValidationError, match=message):
        create_agency(
            session, book.admin, details=AgencyDetails(name="Delta", commission_percent=percent)
        )


def test_commission_edges_and_comma_are_accepted(session, book):
    zero = create_agency(session, book.admin, details=AgencyDetails(name="Z", commission_percent=0))
    full = create_agency(
        session, book.admin, details=AgencyDetails(name="F", commission_percent="100")
    )
    comma = create_agency(
        session, book.admin, details=AgencyDetails(name="C", commission_percent="12,5 %")
    )
    assert (zero.commission_percent, full.commission_percent) == (Decimal(0), Decimal(100))
    assert comma.commission_percent == Decimal("12.5")


def test_agency_details_are_validated(session, book):
    with pytest.raises(ValidationError, match="needs a name"):
        create_agency(session, book.admin, details=AgencyDetails(name="   "))
    with pytest.raises(ConflictError, match="already a collection agency named 'Alpha Inkasso'"):
        create_agency(session, book.admin, details=AgencyDetails(name="alpha inkasso"))
    with pytest.raises(ConflictError, match="already a collection agency"):
        update_agency(
            session, book.admin, agency_id=book.beta, details=AgencyDetails(name="ALPHA INKASSO")
        )
    with pytest.raises(ValidationError, match="country code"):
        create_agency(session, book.admin, details=AgencyDetails(name="E", country="DEU"))
    with pytest.raises(ValidationError, match="e-mail"):
        create_agency(session, book.admin, details=AgencyDetails(name="E", email="nobody"))
    with pytest.raises(ValidationError, match="at most 20 characters"):
        create_agency(session, book.admin, details=AgencyDetails(name="E", postal_code="1" * 21))
    with pytest.raises(NotFound):
        update_agency(session, book.admin, agency_id=99999, details=AgencyDetails(name="E"))
    # Renaming an agency to its own name in another case is fine.
    assert (
        update_agency(
            session, book.admin, agency_id=book.beta, details=AgencyDetails(name="BETA COLLECT")
        ).name
        == "BETA COLLECT"
    )


# --- flag and unflag --------------------------------------------------------------------


def test_controller_flags_and_unflags_open_invoices(session, book):
    first = make_invoice(session, book.eur, "100.00", days_past_due=90)
    second = make_invoice(session, book.eur, "50.00", days_past_due=10)
    with pytest.raises(PermissionDenied, match="Only a controller"):
        flag_for_collection(session, book.agent, [first.id])

    change = flag_for_collection(
        session, book.controller, [first.id, second.id, first.id], reason=" 3 letters ignored "
    )
    assert change.changed == (first.id, second.id)
    assert change.unchanged == ()
    session.refresh(first)
    assert first.collection_state == CollectionState.FLAGGED
    row = _audits(session, "flag_for_collection")[0]
    assert row.entity == "invoice"
    assert row.entity_id == str(first.id)
    assert row.actor == "ctrl"
    assert row.before == {"collection_state": "none", "collection_agency_id": None}
    assert row.after == {
        "collection_state": "flagged",
        "collection_agency_id": None,
        "reason": "3 letters ignored",
    }

    again = flag_for_collection(session, book.controller, [first.id])
    assert again == type(again)(changed=(), unchanged=(first.id,))
    assert len(_audits(session, "flag_for_collection")) == 2

    with pytest.raises(PermissionDenied):
        unflag(session, book.agent, [first.id])
    undone = unflag(session, book.controller, [second.id])
    assert undone.changed == (second.id,)
    session.refresh(second)
    assert second.collection_state == CollectionState.NONE
    assert _audits(session, "unflag_for_collection")[0].after["collection_state"] == "none"
    _check_holds(session)
    _figures_true(session, book.admin)


def test_paid_invoice_cannot_be_flagged_and_nothing_is(session, book):
    open_one = make_invoice(session, book.eur, "100.00", days_past_due=40)
    paid = make_invoice(session, book.eur, "80.00", days_past_due=40, open_amount="0")
    with pytest.raises(ConflictError) as refused:
        flag_for_collection(session, book.controller, [open_one.id, paid.id])
    assert str(refused.value) == (
        f"Nothing was flagged for collection: {paid.number} is not open (nothing is owed on it)."
    )
    session.refresh(open_one)
    assert open_one.collection_state == CollectionState.NONE
    assert _audits(session, "flag_for_collection") == []


def test_unknown_or_no_invoices_are_refused(session, book):
    with pytest.raises(NotFound, match="no invoice with id 424242"):
        flag_for_collection(session, book.controller, [424242])
    with pytest.raises(ValidationError, match="at least one invoice"):
        flag_for_collection(session, book.controller, [])
    with pytest.raises(ValidationError, match="at least one invoice"):
        hand_over(session, book.controller, [], agency_id=book.alpha)


def test_handed_over_invoice_cannot_be_unflagged(session, book):
    invoice = make_invoice(session, book.eur, "100.00", days_past_due=90)
    flag_for_collection(session, book.controller, [invoice.id])
    hand_over(session, book.controller, [invoice.id], agency_id=book.alpha, handed_on=TODAY)
    with pytest.raises(ConflictError, match="with a collection agency \\(recall them first\\)"):
        unflag(session, book.controller, [invoice.id])


# --- hand over --------------------------------------------------------------------------


def test_hand_over_flagged_invoices(session, book):
    first = make_invoice(session, book.eur, "100.00", days_past_due=90)
    second = make_invoice(session, book.eur, "30.00", days_past_due=70)
    flag_for_collection(session, book.controller, [first.id, second.id])
    with pytest.raises(PermissionDenied):
        hand_over(session, book.agent, [first.id], agency_id=book.alpha)

    done = hand_over(
        session,
        book.controller,
        [first.id, second.id],
        agency_id=book.alpha,
        handed_on=TODAY,
        note="Two reminders ignored",
    )
    assert done.changed == (first.id, second.id)
    assert len(done.handover_ids) == 2
    for invoice in (first, second):
        session.refresh(invoice)
        assert invoice.collection_state == CollectionState.HANDED_OVER
        assert invoice.collection_agency_id == book.alpha
    handover = session.get(AgencyHandover, done.handover_ids[0])
    assert (handover.invoice_id, handover.agency_id) == (first.id, book.alpha)
    assert handover.handed_on == TODAY
    assert handover.handed_by_id == book.controller.id
    assert handover.recalled_on is None
    assert handover.note == "Two reminders ignored"
    row = _audits(session, "hand_over_to_agency")[0]
    assert row.before == {"collection_state": "flagged", "collection_agency_id": None}
    assert row.after["collection_state"] == "handed_over"
    assert row.after["collection_agency_id"] == book.alpha
    assert row.after["handover_id"] == handover.id
    assert row.after["handed_on"] == TODAY.isoformat()
    _check_holds(session)
    _figures_true(session, book.admin)


def test_unflagged_invoice_cannot_be_handed_over_and_nothing_is(session, book):
    flagged = make_invoice(session, book.eur, "100.00", days_past_due=90)
    plain = make_invoice(session, book.eur, "20.00", days_past_due=90)
    also_plain = make_invoice(session, book.eur, "21.00", days_past_due=90)
    flag_for_collection(session, book.controller, [flagged.id])
    with pytest.raises(ConflictError) as refused:
        hand_over(
            session,
            book.controller,
            [flagged.id, plain.id, also_plain.id],
            agency_id=book.alpha,
            handed_on=TODAY,
        )
    assert str(refused.value) == (
        "Nothing was handed over to Alpha Inkasso: "
        f"{plain.number}, {also_plain.number} are not flagged for collection."
    )
    session.refresh(flagged)
    assert flagged.collection_state == CollectionState.FLAGGED
    assert session.scalar(select(func.count()).select_from(AgencyHandover)) == 0


def test_hand_over_names_every_reason(session, book):
    paid = make_invoice(session, book.eur, "100.00", days_past_due=90)
    elsewhere = make_invoice(session, book.eur, "100.00", days_past_due=90)
    flag_for_collection(session, book.controller, [paid.id, elsewhere.id])
    hand_over(session, book.controller, [elsewhere.id], agency_id=book.beta, handed_on=TODAY)
    paid.open_amount = Decimal(0)
    paid.paid_on = TODAY
    session.flush()
    with pytest.raises(ConflictError) as refused:
        hand_over(session, book.controller, [paid.id, elsewhere.id], agency_id=book.alpha)
    assert str(refused.value) == (
        f"Nothing was handed over to Alpha Inkasso: {paid.number} is paid (nothing is open on "
        f"it); {elsewhere.number} is already with Beta Collect."
    )


def test_inactive_or_unknown_agency_is_refused(session, book):
    invoice = make_invoice(session, book.eur, "100.00", days_past_due=90)
    flag_for_collection(session, book.controller, [invoice.id])
    deactivate_agency(session, book.admin, agency_id=book.alpha)
    with pytest.raises(ConflictError, match="'Alpha Inkasso' is inactive"):
        hand_over(session, book.controller, [invoice.id], agency_id=book.alpha)
    with pytest.raises(NotFound, match="no collection agency with id 99999"):
        hand_over(session, book.controller, [invoice.id], agency_id=99999)
    session.refresh(invoice)
    assert invoice.collection_state == CollectionState.FLAGGED


def test_open_hand_over_in_the_database_is_told_as_a_conflict(session, book):
    """A stray open hand-over row (the unique partial index) refuses a second one."""
    invoice = make_invoice(session, book.eur, "100.00", days_past_due=90)
    flag_for_collection(session, book.controller, [invoice.id])
    session.add(AgencyHandover(invoice_id=invoice.id, agency_id=book.beta, handed_on=TODAY))
    session.flush()
    with pytest.raises(ConflictError, match="already has an open hand-over"):
        hand_over(session, book.controller, [invoice.id], agency_id=book.alpha, handed_on=TODAY)
    # The savepoint keeps the caller's transaction usable.
    session.refresh(invoice)
    assert invoice.collection_state == CollectionState.FLAGGED
    assert session.scalar(select(func.count()).select_from(AgencyHandover)) == 1


def test_concurrent_hand_overs_of_one_invoice_give_it_to_one_agency(db):
    with db.session() as setup:
        book = Book(setup)
        invoice = make_invoice(setup, book.eur, "100.00", days_past_due=90)
        flag_for_collection(setup, book.controller, [invoice.id])
        invoice_id, agencies, controller = invoice.id, (book.alpha, book.beta), book.controller
        setup.commit()

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def work(agency_id: int) -> None:
        with db.session() as session:
            barrier.wait()
            try:
                hand_over(session, controller, [invoice_id], agency_id=agency_id, handed_on=TODAY)
                session.commit()
                outcomes.append("handed")
            except ConflictError as error:
                session.rollback()
                outcomes.append(str(error))

    threads = [threading.Thread(target=work, args=(agency_id,)) for agency_id in agencies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[-1] == "handed"
    assert "already with" in sorted(outcomes)[0]
    with db.session() as check:
        assert check.scalar(select(func.count()).select_from(AgencyHandover)) == 1
        _check_holds(check)


# --- recall -----------------------------------------------------------------------------


def test_recall_brings_invoices_back_to_flagged(session, book):
    invoice = make_invoice(session, book.eur, "100.00", days_past_due=90)
    flag_for_collection(session, book.controller, [invoice.id])
    handed = hand_over(
        session,
        book.controller,
        [invoice.id],
        agency_id=book.alpha,
        handed_on=TODAY - timedelta(days=10),
        note="Sent",
    )
    with pytest.raises(PermissionDenied):
        recall(session, book.agent, [invoice.id])
    with pytest.raises(ConflictError, match="handed over after"):
        recall(session, book.controller, [invoice.id], recalled_on=TODAY - timedelta(days=11))

    back = recall(session, book.controller, [invoice.id], recalled_on=TODAY, note="Customer paid")
    assert back.changed == (invoice.id,)
    assert back.handover_ids == handed.handover_ids
    session.refresh(invoice)
    assert invoice.collection_state == CollectionState.FLAGGED
    assert invoice.collection_agency_id is None
    handover = session.get(AgencyHandover, handed.handover_ids[0])
    session.refresh(handover)
    assert handover.recalled_on == TODAY
    assert handover.recalled_by_id == book.controller.id
    assert handover.note == f"Sent\nRecalled {TODAY.isoformat()}: Customer paid"
    row = _audits(session, "recall_from_agency")[0]
    assert row.before == {"collection_state": "handed_over", "collection_agency_id": book.alpha}
    assert row.after["collection_state"] == "flagged"
    assert row.after["collection_agency_id"] is None
    _check_holds(session)

    # Recalled, it may go to another agency (the recalled hand-over no longer counts).
    again = hand_over(session, book.controller, [invoice.id], agency_id=book.beta)
    assert again.changed == (invoice.id,)
    assert session.scalar(select(func.count()).select_from(AgencyHandover)) == 2
    _check_holds(session)
    _figures_true(session, book.admin)


def test_recall_of_an_invoice_not_handed_over_is_refused(session, book):
    handed = make_invoice(session, book.eur, "100.00", days_past_due=90)
    flagged_only = make_invoice(session, book.eur, "40.00", days_past_due=90)
    flag_for_collection(session, book.controller, [handed.id, flagged_only.id])
    hand_over(session, book.controller, [handed.id], agency_id=book.alpha, handed_on=TODAY)
    with pytest.raises(ConflictError) as refused:
        recall(session, book.controller, [handed.id, flagged_only.id], recalled_on=TODAY)
    assert str(refused.value) == (
        f"Nothing was recalled: {flagged_only.number} is not with a collection agency."
    )
    session.refresh(handed)
    assert handed.collection_state == CollectionState.HANDED_OVER


def test_paid_invoice_at_the_agency_can_be_recalled(session, book):
    invoice = make_invoice(session, book.eur, "100.00", days_past_due=90)
    flag_for_collection(session, book.controller, [invoice.id])
    hand_over(session, book.controller, [invoice.id], agency_id=book.alpha, handed_on=TODAY)
    invoice.open_amount = Decimal(0)
    invoice.paid_on = TODAY
    session.flush()
    assert recall(session, book.controller, [invoice.id], recalled_on=TODAY).changed == (
        invoice.id,
    )
    _check_holds(session)


# --- lists and totals -------------------------------------------------------------------


def _walk(session, agency_id, limit):
    rows, cursor, pages = [], None, 0
    while True:
        page = agency_invoices(session, agency_id=agency_id, limit=limit, after=cursor, as_of=TODAY)
        rows.extend(page.rows)
        pages += 1
        if page.next_cursor is None:
            return rows, pages
        cursor = page.next_cursor


def test_agency_lists_page_through_everything_in_due_order(session, book):
    invoices = []
    for n in range(11):
        customer = book.eur if n % 2 else book.usd
        # Pairs share a due date so the id breaks the tie.
        invoices.append(make_invoice(session, customer, f"{10 + n}.00", days_past_due=100 - n // 2))
    not_due = make_invoice(session, book.eur, "5.00", days_past_due=-5)
    make_invoice(session, book.eur, "7.00", days_past_due=50)  # never flagged
    flag_for_collection(session, book.controller, [i.id for i in [*invoices, not_due]])
    to_alpha = [i.id for i in invoices[:7]]
    hand_over(session, book.controller, to_alpha, agency_id=book.alpha, handed_on=TODAY)

    expected_flagged = sorted([*invoices[7:], not_due], key=lambda i: (i.due_on, i.id))
    expected_alpha = sorted(invoices[:7], key=lambda i: (i.due_on, i.id))
    for limit in (1, 2, 3, 100):
        alpha_rows, pages = _walk(session, book.alpha, limit)
        assert [r.invoice_id for r in alpha_rows] == [i.id for i in expected_alpha]
        assert pages == max(1, -(-len(expected_alpha) // limit))
        flagged_rows, _ = _walk(session, None, limit)
        assert [r.invoice_id for r in flagged_rows] == [i.id for i in expected_flagged]
    assert _walk(session, book.beta, 2) == ([], 1)

    first = alpha_rows[0]
    assert first.handed_on == TODAY
    assert first.agency_id == book.alpha
    assert first.days_past_due == 100
    assert first.account in (book.eur.account, book.usd.account)
    flagged_last = flagged_rows[-1]
    assert flagged_last.invoice_id == not_due.id
    assert (flagged_last.handed_on, flagged_last.agency_id) == (None, None)
    assert flagged_last.days_past_due == 0
    assert flagged_last.open_amount == Decimal("5.00")


def test_agency_list_refusals(session, book):
    with pytest.raises(NotFound):
        agency_invoices(session, agency_id=99999)
    with pytest.raises(ValidationError, match="1 to 1000 rows"):
        agency_invoices(session, agency_id=book.alpha, limit=0)
    with pytest.raises(ValidationError, match="another list"):
        agency_invoices(
            session, agency_id=book.alpha, after=AgencyInvoiceCursor(book.beta, TODAY, 1)
        )


def test_totals_per_agency_per_currency(session, book):
    e1 = make_invoice(session, book.eur, "100.00", days_past_due=90)
    e2 = make_invoice(session, book.eur, "50.50", days_past_due=80, open_amount="20.25")
    u1 = make_invoice(session, book.usd, "300.00", days_past_due=90)
    u2 = make_invoice(session, book.usd, "10.00", days_past_due=90)
    e3 = make_invoice(session, book.eur, "7.00", days_past_due=90)
    make_invoice(session, book.eur, "999.00", days_past_due=90)  # not flagged
    flag_for_collection(session, book.controller, [e1.id, e2.id, u1.id, u2.id, e3.id])
    hand_over(session, book.controller, [e1.id, e2.id, u1.id], agency_id=book.alpha)
    hand_over(session, book.controller, [u2.id], agency_id=book.beta)
    gamma = create_agency(session, book.admin, details=AgencyDetails(name="Gamma")).id
    deactivate_agency(session, book.admin, agency_id=gamma)

    totals = {t.agency_id: t for t in agency_totals(session)}
    assert [t.name for t in agency_totals(session)] == [
        FLAGGED_BUCKET,
        "Alpha Inkasso",
        "Beta Collect",
        "Gamma",
    ]
    alpha = totals[book.alpha]
    assert alpha.invoice_count == 3
    assert [(c.currency, c.invoice_count, c.open_total) for c in alpha.by_currency] == [
        ("EUR", 2, Decimal("120.25")),
        ("USD", 1, Decimal("300.00")),
    ]
    assert [(c.currency, c.invoice_count) for c in totals[book.beta].by_currency] == [("USD", 1)]
    flagged = totals[None]
    assert flagged.invoice_count == 1
    assert flagged.by_currency[0].open_total == Decimal("7.00")
    assert (totals[gamma].invoice_count, totals[gamma].by_currency, totals[gamma].active) == (
        0,
        (),
        False,
    )

    # The list's rows add up to the totals.
    rows, _ = _walk(session, book.alpha, 100)
    assert sum(r.open_amount for r in rows if r.currency == "EUR") == Decimal("120.25")

    recall(session, book.controller, [u1.id])
    totals = {t.agency_id: t for t in agency_totals(session)}
    assert totals[book.alpha].invoice_count == 2
    assert totals[None].invoice_count == 2
    assert {c.currency for c in totals[None].by_currency} == {"EUR", "USD"}
    # Customers' maintained figures never moved.
    assert session.get(Customer, book.eur.id).balance == Decimal("1126.25")
    _check_holds(session)
    _figures_true(session, book.admin)


def test_handed_on_defaults_to_today_and_invoices_issued_later_are_refused(session, book):
    invoice = make_invoice(session, book.eur, "100.00", days_past_due=10)
    flag_for_collection(session, book.controller, [invoice.id])
    with pytest.raises(ConflictError, match="issued after"):
        hand_over(
            session,
            book.controller,
            [invoice.id],
            agency_id=book.alpha,
            handed_on=invoice.issued_on - timedelta(days=1),
        )
    invoice_row = session.get(Invoice, invoice.id)
    assert invoice_row.collection_state == CollectionState.FLAGGED
