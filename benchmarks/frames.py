"""When a headless app drew its frames: the clock under the pilot measurements.

Textual's pilot waits for the whole process to go quiet (``wait_for_idle`` samples the CPU
every 20 ms, and each key press waits for it twice), so a time read after ``pilot.press``
or ``pilot.pause`` carries tens of milliseconds that no user waits for. The app's own
record is sharper: every frame the compositor renders is handed to ``App._display``,
which writes it to the terminal (a headless app stops just before writing). A
:class:`FrameClock` wraps that method and notes when each frame was ready, so a
measurement can use the pilot to wait and the frames to time.

A frame that repaints a region with what it already showed (Textual refreshes a scroll
bar again after a scroll settles, for one) changes nothing a user sees; each frame is
therefore compared with the screen before it, and only frames that changed it are kept.
The comparison runs after the frame's time has been read.
"""

from __future__ import annotations

import time
from typing import Any

from textual.app import App


class FrameClock:
    """Notes the ``perf_counter`` time of each frame ``app`` renders that changed what the
    terminal shows, and the class of its screen."""

    def __init__(self, app: App[Any]) -> None:
        self.frames: list[tuple[float, str]] = []
        self._shown: object = None
        display = app._display

        def timed_display(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if renderable is None:
                return
            drawn = time.perf_counter()
            shown = _screen_content(screen)
            if shown != self._shown:
                self._shown = shown
                self.frames.append((drawn, type(screen).__name__))

        app._display = timed_display  # type: ignore[method-assign]

    def last_after(self, started: float) -> float | None:
        """When the last frame after ``started`` was drawn (None: nothing was drawn)."""
        times = [at for at, _ in self.frames if at > started]
        return times[-1] if times else None


def _screen_content(screen: Any) -> object:
    """Every cell of ``screen`` with its style, comparable with another frame's."""
    return tuple(
        tuple((segment.text, segment.style) for segment in strip)
        for strip in screen._compositor.render_strips()
    )
