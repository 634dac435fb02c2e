"""Default letter texts and the safe substitution that fills a template's placeholders.

A template's subject and body name placeholders as ``$name``, ``${name}`` or ``{name}`` (the
demo book's templates use braces). Substitution only looks names up in a dict of strings: no
attribute access, no format specs, no code. An unknown name is left visible as written, so a
typo shows on the proof instead of silently vanishing. ``$$`` gives a literal ``$``.

``$invoice_table`` is special: the renderer draws the invoices table where it stands on a line
of its own (after the body when a template does not name it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from cctui.domain.letter_placeholders import INVOICE_TABLE, PATTERN, PLACEHOLDERS, placeholder_name
from cctui.domain.models import LetterKind

__all__ = [
    "DEFAULT_TEMPLATES",
    "INVOICE_TABLE",
    "PLACEHOLDERS",
    "DefaultTemplate",
    "is_table_line",
    "substitute",
]


def substitute(text: str, values: Mapping[str, str]) -> str:
    """``text`` with every known placeholder replaced by its value (unknown ones kept)."""

    def replace(match: re.Match[str]) -> str:
        if match.group("dollar") is not None:
            return "$"
        name = placeholder_name(match)
        value = None if name is None else values.get(name)
        return match.group(0) if value is None else value

    return PATTERN.sub(replace, text)


def is_table_line(line: str) -> bool:
    """Whether a body line is just the invoices-table placeholder."""
    return line.strip() in {f"${INVOICE_TABLE}", f"${{{INVOICE_TABLE}}}", f"{{{INVOICE_TABLE}}}"}


@dataclass(frozen=True)
class DefaultTemplate:
    """A template text shipped with cctui, used when a letter names no template."""

    subject: str
    body: str


_SIGNATURE = """Yours faithfully,

$sender_name
Credit Control, $company_name"""

DEFAULT_TEMPLATES: dict[LetterKind, DefaultTemplate] = {
    LetterKind.REMINDER: DefaultTemplate(
        "Payment reminder: account $account",
        """Dear Sir or Madam,

According to our records the following invoices are past their due date:

$invoice_table

This may simply have been overlooked. Please arrange payment of $total_due by \
$payment_deadline, quoting your account number $account. Fees charged: $fee.

If you have already paid, please accept our thanks and disregard this letter.

"""
        + _SIGNATURE,
    ),
    LetterKind.AGENCY: DefaultTemplate(
        "Notice of transfer to a collection agency: account $account",
        """Dear Sir or Madam,

As the invoices below remain unpaid despite our reminders, we have passed the debt to our \
collection agency, $agency_name.

$invoice_table

From now on please deal directly with the agency about the amount of $total_due.

"""
        + _SIGNATURE,
    ),
    LetterKind.INVOICE: DefaultTemplate(
        "Invoice: account $account",
        """Dear Sir or Madam,

Please find below the invoices issued to your account:

$invoice_table

Please pay $total_due by the due dates shown, quoting the invoice numbers.

Kind regards,

$sender_name
$company_name""",
    ),
    LetterKind.STATEMENT: DefaultTemplate(
        "Statement of account $account as at $letter_date",
        """Dear Sir or Madam,

Please find below the open items on your account as at $letter_date:

$invoice_table

Please check this statement against your records and let us know of any difference.

Kind regards,

$sender_name
$company_name""",
    ),
}
"""The shipped text of each kind of letter."""
