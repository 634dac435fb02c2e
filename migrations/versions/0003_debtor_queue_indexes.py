"""Debtor queue indexes: one partial B-tree per sort column, over the debtors only.

Every index is ``(sort column, id) WHERE overdue_balance > 0``: a queue page, in either
direction and from any position, is a range scan of one of them (keyset pagination). The
overdue index of 0001 was ``(overdue_balance DESC, id)``, whose tie-breaker runs the other
way; it becomes ``(overdue_balance, id)`` so that ``(overdue_balance, id) < (:v, :id)`` is
one range. The controller index adds the overdue balance, for "my customers" by overdue and
for the sort by controller. Two trigram GIN indexes on name and name 2, over the debtors
only, serve the queue's search (a common word such as "GmbH" then reads a third of the rows
the whole-book trigram indexes would).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEBTORS = "overdue_balance > 0"

QUEUE_INDEXES = {
    "ix_customer_queue_overdue": ["overdue_balance", "id"],
    "ix_customer_queue_balance": ["balance", "id"],
    "ix_customer_queue_oldest_due": ["oldest_due_on", "id"],
    "ix_customer_queue_name": ["name", "id"],
    "ix_customer_queue_postal_code": ["postal_code", "id"],
    "ix_customer_queue_last_call": ["last_call_at", "id"],
    "ix_customer_queue_next_call": ["next_call_on", "id"],
    "ix_customer_queue_next_promise": ["next_promise_on", "id"],
    "ix_customer_queue_account": ["account", "id"],
    "ix_customer_queue_controller": ["controller_id", "overdue_balance", "id"],
}


TRIGRAM_INDEXES = {
    "ix_customer_queue_name_trgm": "name",
    "ix_customer_queue_name2_trgm": "name2",
}


def upgrade() -> None:
    op.drop_index(
        "ix_customer_queue_overdue",
        table_name="customer",
        postgresql_where=sa.text(DEBTORS),
    )
    for name, columns in QUEUE_INDEXES.items():
        op.create_index(name, "customer", columns, unique=False, postgresql_where=sa.text(DEBTORS))
    for name, column in TRIGRAM_INDEXES.items():
        op.create_index(
            name,
            "customer",
            [column],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
            postgresql_where=sa.text(DEBTORS),
        )


def downgrade() -> None:
    for name in reversed(TRIGRAM_INDEXES):
        op.drop_index(name, table_name="customer")
    for name in reversed(QUEUE_INDEXES):
        op.drop_index(name, table_name="customer", postgresql_where=sa.text(DEBTORS))
    op.create_index(
        "ix_customer_queue_overdue",
        "customer",
        [sa.literal_column("overdue_balance DESC"), "id"],
        unique=False,
        postgresql_where=sa.text(DEBTORS),
    )
