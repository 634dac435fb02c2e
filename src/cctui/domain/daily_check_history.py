"""The history of the daily check: the last runs, who started them and what they changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session

from cctui.domain.errors import ValidationError
from cctui.domain.models import DailyCheckRun, RunStatus

MAX_RUNS = 366
"""The most runs one call lists (a year of business days and more)."""


@dataclass(frozen=True)
class DailyCheckRunView:
    """One day's daily check as its history shows it."""

    id: int
    run_on: date
    status: RunStatus
    started_by: str | None
    """Login of who started it (None for a run without one, such as an imported row)."""
    started_at: datetime
    finished_at: datetime | None
    changes: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """Count per kind of change, in the order the run recorded them (see ``CHANGE_WORDS``)."""
    error: str | None = None

    @property
    def duration_seconds(self) -> float | None:
        """How long it ran, in seconds; None while it runs."""
        if self.finished_at is None:
            return None
        return max(0.0, (self.finished_at - self.started_at).total_seconds())


def daily_check_runs(session: Session, limit: int = 30) -> list[DailyCheckRunView]:
    """The last ``limit`` daily check runs, the latest business day first."""
    if not 1 <= limit <= MAX_RUNS:
        raise ValidationError(f"Between 1 and {MAX_RUNS} daily check runs can be listed at once.")
    runs = session.scalars(select(DailyCheckRun).order_by(DailyCheckRun.run_on.desc()).limit(limit))
    return [
        DailyCheckRunView(
            id=run.id,
            run_on=run.run_on,
            status=run.status,
            started_by=run.started_by_login,
            started_at=run.started_at,
            finished_at=run.finished_at,
            changes=MappingProxyType(_counts(run.changes)),
            error=run.error,
        )
        for run in runs
    ]


def _counts(changes: object) -> dict[str, int]:
    """The run's JSON changes as counts; anything that is not a whole number is left out."""
    if not isinstance(changes, dict):
        return {}
    counts: dict[str, int] = {}
    for key, value in changes.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            counts[str(key)] = value
        elif isinstance(value, float) and value.is_integer():
            counts[str(key)] = int(value)
    return counts
