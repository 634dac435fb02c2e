"""The invoice loop: each customer's invoices, payments, allocations, disputes, hand-overs.

This is the hot path of the demo book (about a million invoices for 100,000 customers), so
it works in integer minor units and day numbers and formats money inline with
:data:`~cctui.demo.textfmt.CENTS`; the rare fates of an invoice (instalments, open items,
fees, interest, write-off, collection, disputes) are handled off the fast path.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from statistics import NormalDist

from cctui.demo.copy_rows import Counters, TableRows
from cctui.demo.reference import CUMULATIVE_FEE_CENTS, STEP_DAYS
from cctui.demo.textfmt import CENTS, NULL, Calendar, money
from cctui.demo.vocabulary import (
    DISPUTE_REASONS,
    DISPUTE_RESOLUTIONS,
    HANDOVER_NOTES,
    INVOICE_DESCRIPTIONS,
    PAYMENT_METHODS,
    RECALL_NOTE,
    WRITE_OFF_REASONS,
)

INVOICE_COLUMNS = (
    "id",
    "customer_id",
    "number",
    "kind",
    "issued_on",
    "due_on",
    "currency",
    "amount",
    "fee_amount",
    "interest_amount",
    "written_off_amount",
    "open_amount",
    "paid_on",
    "description",
    "delivery_by_mail",
    "printed_at",
    "dunning_level",
    "last_dunned_on",
    "collection_state",
    "collection_agency_id",
    "written_off_at",
    "write_off_reason",
    "created_at",
)
PAYMENT_COLUMNS = (
    "id",
    "customer_id",
    "amount",
    "currency",
    "received_on",
    "reference",
    "method",
    "created_at",
)
ALLOCATION_COLUMNS = ("id", "payment_id", "invoice_id", "amount", "allocated_on")
DISPUTE_COLUMNS = (
    "id",
    "invoice_id",
    "reason",
    "status",
    "opened_by_id",
    "opened_at",
    "resolved_by_id",
    "resolved_at",
    "resolution",
)
HANDOVER_COLUMNS = (
    "id",
    "invoice_id",
    "agency_id",
    "handed_on",
    "handed_by_id",
    "recalled_on",
    "recalled_by_id",
    "note",
    "created_at",
)


Behaviour = tuple[float, int, int, float, float]
"""A payment profile: (share of customers, earliest payment in days after due, spread of
payment days, chance an invoice is never paid, chance an open invoice is partly paid)."""

_LOGNORMAL = tuple(math.exp(0.55 * NormalDist().inv_cdf((i + 0.5) / 4096)) for i in range(4096))
"""Lognormal factors (sigma 0.55) by quantile: one table lookup instead of ``gauss``."""


@dataclass(slots=True)
class Ledger:
    """What the invoice loop tells the rest of the customer's generation."""

    first_invoice: int
    balance: int = 0
    oldest: int = 0
    volume: int = 0
    overdue_invoices: list[tuple[int, str, int, int]] = field(default_factory=list)
    late_paid: list[tuple[int, str, int, int, int]] = field(default_factory=list)


def ledger_tables() -> list[TableRows]:
    """The (empty) tables :class:`LedgerWriter` fills, in foreign-key order."""
    return [
        TableRows("invoice", INVOICE_COLUMNS),
        TableRows("payment", PAYMENT_COLUMNS),
        TableRows("payment_allocation", ALLOCATION_COLUMNS),
        TableRows("dispute", DISPUTE_COLUMNS),
        TableRows("agency_handover", HANDOVER_COLUMNS),
    ]


class LedgerWriter:
    """Appends customers' invoices and what happened to them to the book's tables."""

    def __init__(
        self, rng: random.Random, cal: Calendar, ids: Counters, tables: dict[str, TableRows]
    ) -> None:
        self.rng = rng
        self.cal = cal
        self.today = cal.today
        self.ids = ids
        self.tables = tables
        self._invoice_lines = tables["invoice"].lines
        self._allocation_lines = tables["payment_allocation"].lines
        self._payment_lines = tables["payment"].lines
        self._evening = cal.stamps(18 * 3600)
        self._printed = cal.stamps(10 * 3600)
        self._morning = cal.stamps(6 * 3600)

    def write(
        self,
        cid: int,
        cur: str,
        issue_days: list[int],
        terms: int,
        behaviour: Behaviour,
        base_cents: int,
        whole: bool,
        minimum: int,
        interest_rate: int,
        by_mail: bool,
        controller: int,
        agency_id: int,
    ) -> Ledger:
        """Append the invoices, payments, allocations, disputes and hand-overs of a customer.

        Amounts are integer minor units and days day numbers; money is formatted inline
        with :data:`CENTS` because this loop runs a million times for a large book.
        """
        r = self.rng.random
        cal = self.cal
        days = cal.days
        years = cal.years
        today = self.today
        shift = cal.weekday_shift
        ids = self.ids
        iid = ids.invoice
        pid = ids.payment
        aid = ids.allocation
        cents = CENTS
        factors = _LOGNORMAL
        n_factors = len(factors)
        fees = CUMULATIVE_FEE_CENTS
        s1, s2, s3, s4 = STEP_DAYS
        _share, delay_lo, delay_span, never_p, partial_p = behaviour
        run_wd = (1, 3, 4)[int(r() * 3)] if r() < 0.35 else -1
        cs = str(cid)
        mail_flag = "t" if by_mail else "f"
        inv_lines = self._invoice_lines
        alloc_lines = self._allocation_lines
        evening = self._evening
        printed = self._printed if by_mail else None
        descriptions = INVOICE_DESCRIPTIONS
        n_desc = len(descriptions)
        pays: dict[int, list[int]] = {}
        first_number: dict[int, str] = {}
        ledger = Ledger(first_invoice=iid + 1)
        volume = 0
        for iss in issue_days:
            iid += 1
            number = f"INV-{years[iss]}-{iid:07d}"
            due = iss + terms
            amt = int(base_cents * factors[int(r() * n_factors)])
            if amt < minimum:
                amt = minimum
            if whole:
                amt -= amt % 100
            volume += amt
            if r() < never_p:
                pay = today + 1
            else:
                pay = due + delay_lo + int(r() * delay_span)
                if pay <= iss:
                    pay = iss + 1
                wd = (pay + shift) % 7
                if run_wd >= 0:
                    pay += (run_wd - wd) % 7
                elif wd >= 5:
                    pay += 7 - wd
            print_s = printed[iss] if printed is not None and iss < today - 1 else NULL
            if pay < today and r() >= 0.04:
                # Paid in one payment: the common case, kept short.
                od = pay - 1 - due
                level = 0 if od < s1 else 1 if od < s2 else 2 if od < s3 else 3 if od < s4 else 4
                total = amt + fees[level]
                group = pays.get(pay)
                if group is None:
                    pid += 1
                    group = pays[pay] = [pid, total, 1]
                    first_number[pay] = number
                else:
                    group[1] += total
                    group[2] += 1
                aid += 1
                pay_s = days[pay]
                alloc_lines.append(
                    f"{aid}\t{group[0]}\t{iid}\t{total // 100}.{cents[total % 100]}\t{pay_s}\n"
                )
                if level:
                    fee = fees[level]
                    fee_s = f"{fee // 100}.{cents[fee % 100]}"
                    dunned = days[due + STEP_DAYS[level - 1]]
                    if pay >= today - 50:
                        ledger.late_paid.append((iid, number, pay, total, due))
                else:
                    fee_s = "0.00"
                    dunned = NULL
                inv_lines.append(
                    f"{iid}\t{cs}\t{number}\tinvoice\t{days[iss]}\t{days[due]}\t{cur}\t"
                    f"{amt // 100}.{cents[amt % 100]}\t{fee_s}\t0.00\t0.00\t0.00\t{pay_s}\t"
                    f"{descriptions[int(r() * n_desc)]}\t{mail_flag}\t{print_s}\t{level}\t"
                    f"{dunned}\tnone\t\\N\t\\N\t\\N\t{evening[iss]}\n"
                )
                if pay - iss > 8 and r() < 0.004:
                    self._resolved_dispute(iid, iss, pay, controller)
                continue
            ids.payment = pid
            ids.allocation = aid
            self._special_invoice(
                ledger,
                cs,
                cur,
                iid,
                number,
                iss,
                due,
                amt,
                pay,
                print_s,
                mail_flag,
                whole,
                interest_rate,
                partial_p,
                pays,
                first_number,
                controller,
                agency_id,
            )
            pid = ids.payment
            aid = ids.allocation
        ids.invoice = iid
        ids.payment = pid
        ids.allocation = aid
        ledger.volume = volume

        pay_lines = self._payment_lines
        methods = PAYMENT_METHODS[cur]
        method = methods[int(r() * len(methods))]
        morning = self._morning
        for day, (payment_id, amount, allocations) in pays.items():
            reference = first_number[day] if allocations == 1 else f"Remittance {days[day]}"
            pay_lines.append(
                f"{payment_id}\t{cs}\t{amount // 100}.{cents[amount % 100]}\t{cur}\t{days[day]}\t"
                f"{reference}\t{method}\t{morning[day]}\n"
            )
        return ledger

    def _allocate(
        self,
        pays: dict[int, list[int]],
        first_number: dict[int, str],
        day: int,
        iid: int,
        number: str,
        amount: int,
    ) -> None:
        """Apply ``amount`` of the customer's payment of ``day`` to invoice ``iid``."""
        ids = self.ids
        group = pays.get(day)
        if group is None:
            ids.payment += 1
            group = pays[day] = [ids.payment, 0, 0]
            first_number[day] = number
        group[1] += amount
        group[2] += 1
        ids.allocation += 1
        self._allocation_lines.append(
            f"{ids.allocation}\t{group[0]}\t{iid}\t{money(amount)}\t{self.cal.days[day]}\n"
        )

    def _resolved_dispute(self, iid: int, iss: int, pay: int, controller: int) -> None:
        r = self.rng.random
        cal = self.cal
        self.ids.dispute += 1
        opened = iss + 3 + int(r() * (pay - iss - 5))
        resolved = min(pay, opened + 2 + int(r() * 20))
        self.tables["dispute"].lines.append(
            f"{self.ids.dispute}\t{iid}\t{DISPUTE_REASONS[int(r() * 8)]}\tresolved\t"
            f"{controller}\t{cal.stamp(opened, 36000 + int(r() * 25000))}\t"
            f"{controller}\t{cal.stamp(resolved, 36000 + int(r() * 25000))}\t"
            f"{DISPUTE_RESOLUTIONS[int(r() * len(DISPUTE_RESOLUTIONS))]}\n"
        )

    def _special_invoice(
        self,
        ledger: Ledger,
        cs: str,
        cur: str,
        iid: int,
        number: str,
        iss: int,
        due: int,
        amt: int,
        pay: int,
        print_s: str,
        mail_flag: str,
        whole: bool,
        interest_rate: int,
        partial_p: float,
        pays: dict[int, list[int]],
        first_number: dict[int, str],
        controller: int,
        agency_id: int,
    ) -> None:
        """An invoice paid in instalments, or still open: fees, interest, write-off,
        collection, disputes."""
        r = self.rng.random
        cal = self.cal
        days = cal.days
        today = self.today
        ids = self.ids
        paid = pay < today
        od = (pay - 1 if paid else today - 1) - due
        level = 0 if od < 7 else 1 if od < 21 else 2 if od < 45 else 3 if od < 75 else 4
        fee = CUMULATIVE_FEE_CENTS[level]
        interest = 0
        if not paid and od > 60 and interest_rate and r() < 0.35:
            interest = amt * interest_rate * (od - 30) // 36_500_000
            if whole:
                interest -= interest % 100
        total = amt + fee + interest
        open_ = total
        written_off = 0
        paid_on = NULL
        state = "none"
        agency = NULL
        wo_at = NULL
        wo_reason = NULL
        if paid:
            if pay - iss >= 2:
                part = total * (30 + int(r() * 40)) // 100
                if whole:
                    part -= part % 100
                if part > 0:
                    self._allocate(
                        pays, first_number, iss + 1 + int(r() * (pay - iss - 1)), iid, number, part
                    )
                    open_ -= part
            self._allocate(pays, first_number, pay, iid, number, open_)
            open_ = 0
            paid_on = days[pay]
            if level and pay >= today - 50:
                ledger.late_paid.append((iid, number, pay, total, due))
        else:
            if iss < today - 1 and r() < partial_p:
                part = total * (20 + int(r() * 60)) // 100
                if whole:
                    part -= part % 100
                if part > 0:
                    self._allocate(
                        pays,
                        first_number,
                        iss + 1 + int(r() * (today - 1 - iss)),
                        iid,
                        number,
                        part,
                    )
                    open_ -= part
            if due < today:
                if od > 240 and r() < 0.3:
                    written_off = open_
                    open_ = 0
                    wo_day = due + 180 + int(r() * (od - 180))
                    paid_on = days[wo_day]
                    wo_at = cal.stamp(wo_day, 50000 + int(r() * 10000))
                    wo_reason = WRITE_OFF_REASONS[int(r() * len(WRITE_OFF_REASONS))]
                elif level == 4:
                    state, agency = self._collection(iid, due, od, controller, agency_id)
                if open_ > 0:
                    ledger.overdue_invoices.append((iid, number, due, open_))
                    if ledger.oldest == 0 or due < ledger.oldest:
                        ledger.oldest = due
            if open_ > 0:
                ledger.balance += open_
                if iss + 2 <= today - 1 and r() < 0.012:
                    ids.dispute += 1
                    opened = iss + 2 + int(r() * (today - 2 - iss))
                    self.tables["dispute"].lines.append(
                        f"{ids.dispute}\t{iid}\t{DISPUTE_REASONS[int(r() * 8)]}\topen\t"
                        f"{controller}\t{cal.stamp(opened, 36000 + int(r() * 25000))}\t"
                        f"{NULL}\t{NULL}\t{NULL}\n"
                    )
        self._invoice_lines.append(
            f"{iid}\t{cs}\t{number}\tinvoice\t{days[iss]}\t{days[due]}\t{cur}\t"
            f"{money(amt)}\t{money(fee)}\t{money(interest)}\t{money(written_off)}\t"
            f"{money(open_)}\t{paid_on}\t"
            f"{INVOICE_DESCRIPTIONS[int(r() * len(INVOICE_DESCRIPTIONS))]}\t{mail_flag}\t"
            f"{print_s}\t{level}\t{days[due + STEP_DAYS[level - 1]] if level else NULL}\t"
            f"{state}\t{agency}\t{wo_at}\t{wo_reason}\t{self._evening[iss]}\n"
        )

    def _collection(
        self, iid: int, due: int, od: int, controller: int, agency_id: int
    ) -> tuple[str, str]:
        """Collection state of an invoice past the agency step: flagged, handed over to the
        pool's agency (with its hand-over row), or handed over and recalled."""
        r = self.rng.random
        cal = self.cal
        today = self.today
        z = r()
        if z < 0.55:
            return "flagged", NULL
        self.ids.handover += 1
        handed = due + 75 + int(r() * (od - 74))
        lines = self.tables["agency_handover"].lines
        if z < 0.9 or handed >= today - 1:
            lines.append(
                f"{self.ids.handover}\t{iid}\t{agency_id}\t{cal.days[handed]}\t{controller}\t"
                f"{NULL}\t{NULL}\t{HANDOVER_NOTES[int(r() * len(HANDOVER_NOTES))]}\t"
                f"{cal.stamp(handed, 40000)}\n"
            )
            return "handed_over", str(agency_id)
        recalled = handed + 1 + int(r() * (today - 1 - handed))
        lines.append(
            f"{self.ids.handover}\t{iid}\t{agency_id}\t{cal.days[handed]}\t{controller}\t"
            f"{cal.days[recalled]}\t{controller}\t{RECALL_NOTE}\t{cal.stamp(handed, 40000)}\n"
        )
        return "none", NULL
