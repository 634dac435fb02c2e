"""Every screen of the app but the dashboard, registered in go-to menu order.

:mod:`cctui.screens` imports this module once its registry exists. Each screen is one
import and one ``register`` call here.
"""

from __future__ import annotations

from cctui.screens import ScreenEntry, register
from cctui.screens.activity import ActivityScreen
from cctui.screens.agency import AgencyScreen
from cctui.screens.call_flow import CallFlowScreen
from cctui.screens.customer import open_customer
from cctui.screens.daily_check import DailyCheckScreen
from cctui.screens.held import HeldScreen
from cctui.screens.letters import LettersScreen
from cctui.screens.overdue import OverdueScreen
from cctui.screens.queue import open_queue
from cctui.screens.settings import SettingsScreen

register(ScreenEntry("queue", "Debtor queue", "q", open_queue))
register(ScreenEntry("calls", "Next debtor (call flow)", "n", CallFlowScreen.open))
register(ScreenEntry("customer", "Customer", "", open_customer, in_menu=False))
register(ScreenEntry("overdue", "Overdue invoices", "i", OverdueScreen.open))
register(
    ScreenEntry(
        "agency", "Collection agency", "a", AgencyScreen.open, min_role=AgencyScreen.MIN_ROLE
    )
)
register(ScreenEntry("held", "Held documents", "h", HeldScreen.open, min_role=HeldScreen.MIN_ROLE))
register(
    ScreenEntry("letters", "Letters", "l", LettersScreen.open, min_role=LettersScreen.MIN_ROLE)
)
register(
    ScreenEntry(
        "daily-check", "Daily check", "k", DailyCheckScreen.open, min_role=DailyCheckScreen.MIN_ROLE
    )
)
register(ScreenEntry("activity", "My activity", "y", ActivityScreen.open))
register(
    ScreenEntry("settings", "Settings", "s", SettingsScreen.open, min_role=SettingsScreen.MIN_ROLE)
)

__all__ = ["ScreenEntry", "register"]
