"""Checking a new transaction against the customer's credit action and limit (seeds 003, 001)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from cctui.domain.credit.transactions import (
    WRONG_SUPERVISOR,
    CheckOutcome,
    action_for_new_document,
    check_new_document,
)
from cctui.domain.errors import NotFound, PermissionDenied, ValidationError
from cctui.domain.models import (
    AuditLog,
    CreditAction,
    CreditEvent,
    CreditGroup,
    DocumentKind,
    HeldDocument,
    HeldStatus,
    Role,
    Staff,
)
from tests.factories import TODAY, make_customer, make_invoice, make_policy, make_staff

SINCE = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def manual_customer(session, action, *, event=CreditEvent.MANUAL, **overrides):
    return make_customer(
        session,
        credit_action=action,
        credit_action_event=event,
        credit_action_since=SINCE,
        **overrides,
    )


def check(session, actor, customer, amount="100.00", **kwargs):
    kwargs.setdefault("kind", DocumentKind.ORDER)
    kwargs.setdefault("reference", "SO-1")
    return check_new_document(
        session, actor, customer_id=customer.id, amount=amount, as_of=TODAY, **kwargs
    )


def audit_actions(session):
    return session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()


def held_count(session):
    return session.scalar(select(func.count()).select_from(HeldDocument))


def test_ok_customer_passes_and_nothing_is_saved(session):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = make_customer(session, policy=make_policy(session), credit_limit="1000")
    make_invoice(session, customer, "500.00")

    result = check(session, agent, customer, "400.00")

    assert result.outcome == CheckOutcome.PASSED
    assert result.credit_action == CreditAction.OK
    assert result.reasons == ()
    assert result.warning is None
    assert result.held_document_id is None
    assert result.approved_by is None
    assert held_count(session) == 0
    assert audit_actions(session) == []


def test_order_over_the_limit_raises_remind_and_warns_with_the_figures(session):
    agent = make_staff(session, "agent", Role.AGENT)
    policy = make_policy(session, limit_exceeded_percent=Decimal("50"))
    customer = make_customer(session, policy=policy, credit_limit="10000", name="ACME Ltd")
    make_invoice(session, customer, "12000.00")

    result = check(session, agent, customer, "345.00")

    assert result.outcome == CheckOutcome.PASSED_WITH_WARNING
    assert result.credit_action == CreditAction.REMIND
    assert result.warning == (
        "ACME Ltd is over its credit limit: 12,345.00 owed after this order "
        "against a limit of 10,000.00."
    )
    assert result.warning in result.reasons
    assert any("raised the credit action from OK to Remind" in r for r in result.reasons)
    session.refresh(customer)
    assert customer.credit_action == CreditAction.REMIND
    assert customer.credit_action_event == CreditEvent.LIMIT_EXCEEDED
    assert audit_actions(session) == ["credit_action_event"]
    assert held_count(session) == 0


def test_remind_set_by_aging_names_the_event_and_since_when(session):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = make_customer(
        session,
        policy=make_policy(session),
        credit_limit="10000",
        name="Slow Payer",
        credit_action=CreditAction.REMIND,
        credit_action_event=CreditEvent.AGED_ONCE,
        credit_action_since=SINCE,
    )

    result = check(session, agent, customer, "10.00", kind=DocumentKind.INVOICE)

    assert result.outcome == CheckOutcome.PASSED_WITH_WARNING
    assert result.warning == "Slow Payer is on Remind since 2026-11-01 (debt aged once)."


def test_password_with_the_right_supervisor_password_passes_and_is_audited(session):
    agent = make_staff(session, "agent", Role.AGENT)
    make_staff(session, "boss", Role.SUPERVISOR, secret="pw")
    customer = manual_customer(session, CreditAction.PASSWORD)

    result = check(
        session, agent, customer, "250.00", supervisor_login=" Boss ", supervisor_password="pw"
    )

    assert result.outcome == CheckOutcome.PASSED
    assert result.credit_action == CreditAction.PASSWORD
    assert result.approved_by == "boss"
    assert result.held_document_id is None
    assert held_count(session) == 0
    row = session.scalar(select(AuditLog).where(AuditLog.action == "credit_password_override"))
    assert row is not None
    assert row.actor == "agent"
    assert row.entity == "customer"
    assert row.entity_id == str(customer.id)
    assert row.after["approved_by"] == "boss"
    assert row.after["reference"] == "SO-1"
    assert row.after["amount"] == "250.00"
    assert "pw" not in str(row.after.values())


def test_an_admin_password_counts_as_a_supervisor_password(session):
    agent = make_staff(session, "agent", Role.AGENT)
    make_staff(session, "root", Role.ADMIN, secret="s3cret")
    customer = manual_customer(session, CreditAction.PASSWORD)

    result = check(session, agent, customer, supervisor_login="root", supervisor_password="s3cret")

    assert result.outcome == CheckOutcome.PASSED
    assert result.approved_by == "root"


@pytest.mark.parametrize(
    ("login", "password"),
    [
        ("boss", "wrong"),
        ("nobody", "pw"),
        ("boss", ""),
        ("", "pw"),
        ("boss", None),
        ("retired", "pw"),
        ("nosecret", "pw"),
    ],
)
def test_wrong_supervisor_credentials_are_refused_and_nothing_is_saved(session, login, password):
    agent = make_staff(session, "agent", Role.AGENT)
    make_staff(session, "boss", Role.SUPERVISOR, secret="pw")
    make_staff(session, "retired", Role.SUPERVISOR, secret="pw")
    make_staff(session, "nosecret", Role.SUPERVISOR)
    session.get(
        Staff, session.scalar(select(Staff.id).where(Staff.login == "retired"))
    ).active = False
    customer = manual_customer(session, CreditAction.PASSWORD)
    session.flush()

    with pytest.raises(PermissionDenied) as refused:
        check(session, agent, customer, supervisor_login=login, supervisor_password=password)

    assert str(refused.value) == WRONG_SUPERVISOR
    assert held_count(session) == 0
    assert audit_actions(session) == []
    session.refresh(customer)
    assert customer.held_document_count == 0


def test_wrong_password_leaves_a_limit_event_unapplied(session):
    agent = make_staff(session, "agent", Role.AGENT)
    make_staff(session, "boss", Role.SUPERVISOR, secret="pw")
    policy = make_policy(session, action_limit_exceeded=CreditAction.PASSWORD)
    customer = make_customer(session, policy=policy, credit_limit="1000")
    make_invoice(session, customer, "900.00")

    with pytest.raises(PermissionDenied):
        check(session, agent, customer, "200.00", supervisor_login="boss", supervisor_password="x")

    session.refresh(customer)
    assert customer.credit_action == CreditAction.OK
    assert audit_actions(session) == []
    assert held_count(session) == 0


def test_a_controllers_own_password_does_not_count(session):
    controller = make_staff(session, "ctl", Role.CONTROLLER, secret="pw")
    customer = manual_customer(session, CreditAction.PASSWORD)

    with pytest.raises(PermissionDenied, match="supervisor login or password is wrong"):
        check(session, controller, customer, supervisor_login="ctl", supervisor_password="pw")
    assert held_count(session) == 0


def test_password_without_a_supervisor_password_is_held(session):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = manual_customer(session, CreditAction.PASSWORD, currency="GBP", name="Pat Ltd")

    result = check(session, agent, customer, "75.50", reference="  SO-77  ")

    assert result.outcome == CheckOutcome.HELD
    assert result.credit_action == CreditAction.PASSWORD
    held = session.get(HeldDocument, result.held_document_id)
    assert held.customer_id == customer.id
    assert held.document_kind == DocumentKind.ORDER
    assert held.reference == "SO-77"
    assert held.amount == Decimal("75.50")
    assert held.currency == "GBP"
    assert held.credit_action == CreditAction.PASSWORD
    assert held.needs_supervisor is True
    assert held.status == HeldStatus.HELD
    assert held.created_by_id == agent.id
    assert held.decided_at is None
    assert tuple(held.reasons) == result.reasons
    assert held.reasons[0] == "Pat Ltd is on Password since 2026-11-01 (manual settings)."
    assert "supervisor's password is needed" in held.reasons[-1]
    session.refresh(customer)
    assert customer.held_document_count == 1
    row = session.scalar(select(AuditLog).where(AuditLog.action == "hold_document"))
    assert row.entity == "held_document"
    assert row.entity_id == str(held.id)
    assert row.after["reference"] == "SO-77"
    assert row.after["credit_action"] == "password"


def test_password_credentials_are_ignored_for_a_hold_customer(session):
    agent = make_staff(session, "agent", Role.AGENT)
    make_staff(session, "boss", Role.SUPERVISOR, secret="pw")
    customer = manual_customer(session, CreditAction.HOLD)

    result = check(session, agent, customer, supervisor_login="boss", supervisor_password="pw")

    assert result.outcome == CheckOutcome.HELD
    assert result.approved_by is None


def test_hold_is_held_with_the_event_the_limit_and_since_when(session):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = make_customer(
        session,
        policy=make_policy(session),
        credit_limit="1000",
        name="Old Debt Co",
        credit_action=CreditAction.HOLD,
        credit_action_event=CreditEvent.AGED_THRICE,
        credit_action_since=SINCE,
    )
    make_invoice(session, customer, "1500.00", days_past_due=120)

    result = check(session, agent, customer, "10.00", kind=DocumentKind.INVOICE, reference="I-9")

    assert result.outcome == CheckOutcome.HELD
    held = session.get(HeldDocument, result.held_document_id)
    assert held.credit_action == CreditAction.HOLD
    assert held.document_kind == DocumentKind.INVOICE
    assert held.reasons[0] == "Old Debt Co is on Hold since 2026-11-01 (debt aged thrice)."
    assert (
        "Old Debt Co is over its credit limit: 1,510.00 owed after this invoice against a "
        "limit of 1,000.00." in held.reasons
    )
    assert held.reasons[-1] == "Hold lets no invoice pass until a supervisor releases it."
    # Already on Hold: the limit events cannot raise it further, so no action change.
    assert audit_actions(session) == ["hold_document"]


def test_a_limit_event_at_the_transaction_puts_a_policy_customer_on_password(session):
    agent = make_staff(session, "agent", Role.AGENT)
    policy = make_policy(session, action_limit_exceeded=CreditAction.PASSWORD)
    customer = make_customer(session, policy=policy, credit_limit="1000", name="Edge Ltd")
    make_invoice(session, customer, "900.00")

    assert (
        action_for_new_document(
            session, agent, customer_id=customer.id, amount="200.00", as_of=TODAY
        )
        == CreditAction.PASSWORD
    )
    session.refresh(customer)
    assert customer.credit_action == CreditAction.OK  # the preview changes nothing

    result = check(session, agent, customer, "200.00")

    assert result.outcome == CheckOutcome.HELD
    assert result.credit_action == CreditAction.PASSWORD
    session.refresh(customer)
    assert customer.credit_action == CreditAction.PASSWORD
    assert customer.credit_action_event == CreditEvent.LIMIT_EXCEEDED
    assert customer.held_document_count == 1
    held = session.get(HeldDocument, result.held_document_id)
    assert held.reasons[0].startswith("Edge Ltd is on Password since ")
    assert held.reasons[0].endswith("(credit limit exceeded).")
    assert (
        "This order raised the credit action from OK to Password (credit limit exceeded)."
        in held.reasons
    )
    assert (
        "Edge Ltd is over its credit limit: 1,100.00 owed after this order against a limit "
        "of 1,000.00." in held.reasons
    )
    assert audit_actions(session) == ["credit_action_event", "hold_document"]


def test_exactly_at_the_limit_is_not_exceeded(session):
    agent = make_staff(session, "agent", Role.AGENT)
    policy = make_policy(session, action_limit_exceeded=CreditAction.PASSWORD)
    customer = make_customer(session, policy=policy, credit_limit="1000")
    make_invoice(session, customer, "900.00")

    assert check(session, agent, customer, "100.00").outcome == CheckOutcome.PASSED
    assert check(session, agent, customer, "100.01").outcome == CheckOutcome.HELD


def test_exceeded_by_more_than_the_percent_sets_the_stronger_action(session):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = make_customer(session, policy=make_policy(session), credit_limit="1000")
    make_invoice(session, customer, "1000.00")

    result = check(session, agent, customer, "100.01")  # 1,100.01 > 1,000 + 10 %

    assert result.outcome == CheckOutcome.HELD
    assert result.credit_action == CreditAction.PASSWORD
    session.refresh(customer)
    assert customer.credit_action_event == CreditEvent.LIMIT_EXCEEDED_PERCENT


def test_a_manual_ok_customer_over_its_limit_passes_untouched(session):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = manual_customer(session, CreditAction.OK, credit_limit="100")
    make_invoice(session, customer, "5000.00")

    result = check(session, agent, customer, "900.00")

    assert result.outcome == CheckOutcome.PASSED
    session.refresh(customer)
    assert customer.credit_action == CreditAction.OK
    assert customer.credit_action_event == CreditEvent.MANUAL
    assert audit_actions(session) == []


def test_credit_group_members_share_one_limit(session):
    agent = make_staff(session, "agent", Role.AGENT)
    policy = make_policy(session)
    group = CreditGroup(name="Big Group", credit_limit=Decimal("5000.00"), currency="EUR")
    session.add(group)
    session.flush()
    first = make_customer(session, policy=policy, credit_limit="100000", credit_group_id=group.id)
    second = make_customer(
        session, policy=policy, credit_limit="100000", credit_group_id=group.id, name="Member B"
    )
    make_invoice(session, first, "3000.00")
    make_invoice(session, second, "1500.00")

    assert check(session, agent, second, "500.00").outcome == CheckOutcome.PASSED
    result = check(session, agent, second, "500.01", reference="SO-2")

    assert result.outcome == CheckOutcome.PASSED_WITH_WARNING
    assert result.warning == (
        "Member B's credit group Big Group is over its shared credit limit: 5,000.01 owed by "
        "the group after this order against a limit of 5,000.00."
    )
    session.refresh(first)
    assert first.credit_action == CreditAction.OK  # only the customer being checked is raised


def test_a_valid_temporary_limit_is_the_one_checked(session):
    agent = make_staff(session, "agent", Role.AGENT)
    policy = make_policy(session, action_limit_exceeded=CreditAction.HOLD)
    customer = make_customer(
        session,
        policy=policy,
        credit_limit="1000",
        temp_credit_limit=Decimal("2000.00"),
        temp_limit_expires_on=TODAY + timedelta(days=10),
    )
    make_invoice(session, customer, "1500.00")

    assert check(session, agent, customer, "500.00").outcome == CheckOutcome.PASSED
    result = check(session, agent, customer, "600.00", reference="SO-2")
    assert result.outcome == CheckOutcome.HELD
    assert any(
        "2,100.00 owed after this order against a limit of 2,000.00 (a temporary limit until "
        f"{(TODAY + timedelta(days=10)).isoformat()})" in reason
        for reason in result.reasons
    )


def test_every_held_check_counts_on_the_customer(session):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = manual_customer(session, CreditAction.HOLD)

    for n in range(3):
        check(session, agent, customer, reference=f"SO-{n}")

    session.refresh(customer)
    assert customer.held_document_count == 3


@pytest.mark.parametrize(
    ("amount", "reference", "error"),
    [
        ("0", "SO-1", "more than zero"),
        ("-5", "SO-1", "more than zero"),
        ("12.345", "SO-1", "two decimal places"),
        (1.5, "SO-1", "float"),
        ("10", "   ", "1 to 64 characters"),
        ("10", "X" * 65, "1 to 64 characters"),
    ],
)
def test_bad_amounts_and_references_are_refused(session, amount, reference, error):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = manual_customer(session, CreditAction.HOLD)

    with pytest.raises(ValidationError, match=error):
        check(session, agent, customer, amount, reference=reference)
    assert held_count(session) == 0


def test_bad_kind_and_unknown_customer_are_refused(session):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = manual_customer(session, CreditAction.OK)

    with pytest.raises(ValidationError, match="order or an invoice"):
        check(session, agent, customer, kind="quote")
    with pytest.raises(NotFound):
        check_new_document(
            session,
            agent,
            customer_id=customer.id + 1000,
            kind=DocumentKind.ORDER,
            reference="SO-1",
            amount="1",
        )
