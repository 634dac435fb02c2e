"""``python -m benchmarks [--quick | --full]``: measure, print, write the results.

Results go to benchmarks/results.json and the table in BENCHMARKS.md.

Measured on one demo book: its load (:mod:`benchmarks.demo_load`), then the daily check, its
second run of the day and the recalculation of every figure on copies of the loaded book
(:mod:`benchmarks.daily_check`), and the debtor queue's pages and search on the loaded book
(:mod:`benchmarks.queue`); then opening a customer, Page Down in the queue screen, app start,
a change heard live, and memory with the queue open (:mod:`benchmarks.customer`,
:mod:`benchmarks.queue_keys`, :mod:`benchmarks.app_start`, :mod:`benchmarks.live`,
:mod:`benchmarks.memory`).

``--quick`` uses a small book and finishes in well under a minute (CI runs it so the scripts
keep working; CI does not judge its timings). ``--full`` uses 100,000 customers and about
1,000,000 invoices. ``--no-write`` prints without touching results.json or BENCHMARKS.md.
"""

from __future__ import annotations

import argparse

from benchmarks.app_start import measure_app_start
from benchmarks.customer import measure_customer
from benchmarks.daily_check import measure_daily_check
from benchmarks.dashboard import measure_dashboard
from benchmarks.demo_load import LOADED_DATABASE, measure_demo_load
from benchmarks.harness import scratch_server, write_results
from benchmarks.importing import measure_import
from benchmarks.letters import measure_letters
from benchmarks.live import measure_live
from benchmarks.memory import measure_memory
from benchmarks.queue import measure_queue
from benchmarks.queue_keys import measure_queue_keys


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and report them."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="a 1,000-customer book (default)")
    size.add_argument("--full", action="store_true", help="a 100,000-customer book")
    parser.add_argument("--customers", type=int, help="any other book size")
    parser.add_argument("--runs", type=int, help="repetitions per measurement")
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave results.json alone"
    )
    args = parser.parse_args(argv)
    customers = args.customers or (100_000 if args.full else 1_000)
    runs = args.runs or (3 if customers <= 10_000 else 1)
    with scratch_server() as server:
        results = measure_demo_load(server, customers, runs)
        results += measure_daily_check(server, LOADED_DATABASE, runs)
        results += measure_queue(server, LOADED_DATABASE, runs)
        results += measure_dashboard(server, LOADED_DATABASE, runs)
        results += measure_import(server, LOADED_DATABASE, runs)
        results += measure_letters(server, LOADED_DATABASE, runs)
        results += measure_customer(server, LOADED_DATABASE, runs)
        results += measure_queue_keys(server, LOADED_DATABASE, runs)
        results += measure_app_start(server, LOADED_DATABASE, runs)
        results += measure_live(server, LOADED_DATABASE, runs)
        results += measure_memory(server, LOADED_DATABASE, runs)
        label = server.label
    for result in results:
        ratio = "" if result.ratio is None else f"  ({result.ratio:.2f}x {result.baseline_name})"
        print(f"{result.name}: {result.show(result.median_ms)}{ratio}  budget {result.budget}")
    if not args.no_write:
        write_results(
            results, data_size=f"{customers:,} customers (cctui demo, seed 42)", server=label
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
