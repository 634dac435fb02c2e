"""The app's memory with the debtor queue open: the loaded book against a 1,000-customer one.

Each figure is the resident set size (``VmRSS``) of a fresh Python process that imports the
app, opens it headless at 80x24 on the queue screen, waits until the first page is shown,
then reads its own ``/proc/self/status`` — one process per measurement, so nothing of the
benchmark itself is counted. The loaded demo book is compared with a demo book of
:data:`SMALL_BOOK` customers made with the same loader (the loaded book itself when it is
that small). The median of the runs is reported.

The figures are MiB, not milliseconds: the table's "median" and "baseline median" columns
hold MiB for this row. Budget: ≤ 1.2x, memory flat in the book's size.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, func, select

from benchmarks.daily_check import _admin
from benchmarks.demo_load import TODAY
from benchmarks.harness import ROOT, Result, ScratchServer
from cctui.db.engine import Database
from cctui.demo import generate_demo
from cctui.domain.models import Customer

BUDGET = "≤ 1.2x (flat in book size)"
SMALL_BOOK = 1_000
SMALL_DATABASE = "bench_memory_small"
PROBE_URL_ENV = "CCTUI_MEMORY_PROBE_URL"
"""Hands the database URL to the probe process."""


def _rss_mib() -> float:
    """This process's resident set size in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise OSError("/proc/self/status has no VmRSS line.")


async def _open_queue(url: str, label: str) -> float:
    """(Child process) Open the app on the queue and return the RSS in MiB once it shows."""
    from cctui.app import AppContext, CctuiApp

    database = Database(create_engine(url), label=label)
    app = CctuiApp(
        AppContext(
            db=database,
            user=_admin(database),
            start_screen="queue",
            today=lambda: TODAY,
            daily_check_at_start=False,
            listen=None,
        )
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        if app.screen.__class__.__name__ != "QueueScreen":
            raise LookupError("The app did not open the debtor queue.")
        rss = _rss_mib()
    database.dispose()
    return rss


def _child_rss(url: str, label: str) -> float:
    """RSS in MiB of a fresh process with the app's queue open on ``url``."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", label],
        cwd=ROOT,
        env={**os.environ, PROBE_URL_ENV: url},  # not argv: the URL may hold a password
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"The memory probe failed: {done.stderr.strip()[-500:]}")
    return float(done.stdout.strip().splitlines()[-1])


def measure_memory(server: ScratchServer, database: str, runs: int) -> list[Result]:
    """RSS with the queue open on the loaded book ``database`` and on a small demo book."""
    loaded = Database(create_engine(server.url_for(database)), label=database)
    with loaded.session() as session:
        customers = session.scalar(select(func.count()).select_from(Customer)) or 0
    loaded.dispose()
    small, small_customers = database, customers
    if customers > SMALL_BOOK * 3 // 2:
        small_book = server.fresh_database(SMALL_DATABASE)
        generate_demo(small_book, customers=SMALL_BOOK, seed=42, reset=True, today=TODAY)
        small_book.dispose()
        small, small_customers = SMALL_DATABASE, SMALL_BOOK
    try:
        big_rss, small_rss = [], []
        for _ in range(max(runs, 3)):
            big_rss.append(_child_rss(server.url_for(database), database))
            small_rss.append(_child_rss(server.url_for(small), small))
    finally:
        if small != database:
            server.drop_database(small)
    return [
        Result(
            name=f"app RSS with the queue open, {customers:,} customers",
            median_ms=statistics.median(big_rss),
            baseline_name=f"the same on a {small_customers:,}-customer book (MiB)",
            baseline_median_ms=statistics.median(small_rss),
            budget=BUDGET,
            runs=len(big_rss),
            unit="MiB",
        )
    ]


if __name__ == "__main__":
    print(f"{asyncio.run(_open_queue(os.environ[PROBE_URL_ENV], sys.argv[1])):.1f}")
