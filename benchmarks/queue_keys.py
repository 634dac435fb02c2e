"""Page Down in the debtor queue screen: from the key to the screen drawn again (pilot).

Measured in a headless app at 80x24 on the loaded demo book, as of the demo's today, with
the queue open and its first page shown: each of :data:`PRESSES` Page Down presses is timed
from the key until every worker it started (the next page's read, which the table starts
as the cursor nears the end of the rows it holds) has finished and the screen has been
drawn again, so a press that only starts a read ahead pays for that read too. The median
over the presses is reported, and the slowest press too, since a page read is paid on only
some of them. Timing stops early when the cursor reaches the last debtor.

The budget is absolute, ≤ 50 ms per key, and the issue names no baseline. Beside each Page
Down, a key nothing is bound to is timed the same way, for reference only: the pilot itself
waits for the app to go idle, tens of milliseconds on its own, so that figure
is the floor under any key measured this way, not a physical limit to compare with.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from sqlalchemy import create_engine
from textual.pilot import Pilot

from benchmarks.daily_check import _admin
from benchmarks.demo_load import TODAY
from benchmarks.harness import Result, ScratchServer
from cctui.db.engine import Database
from cctui.domain.identity import StaffIdentity
from cctui.widgets.keyset_table import KeysetTable

BUDGET = "≤ 50 ms"
PRESSES = 30
UNBOUND_KEY = "f20"
"""A key nothing is bound to: pressing it times the pilot's own wait for a quiet app."""
WARM_UP = 2


async def _timed_press(pilot: Pilot[None], key: str) -> float:
    """Seconds from pressing ``key`` until its workers are done and the screen is drawn."""
    started = time.perf_counter()
    await pilot.press(key)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return time.perf_counter() - started


async def _presses(
    database: Database, actor: StaffIdentity, count: int
) -> tuple[list[float], list[float], int]:
    """Seconds each Page Down and each unbound key took to be painted, and how many
    debtors the cursor passed."""
    from cctui.app import AppContext, CctuiApp

    app = CctuiApp(
        AppContext(
            db=database,
            user=actor,
            start_screen="queue",
            today=lambda: TODAY,
            daily_check_at_start=False,
            listen=None,
        )
    )
    samples: list[float] = []
    floor: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#queue-table", KeysetTable)
        for n in range(count + WARM_UP):
            row = table.position
            unbound = await _timed_press(pilot, UNBOUND_KEY)
            elapsed = await _timed_press(pilot, "pagedown")
            if table.position == row:
                break  # the last debtor: nothing moves any more
            if n >= WARM_UP:
                samples.append(elapsed)
                floor.append(unbound)
        passed = table.position or 0
    return samples, floor, passed


def measure_queue_keys(server: ScratchServer, database: str, runs: int) -> list[Result]:
    """Time Page Down in the queue screen on the loaded book ``database``."""
    book = Database(create_engine(server.url_for(database)), label=database)
    try:
        actor = _admin(book)
        samples, floor, passed = asyncio.run(_presses(book, actor, max(PRESSES, runs * 10)))
    finally:
        book.dispose()
    if not samples:
        raise LookupError("The queue on the demo book is too short to page down in.")
    return [
        Result(
            name=f"queue screen at 80x24, Page Down to painted (median of {len(samples)})",
            median_ms=statistics.median(samples) * 1000,
            baseline_name=f"an unbound key ({UNBOUND_KEY}), the pilot's own wait",
            baseline_median_ms=statistics.median(floor) * 1000,
            budget=BUDGET,
            runs=len(samples),
        ),
        Result(
            name=f"queue screen at 80x24, slowest Page Down ({passed:,} rows passed)",
            median_ms=max(samples) * 1000,
            baseline_name=None,
            baseline_median_ms=None,
            budget=BUDGET,
            runs=len(samples),
        ),
    ]
