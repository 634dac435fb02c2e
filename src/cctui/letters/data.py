"""Everything a batch of letters needs, read in a few queries into plain frozen dataclasses.

The renderer never touches the database: it gets :class:`BatchData` and nothing else, so the
same data gives the same PDF (that is what makes a reprint identical).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from cctui.domain.book_settings import Letterhead, letterhead, read_setting
from cctui.domain.errors import ValidationError
from cctui.domain.models import (
    CollectionAgency,
    Customer,
    DunningStep,
    Invoice,
    Letter,
    LetterInvoice,
    LetterKind,
    LetterTemplate,
    Staff,
)
from cctui.letters.templates import DEFAULT_TEMPLATES

PAPER_SETTING = "letter_paper"
"""Book setting naming the paper size: ``"A4"`` (the default) or ``"Letter"``."""

PAPER_SIZES = ("A4", "Letter")

PAYMENT_DAYS = 7
"""Days from the letter date to the payment deadline a reminder names."""


@dataclass(frozen=True)
class LetterLine:
    """One invoice on a letter, with what was open on it when the letter was queued."""

    number: str
    issued_on: date
    due_on: date
    open_amount: Decimal


@dataclass(frozen=True)
class LetterData:
    """One letter: who it goes to, its text (unfilled) and its invoices."""

    letter_id: int
    kind: LetterKind
    account: str
    name: str
    address: tuple[str, ...]
    """The recipient block below the name: name2, contact, street, postal code + city, country."""
    contact_person: str
    locale: str
    currency: str
    subject: str
    body: str
    step_name: str
    fee: Decimal
    controller: str
    agency_name: str
    agency_address: tuple[str, ...]
    lines: tuple[LetterLine, ...]

    @property
    def total(self) -> Decimal:
        """What the letter asks for: the sum of its lines (fees charged are in them)."""
        return sum((line.open_amount for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class BatchData:
    """A batch's letters with the letterhead, paper, date and sender they are printed with."""

    kind: LetterKind
    letter_date: date
    paper: str
    letterhead: Letterhead
    sender: str
    letters: tuple[LetterData, ...]


def paper_size(session: Session) -> str:
    """The paper letters are printed on (``letter_paper`` setting, A4 by default)."""
    value = read_setting(session, PAPER_SETTING)
    if value is None:
        return "A4"
    if value not in PAPER_SIZES:
        raise ValidationError(f"The {PAPER_SETTING} setting must be A4 or Letter, not {value!r}.")
    return str(value)


def _join(*parts: str | None) -> str:
    return " ".join(part.strip() for part in parts if part and part.strip())


@lru_cache(maxsize=512)
def country_line(country: str | None) -> str | None:
    """The country as the last line of a postal address: an ISO 3166 code becomes its
    English name in capitals (as the Universal Postal Union asks); other text stays as is."""
    if not country:
        return None
    code = country.strip().upper()
    if len(code) == 2 and code.isalpha():
        name = Locale("en").territories.get(code)
        if name:
            return str(name).upper()
    return country


def _address(customer: Any) -> tuple[str, ...]:
    """The address lines below the name of a customer row (any object with its columns)."""
    lines = [
        customer.name2,
        f"Attn. {customer.contact_person}" if customer.contact_person else None,
        customer.address_line1,
        customer.address_line2,
        _join(customer.postal_code, customer.city),
        country_line(customer.country),
    ]
    return tuple(line for line in lines if line)


def read_batch(
    session: Session,
    kind: LetterKind,
    letter_ids: Sequence[int],
    *,
    letter_date: date,
    sender: str,
) -> BatchData:
    """The letters ``letter_ids`` (printed in id order) with everything they show."""
    ids = sorted(letter_ids)
    controller = aliased(Staff)
    # Plain columns rather than ORM objects: a batch reads a thousand letters at a time.
    rows = session.execute(
        select(
            Letter.id,
            Letter.kind,
            Letter.fee,
            Customer.account,
            Customer.name,
            Customer.name2,
            Customer.contact_person,
            Customer.address_line1,
            Customer.address_line2,
            Customer.postal_code,
            Customer.city,
            Customer.country,
            Customer.locale,
            Customer.currency,
            LetterTemplate.subject,
            LetterTemplate.body,
            DunningStep.name.label("step_name"),
            controller.name.label("controller_name"),
        )
        .join(Customer, Customer.id == Letter.customer_id)
        .outerjoin(LetterTemplate, LetterTemplate.id == Letter.template_id)
        .outerjoin(DunningStep, DunningStep.id == Letter.dunning_step_id)
        .outerjoin(controller, controller.id == Customer.controller_id)
        .where(Letter.id.in_(ids))
        .order_by(Letter.id)
    ).all()
    lines: dict[int, list[LetterLine]] = defaultdict(list)
    agencies: dict[int, tuple[str, tuple[str, ...]]] = {}
    line_rows = session.execute(
        select(
            LetterInvoice.letter_id,
            Invoice.number,
            Invoice.issued_on,
            Invoice.due_on,
            LetterInvoice.open_amount,
            CollectionAgency.name,
            CollectionAgency.address_line1,
            CollectionAgency.postal_code,
            CollectionAgency.city,
        )
        .join(Invoice, Invoice.id == LetterInvoice.invoice_id)
        .outerjoin(CollectionAgency, CollectionAgency.id == Invoice.collection_agency_id)
        .where(LetterInvoice.letter_id.in_(ids))
        .order_by(LetterInvoice.letter_id, Invoice.due_on, Invoice.number)
    )
    for letter_id, number, issued_on, due_on, amount, name, street, postal_code, city in line_rows:
        lines[letter_id].append(LetterLine(number, issued_on, due_on, amount))
        if name is not None and letter_id not in agencies:
            address = tuple(line for line in (street, _join(postal_code, city)) if line)
            agencies[letter_id] = (name, address)
    letters = []
    for row in rows:
        kind = LetterKind(row.kind)
        default = DEFAULT_TEMPLATES[kind]
        on_agency = agencies.get(row.id)
        letters.append(
            LetterData(
                letter_id=row.id,
                kind=kind,
                account=row.account,
                name=row.name,
                address=_address(row),
                contact_person=row.contact_person or "",
                locale=row.locale,
                currency=row.currency,
                subject=row.subject if row.subject is not None else default.subject,
                body=row.body if row.body is not None else default.body,
                step_name=row.step_name or "",
                fee=row.fee,
                controller=row.controller_name or sender,
                agency_name=on_agency[0] if on_agency is not None else "",
                agency_address=on_agency[1] if on_agency is not None else (),
                lines=tuple(lines[row.id]),
            )
        )
    return BatchData(
        kind=kind,
        letter_date=letter_date,
        paper=paper_size(session),
        letterhead=letterhead(session),
        sender=sender,
        letters=tuple(letters),
    )
