"""Demo data: ``generate_demo`` fills the database with a realistic, reproducible book.

A credit-control team's book: staff in every role, pools, credit policies, a dunning
ladder with its letters, collection agencies and customers in fourteen languages with
their invoices, payments, disputes, calls, promises, notes and held orders. The same seed
and day always give the same rows.
"""

from cctui.demo.load import generate_demo
from cctui.demo.summary import DemoRefused, DemoSummary

__all__ = ["DemoRefused", "DemoSummary", "generate_demo"]
