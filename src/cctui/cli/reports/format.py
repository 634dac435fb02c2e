"""Rendering report rows as an aligned table, CSV or JSON, for scripts and people.

A report is a list of :class:`Column` s and the rows (any objects) they read from. JSON is
an array of objects keyed by the columns' snake_case keys; amounts stay exact (strings with
their decimals), dates are ISO, enums are their values, absent values are null.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from rich.cells import cell_len

FORMATS = ("table", "csv", "json")
"""The formats every report prints."""


@dataclass(frozen=True)
class Column:
    """One column of a report: its snake_case key, its header and how to read it from a row."""

    key: str
    header: str
    read: Callable[[Any], object]
    numeric: bool = False
    """Right-aligned in the table."""
    wide_only: bool = False
    """Left out of a table unless asked for every column (``--wide``); CSV and JSON always
    hold it."""


def plain_value(value: object) -> Any:
    """A value as JSON holds it: exact amounts as strings, ISO dates, enum values."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return str(value)


def _cell(value: object) -> str:
    """A value as the table and CSV show it; control characters never reach the terminal."""
    shown = plain_value(value)
    if shown is None:
        return ""
    if isinstance(shown, bool):
        return "yes" if shown else "no"
    text = str(shown)
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)


def render(columns: Sequence[Column], rows: Iterable[Any], fmt: str) -> str:
    """The rows in ``fmt`` (one of :data:`FORMATS`), ending with a newline."""
    if fmt == "json":
        objects = [
            {column.key: plain_value(column.read(row)) for column in columns} for row in rows
        ]
        return json.dumps(objects, ensure_ascii=False, separators=(",", ":")) + "\n"
    cells = [[_cell(column.read(row)) for column in columns] for row in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([column.key for column in columns])
        writer.writerows(cells)
        return buffer.getvalue()
    headers = [column.header for column in columns]
    # Widths in terminal cells: a CJK character takes two, a combining mark none.
    widths = [
        max([cell_len(header)] + [cell_len(line[index]) for line in cells])
        for index, header in enumerate(headers)
    ]

    def line(values: Sequence[str]) -> str:
        parts = []
        for value, width, column in zip(values, widths, columns, strict=True):
            padding = " " * (width - cell_len(value))
            parts.append(padding + value if column.numeric else value + padding)
        return "  ".join(parts).rstrip()

    out = [line(headers), line(["-" * width for width in widths])]
    out.extend(line(values) for values in cells)
    return "\n".join(out) + "\n"
