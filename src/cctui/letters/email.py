"""Statements by e-mail: each queued e-mail statement rendered alone and sent over SMTP.

:func:`send_statements` takes the statements queued for e-mail in id order. For each one,
in its own transaction, it locks the letter (``FOR UPDATE SKIP LOCKED``: two senders never
send one statement twice), renders it alone to a PDF, sends it with the PDF attached over
the run's one SMTP connection and records the attempt in ``letter_send``: a sent statement
is marked sent; a failed one stays queued with ``last_error`` saying why. One refused
recipient does not stop the others; a failure of the server itself (unreachable, login
refused, timeout, connection lost) stops the run and leaves every unsent statement queued.

The transaction commits after the server accepted the message. A crash between the
server's acceptance and that commit leaves the statement queued, and the next run sends it
again: delivery is at least once, never silently lost.

The SMTP password comes only from the environment (:data:`PASSWORD_ENV`).
"""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.errors import MessageError
from typing import Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.errors import ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    Customer,
    Delivery,
    Letter,
    LetterKind,
    LetterSend,
    LetterStatus,
    Role,
)
from cctui.domain.smtp_settings import PASSWORD_ENV, SmtpSettings, smtp_password, smtp_settings
from cctui.domain.wording import plural
from cctui.letters.data import read_batch
from cctui.letters.email_message import build_message, one_line, sentence
from cctui.letters.render import render_batch
from cctui.letters.smtp import classify, connect

Progress = Callable[[int, int], None]
"""``progress(done, total)``: statements handled so far."""


class UnitsOfWork(Protocol):
    """Something that opens units of work: the app's database (``db.session()``)."""

    def session(self) -> AbstractContextManager[Session]:
        """A session that commits when the block ends normally and rolls back otherwise."""
        ...


Sessions = UnitsOfWork | Callable[[], AbstractContextManager[Session]]
"""The database (its ``session()``) or a bare factory of units of work."""


@dataclass(frozen=True)
class SendOutcome:
    """What a run did, with one sentence for the user."""

    sent: int
    failed: int
    to_mail: int
    """Statements switched to mail because the customer no longer has an e-mail address."""
    remaining: int
    """Statements still waiting to be e-mailed after the run."""
    stopped: bool
    """The server failed and the run stopped before the end (see the message)."""
    cancelled: bool
    message: str


@dataclass(frozen=True)
class _Locked:
    letter_id: int
    customer_id: int
    account: str
    name: str
    email: str


def _units(sessions: Sessions) -> Callable[[], AbstractContextManager[Session]]:
    opener = getattr(sessions, "session", None)
    if callable(opener):
        return opener  # type: ignore[no-any-return]
    if callable(sessions):
        return sessions
    raise TypeError("send_statements needs the database or a factory of sessions.")


def _queued_email_ids(session: Session) -> list[int]:
    return list(
        session.scalars(
            select(Letter.id)
            .where(
                Letter.kind == LetterKind.STATEMENT,
                Letter.status == LetterStatus.QUEUED,
                Letter.delivery == Delivery.EMAIL,
            )
            .order_by(Letter.id)
        )
    )


def _lock(session: Session, letter_id: int) -> _Locked | None:
    """The statement, locked, if it still waits for e-mail and no other sender holds it."""
    row = session.execute(
        select(Letter.id, Customer.id, Customer.account, Customer.name, Customer.email)
        .join(Customer, Customer.id == Letter.customer_id)
        .where(
            Letter.id == letter_id,
            Letter.kind == LetterKind.STATEMENT,
            Letter.status == LetterStatus.QUEUED,
            Letter.delivery == Delivery.EMAIL,
        )
        .with_for_update(of=Letter, skip_locked=True)
    ).first()
    if row is None:
        return None
    return _Locked(row[0], row[1], row[2], row[3], (row[4] or "").strip())


def _record(
    session: Session,
    actor: StaffIdentity,
    letter: _Locked,
    *,
    error: str | None,
    message_id: str | None,
) -> None:
    """Record one attempt: its ``letter_send`` row, the letter's state, an audit row."""
    now = datetime.now(UTC)
    outcome = "sent" if error is None else "failed"
    session.add(
        LetterSend(
            letter_id=letter.letter_id,
            outcome=outcome,
            error=error,
            recipient=letter.email,
            message_id=message_id,
        )
    )
    changes: dict[str, object] = {"send_attempts": Letter.send_attempts + 1}
    if error is None:
        changes.update(status=LetterStatus.SENT, sent_at=now, last_error=None)
    else:
        changes.update(last_error=error)
    session.execute(
        update(Letter)
        .where(Letter.id == letter.letter_id)
        .values(changes)
        .execution_options(synchronize_session=False)
    )
    audit(
        session,
        actor,
        action="send_statement" if error is None else "send_statement_failed",
        entity="letter",
        entity_id=letter.letter_id,
        after={
            "customer_id": letter.customer_id,
            "recipient": letter.email,
            "outcome": outcome,
            "error": error,
            "message_id": message_id,
        },
    )
    session.flush()


def _to_mail(session: Session, actor: StaffIdentity, letter: _Locked) -> None:
    """The customer lost its e-mail address since queueing: the statement goes by mail."""
    session.execute(
        update(Letter)
        .where(Letter.id == letter.letter_id)
        .values(delivery=Delivery.MAIL)
        .execution_options(synchronize_session=False)
    )
    audit(
        session,
        actor,
        action="statement_to_mail",
        entity="letter",
        entity_id=letter.letter_id,
        before={"customer_id": letter.customer_id, "delivery": Delivery.EMAIL},
        after={"customer_id": letter.customer_id, "delivery": Delivery.MAIL},
    )


def _check_ready(settings: SmtpSettings, password: str | None) -> None:
    if not settings.host:
        raise ValidationError(
            "No SMTP server is set (an admin sets one in Settings, Email (SMTP)); nothing was sent."
        )
    if not settings.from_address:
        raise ValidationError(
            "Statements need a sender address: set the SMTP sender or the letterhead's "
            "e-mail in Settings; nothing was sent."
        )
    if settings.user and password is None:
        raise ValidationError(
            f"The SMTP user {settings.user} needs a password in the environment variable "
            f"{PASSWORD_ENV}; nothing was sent."
        )


def _summary(
    sent: int, failed: int, to_mail: int, remaining: int, stop: str | None, cancelled: bool
) -> str:
    parts = [f"{plural(sent, 'statement')} sent by e-mail"]
    if failed:
        parts.append(f"{failed:,} failed")
    if to_mail:
        parts.append(f"{to_mail:,} switched to mail (no e-mail address)")
    done = ", ".join(parts)
    left = f"{remaining:,} still queued for e-mail"
    if stop is not None:
        return f"Sending stopped: {stop.rstrip('.')}; {done}; {left}."
    if cancelled:
        return f"Sending cancelled: {done}; {left}."
    return f"{done}; {left}." if remaining else f"{done}."


def send_statements(
    sessions: Sessions,
    actor: StaffIdentity,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    letter_date: date | None = None,
) -> SendOutcome:
    """E-mail every queued e-mail statement, each in its own transaction (controllers and up).

    ``sessions`` is the database (or a factory of units of work that commit on success).
    Nothing is sent and a ValidationError says why when no server, sender or needed
    password is set. ``cancel`` stops between two statements; ``progress(done, total)``
    follows each. A crash after the server accepted a statement and before its commit
    sends that one statement again on the next run (at least once).
    """
    require_role(actor, Role.CONTROLLER, "send statements by e-mail")
    units = _units(sessions)
    with units() as session:
        settings = smtp_settings(session)
        letter_ids = _queued_email_ids(session)
    if not letter_ids:
        return SendOutcome(0, 0, 0, 0, False, False, "No statements are queued for e-mail.")
    password = smtp_password()
    _check_ready(settings, password)
    day = letter_date or datetime.now(UTC).date()
    sent = failed = to_mail = 0
    stop: str | None = None
    cancelled = False
    connection: smtplib.SMTP | None = None
    connecting = False
    try:
        for done, letter_id in enumerate(letter_ids, start=1):
            if cancel is not None and cancel.is_set():
                cancelled = True
                break
            with units() as session:
                letter = _lock(session, letter_id)
                if letter is None:
                    pass  # sent, switched or being sent by someone else meanwhile
                elif not letter.email:
                    _to_mail(session, actor, letter)
                    to_mail += 1
                else:
                    batch = read_batch(
                        session,
                        LetterKind.STATEMENT,
                        [letter_id],
                        letter_date=day,
                        sender=actor.name,
                    )
                    pdf, _pages = render_batch(batch, created_at=datetime.now(UTC))
                    try:
                        message = build_message(
                            batch, pdf=pdf, sender=settings.from_address, recipient=letter.email
                        )
                    except (ValueError, TypeError, MessageError) as bad:
                        _record(
                            session,
                            actor,
                            letter,
                            error=sentence(
                                f"The address {one_line(letter.email)} cannot be used: "
                                f"{one_line(bad)}"
                            ),
                            message_id=None,
                        )
                        failed += 1
                    else:
                        try:
                            if connection is None:
                                connecting = True
                                connection = connect(settings, password)
                            connecting = False
                            connection.send_message(message)
                        except (smtplib.SMTPException, OSError) as error:
                            failure = classify(error, settings)
                            _record(session, actor, letter, error=failure.reason, message_id=None)
                            failed += 1
                            if failure.stops or connecting:
                                stop = failure.reason
                        else:
                            _record(
                                session,
                                actor,
                                letter,
                                error=None,
                                message_id=str(message["Message-ID"]),
                            )
                            sent += 1
            if progress is not None:
                progress(done, len(letter_ids))
            if stop is not None:
                break
    finally:
        if connection is not None:
            with suppress(smtplib.SMTPException, OSError):
                connection.quit()
            connection.close()
    with units() as session:
        remaining = int(
            session.scalar(
                select(func.count()).where(
                    Letter.kind == LetterKind.STATEMENT,
                    Letter.status == LetterStatus.QUEUED,
                    Letter.delivery == Delivery.EMAIL,
                )
            )
            or 0
        )
    return SendOutcome(
        sent=sent,
        failed=failed,
        to_mail=to_mail,
        remaining=remaining,
        stopped=stop is not None,
        cancelled=cancelled,
        message=_summary(sent, failed, to_mail, remaining, stop, cancelled),
    )
