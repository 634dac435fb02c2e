"""Every screen of the app but the overview, registered in go-to menu order.

:mod:`cctui.screens` imports this module once its registry exists. A screen is registered
with one ``register(ScreenEntry(...))`` line here, beside its import, so screens stay out
of each other's way.
"""

from __future__ import annotations

from cctui.screens import ScreenEntry, register

__all__ = ["ScreenEntry", "register"]
