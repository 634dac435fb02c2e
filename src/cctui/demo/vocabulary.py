"""Every country of the demo book, and the shared texts of a credit-control team's day.

Texts may hold ``{invoice}`` (an invoice number of the customer); nothing here contains a
tab, newline or backslash, so rows built from it need no COPY escaping (a test checks).
"""

from __future__ import annotations

from itertools import accumulate

from cctui.demo import countries_east, countries_west, countries_world
from cctui.demo.country import Country

COUNTRIES: tuple[Country, ...] = (
    countries_west.COUNTRIES + countries_east.COUNTRIES + countries_world.COUNTRIES
)
"""All countries, in a fixed order (the order matters for determinism)."""

COUNTRY_CUMULATIVE: tuple[float, ...] = tuple(
    total / sum(c.weight for c in COUNTRIES) for total in accumulate(c.weight for c in COUNTRIES)
)
"""Cumulative share of each country in :data:`COUNTRIES`, for picking with ``bisect``."""

STAFF_COUNTRIES = ("GB", "IE", "DE", "FR", "NL", "ES", "PL", "CZ", "SI", "SE")
"""Countries whose names the (Latin-script) staff of the credit team get."""

PAYMENT_METHODS: dict[str, tuple[str, ...]] = {
    "EUR": ("sepa_transfer", "sepa_transfer", "sepa_transfer", "direct_debit"),
    "GBP": ("bacs", "bacs", "faster_payment", "cheque"),
    "USD": ("ach", "ach", "wire", "check"),
    "CHF": ("bank_transfer", "bank_transfer", "qr_bill"),
    "SEK": ("bankgiro", "bankgiro", "bank_transfer"),
    "PLN": ("bank_transfer",),
    "CZK": ("bank_transfer",),
    "JPY": ("bank_transfer",),
    "CNY": ("bank_transfer", "wire"),
    "AED": ("wire", "cheque"),
    "ILS": ("bank_transfer", "cheque"),
}
"""How customers paying in each currency usually pay."""

INVOICE_DESCRIPTIONS = (
    "Hydraulic fittings, monthly delivery",
    "Packaging materials",
    "Spare parts as per order confirmation",
    "Maintenance contract, quarterly fee",
    "Steel profiles and fasteners",
    "Electrical components",
    "Office and warehouse supplies",
    "Freight and handling",
    "Installation and commissioning",
    "Pallet racking and shelving",
    "Industrial cleaning agents",
    "Safety equipment (PPE)",
    "Replacement pumps and seals",
    "Bearings and transmission parts",
    "Service call-out and labour",
    "Consumables, framework agreement",
)
"""What an invoice is for (the lines themselves are not part of the book)."""

CALL_NOTES_CONTACTED = (
    "Spoke to accounts payable; invoice approved, in the next payment run.",
    "AP clerk confirms payment is scheduled for Friday.",
    "Customer says {invoice} was not received; resent by e-mail.",
    "Spoke to the finance director; cash flow tight, asked for two more weeks.",
    "Invoice {invoice} is with the purchasing manager for approval.",
    "Customer questions the freight charge on {invoice}; passed to sales.",
    "Agreed to pay the oldest invoices this week and the rest at month end.",
    "Our contact has left the company; new AP contact noted.",
    "They say payment went out yesterday; asked for the remittance advice.",
    "Customer will pay once the signed delivery note is found.",
)
"""Notes of calls that reached someone."""

CALL_NOTES_UNREACHABLE = (
    "No answer.",
    "Voicemail left asking for a call back.",
    "Line busy.",
    "Switchboard could not reach accounts payable.",
    "Number rings out; checking the contact details.",
    "Out-of-office message; back on Monday.",
)
"""Notes of calls that reached nobody."""

CALL_NOTES_DOCUMENT = (
    "Statement of account sent by e-mail during the call.",
    "Copy of {invoice} sent while on the phone.",
    "Payment plan drafted and sent for signature.",
)
"""Notes of calls that produced a document."""

PROMISE_NOTES = (
    "Promised to pay {invoice} by the agreed date.",
    "Customer promises payment of the overdue invoices after their payment run.",
    "Finance director promised a transfer this week.",
)
"""Notes of calls that ended with a promise to pay."""

PRIVATE_NOTES = (
    "Pays on the 25th of each month after the approval run.",
    "Do not call before 10:00; the AP team starts late.",
    "Prefers e-mail; the phone is rarely answered.",
    "Large order pipeline: sales asks us to keep the tone friendly.",
    "Invoices must quote the PO number or they are rejected.",
    "Was late last year too; paid after the final notice.",
    "Head office approves every payment above 10,000.",
    "Remittances come from the parent company, not from this account.",
    "Insolvency rumours in the trade press; watch closely.",
    "Customer disputes {invoice} informally; no formal dispute raised yet.",
    "New finance manager since last quarter; relationship good.",
)
"""Private notes a controller keeps about a customer."""

ACTION_TYPES = (
    (
        "SIGNED_DELIVERY_NOTE",
        "Send signed delivery note",
        "Please send the signed delivery note for {invoice}; payment cannot be released"
        " without it.",
    ),
    (
        "CONFIRM_PAYMENT_DATE",
        "Confirm payment date",
        "Please confirm in writing the date on which the overdue balance will be paid.",
    ),
    (
        "REMITTANCE_ADVICE",
        "Provide remittance advice",
        "Please send the remittance advice for your last payment so we can allocate it.",
    ),
    (
        "UPDATE_BANK_DETAILS",
        "Update bank details",
        "Please update our bank details in your supplier records; payments still go to the old"
        " account.",
    ),
    (
        "PURCHASE_ORDER",
        "Send purchase order number",
        "Please send the purchase order number for {invoice}; your AP system rejects it"
        " without one.",
    ),
    (
        "VAT_CERTIFICATE",
        "Provide VAT exemption certificate",
        "Please provide a valid VAT exemption certificate for this year.",
    ),
    (
        "PAYMENT_PLAN",
        "Return signed payment plan",
        "Please sign and return the instalment plan we sent last week.",
    ),
    (
        "BILLING_CONTACT",
        "Confirm billing contact",
        "Please confirm who in your team now receives our invoices.",
    ),
)
"""``(code, name, typical request)`` of the predefined customer actions."""

DISPUTE_REASONS = (
    "Goods damaged on delivery",
    "Price differs from the order confirmation",
    "Quantity short-shipped",
    "Invoice addressed to the wrong legal entity",
    "Service not performed as agreed",
    "Duplicate of an earlier invoice",
    "Missing purchase order number",
    "Freight charged although delivery was free",
)
"""Why customers dispute invoices."""

DISPUTE_RESOLUTIONS = (
    "Proof of delivery sent; customer accepted the invoice.",
    "Invoice reissued to the correct entity.",
    "Customer withdrew the dispute after review.",
    "Price confirmed by sales; customer agreed to pay.",
)
"""How resolved disputes ended."""

WRITE_OFF_REASONS = (
    "Customer insolvent; claim filed with the administrator.",
    "Uneconomic to pursue after the agency's report.",
    "Company dissolved.",
    "Settlement agreed for the remaining balance.",
)
"""Why invoices were written off."""

FOLLOW_UP_REASONS = (
    "Awaiting remittance advice.",
    "Customer on holiday; call back after the return date.",
    "Payment plan agreed; check the first instalment.",
    "Promised to pay after the month-end close.",
    "Query with sales; wait for their answer.",
    "New AP contact starts next week.",
)
"""Why a controller parked a customer until a later date."""

LIMIT_REASONS = (
    "Annual credit review",
    "Increased order volume",
    "Payment behaviour improved",
    "Risk score deteriorated",
    "Credit insurance cover reduced",
    "New financial statements received",
)
"""Why a credit limit was changed."""

TEMPORARY_LIMIT_REASON = "Seasonal peak: temporary increase agreed with sales"
"""Why a temporary credit limit was granted."""

TODO_DESCRIPTIONS = (
    "Call back about the remittance advice",
    "Check that the promised payment arrived",
    "Send copy invoices requested on the call",
    "Review the credit limit with sales",
    "Chase the signed payment plan",
    "Ask sales about the disputed freight charge",
)
"""Credit to-dos."""

HANDOVER_NOTES = (
    "Handed over after the final notice; no response.",
    "Customer ignored three reminders and two calls.",
    "Handed over: customer no longer answers.",
)
"""Notes on invoices handed to a collection agency."""

RECALL_NOTE = "Recalled: customer agreed a payment plan directly with us."
"""Note on a hand-over that was recalled."""

HELD_DECISIONS = (
    "Released after the customer paid the overdue invoices.",
    "Released: sales director guarantees payment.",
    "Rejected: customer still over the limit.",
)
"""Notes on decided held documents."""
