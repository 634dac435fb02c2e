"""The staging table of a bulk import: a TEMP table filled with ``COPY … FROM STDIN``.

Checked rows are turned into COPY text lines here (values escaped, NULL as ``\\N``) and sent
in batches by a background thread through one COPY, so the server stores a batch while
Python checks the next one: on two cores the two overlap.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Sequence
from types import TracebackType

from sqlalchemy import text
from sqlalchemy.orm import Session

from cctui.domain.prepared import driver_connection

BATCH_ROWS = 20_000
"""Rows per batch handed to the COPY thread."""

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SPECIAL = re.compile(r"[\\\t\n\r]")
_DONE = None
_ABORT = ""
"""Handed to the COPY thread when the caller failed: the COPY is cancelled (CopyFail)."""


class CopyAborted(Exception):
    """Raised inside the COPY block to make psycopg cancel it."""


def copy_value(value: object) -> str:
    """A value in COPY's text format (dates and Decimals print as PostgreSQL reads them)."""
    if value is None:
        return "\\N"
    shown = value if isinstance(value, str) else str(value)
    if _SPECIAL.search(shown) is None:
        return shown
    return shown.translate(_ESCAPES)


def create_staging(session: Session, name: str, columns: Sequence[tuple[str, str]]) -> None:
    """(Re)create the TEMP table ``name`` with ``(column, type)`` columns, dropped at commit."""
    definition = ", ".join(f"{column} {kind}" for column, kind in columns)
    session.execute(text(f"DROP TABLE IF EXISTS {name}"))
    session.execute(text(f"CREATE TEMP TABLE {name} ({definition}) ON COMMIT DROP"))


def drop_staging(session: Session, name: str) -> None:
    """Drop the TEMP table ``name`` now (a later import in the same transaction makes its own)."""
    session.execute(text(f"DROP TABLE IF EXISTS {name}"))


class StagingCopy:
    """Collects rows and COPYs them into a table, one COPY fed by a background thread.

    Use it as a context manager: a normal exit sends the last rows, waits for the COPY and
    raises its error, if any; an exit by an exception cancels the COPY (the connection is
    usable again) and lets the exception through. The caller must not use the session in
    between.
    """

    def __init__(self, session: Session, table: str, columns: Sequence[str]) -> None:
        self._connection = driver_connection(session)
        self._statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        self._lines: list[str] = []
        self._batches: queue.Queue[str | None] = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self.count = 0

    def _copy(self) -> None:
        finished = False
        try:
            with self._connection.cursor() as cursor, cursor.copy(self._statement) as copy:
                while (batch := self._batches.get()) is not _DONE:
                    if batch == _ABORT:
                        finished = True
                        raise CopyAborted
                    copy.write(batch)
                finished = True
        except BaseException as error:  # handed to the caller's thread on exit
            self._error = error
            while not finished:  # let the caller finish queueing
                finished = self._batches.get() in (_DONE, _ABORT)

    def __enter__(self) -> StagingCopy:
        self._thread = threading.Thread(target=self._copy, name="cctui-import-copy", daemon=True)
        self._thread.start()
        return self

    def add(self, values: Sequence[object]) -> None:
        """Queue one row (its values in the order of the columns)."""
        self._lines.append("\t".join([copy_value(value) for value in values]))
        self.count += 1
        if len(self._lines) >= BATCH_ROWS:
            self._send()

    def _send(self) -> None:
        if self._lines:
            self._batches.put("\n".join(self._lines) + "\n")
            self._lines = []

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self._send()
        self._batches.put(_DONE if exc is None else _ABORT)
        if self._thread is not None:
            self._thread.join()
        if exc is None and self._error is not None:
            raise self._error
