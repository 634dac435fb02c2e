"""Opening the dashboard on the demo book: its figures and its four charts.

Measured on a copy of the loaded demo book after one daily check (so the aged balance and
its daily totals exist), each figure the median of several calls:

- *through the domain*: :func:`cctui.domain.dashboard.read_dashboard` and
  :func:`cctui.domain.charts.book.read_book_charts` in one session, what the dashboard's two
  workers read when it opens, against ``read_dashboard`` alone (the figures without charts);
- *press to painted*: in a headless app at 80x24 on the charts tab, from pressing ``r`` until
  both reads are done and the screen has been drawn again.

Budget: the dashboard opens in under half a second.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks.daily_check import RUN_ON, _admin
from benchmarks.harness import Result, ScratchServer
from cctui.db.engine import Database
from cctui.domain.charts.book import read_book_charts
from cctui.domain.daily_check import run_daily_check
from cctui.domain.dashboard import read_dashboard
from cctui.domain.identity import StaffIdentity

BUDGET = "≤ 500 ms"
MIN_REPEATS = 5
WARM_UP = 2


def _median_ms(action: Callable[[], object], repeats: int) -> float:
    for _ in range(WARM_UP):
        action()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


async def _press_to_painted(database: Database, actor: StaffIdentity, repeats: int) -> float:
    """Median ms from pressing ``r`` on the dashboard's charts to both reads painted."""
    from cctui.app import AppContext, CctuiApp

    app = CctuiApp(
        AppContext(
            db=database,
            user=actor,
            today=lambda: RUN_ON,
            daily_check_at_start=False,
            listen=None,
        )
    )
    samples: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("2")
        await pilot.pause()
        for n in range(repeats + WARM_UP):
            started = time.perf_counter()
            await pilot.press("r")
            await app.workers.wait_for_complete()
            await pilot.pause()
            if n >= WARM_UP:
                samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def measure_dashboard(server: ScratchServer, database: str, runs: int) -> list[Result]:
    """Time opening the dashboard on a copy of the loaded book ``database``, checked once."""
    book = server.copy_database(database, "bench_dashboard")
    repeats = max(MIN_REPEATS, runs * 3)
    try:
        actor = _admin(book)
        with book.session() as session:
            run_daily_check(session, actor, run_on=RUN_ON)
        with book.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE"
            )
        with book.session() as session:

            def figures() -> Any:
                return read_dashboard(session, actor, as_of=RUN_ON)

            def everything() -> Any:
                return figures(), read_book_charts(session, as_of=RUN_ON)

            charts = read_book_charts(session, as_of=RUN_ON)
            if not charts.bands.currencies or not charts.weekly:
                raise LookupError("The dashboard's charts found no figures on the demo book.")
            figures_ms = _median_ms(figures, repeats)
            domain_ms = _median_ms(everything, repeats)
        painted_ms = asyncio.run(_press_to_painted(book, actor, repeats))
    finally:
        book.dispose()
        server.drop_database(book.label)
    return [
        Result(
            name="dashboard, figures and four charts through the domain",
            median_ms=domain_ms,
            baseline_name="the figures alone (read_dashboard)",
            baseline_median_ms=figures_ms,
            budget=BUDGET,
            runs=repeats,
        ),
        Result(
            name="dashboard charts at 80x24, r pressed to painted",
            median_ms=painted_ms,
            baseline_name=None,
            baseline_median_ms=None,
            budget=BUDGET,
            runs=repeats,
        ),
    ]
