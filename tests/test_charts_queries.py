"""The charts' aggregations on a real database: exact figures from known rows, empty books."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from cctui.domain.charts.activity import activity_staff, read_activity_charts
from cctui.domain.charts.book import read_book_charts
from cctui.domain.charts.customer import read_customer_charts
from cctui.domain.daily_check import run_daily_check
from cctui.domain.errors import PermissionDenied
from cctui.domain.models import (
    AgingSnapshot,
    AgingTotal,
    CallOutcome,
    Contact,
    CreditAction,
    DocumentKind,
    HeldDocument,
    HeldStatus,
    Payment,
    Promise,
    PromiseStatus,
    Role,
)
from tests.factories import TODAY, make_customer, make_invoice, make_staff

D = Decimal
WEEK_AGO = TODAY - timedelta(days=7)


def _payment(session, customer, amount, received_on, *, reversed_=False):
    session.add(
        Payment(
            customer_id=customer.id,
            amount=D(amount),
            currency=customer.currency,
            received_on=received_on,
            reversed_at=datetime(2026, 11, 20, tzinfo=UTC) if reversed_ else None,
            reversal_reason="bounced" if reversed_ else None,
        )
    )


def _held(session, customer, reasons, status=HeldStatus.HELD):
    session.add(
        HeldDocument(
            customer_id=customer.id,
            document_kind=DocumentKind.ORDER,
            reference="SO",
            amount=D("10.00"),
            currency=customer.currency,
            credit_action=CreditAction.HOLD,
            reasons=reasons,
            status=status,
            decided_at=None if status is HeldStatus.HELD else datetime.now(UTC),
        )
    )


@pytest.fixture
def book(session):
    """Two customers (EUR, USD), checked a week ago and today."""
    ada = make_staff(session, "ada", Role.ADMIN)
    euro = make_customer(session, credit_limit="1000.00")
    dollar = make_customer(session, currency="USD")
    make_invoice(session, euro, "100.00")  # due today: not overdue
    make_invoice(session, euro, "40.00", days_past_due=10)  # due 2026-11-13
    make_invoice(session, euro, "7.50", days_past_due=95)  # before the 13 weeks
    make_invoice(session, dollar, "20.00", days_past_due=45)  # due 2026-10-09
    run_daily_check(session, ada, run_on=WEEK_AGO)
    run_daily_check(session, ada, run_on=TODAY)
    return ada, euro, dollar


def test_an_empty_book_has_no_figures(session):
    charts = read_book_charts(session, as_of=TODAY)
    assert charts.bands.as_of is None and charts.bands.currencies == ()
    assert charts.bands.labels == ("1-30", "31-60", "61-90", "90+")
    assert (charts.currencies, charts.trend, charts.weekly, charts.held) == ((), (), (), ())


def test_aging_total_is_the_sum_of_the_snapshots(session, book):
    for day in (WEEK_AGO, TODAY):
        snapshot = session.execute(
            select(func.sum(AgingSnapshot.overdue), func.sum(AgingSnapshot.balance)).where(
                AgingSnapshot.snapshot_on == day
            )
        ).one()
        total = session.execute(
            select(func.sum(AgingTotal.overdue), func.sum(AgingTotal.balance)).where(
                AgingTotal.snapshot_on == day
            )
        ).one()
        assert tuple(total) == tuple(snapshot)
    session.execute(AgingSnapshot.__table__.delete().where(AgingSnapshot.snapshot_on == TODAY))
    assert session.scalar(select(func.count()).where(AgingTotal.snapshot_on == TODAY)) == 0


def test_overdue_by_band_and_over_time(session, book):
    charts = read_book_charts(session, as_of=TODAY)
    assert charts.bands.as_of == TODAY
    bands = {c.currency: c.amounts for c in charts.bands.currencies}
    assert bands == {
        "EUR": (D("40.00"), D(0), D(0), D("7.50")),
        "USD": (D(0), D("20.00"), D(0), D(0)),
    }
    trend = {t.currency: [(p.day, p.amount) for p in t.points] for t in charts.trend}
    assert trend == {
        "EUR": [(WEEK_AGO, D("47.50")), (TODAY, D("47.50"))],
        "USD": [(WEEK_AGO, D("20.00")), (TODAY, D("20.00"))],
    }
    assert read_book_charts(session, as_of=WEEK_AGO).bands.as_of == TODAY  # the latest


def test_collected_against_new_overdue_per_week(session, book):
    _, euro, dollar = book
    _payment(session, euro, "30.00", date(2026, 11, 16))  # Monday
    _payment(session, euro, "5.25", date(2026, 11, 22))  # Sunday, same week
    _payment(session, euro, "99.00", date(2026, 11, 17), reversed_=True)  # bounced
    _payment(session, dollar, "12.00", TODAY)
    _payment(session, dollar, "1.00", TODAY + timedelta(days=1))  # after the day asked
    session.flush()
    charts = read_book_charts(session, as_of=TODAY)
    weeks = {w.currency: w.weeks for w in charts.weekly}
    assert set(weeks) == {"EUR", "USD"}
    assert all(len(series) == 13 for series in weeks.values())
    assert weeks["EUR"][0].week == date(2026, 8, 31) and weeks["EUR"][-1].week == TODAY
    eur = {
        w.week: (w.collected, w.new_overdue) for w in weeks["EUR"] if w.collected or w.new_overdue
    }
    assert eur == {date(2026, 11, 16): (D("35.25"), D(0)), date(2026, 11, 9): (D(0), D("40.00"))}
    usd = {
        w.week: (w.collected, w.new_overdue) for w in weeks["USD"] if w.collected or w.new_overdue
    }
    assert usd == {TODAY: (D("12.00"), D(0)), date(2026, 10, 5): (D(0), D("20.00"))}
    assert charts.currencies == ("EUR", "USD")


def test_held_documents_by_reason(session, book):
    _, euro, dollar = book
    _held(session, euro, ["Debt has aged thrice", "Credit limit exceeded"])
    _held(session, dollar, ["Debt has aged thrice"])
    _held(session, dollar, ["Released one"], status=HeldStatus.RELEASED)
    session.flush()
    held = read_book_charts(session, as_of=TODAY).held
    assert [(r.reason, r.documents) for r in held] == [
        ("Debt has aged thrice", 2),
        ("Credit limit exceeded", 1),
    ]


def test_customer_credit_against_balance(session, book):
    _, euro, _ = book
    charts = read_customer_charts(session, euro.id, as_of=TODAY)
    assert charts.currency == "EUR"
    assert [(p.day, p.credit_limit, p.balance, p.overdue) for p in charts.credit] == [
        (WEEK_AGO, D("1000.00"), D("147.50"), D("47.50")),
        (TODAY, D("1000.00"), D("147.50"), D("47.50")),
    ]
    nothing = make_customer(session, credit_limit="500.00")
    empty = read_customer_charts(session, nothing.id, as_of=TODAY)
    assert [(p.credit_limit, p.balance) for p in empty.credit] == [(D("500.00"), D(0))] * 2


def test_customer_payments_and_days_to_pay(session, book):
    _, euro, _ = book
    for days, amount in ((20, "10.00"), (31, "20.00")):
        invoice = make_invoice(session, euro, amount, days_past_due=60, open_amount="0")
        invoice.paid_on = invoice.issued_on + timedelta(days=days)  # issued 2026-08-25
    _payment(session, euro, "30.00", date(2026, 9, 14))
    _payment(session, euro, "1.00", date(2026, 11, 2))
    _payment(session, euro, "9.00", date(2026, 11, 3), reversed_=True)
    session.flush()
    charts = read_customer_charts(session, euro.id, as_of=TODAY)
    assert len(charts.months) == 12
    assert charts.months[0].month == date(2025, 12, 1) and charts.months[-1].month == date(
        2026, 11, 1
    )
    by_month = {m.month: (m.paid, m.payments, m.avg_days_to_pay) for m in charts.months}
    assert by_month[date(2026, 9, 1)] == (D("30.00"), 1, D("25.5"))
    assert by_month[date(2026, 11, 1)] == (D("1.00"), 1, None)
    assert by_month[date(2026, 10, 1)] == (D(0), 0, None)


def test_customer_charts_of_an_empty_book(session):
    customer = make_customer(session)
    charts = read_customer_charts(session, customer.id, as_of=TODAY)
    assert charts.credit == ()
    assert all(m.paid == 0 and m.avg_days_to_pay is None for m in charts.months)


def _call(session, customer, staff, day, outcome):
    started = datetime.combine(day, time(10, 0)).astimezone()
    session.add(
        Contact(
            customer_id=customer.id,
            staff_id=staff.id,
            started_at=started,
            ended_at=started + timedelta(minutes=3),
            outcome=outcome,
        )
    )


def _promise(session, customer, staff, judged_on, status):
    session.add(
        Promise(
            customer_id=customer.id,
            staff_id=staff.id,
            amount=D("10.00"),
            currency="EUR",
            promised_on=judged_on - timedelta(days=1),
            status=status,
            evaluated_on=None if status is PromiseStatus.OPEN else judged_on,
        )
    )


def test_calls_and_promises_of_one_agent_and_of_everyone(session):
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    ann = make_staff(session, "ann", Role.AGENT)
    bob = make_staff(session, "bob", Role.AGENT)
    customer = make_customer(session)
    _call(session, customer, ann, TODAY, CallOutcome.CONTACTED)
    _call(session, customer, ann, TODAY, CallOutcome.CONTACTED)
    _call(session, customer, ann, TODAY, CallOutcome.UNREACHABLE)
    _call(session, customer, bob, TODAY - timedelta(days=2), CallOutcome.DOCUMENT_CREATED)
    _call(session, customer, ann, TODAY - timedelta(days=30), CallOutcome.CONTACTED)  # too old
    _promise(session, customer, ann, date(2026, 11, 18), PromiseStatus.KEPT)
    _promise(session, customer, ann, date(2026, 11, 19), PromiseStatus.BROKEN)
    _promise(session, customer, bob, date(2026, 11, 23), PromiseStatus.KEPT)
    _promise(session, customer, bob, date(2026, 11, 23), PromiseStatus.OPEN)
    session.flush()

    mine = read_activity_charts(session, ann, staff_id=ann.id, as_of=TODAY)
    assert mine.staff is not None and mine.staff.login == "ann"
    assert len(mine.days) == 30 and mine.days[-1].day == TODAY
    assert (mine.days[-1].contacted, mine.days[-1].unreachable, mine.days[-1].total) == (2, 1, 3)
    assert sum(day.total for day in mine.days) == 3
    assert len(mine.weeks) == 13
    assert [(w.week, w.kept, w.broken) for w in mine.weeks if w.kept or w.broken] == [
        (date(2026, 11, 16), 1, 1)
    ]

    everyone = read_activity_charts(session, boss, staff_id=None, as_of=TODAY)
    assert everyone.staff is None
    assert sum(day.total for day in everyone.days) == 4
    assert everyone.days[-3].document_created == 1
    assert [(w.week, w.kept, w.broken) for w in everyone.weeks if w.kept or w.broken] == [
        (date(2026, 11, 16), 1, 1),
        (TODAY, 1, 0),
    ]
    assert [s.login for s in activity_staff(session, ann)] == ["ann"]
    assert {s.login for s in activity_staff(session, boss)} == {"boss", "ann", "bob"}


def test_only_supervisors_see_others(session):
    ann = make_staff(session, "ann", Role.AGENT)
    bob = make_staff(session, "bob", Role.CONTROLLER)
    with pytest.raises(PermissionDenied):
        read_activity_charts(session, ann, staff_id=None, as_of=TODAY)
    with pytest.raises(PermissionDenied):
        read_activity_charts(session, ann, staff_id=bob.id, as_of=TODAY)
    empty = read_activity_charts(session, ann, staff_id=ann.id, as_of=TODAY)
    assert all(d.total == 0 for d in empty.days) and all(not w.kept for w in empty.weeks)
