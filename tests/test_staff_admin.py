"""The staff list admins keep: adding, editing, roles, deactivation, approval passwords."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cctui.db.engine import Database
from cctui.domain.errors import ConflictError, PermissionDenied, ValidationError
from cctui.domain.identity import StaffIdentity, identify
from cctui.domain.models import AuditLog, Role, Staff
from cctui.domain.secrets import verify_secret
from cctui.domain.staff_admin import (
    active_admins,
    change_role,
    create_staff,
    deactivate_staff,
    list_staff,
    reactivate_staff,
    set_approval_password,
    update_staff,
)
from tests.factories import make_staff


def _audits(session: Session, action: str) -> list[AuditLog]:
    return list(session.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_an_admin_adds_a_staff_member_who_can_then_log_in(session: Session) -> None:
    admin = make_staff(session, "root", Role.ADMIN)
    view = create_staff(
        session,
        admin,
        login="  NewBie ",
        name=" New   Person ",
        role="controller",
        approval_limit="2 500,50",
        email="new@example.com",
    )
    assert (view.login, view.name, view.role) == ("newbie", "New Person", Role.CONTROLLER)
    assert view.approval_limit == Decimal("2500.50") and view.active
    assert identify(session, "newbie").role is Role.CONTROLLER
    [row] = _audits(session, "create_staff")
    assert row.actor == "root" and row.after is not None and row.after["role"] == "controller"
    assert [staff.login for staff in list_staff(session, admin)] == ["newbie", "root"]


def test_adding_refuses_taken_logins_and_bad_values(session: Session) -> None:
    admin = make_staff(session, "root", Role.ADMIN)
    with pytest.raises(ConflictError, match="already exists"):
        create_staff(session, admin, login="ROOT", name="Again", role=Role.AGENT)
    with pytest.raises(ValidationError, match="role must be one of"):
        create_staff(session, admin, login="x", name="X", role="boss")
    with pytest.raises(ValidationError, match="name"):
        create_staff(session, admin, login="x", name="   ", role=Role.AGENT)
    with pytest.raises(ValidationError, match="blanks"):
        create_staff(session, admin, login="a b", name="A B", role=Role.AGENT)
    with pytest.raises(ValidationError, match="approval limit"):
        create_staff(session, admin, login="x", name="X", role=Role.AGENT, approval_limit="-5")
    with pytest.raises(ValidationError, match="e-mail"):
        create_staff(session, admin, login="x", name="X", role=Role.AGENT, email="nope")
    assert session.scalar(select(Staff).where(Staff.login == "x")) is None


def test_only_admins_manage_staff(session: Session) -> None:
    supervisor = make_staff(session, "sup", Role.SUPERVISOR)
    other = make_staff(session, "other", Role.AGENT)
    with pytest.raises(PermissionDenied, match="Only an admin"):
        create_staff(session, supervisor, login="x", name="X", role=Role.AGENT)
    with pytest.raises(PermissionDenied):
        change_role(session, supervisor, other.id, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        deactivate_staff(session, supervisor, other.id)
    with pytest.raises(PermissionDenied):
        list_staff(session, supervisor)
    with pytest.raises(PermissionDenied):
        set_approval_password(session, supervisor, supervisor.id, "long enough")


def test_update_saves_name_email_and_limit_with_an_audit_row(session: Session) -> None:
    admin = make_staff(session, "root", Role.ADMIN)
    agent = make_staff(session, "ag", Role.AGENT)
    view = update_staff(session, admin, agent.id, name="Agnes", approval_limit="", email="")
    assert view.name == "Agnes" and view.approval_limit is None
    [row] = _audits(session, "update_staff")
    assert row.before == {"name": "Ag"} and row.after == {"name": "Agnes"}
    update_staff(session, admin, agent.id, name="Agnes", approval_limit=None)
    assert len(_audits(session, "update_staff")) == 1  # nothing changed, nothing recorded


def test_change_role_and_the_approval_password_goes_with_supervision(session: Session) -> None:
    admin = make_staff(session, "root", Role.ADMIN)
    sup = make_staff(session, "sup", Role.SUPERVISOR)
    set_approval_password(session, admin, sup.id, "correct horse")
    stored = session.get(Staff, sup.id)
    assert stored is not None and stored.approval_secret is not None
    assert verify_secret("correct horse", stored.approval_secret)
    [row] = _audits(session, "set_approval_password")
    assert "correct horse" not in str(row.after) + str(row.before)
    view = change_role(session, admin, sup.id, "controller")
    assert view.role is Role.CONTROLLER and not view.has_approval_password
    [changed] = _audits(session, "change_staff_role")
    assert changed.before == {"role": "supervisor"}
    assert changed.after == {"role": "controller", "approval_password_removed": True}


def test_approval_passwords_only_for_active_supervisors_and_long_enough(session: Session) -> None:
    admin = make_staff(session, "root", Role.ADMIN)
    agent = make_staff(session, "ag", Role.AGENT)
    sup = make_staff(session, "sup", Role.SUPERVISOR)
    with pytest.raises(ConflictError, match="only supervisors and admins approve"):
        set_approval_password(session, admin, agent.id, "long enough")
    with pytest.raises(ValidationError, match="8 to 200"):
        set_approval_password(session, admin, sup.id, "short")
    with pytest.raises(ValidationError, match="blanks"):
        set_approval_password(session, admin, sup.id, " " * 10)


def test_the_last_active_admin_is_neither_demoted_nor_deactivated(session: Session) -> None:
    admin = make_staff(session, "root", Role.ADMIN)
    other = make_staff(session, "second", Role.ADMIN)
    with pytest.raises(ConflictError, match="yourself"):
        deactivate_staff(session, admin, admin.id)
    deactivate_staff(session, admin, other.id)
    with pytest.raises(ConflictError, match="last active admin"):
        change_role(session, admin, admin.id, Role.SUPERVISOR)
    assert active_admins(session) == 1
    reactivate_staff(session, admin, other.id)
    change_role(session, admin, admin.id, Role.SUPERVISOR)  # the other admin remains
    second = StaffIdentity(id=other.id, login="second", name="Second", role=Role.ADMIN)
    with pytest.raises(ConflictError, match="last active admin"):
        change_role(session, second, other.id, Role.AGENT)
    assert active_admins(session) == 1
    with pytest.raises(ConflictError, match="already active"):
        reactivate_staff(session, second, other.id)


def test_deactivated_staff_cannot_log_in(session: Session) -> None:
    admin = make_staff(session, "root", Role.ADMIN)
    agent = make_staff(session, "ag", Role.AGENT)
    deactivate_staff(session, admin, agent.id)
    with pytest.raises(ConflictError, match="already inactive"):
        deactivate_staff(session, admin, agent.id)
    assert not session.scalar(select(Staff.active).where(Staff.id == agent.id))
    assert [staff.login for staff in list_staff(session, admin)] == ["root", "ag"]


def test_two_admins_demoting_each_other_at_once_leave_one_admin(db: Database) -> None:
    with db.session() as session:
        first = make_staff(session, "first", Role.ADMIN)
        second = make_staff(session, "second", Role.ADMIN)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(actor: StaffIdentity, target: int) -> None:
        try:
            with db.session() as session:
                session.get(Staff, target)
                barrier.wait()
                change_role(session, actor, target, Role.SUPERVISOR)
            outcomes.append("demoted")
        except ConflictError:
            outcomes.append("refused")

    threads = [
        threading.Thread(target=demote, args=(first, second.id)),
        threading.Thread(target=demote, args=(second, first.id)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["demoted", "refused"]
    with db.session() as session:
        assert active_admins(session) == 1
