"""A customer's collection history: calls, promises, notes, to-dos, held orders, limit changes.

Called once per customer after its invoices are generated, with the facts it needs about
them (:class:`CustomerFacts`); appends COPY lines to the book's tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cctui.demo.amounts import nice_units
from cctui.demo.copy_rows import TableRows
from cctui.demo.country import Country
from cctui.demo.textfmt import NULL, money
from cctui.demo.vocabulary import (
    ACTION_TYPES,
    CALL_NOTES_CONTACTED,
    CALL_NOTES_DOCUMENT,
    CALL_NOTES_UNREACHABLE,
    HELD_DECISIONS,
    LIMIT_REASONS,
    PRIVATE_NOTES,
    PROMISE_NOTES,
    TEMPORARY_LIMIT_REASON,
    TODO_DESCRIPTIONS,
)

if TYPE_CHECKING:
    from cctui.demo.book import DemoBook

CONTACT_COLUMNS = (
    "id",
    "customer_id",
    "staff_id",
    "started_at",
    "ended_at",
    "outcome",
    "note",
    "next_call_on",
)
PROMISE_COLUMNS = (
    "id",
    "customer_id",
    "staff_id",
    "contact_id",
    "amount",
    "currency",
    "promised_on",
    "status",
    "evaluated_on",
    "created_at",
)
PROMISE_INVOICE_COLUMNS = ("promise_id", "invoice_id")
NOTE_COLUMNS = (
    "id",
    "customer_id",
    "author_id",
    "kind",
    "action_type_id",
    "body",
    "status",
    "created_at",
    "done_at",
    "done_by_id",
)
TODO_COLUMNS = (
    "id",
    "customer_id",
    "note_id",
    "contact_id",
    "assigned_to_id",
    "created_by_id",
    "description",
    "due_on",
    "status",
    "created_at",
    "done_at",
)
HELD_COLUMNS = (
    "id",
    "customer_id",
    "document_kind",
    "reference",
    "amount",
    "currency",
    "credit_action",
    "reasons",
    "needs_supervisor",
    "status",
    "created_by_id",
    "created_at",
    "decided_by_id",
    "decided_at",
    "decision_note",
)
LIMIT_COLUMNS = (
    "id",
    "customer_id",
    "old_limit",
    "new_limit",
    "temporary",
    "expires_on",
    "reason",
    "status",
    "requested_by_id",
    "requested_at",
    "applied_at",
)
APPROVAL_COLUMNS = (
    "id",
    "kind",
    "customer_id",
    "credit_limit_change_id",
    "held_document_id",
    "status",
    "requested_by_id",
    "requested_at",
    "decided_by_id",
    "decided_at",
    "note",
)

_WORK_START = 8 * 3600
_WORK_SPAN = 9 * 3600 + 1800
_EVENT_REASONS = {
    "limit_exceeded": "Credit limit exceeded",
    "limit_exceeded_percent": "Credit limit exceeded by more than the policy allows",
    "aged_once": "Debt has aged once",
    "aged_twice": "Debt has aged twice",
    "aged_thrice": "Debt has aged thrice",
    "manual": "Credit action set manually",
    "none": "Credit action set manually",
}


def activity_tables() -> list[TableRows]:
    """The empty tables this module fills, in foreign-key order."""
    return [
        TableRows("contact", CONTACT_COLUMNS),
        TableRows("promise", PROMISE_COLUMNS),
        TableRows("promise_invoice", PROMISE_INVOICE_COLUMNS),
        TableRows("note", NOTE_COLUMNS),
        TableRows("todo", TODO_COLUMNS),
        TableRows("held_document", HELD_COLUMNS),
        TableRows("credit_limit_change", LIMIT_COLUMNS),
        TableRows("approval_request", APPROVAL_COLUMNS),
    ]


@dataclass(slots=True)
class CustomerFacts:
    """What the history generator needs to know about a customer and its invoices.

    Days are day numbers, amounts integer minor units (credit limits whole units).
    ``overdue_invoices`` holds ``(id, number, due, open)`` in due order, ``late_paid``
    ``(id, number, paid, total, due)`` of invoices paid late in the last weeks.
    """

    cid: int
    country: Country
    pool_id: int
    controller: int
    currency: str
    whole: bool
    since: int
    overdue_invoices: list[tuple[int, str, int, int]]
    oldest_due: int
    late_paid: list[tuple[int, str, int, int, int]]
    first_invoice: int
    issue_days: list[int]
    credit_action: str
    credit_event: str
    credit_limit: int
    temp_limit: int
    temp_expires: int
    base_cents: int


@dataclass(slots=True)
class _Call:
    id: int
    day: int
    outcome: str
    staff: int


class _History:
    """Appends one customer's history rows; holds the shared lookups."""

    def __init__(self, book: DemoBook, facts: CustomerFacts) -> None:
        self.book = book
        self.f = facts
        self.r = book.rng.random
        self.cal = book.cal
        self.today = book.today
        self.ids = book.ids
        self.tables = book.tables
        agents = book.team.pool_agents.get(facts.pool_id) or [facts.controller]
        self.agents = agents
        self.calls: list[_Call] = []
        self.last_note = 0

    def _number(self) -> str:
        f = self.f
        source = f.overdue_invoices
        if source:
            return source[int(self.r() * len(source))][1]
        index = int(self.r() * len(f.issue_days))
        return f"INV-{self.cal.year(f.issue_days[index])}-{f.first_invoice + index:07d}"

    def _workday(self, day: int) -> int:
        wd = self.cal.weekday(day)
        return day - (wd - 4) if wd >= 5 else day

    def call(self, day: int, outcome: str, note: str | None = None) -> _Call:
        r = self.r
        f = self.f
        staff = self.agents[int(r() * len(self.agents))] if r() < 0.8 else f.controller
        start = _WORK_START + int(r() * _WORK_SPAN)
        texts: tuple[str, ...]
        if outcome == "unreachable":
            duration = 30 + int(r() * 60)
            texts = CALL_NOTES_UNREACHABLE
            next_call = day + 1 + int(r() * 3) if r() < 0.6 else 0
        elif outcome == "contacted":
            duration = 120 + int(r() * 600)
            texts = CALL_NOTES_CONTACTED
            next_call = day + 3 + int(r() * 12) if r() < 0.3 else 0
        else:
            duration = 60 + int(r() * 300)
            texts = CALL_NOTES_DOCUMENT
            next_call = 0
        if note is None:
            note = texts[int(r() * len(texts))].replace("{invoice}", self._number())
        self.ids.contact += 1
        cal = self.cal
        self.tables["contact"].lines.append(
            f"{self.ids.contact}\t{f.cid}\t{staff}\t{cal.stamp(day, start)}\t"
            f"{cal.stamp(day, start + duration)}\t{outcome}\t{note}\t"
            f"{cal.day(next_call) if next_call else NULL}\n"
        )
        made = _Call(self.ids.contact, day, outcome, staff)
        self.calls.append(made)
        return made

    def promise(
        self,
        call: _Call,
        amount: int,
        promised: int,
        status: str,
        evaluated: int,
        invoices: list[int],
    ) -> None:
        f = self.f
        cal = self.cal
        self.ids.promise += 1
        pid = self.ids.promise
        self.tables["promise"].lines.append(
            f"{pid}\t{f.cid}\t{call.staff}\t{call.id}\t{money(amount)}\t{f.currency}\t"
            f"{cal.day(promised)}\t{status}\t{cal.day(evaluated) if evaluated else NULL}\t"
            f"{cal.stamp(call.day, 43200)}\n"
        )
        lines = self.tables["promise_invoice"].lines
        lines.extend(f"{pid}\t{invoice}\n" for invoice in invoices)

    # -- the parts of the history ----------------------------------------------------------

    def make_calls(self) -> None:
        r = self.r
        f = self.f
        today = self.today
        chance = 0.78 if f.overdue_invoices else 0.3 if f.late_paid else 0.02
        if r() < chance:
            start = today - 60
            if f.overdue_invoices:
                start = max(start, f.oldest_due + 1)
            if start <= today - 1:
                for _ in range(1 + int(r() * r() * 6)):
                    day = self._workday(start + int(r() * (today - start)))
                    if day < start:
                        continue
                    x = r()
                    outcome = (
                        "contacted"
                        if x < 0.55
                        else "unreachable"
                        if x < 0.95
                        else "document_created"
                    )
                    self.call(day, outcome)
        # Promises kept: a call a few days before a late payment of the last weeks.
        for iid, number, paid, total, due in f.late_paid:
            if r() >= 0.3:
                continue
            day = self._workday(paid - 2 - int(r() * 7))
            if day < max(due + 1, today - 60):
                continue
            note = PROMISE_NOTES[int(r() * len(PROMISE_NOTES))].replace("{invoice}", number)
            made = self.call(day, "contacted", note)
            self.promise(made, total, paid, "kept", paid, [iid])
        # A promise on the overdue invoices, made on the last successful call.
        contacted = [c for c in self.calls if c.outcome == "contacted"]
        if f.overdue_invoices and contacted and r() < 0.45:
            last = max(contacted, key=lambda c: (c.day, c.id))
            eligible = [inv for inv in f.overdue_invoices if inv[2] < last.day][:3]
            if eligible:
                amount = sum(inv[3] for inv in eligible)
                if r() < 0.2:
                    amount = amount // 2
                    if f.whole:
                        amount -= amount % 100
                if amount > 0:
                    promised = last.day + 2 + int(r() * 12)
                    if promised >= today:
                        self.promise(last, amount, promised, "open", 0, [i[0] for i in eligible])
                    else:
                        self.promise(
                            last,
                            amount,
                            promised,
                            "broken",
                            promised + 1,
                            [i[0] for i in eligible],
                        )

    def make_notes(self) -> None:
        r = self.r
        f = self.f
        today = self.today
        cal = self.cal
        if r() >= (0.35 if f.overdue_invoices else 0.06):
            return
        low = max(f.since + 1, today - 180)
        if low > today - 1:
            return
        lines = self.tables["note"].lines
        for _ in range(1 + int(r() * r() * 3)):
            created = low + int(r() * (today - low))
            author = f.controller if r() < 0.8 else self.agents[int(r() * len(self.agents))]
            if r() < 0.35:
                index = int(r() * len(ACTION_TYPES))
                kind = "action"
                action_type = str(index + 1)
                body = ACTION_TYPES[index][2]
            else:
                kind = "note"
                action_type = NULL
                body = PRIVATE_NOTES[int(r() * len(PRIVATE_NOTES))]
            body = body.replace("{invoice}", self._number())
            is_open = r() < (0.7 if today - created <= 30 else 0.25)
            done = 0 if is_open else created + 1 + int(r() * 20)
            if done > today - 1:
                done = 0
            seconds = _WORK_START + int(r() * _WORK_SPAN)
            self.ids.note += 1
            self.last_note = self.ids.note
            lines.append(
                f"{self.ids.note}\t{f.cid}\t{author}\t{kind}\t{action_type}\t{body}\t"
                f"{'done' if done else 'open'}\t{cal.stamp(created, seconds)}\t"
                f"{cal.stamp(done, seconds) if done else NULL}\t{author if done else NULL}\n"
            )

    def make_todo(self) -> None:
        r = self.r
        f = self.f
        today = self.today
        cal = self.cal
        if not (f.overdue_invoices and r() < 0.12):
            return
        created = max(f.since + 1, today - 1 - int(r() * 20))
        if created > today - 1:
            return
        due = created + 2 + int(r() * 14)
        done = 0 if due >= today - 3 and r() < 0.8 else min(today - 1, due)
        contact = str(self.calls[-1].id) if self.calls else NULL
        note = str(self.last_note) if self.last_note and r() < 0.3 else NULL
        self.ids.todo += 1
        self.tables["todo"].lines.append(
            f"{self.ids.todo}\t{f.cid}\t{note}\t{contact}\t{f.controller}\t{f.controller}\t"
            f"{TODO_DESCRIPTIONS[int(r() * len(TODO_DESCRIPTIONS))]}\t{cal.day(due)}\t"
            f"{'done' if done else 'open'}\t{cal.stamp(created, 40000)}\t"
            f"{cal.stamp(done, 50000) if done else NULL}\n"
        )

    def make_held(self) -> None:
        r = self.r
        f = self.f
        today = self.today
        cal = self.cal
        ids = self.ids
        team = self.book.team
        if f.credit_action not in ("password", "hold") or r() >= 0.3:
            return
        reasons = '{"' + _EVENT_REASONS[f.credit_event] + '"}'
        for _ in range(1 + (r() < 0.3)):
            ids.held += 1
            ids.order += 1
            created = today - 1 - int(r() * 10)
            kind = "order" if r() < 0.85 else "invoice"
            prefix = "SO" if kind == "order" else "PF"
            amount = max(100, int(f.base_cents * (0.5 + 1.5 * r())))
            if f.whole:
                amount = max(100, amount - amount % 100)
            x = r()
            status = "held" if x < 0.7 else "released" if x < 0.9 else "rejected"
            seconds = _WORK_START + int(r() * 20000)
            if status == "held":
                decided = f"{NULL}\t{NULL}\t{NULL}"
            else:
                supervisor = team.supervisors[int(r() * len(team.supervisors))]
                note = HELD_DECISIONS[2] if status == "rejected" else HELD_DECISIONS[int(r() * 2)]
                decided = f"{supervisor}\t{cal.stamp(created, seconds + 3600)}\t{note}"
            needs = "t" if f.credit_action == "password" else "f"
            self.tables["held_document"].lines.append(
                f"{ids.held}\t{f.cid}\t{kind}\t{prefix}-{cal.year(created)}-{ids.order:06d}\t"
                f"{money(amount)}\t{f.currency}\t{f.credit_action}\t{reasons}\t{needs}\t"
                f"{status}\t{f.controller}\t{cal.stamp(created, seconds)}\t{decided}\n"
            )
            if status == "held" and needs == "t" and r() < 0.4:
                ids.approval += 1
                self.tables["approval_request"].lines.append(
                    f"{ids.approval}\theld_release\t{f.cid}\t{NULL}\t{ids.held}\tpending\t"
                    f"{f.controller}\t{cal.stamp(created, seconds + 600)}\t{NULL}\t{NULL}\t"
                    f"Customer needs this delivery urgently; asks for release.\n"
                )

    def make_limit_changes(self) -> int:
        """Limit changes; returns the day the limit was last checked (0 when never)."""
        r = self.r
        f = self.f
        today = self.today
        cal = self.cal
        ids = self.ids
        lines = self.tables["credit_limit_change"].lines
        checked = 0
        if r() < 0.04:
            low = max(f.since + 1, today - 700)
            if low <= today - 1:
                count = 1 + (r() < 0.3)
                change_days = sorted(low + int(r() * (today - low)) for _ in range(count))
                values = [f.credit_limit]
                for _ in range(count):
                    values.append(nice_units(values[-1] * (0.6 + 0.7 * r())))
                values.reverse()
                for index, day in enumerate(change_days):
                    ids.limit_change += 1
                    seconds = _WORK_START + int(r() * _WORK_SPAN)
                    lines.append(
                        f"{ids.limit_change}\t{f.cid}\t{values[index]}.00\t"
                        f"{values[index + 1]}.00\tf\t{NULL}\t"
                        f"{LIMIT_REASONS[int(r() * len(LIMIT_REASONS))]}\tapproved\t"
                        f"{f.controller}\t{cal.stamp(day, seconds)}\t"
                        f"{cal.stamp(day, seconds + 300)}\n"
                    )
                    checked = day
        if f.temp_limit:
            day = max(f.since + 1, today - 1 - int(r() * 20))
            day = min(day, today - 1)
            ids.limit_change += 1
            lines.append(
                f"{ids.limit_change}\t{f.cid}\t{f.credit_limit}.00\t{f.temp_limit}.00\tt\t"
                f"{cal.day(f.temp_expires)}\t{TEMPORARY_LIMIT_REASON}\tapproved\t"
                f"{f.controller}\t{cal.stamp(day, 36000)}\t{cal.stamp(day, 36300)}\n"
            )
            checked = max(checked, day)
        if r() < 0.004:
            day = today - 1 - int(r() * 5)
            wanted = nice_units(f.credit_limit * 1.5)
            ids.limit_change += 1
            lines.append(
                f"{ids.limit_change}\t{f.cid}\t{f.credit_limit}.00\t{wanted}.00\tf\t{NULL}\t"
                f"Customer asks for a higher limit for a large order\tpending\t"
                f"{f.controller}\t{cal.stamp(day, 39600)}\t{NULL}\n"
            )
            ids.approval += 1
            self.tables["approval_request"].lines.append(
                f"{ids.approval}\tcredit_limit\t{f.cid}\t{ids.limit_change}\t{NULL}\tpending\t"
                f"{f.controller}\t{cal.stamp(day, 39660)}\t{NULL}\t{NULL}\t"
                f"Above my approval limit; please approve.\n"
            )
        return checked


def customer_activity(book: DemoBook, facts: CustomerFacts) -> int:
    """Append the customer's calls, promises, notes, to-dos, held documents and limit changes.

    Returns the day the credit limit was last checked (0 when it never was).
    """
    history = _History(book, facts)
    history.make_calls()
    history.make_notes()
    history.make_todo()
    history.make_held()
    return history.make_limit_changes()
