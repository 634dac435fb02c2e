"""Messages the app posts to its screens when something in the book changed."""

from __future__ import annotations

from textual.message import Message

from cctui.domain.daily_check import DailyCheckResult


class DailyCheckFinished(Message):
    """The daily check the app started at login has finished (or found the day done)."""

    def __init__(self, result: DailyCheckResult) -> None:
        super().__init__()
        self.result = result
