"""Small helpers for the sentences services return to people."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """``count`` with thousands separators and ``word``, plural unless it is one:
    ``1 statement``, ``1,696 statements``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"
