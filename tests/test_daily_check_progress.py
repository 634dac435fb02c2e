"""The daily check's progress line: shown on every screen while the login's check runs."""

from __future__ import annotations

from typing import Any

from cctui.widgets.daily_check_progress import CheckProgress, progress_text
from tests.app_support import SIZE, drain, make_app, recording_app, screen_text
from tests.factories import make_customer, make_invoice, make_staff


def test_the_line_reads_without_colour() -> None:
    line = progress_text(CheckProgress("Dunning overdue invoices", 3, 7)).plain
    assert line == "Daily check running: Dunning overdue invoices (4 of 7) [####------]"
    assert progress_text(CheckProgress("Writing aging snapshots", 6, 7)).plain.endswith(
        "(7 of 7) [#########-]"
    )


async def test_the_line_shows_on_every_screen_and_hides_when_done(db: Any) -> None:
    with db.session() as session:
        user = make_staff(session, "ada")
    app = make_app(db, user)
    async with app.run_test(size=SIZE) as pilot:
        await drain(pilot)
        assert "Daily check running" not in screen_text(app)
        app._show_check_progress(CheckProgress("Moving overdue figures", 1, 7))
        await pilot.pause()
        assert "Daily check running: Moving overdue figures (2 of 7)" in screen_text(app)
        await pilot.press("g", "q")
        await drain(pilot)
        assert "Daily check running: Moving overdue figures" in screen_text(app)
        app._show_check_progress(None)
        await pilot.pause()
        assert "Daily check running" not in screen_text(app)


async def test_the_first_login_leaves_no_progress_behind(db: Any) -> None:
    with db.session() as session:
        user = make_staff(session, "ada")
        make_invoice(session, make_customer(session), "10.00", days_past_due=3)
    app = recording_app(db, user, daily_check_at_start=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await drain(pilot)
        assert app.daily_check_progress is None
        assert "Daily check running" not in screen_text(app)
        assert any("ran" in note["message"] for note in app.notes)
