"""The charts on screen: with figures, without, at 80x24, without colour, as tables."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest

from cctui.db.engine import Database
from cctui.domain.daily_check import run_daily_check
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import CallOutcome, Contact, Payment, Role
from cctui.screens.activity import ActivityScreen
from cctui.screens.customer import CustomerScreen
from cctui.widgets.charts.base import ChartView
from tests.app_support import SIZE, TODAY, make_app, screen_text, settle
from tests.factories import make_customer, make_invoice, make_staff


@pytest.fixture
def admin(db: Database) -> StaffIdentity:
    with db.session() as session:
        return make_staff(session, "root", Role.ADMIN)


@pytest.fixture
def book(db: Database, admin: StaffIdentity) -> str:
    """Two EUR debtors checked a week ago and today, a payment and calls; one account."""
    with db.session() as session:
        first = make_customer(session, name="[b]Bold[/b] GmbH", credit_limit="2000.00")
        second = make_customer(session)
        make_invoice(session, first, "1500.00", days_past_due=10)
        make_invoice(session, first, "250.00", days_past_due=70)
        make_invoice(session, second, "80.00", days_past_due=40)
        session.add(
            Payment(customer_id=first.id, amount=Decimal("300.00"), currency="EUR",
                    received_on=TODAY - timedelta(days=3))
        )  # fmt: skip
        started = datetime.combine(TODAY, time(9, 30), tzinfo=UTC)
        session.add(
            Contact(customer_id=first.id, staff_id=admin.id, started_at=started,
                    ended_at=started + timedelta(minutes=2), outcome=CallOutcome.CONTACTED)
        )  # fmt: skip
        run_daily_check(session, admin, run_on=TODAY - timedelta(days=7))
        run_daily_check(session, admin, run_on=TODAY)
        return first.account


def _views(app: Any) -> list[ChartView]:
    return list(app.screen.query(ChartView))


async def _dashboard_charts(app: Any, pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)


async def test_dashboard_charts_show_the_figures(db: Database, admin: StaffIdentity, book: str):
    app = make_app(db, admin)
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard_charts(app, pilot)
        text = screen_text(app)
        assert "Overdue by aging band (EUR) on 2026-11-23" in text
        assert "Days past due" in text and "1-30" in text and "No data yet" not in text
        views = _views(app)
        assert [v.figures.has_data for v in views] == [True, True, True, False]
        assert "No data yet: no document is held." in str(
            views[3].query_one(".chart-empty").content
        )
        await pilot.press("t")  # the focused chart (overdue by band) as a table
        await pilot.pause()
        text = screen_text(app)
        assert "1,500.00" in text and "250.00" in text and "90+" in text
        await pilot.press("t")
        await pilot.pause()
        assert "1,500.00" not in screen_text(app)


async def test_dashboard_charts_of_an_empty_book(db: Database, admin: StaffIdentity):
    app = make_app(db, admin)
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard_charts(app, pilot)
        assert "No data yet: the daily check writes the aged balance." in screen_text(app)
        assert all(not view.figures.has_data for view in _views(app))
        await pilot.press("c")  # no currency to move to: says so, does not fail
        await pilot.pause()


async def test_dashboard_charts_without_colour(
    db: Database, admin: StaffIdentity, book: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(db, admin)
    async with app.run_test(size=SIZE) as pilot:
        assert app.no_color
        await _dashboard_charts(app, pilot)
        for _ in range(2):
            await pilot.press("tab")
        await pilot.pause()
        text = screen_text(app)
        # Two series told apart by fill and legend, not by colour alone.
        assert "██ collected" in text and "▒▒ new overdue" in text


async def test_dashboard_charts_follow_the_terminal_size(
    db: Database, admin: StaffIdentity, book: str
):
    app = make_app(db, admin)
    async with app.run_test(size=(140, 44)) as pilot:
        await _dashboard_charts(app, pilot)
        grid = app.screen.query_one("#overview-charts")
        assert grid.has_class("-wide")
        assert len({view.region.y for view in _views(app)}) == 2  # two rows of two
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        await pilot.pause()
        assert not grid.has_class("-wide")


async def test_customer_charts_tab(db: Database, admin: StaffIdentity, book: str):
    app = make_app(db, admin, start_screen="customer", customer=book)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        await pilot.press("8")
        await settle(pilot)
        text = screen_text(app)
        assert "Credit limit against balance (EUR)" in text
        views = _views(app)
        assert [v.figures.has_data for v in views] == [True, True, False]
        await pilot.press("t")
        await pilot.pause()
        text = screen_text(app)
        assert "2,000.00" in text and "1,750.00" in text  # limit and balance, exactly


async def test_activity_screen(db: Database, admin: StaffIdentity, book: str):
    app = make_app(db, admin, start_screen="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        text = screen_text(app)
        assert "Calls per day by outcome, last 30 days (Root)" in text
        calls, promises = _views(app)
        assert calls.figures.has_data and not promises.figures.has_data
        await pilot.press("t")
        await pilot.pause()
        assert "contacted" in screen_text(app)


async def test_activity_of_an_agent_without_calls(db: Database):
    with db.session() as session:
        agent = make_staff(session, "ann", Role.AGENT)
    app = make_app(db, agent, start_screen="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "No data yet: no call was finished in the last 30 days." in screen_text(app)
        assert not app.screen.query_one("#activity-whose").display


def test_snapshot_dashboard_charts(
    db: Database, admin: StaffIdentity, book: str, snap_compare: Any
) -> None:
    fixed = Database(db.engine, label="db.example.com:5432/cctui")

    async def charts(pilot: Any) -> None:
        await _dashboard_charts(pilot.app, pilot)

    assert snap_compare(make_app(fixed, admin), terminal_size=SIZE, run_before=charts)
