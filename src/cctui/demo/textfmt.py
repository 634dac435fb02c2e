"""Fast text for COPY: dates by day number, timestamps, money in cents, escaping.

The generators count days as ``date.toordinal()`` integers and money as integer cents; this
module turns them into PostgreSQL's COPY text format with precomputed tables, because the
demo book formats millions of values.
"""

from __future__ import annotations

from datetime import date

NULL = "\\N"
"""COPY's NULL marker."""

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def escape(text: str) -> str:
    """``text`` as a COPY text-format field (backslash, tab, newline and CR escaped)."""
    return text.translate(_ESCAPES)


def field(value: object) -> str:
    """Any value as a COPY field: ``None`` is NULL, booleans ``t``/``f``, text escaped."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    return escape(str(value))


def line(*values: object) -> str:
    """One COPY text-format line of ``values`` (for the small tables)."""
    return "\t".join(field(value) for value in values) + "\n"


def money(cents: int) -> str:
    """Non-negative integer cents as ``123.45``."""
    return f"{cents // 100}.{cents % 100:02d}"


CENTS = tuple(f"{i:02d}" for i in range(100))
"""``CENTS[c]`` is the two-digit text of ``c`` minor units, for formatting money inline as
``f"{a // 100}.{CENTS[a % 100]}"`` in hot loops, where calling :func:`money` costs more."""


class Calendar:
    """Day numbers around ``today`` as ISO dates and timestamps, computed once.

    A day number is an index: 0 is ``past`` days before today, :attr:`today` is today. The
    generators use these numbers so that ``days[d]`` is the ISO date of day ``d`` without
    arithmetic; ``stamp(d, seconds)`` is a UTC timestamp on that day.
    """

    def __init__(self, today: date, *, past: int = 4000, future: int = 400) -> None:
        self.today = past
        self.base = today.toordinal() - past
        self.days: list[str] = [
            date.fromordinal(self.base + i).isoformat() for i in range(past + future + 1)
        ]
        self.years: list[str] = [d[:4] for d in self.days]
        self._weekday_shift = (self.base + 6) % 7
        self._times = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]

    def day(self, d: int) -> str:
        """ISO date of day number ``d``."""
        return self.days[d]

    def year(self, d: int) -> str:
        """Four-digit year of day number ``d``."""
        return self.years[d]

    def stamp(self, d: int, seconds: int) -> str:
        """Timestamp ``seconds`` after midnight UTC of day number ``d``."""
        return f"{self.days[d]} {self._times[seconds]}+00"

    def stamps(self, seconds: int) -> list[str]:
        """Timestamps at the same time of day for every day number, indexed like ``days``."""
        time = self._times[seconds]
        return [f"{d} {time}+00" for d in self.days]

    def weekday(self, d: int) -> int:
        """Monday = 0 ... Sunday = 6 of day number ``d``."""
        return (d + self._weekday_shift) % 7

    @property
    def weekday_shift(self) -> int:
        """Add to a day number before ``% 7`` to get its weekday (for hot loops)."""
        return self._weekday_shift
