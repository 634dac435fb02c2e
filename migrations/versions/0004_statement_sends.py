"""Statements by e-mail: each send recorded with its outcome; one queued statement per customer.

``letter_send`` keeps every attempt to e-mail a letter (when, to whom, sent or failed and
why, the Message-ID). A partial UNIQUE index lets a customer have at most one statement
waiting (queued) at a time, so queueing statements twice queues each customer once.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUED_STATEMENT = "kind = 'statement' AND status = 'queued'"


def upgrade() -> None:
    op.create_table(
        "letter_send",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("letter_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "attempted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("outcome", sa.String(length=6), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=True),
        sa.CheckConstraint("outcome IN ('sent', 'failed')", name=op.f("ck_letter_send_outcome")),
        sa.CheckConstraint(
            "outcome <> 'failed' OR error IS NOT NULL",
            name=op.f("ck_letter_send_failed_has_error"),
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letter.id"], name=op.f("fk_letter_send_letter_id_letter")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_send")),
    )
    op.create_index("ix_letter_send_letter_id", "letter_send", ["letter_id"], unique=False)
    op.create_index(
        "uq_letter_queued_statement",
        "letter",
        ["customer_id"],
        unique=True,
        postgresql_where=sa.text(QUEUED_STATEMENT),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_letter_queued_statement",
        table_name="letter",
        postgresql_where=sa.text(QUEUED_STATEMENT),
    )
    op.drop_index("ix_letter_send_letter_id", table_name="letter_send")
    op.drop_table("letter_send")
