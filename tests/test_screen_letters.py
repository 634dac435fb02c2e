"""The letters screen: queued letters per kind after a dunning run, and printed batches."""

from __future__ import annotations

import asyncio
import hashlib
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cctui.db.engine import Database
from cctui.domain.daily_check_steps import StepContext
from cctui.domain.dunning.run import run_dunning
from cctui.domain.errors import ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.letter_batches import printed_batches, queued_letter_counts
from cctui.domain.models import Letter, LetterBatch, LetterKind, LetterStatus, Role
from cctui.letters import batches as batches_module
from cctui.screens import letters as letters_module
from cctui.screens.invoice_dialogs import ConfirmScreen
from cctui.screens.letters import LettersScreen
from tests.app_support import SIZE, TODAY, make_app, recording_app, screen_text, settle
from tests.factories import make_customer, make_invoice, make_staff
from tests.test_dunning import _ladder


def _dunned_book(session: Any, names: tuple[str, str, str]) -> StaffIdentity:
    """Three customers 10, 25 and 50 days overdue, dunned once: two reminders, one agency."""
    admin, _steps = _ladder(session)
    for name, days in zip(names, (10, 25, 50), strict=True):
        customer = make_customer(session, name=name, account=f"L{days:03d}")
        make_invoice(session, customer, "100.00", days_past_due=days)
    run_dunning(session, StepContext(run_on=TODAY, actor=admin.login, staff_id=admin.id))
    return admin


@pytest.fixture
def controller(db: Database) -> StaffIdentity:
    with db.session() as session:
        _dunned_book(session, ("Early GmbH", "Middle Ltd", "Late & Co"))
        return make_staff(session, "ctl", Role.CONTROLLER)


def test_queued_counts_and_printed_batches(session: Any) -> None:
    admin = _dunned_book(session, ("A", "B", "C"))
    counts = queued_letter_counts(session)
    assert counts == {
        LetterKind.REMINDER: 2,
        LetterKind.AGENCY: 1,
        LetterKind.INVOICE: 0,
        LetterKind.STATEMENT: 0,
    }
    assert printed_batches(session) == []
    older = LetterBatch(
        kind=LetterKind.REMINDER,
        created_by_id=admin.id,
        created_at=datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
        file_path="/tmp/a.pdf",
        page_count=4,
        letter_count=2,
        sha256="a" * 64,
    )
    newer = LetterBatch(
        kind=LetterKind.AGENCY,
        created_at=datetime(2026, 11, 21, 8, 0, tzinfo=UTC),
        file_path="/tmp/b.pdf",
        page_count=1,
        letter_count=1,
        sha256="b" * 64,
    )
    session.add_all([older, newer])
    session.flush()
    batches = printed_batches(session)
    assert [(b.kind, b.letter_count, b.page_count, b.created_by) for b in batches] == [
        (LetterKind.AGENCY, 1, 1, None),
        (LetterKind.REMINDER, 2, 4, "admin"),
    ]
    assert [b.id for b in printed_batches(session, kind=LetterKind.REMINDER)] == [older.id]
    with pytest.raises(ValidationError):
        printed_batches(session, limit=0)
    letter = session.query(Letter).filter(Letter.kind == LetterKind.AGENCY).one()
    letter.status = LetterStatus.CANCELLED
    session.flush()
    assert queued_letter_counts(session)[LetterKind.AGENCY] == 0


async def test_letters_by_kind_after_a_dunning_run(db: Database, controller: StaffIdentity) -> None:
    app = make_app(db, controller)
    async with app.run_test(size=SIZE) as pilot:
        app.open_screen("letters")
        await settle(pilot)
        assert isinstance(app.screen, LettersScreen)
        text = screen_text(app)
        assert "reminder 2" in text and "agency 1" in text and "invoice 0" in text
        assert "▸reminder 2" in text
        assert "Early GmbH" in text and "Middle Ltd" in text and "Late & Co" not in text
        assert "5.00" in text  # the second step's fee
        assert "Batches printed: none yet" in text
        assert "Reminder letter, step 1 First reminder" in text  # the selected letter

        await pilot.press("f")
        await settle(pilot)
        text = screen_text(app)
        assert "▸agency 1" in text
        assert "Late & Co" in text and "Early GmbH" not in text

        await pilot.press("f")
        await settle(pilot)
        assert "No invoice letter waits to be printed." in screen_text(app)


async def test_reload_keeps_kind_and_selection(db: Database, controller: StaffIdentity) -> None:
    app = make_app(db, controller)
    async with app.run_test(size=SIZE) as pilot:
        app.open_screen("letters")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LettersScreen)
        await pilot.press("down")
        await pilot.pause()
        assert "L025 Middle Ltd" in screen_text(app)  # the detail of the selected letter
        with db.session() as session:
            batch = LetterBatch(
                kind=LetterKind.REMINDER,
                created_at=datetime(2026, 11, 22, 8, 0, tzinfo=UTC),
                file_path="/tmp/x.pdf",
                page_count=3,
                letter_count=3,
                sha256="c" * 64,
            )
            session.add(batch)
        screen.reload()
        await settle(pilot)
        text = screen_text(app)
        assert "Batches printed (the last 1)" in text
        assert "L025 Middle Ltd" in text
        assert screen.cares_about(None, "letter") and not screen.cares_about(None, "note")


@pytest.mark.parametrize(
    "hostile",
    ["[bold]ACME[/]", "[@click=app.quit]x", "\x1b[31mred", "شركة الأمل", "N" * 200],
    ids=["markup", "click", "ansi", "rtl", "longest"],
)
async def test_hostile_names_show_literally(db: Database, hostile: str) -> None:
    with db.session() as session:
        _dunned_book(session, (hostile, "Middle Ltd", "Late & Co"))
        ctl = make_staff(session, "ctl", Role.CONTROLLER)
    app = make_app(db, ctl)
    async with app.run_test(size=SIZE) as pilot:
        app.open_screen("letters")
        await settle(pilot)
        assert hostile.replace("\x1b", "")[:12] in screen_text(app)
        assert app.is_running


async def test_an_agent_is_not_offered_the_screen(db: Database) -> None:
    with db.session() as session:
        agent = make_staff(session, "agent", Role.AGENT)
    app = make_app(db, agent)
    async with app.run_test(size=SIZE) as pilot:
        app.open_screen("letters")
        await settle(pilot)
        assert not isinstance(app.screen, LettersScreen)


async def test_enter_opens_the_customer(db: Database, controller: StaffIdentity) -> None:
    from cctui.screens.customer import CustomerScreen

    app = make_app(db, controller)
    async with app.run_test(size=SIZE) as pilot:
        app.open_screen("letters")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert "Middle Ltd" in screen_text(app)


@pytest.fixture
def out_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Batches the screen writes go to a temporary folder, not the user's data directory."""
    monkeypatch.setattr(letters_module, "default_out_dir", lambda: tmp_path)
    return tmp_path


def _statuses(db: Database) -> list[LetterStatus]:
    with db.session() as session:
        return [
            letter.status
            for letter in session.query(Letter)
            .filter(Letter.kind == LetterKind.REMINDER)
            .order_by(Letter.id)
        ]


async def test_preview_print_and_reprint(
    db: Database, controller: StaffIdentity, out_dir: Path
) -> None:
    app = recording_app(db, controller)
    async with app.run_test(size=SIZE) as pilot:
        app.open_screen("letters")
        await settle(pilot)
        assert isinstance(app.screen, LettersScreen)

        await pilot.press("v")
        await settle(pilot)
        assert (out_dir / "reminder-preview.pdf").is_file()
        assert _statuses(db) == [LetterStatus.QUEUED, LetterStatus.QUEUED]
        note = app.notes[-1]
        assert "nothing was marked printed" in note["message"] and note["markup"] is False
        assert str(out_dir / "reminder-preview.pdf") in note["message"]

        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Print 2 reminder letters? They will be marked printed." in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert _statuses(db) == [LetterStatus.QUEUED, LetterStatus.QUEUED]

        await pilot.press("P")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert _statuses(db) == [LetterStatus.PRINTED, LetterStatus.PRINTED]
        with db.session() as session:
            batch = session.query(LetterBatch).one()
            batch_id, digest, path = batch.id, batch.sha256, Path(batch.file_path)
            assert batch.letter_count == 2 and batch.kind is LetterKind.REMINDER
        assert path.parent == out_dir and path.is_file()
        assert app.notes[-1]["message"].startswith(f"Batch {batch_id}: 2 reminder letters")
        text = screen_text(app)
        assert "Batches printed (the last 1)" in text and "▸reminder 0" in text
        assert re.search(r"reminder +2 +2 +ctl", text)  # the batch: kind, letters, pages, by

        await pilot.press("R")
        await settle(pilot)
        copy = out_dir / f"reminder-batch-{batch_id:06d}-reprint.pdf"
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == digest
        assert "identical to the original" in app.notes[-1]["message"]
        with db.session() as session:
            assert session.query(LetterBatch).count() == 1


async def test_print_asks_nothing_when_none_is_queued(
    db: Database, controller: StaffIdentity, out_dir: Path
) -> None:
    app = recording_app(db, controller)
    async with app.run_test(size=SIZE) as pilot:
        app.open_screen("letters")
        await settle(pilot)
        await pilot.press("f", "f")  # invoice letters: none
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(app.screen, LettersScreen)
        assert app.notes[-1]["message"] == "No invoice letters by mail wait to be printed."
        await pilot.press("R")
        await settle(pilot)
        assert app.notes[-1]["message"] == "No batch has been printed yet."
        assert list(out_dir.iterdir()) == []


async def test_cancel_marks_nothing_and_writes_no_file(
    db: Database, controller: StaffIdentity, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release = threading.Event(), threading.Event()
    render = batches_module.render_letters

    def held_render(*args: Any, **kwargs: Any) -> Any:
        started.set()
        release.wait(timeout=10)
        return render(*args, **kwargs)

    monkeypatch.setattr(batches_module, "render_letters", held_render)
    app = recording_app(db, controller)
    async with app.run_test(size=SIZE) as pilot:
        app.open_screen("letters")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LettersScreen)
        await pilot.press("P")
        await pilot.pause()
        await pilot.press("y")
        for _ in range(200):
            if started.is_set():
                break
            await asyncio.sleep(0.02)
        assert started.is_set()
        await pilot.pause()
        assert screen.running
        assert "Printing reminder letters (c cancels)" in screen_text(app)
        assert screen.check_action("preview", ()) is None  # the other keys wait
        await pilot.press("v", "f")
        assert "▸reminder" in screen_text(app)
        await pilot.press("c")
        release.set()
        await settle(pilot)
        assert not screen.running
        assert "cancelled" in app.notes[-1]["message"]
        assert app.notes[-1]["severity"] == "warning"
        assert "(c cancels)" not in screen_text(app)
    assert _statuses(db) == [LetterStatus.QUEUED, LetterStatus.QUEUED]
    with db.session() as session:
        assert session.query(LetterBatch).count() == 0
    assert list(out_dir.iterdir()) == []


async def test_escape_cancels_a_running_batch_and_stays(
    db: Database, controller: StaffIdentity, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release = threading.Event(), threading.Event()
    render = batches_module.render_letters

    def held_render(*args: Any, **kwargs: Any) -> Any:
        started.set()
        release.wait(timeout=10)
        return render(*args, **kwargs)

    monkeypatch.setattr(batches_module, "render_letters", held_render)
    app = recording_app(db, controller)
    async with app.run_test(size=SIZE) as pilot:
        app.open_screen("letters")
        await settle(pilot)
        screen = app.screen
        await pilot.press("v")
        for _ in range(200):
            if started.is_set():
                break
            await asyncio.sleep(0.02)
        await pilot.press("escape")
        release.set()
        await settle(pilot)
        assert app.screen is screen
        assert "cancelled" in app.notes[-1]["message"]
    assert not (out_dir / "reminder-preview.pdf").exists()


# --------------------------------------------------------------------------- statements by e-mail


@pytest.fixture
def smtp_server() -> Any:
    """A local SMTP server (aiosmtpd) refusing ``nobody@refused.example``."""
    from tests.test_statements_email import Mailbox, _start

    handler = Mailbox(refuse=("nobody@refused.example",))
    controller, port = _start(handler)
    yield handler, port
    controller.stop()


def _email_book(db: Database, port: int, *addresses: str) -> None:
    """SMTP settings for the local server, and a customer taking e-mail per address."""
    from cctui.domain.models import Delivery
    from cctui.domain.smtp_settings import save_smtp_settings

    with db.session() as session:
        admin = make_staff(session, "root", Role.ADMIN)
        save_smtp_settings(
            session,
            admin,
            host="127.0.0.1",
            port=str(port),
            security="none",
            user="",
            sender="credit@acme.example",
        )
        for n, address in enumerate(addresses):
            customer = make_customer(
                session,
                name=f"Mailed {n} Ltd",
                account=f"E{n:03d}",
                email=address,
                delivery=Delivery.EMAIL,
            )
            make_invoice(session, customer, "40.00", days_past_due=5)


async def test_statements_are_queued_and_emailed_from_the_screen(
    db: Database, controller: StaffIdentity, smtp_server: Any
) -> None:
    handler, port = smtp_server
    _email_book(db, port, "ap@mailed.example", "nobody@refused.example")
    app = recording_app(db, controller)
    async with app.run_test(size=SIZE) as pilot:
        app.open_screen("letters")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LettersScreen)
        assert "By e-mail" not in screen_text(app)
        await pilot.press("E")
        await settle(pilot)
        assert app.notes[-1]["message"] == "No statements are queued for e-mail."

        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        note = app.notes[-1]
        assert note["message"] == "5 statements queued for customers: 2 by e-mail, 3 by mail."
        assert note["markup"] is False
        assert "By e-mail: statement 2" in screen_text(app)

        await pilot.press("E")
        await settle(pilot)
        note = app.notes[-1]
        assert note["message"] == (
            "1 statement sent by e-mail, 1 failed; 1 still queued for e-mail."
        )
        assert note["severity"] == "warning"
        assert [m["To"].addresses[0].addr_spec for m in handler.messages] == ["ap@mailed.example"]
        assert "By e-mail: statement 1 (1 failed)" in screen_text(app)

        await pilot.press("f", "f", "f")  # statements
        await settle(pilot)
        assert "▸statement 4" in screen_text(app)
        for _ in range(4):
            if "Mailed 1 Ltd" in str(screen.query_one("#letters-detail").content):
                break
            await pilot.press("down")
            await pilot.pause()
        text = screen_text(app)
        assert "E-mail failed (1 attempt): The mail server refused the recipient" in text
    with db.session() as session:
        statuses = sorted(
            letter.status.value
            for letter in session.query(Letter).filter(Letter.kind == LetterKind.STATEMENT)
        )
    assert statuses == ["queued", "queued", "queued", "queued", "sent"]


async def test_sending_can_be_cancelled(
    db: Database, controller: StaffIdentity, smtp_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cctui.domain.statements import queue_statements
    from cctui.letters import email as email_module

    handler, port = smtp_server
    _email_book(db, port, "a@mailed.example", "b@mailed.example")
    with db.session() as session:
        queue_statements(session, controller)
    started, release = threading.Event(), threading.Event()
    render = email_module.render_batch

    def held_render(*args: Any, **kwargs: Any) -> Any:
        started.set()
        release.wait(timeout=10)
        return render(*args, **kwargs)

    monkeypatch.setattr(email_module, "render_batch", held_render)
    app = recording_app(db, controller)
    async with app.run_test(size=SIZE) as pilot:
        app.open_screen("letters")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LettersScreen)
        await pilot.press("E")
        for _ in range(200):
            if started.is_set():
                break
            await asyncio.sleep(0.02)
        await pilot.pause()
        assert screen.running
        assert "Sending statements by e-mail (c cancels)" in screen_text(app)
        assert screen.check_action("queue_statements", ()) is None
        await pilot.press("c")
        release.set()
        await settle(pilot)
        assert not screen.running
        note = app.notes[-1]
        assert note["message"] == (
            "Sending cancelled: 1 statement sent by e-mail; 1 still queued for e-mail."
        )
        assert note["severity"] == "warning"
    assert len(handler.messages) == 1


async def test_sending_without_a_server_says_so(db: Database, controller: StaffIdentity) -> None:
    from cctui.domain.models import Delivery
    from cctui.domain.statements import queue_statements

    with db.session() as session:
        customer = make_customer(
            session, name="No Server Ltd", email="ap@x.example", delivery=Delivery.EMAIL
        )
        make_invoice(session, customer, "40.00", days_past_due=5)
        queue_statements(session, controller)
    app = recording_app(db, controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.open_screen("letters")
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        note = app.notes[-1]
        assert note["message"].startswith("No SMTP server is set")
        assert note["severity"] == "error"
        assert not app.screen.running  # type: ignore[attr-defined]
