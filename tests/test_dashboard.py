"""The dashboard's figures: totals, the aged balance of the last check, today's counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from cctui.domain.daily_check import run_daily_check
from cctui.domain.dashboard import read_dashboard
from cctui.domain.models import (
    CreditAction,
    DocumentKind,
    HeldDocument,
    Letter,
    LetterKind,
    LetterStatus,
    Role,
)
from cctui.domain.workflow.promises import record_promise
from cctui.domain.workflow.todos import add_todo
from tests.factories import TODAY, make_customer, make_invoice, make_staff

D = Decimal


def test_an_empty_book_has_nothing_to_show(session):
    ada = make_staff(session, "ada", Role.CONTROLLER)
    board = read_dashboard(session, ada, as_of=TODAY)
    assert board.aging == () and board.aging_as_of is None and board.last_run is None
    assert board.band_labels[0] and len(board.band_labels) == 5
    assert (board.held_documents, board.letters_queued, board.promises_due_today) == (0, 0, 0)
    assert (board.my_open_todos, board.my_overdue_todos) == (0, 0)


def test_figures_after_a_daily_check(session):
    ada = make_staff(session, "ada", Role.CONTROLLER)
    bob = make_staff(session, "bob", Role.AGENT)
    euro = make_customer(session)
    dollar = make_customer(session, currency="USD")
    make_invoice(session, euro, "100.00")  # due today: current
    make_invoice(session, euro, "40.00", days_past_due=10)  # 1-30
    make_invoice(session, euro, "7.50", days_past_due=95)  # over 90
    make_invoice(session, dollar, "20.00", days_past_due=45)  # 31-60
    run_daily_check(session, ada, run_on=TODAY)
    session.add(
        HeldDocument(
            customer_id=euro.id,
            document_kind=DocumentKind.ORDER,
            reference="SO-1",
            amount=D("10.00"),
            currency="EUR",
            credit_action=CreditAction.HOLD,
            reasons=["held"],
        )
    )
    session.add(
        Letter(
            customer_id=euro.id,
            kind=LetterKind.REMINDER,
            status=LetterStatus.QUEUED,
            queued_on=TODAY,
        )
    )
    record_promise(
        session, bob, customer_id=euro.id, amount="10.00", promised_on=TODAY, as_of=TODAY
    )
    record_promise(
        session, bob, customer_id=dollar.id, amount="5.00",
        promised_on=TODAY + timedelta(days=1), as_of=TODAY,
    )  # fmt: skip
    add_todo(session, bob, customer_id=euro.id, description="Call back", due_on=TODAY,
             assigned_to_id=ada.id, as_of=TODAY - timedelta(days=2))  # fmt: skip
    add_todo(session, bob, customer_id=euro.id, description="Later",
             due_on=TODAY + timedelta(days=3), assigned_to_id=ada.id, as_of=TODAY)  # fmt: skip
    add_todo(session, bob, customer_id=euro.id, description="Bob's", due_on=TODAY, as_of=TODAY)
    session.flush()

    board = read_dashboard(session, ada, as_of=TODAY + timedelta(days=1))

    assert board.aging_as_of == TODAY
    by_currency = {totals.currency: totals for totals in board.aging}
    assert by_currency["EUR"].bands == (D("100.00"), D("40.00"), D("0"), D("0"), D("7.50"))
    assert by_currency["USD"].bands == (D("0"), D("0"), D("20.00"), D("0"), D("0"))
    assert by_currency["EUR"].total == D("147.50")
    assert board.overview.open_amount["EUR"] == D("147.50")
    assert board.held_documents == 1
    assert board.letters_queued == 1
    assert board.promises_due_today == 1  # the USD promise is due on the day asked
    assert board.my_open_todos == 2
    assert board.my_overdue_todos == 1
    assert board.last_run is not None and board.last_run.run_on == TODAY
    assert board.last_run.started_by == "ada"
