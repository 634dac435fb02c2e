"""Shared check of the payments and dunning tests: the maintained figures equal the truth."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cctui.domain.identity import StaffIdentity
from cctui.domain.models import Role, Staff
from cctui.domain.recalc import recalculate_figures
from tests.factories import TODAY, make_staff


def assert_figures_true(session: Session, as_of: date = TODAY) -> None:
    """Recalculate-all finds nothing to correct: the services kept every figure exact."""
    checker = session.scalar(select(Staff).where(Staff.login == "figures_check"))
    who = (
        make_staff(session, "figures_check", Role.SUPERVISOR)
        if checker is None
        else StaffIdentity(checker.id, checker.login, checker.name, checker.role)
    )
    report = recalculate_figures(session, who, all_customers=True, as_of=as_of)
    assert report.corrected == ()
