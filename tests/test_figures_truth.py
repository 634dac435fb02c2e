"""The whole-book truth of the maintained figures agrees with the per-customer one."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from cctui.demo import generate_demo
from cctui.domain.figures import truth_sql

TODAY = date(2026, 11, 23)


def test_whole_book_and_per_customer_truths_agree_on_a_demo_book(db):
    generate_demo(db, customers=150, seed=7, today=TODAY)
    with db.session() as session:
        whole = session.execute(text(truth_sql(None)), {"as_of": TODAY}).all()
        narrow = session.execute(text(truth_sql("true")), {"as_of": TODAY}).all()
        flagged = session.execute(text(truth_sql("c.id % 3 = 0")), {"as_of": TODAY}).all()
    assert len(whole) == 150
    assert sorted(whole) == sorted(narrow)
    by_id = {row[0]: row for row in whole}
    assert all(by_id[row[0]] == row for row in flagged)
    # The demo's calls, promises, actions and held documents all show up somewhere.
    assert any(row.last_call_at for row in whole)
    assert any(row.next_promise_on for row in whole)
    assert any(row.open_action_count for row in whole)
    assert any(row.held_document_count for row in whole)
