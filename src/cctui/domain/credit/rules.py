"""The credit rules of seed 003 as plain functions: which events apply, which action wins.

Nothing here touches the database; the daily check does the same in SQL and is tested
against these functions, customer by customer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from cctui.domain.models import CreditAction, CreditEvent, CreditPolicy

EVENT_RANK: Mapping[CreditEvent, int] = {
    CreditEvent.LIMIT_EXCEEDED: 1,
    CreditEvent.LIMIT_EXCEEDED_PERCENT: 2,
    CreditEvent.AGED_ONCE: 3,
    CreditEvent.AGED_TWICE: 4,
    CreditEvent.AGED_THRICE: 5,
}
"""When two events set equally severe actions, the higher-ranked one is named as the cause."""

EVENT_DESCRIPTIONS: Mapping[CreditEvent, str] = {
    CreditEvent.LIMIT_EXCEEDED: "credit limit exceeded",
    CreditEvent.LIMIT_EXCEEDED_PERCENT: "credit limit exceeded by more than the policy allows",
    CreditEvent.AGED_ONCE: "debt aged once",
    CreditEvent.AGED_TWICE: "debt aged twice",
    CreditEvent.AGED_THRICE: "debt aged thrice",
    CreditEvent.MANUAL: "manual settings",
    CreditEvent.NONE: "no event",
}
"""Words for each event, for messages and held-document reasons."""


@dataclass(frozen=True)
class PolicyRules:
    """The part of a credit policy the events need."""

    limit_exceeded_percent: Decimal
    aged_once_days: int
    aged_twice_days: int
    aged_thrice_days: int
    actions: Mapping[CreditEvent, CreditAction]

    @classmethod
    def of(cls, policy: CreditPolicy) -> PolicyRules:
        """The rules of a stored policy."""
        return cls(
            limit_exceeded_percent=policy.limit_exceeded_percent,
            aged_once_days=policy.aged_once_days,
            aged_twice_days=policy.aged_twice_days,
            aged_thrice_days=policy.aged_thrice_days,
            actions={
                CreditEvent.LIMIT_EXCEEDED: policy.action_limit_exceeded,
                CreditEvent.LIMIT_EXCEEDED_PERCENT: policy.action_limit_exceeded_percent,
                CreditEvent.AGED_ONCE: policy.action_aged_once,
                CreditEvent.AGED_TWICE: policy.action_aged_twice,
                CreditEvent.AGED_THRICE: policy.action_aged_thrice,
            },
        )


def limit_events(exposure: Decimal, limit: Decimal, rules: PolicyRules) -> list[CreditEvent]:
    """The limit events for ``exposure`` owed against ``limit``.

    *Limit exceeded* when the exposure is above the limit; *exceeded by N %* when it is
    above the limit plus N % of it. A limit of zero is exceeded by any positive exposure.
    """
    events: list[CreditEvent] = []
    if exposure > limit:
        events.append(CreditEvent.LIMIT_EXCEEDED)
        if exposure * 100 > limit * (100 + rules.limit_exceeded_percent):
            events.append(CreditEvent.LIMIT_EXCEEDED_PERCENT)
    return events


def aging_events(days_past_due: int | None, rules: PolicyRules) -> list[CreditEvent]:
    """The aging events when the oldest open invoice is ``days_past_due`` days past due.

    The debt has *aged once* when that is more than ``aged_once_days`` (so with 30, an
    invoice 30 days past due has not aged, 31 days has), and likewise twice and thrice.
    ``None`` means nothing is past due.
    """
    if days_past_due is None:
        return []
    thresholds = (
        (rules.aged_once_days, CreditEvent.AGED_ONCE),
        (rules.aged_twice_days, CreditEvent.AGED_TWICE),
        (rules.aged_thrice_days, CreditEvent.AGED_THRICE),
    )
    return [event for days, event in thresholds if days_past_due > days]


def strongest_action(
    events: Iterable[CreditEvent], rules: PolicyRules
) -> tuple[CreditAction, CreditEvent]:
    """The most severe action the events set (Hold > Password > Remind > OK), and its event.

    Ties go to the higher-ranked event (aged thrice over twice over once over the limit
    events). With no event, or only events whose action is OK, the answer is OK / none.
    """
    best = (CreditAction.OK, CreditEvent.NONE)
    for event in events:
        action = rules.actions[event]
        if action == CreditAction.OK:
            continue
        if (action.severity, EVENT_RANK[event]) > (
            best[0].severity,
            EVENT_RANK.get(best[1], 0),
        ):
            best = (action, event)
    return best
