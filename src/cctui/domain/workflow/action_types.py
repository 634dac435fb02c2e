"""The list of predefined customer-visible actions (seed 000); admins extend and edit it.

An action type has a unique code and a name. It is never deleted (notes refer to it); an
admin deactivates it instead, and only active types can be chosen for a new action.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.errors import ConflictError, NotFound, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import ActionType, Role
from cctui.domain.workflow.texts import required_text

CODE_MAX = 40
NAME_MAX = 100


@dataclass(frozen=True)
class ActionTypeView:
    """An action type as the lists and forms show it."""

    id: int
    code: str
    name: str
    active: bool


def _view(action_type: ActionType) -> ActionTypeView:
    return ActionTypeView(
        id=action_type.id,
        code=action_type.code,
        name=action_type.name,
        active=action_type.active,
    )


def _clean_code(code: str) -> str:
    cleaned = required_text(code, "An action type needs a code.", limit=CODE_MAX)
    if any(character.isspace() for character in cleaned):
        raise ValidationError(f"The action type code {cleaned!r} must not contain blanks.")
    return cleaned


def _clean_name(name: str) -> str:
    return required_text(name, "An action type needs a name.", limit=NAME_MAX)


def list_action_types(session: Session, *, include_inactive: bool = False) -> list[ActionTypeView]:
    """The action types by name (the active ones unless ``include_inactive``)."""
    query = select(ActionType).order_by(ActionType.name, ActionType.code)
    if not include_inactive:
        query = query.where(ActionType.active)
    return [_view(action_type) for action_type in session.scalars(query)]


def active_action_type(session: Session, action_type_id: int) -> ActionType:
    """The action type ``action_type_id``, refused unless it exists and is active."""
    action_type = session.get(ActionType, action_type_id)
    if action_type is None:
        raise NotFound(f"There is no action type with id {action_type_id}.")
    if not action_type.active:
        raise ConflictError(
            f"The action type {action_type.code} is no longer in use; choose another."
        )
    return action_type


def _code_taken(code: str) -> ConflictError:
    return ConflictError(f"An action type with the code {code!r} already exists.")


def add_action_type(
    session: Session, actor: StaffIdentity, *, code: str, name: str
) -> ActionTypeView:
    """Add an active action type (admins); its code must be unused, whatever its case."""
    require_role(actor, Role.ADMIN, "add action types")
    code = _clean_code(code)
    name = _clean_name(name)
    if (
        session.scalar(select(ActionType.id).where(func.lower(ActionType.code) == code.lower()))
        is not None
    ):
        raise _code_taken(code)
    action_type = ActionType(code=code, name=name, active=True)
    try:
        with session.begin_nested():
            session.add(action_type)
            session.flush()
    except IntegrityError:
        raise _code_taken(code) from None
    audit(
        session,
        actor,
        action="add_action_type",
        entity="action_type",
        entity_id=action_type.id,
        after={"code": code, "name": name, "active": True},
    )
    return _view(action_type)


def _locked(session: Session, action_type_id: int) -> ActionType:
    action_type = session.scalar(
        select(ActionType)
        .where(ActionType.id == action_type_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if action_type is None:
        raise NotFound(f"There is no action type with id {action_type_id}.")
    return action_type


def rename_action_type(
    session: Session, actor: StaffIdentity, action_type_id: int, *, name: str
) -> ActionTypeView:
    """Give an action type a new name (admins); its code and the notes using it stay."""
    require_role(actor, Role.ADMIN, "rename action types")
    name = _clean_name(name)
    action_type = _locked(session, action_type_id)
    before = action_type.name
    if before != name:
        action_type.name = name
        session.flush()
        audit(
            session,
            actor,
            action="rename_action_type",
            entity="action_type",
            entity_id=action_type.id,
            before={"name": before},
            after={"name": name},
        )
    return _view(action_type)


def set_action_type_active(
    session: Session, actor: StaffIdentity, action_type_id: int, *, active: bool
) -> ActionTypeView:
    """Deactivate an action type (no new actions of it) or bring it back (admins).

    Open actions of a deactivated type stay open until someone closes them.
    """
    require_role(actor, Role.ADMIN, "deactivate or reactivate action types")
    action_type = _locked(session, action_type_id)
    if action_type.active != active:
        action_type.active = active
        session.flush()
        audit(
            session,
            actor,
            action="activate_action_type" if active else "deactivate_action_type",
            entity="action_type",
            entity_id=action_type.id,
            before={"active": not active},
            after={"active": active},
        )
    return _view(action_type)
