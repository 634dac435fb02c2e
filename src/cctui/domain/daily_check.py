"""The daily aged-balance check (seed 003): once per business day, for the whole book.

The first login of the day starts it, admins can run it on demand, and cron runs
``cctui daily-check``. However many start it at the same moment, it runs once: every caller
takes one PostgreSQL advisory lock for the length of its transaction, the first one to hold
it does the work and inserts the day's ``daily_check_run`` row (its date is UNIQUE), and
everyone after finds that row and returns at once. Running the day again changes nothing.

The work itself is a short list of set-based SQL steps (:mod:`cctui.domain.daily_check_steps`),
never a Python loop over customers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from cctui.domain.audit import WHOLE_BOOK, BookChange, audit, notify_change
from cctui.domain.bulk_memory import allow_bulk_memory
from cctui.domain.daily_check_steps import (
    DailyStep,
    StepContext,
    expire_temporary_limits,
    refresh_overdue,
    set_credit_actions,
    write_aging_snapshots,
)
from cctui.domain.dunning.mail import queue_mail_invoices
from cctui.domain.dunning.run import run_dunning
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import DailyCheckRun, RunStatus
from cctui.domain.workflow.promises import evaluate_promises

LOCK_KEY = 0x63637475
"""The advisory lock every daily check takes (the bytes of "cctu"); one check at a time."""

STEPS: tuple[tuple[str, DailyStep], ...] = (
    ("Expiring temporary limits", expire_temporary_limits),
    ("Moving overdue figures", refresh_overdue),
    ("Evaluating promises to pay", evaluate_promises),
    ("Dunning overdue invoices", run_dunning),
    ("Queuing invoices to mail", queue_mail_invoices),
    ("Setting credit actions", set_credit_actions),
    ("Writing aging snapshots", write_aging_snapshots),
)
"""Every step of the daily check, in order, with the words progress shows for it.

Expiry comes first so the events see the limit that applies on the day; overdue figures
move before anything reads them. Promises are judged before dunning, so a promise broken
yesterday no longer pauses it. Credit actions and the aging snapshot come last, so they
see the balances with the day's dunning fees."""

CHANGE_WORDS = {
    "temporary_limits_expired": "temporary limits expired",
    "overdue_figures_moved": "customers' overdue figures moved to the day",
    "credit_actions_set": "credit actions raised or changed",
    "credit_actions_reset_to_ok": "credit actions reset to OK",
    "aging_snapshots": "aging snapshots written",
    "promises_kept": "promises kept",
    "promises_broken": "promises broken",
    "letters_queued": "dunning letters queued",
    "invoices_dunned": "invoices dunned",
    "fees_charged": "dunning fees charged",
    "flagged_for_agency": "invoices flagged for the collection agency",
    "mail_invoices_queued": "invoices queued to mail",
}
"""How each count of ``changed`` reads in a sentence."""

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: the step being run, and how many of all are done."""


@dataclass(frozen=True)
class DailyCheckResult:
    """The outcome of asking for a day's check.

    ``ran`` is True when this call did the work, False when the day was already done (then
    ``changed`` is what the run that did it changed).
    """

    run_date: date
    ran: bool
    changed: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    started_by: str | None = None
    finished_at: datetime | None = None

    def as_json(self) -> dict[str, object]:
        """The one-line JSON ``cctui daily-check --json`` prints."""
        return {
            "run_date": self.run_date.isoformat(),
            "ran": self.ran,
            "changed": dict(self.changed),
        }

    def describe(self) -> str:
        """One sentence for people: what ran and what it changed."""
        day = self.run_date.isoformat()
        moved = ", ".join(
            f"{CHANGE_WORDS.get(name, name.replace('_', ' '))} ({n:,})"
            for name, n in self.changed.items()
            if n
        )
        if not self.ran:
            who = f" by {self.started_by}" if self.started_by else ""
            return f"The daily check of {day} was already done{who}."
        return f"The daily check of {day} ran; " + (f"{moved}." if moved else "nothing changed.")


def _done_run(session: Session, run_on: date) -> DailyCheckResult | None:
    row = session.execute(
        select(
            DailyCheckRun.changes, DailyCheckRun.started_by_login, DailyCheckRun.finished_at
        ).where(DailyCheckRun.run_on == run_on, DailyCheckRun.status == RunStatus.DONE)
    ).one_or_none()
    if row is None:
        return None
    changes = {str(key): int(value) for key, value in (row[0] or {}).items()}
    return DailyCheckResult(
        run_date=run_on,
        ran=False,
        changed=MappingProxyType(changes),
        started_by=row[1],
        finished_at=row[2],
    )


def daily_check_done(session: Session, run_on: date) -> DailyCheckResult | None:
    """The finished check of ``run_on``, or None when it has not run yet. Takes no lock."""
    return _done_run(session, run_on)


def run_daily_check(
    session: Session,
    actor: StaffIdentity,
    *,
    run_on: date | None = None,
    progress: Progress | None = None,
) -> DailyCheckResult:
    """Run the daily check of ``run_on`` (default today) unless it already ran.

    Any staff member may start it: the first login of the day does. The caller commits;
    the advisory lock is held until then, so callers waiting on it see the finished run.
    """
    day = run_on if run_on is not None else date.today()
    done = _done_run(session, day)
    if done is not None:
        return done
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    # Someone may have finished the day while this transaction waited for the lock; under
    # READ COMMITTED this new statement sees their committed row.
    done = _done_run(session, day)
    if done is not None:
        return done

    allow_bulk_memory(session)
    context = StepContext(run_on=day, actor=actor.login, staff_id=actor.id)
    started_at = session.scalar(select(func.now()))
    changes: dict[str, int] = {}
    for number, (label, step) in enumerate(STEPS):
        if progress is not None:
            progress(label, number, len(STEPS))
        changes.update(step(session, context))
    if progress is not None:
        progress("Done", len(STEPS), len(STEPS))
    # The steps changed customers behind the ORM's back: loaded objects must re-read them.
    session.expire_all()
    finished_at = session.scalar(select(func.clock_timestamp()))
    session.execute(
        insert(DailyCheckRun).values(
            run_on=day,
            status=RunStatus.DONE,
            started_by_id=actor.id,
            started_by_login=actor.login,
            started_at=started_at,
            finished_at=finished_at,
            changes=changes,
        )
    )
    audit(
        session,
        actor,
        action="daily_check",
        entity="daily_check_run",
        entity_id=day.isoformat(),
        after=changes,
        notify=False,
    )
    # The steps wrote many audit rows in SQL; the running apps hear of the day once.
    notify_change(session, BookChange(None, WHOLE_BOOK, "daily_check", day.isoformat()))
    session.flush()
    return DailyCheckResult(
        run_date=day,
        ran=True,
        changed=MappingProxyType(changes),
        started_by=actor.login,
        finished_at=finished_at,
    )
