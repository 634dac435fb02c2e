"""Reading a date typed into a form: ISO ``2026-11-23`` only, so nobody guesses day or month."""

from __future__ import annotations

import re
from datetime import date

from cctui.domain.errors import ValidationError

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(text: str, *, what: str = "date", latest: date | None = None) -> date:
    """The day written in ``text`` as ``YYYY-MM-DD``.

    Raises :class:`~cctui.domain.errors.ValidationError` with one sentence naming ``what``
    when the text is empty or not such a date, or when it is after ``latest``.
    """
    cleaned = text.strip()
    if not cleaned:
        raise ValidationError(f"Type the {what} as YYYY-MM-DD, for example 2026-11-23.")
    shown = cleaned if len(cleaned) <= 30 else cleaned[:29] + "…"
    if not _ISO_DAY.fullmatch(cleaned):
        raise ValidationError(f"The {what} {shown!r} is not a date: write it as YYYY-MM-DD.")
    try:
        day = date.fromisoformat(cleaned)
    except ValueError:
        raise ValidationError(
            f"The {what} {shown!r} is not a date: write it as YYYY-MM-DD."
        ) from None
    if latest is not None and day > latest:
        raise ValidationError(
            f"The {what} {day.isoformat()} is after today ({latest.isoformat()})."
        )
    return day
