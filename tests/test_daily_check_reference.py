"""The set-based daily check agrees with a plain per-customer Python reference."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cctui.domain.credit.rules import PolicyRules, aging_events, limit_events, strongest_action
from cctui.domain.daily_check import run_daily_check
from cctui.domain.models import CreditAction, CreditEvent, CreditGroup, Customer, Role
from tests.factories import TODAY, make_customer, make_invoice, make_policy, make_staff

actions = st.sampled_from(list(CreditAction))
# Amounts, limits and ages cluster on the rules' edges so that off-by-one errors show.
money = st.sampled_from([1, 10, 100, 500, 1000, 1100]).map(Decimal)
days_past_due = st.sampled_from([-5, 0, 1, 10, 11, 15, 16, 20, 21, 30, 31, 60, 61, 90, 91, 120])

policies = st.fixed_dictionaries(
    {
        "limit_exceeded_percent": st.sampled_from([Decimal(5), Decimal(10), Decimal(25)]),
        "aged": st.tuples(st.integers(1, 40), st.integers(1, 40), st.integers(1, 40)).map(
            lambda t: (t[0], t[0] + t[1], t[0] + t[1] + t[2])
        ),
        "actions": st.tuples(actions, actions, actions, actions, actions),
    }
)
invoices = st.lists(st.tuples(money, days_past_due, st.booleans()), min_size=0, max_size=5)
customers = st.lists(
    st.fixed_dictionaries(
        {
            "policy": st.one_of(st.none(), st.integers(0, 1)),
            "action": actions,
            "limit": st.sampled_from([0, 100, 1000, 1100, 1500]).map(Decimal),
            "temp": st.one_of(st.none(), st.tuples(money, st.integers(-2, 3))),
            "group": st.one_of(st.none(), st.integers(0, 1)),
            "invoices": invoices,
        }
    ),
    min_size=1,
    max_size=10,
)


def _expected(spec, rules_by_index, group_limits, group_exposure, balance, oldest_days):
    if spec["policy"] is None:
        return spec["action"]
    rules = rules_by_index[spec["policy"]]
    if spec["group"] is not None:
        limit = group_limits[spec["group"]]
        exposure = group_exposure[spec["group"]]
    else:
        temp = spec["temp"]
        limit = temp[0] if temp is not None and temp[1] > 0 else spec["limit"]
        exposure = balance
    events = limit_events(exposure, limit, rules) + aging_events(oldest_days, rules)
    return strongest_action(events, rules)[0]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(policy_specs=st.lists(policies, min_size=2, max_size=2), customer_specs=customers)
def test_daily_check_matches_the_python_reference(db, policy_specs, customer_specs):
    with db.sessionmaker() as session:
        admin = make_staff(session, "admin", Role.ADMIN)
        stored = []
        for n, spec in enumerate(policy_specs):
            once, twice, thrice = spec["aged"]
            a = spec["actions"]
            stored.append(
                make_policy(
                    session,
                    code=f"P{n}",
                    limit_exceeded_percent=spec["limit_exceeded_percent"],
                    aged_once_days=once,
                    aged_twice_days=twice,
                    aged_thrice_days=thrice,
                    action_limit_exceeded=a[0],
                    action_limit_exceeded_percent=a[1],
                    action_aged_once=a[2],
                    action_aged_twice=a[3],
                    action_aged_thrice=a[4],
                )
            )
        rules_by_index = [PolicyRules.of(policy) for policy in stored]
        groups = []
        for n, limit in enumerate((Decimal(1500), Decimal(4000))):
            group = CreditGroup(name=f"G{n}", credit_limit=limit, currency="EUR")
            session.add(group)
            groups.append(group)
        session.flush()

        rows = []
        for spec in customer_specs:
            temp = spec["temp"]
            customer = make_customer(
                session,
                policy=stored[spec["policy"]] if spec["policy"] is not None else None,
                credit_limit=spec["limit"],
                credit_action=spec["action"],
                credit_action_event=CreditEvent.MANUAL
                if spec["policy"] is None
                else CreditEvent.NONE,
                temp_credit_limit=temp[0] if temp else None,
                temp_limit_expires_on=TODAY + timedelta(days=temp[1]) if temp else None,
                credit_group_id=groups[spec["group"]].id if spec["group"] is not None else None,
            )
            balance = Decimal(0)
            oldest = None
            for amount, days, paid in spec["invoices"]:
                make_invoice(
                    session,
                    customer,
                    amount,
                    days_past_due=days,
                    open_amount=Decimal(0) if paid else amount,
                )
                if not paid:
                    balance += amount
                    if days > 0:
                        oldest = days if oldest is None else max(oldest, days)
            rows.append((spec, customer.id, balance, oldest))

        group_exposure = [Decimal(0), Decimal(0)]
        for spec, _id, balance, _oldest in rows:
            if spec["group"] is not None:
                group_exposure[spec["group"]] += balance
        group_limits = [group.credit_limit for group in groups]

        run_daily_check(session, admin, run_on=TODAY)
        for spec, customer_id, balance, oldest in rows:
            stored_customer = session.get(Customer, customer_id)
            expected = _expected(
                spec, rules_by_index, group_limits, group_exposure, balance, oldest
            )
            assert stored_customer.credit_action == expected, (spec, balance, oldest)
            assert stored_customer.balance == balance
        session.rollback()
