"""Every registered screen, opened the way a user opens it, on a book full of hostile text.

Names with markup, live-action markup, escape sequences, right-to-left and CJK text and a
10,000-character name must show literally on every screen at 80x24, never restyle, act or
crash; every screen is reachable from the go-to menu and by ``--screen NAME``.
"""

from __future__ import annotations

from typing import Any

import pytest

from cctui.cli.app_cmd import SCREENS as CLI_SCREENS
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import Role
from cctui.domain.workflow.notes import add_note
from cctui.screens import SCREENS, START_SCREEN
from tests.app_support import SIZE, TODAY, drain, recording_app, screen_text
from tests.factories import make_customer, make_invoice, make_staff

HOSTILE = [
    "[bold]ACME[/] [@click=app.quit]x",
    "\x1b[31mRed\x1b[0m \x07Bell\x9b2J",
    "شركة الهاشمي للمقاولات",
    "吉田食品株式会社",
    "Z" * 200,
]
LONG_NOTE = ("[b]" + "long note " * 400)[:3_700]
"""A note near the longest the book takes (4,000 characters), with markup in it."""


@pytest.fixture
def hostile_book(db: Any) -> tuple[StaffIdentity, str]:
    """An admin, and debtors whose names are hostile; returns the admin and one account."""
    with db.session() as session:
        admin = make_staff(session, "root", Role.ADMIN)
        first = None
        for number, name in enumerate(HOSTILE):
            customer = make_customer(
                session, name=name, name2=name[:200], contact_person=name[:100], phone=name[:30]
            )
            add_note(session, admin, customer_id=customer.id, body=f"{name} {LONG_NOTE}")
            make_invoice(session, customer, f"{100 + number}.00", days_past_due=40 + number)
            make_invoice(session, customer, "5.00")
            first = first or customer.account
        assert first is not None
        return admin, first


def test_the_cli_offers_every_registered_screen() -> None:
    assert set(CLI_SCREENS) == set(SCREENS)


@pytest.mark.parametrize("name", sorted(SCREENS))
async def test_every_screen_shows_hostile_text_literally(
    db: Any, hostile_book: tuple[StaffIdentity, str], name: str
) -> None:
    admin, account = hostile_book
    app = recording_app(db, admin, start_screen=name, customer=account)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await drain(pilot)
        await pilot.pause(0.2)
        await drain(pilot)
        assert app.return_code is None, "a name acted on the app"
        assert getattr(app.screen, "SCREEN_NAME", None) == name
        # The registry names each screen's least role without importing the screen.
        assert getattr(app.screen, "MIN_ROLE", Role.AGENT) == SCREENS[name].min_role
        text = screen_text(app)
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
        errors = [note for note in app.notes if note.get("severity") == "error"]
        assert errors == []
        # Every key of the help and the palette works on this screen too.
        await pilot.press("question_mark")
        await pilot.press("escape")
        assert getattr(app.screen, "SCREEN_NAME", None) == name
        if name != START_SCREEN:
            await pilot.press("escape")
            assert getattr(app.screen, "SCREEN_NAME", None) == START_SCREEN


async def test_the_go_to_menu_offers_screens_by_role(db: Any) -> None:
    with db.session() as session:
        agent = make_staff(session, "agent", Role.AGENT)
        admin = make_staff(session, "root", Role.ADMIN)
    for who in (agent, admin):
        app = recording_app(db, who)
        async with app.run_test(size=SIZE) as pilot:
            await drain(pilot)
            offered = {entry.name for entry in app.offered_screens()}
            for entry in SCREENS.values():
                if entry.in_menu:
                    assert (entry.name in offered) == who.role.at_least(entry.min_role)
            await pilot.press("g")
            text = screen_text(app)
            for entry in app.offered_screens():
                assert entry.title in text
            await pilot.press("escape")


@pytest.mark.parametrize("name", sorted(n for n, e in SCREENS.items() if e.in_menu))
async def test_each_menu_screen_opens_from_the_go_to_menu(
    db: Any, hostile_book: tuple[StaffIdentity, str], name: str
) -> None:
    admin, _account = hostile_book
    app = recording_app(db, admin)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await drain(pilot)
        await pilot.press("g", SCREENS[name].key)
        await drain(pilot)
        assert getattr(app.screen, "SCREEN_NAME", None) == name
        assert TODAY.isoformat() in screen_text(app).splitlines()[0]
