"""Staff identity: logins matched to staff rows, the first admin of a private book."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cctui.domain.errors import ConflictError, ValidationError
from cctui.domain.identity import (
    UnknownLogin,
    create_first_admin,
    identify,
    normalise_login,
    staff_count,
)
from cctui.domain.models import AuditLog, Role, Staff


def test_identify_finds_active_staff_case_insensitively(session):
    session.add(Staff(login="maria", name="María Núñez", role=Role.CONTROLLER))
    session.flush()
    who = identify(session, "  Maria ")
    assert (who.login, who.name, who.role) == ("maria", "María Núñez", Role.CONTROLLER)
    assert who.has_role(Role.AGENT)
    assert not who.has_role(Role.SUPERVISOR)


def test_inactive_or_unknown_login_is_refused_with_a_sentence(session):
    session.add(Staff(login="gone", name="Gone", role=Role.AGENT, active=False))
    session.flush()
    for login in ("gone", "nobody"):
        with pytest.raises(UnknownLogin) as caught:
            identify(session, login)
        message = str(caught.value)
        assert login in message and "--user" in message and "\n" not in message


def test_first_admin_is_created_once_and_audited(session):
    assert staff_count(session) == 0
    admin = create_first_admin(session, "Root", "")
    assert admin.role is Role.ADMIN and admin.login == "root" and admin.name == "root"
    assert staff_count(session) == 1
    audit = session.scalars(select(AuditLog)).one()
    assert (audit.actor, audit.action, audit.entity, audit.entity_id) == (
        "root",
        "create_first_admin",
        "staff",
        str(admin.id),
    )
    assert audit.after == {"login": "root", "name": "root", "role": "admin"}
    with pytest.raises(ConflictError):
        create_first_admin(session, "root", "Again")


@pytest.mark.parametrize("bad", ["", "   ", "x" * 65])
def test_malformed_logins_are_rejected(bad):
    with pytest.raises(ValidationError):
        normalise_login(bad)
