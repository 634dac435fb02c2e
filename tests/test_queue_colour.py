"""The debtor colour (seed 004) at its edges, in Python and in SQL alike."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from cctui.domain.models import CallOutcome
from cctui.domain.queue import (
    ColourStatus,
    QueueQuery,
    colour_status,
    contact_cutoff,
    queue_count,
    queue_page,
)
from tests.factories import TODAY, make_customer

X = 14


def at(days_ago: int, hour: int = 12, minute: int = 0) -> datetime:
    """A local moment ``days_ago`` calendar days before TODAY."""
    return datetime.combine(TODAY - timedelta(days=days_ago), time(hour, minute)).astimezone()


def colour(contacted, outcome, called, *, as_of: date = TODAY, within: int = X):
    return colour_status(contacted, outcome, called, as_of, within)[0]


@pytest.mark.parametrize(
    ("days_ago", "hour", "expected"),
    [
        (0, 9, ColourStatus.CONTACTED),
        (X - 1, 12, ColourStatus.CONTACTED),
        (X, 0, ColourStatus.CONTACTED),  # exactly X days ago, at the first minute
        (X, 23, ColourStatus.CONTACTED),
        (X + 1, 23, ColourStatus.ATTENTION),  # X + 1 days ago, even late in the day
        (X + 1, 0, ColourStatus.ATTENTION),
        (90, 12, ColourStatus.ATTENTION),
    ],
)
def test_contacted_within_x_days_at_the_edges(days_ago, hour, expected):
    moment = at(days_ago, hour)
    assert colour(moment, CallOutcome.CONTACTED, moment) is expected


def test_the_edge_follows_the_setting():
    moment = at(30)
    assert colour(moment, CallOutcome.CONTACTED, moment, within=30) is ColourStatus.CONTACTED
    assert colour(moment, CallOutcome.CONTACTED, moment, within=29) is ColourStatus.ATTENTION


def test_never_contacted_needs_attention():
    status, reason = colour_status(None, None, None, TODAY, X)
    assert status is ColourStatus.ATTENTION
    assert reason == "Never contacted."


def test_an_unreachable_last_call_needs_attention_even_after_a_recent_contact():
    status, reason = colour_status(
        at(1), CallOutcome.UNREACHABLE, at(0), TODAY, X
    )  # contacted yesterday, unreachable today
    assert status is ColourStatus.ATTENTION
    assert "Unreachable" in reason
    assert colour(None, "unreachable", at(0)) is ColourStatus.ATTENTION


def test_a_recent_document_without_contact_is_plain():
    status, reason = colour_status(at(40), CallOutcome.DOCUMENT_CREATED, at(2), TODAY, X)
    assert status is ColourStatus.NONE
    assert "created a document" in reason
    assert colour(None, CallOutcome.DOCUMENT_CREATED, at(X)) is ColourStatus.NONE
    assert colour(None, CallOutcome.DOCUMENT_CREATED, at(X + 1)) is ColourStatus.ATTENTION


def test_last_contact_long_ago_gives_its_date():
    status, reason = colour_status(at(40), CallOutcome.CONTACTED, at(40), TODAY, X)
    assert status is ColourStatus.ATTENTION
    assert (TODAY - timedelta(days=40)).isoformat() in reason
    assert f"more than {X} days" in reason


def test_every_status_has_a_symbol_and_a_word():
    seen = set()
    for status in ColourStatus:
        assert status.symbol.isascii() and len(status.symbol) == 1
        assert status.word
        seen.add(status.symbol)
    assert len(seen) == len(ColourStatus)
    assert ColourStatus.CONTACTED.colour == "green"
    assert ColourStatus.ATTENTION.colour == "red"
    assert ColourStatus.NONE.colour is None


def test_cutoff_is_local_midnight_x_days_back():
    cutoff = contact_cutoff(TODAY, X)
    assert cutoff.tzinfo is not None
    assert cutoff.astimezone().date() == TODAY - timedelta(days=X)
    assert cutoff.astimezone().time() == time(0, 0)


EDGE_CASES = [
    # (last contacted, last outcome, last call)
    (None, None, None),
    (at(0), CallOutcome.CONTACTED, at(0)),
    (at(X, 0, 0), CallOutcome.CONTACTED, at(X, 0, 0)),
    (at(X + 1, 23, 59), CallOutcome.CONTACTED, at(X + 1, 23, 59)),
    (at(3), CallOutcome.UNREACHABLE, at(1)),
    (None, CallOutcome.UNREACHABLE, at(40)),
    (at(40), CallOutcome.DOCUMENT_CREATED, at(2)),
    (None, CallOutcome.DOCUMENT_CREATED, at(X)),
    (None, CallOutcome.DOCUMENT_CREATED, at(X + 1)),
    (at(20), CallOutcome.CONTACTED, at(20)),
]


def test_sql_filter_agrees_with_the_python_rule(session):
    expected: dict[ColourStatus, set[int]] = {status: set() for status in ColourStatus}
    for contacted, outcome, called in EDGE_CASES:
        customer = make_customer(
            session,
            overdue_balance="10.00",
            balance="10.00",
            last_contacted_at=contacted,
            last_call_outcome=outcome,
            last_call_at=called,
        )
        expected[colour(contacted, outcome, called)].add(customer.id)
    assert all(expected.values())  # the cases cover every colour
    for status, ids in expected.items():
        query = QueueQuery(colour=status)
        page = queue_page(session, query=query, as_of=TODAY, within_days=X)
        assert {row.id for row in page.rows} == ids, status
        assert {row.colour for row in page.rows} == {status}
        assert queue_count(session, query=query, as_of=TODAY, within_days=X) == len(ids)
        for row in page.rows:
            assert (
                row.colour_reason
                == colour_status(
                    row.last_contacted_at, row.last_call_outcome, row.last_call_at, TODAY, X
                )[1]
            )


def test_the_queue_reads_the_setting_when_not_given(session):
    contacted = at(20)
    make_customer(
        session,
        overdue_balance="10.00",
        balance="10.00",
        last_contacted_at=contacted,
        last_call_outcome=CallOutcome.CONTACTED,
        last_call_at=contacted,
    )
    (row,) = queue_page(session, query=QueueQuery(), as_of=TODAY).rows
    assert row.colour is ColourStatus.ATTENTION  # default 14 days
    assert row.contacted_within_days == 14
    (row,) = queue_page(session, query=QueueQuery(), as_of=TODAY, within_days=30).rows
    assert row.colour is ColourStatus.CONTACTED
