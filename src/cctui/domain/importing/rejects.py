"""The reject file of ``--skip-bad``: the bad rows as they were, with what is wrong with them."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path

from cctui.domain.importing.parse import ImportFile
from cctui.domain.importing.report import RowError

ERROR_COLUMN = "error"


def rejects_path(path: Path) -> Path:
    """``invoices.csv`` -> ``invoices.rejects.csv``, beside it."""
    return path.with_name(f"{path.stem}.rejects.csv")


def write_rejects(source: ImportFile, errors: Sequence[RowError]) -> Path:
    """Write every row with an error (same delimiter, UTF-8) plus an ``error`` column.

    Written to a temporary file and renamed, so a half-written reject file is never left.
    """
    messages: dict[int, list[str]] = {}
    for error in errors:
        text = error.message if error.column is None else f"{error.column}: {error.message}"
        messages.setdefault(error.line, []).append(text)
    target = rejects_path(source.path)
    partial = target.with_name(target.name + ".part")
    with partial.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=source.delimiter, lineterminator="\n")
        writer.writerow([*source.header(), ERROR_COLUMN])
        for line, cells in source.records():
            if line in messages:
                row = [] if isinstance(cells, str) else list(cells)
                writer.writerow([*row, "; ".join(messages[line])])
        out.flush()
        os.fsync(out.fileno())
    partial.replace(target)
    return target
