"""Where letter batches are written unless the user names a folder: ``<data_dir>/letters``."""

from __future__ import annotations

from pathlib import Path

from cctui.config import Settings, resolve_settings


def default_out_dir(settings: Settings | None = None) -> Path:
    """The data directory's ``letters`` folder (``settings``, or those of the environment).

    The CLI passes its resolved settings; the terminal app, which has none, reads the same
    environment (``CCTUI_DATA_DIR``, else the platform's data directory).
    """
    if settings is None:
        settings = resolve_settings()
    return settings.data_dir / "letters"
