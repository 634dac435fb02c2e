"""How long `cctui demo` takes to load a book, against a bare COPY of the very same rows.

The baseline copies every table's rows out of the loaded book (``COPY … TO``) and times
loading them into an empty, migrated database with plain ``COPY … FROM`` and nothing else:
what PostgreSQL itself needs to take in those rows with the schema's constraints and indexes.
"""

from __future__ import annotations

import io
import statistics
import time
from datetime import date

from sqlalchemy import func, select

from benchmarks.harness import Result, ScratchServer
from cctui.db.engine import Database
from cctui.demo import generate_demo
from cctui.domain.base import Base

TODAY = date(2026, 11, 23)
"""The demo's today: every figure and credit action of the loaded book is as of this day."""
LOADED_DATABASE = "bench_demo"
"""The database holding the loaded book once :func:`measure_demo_load` returns."""


def _dump(database: Database) -> list[tuple[str, bytes]]:
    """Every table's rows as COPY text, parents before children."""
    dumps = []
    with database.engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        for table in Base.metadata.sorted_tables:
            buffer = io.BytesIO()
            with cursor.copy(f'COPY "{table.name}" TO STDOUT') as copy:
                for chunk in copy:
                    buffer.write(chunk)
            dumps.append((table.name, buffer.getvalue()))
    return dumps


def _bare_copy(database: Database, dumps: list[tuple[str, bytes]]) -> float:
    """Seconds to COPY ``dumps`` into ``database`` in one transaction."""
    with database.engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        started = time.perf_counter()
        for name, data in dumps:
            with cursor.copy(f'COPY "{name}" FROM STDIN') as copy:
                copy.write(data)
        connection.commit()
        return time.perf_counter() - started


def measure_demo_load(server: ScratchServer, customers: int, runs: int) -> list[Result]:
    """Load a demo book of ``customers`` customers ``runs`` times, and its bare COPY.

    The book stays loaded in :data:`LOADED_DATABASE`, with no connection open to it.
    """
    loaded = server.fresh_database(LOADED_DATABASE)
    demo_seconds = []
    invoices = 0
    for _ in range(runs):
        summary = generate_demo(loaded, customers=customers, seed=42, reset=True, today=TODAY)
        demo_seconds.append(summary.elapsed_seconds)
        invoices = summary.invoices
    dumps = _dump(loaded)
    copy_seconds = []
    for attempt in range(runs):
        target = server.fresh_database(f"bench_copy_{attempt}")
        copy_seconds.append(_bare_copy(target, dumps))
        target.dispose()
    with loaded.session() as session:
        rows = sum(
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        )
    loaded.dispose()
    return [
        Result(
            name=(f"demo load, {customers:,} customers / {invoices:,} invoices / {rows:,} rows"),
            median_ms=statistics.median(demo_seconds) * 1000,
            baseline_name="bare COPY of the same rows",
            baseline_median_ms=statistics.median(copy_seconds) * 1000,
            budget="< 60 s at 100,000 customers",
            runs=runs,
        )
    ]
