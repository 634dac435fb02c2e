"""Letter batches: preview, issue and reprint the queued letters of one kind as one PDF.

Issuing locks the queued letters of its kind (``FOR UPDATE SKIP LOCKED``: two printers never
print the same letter), renders them, writes the PDF to a temporary file in the output folder,
flushes and fsyncs it and renames it into place; only then, in the caller's transaction, does
it record the :class:`~cctui.domain.models.LetterBatch` and mark the letters printed (and the
paper invoices of an invoice batch). A batch that fails, is cancelled or killed before the
commit leaves every letter queued; a file renamed into place whose transaction then fails is
not a batch (no record names it) and its letters are printed again by the next batch.

The caller commits (``with db.session() as session: issue_batch(...)``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Select, func, select, text, update
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.errors import CctuiError, NotFound
from cctui.domain.identity import StaffIdentity
from cctui.domain.letter_batches import EMAILED_KINDS, printed_delivery
from cctui.domain.models import (
    Delivery,
    Invoice,
    Letter,
    LetterBatch,
    LetterInvoice,
    LetterKind,
    LetterStatus,
    Role,
    Staff,
)
from cctui.letters.data import read_batch
from cctui.letters.parallel import render_letters
from cctui.letters.render import missing_glyphs_note

Progress = Callable[[int, int], None]
"""``progress(done, total)``: letters rendered so far."""


class BatchCancelled(CctuiError):
    """The batch was cancelled between two letters: no file, nothing marked."""


@dataclass(frozen=True)
class BatchOutcome:
    """What a preview, issue or reprint did, with a sentence for the user."""

    batch_id: int | None
    path: Path | None
    letters: int
    pages: int
    sha256: str | None
    message: str


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def write_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` via a temporary file: write, flush, fsync, rename.

    A reader never sees a half-written file under ``path``; the temporary file is removed if
    anything fails on the way.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    with contextlib.suppress(OSError):
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def _queued(kind: LetterKind) -> Select[int]:
    statement = select(Letter.id).where(Letter.status == LetterStatus.QUEUED, Letter.kind == kind)
    if kind in EMAILED_KINDS:
        statement = statement.where(Letter.delivery == Delivery.MAIL)
    return statement.order_by(Letter.id)


def queued_by_delivery(session: Session) -> dict[LetterKind, dict[Delivery, int]]:
    """Queued letters per kind and how they go out: by mail (printed in batches) or by
    e-mail (statements to customers who take e-mail)."""
    counts = {kind: dict.fromkeys(Delivery, 0) for kind in LetterKind}
    rows = session.execute(
        select(Letter.kind, Letter.delivery, func.count())
        .where(Letter.status == LetterStatus.QUEUED)
        .group_by(Letter.kind, Letter.delivery)
    )
    for kind_value, delivery, count in rows:
        kind = LetterKind(kind_value)
        counts[kind][printed_delivery(kind, Delivery(delivery))] += int(count)
    return counts


def _empty(kind: LetterKind) -> BatchOutcome:
    return BatchOutcome(
        batch_id=None,
        path=None,
        letters=0,
        pages=0,
        sha256=None,
        message=f"No {kind.value} letters are queued for printing; no file was written.",
    )


def _render(
    session: Session,
    kind: LetterKind,
    letter_ids: list[int],
    *,
    created_at: datetime,
    sender: str,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> tuple[bytes, int, str]:
    """The letters as PDF bytes, their pages, and a note on characters that print blank."""

    def between_letters() -> None:
        if cancel is not None and cancel.is_set():
            raise BatchCancelled(
                f"The {kind.value} batch was cancelled; no file was written and every "
                "letter is still queued."
            )

    data = read_batch(
        session, kind, letter_ids, letter_date=created_at.astimezone(UTC).date(), sender=sender
    )
    missing: set[str] = set()
    content, pages = render_letters(
        data,
        created_at=created_at,
        progress=progress,
        between_letters=between_letters,
        missing=missing,
    )
    return content, pages, missing_glyphs_note(missing)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def preview_batch(
    session: Session,
    actor: StaffIdentity,
    kind: LetterKind,
    *,
    out_dir: Path,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> BatchOutcome:
    """Render the queued letters of ``kind`` to ``<out_dir>/<kind>-preview.pdf``; change nothing."""
    require_role(actor, Role.CONTROLLER, "print letters")
    letter_ids = list(session.scalars(_queued(kind)))
    if not letter_ids:
        return _empty(kind)
    content, pages, note = _render(
        session,
        kind,
        letter_ids,
        created_at=_now(),
        sender=actor.name,
        progress=progress,
        cancel=cancel,
    )
    path = out_dir / f"{kind.value}-preview.pdf"
    write_atomically(path, content)
    return BatchOutcome(
        batch_id=None,
        path=path,
        letters=len(letter_ids),
        pages=pages,
        sha256=hashlib.sha256(content).hexdigest(),
        message=(
            f"Preview of {_plural(len(letter_ids), f'{kind.value} letter')} "
            f"({_plural(pages, 'page')}) written to {path}; nothing was marked printed.{note}"
        ),
    )


def issue_batch(
    session: Session,
    actor: StaffIdentity,
    kind: LetterKind,
    *,
    out_dir: Path,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> BatchOutcome:
    """Print the queued letters of ``kind`` into one PDF and record the batch (caller commits)."""
    require_role(actor, Role.CONTROLLER, "print letters")
    letter_ids = list(session.scalars(_queued(kind).with_for_update(skip_locked=True)))
    if not letter_ids:
        return _empty(kind)
    created_at = _now()
    batch_id = int(
        session.scalar(text("SELECT nextval(pg_get_serial_sequence('letter_batch', 'id'))"))
    )
    content, pages, note = _render(
        session,
        kind,
        letter_ids,
        created_at=created_at,
        sender=actor.name,
        progress=progress,
        cancel=cancel,
    )
    path = (out_dir / f"{kind.value}-batch-{batch_id:06d}.pdf").absolute()
    digest = hashlib.sha256(content).hexdigest()
    write_atomically(path, content)
    try:
        session.add(
            LetterBatch(
                id=batch_id,
                kind=kind,
                created_by_id=actor.id,
                created_at=created_at,
                file_path=str(path),
                page_count=pages,
                letter_count=len(letter_ids),
                sha256=digest,
            )
        )
        session.flush()
        session.execute(
            update(Letter)
            .where(Letter.id.in_(letter_ids))
            .values(status=LetterStatus.PRINTED, batch_id=batch_id, printed_at=created_at)
            .execution_options(synchronize_session=False)
        )
        if kind is LetterKind.INVOICE:
            session.execute(
                update(Invoice)
                .where(
                    Invoice.id.in_(
                        select(LetterInvoice.invoice_id).where(
                            LetterInvoice.letter_id.in_(letter_ids)
                        )
                    ),
                    Invoice.printed_at.is_(None),
                )
                .values(printed_at=created_at)
                .execution_options(synchronize_session=False)
            )
        audit(
            session,
            actor,
            action="print_letter_batch",
            entity="letter_batch",
            entity_id=batch_id,
            after={
                "kind": kind,
                "letters": len(letter_ids),
                "pages": pages,
                "file": str(path),
                "sha256": digest,
            },
        )
        session.flush()
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return BatchOutcome(
        batch_id=batch_id,
        path=path,
        letters=len(letter_ids),
        pages=pages,
        sha256=digest,
        message=(
            f"Batch {batch_id}: {_plural(len(letter_ids), f'{kind.value} letter')} "
            f"({_plural(pages, 'page')}) written to {path}.{note}"
        ),
    )


def reprint_batch(
    session: Session, actor: StaffIdentity, batch_id: int, *, out_dir: Path
) -> BatchOutcome:
    """Render a printed batch again from its recorded letters to
    ``<out_dir>/<kind>-batch-<id>-reprint.pdf`` and compare it with the recorded checksum.

    The same letters, customers, templates and letterhead give the same bytes; the message
    says when something was edited since and the copy differs from the original.
    """
    require_role(actor, Role.CONTROLLER, "print letters")
    batch = session.get(LetterBatch, batch_id)
    if batch is None:
        raise NotFound(f"There is no letter batch {batch_id}.")
    letter_ids = list(
        session.scalars(select(Letter.id).where(Letter.batch_id == batch_id).order_by(Letter.id))
    )
    sender = ""
    if batch.created_by_id is not None:
        sender = session.scalar(select(Staff.name).where(Staff.id == batch.created_by_id)) or ""
    kind = LetterKind(batch.kind)
    content, pages, note = _render(
        session,
        kind,
        letter_ids,
        created_at=batch.created_at,
        sender=sender,
        progress=None,
        cancel=None,
    )
    path = (out_dir / f"{kind.value}-batch-{batch_id:06d}-reprint.pdf").absolute()
    write_atomically(path, content)
    digest = hashlib.sha256(content).hexdigest()
    same = digest == batch.sha256
    message = (
        f"Batch {batch_id} printed again to {path} ({_plural(pages, 'page')}); "
        + (
            "identical to the original."
            if same
            else "it differs from the original: a customer, template or the letterhead "
            "changed since it was printed."
        )
        + note
    )
    return BatchOutcome(
        batch_id=batch_id,
        path=path,
        letters=len(letter_ids),
        pages=pages,
        sha256=digest,
        message=message,
    )
