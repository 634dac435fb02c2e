"""App start to the first screen drawn (pilot), against a bare Textual app in the same run.

Both sides run headless at 80x24 in this process, modules already imported (a first,
untimed start of each warms them), alternately:

- *cctui*: from building :class:`cctui.app.CctuiApp` on the loaded demo book (no daily check
  at start, no change listener) and entering ``App.run_test`` until the dashboard's reads
  have finished and the screen has been drawn with their figures;
- *bare*: the same for a Textual ``App`` composing one ``Static``.

The interpreter's own start and imports are not in either figure. Budget: ≤ 2x the bare
app and ≤ 1.0 s.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from sqlalchemy import create_engine
from textual.app import App, ComposeResult
from textual.widgets import Static

from benchmarks.daily_check import _admin
from benchmarks.demo_load import TODAY
from benchmarks.harness import Result, ScratchServer
from cctui.db.engine import Database
from cctui.domain.identity import StaffIdentity

BUDGET = "≤ 2x, ≤ 1.0 s"
MIN_REPEATS = 5


class BareApp(App[None]):
    """A Textual app showing one line."""

    def compose(self) -> ComposeResult:
        """One Static."""
        yield Static("Hello")


async def _bare_start() -> float:
    started = time.perf_counter()
    app = BareApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        return time.perf_counter() - started


async def _cctui_start(database: Database, actor: StaffIdentity) -> float:
    from cctui.app import AppContext, CctuiApp

    started = time.perf_counter()
    app = CctuiApp(
        AppContext(
            db=database, user=actor, today=lambda: TODAY, daily_check_at_start=False, listen=None
        )
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        return time.perf_counter() - started


def measure_app_start(server: ScratchServer, database: str, runs: int) -> list[Result]:
    """Time starting the app on the loaded book ``database`` and a bare Textual app."""
    book = Database(create_engine(server.url_for(database)), label=database)
    repeats = max(MIN_REPEATS, runs * 2)
    cctui: list[float] = []
    bare: list[float] = []
    try:
        actor = _admin(book)
        asyncio.run(_cctui_start(book, actor))
        asyncio.run(_bare_start())
        for _ in range(repeats):
            cctui.append(asyncio.run(_cctui_start(book, actor)))
            bare.append(asyncio.run(_bare_start()))
    finally:
        book.dispose()
    return [
        Result(
            name="app start to the dashboard drawn at 80x24 (pilot)",
            median_ms=statistics.median(cctui) * 1000,
            baseline_name="a bare Textual app with one Static",
            baseline_median_ms=statistics.median(bare) * 1000,
            budget=BUDGET,
            runs=repeats,
        )
    ]
