"""Rendering report rows: terminal cells, exact amounts, nothing that steers a terminal."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from rich.cells import cell_len

from cctui.cli.reports.format import Column, render
from cctui.cli.reports.running import paged
from cctui.domain.models import CreditAction

COLUMNS = (
    Column("name", "Name", lambda r: r[0]),
    Column("amount", "Amount", lambda r: r[1], numeric=True),
    Column("due_on", "Due", lambda r: r[2], wide_only=True),
    Column("action", "Action", lambda r: r[3]),
)
ROWS = [
    ("吉田食品株式会社", Decimal("1131787.00"), date(2026, 11, 6), CreditAction.HOLD),
    ("Ab\x1b[31mc\x07", Decimal("-0.50"), None, CreditAction.OK),
]


def test_table_columns_line_up_in_terminal_cells():
    lines = render(COLUMNS, ROWS, "table").splitlines()
    amount_ends = {cell_len(line[: line.index(" ", line.index("."))]) for line in lines[2:]}
    assert len(amount_ends) == 1
    assert "\x1b" not in "".join(lines) and "\x07" not in "".join(lines)
    assert lines[3].startswith("Ab\ufffd[31mc\ufffd")


def test_json_keeps_exact_values_and_every_column():
    objects = json.loads(render(COLUMNS, ROWS, "json"))
    assert objects[0] == {
        "name": "吉田食品株式会社",
        "amount": "1131787.00",
        "due_on": "2026-11-06",
        "action": "hold",
    }
    assert objects[1]["due_on"] is None
    assert objects[1]["name"] == "Ab\x1b[31mc\x07"


def test_csv_has_keys_for_headers():
    lines = render(COLUMNS, ROWS, "csv").splitlines()
    assert lines[0] == "name,amount,due_on,action"
    assert lines[1] == "吉田食品株式会社,1131787.00,2026-11-06,hold"


def test_paged_stops_at_the_limit_and_at_the_last_page(monkeypatch):
    monkeypatch.setattr("cctui.cli.reports.running.PAGE_SIZE", 2)
    items = [1, 2, 3, 4, 5]
    asked = []

    def fetch(after, size):
        asked.append((after, size))
        start = 0 if after is None else after
        rows = items[start : start + size]
        more = start + size < len(items)
        return rows, (start + size if more else None)

    assert list(paged(fetch, None)) == items
    assert asked == [(None, 2), (2, 2), (4, 2)]
    asked.clear()
    assert list(paged(fetch, 3)) == [1, 2, 3]
    assert asked == [(None, 2), (2, 1)]
