"""The Letters tab of the settings screen: an admin edits a letter template's text."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, TextArea

from cctui.db.engine import Database
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import LetterKind, LetterTemplate, Role
from cctui.screens.settings import SettingsScreen
from cctui.widgets.settings.form import FormModal
from tests.app_support import SIZE, make_app, screen_text, settle
from tests.factories import make_staff


@pytest.fixture
def admin(db: Database) -> StaffIdentity:
    with db.session() as session:
        session.add(
            LetterTemplate(
                code="reminder_1",
                kind=LetterKind.REMINDER,
                name="First reminder",
                subject="Reminder: account {account}",
                body="Dear {customer_name},\n\n{invoice_table}",
            )
        )
        return make_staff(session, "root", Role.ADMIN)


async def _template_form(pilot: Pilot[Any]) -> tuple[SettingsScreen, FormModal]:
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SettingsScreen)
    await pilot.press("7")
    await settle(pilot)
    assert "Letterhead and letter templates" in screen_text(pilot.app)
    table = screen.query_one("#table-letterhead", DataTable)
    last = table.get_row_at(table.row_count - 1)
    assert [str(getattr(c, "plain", c)) for c in last] == [
        "Template reminder_1",
        "reminder: First reminder",
    ]
    await pilot.press("ctrl+end", "e")
    await pilot.pause()
    modal = pilot.app.screen
    assert isinstance(modal, FormModal)
    return screen, modal


async def test_an_admin_edits_a_template_body_and_saves_from_the_text_area(
    db: Database, admin: StaffIdentity
) -> None:
    app = make_app(db, admin, start_screen="settings")
    async with app.run_test(size=SIZE) as pilot:
        screen, modal = await _template_form(pilot)
        assert modal.query_one("#field-code", Input).value == "reminder_1"
        area = modal.query_one("#field-body", TextArea)
        assert area.text == "Dear {customer_name},\n\n{invoice_table}"
        area.focus()
        area.move_cursor(area.document.end)
        await pilot.press(
            "enter", "P", "a", "y", " ", "$", "t", "o", "t", "a", "l", "_", "d", "u", "e"
        )
        assert app.screen is modal  # Enter in the text starts a new line, it does not save
        modal.query_one("#field-name", Input).value = "Gentle reminder"
        area.focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        assert app.screen is screen
        table = screen.query_one("#table-letterhead", DataTable)
        last = table.get_row_at(table.row_count - 1)
        assert str(getattr(last[1], "plain", last[1])) == "reminder: Gentle reminder"
    with db.session() as session:
        template = session.scalars(select(LetterTemplate)).one()
        assert template.body == "Dear {customer_name},\n\n{invoice_table}\nPay $total_due"
        assert template.name == "Gentle reminder"


async def test_an_unknown_placeholder_is_shown_and_the_text_kept(
    db: Database, admin: StaffIdentity
) -> None:
    app = make_app(db, admin, start_screen="settings")
    async with app.run_test(size=SIZE) as pilot:
        _, modal = await _template_form(pilot)
        area = modal.query_one("#field-body", TextArea)
        typed = "Dear {customer_nam},\n$invoice_table\nPay ${total}."
        area.text = typed
        area.focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        assert app.screen is modal
        assert "Unknown placeholders customer_nam, total;" in modal.error
        shown = screen_text(app)
        assert "Not saved: Unknown placeholders customer_nam, total" in shown
        assert "Esc: cancel" in shown  # the whole dialog still fits 80x24
        assert area.text == typed
        await pilot.press("escape")
        assert isinstance(app.screen, SettingsScreen)
    with db.session() as session:
        assert session.scalars(select(LetterTemplate.body)).one().startswith("Dear {customer_name}")


async def test_an_admin_adds_a_template(db: Database, admin: StaffIdentity) -> None:
    app = make_app(db, admin, start_screen="settings")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("7", "a")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, FormModal)
        assert "$customer_name" in screen_text(app) or modal.query_one("#field-placeholders")
        modal.query_one("#field-code", Input).value = "statement_2"
        modal.query_one("#field-name", Input).value = "Quarterly statement"
        modal.query_one("#field-subject", Input).value = "Statement $account"
        modal.query_one("#field-kind").value = "statement"  # type: ignore[attr-defined]
        modal.query_one("#field-body", TextArea).text = "Open items:\n$invoice_table"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        assert app.screen is not modal
    with db.session() as session:
        added = session.scalars(select(LetterTemplate).where(LetterTemplate.code == "statement_2"))
        template = added.one()
        assert (template.kind, template.body) == (
            LetterKind.STATEMENT,
            "Open items:\n$invoice_table",
        )
