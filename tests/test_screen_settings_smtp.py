"""The settings screen's Email (SMTP) tab: admins set the server; the password stays outside."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from cctui.db.engine import Database
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import Role, Setting
from cctui.domain.smtp_settings import PASSWORD_ENV, smtp_settings
from cctui.widgets.settings.form import FormModal
from tests.app_support import SIZE, make_app, screen_text
from tests.factories import make_staff
from tests.test_screen_settings import fill, open_settings, rows, save


@pytest.fixture
def admin(db: Database) -> StaffIdentity:
    with db.session() as session:
        return make_staff(session, "root", Role.ADMIN)


async def test_an_admin_sets_the_smtp_server(
    db: Database, admin: StaffIdentity, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    app = make_app(db, admin, start_screen="settings")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(app, pilot)
        await pilot.press("8")
        await pilot.pause()
        assert screen.current_section().name == "smtp"
        assert rows(screen, "smtp") == [
            ["SMTP host", "(not set: nothing is e-mailed)"],
            ["Port", "587"],
            ["Security", "STARTTLS (port 587)"],
            ["User", "(none: no login)"],
            ["Sender address", "(blank)"],
            ["Password", f"{PASSWORD_ENV} is not set"],
        ]
        await pilot.press("e")
        await pilot.pause()
        modal = await fill(pilot, host="smtp.acme.example", port="70000", security="tls")
        await save(pilot)
        assert isinstance(app.screen, FormModal)
        assert "1 to 65535" in modal.error  # refused inline, typed values kept
        assert "The password is never stored" in screen_text(app)
        await fill(pilot, port="465", user="mailer", sender="credit@acme.example")
        await save(pilot)
        assert not isinstance(app.screen, FormModal)
        assert rows(screen, "smtp")[:5] == [
            ["SMTP host", "smtp.acme.example"],
            ["Port", "465"],
            ["Security", "TLS from the start (port 465)"],
            ["User", "mailer"],
            ["Sender address", "credit@acme.example"],
        ]
        monkeypatch.setenv(PASSWORD_ENV, "never shown")
        screen.reload()
        await open_settings(app, pilot)
        assert rows(screen, "smtp")[5] == ["Password", f"{PASSWORD_ENV} is set"]
        assert "never shown" not in screen_text(app)
    with db.session() as session:
        saved = smtp_settings(session)
        assert (saved.host, saved.port, saved.security, saved.user) == (
            "smtp.acme.example",
            465,
            "tls",
            "mailer",
        )
        assert all("password" not in key for key in session.scalars(select(Setting.key)))


async def test_the_tab_reads_at_80_columns(db: Database, admin: StaffIdentity) -> None:
    app = make_app(db, admin, start_screen="settings")
    async with app.run_test(size=SIZE) as pilot:
        await open_settings(app, pilot)
        await pilot.press("8")
        await pilot.pause()
        text: Any = screen_text(app)
        assert "8 Email" in text
        assert "SMTP host" in text and "Sender address" in text
