"""Page Down in the debtor queue screen: from the key to the screen drawn again (pilot).

Measured in a headless app at 80x24 on the loaded demo book, as of the demo's today, with
the queue open and its first page shown. Each of :data:`PRESSES` Page Down keys is handed
to the app the way the terminal driver hands it one, and timed from then to the last frame
the app drew because of it (:class:`~benchmarks.frames.FrameClock`): the pilot only waits
until every worker the key started (the next page's read, which the table starts as the
cursor nears the end of the rows it holds) has finished and the app is quiet, so a press
that had to wait for a page read pays for it, while the pilot's own waiting is not
counted. The median over the presses is reported, and the slowest press too, since a page
read is paid on only some of them. Timing stops early when the cursor reaches the last
debtor.

The budget is absolute, ≤ 50 ms per key, and the issue names no baseline. Beside each Page
Down, a key nothing is bound to is timed the same way, for reference: what the app spends
on a key that changes nothing.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from sqlalchemy import create_engine
from textual import events
from textual.pilot import Pilot

from benchmarks.daily_check import _admin
from benchmarks.demo_load import TODAY
from benchmarks.frames import FrameClock
from benchmarks.harness import Result, ScratchServer
from cctui.db.engine import Database
from cctui.domain.identity import StaffIdentity
from cctui.widgets.keyset_table import KeysetTable

BUDGET = "≤ 50 ms"
PRESSES = 30
UNBOUND_KEY = "f20"
"""A key nothing is bound to: pressing it times the pilot's own wait for a quiet app."""
WARM_UP = 2


async def _timed_press(pilot: Pilot[None], clock: FrameClock, key: str) -> float:
    """Seconds from handing ``key`` to the app until the last frame it caused was drawn
    (0 when it drew nothing)."""
    driver = pilot.app._driver
    assert driver is not None
    event = events.Key(key, None)
    event.set_sender(pilot.app)
    started = time.perf_counter()
    driver.send_message(event)
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    drawn = clock.last_after(started)
    return 0.0 if drawn is None else drawn - started


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
    clock = FrameClock(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#queue-table", KeysetTable)
        for n in range(count + WARM_UP):
            row = table.position
            unbound = await _timed_press(pilot, clock, UNBOUND_KEY)
            elapsed = await _timed_press(pilot, clock, "pagedown")
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
            baseline_name=f"an unbound key ({UNBOUND_KEY}) timed the same way",
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
