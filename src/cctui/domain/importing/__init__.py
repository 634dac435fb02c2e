"""Importing customers, invoices and payments from CSV files (``cctui import``).

:mod:`.layouts` documents each file's columns; :mod:`.parse` reads and checks a file;
:mod:`.customers`, :mod:`.invoices` and :mod:`.payments` upsert its rows; :mod:`.run` runs
an import as a whole (:func:`run_import`).
"""

from cctui.domain.importing.layouts import CUSTOMERS, INVOICES, LAYOUTS, PAYMENTS, Field, Layout
from cctui.domain.importing.rejects import rejects_path
from cctui.domain.importing.report import (
    ImportFailed,
    ImportRefused,
    ImportReport,
    Progress,
    RowError,
)
from cctui.domain.importing.run import IMPORT_ROLE, run_import

__all__ = [
    "CUSTOMERS",
    "IMPORT_ROLE",
    "INVOICES",
    "LAYOUTS",
    "PAYMENTS",
    "Field",
    "ImportFailed",
    "ImportRefused",
    "ImportReport",
    "Layout",
    "Progress",
    "RowError",
    "rejects_path",
    "run_import",
]
