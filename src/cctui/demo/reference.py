"""The demo book's fixed reference data: policies, dunning ladder, agencies, pools, settings.

Ids are fixed here so the generators can point at them. Amounts are text with two places.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from cctui.demo.copy_rows import TableRows
from cctui.demo.templates import TEMPLATE_COLUMNS, template_lines
from cctui.demo.textfmt import line
from cctui.demo.vocabulary import ACTION_TYPES


@dataclass(frozen=True)
class Policy:
    """A credit policy as the generators need it (thresholds and actions)."""

    id: int
    code: str
    name: str
    terms: int
    default_limit: int
    """In euro; scaled by the customer's currency."""
    discount_percent: str
    discount_days: int
    interest_percent: str
    interest_thousandths: int
    """Yearly overdue interest in thousandths of a percent, for integer arithmetic."""
    exceeded_percent: int
    aged: tuple[int, int, int]
    actions: tuple[str, str, str, str, str]
    """Actions for: limit exceeded, exceeded by %, aged once, twice, thrice."""


POLICIES = (
    Policy(
        1,
        "STANDARD",
        "Standard terms, 30 days",
        30,
        10_000,
        "2.000",
        10,
        "8.000",
        8000,
        10,
        (30, 60, 90),
        ("remind", "password", "remind", "password", "hold"),
    ),
    Policy(
        2,
        "STRICT",
        "Strict: new or risky customers, 14 days",
        14,
        5_000,
        "0.000",
        0,
        "10.000",
        10000,
        5,
        (15, 30, 60),
        ("remind", "hold", "remind", "hold", "hold"),
    ),
    Policy(
        3,
        "KEY",
        "Key accounts, 60 days",
        60,
        100_000,
        "1.000",
        14,
        "5.000",
        5000,
        20,
        (45, 90, 120),
        ("ok", "remind", "ok", "remind", "password"),
    ),
)
"""The three credit policies; ``POLICIES[i].id == i + 1``."""

POLICY_COLUMNS = (
    "id",
    "code",
    "name",
    "payment_terms_days",
    "default_credit_limit",
    "discount_percent",
    "discount_days",
    "overdue_interest_percent",
    "limit_exceeded_percent",
    "aged_once_days",
    "aged_twice_days",
    "aged_thrice_days",
    "action_limit_exceeded",
    "action_limit_exceeded_percent",
    "action_aged_once",
    "action_aged_twice",
    "action_aged_thrice",
    "created_at",
)

STEP_DAYS = (7, 21, 45, 75)
"""Days after due of dunning steps 1-4."""

STEP_FEE_CENTS = (0, 1000, 2500, 0)
"""Fee of each dunning step, in minor units of the invoice currency."""

CUMULATIVE_FEE_CENTS = (0, 0, 1000, 3500, 3500)
"""Fees charged on an invoice that has reached dunning level 0-4."""

AGENCY_STEP = 4
"""The step that flags invoices for the collection agency."""

DUNNING_COLUMNS = (
    "id",
    "step_no",
    "name",
    "days_after_due",
    "letter_template_id",
    "fee",
    "hands_to_agency",
)
_DUNNING = (
    (1, 1, "First reminder", 7, 1, "0.00", False),
    (2, 2, "Second reminder", 21, 2, "10.00", False),
    (3, 3, "Final notice", 45, 3, "25.00", False),
    (4, 4, "Collection agency", 75, 4, "0.00", True),
)

AGENCY_COLUMNS = (
    "id",
    "name",
    "address_line1",
    "postal_code",
    "city",
    "country",
    "contact_person",
    "phone",
    "email",
    "commission_percent",
)
_AGENCIES = (
    (
        1,
        "Continental Forderungsmanagement GmbH",
        "Kaiserstraße 39",
        "60329",
        "Frankfurt am Main",
        "DE",
        "Dr. Petra Lindner",
        "+49 69 27104400",
        "auftraege@continental-inkasso.example",
        "12.500",
    ),
    (
        2,
        "Sterling Recoveries Ltd",
        "4 Bevis Marks",
        "EC3A 7JB",
        "London",
        "GB",
        "Mark Harrington",
        "+44 20 7946 0815",
        "instructions@sterling-recoveries.example",
        "9.000",
    ),
    (
        3,
        "Recouvrement Atlantique SAS",
        "18 quai de la Fosse",
        "44000",
        "Nantes",
        "FR",
        "Claire Moreau",
        "+33 2 40 12 34 56",
        "dossiers@recouvrement-atlantique.example",
        "15.000",
    ),
)


@dataclass(frozen=True)
class PoolDef:
    """A regional collections pool, the countries it covers and its usual agency."""

    id: int
    name: str
    countries: tuple[str, ...]
    agency_id: int


POOLS = (
    PoolDef(1, "UK & Ireland", ("GB", "IE"), 2),
    PoolDef(2, "DACH", ("DE", "AT", "CH"), 1),
    PoolDef(3, "France & Benelux", ("FR", "NL"), 3),
    PoolDef(4, "Southern Europe", ("ES", "GR"), 3),
    PoolDef(5, "Central & Eastern Europe", ("PL", "CZ", "SI"), 1),
    PoolDef(6, "Nordics", ("SE",), 1),
    PoolDef(7, "Americas", ("US",), 2),
    PoolDef(8, "Asia-Pacific", ("JP", "CN"), 2),
    PoolDef(9, "Middle East", ("AE", "IL"), 2),
)
"""The pools; ``POOLS[i].id == i + 1``."""

POOL_OF_COUNTRY = {code: pool for pool in POOLS for code in pool.countries}
"""The pool of every country code."""

POOL_COLUMNS = ("id", "name", "description", "criteria", "created_at")

ACTION_TYPE_COLUMNS = ("id", "code", "name", "active")

COMPANY_LETTERHEAD = {
    "name": "Meridian Industrial Supplies B.V.",
    "address_lines": ["Keizersgracht 212", "1016 DZ Amsterdam", "Netherlands"],
    "phone": "+31 20 555 0142",
    "email": "credit.control@meridian-supplies.example",
    "bank": "ABN AMRO Bank N.V., IBAN NL91 ABNA 0417 1643 00, BIC ABNANL2A",
    "vat": "NL123456789B01",
}
"""The letterhead of the (fictional) company whose receivables the demo book holds."""

SETTINGS = {
    "aging_bands": [0, 30, 60, 90],
    "contacted_within_days": 14,
    "dunning_min_overdue": "10.00",
    "letterhead_company": COMPANY_LETTERHEAD["name"],
    "letterhead_address": COMPANY_LETTERHEAD["address_lines"],
    "letterhead_phone": COMPANY_LETTERHEAD["phone"],
    "letterhead_email": COMPANY_LETTERHEAD["email"],
    "letterhead_registration": COMPANY_LETTERHEAD["vat"],
    "letterhead_footer": COMPANY_LETTERHEAD["bank"],
    "default_templates": {
        "reminder": "reminder_1",
        "agency": "agency",
        "statement": "statement",
        "invoice": "invoice_copy",
    },
}
"""Book-wide settings (``dunning_min_overdue`` is written as the JSON number 10.00)."""

SETTING_COLUMNS = ("key", "value", "updated_at", "updated_by_id")


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def reference_tables(stamp: str, admin_id: int) -> list[TableRows]:
    """The reference tables as COPY rows, in an order that satisfies their foreign keys.

    ``stamp`` is the creation timestamp of every row, ``admin_id`` the staff member recorded
    as having last changed the settings.
    """
    policies = TableRows("credit_policy", POLICY_COLUMNS)
    for p in POLICIES:
        policies.lines.append(
            line(
                p.id,
                p.code,
                p.name,
                p.terms,
                f"{p.default_limit}.00",
                p.discount_percent,
                p.discount_days,
                p.interest_percent,
                f"{p.exceeded_percent}.000",
                *p.aged,
                *p.actions,
                stamp,
            )
        )
    templates = TableRows("letter_template", TEMPLATE_COLUMNS)
    templates.lines.extend(template_lines(stamp))
    steps = TableRows("dunning_step", DUNNING_COLUMNS)
    steps.lines.extend(line(*step) for step in _DUNNING)
    agencies = TableRows("collection_agency", AGENCY_COLUMNS)
    agencies.lines.extend(line(*agency) for agency in _AGENCIES)
    pools = TableRows("pool", POOL_COLUMNS)
    for pool in POOLS:
        description = f"Customers in {', '.join(pool.countries)}, worked by the regional team."
        criteria = _json({"countries": list(pool.countries)})
        pools.lines.append(line(pool.id, pool.name, description, criteria, stamp))
    actions = TableRows("action_type", ACTION_TYPE_COLUMNS)
    for number, (code, name, _body) in enumerate(ACTION_TYPES, start=1):
        actions.lines.append(line(number, code, name, True))
    settings = TableRows("setting", SETTING_COLUMNS)
    for key, value in SETTINGS.items():
        text = "10.00" if key == "dunning_min_overdue" else _json(value)
        settings.lines.append(line(key, text, stamp, admin_id))
    return [policies, templates, steps, agencies, pools, actions, settings]
