"""Role checks every service makes itself, whatever the screen in front of it shows."""

from __future__ import annotations

from cctui.domain.errors import PermissionDenied
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import Role


def _article(role: Role) -> str:
    return "an" if role.value[0] in "aeiou" else "a"


def require_role(actor: StaffIdentity, role: Role, doing: str) -> None:
    """Refuse with a sentence unless ``actor``'s role includes ``role``.

    ``doing`` completes "Only a … may …", e.g. ``"release a held document"``.
    """
    if not actor.has_role(role):
        raise PermissionDenied(
            f"Only {_article(role)} {role.value} or above may {doing}; "
            f"{actor.login} is {_article(actor.role)} {actor.role.value}."
        )
