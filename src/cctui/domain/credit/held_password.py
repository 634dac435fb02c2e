"""Releasing a held document on the spot with a supervisor's login and approval password.

A controller at the keyboard may not release a document that needs a supervisor; they can
ask for approval (:func:`cctui.domain.credit.held.release_held_document` raises a request)
or, with a supervisor beside them, have the supervisor type their login and approval
password. The password is checked the way a Password credit action checks it (one sentence
for every failure, one slow hash) before anything changes; the release is then recorded as
the supervisor's decision, and the person at the keyboard is audited beside it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.credit.held import HeldDecision, release_held_document

# The one supervisor check of the book: a wrong login and a wrong password cost the same.
from cctui.domain.credit.transactions import WRONG_SUPERVISOR, _verify_supervisor
from cctui.domain.errors import PermissionDenied
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import HeldDocument, Role, Staff

__all__ = ["WRONG_SUPERVISOR", "release_with_supervisor_password"]


def release_with_supervisor_password(
    session: Session,
    actor: StaffIdentity,
    held_document_id: int,
    *,
    supervisor_login: str,
    supervisor_password: str,
    note: str | None = None,
) -> HeldDecision:
    """Release a held document at once on a supervisor's login and approval password.

    ``actor`` (a controller or above) is the person at the keyboard. A wrong login or
    password, or a login that is not an active supervisor with an approval password, raises
    ``PermissionDenied`` with :data:`WRONG_SUPERVISOR` and changes nothing. Otherwise the
    document is released as the supervisor's decision (closing any pending release request)
    and a ``held_release_by_password`` audit row names both people.
    """
    require_role(actor, Role.CONTROLLER, "release a held document")
    supervisor = _verify_supervisor(session, supervisor_login, supervisor_password)
    staff = session.get(Staff, supervisor.id)
    if staff is None:  # checked a moment ago; only a concurrent delete gets here
        raise PermissionDenied(WRONG_SUPERVISOR)
    approver = StaffIdentity(id=staff.id, login=staff.login, name=staff.name, role=staff.role)
    decision = release_held_document(session, approver, held_document_id, note=note)
    held = session.get(HeldDocument, held_document_id)
    audit(
        session,
        actor,
        action="held_release_by_password",
        entity="held_document",
        entity_id=held_document_id,
        customer_id=held.customer_id if held is not None else None,
        after={
            "approved_by": supervisor.login,
            "approved_by_id": supervisor.id,
            "entered_by": actor.login,
        },
    )
    return decision
