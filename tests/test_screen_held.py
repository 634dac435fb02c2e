"""The held documents screen: the list, reasons, release on a supervisor's password, reject."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, update
from textual.pilot import Pilot
from textual.widgets import Input

from cctui.db.engine import Database
from cctui.domain.credit.held_password import WRONG_SUPERVISOR, release_with_supervisor_password
from cctui.domain.credit.transactions import check_new_document
from cctui.domain.errors import PermissionDenied
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    ApprovalKind,
    ApprovalRequest,
    ApprovalStatus,
    AuditLog,
    CreditAction,
    CreditEvent,
    DocumentKind,
    HeldDocument,
    HeldStatus,
    Role,
)
from cctui.screens.held import HeldScreen
from cctui.screens.held_dialogs import RejectDialog, ReleaseDialog
from tests.app_support import SIZE, TODAY, make_app, recording_app, screen_text, settle
from tests.factories import make_customer, make_staff

HELD_AT = datetime(2026, 11, 13, 9, 0, tzinfo=UTC)
"""When the documents were held: ten days before the tests' today."""


def _hold(session: Any, agent: StaffIdentity, name: str, action: CreditAction, ref: str) -> int:
    customer = make_customer(
        session,
        account=f"C-{ref}"[:20],
        name=name,
        credit_action=action,
        credit_action_event=CreditEvent.MANUAL,
        credit_action_since=datetime(2026, 11, 1, tzinfo=UTC),
    )
    result = check_new_document(
        session,
        agent,
        customer_id=customer.id,
        kind=DocumentKind.ORDER,
        reference=ref,
        amount="1234.50",
        as_of=TODAY,
    )
    assert result.held_document_id is not None
    session.execute(
        update(HeldDocument)
        .where(HeldDocument.id == result.held_document_id)
        .values(created_at=HELD_AT)
    )
    return result.held_document_id


@pytest.fixture
def book(db: Database) -> dict[str, Any]:
    """A controller, a supervisor with password "pw", and two held orders."""
    with db.session() as session:
        agent = make_staff(session, "agent", Role.AGENT)
        people = {
            "ctl": make_staff(session, "ctl", Role.CONTROLLER),
            "boss": make_staff(session, "boss", Role.SUPERVISOR, secret="pw"),
            "agent": agent,
        }
        first = _hold(session, agent, "Acme Ltd", CreditAction.HOLD, "SO-1")
        second = _hold(session, agent, "Brown & Co", CreditAction.PASSWORD, "SO-2")
    return {**people, "first": first, "second": second}


def _status(db: Database, held_id: int) -> HeldStatus:
    with db.session() as session:
        held = session.get(HeldDocument, held_id)
        assert held is not None
        return held.status


async def _open(pilot: Pilot[Any]) -> HeldScreen:
    pilot.app.open_screen("held")  # type: ignore[attr-defined]
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, HeldScreen)
    return screen


async def _type(pilot: Pilot[Any], field_id: str, text: str) -> None:
    pilot.app.screen.query_one(f"#{field_id}", Input).focus()
    await pilot.press(*text)


async def test_lists_held_documents_with_reasons(db: Database, book: dict[str, Any]) -> None:
    app = make_app(db, book["ctl"])
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        text = screen_text(app)
        assert "Held documents: held (2)" in text
        for expected in ("Acme Ltd", "Brown & Co", "SO-1", "SO-2", "1,234.50", "Hold", "Password"):
            assert expected in text
        assert " 10 " in text  # age in days
        assert "Reasons:" in text and "Acme Ltd is on Hold since 2026-11-01" in text
        await pilot.press("down")
        await pilot.pause()
        assert "Brown & Co is on Password since 2026-11-01" in screen_text(app)


async def test_supervisor_password_releases_and_a_wrong_one_changes_nothing(
    db: Database, book: dict[str, Any]
) -> None:
    app = recording_app(db, book["ctl"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _open(pilot)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReleaseDialog)
        assert "needs a supervisor" in screen_text(app)
        await _type(pilot, "held-dialog-login", "boss")
        await _type(pilot, "held-dialog-password", "guess42")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReleaseDialog)  # the dialog stays
        assert WRONG_SUPERVISOR in screen_text(app)
        assert "guess42" not in screen_text(app)  # the password is never shown
        assert _status(db, book["first"]) is HeldStatus.HELD

        password = app.screen.query_one("#held-dialog-password", Input)
        assert password.value == "" and password.has_focus  # ready to type again
        await pilot.press("p", "w", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HeldScreen)
        assert "Held documents: held (1)" in screen_text(app)
    assert app.notes[-1]["message"] == "The held order SO-1 is released."
    assert _status(db, book["first"]) is HeldStatus.RELEASED
    with db.session() as session:
        held = session.get(HeldDocument, book["first"])
        assert held is not None and held.decided_by_id == book["boss"].id
        rows = session.scalars(
            select(AuditLog).where(AuditLog.action == "held_release_by_password")
        ).all()
        assert len(rows) == 1 and rows[0].after["approved_by"] == "boss"


async def test_a_controller_can_ask_for_approval_instead(
    db: Database, book: dict[str, Any]
) -> None:
    app = recording_app(db, book["ctl"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _open(pilot)
        await pilot.press("r")
        await pilot.pause()
        await _type(pilot, "held-dialog-note", "paid upfront")
        await pilot.click("#held-dialog-ask")
        await settle(pilot)
        assert isinstance(app.screen, HeldScreen)
        assert "waits for a supervisor's approval" in app.notes[-1]["message"]
        assert " asked " in screen_text(app)
    assert _status(db, book["first"]) is HeldStatus.HELD
    with db.session() as session:
        request = session.scalar(select(ApprovalRequest))
        assert request is not None
        assert request.kind is ApprovalKind.HELD_RELEASE
        assert request.status is ApprovalStatus.PENDING
        assert request.held_document_id == book["first"]
        assert request.requested_by_id == book["ctl"].id
        assert request.note == "paid upfront"


async def test_a_supervisor_releases_without_a_password(db: Database, book: dict[str, Any]) -> None:
    app = make_app(db, book["boss"])
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("down", "r")
        await pilot.pause()
        assert not app.screen.query("#held-dialog-password")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HeldScreen)
    assert _status(db, book["second"]) is HeldStatus.RELEASED
    assert _status(db, book["first"]) is HeldStatus.HELD


async def test_reject_needs_a_reason_then_rejects(db: Database, book: dict[str, Any]) -> None:
    app = make_app(db, book["ctl"])
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, RejectDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RejectDialog)
        assert "Say why the held document is rejected." in screen_text(app)
        assert _status(db, book["first"]) is HeldStatus.HELD
        await pilot.press(*"no stock", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HeldScreen)
        await pilot.press("f", "f")  # held -> released -> rejected
        await settle(pilot)
        text = screen_text(app)
        assert "Held documents: rejected (1)" in text
        assert "Rejected by ctl" in text and "no stock" in text
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, HeldScreen)  # a decided document is not decided again
    assert _status(db, book["first"]) is HeldStatus.REJECTED


async def test_escape_closes_the_dialog_without_deciding(
    db: Database, book: dict[str, Any]
) -> None:
    app = make_app(db, book["ctl"])
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HeldScreen)
    assert _status(db, book["first"]) is HeldStatus.HELD


async def test_reload_keeps_the_selected_document(db: Database, book: dict[str, Any]) -> None:
    app = make_app(db, book["ctl"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("down")
        screen.reload()
        await settle(pilot)
        assert "Brown & Co is on Password" in screen_text(app)
        assert screen.cares_about(None, "held_document")
        assert not screen.cares_about(None, "note")


async def test_an_agent_is_not_offered_the_screen(db: Database, book: dict[str, Any]) -> None:
    app = make_app(db, book["agent"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.open_screen("held")
        await settle(pilot)
        assert not isinstance(app.screen, HeldScreen)


@pytest.mark.parametrize(
    "hostile",
    ["[bold]ACME[/]", "[@click=app.quit]x", "\x1b[31mred", "شركة الأمل", "N" * 200],
    ids=["markup", "click", "ansi", "rtl", "longest"],
)
async def test_hostile_names_show_literally(db: Database, hostile: str) -> None:
    with db.session() as session:
        agent = make_staff(session, "agent", Role.AGENT)
        ctl = make_staff(session, "ctl", Role.CONTROLLER)
        _hold(session, agent, hostile, CreditAction.HOLD, "[/]")
    app = make_app(db, ctl)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        text = screen_text(app)
        shown = hostile.replace("\x1b", "")[:12]
        assert shown in text
        assert "[/]" in text
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReleaseDialog)
        assert app.is_running


def test_domain_password_release_refuses_a_non_supervisor(db: Database, book: dict) -> None:
    with db.session() as session, pytest.raises(PermissionDenied, match=WRONG_SUPERVISOR):
        release_with_supervisor_password(
            session,
            book["ctl"],
            book["first"],
            supervisor_login="ctl",
            supervisor_password="pw",
        )
    assert _status(db, book["first"]) is HeldStatus.HELD


# --------------------------------------------------------------------------- snapshots


def _snapshot_app(db: Database, user: StaffIdentity) -> Any:
    fixed = Database(db.engine, label="db.example.com:5432/cctui")
    return make_app(fixed, user, start_screen="held")


def test_snapshot_held(db: Database, book: dict[str, Any], snap_compare: Any) -> None:
    assert snap_compare(_snapshot_app(db, book["ctl"]), terminal_size=SIZE, run_before=settle)


def test_snapshot_held_no_color(
    db: Database, book: dict[str, Any], snap_compare: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = _snapshot_app(db, book["ctl"])
    assert app.no_color
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_snapshot_release_dialog_no_color(
    db: Database, book: dict[str, Any], snap_compare: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")

    async def open_dialog(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)

    assert snap_compare(_snapshot_app(db, book["ctl"]), terminal_size=SIZE, run_before=open_dialog)


async def test_enter_opens_the_customer(db: Database, book: dict[str, Any]) -> None:
    from cctui.screens.customer import CustomerScreen

    app = make_app(db, book["ctl"])
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert "Brown & Co" in screen_text(app)


async def test_a_long_hostile_decision_note_shows_literally(
    db: Database, book: dict[str, Any]
) -> None:
    from cctui.domain.credit.held import reject_held_document

    note = "[b]\x1b[31m" + "reason [/] " * 360
    with db.session() as session:
        reject_held_document(session, book["ctl"], book["first"], note=note)
    app = make_app(db, book["ctl"])
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("f", "f")
        await settle(pilot)
        text = screen_text(app)
        assert "Rejected by ctl" in text and ": [b][31mreason [/] reason" in text
        assert app.is_running
