"""Statements: queued one per customer, e-mailed through a local SMTP server (aiosmtpd).

The SMTP server is real (aiosmtpd on a free local port), never a mock of smtplib.
"""

from __future__ import annotations

import email
import email.policy
import io
import socket
import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pypdf
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from cctui.cli import main
from cctui.db.engine import Database
from cctui.domain import book_settings as bs
from cctui.domain.errors import ConflictError, PermissionDenied, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    AuditLog,
    Customer,
    Delivery,
    Letter,
    LetterInvoice,
    LetterKind,
    LetterSend,
    LetterStatus,
    Role,
    Setting,
)
from cctui.domain.smtp_settings import PASSWORD_ENV, save_smtp_settings, smtp_settings
from cctui.domain.statements import (
    failed_email_statements,
    queue_statement,
    queue_statements,
    queued_email_statements,
    send_errors,
)
from cctui.letters.email import send_statements
from cctui.letters.email_message import attachment_name
from tests.factories import make_customer, make_invoice, make_staff

DAY = date(2026, 11, 24)


# --------------------------------------------------------------------------- the SMTP server


class Mailbox:
    """An aiosmtpd handler keeping every message; ``refuse`` recipients get a 550."""

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.refuse = {address.lower() for address in refuse}
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        b"mailer",
        b"s3cret pass",
    )
    return AuthResult(success=ok, handled=False)


def _start(handler: Mailbox, **options: Any) -> tuple[Controller, int]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    return controller, port


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    handler = Mailbox(refuse=("nobody@refused.example",))
    controller, port = _start(handler)
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def auth_mailbox() -> Iterator[tuple[Mailbox, int]]:
    handler = Mailbox()
    controller, port = _start(
        handler, authenticator=_authenticate, auth_required=True, auth_require_tls=False
    )
    try:
        yield handler, port
    finally:
        controller.stop()


# --------------------------------------------------------------------------- the book


def _admin(session: Any) -> StaffIdentity:
    return make_staff(session, "root", Role.ADMIN)


def _configure(session: Any, port: int, *, user: str = "") -> None:
    save_smtp_settings(
        session,
        _admin(session),
        host="127.0.0.1",
        port=str(port),
        security="none",
        user=user,
        sender="credit@acme.example",
    )


def _customer(session: Any, name: str, mail: str | None, amounts: list[str], **extra: Any) -> Any:
    customer = make_customer(
        session,
        name=name,
        email=mail,
        delivery=extra.pop("delivery", Delivery.EMAIL),
        currency="GBP",
        address_line1="1 High Street",
        city="Leeds",
        **extra,
    )
    for amount in amounts:
        make_invoice(session, customer, amount, days_past_due=10)
    return customer


def _letters(session: Any) -> list[Letter]:
    session.expire_all()
    return list(session.scalars(select(Letter).order_by(Letter.id)))


def _sends(session: Any) -> list[LetterSend]:
    return list(session.scalars(select(LetterSend).order_by(LetterSend.id)))


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


# --------------------------------------------------------------------------- queueing


def test_queue_statement_lists_every_open_invoice(session: Any) -> None:
    ctl = make_staff(session, "ctl", Role.CONTROLLER)
    customer = _customer(session, "Open Items Ltd", "ap@open.example", ["100.00", "250.50"])
    paid = make_invoice(session, customer, "75.00", open_amount="0")
    outcome = queue_statement(session, ctl, customer.id, as_of=DAY)
    assert (outcome.queued, outcome.by_email, outcome.by_mail) == (1, 1, 0)
    assert "by e-mail to ap@open.example" in outcome.message
    (letter,) = _letters(session)
    assert (letter.kind, letter.delivery, letter.status) == (
        LetterKind.STATEMENT,
        Delivery.EMAIL,
        LetterStatus.QUEUED,
    )
    assert letter.queued_on == DAY and letter.queued_by_id == ctl.id
    lines = session.scalars(select(LetterInvoice).where(LetterInvoice.letter_id == letter.id))
    lines = list(lines)
    assert sorted(line.open_amount for line in lines) == [Decimal("100.00"), Decimal("250.50")]
    assert all(line.dunning_step_id is None for line in lines)
    assert paid.id not in {line.invoice_id for line in lines}
    assert session.scalar(
        select(func.count()).where(
            AuditLog.action == "queue_statement", AuditLog.entity_id == str(letter.id)
        )
    )
    with pytest.raises(ConflictError, match="already queued"):
        queue_statement(session, ctl, customer.id)
    owes_nothing = _customer(session, "Paid Up plc", None, [])
    with pytest.raises(ConflictError, match="no open invoices"):
        queue_statement(session, ctl, owes_nothing.id)
    with pytest.raises(PermissionDenied):
        queue_statement(session, make_staff(session, "ann", Role.AGENT), customer.id)


def test_queue_statements_queues_one_per_customer_and_falls_back_to_mail(session: Any) -> None:
    ctl = make_staff(session, "ctl", Role.CONTROLLER)
    other = make_staff(session, "other", Role.CONTROLLER)
    by_email = _customer(session, "Email Ltd", "ap@email.example", ["10.00"], controller_id=ctl.id)
    no_address = _customer(session, "No Address Ltd", None, ["20.00"], controller_id=ctl.id)
    by_mail = _customer(session, "Paper Ltd", "ap@paper.example", ["30.00"], delivery=Delivery.MAIL)
    _customer(session, "Owes Nothing Ltd", "ap@nothing.example", [])
    small = _customer(session, "Small Ltd", "ap@small.example", ["5.00"], controller_id=other.id)

    mine = queue_statements(session, ctl, controller="ctl", as_of=DAY)
    assert (mine.queued, mine.by_email, mine.by_mail) == (2, 1, 1)
    outcome = queue_statements(session, ctl, min_balance=Decimal("10.00"), as_of=DAY)
    assert (outcome.queued, outcome.by_email, outcome.by_mail) == (1, 0, 1)  # Paper Ltd
    delivery = {letter.customer_id: letter.delivery for letter in _letters(session)}
    assert delivery == {
        by_email.id: Delivery.EMAIL,
        no_address.id: Delivery.MAIL,
        by_mail.id: Delivery.MAIL,
    }
    again = queue_statements(session, ctl, as_of=DAY)
    assert again.queued == 1 and again.by_email == 1  # only Small Ltd was left
    assert small.id in {letter.customer_id for letter in _letters(session)}
    assert queue_statements(session, ctl, as_of=DAY).queued == 0
    assert session.scalar(select(func.count()).where(AuditLog.action == "queue_statement")) == 4
    lines = session.scalar(select(func.count()).select_from(LetterInvoice))
    assert lines == 4
    with pytest.raises(ValidationError):
        queue_statements(session, ctl, min_balance=Decimal(0))


def test_the_database_allows_one_queued_statement_per_customer(db: Database) -> None:
    with db.session() as session:
        customer = _customer(session, "Once Ltd", "ap@once.example", ["10.00"])
        session.add(Letter(customer_id=customer.id, kind=LetterKind.STATEMENT))
        customer_id = customer.id
    with pytest.raises(IntegrityError), db.session() as session:
        session.add(Letter(customer_id=customer_id, kind=LetterKind.STATEMENT))
        session.flush()
    with db.session() as session:  # a cancelled one does not count
        session.execute(text("UPDATE letter SET status = 'cancelled'"))
        session.add(Letter(customer_id=customer_id, kind=LetterKind.STATEMENT))


def test_two_bulk_runs_at_once_queue_each_customer_once(db: Database) -> None:
    with db.session() as session:
        ctl = make_staff(session, "ctl", Role.CONTROLLER)
        for n in range(20):
            _customer(session, f"Customer {n}", f"ap{n}@c.example", ["10.00"])
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with db.session() as session:
                barrier.wait()
                results.append(queue_statements(session, ctl, as_of=DAY).queued)
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and sum(results) == 20
    with db.session() as session:
        assert len(_letters(session)) == 20


# --------------------------------------------------------------------------- settings


def test_smtp_settings_are_checked_and_the_password_is_never_stored(
    session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = _admin(session)
    defaults = smtp_settings(session)
    assert (defaults.host, defaults.port, defaults.security, defaults.user) == (
        "",
        587,
        "starttls",
        "",
    )
    bs.write_setting(session, admin, bs.LETTERHEAD_EMAIL, "letters@acme.example")
    assert smtp_settings(session).from_address == "letters@acme.example"
    for port in ("0", "65536", "abc", ""):
        with pytest.raises(ValidationError, match="1 to 65535"):
            save_smtp_settings(
                session, admin, host="mx", port=port, security="tls", user="", sender=""
            )
    with pytest.raises(ValidationError, match="starttls, tls or none"):
        save_smtp_settings(session, admin, host="mx", port="25", security="ssl", user="", sender="")
    with pytest.raises(ValidationError, match="not an e-mail address"):
        save_smtp_settings(
            session, admin, host="mx", port="25", security="none", user="", sender="nope"
        )
    with pytest.raises(PermissionDenied):
        save_smtp_settings(
            session,
            make_staff(session, "ctl", Role.CONTROLLER),
            host="mx",
            port="25",
            security="none",
            user="",
            sender="",
        )
    monkeypatch.setenv(PASSWORD_ENV, "very secret 123")
    saved = save_smtp_settings(
        session,
        admin,
        host="smtp.acme.example",
        port="465",
        security="TLS",
        user="mailer",
        sender="credit@acme.example",
    )
    assert (saved.host, saved.port, saved.security, saved.user, saved.from_address) == (
        "smtp.acme.example",
        465,
        "tls",
        "mailer",
        "credit@acme.example",
    )
    keys = set(session.scalars(select(Setting.key)))
    assert not any("password" in key or "secret" in key for key in keys)
    stored = session.execute(text("SELECT string_agg(value::text, ' ') FROM setting")).scalar()
    assert "very secret" not in stored
    audited = session.execute(text("SELECT string_agg(after::text, ' ') FROM audit_log")).scalar()
    assert "very secret" not in audited


# --------------------------------------------------------------------------- sending


def test_a_statement_arrives_with_its_pdf(db: Database, mailbox: tuple[Mailbox, int]) -> None:
    handler, port = mailbox
    with db.session() as session:
        _configure(session, port)
        ctl = make_staff(session, "ctl", Role.CONTROLLER)
        customer = _customer(
            session, "Straße & Söhne GmbH", "ap@soehne.example", ["100.00", "250.50"]
        )
        account = customer.account
        queue_statement(session, ctl, customer.id, as_of=DAY)
    progress: list[tuple[int, int]] = []
    outcome = send_statements(
        db, ctl, letter_date=DAY, progress=lambda done, total: progress.append((done, total))
    )
    assert (outcome.sent, outcome.failed, outcome.remaining, outcome.stopped) == (1, 0, 0, False)
    assert outcome.message == "1 statement sent by e-mail."
    assert progress == [(1, 1)]
    (message,) = handler.messages
    assert handler.envelopes == [("credit@acme.example", ["ap@soehne.example"])]
    assert message["To"].addresses[0].addr_spec == "ap@soehne.example"
    assert "Straße & Söhne GmbH" in str(message["To"])
    assert message["Subject"] == f"Statement of account {account} as at 24 Nov 2026"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and "£350.50" in body.get_content()
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == attachment_name(account, DAY)
    assert attachment.get_filename() == f"statement-{account}-2026-11-24.pdf"
    pdf = _pdf_text(attachment.get_content())
    assert "Straße & Söhne GmbH" in pdf and "£350.50" in pdf
    with db.session() as session:
        (letter,) = _letters(session)
        assert letter.status is LetterStatus.SENT and letter.sent_at is not None
        assert (letter.send_attempts, letter.last_error) == (1, None)
        (send,) = _sends(session)
        assert (send.letter_id, send.outcome, send.recipient, send.error) == (
            letter.id,
            "sent",
            "ap@soehne.example",
            None,
        )
        assert send.message_id == message["Message-ID"]
        assert session.scalar(select(func.count()).where(AuditLog.action == "send_statement"))
    again = send_statements(db, ctl)
    assert again.message == "No statements are queued for e-mail." and len(handler.messages) == 1


def test_a_refused_recipient_stays_queued_and_the_others_go(
    db: Database, mailbox: tuple[Mailbox, int]
) -> None:
    handler, port = mailbox
    with db.session() as session:
        _configure(session, port)
        ctl = make_staff(session, "ctl", Role.CONTROLLER)
        first = _customer(session, "First Ltd", "ap@first.example", ["10.00"])
        refused = _customer(session, "Refused Ltd", "nobody@refused.example", ["20.00"])
        last = _customer(session, "Last Ltd", "ap@last.example", ["30.00"])
        for customer in (first, refused, last):
            queue_statement(session, ctl, customer.id, as_of=DAY)
    outcome = send_statements(db, ctl, letter_date=DAY)
    assert (outcome.sent, outcome.failed, outcome.remaining, outcome.stopped) == (2, 1, 1, False)
    assert outcome.message == "2 statements sent by e-mail, 1 failed; 1 still queued for e-mail."
    assert [m["To"].addresses[0].addr_spec for m in handler.messages] == [
        "ap@first.example",
        "ap@last.example",
    ]
    with db.session() as session:
        letters = _letters(session)
        assert [letter.status for letter in letters] == [
            LetterStatus.SENT,
            LetterStatus.QUEUED,
            LetterStatus.SENT,
        ]
        failed = letters[1]
        assert failed.send_attempts == 1 and failed.sent_at is None
        assert failed.last_error == (
            "The mail server refused the recipient nobody@refused.example "
            "(550 5.1.1 No such mailbox here)."
        )
        assert [(s.outcome, s.recipient) for s in _sends(session)] == [
            ("sent", "ap@first.example"),
            ("failed", "nobody@refused.example"),
            ("sent", "ap@last.example"),
        ]
        assert _sends(session)[1].error == failed.last_error
        assert failed_email_statements(session) == 1
        assert send_errors(session, [letter.id for letter in letters]) == {
            failed.id: (1, failed.last_error)
        }
        (waiting,) = queued_email_statements(session)
        assert (waiting.account, waiting.send_attempts) == (refused.account, 1)


def test_a_server_that_is_down_stops_the_run_and_keeps_every_statement_queued(
    db: Database,
) -> None:
    with db.session() as session:
        _configure(session, free_port())  # nothing listens there
        ctl = make_staff(session, "ctl", Role.CONTROLLER)
        for n in range(3):
            customer = _customer(session, f"Down {n} Ltd", f"ap{n}@down.example", ["10.00"])
            queue_statement(session, ctl, customer.id, as_of=DAY)
    outcome = send_statements(db, ctl, letter_date=DAY)
    assert outcome.stopped and (outcome.sent, outcome.failed, outcome.remaining) == (0, 1, 3)
    assert outcome.message.startswith("Sending stopped: Could not reach the mail server 127.0.0.1:")
    assert outcome.message.endswith(
        "; 0 statements sent by e-mail, 1 failed; 3 still queued for e-mail."
    )
    with db.session() as session:
        letters = _letters(session)
        assert {letter.status for letter in letters} == {LetterStatus.QUEUED}
        assert [letter.send_attempts for letter in letters] == [1, 0, 0]
        assert letters[0].last_error is not None
        assert "connection refused" in letters[0].last_error
        (send,) = _sends(session)
        assert send.outcome == "failed" and send.error == letters[0].last_error


def test_a_server_stopped_mid_run(db: Database) -> None:
    handler = Mailbox()
    controller, port = _start(handler)
    with db.session() as session:
        _configure(session, port)
        ctl = make_staff(session, "ctl", Role.CONTROLLER)
        for n in range(3):
            customer = _customer(session, f"Mid {n} Ltd", f"ap{n}@mid.example", ["10.00"])
            queue_statement(session, ctl, customer.id, as_of=DAY)

    def stop_after_first(done: int, total: int) -> None:
        if done == 1:
            controller.stop()

    outcome = send_statements(db, ctl, letter_date=DAY, progress=stop_after_first)
    assert outcome.stopped and (outcome.sent, outcome.failed, outcome.remaining) == (1, 1, 2)
    assert len(handler.messages) == 1
    with db.session() as session:
        statuses = [letter.status for letter in _letters(session)]
        assert statuses == [LetterStatus.SENT, LetterStatus.QUEUED, LetterStatus.QUEUED]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_login_with_the_password_from_the_environment(
    db: Database, auth_mailbox: tuple[Mailbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, port = auth_mailbox
    with db.session() as session:
        _configure(session, port, user="mailer")
        ctl = make_staff(session, "ctl", Role.CONTROLLER)
        customer = _customer(session, "Auth Ltd", "ap@auth.example", ["10.00"])
        queue_statement(session, ctl, customer.id, as_of=DAY)
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    with pytest.raises(ValidationError, match=PASSWORD_ENV):
        send_statements(db, ctl)
    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    refused = send_statements(db, ctl)
    assert refused.stopped and "refused the login of mailer (535" in refused.message
    monkeypatch.setenv(PASSWORD_ENV, "s3cret pass")
    outcome = send_statements(db, ctl)
    assert (outcome.sent, outcome.failed) == (1, 0) and len(handler.messages) == 1
    with db.session() as session:
        (letter,) = _letters(session)
        assert letter.status is LetterStatus.SENT and letter.send_attempts == 2


def test_nothing_is_sent_without_a_server_or_by_an_agent(db: Database) -> None:
    with db.session() as session:
        ctl = make_staff(session, "ctl", Role.CONTROLLER)
        agent = make_staff(session, "ann", Role.AGENT)
        customer = _customer(session, "Unset Ltd", "ap@unset.example", ["10.00"])
        queue_statement(session, ctl, customer.id, as_of=DAY)
    with pytest.raises(ValidationError, match="No SMTP server is set"):
        send_statements(db, ctl)
    with pytest.raises(PermissionDenied):
        send_statements(db, agent)
    with db.session() as session:
        assert _sends(session) == [] and _letters(session)[0].send_attempts == 0


def test_two_senders_never_send_one_statement_twice(
    db: Database, mailbox: tuple[Mailbox, int]
) -> None:
    handler, port = mailbox
    with db.session() as session:
        _configure(session, port)
        ctl = make_staff(session, "ctl", Role.CONTROLLER)
        for n in range(8):
            customer = _customer(session, f"Twice {n} Ltd", f"ap{n}@twice.example", ["10.00"])
            queue_statement(session, ctl, customer.id, as_of=DAY)
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def sender() -> None:
        barrier.wait()
        outcomes.append(send_statements(db, ctl, letter_date=DAY))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(outcome.sent for outcome in outcomes) == 8
    recipients = [m["To"].addresses[0].addr_spec for m in handler.messages]
    assert sorted(recipients) == sorted(f"ap{n}@twice.example" for n in range(8))
    with db.session() as session:
        assert len(_sends(session)) == 8


def test_cancel_and_a_lost_address(db: Database, mailbox: tuple[Mailbox, int]) -> None:
    handler, port = mailbox
    with db.session() as session:
        _configure(session, port)
        ctl = make_staff(session, "ctl", Role.CONTROLLER)
        gone = _customer(session, "Gone Ltd", "ap@gone.example", ["10.00"])
        kept = _customer(session, "Kept Ltd", "ap@kept.example", ["10.00"])
        for customer in (gone, kept):
            queue_statement(session, ctl, customer.id, as_of=DAY)
        session.get(Customer, gone.id).email = None
    cancel = threading.Event()
    cancel.set()
    cancelled = send_statements(db, ctl, cancel=cancel)
    assert cancelled.cancelled and cancelled.sent == 0 and handler.messages == []
    assert (
        cancelled.message
        == "Sending cancelled: 0 statements sent by e-mail; 2 still queued for e-mail."
    )
    outcome = send_statements(db, ctl, letter_date=DAY)
    assert (outcome.sent, outcome.to_mail) == (1, 1)
    with db.session() as session:
        letters = _letters(session)
        assert letters[0].delivery is Delivery.MAIL and letters[0].status is LetterStatus.QUEUED
        assert letters[1].status is LetterStatus.SENT


# --------------------------------------------------------------------------- the CLI


def test_cli_queue_email_and_print(
    db: Database, cli_env: dict[str, str | None], mailbox: tuple[Mailbox, int], tmp_path: Path
) -> None:
    handler, port = mailbox
    with db.session() as session:
        _configure(session, port)
        make_staff(session, "carol", Role.CONTROLLER)
        by_email = _customer(session, "Cli Email Ltd", "ap@cli.example", ["120.00"])
        no_address = _customer(session, "Cli Paper Ltd", None, ["80.00"])
        email_account, paper_account = by_email.account, no_address.account
    env = {**cli_env, "CCTUI_USER": "carol", PASSWORD_ENV: "hidden value"}
    runner = CliRunner()

    def cli(*args: str) -> Any:
        return runner.invoke(main, ["letters", *args], env=env, catch_exceptions=False)

    one = cli("queue-statements", "--customer", paper_account)
    assert one.exit_code == 0, one.output
    assert "by mail, as the customer has no e-mail address" in one.stdout
    rest = cli("queue-statements")
    assert rest.exit_code == 0, rest.output
    assert "1 statement queued for customers: 1 by e-mail, 0 by mail." in rest.stdout
    listed = cli("list")
    assert "statement        1 by mail       1 by email" in listed.stdout
    shown = cli("email", "--show-settings")
    assert "host      127.0.0.1" in shown.stdout
    assert f"password  {PASSWORD_ENV} is set" in shown.stdout
    assert "hidden value" not in shown.stdout
    dry = cli("email", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert email_account in dry.stdout and "ap@cli.example" in dry.stdout
    assert "1 statement would be e-mailed through 127.0.0.1; nothing was sent." in dry.stdout
    assert handler.messages == []
    sent = cli("email")
    assert sent.exit_code == 0, sent.output
    assert "1 statement sent by e-mail." in sent.stdout
    assert len(handler.messages) == 1

    out = tmp_path / "out"
    printed = cli("print", "--kind", "statement", "--out", str(out))
    assert printed.exit_code == 0, printed.output
    (pdf,) = out.glob("statement-batch-*.pdf")
    text_of_pdf = _pdf_text(pdf.read_bytes())
    assert "Cli Paper Ltd" in text_of_pdf and "Cli Email Ltd" not in text_of_pdf
    with db.session() as session:
        statuses = {letter.delivery: letter.status for letter in _letters(session)}
    assert statuses == {Delivery.MAIL: LetterStatus.PRINTED, Delivery.EMAIL: LetterStatus.SENT}
    missing = runner.invoke(main, ["letters", "queue-statements", "--customer", "NOPE"], env=env)
    assert missing.exit_code == 1 and "no customer with the account 'NOPE'" in missing.output


def test_cli_email_exits_1_when_the_server_is_down(
    db: Database, cli_env: dict[str, str | None]
) -> None:
    with db.session() as session:
        _configure(session, free_port())
        ctl = make_staff(session, "carol", Role.CONTROLLER)
        customer = _customer(session, "Down Ltd", "ap@down.example", ["10.00"])
        queue_statement(session, ctl, customer.id, as_of=DAY)
    env = {**cli_env, "CCTUI_USER": "carol"}
    result = CliRunner().invoke(main, ["letters", "email"], env=env)
    assert result.exit_code == 1
    assert "Sending stopped: Could not reach the mail server" in result.output
    assert "1 still queued for e-mail." in result.output


def test_hostile_names_cannot_forge_headers(db: Database, mailbox: tuple[Mailbox, int]) -> None:
    handler, port = mailbox
    hostile = "Evil\r\nBcc: thief@evil.example\x1b[31m Ltd"
    with db.session() as session:
        _configure(session, port)
        ctl = make_staff(session, "ctl", Role.CONTROLLER)
        customer = _customer(
            session, hostile, "ap@evil.example", ["10.00"], contact_person="Ms\nX", account="A/1"
        )
        queue_statement(session, ctl, customer.id, as_of=DAY)
    outcome = send_statements(db, ctl, letter_date=DAY)
    assert outcome.sent == 1
    (message,) = handler.messages
    assert handler.envelopes == [("credit@acme.example", ["ap@evil.example"])]
    assert message["Bcc"] is None
    assert "Evil Bcc: thief@evil.example [31m Ltd" in str(message["To"])
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and body.get_content().startswith("Dear Ms X,")
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "statement-A_1-2026-11-24.pdf"
