"""Role checks every service makes itself, whatever the screen in front of it shows."""

from __future__ import annotations

from cctui.domain.errors import PermissionDenied
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import Role


def require_role(actor: StaffIdentity, role: Role, doing: str) -> None:
    """Refuse with a sentence unless ``actor``'s role includes ``role``.

    ``doing`` completes "Only a … may …", e.g. ``"release a held document"``.
    """
    if not actor.has_role(role):
        raise PermissionDenied(
            f"Only a {role.value} or above may {doing}; {actor.login} is a {actor.role.value}."
        )
