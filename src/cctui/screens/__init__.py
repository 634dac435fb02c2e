"""cctui's screens, and the registry of screens that ``--screen NAME`` can open.

Later steps add their screens to :data:`SCREENS`; a name without an entry makes the
app open the overview and say that screen is not available in this version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.screen import Screen

from cctui.screens.overview import OverviewScreen

if TYPE_CHECKING:
    from cctui.app import AppContext

ScreenFactory = Callable[["AppContext"], Screen[None]]
"""Builds a screen for the app's context (the customer to open, for instance)."""

START_SCREEN = "overview"
"""The screen the app always starts on; others open on top of it."""


def _overview(context: AppContext) -> Screen[None]:
    """The book overview (needs nothing from the context)."""
    return OverviewScreen()


SCREENS: dict[str, ScreenFactory] = {
    START_SCREEN: _overview,
}
"""Screen name (as given to ``--screen``) -> factory."""

__all__ = ["SCREENS", "START_SCREEN", "ScreenFactory"]
