"""Charts of the calls and promises of one staff member, or of everyone (supervisors).

Calls per day by outcome over the last weeks, and promises kept against broken per week
(by the day the daily check judged them). Agents and controllers see their own; supervisors
and admins anyone's, or the whole team's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Date, cast, func, select
from sqlalchemy.orm import Session

from cctui.domain.authz import require_role
from cctui.domain.charts.periods import last_weeks, sql_week
from cctui.domain.editing import today
from cctui.domain.errors import NotFound
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import CallOutcome, Contact, Promise, PromiseStatus, Role, Staff

CALL_DAYS = 30
"""How many days the calls chart shows."""
PROMISE_WEEKS = 13
"""How many weeks the promises chart shows."""


@dataclass(frozen=True)
class DayCalls:
    """Finished calls on one day, by outcome."""

    day: date
    contacted: int
    unreachable: int
    document_created: int

    @property
    def total(self) -> int:
        """Every finished call of the day."""
        return self.contacted + self.unreachable + self.document_created


@dataclass(frozen=True)
class WeekPromises:
    """Promises judged in one week: kept and broken."""

    week: date
    """The Monday the week starts on."""
    kept: int
    broken: int


@dataclass(frozen=True)
class StaffChoice:
    """A staff member whose activity may be charted."""

    id: int
    login: str
    name: str


@dataclass(frozen=True)
class ActivityCharts:
    """One staff member's (or everyone's) calls and promises."""

    staff: StaffChoice | None
    """Whose activity; None for everyone."""
    days: tuple[DayCalls, ...]
    """Every day of the window, oldest first, zeros included."""
    weeks: tuple[WeekPromises, ...]
    """Every week of the window, oldest first, zeros included."""


def activity_staff(session: Session, actor: StaffIdentity) -> tuple[StaffChoice, ...]:
    """Whose activity ``actor`` may chart: everyone active for supervisors, else themself."""
    query = select(Staff.id, Staff.login, Staff.name).where(Staff.active).order_by(Staff.name)
    if not actor.has_role(Role.SUPERVISOR):
        query = query.where(Staff.id == actor.id)
    return tuple(StaffChoice(int(i), login, name) for i, login, name in session.execute(query))


def _whose(session: Session, actor: StaffIdentity, staff_id: int | None) -> StaffChoice | None:
    """The staff member asked for, after checking ``actor`` may see their activity."""
    if staff_id is None or staff_id != actor.id:
        require_role(actor, Role.SUPERVISOR, "see a colleague's or the team's activity")
    if staff_id is None:
        return None
    row = session.execute(
        select(Staff.id, Staff.login, Staff.name).where(Staff.id == staff_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"There is no staff member with id {staff_id}.")
    return StaffChoice(int(row[0]), row[1], row[2])


def read_activity_charts(
    session: Session,
    actor: StaffIdentity,
    *,
    staff_id: int | None,
    as_of: date | None = None,
    days: int = CALL_DAYS,
    weeks: int = PROMISE_WEEKS,
) -> ActivityCharts:
    """Calls per day and promises per week of ``staff_id`` (None: everyone) up to ``as_of``."""
    day = today(as_of)
    whose = _whose(session, actor, staff_id)
    first_day = day - timedelta(days=days - 1)
    call_day = cast(Contact.started_at, Date)
    calls = select(call_day, Contact.outcome, func.count()).where(
        Contact.outcome.is_not(None),
        Contact.started_at >= first_day,
        Contact.started_at < day + timedelta(days=1),
    )
    mondays = last_weeks(day, weeks)
    judged_week = sql_week(Promise.evaluated_on)
    promises = select(judged_week, Promise.status, func.count()).where(
        Promise.status.in_((PromiseStatus.KEPT, PromiseStatus.BROKEN)),
        Promise.evaluated_on >= mondays[0],
        Promise.evaluated_on <= day,
    )
    if whose is not None:
        calls = calls.where(Contact.staff_id == whose.id)
        promises = promises.where(Promise.staff_id == whose.id)
    counted: dict[tuple[date, CallOutcome | None], int] = {
        (row[0], row[1]): int(row[2])
        for row in session.execute(calls.group_by(call_day, Contact.outcome))
    }
    judged: dict[tuple[date, PromiseStatus], int] = {
        (row[0], row[1]): int(row[2])
        for row in session.execute(promises.group_by(judged_week, Promise.status))
    }
    return ActivityCharts(
        staff=whose,
        days=tuple(
            DayCalls(
                d,
                counted.get((d, CallOutcome.CONTACTED), 0),
                counted.get((d, CallOutcome.UNREACHABLE), 0),
                counted.get((d, CallOutcome.DOCUMENT_CREATED), 0),
            )
            for d in (first_day + timedelta(days=n) for n in range(days))
        ),
        weeks=tuple(
            WeekPromises(
                monday,
                judged.get((monday, PromiseStatus.KEPT), 0),
                judged.get((monday, PromiseStatus.BROKEN), 0),
            )
            for monday in mondays
        ),
    )
