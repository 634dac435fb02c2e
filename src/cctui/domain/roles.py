"""Staff roles, apart from the models so that the app can name them before it maps any."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """What a staff member may do; each role includes the ones before it."""

    AGENT = "agent"
    CONTROLLER = "controller"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """Position in the order agent < controller < supervisor < admin."""
        return list(Role).index(self)

    def at_least(self, other: Role) -> bool:
        """True when this role has every right of ``other``."""
        return self.rank >= other.rank
