"""Read models of the charts: figures aggregated in SQL, returned as frozen dataclasses.

One module per family: :mod:`.book` (the dashboard), :mod:`.customer` (one customer's credit
and payments) and :mod:`.activity` (one staff member's, or everyone's, calls and promises).
"""
