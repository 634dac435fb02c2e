"""The demo book generator: customers with their invoices, payments and collection history.

Everything comes from one ``random.Random(seed)`` consumed in a fixed order and from a
fixed ``today``, so the same seed and day give the same rows, ids included. Rows are built
directly as COPY text lines with integer cents and day numbers (see :mod:`.textfmt`): a
100,000-customer book has about a million invoices and three million rows in all.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Iterator
from datetime import date

from cctui.demo.activity import CustomerFacts, activity_tables, customer_activity
from cctui.demo.addresses import address_lines, phone, postal_code
from cctui.demo.amounts import nice_units
from cctui.demo.companies import company_name, email, second_name, trader_name
from cctui.demo.copy_rows import Counters, TableRows
from cctui.demo.ledger import LedgerWriter, ledger_tables
from cctui.demo.people import contact_person
from cctui.demo.reference import (
    POLICIES,
    POOL_OF_COUNTRY,
    Policy,
    reference_tables,
)
from cctui.demo.staffing import Team, make_groups, make_team
from cctui.demo.textfmt import NULL, Calendar
from cctui.demo.vocabulary import (
    COUNTRIES,
    COUNTRY_CUMULATIVE,
    FOLLOW_UP_REASONS,
)

HISTORY_DAYS = 548
"""Invoices are issued over the last ~18 months."""

CUSTOMER_COLUMNS = (
    "id",
    "account",
    "name",
    "name2",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "phone",
    "email",
    "contact_person",
    "locale",
    "currency",
    "payment_terms_days",
    "delivery",
    "credit_policy_id",
    "manual_settings",
    "credit_limit",
    "temp_credit_limit",
    "temp_limit_expires_on",
    "credit_group_id",
    "credit_action",
    "credit_action_event",
    "credit_action_since",
    "risk_score",
    "insurance_amount",
    "guarantee_amount",
    "guarantee_note",
    "credit_limit_checked_on",
    "controller_id",
    "pool_id",
    "follow_up_on",
    "follow_up_reason",
    "created_at",
    "updated_at",
)
# Payment behaviour: (share, earliest days after due, spread in days, never pays, partly paid)
_PROFILES = (
    (0.54, -6, 11, 0.002, 0.01),
    (0.30, 3, 43, 0.012, 0.04),
    (0.12, 15, 106, 0.06, 0.10),
    (0.04, 40, 260, 0.30, 0.15),
)
_PROFILE_CUMULATIVE = (0.54, 0.84, 0.96, 1.0)
_RISK_BY_PROFILE = ((8, 32), (28, 35), (55, 30), (75, 24))
_MANUAL_TERMS = (7, 10, 14, 21, 30, 30, 30, 45, 60, 90)
_MANUAL_ACTIONS = (("ok", 0.82), ("remind", 0.90), ("password", 0.95), ("hold", 1.0))
_SEVERITY = {"ok": 0, "remind": 1, "password": 2, "hold": 3}
_GUARANTEE_NOTES = (
    "Bank guarantee, renewed every year",
    "Parent company guarantee",
    "Personal guarantee of the managing director",
)


class DemoBook:
    """Generates the rows of a demo book; :meth:`head` first, then :meth:`chunks`."""

    def __init__(self, *, customers: int, seed: int, today: date, you: str | None) -> None:
        self.customers = customers
        self.rng = random.Random(seed)
        self.cal = Calendar(today)
        self.today = self.cal.today
        self.you = you
        self.ids = Counters()
        r = self.rng.random
        self.country_of = [bisect.bisect_right(COUNTRY_CUMULATIVE, r()) for _ in range(customers)]
        self.country_of = [min(i, len(COUNTRIES) - 1) for i in self.country_of]
        t = self.today
        self.stamp_setup = self.cal.stamp(t - HISTORY_DAYS - 30, 9 * 3600)
        self.team: Team
        self.tables = {
            rows.name: rows
            for rows in (
                TableRows("customer", CUSTOMER_COLUMNS),
                *ledger_tables(),
                *activity_tables(),
            )
        }
        self._customer_lines = self.tables["customer"].lines
        self.ledger = LedgerWriter(self.rng, self.cal, self.ids, self.tables)

    # -- the tables loaded before any customer -------------------------------------------

    def head(self) -> list[TableRows]:
        """Staff, pools, policies, templates, dunning steps, agencies, settings, groups."""
        team, staff, staff_pool = make_team(self.rng, self.customers, self.you, self.stamp_setup)
        self.team = team
        admin_id = team.admins[0]
        reference = reference_tables(self.stamp_setup, admin_id)
        self.group_of, groups = make_groups(self.rng, self.country_of, self.stamp_setup)
        pools = next(t for t in reference if t.name == "pool")
        others = [t for t in reference if t.name != "pool"]
        return [staff, pools, staff_pool, *others, groups]

    def chunks(self, size: int) -> Iterator[tuple[int, list[TableRows]]]:
        """Generate the customers ``size`` at a time; yields (customers done, tables)."""
        tables = list(self.tables.values())
        done = 0
        while done < self.customers:
            end = min(self.customers, done + size)
            for customer_id in range(done + 1, end + 1):
                self._customer(customer_id)
            done = end
            yield done, tables

    # -- one customer --------------------------------------------------------------------

    def _customer(self, cid: int) -> None:
        rng = self.rng
        r = rng.random
        gauss = rng.gauss
        cal = self.cal
        days = cal.days
        today = self.today
        country = COUNTRIES[self.country_of[cid - 1]]
        pool = POOL_OF_COUNTRY[country.code]
        city = country.cities[int(r() * len(country.cities))]
        member = self.group_of.get(cid)

        # Who the customer is.
        trader = member is None and r() < 0.12
        if trader:
            name, domain, owner = trader_name(r, country, city)
            contact: str | None = owner if r() < 0.7 else None
        else:
            name, domain = company_name(r, country, city, member.stem if member else None)
            contact = contact_person(r, country) if r() < 0.8 else None
        name2 = second_name(r, country, city) if r() < 0.15 else None
        line1, line2 = address_lines(r, country)
        postal = postal_code(r, country, city)
        tel = phone(r, country, city, mobile=trader and r() < 0.6) if r() < 0.96 else None
        mail_address = email(r, country, domain) if r() < 0.6 else None
        delivery = "email" if mail_address is not None and r() < 0.85 else "mail"

        # Terms and behaviour.
        x = r()
        policy = (
            None
            if x < 0.10
            else POLICIES[0]
            if x < 0.75
            else POLICIES[1]
            if x < 0.90
            else POLICIES[2]
        )
        terms = _MANUAL_TERMS[int(r() * len(_MANUAL_TERMS))] if policy is None else policy.terms
        y = r()
        if policy is not None and policy.code == "STRICT":
            y = 0.45 + 0.55 * y
        elif policy is not None and policy.code == "KEY":
            y = 0.9 * y
        profile = min(bisect.bisect_right(_PROFILE_CUMULATIVE, y), len(_PROFILES) - 1)
        size = 4.0 if policy is not None and policy.code == "KEY" else 1.0
        base_cents = math.exp(gauss(math.log(900.0), 0.9)) * 100 * country.fx * size
        controllers = self.team.pool_controllers[pool.id]
        controller = controllers[int(r() * len(controllers))]
        if r() < 0.75:
            since = today - HISTORY_DAYS - 12 - int(r() * 2500)
            first_day = today - HISTORY_DAYS
        else:
            since = today - 10 - int(r() * (HISTORY_DAYS - 10))
            first_day = since + 1
        count = max(1, min(80, int(math.exp(gauss(2.03, 0.8)))))
        span = today - first_day + 1
        issue_days = sorted([first_day + int(r() * span) for _ in range(count)])

        ledger = self.ledger.write(
            cid,
            country.currency,
            issue_days,
            terms,
            _PROFILES[profile],
            int(base_cents),
            country.decimals == 0,
            int(2000 * country.fx),
            policy.interest_thousandths if policy is not None else 0,
            delivery == "mail",
            controller,
            pool.agency_id,
        )

        # Credit settings.
        months = max(1.0, (today - first_day) / 30.4)
        monthly = ledger.volume / 100 / months
        if policy is not None and r() < 0.2:
            limit = nice_units(policy.default_limit * country.fx)
        else:
            limit = nice_units(monthly * (terms + 20) / 30 * (1.3 + 2.0 * r()))
        temp_limit = 0
        temp_expires = 0
        if r() < 0.015:
            temp_limit = nice_units(limit * 1.5)
            temp_expires = today + 7 + int(r() * 54)
        if policy is None:
            z = r()
            action = next(name for name, share in _MANUAL_ACTIONS if z < share)
            event = "manual"
            action_since = cal.stamp(today - 1 - int(r() * 200), 32400)
        else:
            action, event, action_since = self._policy_action(
                policy,
                ledger.balance,
                temp_limit or limit,
                ledger.oldest,
                issue_days[-1],
                since,
            )
        risk_mean, risk_span = _RISK_BY_PROFILE[profile]
        risk = NULL if r() < 0.08 else str(min(100, risk_mean + int(r() * risk_span)))
        insurance = nice_units(limit * (0.4 + 0.5 * r())) if r() < 0.15 else 0
        guarantee = nice_units(limit * (0.2 + 0.3 * r())) if r() < 0.03 else 0
        follow_up = 0
        follow_reason = NULL
        z = r()
        if (ledger.overdue_invoices and z < 0.04) or z < 0.005:
            follow_up = today + 1 + int(r() * 21)
        elif z > 0.98:
            follow_up = today - 1 - int(r() * 30)
        if follow_up:
            follow_reason = FOLLOW_UP_REASONS[int(r() * len(FOLLOW_UP_REASONS))]

        facts = CustomerFacts(
            cid=cid,
            country=country,
            pool_id=pool.id,
            controller=controller,
            currency=country.currency,
            whole=country.decimals == 0,
            since=since,
            overdue_invoices=ledger.overdue_invoices,
            oldest_due=ledger.oldest,
            late_paid=ledger.late_paid,
            first_invoice=ledger.first_invoice,
            issue_days=issue_days,
            credit_action=action,
            credit_event=event,
            credit_limit=limit,
            temp_limit=temp_limit,
            temp_expires=temp_expires,
            base_cents=int(base_cents),
        )
        checked = customer_activity(self, facts)
        if checked == 0 and r() < 0.8:
            checked = today - 1 - int(r() * 700)

        self._customer_lines.append(
            f"{cid}\tC{cid:06d}\t{name}\t{_opt(name2)}\t{line1}\t{_opt(line2)}\t"
            f"{_opt(postal)}\t{city.name}\t{country.code}\t{_opt(tel)}\t{_opt(mail_address)}\t"
            f"{_opt(contact)}\t{country.locale}\t{country.currency}\t{terms}\t{delivery}\t"
            f"{policy.id if policy is not None else NULL}\t{'t' if policy is None else 'f'}\t"
            f"{limit}.00\t{f'{temp_limit}.00' if temp_limit else NULL}\t"
            f"{days[temp_expires] if temp_expires else NULL}\t"
            f"{member.group_id if member is not None else NULL}\t{action}\t{event}\t"
            f"{action_since}\t{risk}\t{insurance}.00\t{guarantee}.00\t"
            f"{_GUARANTEE_NOTES[int(r() * 3)] if guarantee else NULL}\t"
            f"{days[checked] if checked else NULL}\t{controller}\t{pool.id}\t"
            f"{days[follow_up] if follow_up else NULL}\t{follow_reason}\t"
            f"{cal.stamp(since, 32400)}\t{cal.stamp(max(since, issue_days[-1]), 64800)}\n"
        )

    def _policy_action(
        self,
        policy: Policy,
        balance: int,
        limit: int,
        oldest: int,
        last_issue: int,
        since: int,
    ) -> tuple[str, str, str]:
        """The credit action the policy's events give, the event, and since when."""
        today = self.today
        age = today - oldest if oldest else 0
        a1, a2, a3 = policy.aged
        limit_cents = limit * 100
        candidates = (
            (age > a3, policy.actions[4], "aged_thrice", oldest + a3 + 1),
            (age > a2, policy.actions[3], "aged_twice", oldest + a2 + 1),
            (age > a1, policy.actions[2], "aged_once", oldest + a1 + 1),
            (
                balance * 100 > limit_cents * (100 + policy.exceeded_percent),
                policy.actions[1],
                "limit_exceeded_percent",
                last_issue,
            ),
            (balance > limit_cents, policy.actions[0], "limit_exceeded", last_issue),
        )
        best = ("ok", "none", since)
        for applies, action, event, day in candidates:
            if applies and _SEVERITY[action] > _SEVERITY[best[0]]:
                best = (action, event, min(day, today))
        return best[0], best[1], self.cal.stamp(best[2], 21600)


def _opt(value: str | None) -> str:
    return NULL if value is None else value
