"""The daily check screen: the last runs, and an admin running today's check with progress."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from cctui.db.engine import Database
from cctui.domain.daily_check_history import daily_check_runs
from cctui.domain.errors import ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import DailyCheckRun, Role, RunStatus
from cctui.screens.daily_check import (
    DailyCheckScreen,
    changes_summary,
    duration_words,
)
from tests.app_support import SIZE, TODAY, make_app, recording_app, screen_text, settle
from tests.factories import make_customer, make_invoice, make_staff


def _history(session: Any) -> None:
    """Two earlier runs: one done with changes, one failed."""
    session.add_all(
        [
            DailyCheckRun(
                run_on=date(2026, 11, 21),
                status=RunStatus.DONE,
                started_by_login="ada",
                started_at=datetime(2026, 11, 21, 6, 0, 0, tzinfo=UTC),
                finished_at=datetime(2026, 11, 21, 6, 0, 2, 500000, tzinfo=UTC),
                changes={"invoices_dunned": 12, "fees_charged": 0, "aging_snapshots": 300},
            ),
            DailyCheckRun(
                run_on=date(2026, 11, 22),
                status=RunStatus.FAILED,
                started_by_login="[bold]bob[/]",
                started_at=datetime(2026, 11, 22, 6, 0, 0, tzinfo=UTC),
                finished_at=datetime(2026, 11, 22, 6, 1, 5, tzinfo=UTC),
                error="\x1b[31mdisk [/] full",
            ),
        ]
    )
    session.flush()


@pytest.fixture
def people(db: Database) -> dict[str, StaffIdentity]:
    with db.session() as session:
        _history(session)
        customer = make_customer(session, name="Overdue Ltd")
        make_invoice(session, customer, "100.00", days_past_due=40)
        return {
            "admin": make_staff(session, "root", Role.ADMIN),
            "ctl": make_staff(session, "ctl", Role.CONTROLLER),
            "agent": make_staff(session, "agent", Role.AGENT),
        }


def test_daily_check_runs_lists_the_latest_first(session: Any) -> None:
    _history(session)
    runs = daily_check_runs(session)
    assert [run.run_on for run in runs] == [date(2026, 11, 22), date(2026, 11, 21)]
    failed, done = runs
    assert failed.status is RunStatus.FAILED and failed.error == "\x1b[31mdisk [/] full"
    assert failed.duration_seconds == 65.0
    assert done.started_by == "ada"
    assert dict(done.changes) == {"invoices_dunned": 12, "fees_charged": 0, "aging_snapshots": 300}
    assert done.duration_seconds == 2.5
    assert [run.run_on for run in daily_check_runs(session, limit=1)] == [date(2026, 11, 22)]
    with pytest.raises(ValidationError):
        daily_check_runs(session, limit=0)


def test_words() -> None:
    assert changes_summary({"invoices_dunned": 12, "fees_charged": 0}) == "invoices dunned 12"
    assert changes_summary({}) == "nothing changed"
    assert changes_summary({"new_thing": 2}) == "new thing 2"
    assert duration_words(None) == "-"
    assert duration_words(2.5) == "2.5 s"
    assert duration_words(42.2) == "42 s"
    assert duration_words(185) == "3:05 min"


async def test_the_history_shows_runs_and_changes(
    db: Database, people: dict[str, StaffIdentity]
) -> None:
    app = make_app(db, people["agent"])
    async with app.run_test(size=SIZE) as pilot:
        app.open_screen("daily-check")
        await settle(pilot)
        assert isinstance(app.screen, DailyCheckScreen)
        text = screen_text(app)
        assert "Daily check: today 2026-11-23 not run yet" in text
        assert "✗ failed" in text and "✓ done" in text
        assert "[bold]bob[/]" in text  # literally
        assert "[31mdisk [/] full" in text  # the failed run is selected: its error
        await pilot.press("down")
        await pilot.pause()
        text = screen_text(app)
        assert "invoices dunned" in text and "aging snapshots written" in text
        assert "took 2.5 s" in text
        assert "error: [31mdisk [/] full" in text


async def test_an_admin_runs_todays_check_from_the_screen(
    db: Database, people: dict[str, StaffIdentity]
) -> None:
    app = recording_app(db, people["admin"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.open_screen("daily-check")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DailyCheckScreen)
        assert "R runs it now" in screen_text(app)
        stages: list[str] = []
        original = screen._show_progress

        def spy(stage: str, done: int, total: int) -> None:
            stages.append(stage)
            original(stage, done, total)

        screen._show_progress = spy  # type: ignore[method-assign]
        await pilot.press("R")
        await settle(pilot)
        await settle(pilot)
        assert stages[0] == "Expiring temporary limits" and stages[-1] == "Done"
        messages = [note["message"] for note in app.notes]
        assert any(m.startswith(f"The daily check of {TODAY.isoformat()} ran") for m in messages)
        text = screen_text(app)
        assert "Daily check: today 2026-11-23 done" in text
        assert "2026-11-23  ✓ done" in text and "root" in text

        await pilot.press("R")  # the day is done: said so, not run again
        await settle(pilot)
        assert app.notes[-1]["message"] == (
            f"The daily check of {TODAY.isoformat()} was already done by root."
        )
    with db.session() as session:
        runs = session.scalars(select(DailyCheckRun).where(DailyCheckRun.run_on == TODAY)).all()
        assert len(runs) == 1
        assert runs[0].status is RunStatus.DONE and runs[0].started_by_login == "root"


@pytest.mark.parametrize("who", ["ctl", "agent"])
async def test_others_have_no_run_key(
    db: Database, people: dict[str, StaffIdentity], who: str
) -> None:
    app = make_app(db, people[who])
    async with app.run_test(size=SIZE) as pilot:
        app.open_screen("daily-check")
        await settle(pilot)
        assert "Run today's check" not in screen_text(app)
        assert "R runs it now" not in screen_text(app)
        await pilot.press("R")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DailyCheckScreen)
        screen.action_run_check()  # even asked directly, it refuses
        await settle(pilot)
    with db.session() as session:
        assert session.scalar(select(DailyCheckRun).where(DailyCheckRun.run_on == TODAY)) is None


# --------------------------------------------------------------------------- snapshots


@pytest.fixture
def utc() -> Iterator[None]:
    """Local time is UTC for the test, so the times shown do not depend on the machine."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_snapshot_daily_check_no_color(
    utc: None,
    db: Database,
    people: dict[str, StaffIdentity],
    snap_compare: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    fixed = Database(db.engine, label="db.example.com:5432/cctui")
    app = make_app(fixed, people["admin"], start_screen="daily-check")
    assert app.no_color
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)
