"""Open invoices by customer, with their open amounts: the per-customer sums read the index.

``ix_invoice_open_by_customer`` (customer, due date; open invoices) now carries the open
amount as well. The daily check's overdue figures and aging snapshot, and the balance
refresh after a posting, sum open amounts per customer by due date: with the amount in the
index, they read it alone (an index-only scan in customer order) instead of visiting a heap
page per invoice. The amount was already part of the index's condition, so an invoice whose
open amount moves was already re-indexed: writes cost the same.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_invoice_open_by_customer"
OPEN = sa.text("open_amount > 0")


def upgrade() -> None:
    op.drop_index(INDEX, table_name="invoice")
    op.create_index(
        INDEX,
        "invoice",
        ["customer_id", "due_on"],
        postgresql_include=["open_amount"],
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="invoice")
    op.create_index(INDEX, "invoice", ["customer_id", "due_on"], postgresql_where=OPEN)
