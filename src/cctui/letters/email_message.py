"""The e-mail that carries one statement: headers that text from the database can never
split, a short plain-text body signed with the letterhead, and the statement's PDF."""

from __future__ import annotations

import re
from datetime import date
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from cctui.letters.data import BatchData
from cctui.letters.render import letter_texts
from cctui.letters.templates import substitute

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def one_line(value: object) -> str:
    """``value`` as one line of text: control characters (line breaks too) become spaces,
    runs of blanks one space. Headers can then never be split or injected."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    return " ".join(_CONTROLS.sub(" ", str(value)).split())


def sentence(text: str) -> str:
    """``text`` ending with a full stop (unless it ends with one, or ! or ?)."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def attachment_name(account: str, day: date) -> str:
    """``statement-<account>-<YYYY-MM-DD>.pdf``, the account reduced to safe characters."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", account).strip("._") or "account"
    return f"statement-{safe}-{day.isoformat()}.pdf"


def build_message(
    batch: BatchData,
    *,
    pdf: bytes,
    sender: str,
    recipient: str,
) -> EmailMessage:
    """The e-mail carrying one statement: subject from its template, a short plain-text
    body signed with the letterhead, the PDF attached. Raises ValueError or a
    MessageError for an address that cannot be used."""
    letter = batch.letters[0]
    values = dict(next(iter(letter_texts(batch)))[1])
    head = batch.letterhead
    company = one_line(head.company_name)
    message = EmailMessage()
    message["From"] = Address(display_name=company, addr_spec=sender)
    message["To"] = Address(display_name=one_line(letter.name), addr_spec=recipient)
    message["Subject"] = one_line(substitute(letter.subject, values))
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    greeting = (
        f"Dear {one_line(letter.contact_person)},"
        if letter.contact_person.strip()
        else "Dear Sir or Madam,"
    )
    signature = [
        line
        for line in (
            company,
            *(one_line(line) for line in head.address_lines),
            " · ".join(part for part in (one_line(head.phone), one_line(head.email)) if part),
        )
        if line
    ]
    body = [
        greeting,
        "",
        f"Please find attached the statement of your account {one_line(letter.account)} as at "
        f"{values['letter_date']}, showing {values['total_due']} open.",
        "",
        "Please check it against your records and let us know of any difference.",
        "",
        "Kind regards,",
        "",
        "Credit Control",
        *signature,
    ]
    message.set_content("\n".join(body) + "\n")
    message.add_attachment(
        pdf,
        maintype="application",
        subtype="pdf",
        filename=attachment_name(letter.account, batch.letter_date),
    )
    return message
