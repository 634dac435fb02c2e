"""What a demo load reports back, and why it may refuse to run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cctui.domain.errors import CctuiError


class DemoRefused(CctuiError):
    """The database already holds a book, and replacing it was not asked for."""


@dataclass(frozen=True)
class DemoSummary:
    """Rows loaded (the main tables as fields, every table in ``table_rows``) and the time.

    The integer fields are what a person wants to read after a load; ``table_rows`` maps
    every table name to the rows loaded into it.
    """

    customers: int
    invoices: int
    payments: int
    calls: int
    promises: int
    notes: int
    staff: int
    elapsed_seconds: float
    table_rows: Mapping[str, int] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        """Rows loaded in all tables."""
        return sum(self.table_rows.values())

    @classmethod
    def from_counts(cls, counts: Mapping[str, int], elapsed_seconds: float) -> DemoSummary:
        """The summary of a load that wrote ``counts`` rows per table."""
        return cls(
            customers=counts.get("customer", 0),
            invoices=counts.get("invoice", 0),
            payments=counts.get("payment", 0),
            calls=counts.get("contact", 0),
            promises=counts.get("promise", 0),
            notes=counts.get("note", 0),
            staff=counts.get("staff", 0),
            elapsed_seconds=elapsed_seconds,
            table_rows=dict(counts),
        )

    def describe(self) -> str:
        """One sentence for the user: what was loaded and how fast."""
        return (
            f"Loaded {self.customers:,} customers and {self.invoices:,} invoices "
            f"({self.total_rows:,} rows in {len(self.table_rows)} tables) "
            f"in {self.elapsed_seconds:.1f} s."
        )
