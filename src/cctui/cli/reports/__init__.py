"""``cctui report``: the book's working lists as a table, CSV or JSON.

Each report calls the same domain service as the screen that shows the list, pages through
it with the service's keyset cursor and prints the rows with :mod:`.format`.
"""

from __future__ import annotations

import click

from cctui.cli.reports.agency_report import agencies_report, agency_report
from cctui.cli.reports.held_report import held_report
from cctui.cli.reports.overdue_report import overdue_report
from cctui.cli.reports.queue_report import queue_report


@click.group("report")
def report_group() -> None:
    """Print a working list: the debtor queue, overdue invoices, agencies, held documents.

    A table for people (the main columns; --wide for all), or --format csv / json for
    scripts: json is an array of objects with snake_case keys, amounts as exact strings and
    dates in ISO form. 100 rows unless --limit N or --all.
    """


for _command in (queue_report, overdue_report, agency_report, agencies_report, held_report):
    report_group.add_command(_command)

__all__ = ["report_group"]
