"""The next debtor: queue order within the agent's pools, one lease per debtor, expiry."""

from __future__ import annotations

import itertools
import random
import threading
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from cctui.domain.errors import ConflictError, PermissionDenied
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import AuditLog, DebtorLease, Pool, Role, staff_pool
from cctui.domain.pools import (
    current_lease,
    lease_holder,
    next_debtor,
    release_lease,
    renew_lease,
)
from cctui.domain.recalc import recalculate_figures
from tests.factories import TODAY, make_customer, make_invoice, make_staff


def debtor(session, overdue: str, **values):
    return make_customer(
        session, overdue_balance=Decimal(overdue), balance=Decimal(overdue), **values
    )


def pool_with(session, *agents: StaffIdentity, name: str = "Team", criteria=None) -> Pool:
    pool = Pool(name=name, criteria=criteria)
    session.add(pool)
    session.flush()
    for agent in agents:
        session.execute(insert(staff_pool).values(staff_id=agent.id, pool_id=pool.id))
    return pool


def test_agents_get_debtors_in_queue_order_and_never_the_same(session):
    ann = make_staff(session, "ann", Role.AGENT)
    bob = make_staff(session, "bob", Role.AGENT)
    pool = pool_with(session, ann, bob)
    small, big, middle = (
        debtor(session, amount, pool_id=pool.id) for amount in ("10.00", "900.00", "500.00")
    )
    debtor(session, "5000.00")  # in no pool of theirs

    first = next_debtor(session, ann, as_of=TODAY)
    assert first is not None and first.customer_id == big.id
    assert first.row.overdue_balance == Decimal("900.00")
    assert first.expires_at - first.leased_at == timedelta(minutes=15)
    assert first.took_over_from is None
    second = next_debtor(session, bob, as_of=TODAY)
    assert second is not None and second.customer_id == middle.id
    holder = lease_holder(session, big.id)
    assert holder is not None and holder.login == "ann"

    # Asking again releases the previous debtor and moves on.
    third = next_debtor(session, ann, as_of=TODAY)
    assert third is not None and third.customer_id == small.id
    assert lease_holder(session, big.id) is None
    fourth = next_debtor(session, ann, as_of=TODAY)
    assert fourth is not None and fourth.customer_id == big.id  # free again, first in order
    assert next_debtor(session, bob, as_of=TODAY).customer_id == small.id
    assert session.scalar(select(func.count()).select_from(DebtorLease)) == 2

    current = current_lease(session, ann)
    assert current is not None and current.customer_id == big.id


def test_debtors_planned_for_later_or_called_today_are_not_offered(session):
    ann = make_staff(session, "ann", Role.AGENT)
    pool = pool_with(session, ann)
    debtor(session, "900.00", pool_id=pool.id, next_call_on=TODAY + timedelta(days=1))
    debtor(session, "800.00", pool_id=pool.id, follow_up_on=TODAY + timedelta(days=1))
    debtor(
        session,
        "700.00",
        pool_id=pool.id,
        last_call_at=datetime.combine(TODAY, time(9, 0)).astimezone(),
    )
    called_yesterday = debtor(
        session,
        "600.00",
        pool_id=pool.id,
        next_call_on=TODAY,
        last_call_at=datetime.combine(TODAY - timedelta(days=1), time(17, 0)).astimezone(),
    )
    debtor(session, "0.00", pool_id=pool.id)  # nothing overdue
    leased = next_debtor(session, ann, as_of=TODAY)
    assert leased is not None and leased.customer_id == called_yesterday.id
    assert next_debtor(session, ann, as_of=TODAY) is None  # and the previous one is let go
    assert current_lease(session, ann) is None


def test_pools_by_criteria_and_by_assignment(session):
    ann = make_staff(session, "ann", Role.AGENT)
    dach = pool_with(session, ann, name="DACH", criteria={"countries": ["DE", "AT"]})
    nordics = pool_with(session, name="Nordics", criteria={"countries": ["SE"]})
    german = debtor(session, "100.00", country="DE")
    assigned = debtor(session, "50.00", country="FR", pool_id=dach.id)
    debtor(session, "900.00", country="SE")
    got = [next_debtor(session, ann, as_of=TODAY).customer_id for _ in range(2)]
    assert got == [german.id, assigned.id]
    with pytest.raises(PermissionDenied, match="does not work pool"):
        next_debtor(session, ann, pool_id=nordics.id, as_of=TODAY)
    controller = make_staff(session, "cleo", Role.CONTROLLER)
    leased = next_debtor(session, controller, pool_id=nordics.id, as_of=TODAY)
    assert leased is not None and leased.row.country == "SE"
    loner = make_staff(session, "lone", Role.AGENT)
    with pytest.raises(ConflictError, match="works no pool"):
        next_debtor(session, loner, as_of=TODAY)


def test_an_expired_lease_is_taken_over_and_cannot_be_renewed(session):
    ann = make_staff(session, "ann", Role.AGENT)
    bob = make_staff(session, "bob", Role.AGENT)
    pool = pool_with(session, ann, bob)
    only = debtor(session, "100.00", pool_id=pool.id)
    assert next_debtor(session, ann, as_of=TODAY).customer_id == only.id
    assert next_debtor(session, bob, as_of=TODAY) is None  # ann's lease is live

    renewed = renew_lease(session, ann, customer_id=only.id)
    assert renewed.expires_at > renewed.leased_at

    session.execute(
        text(
            "UPDATE debtor_lease SET leased_at = now() - interval '30 minutes', "
            "expires_at = now() - interval '1 second'"
        )
    )
    assert lease_holder(session, only.id) is None
    taken = next_debtor(session, bob, as_of=TODAY)
    assert taken is not None and taken.customer_id == only.id
    assert taken.took_over_from == ann.id
    with pytest.raises(ConflictError, match="no longer holds"):
        renew_lease(session, ann, customer_id=only.id)
    assert lease_holder(session, only.id).login == "bob"
    audit = session.scalars(
        select(AuditLog).where(AuditLog.action == "lease_debtor").order_by(AuditLog.id)
    ).all()
    assert [row.actor for row in audit] == ["ann", "bob"]
    assert audit[-1].before == {"staff_id": ann.id, "expired": True}


def test_releasing_someone_elses_lease_needs_a_supervisor(session):
    ann = make_staff(session, "ann", Role.AGENT)
    bob = make_staff(session, "bob", Role.AGENT)
    sue = make_staff(session, "sue", Role.SUPERVISOR)
    pool = pool_with(session, ann, bob)
    customer = debtor(session, "100.00", pool_id=pool.id)
    next_debtor(session, ann, as_of=TODAY)
    with pytest.raises(PermissionDenied, match="supervisor"):
        release_lease(session, bob, customer_id=customer.id)
    released = release_lease(session, sue, customer_id=customer.id)
    assert released is not None and released.staff_id == ann.id
    assert release_lease(session, ann) is None
    next_debtor(session, ann, as_of=TODAY)
    assert release_lease(session, ann).customer_id == customer.id


def test_leases_leave_the_maintained_figures_exact(session):
    admin = make_staff(session, "ada", Role.ADMIN)
    ann = make_staff(session, "ann", Role.AGENT)
    pool = pool_with(session, ann)
    for amount in ("100.00", "250.00"):
        make_invoice(session, make_customer(session, pool_id=pool.id), amount, days_past_due=10)
    leased = next_debtor(session, ann, as_of=TODAY)
    assert leased is not None and leased.row.overdue_balance == Decimal("250.00")
    renew_lease(session, ann, customer_id=leased.customer_id)
    next_debtor(session, ann, as_of=TODAY)
    release_lease(session, ann)
    report = recalculate_figures(session, admin, all_customers=True, as_of=TODAY)
    assert report.corrected == ()


def test_the_primary_key_refuses_a_second_lease_on_a_debtor(session):
    ann = make_staff(session, "ann", Role.AGENT)
    bob = make_staff(session, "bob", Role.AGENT)
    pool = pool_with(session, ann, bob)
    customer = debtor(session, "100.00", pool_id=pool.id)
    next_debtor(session, ann, as_of=TODAY)
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(
            text(
                "INSERT INTO debtor_lease (customer_id, staff_id, expires_at) "
                "VALUES (:c, :s, now() + interval '1 hour')"
            ),
            {"c": customer.id, "s": bob.id},
        )
    session.rollback()


AGENTS = 20
ASKS = 1000
DEBTORS = 45


@pytest.mark.slow
def test_twenty_agents_asking_a_thousand_times_never_share_a_live_lease(db):
    with db.session() as session:
        agents = [make_staff(session, f"agent{n:02d}", Role.AGENT) for n in range(AGENTS)]
        pool = pool_with(session, *agents)
        for n in range(DEBTORS):
            debtor(session, f"{100 + n}.00", pool_id=pool.id)
    engine = create_engine(db.url, pool_size=AGENTS, max_overflow=0)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    # (customer, staff, leased_at, ended_at): ended is an upper bound taken from the database
    # clock after the lease was let go (or its expiry if it never was).
    intervals: list[tuple[int, int, datetime, datetime]] = []
    errors: list[BaseException] = []
    results: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    start = threading.Barrier(AGENTS)

    def clock(session: Session) -> datetime:
        return session.execute(text("SELECT clock_timestamp()")).scalar_one()

    def work(agent: StaffIdentity, asks: int, seed: int) -> None:
        rng = random.Random(seed)
        held = None
        try:
            start.wait()
            for _ in range(asks):
                with sessions() as session:
                    leased = next_debtor(session, agent, as_of=TODAY)
                    session.commit()
                    now = clock(session)
                    session.commit()
                mine = []
                if held is not None:
                    mine.append((held[0], agent.id, held[1], leased.leased_at if leased else now))
                held = None if leased is None else (leased.customer_id, leased.leased_at)
                if held is not None and rng.random() < 0.3:
                    with sessions() as session:
                        released = release_lease(session, agent)
                        session.commit()
                    assert released is not None and released.customer_id == held[0]
                    mine.append((held[0], agent.id, held[1], released.released_at))
                    held = None
                with lock:
                    intervals.extend(mine)
                    results["leased" if leased else "none"] += 1
            if held is not None:
                with sessions() as session:
                    lease = current_lease(session, agent)
                assert lease is not None and lease.customer_id == held[0]
                with lock:
                    intervals.append((held[0], agent.id, held[1], lease.expires_at))
        except BaseException as error:
            with lock:
                errors.append(error)

    per_agent = ASKS // AGENTS
    threads = [
        threading.Thread(target=work, args=(agent, per_agent, n)) for n, agent in enumerate(agents)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    engine.dispose()
    assert errors == []
    assert results["leased"] + results["none"] == ASKS
    assert results["leased"] > ASKS // 2

    by_customer: dict[int, list[tuple[datetime, datetime, int]]] = defaultdict(list)
    for customer_id, staff_id, leased_at, ended_at in intervals:
        assert ended_at >= leased_at
        by_customer[customer_id].append((leased_at, ended_at, staff_id))
    for customer_id, leases in by_customer.items():
        leases.sort()
        for (_start, end, staff), (next_start, _end, next_staff) in itertools.pairwise(leases):
            assert next_start >= end, (customer_id, staff, next_staff)
    with db.session() as session:
        per_staff = session.execute(
            text("SELECT staff_id, count(*) FROM debtor_lease GROUP BY staff_id")
        ).all()
        assert all(count == 1 for _staff, count in per_staff)
        assert len(per_staff) <= AGENTS
