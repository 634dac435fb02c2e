"""Shared machinery: a scratch PostgreSQL, repeated timings, results.json and BENCHMARKS.md."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from cctui.config import DatabaseTarget
from cctui.db.engine import Database
from cctui.db.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
RESULTS_JSON = ROOT / "benchmarks" / "results.json"
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
BENCH_DATABASE_URL_ENV = "CCTUI_BENCH_DATABASE_URL"


@dataclass(frozen=True)
class Result:
    """One measurement: its median, its baseline's median in the same run, and its budget."""

    name: str
    median_ms: float
    baseline_name: str | None
    baseline_median_ms: float | None
    budget: str
    runs: int
    unit: str = "ms"
    """What ``median_ms`` and ``baseline_median_ms`` count: milliseconds, or ``MiB``."""

    def show(self, value: float | None) -> str:
        """A median of this measurement for people, in its unit."""
        if value is None:
            return "—"
        return format_ms(value) if self.unit == "ms" else f"{value:,.0f} {self.unit}"

    @property
    def ratio(self) -> float | None:
        """How many times the baseline this measurement took."""
        if not self.baseline_median_ms:
            return None
        return self.median_ms / self.baseline_median_ms

    def as_json(self) -> dict[str, object]:
        """The object written to results.json."""
        data: dict[str, object] = asdict(self)
        data["ratio"] = None if self.ratio is None else round(self.ratio, 3)
        return data


class ScratchServer:
    """A PostgreSQL for one benchmark run: a private embedded one, or the server in
    ``CCTUI_BENCH_DATABASE_URL``; every database it makes is dropped at the end."""

    def __init__(self) -> None:
        self._tempdir: Path | None = None
        self._server: object | None = None
        configured = os.environ.get(BENCH_DATABASE_URL_ENV, "").strip()
        if configured:
            self.url = DatabaseTarget.server(configured).url or ""
            self.label = make_url(self.url).render_as_string(hide_password=True)
        else:
            from cctui.db.embedded import get_server, socket_url

            self._tempdir = Path(tempfile.mkdtemp(prefix="cctui-bench-"))
            server = get_server(self._tempdir / "pgdata", cleanup_mode="delete")
            self._server = server
            self.url = socket_url(server.get_postmaster_info(), database="postgres")
            self.label = "embedded PostgreSQL 18"
        self._admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self._made: list[str] = []

    def url_for(self, name: str) -> str:
        """The URL of database ``name`` on this server."""
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def fresh_database(self, name: str) -> Database:
        """A new database migrated to head."""
        with self._admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        self._made.append(name)
        database = Database(create_engine(self.url_for(name)), label=name)
        upgrade(database)
        return database

    def copy_database(self, source: str, name: str) -> Database:
        """A new database ``name`` holding a copy of ``source`` (``CREATE DATABASE … TEMPLATE``).

        Nothing may be connected to ``source``: dispose its engines first. The server is then
        checkpointed when the role may, so that the first statement timed on the copy does
        not pay for writing out the pages the copy left dirty in shared buffers.
        """
        with self._admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        self._made.append(name)
        self.checkpoint()
        return Database(create_engine(self.url_for(name)), label=name)

    def checkpoint(self) -> None:
        """Write out every dirty page now (when the role may), so that what a setup step
        wrote is not written out by the server in the middle of the next measurement."""
        with self._admin.connect() as connection, contextlib.suppress(DBAPIError):
            connection.exec_driver_sql("CHECKPOINT")  # needs pg_checkpoint

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` now (its engines must be disposed) rather than at the end."""
        with self._admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        """Drop every database made here and stop a private server."""
        with self._admin.connect() as connection:
            for name in self._made:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._admin.dispose()
        cleanup = getattr(self._server, "cleanup", None)
        if cleanup is not None:
            cleanup()
        if self._tempdir is not None:
            shutil.rmtree(self._tempdir, ignore_errors=True)


@contextmanager
def scratch_server() -> Iterator[ScratchServer]:
    """A :class:`ScratchServer` closed at the end of the block."""
    server = ScratchServer()
    try:
        yield server
    finally:
        server.close()


def machine_description() -> str:
    """CPU count, memory and Python of this machine, for the report."""
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        first = meminfo.read_text().splitlines()[0].split()
        memory = f", {int(first[1]) / 1024 / 1024:.0f} GiB"
    return (
        f"{os.cpu_count()} cores{memory}, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}"
    )


def write_results(results: list[Result], *, data_size: str, server: str) -> None:
    """Write results.json and the table in BENCHMARKS.md."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    RESULTS_JSON.write_text(
        json.dumps(
            {
                "date": when,
                "machine": machine_description(),
                "data": data_size,
                "server": server,
                "results": [result.as_json() for result in results],
            },
            indent=2,
        )
        + "\n"
    )
    lines = [
        "# Benchmarks",
        "",
        "Written by `python -m benchmarks`; each figure is the median of several runs, beside",
        "the physical limit it is compared with, measured in the same run on the same data.",
        "",
        f"- date: {when}",
        f"- machine: {machine_description()}",
        f"- database: {server}",
        f"- data: {data_size}",
        "",
        "| measurement | median | baseline | baseline median | ratio | budget |",
        "| --- | ---: | --- | ---: | ---: | --- |",
    ]
    for result in results:
        baseline = result.baseline_name or "—"
        baseline_ms = result.show(result.baseline_median_ms)
        ratio = "—" if result.ratio is None else f"{result.ratio:.2f}x"
        lines.append(
            f"| {result.name} | {result.show(result.median_ms)} | {baseline} | {baseline_ms} "
            f"| {ratio} | {result.budget} |"
        )
    BENCHMARKS_MD.write_text("\n".join(lines) + "\n")


def format_ms(value: float) -> str:
    """Milliseconds for people: ``0.42 ms``, ``38 ms``, ``43.6 s``."""
    if value >= 10_000:
        return f"{value / 1000:.1f} s"
    if value >= 10:
        return f"{value:.0f} ms"
    return f"{value:.2f} ms"
