"""The debtor queue (seeds 000, 002, 004): who owes, in which order, in which colour.

- :mod:`.types` — :class:`QueueQuery`, :class:`QueueSort`, :class:`SortDirection`,
  :class:`QueueCursor`, :class:`QueueRow`, :class:`QueuePage`;
- :mod:`.page` — :func:`queue_page`, :func:`queue_count`, :func:`queue_row`;
- :mod:`.colour` — :class:`ColourStatus` and :func:`colour_status`;
- :mod:`.criteria` — the pool criteria vocabulary;
- :mod:`.statements` — the keyset SQL;
- :mod:`.leases` — the next debtor for an agent, claimed with a lease.
"""

from cctui.domain.queue.colour import ColourStatus, colour_status, contact_cutoff
from cctui.domain.queue.page import MAX_PAGE_SIZE, queue_count, queue_page, queue_row
from cctui.domain.queue.types import (
    QueueCursor,
    QueuePage,
    QueueQuery,
    QueueRow,
    QueueSort,
    SortDirection,
)

__all__ = [
    "MAX_PAGE_SIZE",
    "ColourStatus",
    "QueueCursor",
    "QueuePage",
    "QueueQuery",
    "QueueRow",
    "QueueSort",
    "SortDirection",
    "colour_status",
    "contact_cutoff",
    "queue_count",
    "queue_page",
    "queue_row",
]
