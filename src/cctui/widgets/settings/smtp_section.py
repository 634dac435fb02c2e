"""The settings section of the SMTP server statements are e-mailed through."""

from __future__ import annotations

from typing import Any

from cctui.domain.smtp_settings import (
    PASSWORD_ENV,
    SECURITY_CHOICES,
    SmtpSettings,
    password_is_set,
    save_smtp_settings,
    smtp_settings,
)
from cctui.widgets.settings.form import Field, FormSpec, FormValues
from cctui.widgets.settings.section import Row, Section

SECURITY_WORDS = {
    "starttls": "STARTTLS (port 587)",
    "tls": "TLS from the start (port 465)",
    "none": "none (a local relay only)",
}
"""How each security choice reads in the form and the table."""


def password_words() -> str:
    """Whether this process has the password (never the password itself)."""
    return f"{PASSWORD_ENV} is {'set' if password_is_set() else 'not set'}"


class SmtpSection(Section):
    """Host, port, security, user and sender of the server that e-mails statements."""

    name = "smtp"
    title = "Email"
    columns = ("Field", "Value")
    note = f"SMTP server for statements by e-mail; password only in ${PASSWORD_ENV}. e edit."

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.current = SmtpSettings("", 587, "starttls", "", "", "")

    def load(self, session: Any) -> list[Row]:
        """One row per setting, and whether the password is in the environment."""
        self.current = current = smtp_settings(session)
        sender = current.sender or (
            f"(the letterhead's: {current.letterhead_email})"
            if current.letterhead_email
            else "(blank)"
        )
        fields = [
            ("host", "SMTP host", current.host or "(not set: nothing is e-mailed)"),
            ("port", "Port", str(current.port)),
            ("security", "Security", SECURITY_WORDS.get(current.security, current.security)),
            ("user", "User", current.user or "(none: no login)"),
            ("sender", "Sender address", sender),
            ("password", "Password", password_words()),
        ]
        return [Row(key=key, cells=(label, value), item=current) for key, label, value in fields]

    def edit_form(self, row: Row) -> FormSpec:
        """Every SMTP setting at once; the password is only reported, never typed here."""
        current = self.current

        def save(session: Any, values: FormValues) -> str:
            saved = save_smtp_settings(
                session,
                self.actor,
                host=values["host"],
                port=values["port"],
                security=values["security"],
                user=values["user"],
                sender=values["sender"],
            )
            where = f"{saved.host}:{saved.port}" if saved.host else "no server"
            return f"SMTP settings saved: statements are e-mailed through {where}."

        return FormSpec(
            "Email (SMTP)",
            (
                Field("host", "SMTP host", value=current.host, placeholder="smtp.example.com"),
                Field("port", "Port", value=str(current.port)),
                Field(
                    "security",
                    "Security",
                    kind="select",
                    value=current.security,
                    options=tuple((SECURITY_WORDS[choice], choice) for choice in SECURITY_CHOICES),
                    allow_blank=False,
                ),
                Field("user", "User", value=current.user, placeholder="blank: no login"),
                Field(
                    "sender",
                    "Sender address",
                    value=current.sender,
                    placeholder=current.letterhead_email or "credit@example.com",
                ),
                Field("password", "Password", kind="fixed", value=password_words()),
            ),
            save,
            note=f"The password is never stored: set {PASSWORD_ENV} where cctui sends.",
        )
