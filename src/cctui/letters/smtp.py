"""The SMTP side of statements by e-mail: one connection as the settings say, and every
failure told in one sentence, with whether it stops the run (the server failed) or only
that message (a refused recipient)."""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass

from cctui.domain.smtp_settings import SmtpSettings
from cctui.letters.email_message import one_line, sentence

SMTP_TIMEOUT = 30
"""Seconds the SMTP connection waits for the server before the run gives up."""


class LoginFailed(smtplib.SMTPException):
    """The server failed while logging in (hung up, timed out) rather than answer 535."""


@dataclass(frozen=True)
class Failure:
    """Why an attempt failed, and whether the run stops."""

    reason: str
    """One sentence."""
    stops: bool
    """The server (not this message) failed: the run stops."""


def _reply(code: int, message: object) -> str:
    return f"{code} {one_line(message)}".strip()


def classify(error: BaseException, settings: SmtpSettings) -> Failure:
    """The reason for ``error`` in one sentence, and whether it stops the run."""
    where = f"{settings.host}:{settings.port}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{address} ({_reply(code, message)})"
            for address, (code, message) in error.recipients.items()
        )
        return Failure(sentence(f"The mail server refused the recipient {refused}"), False)
    if isinstance(error, smtplib.SMTPSenderRefused):
        return Failure(
            sentence(
                f"The mail server refused the sender address {one_line(error.sender)} "
                f"({_reply(error.smtp_code, error.smtp_error)})"
            ),
            True,
        )
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return Failure(
            sentence(
                f"The mail server {where} refused the login of {settings.user} "
                f"({_reply(error.smtp_code, error.smtp_error)})"
            ),
            True,
        )
    if isinstance(error, LoginFailed):
        return Failure(
            sentence(f"The mail server {where} failed the login of {settings.user}: {error}"),
            True,
        )
    if isinstance(error, smtplib.SMTPDataError):
        return Failure(
            sentence(
                f"The mail server refused the message ({_reply(error.smtp_code, error.smtp_error)})"
            ),
            error.smtp_code == 421,
        )
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return Failure(
            sentence(f"The mail server {where} does not support what is needed: {one_line(error)}"),
            False,
        )
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return Failure(sentence(f"The mail server {where} closed the connection"), True)
    if isinstance(error, smtplib.SMTPResponseException):
        return Failure(
            sentence(
                f"The mail server {where} answered {_reply(error.smtp_code, error.smtp_error)}"
            ),
            True,
        )
    if isinstance(error, TimeoutError | socket.timeout):
        return Failure(
            sentence(f"The mail server {where} did not answer within {SMTP_TIMEOUT} seconds"), True
        )
    if isinstance(error, ssl.SSLError):
        return Failure(sentence(f"The TLS connection to {where} failed: {one_line(error)}"), True)
    if isinstance(error, socket.gaierror):
        return Failure(
            sentence(f"The mail server {settings.host} is not known ({error.strerror})"), True
        )
    if isinstance(error, OSError):
        why = error.strerror or one_line(error) or type(error).__name__
        return Failure(sentence(f"Could not reach the mail server {where} ({why.lower()})"), True)
    return Failure(sentence(f"Sending failed: {one_line(error) or type(error).__name__}"), True)


def connect(settings: SmtpSettings, password: str | None) -> smtplib.SMTP:
    """An SMTP connection as the settings say: TLS or STARTTLS or neither, logged in when a
    user is set. Every wait is bounded by :data:`SMTP_TIMEOUT`."""
    local = socket.gethostname() or "localhost"
    smtp: smtplib.SMTP
    if settings.security == "tls":
        smtp = smtplib.SMTP_SSL(
            settings.host,
            settings.port,
            local_hostname=local,
            timeout=SMTP_TIMEOUT,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(
            settings.host, settings.port, local_hostname=local, timeout=SMTP_TIMEOUT
        )
    try:
        smtp.ehlo()
        if settings.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.user:
            try:
                smtp.login(settings.user, password or "")
            except smtplib.SMTPAuthenticationError:
                raise
            except (smtplib.SMTPException, OSError) as error:
                raise LoginFailed(one_line(error) or type(error).__name__) from error
    except BaseException:
        smtp.close()
        raise
    return smtp
