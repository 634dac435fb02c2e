"""The SMTP server statements are e-mailed through: read, checked and saved by admins.

Host, port, security, user and sender address are book settings (``smtp_*`` keys of
:mod:`cctui.domain.book_settings`). The password is never stored anywhere: it is read from
the environment variable :data:`PASSWORD_ENV` of the process that sends, and the settings
screen only says whether it is set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from cctui.domain import book_settings as bs
from cctui.domain.authz import require_role
from cctui.domain.errors import ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import Role

PASSWORD_ENV = "CCTUI_SMTP_PASSWORD"
"""The environment variable holding the SMTP password (never stored in the database)."""

SECURITY_CHOICES = ("starttls", "tls", "none")
"""``starttls``: plain connection upgraded with STARTTLS (port 587); ``tls``: TLS from the
first byte (port 465); ``none``: no encryption (a relay on the local network)."""

MAX_HOST = 253
MAX_USER = 320
MAX_ADDRESS = 320


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how statements are e-mailed (the password is not here: see PASSWORD_ENV)."""

    host: str
    """Blank: no server is set and nothing can be e-mailed."""
    port: int
    security: str
    """One of :data:`SECURITY_CHOICES`."""
    user: str
    """Blank: the server is used without logging in."""
    sender: str
    """The From address as stored; blank means the letterhead's e-mail address."""
    letterhead_email: str

    @property
    def from_address(self) -> str:
        """The address statements are sent from: the sender, else the letterhead's e-mail."""
        return self.sender or self.letterhead_email


def smtp_password() -> str | None:
    """The SMTP password from :data:`PASSWORD_ENV`, or None when it is not set (or blank)."""
    value = os.environ.get(PASSWORD_ENV)
    return value if value else None


def password_is_set() -> bool:
    """Whether :data:`PASSWORD_ENV` holds a password in this process (never its value)."""
    return smtp_password() is not None


def _is_address(value: str) -> bool:
    local, _, domain = value.rpartition("@")
    return bool(local) and bool(domain) and not any(char.isspace() for char in value)


def _text(session: Session, key: str, limit: int) -> str:
    value = bs.read_setting(session, key)
    if not isinstance(value, str) or len(value) > limit:
        raise ValidationError(f"The {key} setting must be text of at most {limit} characters.")
    return value


def smtp_settings(session: Session) -> SmtpSettings:
    """The SMTP settings as stored (defaults: no host, port 587, STARTTLS, no login)."""
    port = bs.read_setting(session, bs.SMTP_PORT)
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        raise ValidationError(
            f"The smtp_port setting must be a port from 1 to 65535, not {port!r}."
        )
    security = bs.read_setting(session, bs.SMTP_SECURITY)
    if security not in SECURITY_CHOICES:
        raise ValidationError(
            f"The smtp_security setting must be starttls, tls or none, not {security!r}."
        )
    return SmtpSettings(
        host=_text(session, bs.SMTP_HOST, MAX_HOST),
        port=port,
        security=str(security),
        user=_text(session, bs.SMTP_USER, MAX_USER),
        sender=_text(session, bs.SMTP_FROM, MAX_ADDRESS),
        letterhead_email=bs.letterhead(session).email,
    )


def parse_port(typed: str) -> int:
    """The port an admin typed, as a number from 1 to 65535 (else a ValidationError)."""
    cleaned = typed.strip()
    if not cleaned.isdigit() or len(cleaned) > 5 or not 1 <= int(cleaned) <= 65535:
        raise ValidationError(f"The SMTP port must be a number from 1 to 65535, not {cleaned!r}.")
    return int(cleaned)


def save_smtp_settings(
    session: Session,
    actor: StaffIdentity,
    *,
    host: str,
    port: str,
    security: str,
    user: str,
    sender: str,
) -> SmtpSettings:
    """Store the SMTP settings as an admin typed them; refuse a bad one and write nothing.

    Only the values that changed are written (each with its audit row). There is no
    password parameter: the password lives only in :data:`PASSWORD_ENV`.
    """
    require_role(actor, Role.ADMIN, "change the SMTP settings")
    values: dict[str, Any] = {
        bs.SMTP_HOST: host.strip(),
        bs.SMTP_PORT: parse_port(port),
        bs.SMTP_SECURITY: security.strip().lower(),
        bs.SMTP_USER: user.strip(),
        bs.SMTP_FROM: sender.strip(),
    }
    host_value = values[bs.SMTP_HOST]
    if len(host_value) > MAX_HOST or any(char.isspace() or char in "/@" for char in host_value):
        raise ValidationError(f"{host_value[:60]!r} is not a host name or address.")
    if values[bs.SMTP_SECURITY] not in SECURITY_CHOICES:
        raise ValidationError(
            f"The security must be starttls, tls or none, not {values[bs.SMTP_SECURITY]!r}."
        )
    if len(values[bs.SMTP_USER]) > MAX_USER:
        raise ValidationError(f"The SMTP user may have at most {MAX_USER} characters.")
    sender_value = values[bs.SMTP_FROM]
    if sender_value and (len(sender_value) > MAX_ADDRESS or not _is_address(sender_value)):
        raise ValidationError(f"{sender_value[:60]!r} is not an e-mail address.")
    for key, value in values.items():
        if bs.read_setting(session, key) != value:
            bs.write_setting(session, actor, key, value)
    return smtp_settings(session)
