"""Running an import: who may, one at a time, all or nothing (or the good rows), dry runs,
the customers' figures, the reject file and the audit row."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from cctui.domain.audit import WHOLE_BOOK, BookChange, audit, notify_change
from cctui.domain.authz import require_role
from cctui.domain.editing import today
from cctui.domain.errors import ValidationError
from cctui.domain.figures import refresh_balances
from cctui.domain.identity import StaffIdentity
from cctui.domain.importing.customers import import_customers
from cctui.domain.importing.invoices import import_invoices
from cctui.domain.importing.layouts import LAYOUTS
from cctui.domain.importing.parse import ImportFile
from cctui.domain.importing.payments import import_payments
from cctui.domain.importing.rejects import write_rejects
from cctui.domain.importing.report import ImportReport, Outcome, Progress, no_progress
from cctui.domain.models import Role

IMPORT_ROLE = Role.SUPERVISOR
"""Imports change limits, invoices and payments of the whole book: supervisors and admins."""

_ONE_AT_A_TIME = text("SELECT pg_advisory_xact_lock(hashtext('cctui import'))")


def _run(
    session: Session,
    actor: StaffIdentity,
    source: ImportFile,
    *,
    skip_bad: bool,
    as_of: date,
    progress: Progress,
) -> Outcome:
    kind = source.layout.name
    if kind == "customers":
        return import_customers(session, actor, source, skip_bad=skip_bad, progress=progress)
    if kind == "invoices":
        return import_invoices(session, source, skip_bad=skip_bad, as_of=as_of, progress=progress)
    return import_payments(session, actor, source, skip_bad=skip_bad, progress=progress)


def run_import(
    session: Session,
    actor: StaffIdentity,
    kind: str,
    path: Path,
    *,
    dry_run: bool = False,
    skip_bad: bool = False,
    as_of: date | None = None,
    progress: Progress = no_progress,
) -> ImportReport:
    """Import ``path`` as ``kind`` (customers, invoices or payments) in ``session``'s
    transaction and say what changed.

    A file with any bad value imports nothing (:class:`ImportRefused` names each one), unless
    ``skip_bad``: then the good rows are imported and the bad ones written to
    ``NAME.rejects.csv`` beside the file. ``dry_run`` does all the work inside a savepoint and
    rolls it back: the report says what would change, the book and the disk stay as they
    were. Imports run one at a time (an advisory lock) and end with the maintained figures of
    every customer whose invoices moved refreshed for ``as_of`` and one audit row with the
    counts. Supervisors and admins.
    """
    require_role(actor, IMPORT_ROLE, f"import {kind}")
    layout = LAYOUTS.get(kind)
    if layout is None:
        raise ValidationError(f"There is no {kind!r} import; choose {', '.join(LAYOUTS)}.")
    source = ImportFile(path, layout)
    day = today(as_of)
    session.flush()
    savepoint = session.begin_nested()
    try:
        session.execute(_ONE_AT_A_TIME)
        outcome = _run(session, actor, source, skip_bad=skip_bad, as_of=day, progress=progress)
        refresh_balances(session, outcome.touched_customers, day)
        report = ImportReport(
            kind=kind,
            file=source.name,
            delimiter=source.delimiter,
            rows=outcome.rows,
            inserted=outcome.inserted,
            updated=outcome.updated,
            unchanged=outcome.unchanged,
            rejected=outcome.rejected,
            dry_run=dry_run,
            rejects_file=None,
            errors=tuple(sorted(outcome.errors, key=lambda error: error.line)),
        )
        if outcome.errors and not dry_run:
            report = _with_rejects(report, write_rejects(source, report.errors))
        audit(
            session,
            actor,
            action=f"import_{kind}",
            entity=WHOLE_BOOK,
            after=report.as_dict(),
            notify=False,
        )
        notify_change(session, BookChange(None, WHOLE_BOOK, f"import_{kind}", None))
        session.flush()
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    session.expire_all()
    return report


def _with_rejects(report: ImportReport, path: Path) -> ImportReport:
    return ImportReport(
        kind=report.kind,
        file=report.file,
        delimiter=report.delimiter,
        rows=report.rows,
        inserted=report.inserted,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=report.rejected,
        dry_run=report.dry_run,
        rejects_file=str(path),
        errors=report.errors,
    )
