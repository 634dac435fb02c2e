"""Rows of one table waiting to be copied (COPY text-format lines), and the ids handed out."""

from __future__ import annotations

from dataclasses import dataclass


class TableRows:
    """The pending COPY lines of one table, and how many have been taken so far."""

    __slots__ = ("columns", "count", "lines", "name")

    def __init__(self, name: str, columns: tuple[str, ...]) -> None:
        self.name = name
        self.columns = columns
        self.lines: list[str] = []
        self.count = 0

    def take(self) -> str:
        """All pending lines as one string; they are counted and forgotten."""
        data = "".join(self.lines)
        self.count += len(self.lines)
        self.lines.clear()
        return data


@dataclass
class Counters:
    """The last id handed out per table (ids are assigned here, not by the database)."""

    invoice: int = 0
    payment: int = 0
    allocation: int = 0
    dispute: int = 0
    handover: int = 0
    contact: int = 0
    promise: int = 0
    note: int = 0
    todo: int = 0
    held: int = 0
    limit_change: int = 0
    approval: int = 0
    order: int = 0
