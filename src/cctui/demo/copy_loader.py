"""Stream generated rows into PostgreSQL with ``COPY ... FROM STDIN``.

Generation is Python work and loading is server work, so a :class:`CopyWriter` sends each
batch from a background thread while the caller builds the next one: on two cores the
two overlap. The COPY uses ``FREEZE`` (the tables were truncated in the same transaction),
so the loaded rows need no hint-bit or freeze pass later.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence

import psycopg
from psycopg import sql

from cctui.demo.copy_rows import TableRows

_DONE = None


def copy_statement(rows: TableRows, *, freeze: bool = True) -> sql.Composed:
    """``COPY table (columns) FROM STDIN`` for ``rows``, with ``FREEZE`` when asked."""
    return sql.SQL("COPY {} ({}) FROM STDIN{}").format(
        sql.Identifier(rows.name),
        sql.SQL(", ").join(sql.Identifier(column) for column in rows.columns),
        sql.SQL(" (FREEZE)") if freeze else sql.SQL(""),
    )


class CopyWriter:
    """Copies batches of table rows on a background thread, in the order submitted.

    The connection belongs to the writer between construction and :meth:`close`; the
    caller must not use it meanwhile. An error on the writer thread is raised again by the
    next :meth:`submit` or by :meth:`close`.
    """

    def __init__(self, conn: psycopg.Connection[object], *, freeze: bool = True) -> None:
        self._conn = conn
        self._freeze = freeze
        self._statements: dict[str, sql.Composed] = {}
        self._queue: queue.Queue[list[tuple[sql.Composed, str]] | None] = queue.Queue(2)
        self._error: BaseException | None = None
        self._failed = False
        self._thread = threading.Thread(target=self._run, name="cctui-demo-copy", daemon=True)
        self._thread.start()

    def submit(self, tables: Sequence[TableRows]) -> None:
        """Queue the pending lines of ``tables`` (taking them) to be copied in that order."""
        self._raise_pending()
        batch: list[tuple[sql.Composed, str]] = []
        for rows in tables:
            if not rows.lines:
                continue
            statement = self._statements.get(rows.name)
            if statement is None:
                statement = self._statements[rows.name] = copy_statement(rows, freeze=self._freeze)
            batch.append((statement, rows.take()))
        if batch:
            self._queue.put(batch)

    def close(self, *, check: bool = True) -> None:
        """Wait until everything submitted is copied (or skipped after an error); then, with
        ``check``, raise the writer's error if there was one."""
        if self._thread.is_alive():
            self._queue.put(_DONE)
            self._thread.join()
        if check:
            self._raise_pending()

    def _raise_pending(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _run(self) -> None:
        with self._conn.cursor() as cursor:
            while True:
                batch = self._queue.get()
                if batch is _DONE:
                    return
                if self._failed:
                    continue
                try:
                    for statement, data in batch:
                        with cursor.copy(statement) as copy:
                            copy.write(data)
                except BaseException as error:  # handed to the caller's thread
                    self._failed = True
                    self._error = error
