"""Every screen of the app but the dashboard, registered in go-to menu order.

:mod:`cctui.screens` imports this module once its registry exists. Each screen is one
``register`` call here, naming where its factory lives: a screen's module (and the
services behind it, the letters' PDF renderer say) is imported when the screen is first
opened, not when the app starts. Each entry's least role repeats its screen's ``MIN_ROLE``
(``tests/test_every_screen.py`` checks they agree).
"""

from __future__ import annotations

from cctui.domain.roles import Role
from cctui.screens import ScreenEntry, imported, register

register(ScreenEntry("queue", "Debtor queue", "q", imported("cctui.screens.queue:open_queue")))
register(
    ScreenEntry(
        "calls",
        "Next debtor (call flow)",
        "n",
        imported("cctui.screens.call_flow:CallFlowScreen.open"),
    )
)
register(
    ScreenEntry(
        "customer",
        "Customer",
        "",
        imported("cctui.screens.customer:open_customer"),
        in_menu=False,
    )
)
register(
    ScreenEntry(
        "overdue", "Overdue invoices", "i", imported("cctui.screens.overdue:OverdueScreen.open")
    )
)
register(
    ScreenEntry(
        "agency",
        "Collection agency",
        "a",
        imported("cctui.screens.agency:AgencyScreen.open"),
        min_role=Role.CONTROLLER,
    )
)
register(
    ScreenEntry(
        "held",
        "Held documents",
        "h",
        imported("cctui.screens.held:HeldScreen.open"),
        min_role=Role.CONTROLLER,
    )
)
register(
    ScreenEntry(
        "letters",
        "Letters",
        "l",
        imported("cctui.screens.letters:LettersScreen.open"),
        min_role=Role.CONTROLLER,
    )
)
register(
    ScreenEntry(
        "daily-check",
        "Daily check",
        "k",
        imported("cctui.screens.daily_check:DailyCheckScreen.open"),
        min_role=Role.AGENT,
    )
)
register(
    ScreenEntry(
        "activity", "My activity", "y", imported("cctui.screens.activity:ActivityScreen.open")
    )
)
register(
    ScreenEntry(
        "settings",
        "Settings",
        "s",
        imported("cctui.screens.settings:SettingsScreen.open"),
        min_role=Role.ADMIN,
    )
)

__all__ = ["ScreenEntry", "register"]
