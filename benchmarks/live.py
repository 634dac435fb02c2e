"""A change committed on one connection, seen by a listening app, against bare LISTEN/NOTIFY.

Measured on a copy of the loaded demo book, both sides in the same run:

- *app*: a headless :class:`cctui.app.CctuiApp` on the dashboard with its usual change
  listener (:mod:`cctui.db.listener` on a connection of its own, through
  :mod:`cctui.live`). A note is added with :func:`cctui.domain.workflow.notes.add_note` on
  another connection; the time runs from just before its commit until the app has posted
  the change to its screens (``LiveUpdates.bursts`` goes up on the app's thread). The
  listener gathers each burst for ``GATHER_SECONDS`` before handing it over, by design.
- *bare*: ``NOTIFY`` on one autocommit psycopg connection until ``notifies()`` yields it
  on another that is listening.

Budget: ≤ 1 s.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from sqlalchemy import text

from benchmarks.daily_check import _admin
from benchmarks.demo_load import TODAY
from benchmarks.harness import Result, ScratchServer
from cctui.db.engine import Database
from cctui.db.listener import connect_to
from cctui.domain.identity import StaffIdentity
from cctui.domain.workflow.notes import add_note

BUDGET = "≤ 1 s"
MIN_REPEATS = 5
TIMEOUT = 10.0
"""Seconds to wait for a change before the benchmark gives up."""


async def _app_latencies(database: Database, actor: StaffIdentity, repeats: int) -> list[float]:
    """Seconds from a note's commit until the app posted the change, ``repeats`` times."""
    from cctui.app import AppContext, CctuiApp

    with database.session() as session:
        customer_id = int(session.execute(text("SELECT min(id) FROM customer")).scalar_one())
    app = CctuiApp(
        AppContext(db=database, user=actor, today=lambda: TODAY, daily_check_at_start=False)
    )
    samples: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        deadline = time.monotonic() + TIMEOUT
        while not app.live.connected:
            if time.monotonic() > deadline:
                raise TimeoutError("The app's change listener did not connect.")
            await asyncio.sleep(0.01)
        await app.workers.wait_for_complete()
        for n in range(repeats):
            before = app.live.bursts
            with database.session() as session:
                add_note(session, actor, customer_id=customer_id, body=f"benchmark note {n}")
                started = time.perf_counter()
            while app.live.bursts == before:
                if time.perf_counter() - started > TIMEOUT:
                    raise TimeoutError("The app never heard of the committed note.")
                await asyncio.sleep(0.001)
            samples.append(time.perf_counter() - started)
            await app.workers.wait_for_complete()  # the dashboard may re-read
            await pilot.pause()
    return samples


def _bare_latencies(database: Database, repeats: int) -> list[float]:
    """Seconds from NOTIFY on one connection until another listening one receives it."""
    connect = connect_to(database)  # plain autocommit psycopg connections
    samples: list[float] = []
    with connect() as listener, connect() as sender:
        listener.execute("LISTEN cctui_bench")
        for n in range(repeats):
            started = time.perf_counter()
            sender.execute("SELECT pg_notify('cctui_bench', %s)", (str(n),))
            heard: list[Any] = list(listener.notifies(timeout=TIMEOUT, stop_after=1))
            if not heard:
                raise TimeoutError("The bare listener never heard the NOTIFY.")
            samples.append(time.perf_counter() - started)
    return samples


def measure_live(server: ScratchServer, database: str, runs: int) -> list[Result]:
    """Time a committed note reaching a listening app on a copy of ``database``."""
    book = server.copy_database(database, "bench_live")
    repeats = max(MIN_REPEATS, runs * 2)
    try:
        actor = _admin(book)
        bare_samples = _bare_latencies(book, 3)  # untimed: a first connection warms up
        app_samples = asyncio.run(_app_latencies(book, actor, repeats))
        bare_samples = _bare_latencies(book, repeats * 3)
    finally:
        book.dispose()
        server.drop_database(book.label)
    return [
        Result(
            name="a note committed on one connection, seen by a listening app",
            median_ms=statistics.median(app_samples) * 1000,
            baseline_name="bare LISTEN/NOTIFY on two psycopg connections",
            baseline_median_ms=statistics.median(bare_samples) * 1000,
            budget=BUDGET,
            runs=repeats,
        )
    ]
