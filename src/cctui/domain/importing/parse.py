"""Reading an import file: encoding, delimiter, header, and every value checked against its
layout, with the file, line and column of each bad one.

The file must be UTF-8 (a byte-order mark is allowed and dropped); a line that is not UTF-8
stops the import with a sentence naming it. The delimiter is a comma or a semicolon, told
from the header line. Each value is stripped of surrounding blanks; an empty value is None.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import IO, Any

from cctui.domain.importing.layouts import Field, Kind, Layout
from cctui.domain.importing.report import ImportFailed, Progress, RowError, no_progress

BOM = "\ufeff"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONEY = re.compile(r"\d{1,12}(\.\d{1,2})?")
_INTEGER = re.compile(r"\d{1,9}")
_CODE3 = re.compile(r"[A-Z]{3}")
_CODE2 = re.compile(r"[A-Z]{2}")
PROGRESS_EVERY = 10_000
"""Rows between two progress reports."""


class BadValue(Exception):
    """A value that does not fit its column; the text completes "column X: …"."""


@cache
def currency_codes() -> frozenset[str]:
    """The ISO 4217 codes known to Babel's CLDR data."""
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


@cache
def country_codes() -> frozenset[str]:
    """The ISO 3166 two-letter codes known to Babel's CLDR data."""
    from babel import Locale

    territories = list(Locale("en").territories)
    return frozenset(code for code in territories if _CODE2.fullmatch(code))


def _text(field: Field, value: str) -> str:
    if field.max_length is not None and len(value) > field.max_length:
        raise BadValue(f"has {len(value)} characters; at most {field.max_length} are allowed")
    return value


def _date(field: Field, value: str) -> date:
    if not _DATE.fullmatch(value):
        raise BadValue(f"{value!r} is not a date of the form YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadValue(f"{value!r} is not a real date") from None


def _money(field: Field, value: str) -> Decimal:
    if value.startswith("-"):
        raise BadValue(f"{value!r} is negative; amounts are never negative")
    if not _MONEY.fullmatch(value):
        if "," in value:
            raise BadValue(
                f"{value!r} is not an amount of the form 1234.50 "
                "(a decimal point, no thousands separators)"
            )
        raise BadValue(f"{value!r} is not an amount of the form 1234.50")
    amount = Decimal(value)
    if amount == 0 and not field.allow_zero:
        raise BadValue("must be more than 0")
    return amount


def _integer(field: Field, value: str) -> int:
    if not _INTEGER.fullmatch(value):
        raise BadValue(f"{value!r} is not a whole number")
    number = int(value)
    if not field.minimum <= number <= field.maximum:
        raise BadValue(f"{number} is not between {field.minimum} and {field.maximum}")
    return number


def _currency(field: Field, value: str) -> str:
    if not _CODE3.fullmatch(value) or value not in currency_codes():
        raise BadValue(f"{value!r} is not an ISO 4217 currency code (such as EUR)")
    return value


def _country(field: Field, value: str) -> str:
    if not _CODE2.fullmatch(value) or value not in country_codes():
        raise BadValue(f"{value!r} is not an ISO 3166 country code (such as GB)")
    return value


def _email(field: Field, value: str) -> str:
    _text(field, value)
    if value.find("@") < 1 or any(ch.isspace() for ch in value):
        raise BadValue(f"{value!r} is not an e-mail address")
    return value


def _choice(field: Field, value: str) -> str:
    if value not in field.choices:
        raise BadValue(f"{value!r} is not one of {', '.join(field.choices)}")
    return value


CONVERTERS: dict[Kind, Callable[[Field, str], Any]] = {
    Kind.TEXT: _text,
    Kind.DATE: _date,
    Kind.MONEY: _money,
    Kind.INTEGER: _integer,
    Kind.CURRENCY: _currency,
    Kind.COUNTRY: _country,
    Kind.EMAIL: _email,
    Kind.CHOICE: _choice,
}


@dataclass(frozen=True)
class ParsedRow:
    """One data row: where it starts, its checked values (by column) and any bad ones."""

    line: int
    values: dict[str, Any]
    """Every layout column present in the file; None for an empty value."""
    errors: tuple[RowError, ...]


class ImportFile:
    """An import file opened against its layout: delimiter and header checked on opening."""

    def __init__(self, path: Path, layout: Layout) -> None:
        self.path = path
        self.layout = layout
        self.name = path.name
        try:
            self.size = path.stat().st_size
            with path.open("rb") as raw:
                first = raw.readline()
        except OSError as err:
            raise ImportFailed(f"Cannot read {path}: {err.strerror or err}.") from None
        header = self._decode(first, 1).removeprefix(BOM)
        if not header.strip():
            raise ImportFailed(
                f"{self.name} is empty: its first line must name the columns "
                f"({', '.join(layout.names)})."
            )
        self.delimiter = self._sniff(header)
        names = next(csv.reader([header], delimiter=self.delimiter))
        self.columns = self._check_header([name.strip().lower() for name in names])

    def _decode(self, raw: bytes, line: int) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as err:
            byte = raw[err.start]
            raise ImportFailed(
                f"{self.name} is not UTF-8: line {line} holds the byte 0x{byte:02x} at "
                f"position {err.start + 1}; save the file as UTF-8 and import it again."
            ) from None

    def _sniff(self, header: str) -> str:
        """Comma or semicolon: whichever splits the header into more known column names."""
        known = set(self.layout.names) | set(self.layout.ignored)

        def score(delimiter: str) -> int:
            names = next(csv.reader([header], delimiter=delimiter))
            return sum(name.strip().lower() in known for name in names)

        return ";" if score(";") > score(",") else ","

    def _check_header(self, names: list[str]) -> tuple[str | None, ...]:
        """The layout column of each position (None for an ignored export column)."""
        layout = self.layout
        seen: set[str] = set()
        columns: list[str | None] = []
        for name in names:
            if name in seen:
                raise ImportFailed(f"{self.name} line 1: the column {name!r} appears twice.")
            seen.add(name)
            if name in layout.ignored:
                columns.append(None)
            elif name in layout.names:
                columns.append(name)
            else:
                raise ImportFailed(
                    f"{self.name} line 1: {name!r} is not a column of the {layout.name} layout "
                    f"({', '.join(layout.names)})."
                )
        missing = [name for name in layout.required if name not in seen]
        if missing:
            raise ImportFailed(
                f"{self.name} line 1: the required column"
                f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"{'are' if len(missing) > 1 else 'is'} missing."
            )
        return tuple(columns)

    @property
    def present(self) -> frozenset[str]:
        """The layout columns the file has."""
        return frozenset(name for name in self.columns if name is not None)

    def _lines(self, raw: IO[bytes], counter: list[int]) -> Iterator[str]:
        """The file's decoded lines after the header; ``counter[0]`` is bytes read so far."""
        number = 1
        counter[0] = len(raw.readline())
        for line in raw:
            number += 1
            counter[0] += len(line)
            yield self._decode(line, number)

    def records(self, progress: Progress = no_progress) -> Iterator[tuple[int, list[str] | str]]:
        """``(line, cells)`` of every data row in file order (blank lines skipped), or
        ``(line, message)`` for a row that is not valid CSV."""
        counter = [0]
        with self.path.open("rb") as raw:
            reader = csv.reader(self._lines(raw, counter), delimiter=self.delimiter)
            count = 0
            while True:
                start = reader.line_num + 2
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except csv.Error as err:
                    yield start, f"is not valid CSV: {err}"
                    continue
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue
                count += 1
                if count % PROGRESS_EVERY == 0:
                    progress("Checking rows", counter[0], self.size)
                yield start, cells
        progress("Checking rows", self.size, self.size)

    def rows(self, progress: Progress = no_progress) -> Iterator[ParsedRow]:
        """Every data row checked, in file order (blank lines skipped)."""
        checks = [
            (position, field, CONVERTERS[field.kind])
            for position, name in enumerate(self.columns)
            if name is not None
            for field in (self.layout.field(name),)
        ]
        width = len(self.columns)
        for line, cells in self.records(progress):
            if isinstance(cells, str):
                yield ParsedRow(line, {}, (RowError(self.name, line, None, cells),))
            elif len(cells) != width:
                message = f"has {len(cells)} values where the header names {width} columns"
                yield ParsedRow(line, {}, (RowError(self.name, line, None, message),))
            else:
                yield self._row(line, cells, checks)

    def header(self) -> list[str]:
        """The header line's cells as written."""
        with self.path.open("rb") as raw:
            first = self._decode(raw.readline(), 1).removeprefix(BOM)
        return next(csv.reader([first], delimiter=self.delimiter))

    def _row(
        self,
        line: int,
        cells: list[str],
        checks: list[tuple[int, Field, Callable[[Field, str], Any]]],
    ) -> ParsedRow:
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        for position, field, convert in checks:
            value = cells[position].strip()
            if not value:
                if field.required:
                    errors.append(RowError(self.name, line, field.name, "a value is required"))
                values[field.name] = None
                continue
            try:
                values[field.name] = convert(field, value)
            except BadValue as bad:
                errors.append(RowError(self.name, line, field.name, str(bad)))
        return ParsedRow(line, values, tuple(errors))
