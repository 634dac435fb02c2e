"""Cleaning the free text users type into workflow forms."""

from __future__ import annotations

from cctui.domain.errors import ValidationError

MAX_TEXT = 4000
"""The longest note, to-do, reason or resolution one form accepts."""


def required_text(value: str | None, message: str, *, limit: int = MAX_TEXT) -> str:
    """``value`` without surrounding blanks; a ValidationError saying ``message`` when empty."""
    cleaned = (value or "").strip()
    if not cleaned:
        raise ValidationError(message)
    if len(cleaned) > limit:
        raise ValidationError(f"The text is {len(cleaned):,} characters; at most {limit:,} fit.")
    return cleaned


def optional_text(value: str | None, *, limit: int = MAX_TEXT) -> str | None:
    """``value`` without surrounding blanks, or None when it is empty."""
    cleaned = (value or "").strip()
    if len(cleaned) > limit:
        raise ValidationError(f"The text is {len(cleaned):,} characters; at most {limit:,} fit.")
    return cleaned or None
