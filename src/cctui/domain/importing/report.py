"""What an import tells its caller: the counts, the bad values, and why it refused a file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cctui.domain.errors import ValidationError

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: how far an import has come (the CLI draws a bar)."""


def no_progress(stage: str, done: int, total: int) -> None:
    """A progress callback that shows nothing."""


@dataclass(frozen=True)
class RowError:
    """One bad value: the file, line and column it is in, and what is wrong with it."""

    file: str
    line: int
    column: str | None
    """None when the problem is the whole row (say, too many values)."""
    message: str

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}"
        if self.column is not None:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class ImportFailed(ValidationError):
    """The file cannot be read at all (encoding, header); nothing was imported."""


class ImportRefused(ValidationError):
    """The file has bad values; nothing was imported. ``errors`` names each of them."""

    def __init__(self, file: str, errors: Sequence[RowError]) -> None:
        self.errors = tuple(errors)
        lines = len({error.line for error in self.errors})
        super().__init__(
            f"{file} has {len(self.errors)} bad value{'s' if len(self.errors) != 1 else ''} "
            f"on {lines} line{'s' if lines != 1 else ''}, so nothing was imported "
            "(fix them, or import the good rows with --skip-bad)."
        )


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, with ``dry_run``, would do) to the book."""

    kind: str
    """customers, invoices or payments."""
    file: str
    delimiter: str
    rows: int
    """Data rows read (blank lines not counted)."""
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    """Rows left out because of bad values (only with ``skip_bad``)."""
    dry_run: bool
    rejects_file: str | None
    """Where the rejected rows were written, if any were."""
    errors: tuple[RowError, ...] = ()
    """The bad values of the rejected rows."""

    @property
    def delimiter_name(self) -> str:
        """The delimiter in words."""
        return "semicolon" if self.delimiter == ";" else "comma"

    @property
    def message(self) -> str:
        """One sentence for the user."""
        verb = "Would import" if self.dry_run else "Imported"
        text = (
            f"{verb} {self.kind} from {self.file} ({self.delimiter_name}-separated, "
            f"{self.rows} row{'s' if self.rows != 1 else ''}): {self.inserted} new, "
            f"{self.updated} updated, {self.unchanged} unchanged, {self.rejected} rejected"
        )
        if self.rejects_file is not None:
            text += f" (written to {self.rejects_file})"
        if self.dry_run:
            text += "; nothing was changed"
        return text + "."

    def as_dict(self) -> dict[str, object]:
        """The counts as the audit row and ``--json`` hold them."""
        return {
            "kind": self.kind,
            "file": self.file,
            "delimiter": self.delimiter,
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "dry_run": self.dry_run,
            "rejects_file": self.rejects_file,
        }


@dataclass(frozen=True)
class Outcome:
    """What one kind's importer did: the counts, the rejected rows' errors, the customers
    whose invoices moved (their maintained figures need refreshing)."""

    rows: int
    inserted: int
    updated: int
    errors: tuple[RowError, ...]
    touched_customers: tuple[int, ...]

    @property
    def rejected(self) -> int:
        """Rows left out because of their errors."""
        return len({error.line for error in self.errors})

    @property
    def unchanged(self) -> int:
        """Good rows that changed nothing."""
        return self.rows - self.rejected - self.inserted - self.updated


def refuse_unless_skipping(file: str, errors: Sequence[RowError], skip_bad: bool) -> None:
    """Raise :class:`ImportRefused` when there are errors and bad rows are not to be skipped."""
    if errors and not skip_bad:
        raise ImportRefused(file, sorted(errors, key=lambda error: error.line))
