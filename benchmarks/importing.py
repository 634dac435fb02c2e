"""``cctui import invoices`` of a generated file, against a bare COPY of the same file.

A CSV of new invoices for the demo book's customers (10 per customer, at most 1,000,000: so
the 100,000-customer book imports a million) is written once. Each run takes a fresh copy
of the loaded book and times, on it:

- *import invoices*: :func:`cctui.domain.importing.run_import` through a session, committed:
  reading and checking every row, COPY into the staging table, the checks against the book,
  the upsert, the customers' figures and the audit row;
- its baseline, the physical limit: ``COPY … (FORMAT csv, HEADER)`` of the same file into a
  plain table with the same columns, on the same copy, in the same run;
- *re-import of the same file*: the import again, which must change nothing.

After the first import the customers' maintained figures must equal the truth
(:func:`cctui.domain.recalc.recalculate_figures` corrects nothing), or the benchmark stops.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, select

from benchmarks.demo_load import TODAY
from benchmarks.harness import Result, ScratchServer
from cctui.db.engine import Database
from cctui.domain.identity import StaffIdentity
from cctui.domain.importing import ImportReport, run_import
from cctui.domain.models import Customer, Role, Staff
from cctui.domain.recalc import recalculate_figures

INVOICES_PER_CUSTOMER = 10
MAX_INVOICES = 1_000_000
BARE_TABLE = """
CREATE TABLE bench_import_copy (
    number text, account text, issued_on date, due_on date, amount numeric(14, 2),
    currency text, description text
)
"""


def _admin(database: Database) -> StaffIdentity:
    with database.session() as session:
        staff = session.scalars(select(Staff).where(Staff.role == Role.ADMIN)).first()
        if staff is None:
            raise RuntimeError("the demo book has no admin")
        return StaffIdentity(staff.id, staff.login, staff.name, staff.role)


def write_invoice_file(database: Database, path: Path) -> int:
    """Write new invoices for the book's customers to ``path``; return how many."""
    with database.session() as session:
        customers = session.execute(
            select(Customer.account, Customer.currency).order_by(Customer.id)
        ).all()
    total = min(MAX_INVOICES, INVOICES_PER_CUSTOMER * len(customers))
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("number,account,issued_on,due_on,amount,currency,description\n")
        for n in range(total):
            account, currency = customers[n % len(customers)]
            issued = TODAY - timedelta(days=n % 120)
            due = issued + timedelta(days=30)
            cents = 1000 + (n * 7919) % 500_000
            out.write(
                f"IMP-{n:07d},{account},{issued.isoformat()},{due.isoformat()},"
                f"{cents // 100}.{cents % 100:02d},{currency},Imported {n}\n"
            )
    return total


def _bare_copy(database: Database, path: Path) -> float:
    """Seconds to COPY ``path`` into a plain table (created and dropped around it)."""
    raw = database.engine.raw_connection()
    try:
        connection = raw.driver_connection
        assert connection is not None
        with connection.cursor() as cursor:
            cursor.execute(BARE_TABLE)
            connection.commit()
            started = time.perf_counter()
            with (
                cursor.copy("COPY bench_import_copy FROM STDIN (FORMAT csv, HEADER)") as copy,
                path.open("rb") as source,
            ):
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
            connection.commit()
            seconds = time.perf_counter() - started
            cursor.execute("DROP TABLE bench_import_copy")
            connection.commit()
    finally:
        raw.close()
    return seconds


def _import(database: Database, actor: StaffIdentity, path: Path) -> tuple[float, ImportReport]:
    started = time.perf_counter()
    with database.session() as session:
        report = run_import(session, actor, "invoices", path, as_of=TODAY)
    return time.perf_counter() - started, report


def _figures_exact(database: Database, actor: StaffIdentity) -> None:
    with database.session() as session:
        corrected = recalculate_figures(session, actor, all_customers=True, as_of=TODAY)
        if corrected.corrected:
            raise RuntimeError(f"the import left {len(corrected.corrected)} figures wrong")
        session.rollback()


def measure_import(server: ScratchServer, source: str, runs: int) -> list[Result]:
    """Measure the import of a generated invoice file into copies of ``source``."""
    book = Database(create_engine(server.url_for(source)), label=source)
    actor = _admin(book)
    folder = Path(tempfile.mkdtemp(prefix="cctui-bench-import-"))
    path = folder / "invoices.csv"
    try:
        total = write_invoice_file(book, path)
        book.dispose()
        imports: list[float] = []
        copies: list[float] = []
        again: list[float] = []
        for attempt in range(runs):
            copy = server.copy_database(source, f"bench_import_{attempt}")
            try:
                copies.append(_bare_copy(copy, path))
                seconds, report = _import(copy, actor, path)
                if report.inserted != total:
                    raise RuntimeError(f"imported {report.inserted} of {total} invoices")
                imports.append(seconds)
                if attempt == 0:
                    _figures_exact(copy, actor)
                seconds, report = _import(copy, actor, path)
                if (report.inserted, report.updated) != (0, 0):
                    raise RuntimeError("re-importing the same file changed the book")
                again.append(seconds)
            finally:
                copy.dispose()
                server.drop_database(copy.label)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return [
        Result(
            name=f"import {total:,} invoices",
            median_ms=statistics.median(imports) * 1000,
            baseline_name="bare COPY of the same file",
            baseline_median_ms=statistics.median(copies) * 1000,
            budget="< 60 s",
            runs=runs,
        ),
        Result(
            name=f"re-import of the same {total:,} invoices (no change)",
            median_ms=statistics.median(again) * 1000,
            baseline_name="bare COPY of the same file",
            baseline_median_ms=statistics.median(copies) * 1000,
            budget="< 60 s",
            runs=runs,
        ),
    ]
