"""Moving invoices towards the collection agency and back (seed 000).

An invoice's ``collection_state`` goes ``none`` -> ``flagged`` (by the dunning step that
hands to the agency, or by hand here) -> ``handed_over`` (to one agency, with an
:class:`~cctui.domain.models.AgencyHandover` row) -> back to ``flagged`` when recalled (the
hand-over row gets its ``recalled_on``). Only open invoices are flagged or handed over; a paid
invoice keeps whatever state it has, and may still be unflagged or recalled by hand.

Each service takes the invoices chosen on screen, locks them (in id order, so two services
never wait on each other in a circle), and changes all of them or none: when some cannot
make the move, one sentence names them and why. Invoices already in the state asked for are
left alone and reported as unchanged. Every invoice changed gets an audit row with its state
before and after. Nothing here moves an open amount, so no customer figure changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.editing import today
from cctui.domain.errors import ConflictError, NotFound, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    AgencyHandover,
    CollectionAgency,
    CollectionState,
    Invoice,
    Role,
)

OPEN_HANDOVER_INDEX = "uq_agency_handover_open_invoice"
"""The unique partial index allowing one open (not recalled) hand-over per invoice."""

MAX_INVOICES = 10_000
"""The most invoices one call may move."""

_NAMES_SHOWN = 10


@dataclass(frozen=True)
class CollectionChange:
    """What a flag, unflag, hand-over or recall did.

    ``changed`` are the invoices moved (in the order given), ``unchanged`` those already in
    the state asked for; ``handover_ids`` the hand-over rows created or closed.
    """

    changed: tuple[int, ...]
    unchanged: tuple[int, ...] = ()
    handover_ids: tuple[int, ...] = ()


def _wanted(invoice_ids: Iterable[int]) -> list[int]:
    wanted = list(dict.fromkeys(invoice_ids))
    if not wanted:
        raise ValidationError("Choose at least one invoice.")
    if len(wanted) > MAX_INVOICES:
        raise ValidationError(f"Choose at most {MAX_INVOICES:,} invoices at a time.")
    return wanted


def _locked_invoices(session: Session, invoice_ids: Iterable[int]) -> list[Invoice]:
    """The chosen invoices, row-locked in id order and re-read, in the order given."""
    wanted = _wanted(invoice_ids)
    found = {
        invoice.id: invoice
        for invoice in session.scalars(
            select(Invoice)
            .where(Invoice.id.in_(wanted))
            .order_by(Invoice.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    missing = [str(invoice_id) for invoice_id in wanted if invoice_id not in found]
    if missing:
        raise NotFound(f"There is no invoice with id {', '.join(missing)}.")
    return [found[invoice_id] for invoice_id in wanted]


def _names(numbers: Sequence[str]) -> str:
    shown = ", ".join(numbers[:_NAMES_SHOWN])
    more = len(numbers) - _NAMES_SHOWN
    return shown if more <= 0 else f"{shown} and {more} more"


def _refuse(doing: str, problems: dict[str, list[str]]) -> None:
    """Raise one ConflictError listing, per reason, the invoices that cannot move."""
    if not problems:
        return
    parts = []
    for reason, numbers in problems.items():
        verb = "is" if len(numbers) == 1 else "are"
        parts.append(f"{_names(numbers)} {verb} {reason}")
    raise ConflictError(f"Nothing was {doing}: {'; '.join(parts)}.")


def _state(invoice: Invoice) -> dict[str, object]:
    return {
        "collection_state": invoice.collection_state,
        "collection_agency_id": invoice.collection_agency_id,
    }


def _optional_text(value: str | None) -> str | None:
    cleaned = (value or "").strip()
    return cleaned or None


def flag_for_collection(
    session: Session,
    actor: StaffIdentity,
    invoice_ids: Iterable[int],
    *,
    reason: str | None = None,
) -> CollectionChange:
    """Mark open invoices for the collection agency (``none`` -> ``flagged``).

    Refused, for all of them, when any is paid (nothing open) or is a credit note. Invoices
    already flagged or handed over stay as they are (``unchanged``).
    """
    require_role(actor, Role.CONTROLLER, "flag invoices for collection")
    why = _optional_text(reason)
    invoices = _locked_invoices(session, invoice_ids)
    problems: dict[str, list[str]] = defaultdict(list)
    for invoice in invoices:
        if invoice.open_amount <= 0 and invoice.collection_state == CollectionState.NONE:
            problems["not open (nothing is owed on it)"].append(invoice.number)
    _refuse("flagged for collection", problems)
    return _move(
        session,
        actor,
        invoices,
        CollectionState.NONE,
        CollectionState.FLAGGED,
        action="flag_for_collection",
        reason=why,
    )


def unflag(
    session: Session,
    actor: StaffIdentity,
    invoice_ids: Iterable[int],
    *,
    reason: str | None = None,
) -> CollectionChange:
    """Take invoices off the list for collection (``flagged`` -> ``none``).

    Refused, for all of them, when any is with an agency (recall it first). Invoices not
    flagged stay as they are (``unchanged``).
    """
    require_role(actor, Role.CONTROLLER, "unflag invoices for collection")
    why = _optional_text(reason)
    invoices = _locked_invoices(session, invoice_ids)
    problems: dict[str, list[str]] = defaultdict(list)
    for invoice in invoices:
        if invoice.collection_state == CollectionState.HANDED_OVER:
            problems["with a collection agency (recall them first)"].append(invoice.number)
    _refuse("unflagged", problems)
    return _move(
        session,
        actor,
        invoices,
        CollectionState.FLAGGED,
        CollectionState.NONE,
        action="unflag_for_collection",
        reason=why,
    )


def _move(
    session: Session,
    actor: StaffIdentity,
    invoices: Iterable[Invoice],
    source: CollectionState,
    target: CollectionState,
    *,
    action: str,
    reason: str | None,
) -> CollectionChange:
    """Move the invoices in state ``source`` to ``target``, one audit row each; the others
    stay as they are (``unchanged``)."""
    changed: list[int] = []
    unchanged: list[int] = []
    for invoice in invoices:
        if invoice.collection_state != source:
            unchanged.append(invoice.id)
            continue
        before = _state(invoice)
        invoice.collection_state = target
        changed.append(invoice.id)
        audit(
            session,
            actor,
            action=action,
            entity="invoice",
            entity_id=invoice.id,
            customer_id=invoice.customer_id,
            before=before,
            after={**_state(invoice), "reason": reason},
        )
    session.flush()
    return CollectionChange(changed=tuple(changed), unchanged=tuple(unchanged))


def _active_agency(session: Session, agency_id: int) -> CollectionAgency:
    """The agency, share-locked so it cannot be deactivated while invoices go to it."""
    agency = session.scalar(
        select(CollectionAgency)
        .where(CollectionAgency.id == agency_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    if agency is None:
        raise NotFound(f"There is no collection agency with id {agency_id}.")
    if not agency.active:
        raise ConflictError(
            f"The collection agency {agency.name!r} is inactive and takes no invoices."
        )
    return agency


def _agency_names(session: Session, invoices: Iterable[Invoice]) -> dict[int, str]:
    ids = {invoice.collection_agency_id for invoice in invoices} - {None}
    if not ids:
        return {}
    rows = session.execute(
        select(CollectionAgency.id, CollectionAgency.name).where(CollectionAgency.id.in_(ids))
    )
    return {agency_id: name for agency_id, name in rows}


def hand_over(
    session: Session,
    actor: StaffIdentity,
    invoice_ids: Iterable[int],
    *,
    agency_id: int,
    handed_on: date | None = None,
    note: str | None = None,
) -> CollectionChange:
    """Hand flagged, open invoices to an active agency on ``handed_on`` (default today).

    All or nothing: when any chosen invoice is not flagged, is paid, or is already with an
    agency, nothing is handed over and one sentence names those invoices. Each invoice gets
    an :class:`AgencyHandover` row; the database allows one open hand-over per invoice, and a
    concurrent hand-over of the same invoice is refused as a conflict.
    """
    require_role(actor, Role.CONTROLLER, "hand invoices over to a collection agency")
    day = today(handed_on)
    text = _optional_text(note)
    agency = _active_agency(session, agency_id)
    invoices = _locked_invoices(session, invoice_ids)
    problems: dict[str, list[str]] = defaultdict(list)
    elsewhere = _agency_names(session, invoices)
    for invoice in invoices:
        if invoice.collection_state == CollectionState.HANDED_OVER:
            where = elsewhere.get(invoice.collection_agency_id or 0, "another agency")
            problems[f"already with {where}"].append(invoice.number)
        elif invoice.collection_state != CollectionState.FLAGGED:
            problems["not flagged for collection"].append(invoice.number)
        elif invoice.open_amount <= 0:
            problems["paid (nothing is open on it)"].append(invoice.number)
        elif invoice.issued_on > day:
            problems[f"issued after {day.isoformat()}"].append(invoice.number)
    _refuse(f"handed over to {agency.name}", problems)
    handovers = [
        AgencyHandover(
            invoice_id=invoice.id,
            agency_id=agency.id,
            handed_on=day,
            handed_by_id=actor.id,
            note=text,
        )
        for invoice in invoices
    ]
    _insert_handovers(session, handovers, agency.name)
    for invoice, handover in zip(invoices, handovers, strict=True):
        before = _state(invoice)
        invoice.collection_state = CollectionState.HANDED_OVER
        invoice.collection_agency_id = agency.id
        audit(
            session,
            actor,
            action="hand_over_to_agency",
            entity="invoice",
            entity_id=invoice.id,
            customer_id=invoice.customer_id,
            before=before,
            after={
                **_state(invoice),
                "handover_id": handover.id,
                "handed_on": day,
                "note": text,
            },
        )
    session.flush()
    return CollectionChange(
        changed=tuple(invoice.id for invoice in invoices),
        handover_ids=tuple(handover.id for handover in handovers),
    )


def _insert_handovers(session: Session, handovers: list[AgencyHandover], agency: str) -> None:
    """Insert the hand-over rows; one already open for an invoice is refused as a conflict."""
    try:
        with session.begin_nested():
            session.add_all(handovers)
            session.flush()
    except IntegrityError as error:
        constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
        if constraint != OPEN_HANDOVER_INDEX:
            raise
        raise ConflictError(
            f"Nothing was handed over to {agency}: one of the invoices already has an open "
            "hand-over, made at the same time by someone else; reload and try again."
        ) from None


def recall(
    session: Session,
    actor: StaffIdentity,
    invoice_ids: Iterable[int],
    *,
    recalled_on: date | None = None,
    note: str | None = None,
) -> CollectionChange:
    """Take invoices back from their agency on ``recalled_on`` (default today).

    The invoices go back to ``flagged`` with no agency; their open hand-over rows get the
    recall date and who recalled them (a recall note is added to the hand-over's note). All
    or nothing: invoices not with an agency, or recalled before they were handed over, are
    named and nothing is recalled. Paid invoices may be recalled too.
    """
    require_role(actor, Role.CONTROLLER, "recall invoices from a collection agency")
    day = today(recalled_on)
    text = _optional_text(note)
    invoices = _locked_invoices(session, invoice_ids)
    open_handovers = {
        handover.invoice_id: handover
        for handover in session.scalars(
            select(AgencyHandover)
            .where(
                AgencyHandover.invoice_id.in_([invoice.id for invoice in invoices]),
                AgencyHandover.recalled_on.is_(None),
            )
            .with_for_update()
        )
    }
    problems: dict[str, list[str]] = defaultdict(list)
    for invoice in invoices:
        handover = open_handovers.get(invoice.id)
        if invoice.collection_state != CollectionState.HANDED_OVER:
            problems["not with a collection agency"].append(invoice.number)
        elif handover is not None and handover.handed_on > day:
            problems[f"handed over after {day.isoformat()}"].append(invoice.number)
    _refuse("recalled", problems)
    closed: list[int] = []
    for invoice in invoices:
        before = _state(invoice)
        handover = open_handovers.get(invoice.id)
        if handover is not None:
            handover.recalled_on = day
            handover.recalled_by_id = actor.id
            if text is not None:
                recall_note = f"Recalled {day.isoformat()}: {text}"
                handover.note = (
                    recall_note if not handover.note else f"{handover.note}\n{recall_note}"
                )
            closed.append(handover.id)
        invoice.collection_state = CollectionState.FLAGGED
        invoice.collection_agency_id = None
        audit(
            session,
            actor,
            action="recall_from_agency",
            entity="invoice",
            entity_id=invoice.id,
            customer_id=invoice.customer_id,
            before=before,
            after={
                **_state(invoice),
                "handover_id": None if handover is None else handover.id,
                "recalled_on": day,
                "note": text,
            },
        )
    session.flush()
    return CollectionChange(
        changed=tuple(invoice.id for invoice in invoices), handover_ids=tuple(closed)
    )
