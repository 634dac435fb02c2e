"""Book settings typed by an admin, checked before they are written; the letterhead."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cctui.domain import book_settings as bs
from cctui.domain.errors import PermissionDenied, ValidationError
from cctui.domain.models import AuditLog, LetterKind, LetterTemplate, Role, Setting
from cctui.domain.settings_admin import (
    change_book_setting,
    letter_template_choices,
    list_book_settings,
    save_letterhead,
)
from tests.factories import make_staff


def _stored(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Setting)) or 0


def test_the_list_shows_defaults_as_typed(session: Session) -> None:
    rows = {row.key: row.value for row in list_book_settings(session)}
    assert rows == {
        bs.AGING_BANDS: "0, 30, 60, 90",
        bs.CONTACTED_WITHIN_DAYS: "14",
        bs.DUNNING_MIN_OVERDUE: "10.00",
        bs.LEASE_MINUTES: "15",
        bs.CONTROLLER_LIMIT_AUTHORITY: "10000.00",
    }


def test_an_admin_changes_settings_and_the_getters_read_them(session: Session) -> None:
    admin = make_staff(session, "root", Role.ADMIN)
    view = change_book_setting(session, admin, bs.CONTACTED_WITHIN_DAYS, " 21 ")
    assert view.value == "21" and bs.contacted_within_days(session) == 21
    change_book_setting(session, admin, bs.AGING_BANDS, "0, 15 30;45")
    assert bs.aging_band_limits(session) == [0, 15, 30, 45]
    change_book_setting(session, admin, bs.DUNNING_MIN_OVERDUE, "5,5")
    assert str(bs.dunning_min_overdue(session)) == "5.50"
    audits = session.scalars(select(AuditLog).where(AuditLog.action == "change_setting")).all()
    assert len(audits) == 3
    change_book_setting(session, admin, bs.CONTACTED_WITHIN_DAYS, "21")  # unchanged
    assert len(session.scalars(select(AuditLog)).all()) == 3


@pytest.mark.parametrize(
    ("key", "typed", "sentence"),
    [
        (bs.CONTACTED_WITHIN_DAYS, "0", "must be 1 to 365, not 0"),
        (bs.CONTACTED_WITHIN_DAYS, "ten", "'ten' is not a whole number"),
        (bs.CONTACTED_WITHIN_DAYS, "", "is not a whole number"),
        (bs.AGING_BANDS, "30, 60", "start at 0"),
        (bs.AGING_BANDS, "0, 60, 30", "must rise"),
        (bs.LEASE_MINUTES, "2000", "1 to 1440"),
        (bs.DUNNING_MIN_OVERDUE, "-1", "0 or more"),
        (bs.CONTROLLER_LIMIT_AUTHORITY, "1.234", "two decimal places"),
        ("no_such_key", "1", "no book setting"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(
    session: Session, key: str, typed: str, sentence: str
) -> None:
    admin = make_staff(session, "root", Role.ADMIN)
    with pytest.raises(ValidationError, match=sentence):
        change_book_setting(session, admin, key, typed)
    assert _stored(session) == 0


def test_only_admins_change_settings_or_the_letterhead(session: Session) -> None:
    sup = make_staff(session, "sup", Role.SUPERVISOR)
    with pytest.raises(PermissionDenied):
        change_book_setting(session, sup, bs.CONTACTED_WITHIN_DAYS, "20")
    with pytest.raises(PermissionDenied):
        save_letterhead(session, sup, bs.Letterhead("X", (), "", "", "", ""))


def test_the_letterhead_is_blank_until_saved_then_reads_back(session: Session) -> None:
    admin = make_staff(session, "root", Role.ADMIN)
    assert bs.letterhead(session) == bs.Letterhead("", (), "", "", "", "")
    saved = save_letterhead(
        session,
        admin,
        bs.Letterhead(
            company_name="  ACME   Credit ",
            address_lines=("1 Main St", "  ", "Springfield"),
            phone="+1 555 0100",
            email="credit@acme.example",
            registration_number="VAT GB123",
            footer="Registered in England.",
        ),
    )
    assert saved == bs.Letterhead(
        "ACME Credit",
        ("1 Main St", "Springfield"),
        "+1 555 0100",
        "credit@acme.example",
        "VAT GB123",
        "Registered in England.",
    )
    assert bs.letterhead(session) == saved
    assert _stored(session) == 6


@pytest.mark.parametrize(
    ("letterhead", "sentence"),
    [
        (bs.Letterhead("ACME", (), "", "not-mail", "", ""), "not an e-mail"),
        (bs.Letterhead("", ("1 Main St",), "", "", "", ""), "needs the company name"),
        (bs.Letterhead("A" * 201, (), "", "", "", ""), "at most 200"),
        (bs.Letterhead("ACME", ("a", "b", "c", "d", "e"), "", "", "", ""), "at most 4"),
    ],
)
def test_a_bad_letterhead_is_refused_whole(
    session: Session, letterhead: bs.Letterhead, sentence: str
) -> None:
    admin = make_staff(session, "root", Role.ADMIN)
    with pytest.raises(ValidationError, match=sentence):
        save_letterhead(session, admin, letterhead)
    assert _stored(session) == 0


def test_letter_template_choices(session: Session) -> None:
    session.add_all(
        [
            LetterTemplate(
                code="R1", kind=LetterKind.REMINDER, name="First", subject="s", body="b"
            ),
            LetterTemplate(code="AG", kind=LetterKind.AGENCY, name="Agency", subject="s", body="b"),
        ]
    )
    session.flush()
    assert [(c.code, c.kind) for c in letter_template_choices(session)] == [
        ("AG", LetterKind.AGENCY),
        ("R1", LetterKind.REMINDER),
    ]
