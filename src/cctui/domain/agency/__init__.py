"""The collection agency (seed 000): agencies, flagging, hand-over, recall, lists and totals.

- :mod:`.agencies` — the agencies admins keep (:func:`create_agency`, :func:`update_agency`,
  :func:`deactivate_agency`, :func:`reactivate_agency`, :func:`list_agencies`);
- :mod:`.collection` — :func:`flag_for_collection`, :func:`unflag`, :func:`hand_over`,
  :func:`recall`;
- :mod:`.lists` — :func:`agency_invoices` (keyset paged) and :func:`agency_totals`.
"""

from cctui.domain.agency.agencies import (
    AgencyDetails,
    AgencyView,
    commission_percent,
    create_agency,
    deactivate_agency,
    get_agency,
    list_agencies,
    reactivate_agency,
    update_agency,
)
from cctui.domain.agency.collection import (
    CollectionChange,
    flag_for_collection,
    hand_over,
    recall,
    unflag,
)
from cctui.domain.agency.lists import (
    FLAGGED_BUCKET,
    AgencyInvoiceCursor,
    AgencyInvoicePage,
    AgencyInvoiceRow,
    AgencyTotals,
    CurrencyTotal,
    agency_invoices,
    agency_totals,
)

__all__ = [
    "FLAGGED_BUCKET",
    "AgencyDetails",
    "AgencyInvoiceCursor",
    "AgencyInvoicePage",
    "AgencyInvoiceRow",
    "AgencyTotals",
    "AgencyView",
    "CollectionChange",
    "CurrencyTotal",
    "agency_invoices",
    "agency_totals",
    "commission_percent",
    "create_agency",
    "deactivate_agency",
    "flag_for_collection",
    "get_agency",
    "hand_over",
    "list_agencies",
    "reactivate_agency",
    "recall",
    "unflag",
    "update_agency",
]
