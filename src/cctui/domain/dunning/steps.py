"""The dunning ladder (seed 000 settings): each step's days after due, letter, fee, agency.

Admins edit the steps. The ladder stays consistent: step numbers and days after due are
unique, and a later step (higher number) always lies more days after due. An invoice's
``dunning_level`` is the number of the last step it reached, so a step that already queued
letters keeps its number.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import exists, select, text
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.errors import ConflictError, NotFound, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import DunningStep, LetterInvoice, LetterKind, LetterTemplate, Role
from cctui.domain.models import Letter as LetterRow
from cctui.domain.money import to_money

MAX_STEP_NO = 99
MAX_DAYS_AFTER_DUE = 3650


@dataclass(frozen=True)
class DunningStepView:
    """A step of the dunning ladder as the settings screen shows it."""

    id: int
    step_no: int
    name: str
    days_after_due: int
    """The step applies once an invoice is at least this many days past due (and overdue)."""
    letter_template_id: int | None
    letter_template_code: str | None
    fee: Decimal
    """Charged onto each invoice the first time it reaches this step."""
    hands_to_agency: bool
    """Invoices reaching this step are flagged for the collection agency."""


def list_dunning_steps(session: Session) -> list[DunningStepView]:
    """Every dunning step, in ladder order. Every staff member may read them."""
    rows = session.execute(
        select(DunningStep, LetterTemplate.code)
        .outerjoin(LetterTemplate, LetterTemplate.id == DunningStep.letter_template_id)
        .order_by(DunningStep.step_no)
    ).all()
    return [_view(step, code) for step, code in rows]


def _view(step: DunningStep, template_code: str | None) -> DunningStepView:
    return DunningStepView(
        id=step.id,
        step_no=step.step_no,
        name=step.name,
        days_after_due=step.days_after_due,
        letter_template_id=step.letter_template_id,
        letter_template_code=template_code,
        fee=step.fee,
        hands_to_agency=step.hands_to_agency,
    )


@dataclass(frozen=True)
class _Checked:
    step_no: int
    name: str
    days_after_due: int
    fee: Decimal
    template: LetterTemplate | None
    hands_to_agency: bool


def _checked(
    session: Session,
    *,
    step_no: int,
    name: str,
    days_after_due: int,
    fee: Decimal | str | int,
    letter_template_id: int | None,
    hands_to_agency: bool,
) -> _Checked:
    """The values of a step, validated one by one (not yet against the other steps)."""
    if not 1 <= step_no <= MAX_STEP_NO:
        raise ValidationError(f"A step number must be 1 to {MAX_STEP_NO}, not {step_no}.")
    cleaned = name.strip()
    if not 1 <= len(cleaned) <= 100:
        raise ValidationError("A dunning step needs a name of 1 to 100 characters.")
    if not 0 <= days_after_due <= MAX_DAYS_AFTER_DUE:
        raise ValidationError(
            f"Days after due must be 0 to {MAX_DAYS_AFTER_DUE}, not {days_after_due}."
        )
    amount = to_money(fee, what="dunning fee", allow_zero=True)
    template = None
    if letter_template_id is not None:
        template = session.get(LetterTemplate, letter_template_id)
        if template is None:
            raise NotFound(f"There is no letter template with id {letter_template_id}.")
        wanted = LetterKind.AGENCY if hands_to_agency else LetterKind.REMINDER
        if template.kind != wanted:
            raise ValidationError(
                f"A {'step handing invoices to the agency' if hands_to_agency else 'reminder step'}"
                f" needs a letter template of kind {wanted.value}, and {template.code} is "
                f"{template.kind.value}."
            )
    return _Checked(step_no, cleaned, days_after_due, amount, template, hands_to_agency)


def _fits_ladder(session: Session, values: _Checked, step_id: int | None) -> None:
    """Refuse a step number or day count taken, or out of order with the other steps."""
    query = select(DunningStep)
    if step_id is not None:
        query = query.where(DunningStep.id != step_id)
    for other in session.scalars(query):
        if other.step_no == values.step_no:
            raise ConflictError(f"There is already a dunning step {values.step_no}.")
        if other.days_after_due == values.days_after_due:
            raise ConflictError(
                f"Step {other.step_no} already applies at {values.days_after_due} days after due."
            )
        if (other.step_no < values.step_no) != (other.days_after_due < values.days_after_due):
            raise ConflictError(
                f"Step {values.step_no} at {values.days_after_due} days would be out of order "
                f"with step {other.step_no} at {other.days_after_due} days: later steps must "
                "lie more days after due."
            )


def _lock_ladder(session: Session) -> None:
    """Take the ladder for this transaction: edits run one at a time (reading is not
    blocked, nor is the daily run)."""
    session.execute(text("LOCK TABLE dunning_step IN SHARE ROW EXCLUSIVE MODE"))


def _state(step: DunningStep) -> dict[str, object]:
    return {
        "step_no": step.step_no,
        "name": step.name,
        "days_after_due": step.days_after_due,
        "letter_template_id": step.letter_template_id,
        "fee": step.fee,
        "hands_to_agency": step.hands_to_agency,
    }


def create_dunning_step(
    session: Session,
    actor: StaffIdentity,
    *,
    step_no: int,
    name: str,
    days_after_due: int,
    fee: Decimal | str | int = 0,
    letter_template_id: int | None = None,
    hands_to_agency: bool = False,
) -> DunningStepView:
    """Add a step to the dunning ladder (admins). Its letter template, when given, must be
    of kind ``agency`` for a step handing invoices to the agency, ``reminder`` otherwise."""
    require_role(actor, Role.ADMIN, "edit the dunning steps")
    _lock_ladder(session)
    values = _checked(
        session,
        step_no=step_no,
        name=name,
        days_after_due=days_after_due,
        fee=fee,
        letter_template_id=letter_template_id,
        hands_to_agency=hands_to_agency,
    )
    _fits_ladder(session, values, None)
    step = DunningStep(
        step_no=values.step_no,
        name=values.name,
        days_after_due=values.days_after_due,
        letter_template_id=None if values.template is None else values.template.id,
        fee=values.fee,
        hands_to_agency=values.hands_to_agency,
    )
    session.add(step)
    session.flush()
    audit(
        session,
        actor,
        action="create_dunning_step",
        entity="dunning_step",
        entity_id=step.id,
        after=_state(step),
    )
    return _view(step, None if values.template is None else values.template.code)


def update_dunning_step(
    session: Session,
    actor: StaffIdentity,
    step_id: int,
    *,
    step_no: int,
    name: str,
    days_after_due: int,
    fee: Decimal | str | int,
    letter_template_id: int | None,
    hands_to_agency: bool,
) -> DunningStepView:
    """Change every field of a dunning step (admins), as the edit form holds them.

    A step that already queued letters keeps its number (invoices' dunning levels refer to
    it); its days, letter, fee and agency flag may change and apply from the next run.
    """
    require_role(actor, Role.ADMIN, "edit the dunning steps")
    _lock_ladder(session)
    step = session.scalar(
        select(DunningStep)
        .where(DunningStep.id == step_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if step is None:
        raise NotFound(f"There is no dunning step with id {step_id}.")
    values = _checked(
        session,
        step_no=step_no,
        name=name,
        days_after_due=days_after_due,
        fee=fee,
        letter_template_id=letter_template_id,
        hands_to_agency=hands_to_agency,
    )
    if values.step_no != step.step_no and _has_letters(session, step.id):
        raise ConflictError(
            f"Step {step.step_no} already queued letters, so its number cannot change."
        )
    _fits_ladder(session, values, step.id)
    before = _state(step)
    step.step_no = values.step_no
    step.name = values.name
    step.days_after_due = values.days_after_due
    step.letter_template_id = None if values.template is None else values.template.id
    step.fee = values.fee
    step.hands_to_agency = values.hands_to_agency
    session.flush()
    audit(
        session,
        actor,
        action="update_dunning_step",
        entity="dunning_step",
        entity_id=step.id,
        before=before,
        after=_state(step),
    )
    return _view(step, None if values.template is None else values.template.code)


def _has_letters(session: Session, step_id: int) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(LetterRow.dunning_step_id == step_id)
                | exists().where(LetterInvoice.dunning_step_id == step_id)
            )
        )
    )
