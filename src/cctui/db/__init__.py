"""Database plumbing: URLs, the embedded PostgreSQL, the engine and sessions, migrations.

Nothing connects at import time: :meth:`Database.open` does. Nor does importing this package
import SQLAlchemy: the app draws its first screen before it does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cctui.db.engine import Database, DatabaseUnavailable

__all__ = ["Database", "DatabaseUnavailable"]


def __getattr__(name: str) -> Any:
    """``Database`` and ``DatabaseUnavailable``, imported from the engine when first named."""
    if name in __all__:
        from cctui.db import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
