"""Database plumbing: URLs, the embedded PostgreSQL, the engine and sessions, migrations.

Nothing connects at import time: :meth:`Database.open` does.
"""

from cctui.db.engine import Database, DatabaseUnavailable

__all__ = ["Database", "DatabaseUnavailable"]
