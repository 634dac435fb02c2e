"""The named placeholders a letter template may use, and how to find them in its text.

The domain checks a template an admin saves against these names; :mod:`cctui.letters.templates`
fills them when a letter is printed. Both read the one list here.
"""

from __future__ import annotations

import re

INVOICE_TABLE = "invoice_table"
"""The placeholder the renderer replaces with the invoices table."""

PLACEHOLDERS = (
    "customer_name",
    "customer_address",
    "account",
    "contact_person",
    "letter_date",
    "payment_deadline",
    INVOICE_TABLE,
    "total_due",
    "fee",
    "step_name",
    "controller",
    "sender_name",
    "company_name",
    "company_address",
    "company_phone",
    "company_email",
    "company_vat",
    "company_bank",
    "agency_name",
    "agency_address",
)
"""Every name a template may use."""

PATTERN = re.compile(
    r"\$(?P<dollar>\$)|\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}"
    r"|\$(?P<named>[A-Za-z_][A-Za-z0-9_]*)|\{(?P<brace>[A-Za-z_][A-Za-z0-9_]*)\}"
)
"""A placeholder as ``$name``, ``${name}`` or ``{name}``; ``$$`` is a literal ``$``."""


def placeholder_name(match: re.Match[str]) -> str | None:
    """The name a :data:`PATTERN` match stands for (None for ``$$``)."""
    return match.group("braced") or match.group("named") or match.group("brace")


def unknown_placeholders(text: str) -> list[str]:
    """The names ``text`` uses that are not in :data:`PLACEHOLDERS`, each once, in order."""
    unknown: list[str] = []
    for match in PATTERN.finditer(text):
        name = placeholder_name(match)
        if name is not None and name not in PLACEHOLDERS and name not in unknown:
            unknown.append(name)
    return unknown
