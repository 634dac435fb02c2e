"""Waived fees and interest on invoices, so a waiver can be reinstated in one step.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "invoice",
        sa.Column(
            "waived_fee_amount",
            sa.Numeric(precision=14, scale=2),
            server_default="0",
            nullable=False,
        ),
    )
    op.add_column(
        "invoice",
        sa.Column(
            "waived_interest_amount",
            sa.Numeric(precision=14, scale=2),
            server_default="0",
            nullable=False,
        ),
    )
    op.create_check_constraint(
        op.f("ck_invoice_waived_not_negative"),
        "invoice",
        "waived_fee_amount >= 0 AND waived_interest_amount >= 0",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_invoice_waived_not_negative"), "invoice", type_="check")
    op.drop_column("invoice", "waived_interest_amount")
    op.drop_column("invoice", "waived_fee_amount")
