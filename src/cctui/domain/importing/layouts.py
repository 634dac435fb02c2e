"""The documented CSV layouts of ``cctui import``: columns, whether required, formats, examples.

The README's tables are these definitions. Formats are strict: dates ``YYYY-MM-DD`` only,
amounts with a decimal point and at most two places (``1234.50``; no thousands separators,
no exponent, no decimal comma), ISO 4217 currency codes, ISO 3166 country codes. Header names
are matched without regard to case or surrounding blanks; every value is stripped of
surrounding blanks.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.StrEnum):
    """The formats a column's values may take."""

    TEXT = "text"
    DATE = "date"
    MONEY = "money"
    INTEGER = "integer"
    CURRENCY = "currency"
    COUNTRY = "country"
    EMAIL = "email"
    CHOICE = "choice"


@dataclass(frozen=True)
class Field:
    """One column of a layout."""

    name: str
    kind: Kind
    required: bool
    example: str
    description: str
    max_length: int | None = None
    """Longest text accepted (TEXT and EMAIL)."""
    choices: tuple[str, ...] = ()
    """The values a CHOICE column accepts."""
    allow_zero: bool = False
    """MONEY: zero is accepted (amounts are never negative)."""
    minimum: int = 0
    maximum: int = 0
    """INTEGER: the accepted range."""

    @property
    def format(self) -> str:
        """The format as the README describes it."""
        if self.kind is Kind.TEXT:
            return f"text, up to {self.max_length} characters"
        if self.kind is Kind.DATE:
            return "date YYYY-MM-DD"
        if self.kind is Kind.MONEY:
            sign = "0 or more" if self.allow_zero else "more than 0"
            return f"amount, decimal point, at most 2 places, {sign}"
        if self.kind is Kind.INTEGER:
            return f"whole number {self.minimum} to {self.maximum}"
        if self.kind is Kind.CURRENCY:
            return "ISO 4217 currency code"
        if self.kind is Kind.COUNTRY:
            return "ISO 3166 country code"
        if self.kind is Kind.EMAIL:
            return "e-mail address"
        return " or ".join(self.choices)


@dataclass(frozen=True)
class Layout:
    """The columns of one kind of import file."""

    name: str
    key: tuple[str, ...]
    """The columns that identify a row: the upsert key."""
    fields: tuple[Field, ...]
    ignored: tuple[str, ...] = ()
    """Columns ``cctui export`` adds that the import accepts and ignores."""

    def field(self, name: str) -> Field:
        """The field called ``name``."""
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        """Every column name, in the documented order."""
        return tuple(field.name for field in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        """The columns every file must have."""
        return tuple(field.name for field in self.fields if field.required)


def _text(
    name: str, length: int, example: str, description: str, *, required: bool = False
) -> Field:
    return Field(name, Kind.TEXT, required, example, description, max_length=length)


CUSTOMERS = Layout(
    name="customers",
    key=("account",),
    fields=(
        _text("account", 32, "C000123", "account number; the upsert key", required=True),
        _text("name", 200, "Acme Trading Ltd", "name", required=True),
        _text("name2", 200, "Accounts payable", "second name line"),
        _text("address_line1", 200, "1 High Street", "address"),
        _text("address_line2", 200, "Unit 4", "address, second line"),
        _text("postal_code", 20, "AB1 2CD", "postal code"),
        _text("city", 100, "Leeds", "city"),
        Field("country", Kind.COUNTRY, False, "GB", "country"),
        _text("phone", 40, "+44 113 496 0000", "phone"),
        Field("email", Kind.EMAIL, False, "ap@acme.example", "e-mail", max_length=320),
        _text("contact_person", 200, "Jo Bloggs", "contact person"),
        Field("currency", Kind.CURRENCY, True, "GBP", "the customer's currency"),
        Field(
            "payment_terms_days",
            Kind.INTEGER,
            False,
            "30",
            "payment terms in days (empty: the policy's, or 30)",
            minimum=0,
            maximum=365,
        ),
        Field(
            "credit_limit",
            Kind.MONEY,
            False,
            "5000.00",
            "credit limit (empty: the policy's default limit)",
            allow_zero=True,
        ),
        Field(
            "delivery",
            Kind.CHOICE,
            False,
            "mail",
            "how letters go (empty: mail)",
            choices=("mail", "email"),
        ),
        _text(
            "credit_policy",
            20,
            "STD",
            "credit policy code (empty: manual settings for a new customer)",
        ),
        _text("controller", 64, "dgarcia", "login of the credit controller"),
    ),
)
"""``cctui import customers``: upsert by account number."""

INVOICES = Layout(
    name="invoices",
    key=("number",),
    fields=(
        _text("number", 32, "INV-2026-0001", "invoice number; the upsert key", required=True),
        _text("account", 32, "C000123", "the customer's account number", required=True),
        Field("issued_on", Kind.DATE, True, "2026-10-01", "issue date"),
        Field("due_on", Kind.DATE, False, "2026-10-31", "due date (empty: issue date + terms)"),
        Field("amount", Kind.MONEY, True, "1250.00", "invoice amount"),
        Field("currency", Kind.CURRENCY, True, "GBP", "must be the customer's currency"),
        _text("description", 1000, "October deliveries", "description"),
    ),
    ignored=("open_amount", "paid_on", "dunning_level", "collection_state"),
)
"""``cctui import invoices``: upsert by invoice number."""

PAYMENTS = Layout(
    name="payments",
    key=("account", "reference"),
    fields=(
        _text("account", 32, "C000123", "the customer's account number", required=True),
        _text(
            "reference",
            100,
            "BANK-2026-11-23-0042",
            "the payment's reference, unique per customer; the import key",
            required=True,
        ),
        Field("received_on", Kind.DATE, True, "2026-11-23", "date received"),
        Field("amount", Kind.MONEY, True, "400.00", "amount received"),
        Field("currency", Kind.CURRENCY, False, "GBP", "must be the customer's currency"),
        _text("method", 30, "transfer", "how it was paid"),
        _text(
            "invoice",
            32,
            "INV-2026-0001",
            "the invoice it pays (empty: the oldest open invoices first)",
        ),
    ),
)
"""``cctui import payments``: new payments are recorded and allocated; known ones are left."""

LAYOUTS = {layout.name: layout for layout in (CUSTOMERS, INVOICES, PAYMENTS)}
"""Every layout by its name (the ``cctui import`` argument)."""
