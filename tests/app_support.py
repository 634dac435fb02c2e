"""What the app's pilot tests share: an app on the test database, waiting, reading the screen.

Every screen test builds its app with :func:`make_app` (or :func:`recording_app` to keep
the notifications), waits with :func:`settle` / :func:`drain` and reads the terminal with
:func:`screen_text`.
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerState

from cctui.app import AppContext, CctuiApp
from cctui.domain.identity import StaffIdentity

TODAY = date(2026, 11, 23)
"""The day every app test pretends it is."""
SIZE = (80, 24)
"""The thin terminal every screen must work on."""
STABLE_PAUSES = 3
"""Pauses the screen must stay the same for before :func:`settle` calls it painted."""
MAX_PAUSES = 40
"""At most this many pauses are waited: a clock or spinner on screen never settles."""


def make_app(db: Any, user: StaffIdentity, **context: Any) -> CctuiApp:
    context.setdefault("daily_check_at_start", False)
    return CctuiApp(AppContext(db=db, user=user, today=lambda: TODAY, **context))


class RecordingApp(CctuiApp):
    """Keeps every notification (and still shows it, so display problems surface)."""

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self.notes: list[dict[str, Any]] = []

    def notify(self, message: str, **kwargs: Any) -> None:  # type: ignore[override]
        self.notes.append({"message": message, **kwargs})
        super().notify(message, **kwargs)


def recording_app(db: Any, user: StaffIdentity, **context: Any) -> RecordingApp:
    context.setdefault("daily_check_at_start", False)
    return RecordingApp(AppContext(db=db, user=user, today=lambda: TODAY, **context))


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until the workers are done and their results are on screen.

    A read replaced by a newer one (an exclusive worker group, say a live update arriving
    while the screen reloads) ends cancelled: that is not a failure, so it is waited past;
    a worker that failed still raises.
    """
    for _ in range(20):
        running = [
            worker
            for worker in pilot.app.workers
            if worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
        ]
        if not running:
            break
        for worker in running:
            if worker.state is WorkerState.RUNNING:
                with contextlib.suppress(WorkerCancelled):
                    await worker.wait()
        await pilot.pause()
    await _until_painted(pilot)


async def _until_painted(pilot: Pilot[Any]) -> None:
    """Pause until the screen has drawn the same for :data:`STABLE_PAUSES` pauses.

    What a worker's result triggers (a focus moved, the footer recomposed for the new
    focus's keys, a table's rows laid out) is drawn a few refreshes after the worker ends,
    and how many depends on the machine's load: a fixed number of pauses is sometimes short.
    """
    shown = _screen_drawn(pilot.app)
    unchanged = 0
    for _ in range(MAX_PAUSES):
        await pilot.pause()
        now = _screen_drawn(pilot.app)
        unchanged = unchanged + 1 if now == shown else 0
        if unchanged >= STABLE_PAUSES:
            return
        shown = now


async def drain(pilot: Pilot[Any]) -> None:
    """Wait for workers that start more workers (the daily check refreshes the overview).

    A refresh replaces the overview's read in progress, so a wait may see it cancelled.
    """
    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def _screen_drawn(app: CctuiApp) -> tuple[tuple[str, object], ...]:
    """What the terminal shows, text and style: a focus that moves changes only styles."""
    strips = app.screen._compositor.render_strips()
    return tuple((segment.text, segment.style) for strip in strips for segment in strip)


def screen_text(app: CctuiApp) -> str:
    """What the terminal shows, as plain text."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)
