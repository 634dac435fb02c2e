"""Calls: start and end, duration, one open call per agent, who may end one, the figures."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from cctui.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from cctui.domain.models import CallOutcome, Contact, Customer, Role
from cctui.domain.workflow.calls import call_history, current_call, end_call, start_call
from tests.factories import TODAY, make_customer, make_staff
from tests.figures_check import assert_figures_true
from tests.workflow_support import audit_rows


def _fresh(session, customer: Customer) -> Customer:
    session.expire_all()
    return session.get(Customer, customer.id)


def test_a_call_keeps_its_clerk_times_and_duration_and_feeds_the_customer(session):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = make_customer(session)

    call_id = start_call(session, agent, customer.id)
    running = current_call(session, agent.id)
    assert running is not None and running.id == call_id and running.ended_at is None
    assert running.duration is None and running.clerk == "agent"
    assert _fresh(session, customer).last_call_at is None  # unfinished calls do not count

    ended = end_call(
        session,
        agent,
        call_id,
        outcome=CallOutcome.CONTACTED,
        note=" Will pay Friday. ",
        next_call_on=TODAY + timedelta(days=4),
        as_of=TODAY,
    )
    assert ended.ended_at >= ended.started_at
    assert ended.duration == ended.ended_at - ended.started_at
    assert ended.note == "Will pay Friday." and ended.clerk == "agent"
    assert current_call(session, agent.id) is None

    fresh = _fresh(session, customer)
    assert fresh.last_call_at == ended.started_at
    assert fresh.last_call_outcome == CallOutcome.CONTACTED
    assert fresh.last_contacted_at == ended.started_at
    assert fresh.next_call_on == TODAY + timedelta(days=4)

    (history,) = call_history(session, customer.id)
    assert history == ended
    (started,) = audit_rows(session, "start_call")
    assert started.actor == "agent" and started.after["customer_id"] == customer.id
    (finished,) = audit_rows(session, "end_call")
    assert finished.before == {"ended_at": None}
    assert finished.after["outcome"] == "contacted" and finished.after["clerk"] == "agent"
    assert_figures_true(session)


def test_one_open_call_per_agent(session):
    agent = make_staff(session, "agent", Role.AGENT)
    colleague = make_staff(session, "colleague", Role.AGENT)
    first, second = make_customer(session), make_customer(session)

    call_id = start_call(session, agent, first.id)
    with pytest.raises(ConflictError, match=f"still on a call with {first.account}"):
        start_call(session, agent, second.id)
    with pytest.raises(ConflictError, match="still on a call"):
        start_call(session, agent, first.id)
    start_call(session, colleague, first.id)  # another agent may call at the same time
    end_call(session, agent, call_id, outcome=CallOutcome.UNREACHABLE)
    start_call(session, agent, second.id)
    with pytest.raises(NotFound, match="no customer"):
        start_call(session, make_staff(session, "third", Role.AGENT), 999_999)


def test_only_the_clerk_or_a_supervisor_ends_a_call(session):
    agent = make_staff(session, "agent", Role.AGENT)
    colleague = make_staff(session, "colleague", Role.AGENT)
    controller = make_staff(session, "controller", Role.CONTROLLER)
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    customer = make_customer(session)

    call_id = start_call(session, agent, customer.id)
    for intruder in (colleague, controller):
        with pytest.raises(PermissionDenied, match="Only agent, who started this call"):
            end_call(session, intruder, call_id, outcome=CallOutcome.CONTACTED)
    ended = end_call(session, boss, call_id, outcome=CallOutcome.DOCUMENT_CREATED)
    assert ended.clerk == "agent"  # the clerk stays whoever started it
    (row,) = audit_rows(session, "end_call")
    assert row.actor == "boss"
    with pytest.raises(ConflictError, match="already ended"):
        end_call(session, agent, call_id, outcome=CallOutcome.CONTACTED)
    with pytest.raises(NotFound, match="no call"):
        end_call(session, agent, 999_999, outcome=CallOutcome.CONTACTED)


def test_the_next_call_cannot_be_in_the_past(session):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = make_customer(session)
    call_id = start_call(session, agent, customer.id)
    with pytest.raises(ValidationError, match="before today"):
        end_call(
            session,
            agent,
            call_id,
            outcome=CallOutcome.CONTACTED,
            next_call_on=TODAY - timedelta(days=1),
            as_of=TODAY,
        )
    assert session.get(Contact, call_id).ended_at is None


def test_outcomes_move_the_colour_inputs(session):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = make_customer(session)

    contacted = end_call(
        session, agent, start_call(session, agent, customer.id), outcome=CallOutcome.CONTACTED
    )
    unreachable = end_call(
        session,
        agent,
        start_call(session, agent, customer.id),
        outcome=CallOutcome.UNREACHABLE,
        next_call_on=TODAY + timedelta(days=1),
        as_of=TODAY,
    )
    fresh = _fresh(session, customer)
    assert fresh.last_call_outcome == CallOutcome.UNREACHABLE
    assert fresh.last_call_at == unreachable.started_at
    assert fresh.last_contacted_at == contacted.started_at  # the last success stays
    assert fresh.next_call_on == TODAY + timedelta(days=1)

    document = end_call(
        session,
        agent,
        start_call(session, agent, customer.id),
        outcome=CallOutcome.DOCUMENT_CREATED,
    )
    fresh = _fresh(session, customer)
    assert fresh.last_call_outcome == CallOutcome.DOCUMENT_CREATED
    assert fresh.last_call_at == document.started_at
    assert fresh.next_call_on is None  # the latest call named no next call
    assert fresh.last_contacted_at == contacted.started_at
    assert [call.id for call in call_history(session, customer.id)] == [
        document.id,
        unreachable.id,
        contacted.id,
    ]
    assert_figures_true(session)


def test_the_last_call_is_the_latest_started_finished_call(session):
    first = make_staff(session, "first", Role.AGENT)
    second = make_staff(session, "second", Role.AGENT)
    customer = make_customer(session)

    early = start_call(session, first, customer.id)
    late = start_call(session, second, customer.id)
    later_start = end_call(session, second, late, outcome=CallOutcome.UNREACHABLE)
    # The call that started first ends last: it is not the latest call.
    end_call(session, first, early, outcome=CallOutcome.CONTACTED)
    fresh = _fresh(session, customer)
    assert fresh.last_call_at == later_start.started_at
    assert fresh.last_call_outcome == CallOutcome.UNREACHABLE
    assert fresh.last_contacted_at is not None and fresh.last_contacted_at < fresh.last_call_at
    assert_figures_true(session)


def test_calls_with_the_same_start_order_by_id(session):
    agent = make_staff(session, "agent", Role.AGENT)
    other = make_staff(session, "other", Role.AGENT)
    customer = make_customer(session)
    one = start_call(session, agent, customer.id)
    two = start_call(session, other, customer.id)
    session.execute(
        text("UPDATE contact SET started_at = '2026-11-23 10:00+00' WHERE id IN (:a, :b)"),
        {"a": one, "b": two},
    )
    session.expire_all()
    end_call(session, other, two, outcome=CallOutcome.CONTACTED)
    end_call(session, agent, one, outcome=CallOutcome.UNREACHABLE)
    assert _fresh(session, customer).last_call_outcome == CallOutcome.CONTACTED
    assert [call.id for call in call_history(session, customer.id)] == [two, one]
    assert_figures_true(session)


def test_one_agent_starting_calls_from_two_terminals_at_once_gets_one(db):
    with db.session() as setup:
        agent = make_staff(setup, "agent", Role.AGENT)
        customers = [make_customer(setup).id for _ in range(4)]
    barrier = threading.Barrier(len(customers))
    outcomes: list[BaseException | int] = []

    def start(customer_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            with db.session() as session:
                outcomes.append(start_call(session, agent, customer_id))
        except BaseException as error:  # counted below
            outcomes.append(error)

    threads = [threading.Thread(target=start, args=(c,)) for c in customers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    started = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, ConflictError)]
    assert len(started) == 1 and len(refused) == len(customers) - 1
    with db.session() as check:
        assert check.scalar(select(func.count()).select_from(Contact)) == 1
