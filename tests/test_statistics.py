"""Customer statistics (seed 002): each figure on concrete data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from cctui.domain.book_settings import AGING_BANDS, write_setting
from cctui.domain.errors import NotFound
from cctui.domain.figures import refresh_held_count
from cctui.domain.ledger import post_credit_note, post_invoice, record_payment, write_off_invoice
from cctui.domain.models import (
    CreditAction,
    CreditEvent,
    CreditGroup,
    Customer,
    DocumentKind,
    HeldDocument,
    OpenDone,
    Role,
    Todo,
)
from cctui.domain.statistics import AccountStatus, customer_statistics
from tests.factories import TODAY, make_customer, make_invoice, make_staff

DEFAULT_LABELS = ["current", "1-30", "31-60", "61-90", "90+"]


def test_aging_bands_split_open_amounts_at_their_edges(session):
    customer = make_customer(session, credit_limit="100000")
    for days_past_due, amount in [
        (-10, "1.00"),  # not yet due
        (0, "2.00"),  # due today: still current
        (1, "4.00"),
        (30, "8.00"),
        (31, "16.00"),
        (60, "32.00"),
        (61, "64.00"),
        (90, "128.00"),
        (91, "256.00"),
        (400, "512.00"),
    ]:
        make_invoice(session, customer, amount, days_past_due=days_past_due)
    make_invoice(session, customer, "1000.00", days_past_due=45, open_amount="0")  # paid
    other = make_customer(session)
    make_invoice(session, other, "999.00", days_past_due=45)

    stats = customer_statistics(session, customer.id, as_of=TODAY)

    assert stats.aging == (
        ("current", Decimal("3.00")),
        ("1-30", Decimal("12.00")),
        ("31-60", Decimal("48.00")),
        ("61-90", Decimal("192.00")),
        ("90+", Decimal("768.00")),
    )
    assert stats.balance == Decimal("1023.00")
    assert stats.overdue_balance == Decimal("1020.00")
    assert stats.past_due_amount == stats.overdue_balance
    assert sum(amount for _, amount in stats.aging) == stats.balance


def test_aging_follows_the_day_asked_and_shows_empty_bands_as_zero(session):
    customer = make_customer(session)
    make_invoice(session, customer, "50.00", days_past_due=0)

    today = customer_statistics(session, customer.id, as_of=TODAY)
    assert [label for label, _ in today.aging] == DEFAULT_LABELS
    assert today.aging[0] == ("current", Decimal("50.00"))
    assert all(amount == 0 for _, amount in today.aging[1:])
    assert str(today.aging[1][1]) == "0.00"

    month_later = customer_statistics(session, customer.id, as_of=TODAY + timedelta(days=31))
    assert dict(month_later.aging)["31-60"] == Decimal("50.00")
    assert dict(month_later.aging)["current"] == 0


def test_aging_uses_the_book_s_band_setting(session):
    admin = make_staff(session, "admin", Role.ADMIN)
    write_setting(session, admin, AGING_BANDS, [0, 15])
    customer = make_customer(session)
    make_invoice(session, customer, "10.00", days_past_due=15)
    make_invoice(session, customer, "20.00", days_past_due=16)

    stats = customer_statistics(session, customer.id, as_of=TODAY)

    assert stats.aging == (
        ("current", Decimal("0.00")),
        ("1-15", Decimal("10.00")),
        ("15+", Decimal("20.00")),
    )


def test_average_days_to_pay_and_overdue_days_from_the_seed_example(session):
    clerk = make_staff(session, "clerk")
    customer = make_customer(session, credit_limit="100000", payment_terms_days=30)
    issued = date(2023, 6, 1)
    # Paid 26 days after issue, before its due date (1 July): 0 days overdue.
    first = post_invoice(
        session, clerk, customer_id=customer.id, number="S-1", amount="100", issued_on=issued
    )
    record_payment(
        session,
        clerk,
        customer_id=customer.id,
        amount="100",
        received_on=date(2023, 6, 27),
        invoice_ids=[first.id],
    )
    # Paid 30 days after issue, 15 days after its due date (16 June).
    second = post_invoice(
        session,
        clerk,
        customer_id=customer.id,
        number="S-2",
        amount="200",
        issued_on=issued,
        due_on=date(2023, 6, 16),
    )
    record_payment(
        session,
        clerk,
        customer_id=customer.id,
        amount="200",
        received_on=date(2023, 7, 1),
        invoice_ids=[second.id],
    )
    # Neither an open invoice, a written-off one nor a credit note counts.
    post_invoice(
        session, clerk, customer_id=customer.id, number="S-3", amount="300", issued_on=issued
    )
    written_off = post_invoice(
        session, clerk, customer_id=customer.id, number="S-4", amount="5", issued_on=issued
    )
    write_off_invoice(session, clerk, invoice_id=written_off.id, reason="Too small to chase")
    post_credit_note(
        session,
        clerk,
        customer_id=customer.id,
        number="CN-1",
        amount="10",
        issued_on=date(2023, 9, 1),
    )

    stats = customer_statistics(session, customer.id, as_of=TODAY)

    assert stats.avg_days_to_pay == Decimal("28.0")
    assert stats.avg_overdue_days == Decimal("7.5")


def test_averages_are_none_without_paid_invoices_and_round_to_one_decimal(session):
    clerk = make_staff(session, "clerk")
    customer = make_customer(session, credit_limit="100000")
    make_invoice(session, customer, "10.00", days_past_due=5)
    stats = customer_statistics(session, customer.id, as_of=TODAY)
    assert stats.avg_days_to_pay is None
    assert stats.avg_overdue_days is None

    for number, days in (("R-1", 10), ("R-2", 10), ("R-3", 11)):
        posted = post_invoice(
            session,
            clerk,
            customer_id=customer.id,
            number=number,
            amount="1",
            issued_on=date(2024, 1, 1),
            due_on=date(2024, 1, 1),
        )
        record_payment(
            session,
            clerk,
            customer_id=customer.id,
            amount="1",
            received_on=date(2024, 1, 1) + timedelta(days=days),
            invoice_ids=[posted.id],
        )
    stats = customer_statistics(session, customer.id, as_of=TODAY)
    assert stats.avg_days_to_pay == Decimal("10.3")
    assert stats.avg_overdue_days == Decimal("10.3")


def test_todo_counts_only_open_ones_and_overdue_strictly_before_the_day(session):
    customer = make_customer(session)
    other = make_customer(session)

    def todo(owner: Customer, due_on: date, status: OpenDone = OpenDone.OPEN) -> None:
        session.add(
            Todo(
                customer_id=owner.id,
                description="Call back",
                due_on=due_on,
                status=status,
                done_at=datetime.now(UTC) if status == OpenDone.DONE else None,
            )
        )

    todo(customer, TODAY)  # due today: open, not overdue
    todo(customer, TODAY + timedelta(days=3))
    todo(customer, TODAY - timedelta(days=1))  # overdue
    todo(customer, TODAY - timedelta(days=20))  # overdue
    todo(customer, TODAY - timedelta(days=20), OpenDone.DONE)  # done: not counted
    todo(other, TODAY - timedelta(days=20))  # someone else's
    session.flush()

    stats = customer_statistics(session, customer.id, as_of=TODAY)

    assert stats.todo_count == 4
    assert stats.overdue_todo_count == 2
    assert (
        customer_statistics(
            session, customer.id, as_of=TODAY + timedelta(days=1)
        ).overdue_todo_count
        == 3
    )


def test_held_documents_and_credit_action_come_from_the_customer(session):
    customer = make_customer(session)
    since = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    customer.credit_action = CreditAction.HOLD
    customer.credit_action_event = CreditEvent.AGED_THRICE
    customer.credit_action_since = since
    for reference, status in (("ORD-1", "held"), ("ORD-2", "held"), ("ORD-3", "released")):
        session.add(
            HeldDocument(
                customer_id=customer.id,
                document_kind=DocumentKind.ORDER,
                reference=reference,
                amount=Decimal("10.00"),
                currency=customer.currency,
                credit_action=CreditAction.HOLD,
                reasons=["debt aged thrice"],
                status=status,
                decided_at=None if status == "held" else since,
            )
        )
    session.flush()
    refresh_held_count(session, customer.id)

    stats = customer_statistics(session, customer.id, as_of=TODAY)

    assert stats.held_document_count == 2
    assert stats.credit_action == CreditAction.HOLD
    assert stats.credit_action_event == CreditEvent.AGED_THRICE
    assert stats.credit_action_since == since
    assert (stats.account, stats.name, stats.currency) == (
        customer.account,
        customer.name,
        "EUR",
    )


def test_credit_limit_use_and_available(session):
    customer = make_customer(session, credit_limit="1000.00")
    make_invoice(session, customer, "250.00", days_past_due=-5)

    stats = customer_statistics(session, customer.id, as_of=TODAY)

    assert stats.credit_limit == Decimal("1000.00")
    assert stats.credit_use_percent == Decimal("25.0")
    assert stats.credit_available == Decimal("750.00")
    assert not stats.temporary_limit
    assert stats.credit_group is None


def test_temporary_and_group_limits_and_a_zero_limit(session):
    temporary = make_customer(
        session,
        credit_limit="1000.00",
        temp_credit_limit=Decimal("2000.00"),
        temp_limit_expires_on=TODAY + timedelta(days=1),
    )
    make_invoice(session, temporary, "500.00")
    stats = customer_statistics(session, temporary.id, as_of=TODAY)
    assert (stats.credit_limit, stats.temporary_limit) == (Decimal("2000.00"), True)
    assert stats.credit_use_percent == Decimal("25.0")
    expired = customer_statistics(session, temporary.id, as_of=TODAY + timedelta(days=1))
    assert (expired.credit_limit, expired.temporary_limit) == (Decimal("1000.00"), False)

    group = CreditGroup(name="Holding", credit_limit=Decimal("400.00"), currency="EUR")
    session.add(group)
    session.flush()
    first = make_customer(session, credit_group_id=group.id)
    second = make_customer(session, credit_group_id=group.id)
    make_invoice(session, first, "100.00")
    make_invoice(session, second, "200.00")
    grouped = customer_statistics(session, first.id, as_of=TODAY)
    assert grouped.credit_group == "Holding"
    assert (grouped.credit_limit, grouped.credit_exposure) == (Decimal("400.00"), Decimal("300.00"))
    assert grouped.credit_available == Decimal("100.00")
    assert grouped.credit_use_percent == Decimal("75.0")

    nothing = make_customer(session, credit_limit="0")
    zero = customer_statistics(session, nothing.id, as_of=TODAY)
    assert zero.credit_use_percent is None
    assert zero.account_status == AccountStatus.OK


@pytest.mark.parametrize(
    ("days_past_due", "amount", "expected"),
    [
        (0, "100.00", AccountStatus.OK),
        (1, "100.00", AccountStatus.OVERDUE),
        (0, "100.01", AccountStatus.OVER_LIMIT),
        (31, "150.00", AccountStatus.OVERDUE_AND_OVER_LIMIT),
    ],
)
def test_account_status(session, days_past_due, amount, expected):
    customer = make_customer(session, credit_limit="100.00")
    make_invoice(session, customer, amount, days_past_due=days_past_due)

    stats = customer_statistics(session, customer.id, as_of=TODAY)

    assert stats.account_status == expected
    assert stats.account_status.words


def test_account_status_words():
    assert [status.words for status in AccountStatus] == [
        "OK",
        "Overdue",
        "Over credit limit",
        "Overdue and over credit limit",
    ]


def test_balance_and_overdue_are_the_maintained_figures(session):
    customer = make_customer(session)
    make_invoice(session, customer, "80.00", days_past_due=3)
    session.execute(
        update(Customer)
        .where(Customer.id == customer.id)
        .values(balance=Decimal("1.00"), overdue_balance=Decimal("1.00"))
        .execution_options(synchronize_session=False)
    )
    session.expire(customer)

    stats = customer_statistics(session, customer.id, as_of=TODAY)

    assert (stats.balance, stats.overdue_balance) == (Decimal("1.00"), Decimal("1.00"))
    assert dict(stats.aging)["1-30"] == Decimal("80.00")


def test_unknown_customer_is_not_found(session):
    with pytest.raises(NotFound, match="no customer with id 987654"):
        customer_statistics(session, 987654, as_of=TODAY)
