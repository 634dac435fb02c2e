"""The settings screen: admins add and edit each section's rows; the database holds each change."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input, Select

from cctui.app import CctuiApp
from cctui.db.engine import Database
from cctui.domain import book_settings as bs
from cctui.domain.agency.agencies import AgencyDetails, create_agency
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    ActionType,
    CollectionAgency,
    CreditPolicy,
    DunningStep,
    LetterKind,
    LetterTemplate,
    Role,
    Setting,
    Staff,
)
from cctui.screens.overview import OverviewScreen
from cctui.screens.settings import SettingsScreen
from cctui.widgets.settings.form import FormModal
from tests.app_support import SIZE, make_app, recording_app, screen_text, settle
from tests.factories import make_policy, make_staff

HOSTILE = ["[bold]ACME[/]", "[@click=app.quit]x", "\x1b[31mred", "שלום עולם", "株式会社テスト"]


@pytest.fixture
def admin(db: Database) -> StaffIdentity:
    with db.session() as session:
        return make_staff(session, "root", Role.ADMIN)


async def open_settings(app: CctuiApp, pilot: Pilot[Any]) -> SettingsScreen:
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, SettingsScreen)
    return screen


async def fill(pilot: Pilot[Any], **values: Any) -> FormModal:
    """Put values in the open form's fields (by name), as if typed or chosen."""
    modal = pilot.app.screen
    assert isinstance(modal, FormModal)
    for name, value in values.items():
        widget = modal.query_one(f"#field-{name}")
        if isinstance(widget, Input | Checkbox | Select):
            widget.value = value
        else:
            raise AssertionError(f"{name} is not an input")
    await pilot.pause()
    return modal


async def save(pilot: Pilot[Any]) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)
    await settle(pilot)


def rows(screen: SettingsScreen, name: str) -> list[list[str]]:
    table = screen.query_one(f"#table-{name}", DataTable)
    return [
        [str(getattr(c, "plain", c)) for c in table.get_row_at(i)] for i in range(table.row_count)
    ]


# --------------------------------------------------------------------------- access


async def test_a_controller_cannot_open_the_screen(db: Database) -> None:
    with db.session() as session:
        controller = make_staff(session, "ctl", Role.CONTROLLER)
    app = recording_app(db, controller, start_screen="settings")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert len(app.screen_stack) == 1
        assert any("Settings screen is for the admin role" in n["message"] for n in app.notes)
        await pilot.press("g")
        assert "Settings" not in screen_text(app)


async def test_an_admin_opens_it_from_the_go_to_menu(db: Database, admin: StaffIdentity) -> None:
    app = make_app(db, admin)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g", "s")
        screen = await open_settings(app, pilot)
        text = screen_text(app)
        for tab in ("1 Policies", "2 Dunning", "3 Actions", "4 Book", "5 Agencies", "6 Staff"):
            assert tab in text
        assert "7 Letters" in text
        assert screen.current_section().name == "policies"


# --------------------------------------------------------------------------- sections


async def test_an_admin_adds_and_edits_a_dunning_step(db: Database, admin: StaffIdentity) -> None:
    with db.session() as session:
        session.add(
            LetterTemplate(code="R1", kind=LetterKind.REMINDER, name="First", subject="s", body="b")
        )
    app = make_app(db, admin, start_screen="settings")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(app, pilot)
        await pilot.press("2")
        await settle(pilot)
        assert screen.current_section().name == "dunning"
        assert "Nothing here yet" in screen_text(app)
        await pilot.press("a")
        await pilot.pause()
        with db.session() as session:
            template_id = session.scalar(select(LetterTemplate.id))
        await fill(
            pilot,
            step_no="1",
            name="First reminder",
            days_after_due="7",
            fee="2.50",
            letter=str(template_id),
        )
        await save(pilot)
        assert isinstance(app.screen, SettingsScreen)
        assert rows(screen, "dunning") == [["1", "First reminder", "7", "R1", "2.50", "no"]]
        await pilot.press("e")
        await pilot.pause()
        await fill(pilot, days_after_due="abc")
        await save(pilot)
        modal = app.screen
        assert isinstance(modal, FormModal)
        assert "days after due 'abc' is not a whole number" in modal.error
        await fill(pilot, days_after_due="10", name="Gentle reminder")
        await save(pilot)
        assert isinstance(app.screen, SettingsScreen)
    with db.session() as session:
        step = session.scalars(select(DunningStep)).one()
        assert (step.step_no, step.name, step.days_after_due, step.fee) == (
            1,
            "Gentle reminder",
            10,
            Decimal("2.50"),
        )
        assert step.letter_template_id == template_id


async def test_an_admin_adds_renames_and_deactivates_an_action_type(
    db: Database, admin: StaffIdentity
) -> None:
    app = make_app(db, admin, start_screen="settings")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(app, pilot)
        await pilot.press("3", "a")
        await pilot.pause()
        await pilot.press(*"CALL_BACK", "tab", *"Call back")
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert rows(screen, "actions") == [["CALL_BACK", "Call back", "yes"]]
        await pilot.press("enter")  # Enter edits, like e
        await pilot.pause()
        await fill(pilot, name="Call the customer back")
        await save(pilot)
        await pilot.press("d")
        await settle(pilot)
        await settle(pilot)
        assert rows(screen, "actions") == [["CALL_BACK", "Call the customer back", "no"]]
        await pilot.press("a")
        await pilot.pause()
        await fill(pilot, code="call_back", name="Again")
        await save(pilot)
        modal = app.screen
        assert isinstance(modal, FormModal)
        assert "already exists" in screen_text(app)
        assert modal.values() == {"code": "call_back", "name": "Again"}  # kept as typed
    with db.session() as session:
        kinds = session.scalars(select(ActionType)).all()
        assert [(k.code, k.name, k.active) for k in kinds] == [
            ("CALL_BACK", "Call the customer back", False)
        ]


async def test_contacted_within_days_refuses_a_bad_value_inline(
    db: Database, admin: StaffIdentity
) -> None:
    app = make_app(db, admin, start_screen="settings")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(app, pilot)
        await pilot.press("4")
        await settle(pilot)
        assert rows(screen, "book")[1] == ["Contacted within (days)", "14"]
        await pilot.press("down", "e")
        await pilot.pause()
        await pilot.press("ctrl+u", "0", "enter")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, FormModal)
        assert "Not saved: The number of days must be 1 to 365, not 0." in screen_text(app)
        assert modal.values() == {"value": "0"}
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(Setting)) == 0
        await pilot.press("backspace", "2", "1", "enter")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        assert rows(screen, "book")[1] == ["Contacted within (days)", "21"]
        assert screen.query_one("#table-book", DataTable).cursor_row == 1  # kept
    with db.session() as session:
        assert bs.contacted_within_days(session) == 21


async def test_an_admin_adds_and_deactivates_an_agency(db: Database, admin: StaffIdentity) -> None:
    app = make_app(db, admin, start_screen="settings")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(app, pilot)
        await pilot.press("5", "a")
        await pilot.pause()
        await fill(
            pilot,
            name="Sterling Recoveries",
            city="London",
            country="gb",
            commission_percent="9,5",
            email="x@sterling.example",
        )
        await save(pilot)
        assert rows(screen, "agencies") == [["Sterling Recoveries", "London", "9.5 %", "yes"]]
        await pilot.press("d")
        await settle(pilot)
        await settle(pilot)
        assert rows(screen, "agencies")[0][-1] == "no"
    with db.session() as session:
        agency = session.scalars(select(CollectionAgency)).one()
        assert (agency.name, agency.country, agency.commission_percent, agency.active) == (
            "Sterling Recoveries",
            "GB",
            Decimal("9.500"),
            False,
        )


async def test_an_admin_adds_staff_changes_a_role_and_sets_a_password(
    db: Database, admin: StaffIdentity
) -> None:
    app = recording_app(db, admin, start_screen="settings")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(app, pilot)
        await pilot.press("6", "a")
        await pilot.pause()
        await fill(pilot, login="NewBie", name="New Person", role="controller")
        await save(pilot)
        assert ["newbie", "New Person", "controller", "", "-", "yes"] in rows(screen, "staff")
        table = screen.query_one("#table-staff", DataTable)
        table.move_cursor(row=0)  # newbie (active, by login)
        await pilot.press("e")
        await pilot.pause()
        await fill(pilot, role="supervisor", approval_limit="5000")
        await save(pilot)
        await pilot.press("p")
        await pilot.pause()
        await fill(pilot, password="long enough", repeat="long enough")
        await save(pilot)
        assert rows(screen, "staff")[0] == [
            "newbie",
            "New Person",
            "supervisor",
            "5,000.00",
            "password",
            "yes",
        ]
        # The last admin cannot be demoted: the refusal shows in the form, which stays open.
        table.move_cursor(row=1)
        await pilot.press("e")
        await pilot.pause()
        await fill(pilot, role="agent")
        await save(pilot)
        assert isinstance(app.screen, FormModal)
        assert "root is the last active admin" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("d")  # root is the one using the app
        await settle(pilot)
        assert app.notes[-1]["message"] == "You cannot deactivate yourself; ask another admin."
        assert rows(screen, "staff")[1][-1] == "yes"
    with db.session() as session:
        newbie = session.scalars(select(Staff).where(Staff.login == "newbie")).one()
        assert newbie.role is Role.SUPERVISOR and newbie.approval_limit == Decimal("5000.00")
        assert newbie.approval_secret is not None and "long" not in newbie.approval_secret
        root = session.scalars(select(Staff).where(Staff.login == "root")).one()
        assert root.role is Role.ADMIN


async def test_an_admin_edits_the_letterhead(db: Database, admin: StaffIdentity) -> None:
    app = make_app(db, admin, start_screen="settings")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(app, pilot)
        await pilot.press("7", "e")
        await pilot.pause()
        await fill(
            pilot,
            company="ACME Credit Ltd",
            address_1="1 Main Street",
            address_2="London",
            email="credit@acme.example",
            registration="GB 123 4567 89",
            footer="Thank you.",
        )
        await save(pilot)
        assert rows(screen, "letterhead")[0] == ["Company name", "ACME Credit Ltd"]
        assert rows(screen, "letterhead")[3] == ["Address line 3", "(blank)"]
    with db.session() as session:
        assert bs.letterhead(session) == bs.Letterhead(
            "ACME Credit Ltd",
            ("1 Main Street", "London"),
            "",
            "credit@acme.example",
            "GB 123 4567 89",
            "Thank you.",
        )


async def test_an_admin_edits_a_credit_policy(db: Database, admin: StaffIdentity) -> None:
    with db.session() as session:
        make_policy(session, "STD")
    app = make_app(db, admin, start_screen="settings")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(app, pilot)
        assert rows(screen, "policies")[0][:3] == ["STD", "Policy STD", "30 d"]
        await pilot.press("e")
        await pilot.pause()
        modal = await fill(pilot, aged_twice_days="20")
        await save(pilot)
        assert app.screen is modal
        assert "must rise strictly" in modal.error
        assert "Not saved: The aged once" in screen_text(app)
        await fill(pilot, aged_twice_days="45", payment_terms_days="45", action_aged_once="hold")
        await save(pilot)
        assert rows(screen, "policies")[0][:3] == ["STD", "Policy STD", "45 d"]
    with db.session() as session:
        policy = session.scalars(select(CreditPolicy)).one()
        assert (policy.aged_twice_days, policy.payment_terms_days) == (45, 45)
        assert policy.action_aged_once.value == "hold"


async def test_keys_are_offered_only_where_they_apply(db: Database, admin: StaffIdentity) -> None:
    app = make_app(db, admin, start_screen="settings")
    async with app.run_test(size=SIZE) as pilot:
        await open_settings(app, pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "Add" in footer and "Deactivate" not in footer and "Password" not in footer
        await pilot.press("6")
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        for expected in ("Add", "Edit", "Deactivate", "Password", "Go to", "Back"):
            assert expected in footer, expected
        await pilot.press("4")
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "Add" not in footer and "Edit" in footer


# --------------------------------------------------------------------------- hostile text


@pytest.mark.parametrize("hostile", [*HOSTILE, "N" * 10_000])
async def test_hostile_names_show_literally(
    db: Database, admin: StaffIdentity, hostile: str
) -> None:
    with db.session() as session:
        root = StaffIdentity(admin.id, admin.login, admin.name, admin.role)
        create_agency(session, root, details=AgencyDetails(name=hostile[:200], city=hostile[:100]))
        session.add(Staff(login="odd", name=hostile[:200], role=Role.AGENT))
        session.add(ActionType(code="ODD", name=hostile[:100], active=True))
    app = make_app(db, admin, start_screen="settings")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(app, pilot)
        shown = hostile.replace("\x1b", "")[:10]
        for key in ("3", "5", "6"):
            await pilot.press(key)
            await settle(pilot)
            assert shown in screen_text(app)
        await pilot.press("5", "e")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        await pilot.press("escape")
        assert app.return_code is None
        assert isinstance(app.screen, SettingsScreen)
        assert screen.rows["agencies"][0].item.name == " ".join(hostile[:200].split())


# --------------------------------------------------------------------------- snapshot


def _snapshot_data(session: Session) -> StaffIdentity:
    admin = make_staff(session, "root", Role.ADMIN)
    make_staff(session, "epersson", Role.SUPERVISOR, secret="approve me")
    make_staff(session, "dgarcia", Role.CONTROLLER, approval_limit=Decimal("50000"))
    make_policy(session, "STANDARD", name="Standard terms, 30 days")
    make_policy(session, "KEY", name="Key accounts, 60 days", payment_terms_days=60)
    return admin


def test_snapshot_settings_no_color(
    db: Database, snap_compare: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    with db.session() as session:
        admin = _snapshot_data(session)
    fixed = Database(db.engine, label="db.example.com:5432/cctui")
    app = make_app(fixed, admin, start_screen="settings")
    assert app.no_color

    async def staff_tab(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=staff_tab)
