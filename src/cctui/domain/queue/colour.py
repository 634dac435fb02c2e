"""The colour of a debtor in the queue (seed 004): contacted, needs attention, or neither.

The rule, for the day ``as_of`` and the book setting ``contacted_within_days`` (X):

1. **attention** (red) when the last call ended *unreachable*, however recent;
2. **contacted** (green) when the debtor was successfully contacted within X days, that is
   on ``as_of - X`` or later (a contact exactly X days ago still counts; X + 1 does not);
3. **none** (plain) when there was no successful contact in those X days but a call within
   them ended otherwise (a document was created): someone is working the debtor;
4. **attention** (red) otherwise: never contacted, or last contacted more than X days ago.

Days are calendar days in the local time zone of the process: "within X days" means the
contact's local date is on or after ``as_of - X``. The same rule exists twice, as a pure
function (:func:`colour_status`, used for each row shown) and as SQL (:func:`colour_sql`,
used to filter the queue); both compare the timestamps with :func:`contact_cutoff`, so they
always agree. Colour is never the only signal: every status has a symbol and a word.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta

from cctui.domain.models import CallOutcome


class ColourStatus(enum.StrEnum):
    """A debtor's colour in the queue, with the symbol and word that go with it."""

    CONTACTED = "contacted"
    ATTENTION = "attention"
    NONE = "none"

    @property
    def colour(self) -> str | None:
        """The colour name a screen uses (``green``/``red``), None for plain."""
        return _COLOURS[self]

    @property
    def symbol(self) -> str:
        """One ASCII character for monochrome terminals: ``+`` contacted, ``!`` attention."""
        return _SYMBOLS[self]

    @property
    def word(self) -> str:
        """The status in a word, for screens, reports and screen readers."""
        return _WORDS[self]


_COLOURS = {
    ColourStatus.CONTACTED: "green",
    ColourStatus.ATTENTION: "red",
    ColourStatus.NONE: None,
}
_SYMBOLS = {ColourStatus.CONTACTED: "+", ColourStatus.ATTENTION: "!", ColourStatus.NONE: "-"}
_WORDS = {
    ColourStatus.CONTACTED: "Contacted",
    ColourStatus.ATTENTION: "Attention",
    ColourStatus.NONE: "Plain",
}


def contact_cutoff(as_of: date, within_days: int) -> datetime:
    """The earliest moment a contact counts as "within X days": local midnight of as_of - X."""
    return datetime.combine(as_of - timedelta(days=within_days), time.min).astimezone()


def colour_status(
    last_contacted_at: datetime | None,
    last_call_outcome: CallOutcome | str | None,
    last_call_at: datetime | None,
    as_of: date,
    within_days: int,
) -> tuple[ColourStatus, str]:
    """The debtor's colour on ``as_of`` and the reason for it, in one sentence.

    ``last_contacted_at`` is the start of the latest successful call, ``last_call_outcome``
    and ``last_call_at`` those of the latest finished call (the customer's maintained
    figures); ``within_days`` is the ``contacted_within_days`` setting.
    """
    return colour_with_cutoff(
        last_contacted_at,
        last_call_outcome,
        last_call_at,
        contact_cutoff(as_of, within_days),
        within_days,
    )


def colour_of(
    last_contacted_at: datetime | None,
    last_call_outcome: CallOutcome | str | None,
    last_call_at: datetime | None,
    cutoff: datetime,
) -> ColourStatus:
    """The status of :func:`colour_with_cutoff` without its reason (cheap, for many rows)."""
    if last_call_outcome == CallOutcome.UNREACHABLE:
        return ColourStatus.ATTENTION
    if last_contacted_at is not None and last_contacted_at >= cutoff:
        return ColourStatus.CONTACTED
    if last_call_at is not None and last_call_at >= cutoff:
        return ColourStatus.NONE
    return ColourStatus.ATTENTION


def colour_with_cutoff(
    last_contacted_at: datetime | None,
    last_call_outcome: CallOutcome | str | None,
    last_call_at: datetime | None,
    cutoff: datetime,
    within_days: int,
) -> tuple[ColourStatus, str]:
    """:func:`colour_status` with the :func:`contact_cutoff` computed once for many rows."""
    if last_call_outcome == CallOutcome.UNREACHABLE:
        when = _day(last_call_at)
        return ColourStatus.ATTENTION, f"Unreachable at the last call{when}."
    if last_contacted_at is not None and last_contacted_at >= cutoff:
        return (
            ColourStatus.CONTACTED,
            f"Contacted on {_local_date(last_contacted_at)}, within {within_days} days.",
        )
    if last_call_at is not None and last_call_at >= cutoff:
        return (
            ColourStatus.NONE,
            f"Last call on {_local_date(last_call_at)} created a document; "
            f"no successful contact in {within_days} days.",
        )
    if last_contacted_at is None:
        return ColourStatus.ATTENTION, "Never contacted."
    return (
        ColourStatus.ATTENTION,
        f"Last contacted on {_local_date(last_contacted_at)}, more than {within_days} days ago.",
    )


def _local_date(moment: datetime) -> str:
    return moment.astimezone().date().isoformat()


def _day(moment: datetime | None) -> str:
    return "" if moment is None else f" on {_local_date(moment)}"


def colour_sql(status: ColourStatus, cutoff_param: str = "cutoff") -> str:
    """A SQL predicate on ``customer AS c`` true for debtors of ``status``.

    ``:<cutoff_param>`` must be bound to :func:`contact_cutoff` (a timestamptz).
    """
    cutoff = f":{cutoff_param}"
    unreachable = "c.last_call_outcome = 'unreachable'"
    reachable = "c.last_call_outcome IS DISTINCT FROM 'unreachable'"
    contacted = f"c.last_contacted_at >= {cutoff}"
    not_contacted = f"(c.last_contacted_at IS NULL OR c.last_contacted_at < {cutoff})"
    called = f"c.last_call_at >= {cutoff}"
    not_called = f"(c.last_call_at IS NULL OR c.last_call_at < {cutoff})"
    if status is ColourStatus.CONTACTED:
        return f"({reachable} AND {contacted})"
    if status is ColourStatus.NONE:
        return f"({reachable} AND {not_contacted} AND {called})"
    return f"({unreachable} OR ({not_contacted} AND {not_called}))"
