"""Chart support: the book's aged balance per day and currency, and two covering indexes.

``aging_total`` holds, per snapshot day and currency, what the customers' aging snapshots of
that day add up to (customers, balance, overdue, one amount per aging band). The dashboard's
charts read it instead of summing and joining a hundred thousand snapshot rows per day shown:
ninety days of a 100,000-customer book are ninety rows per currency. A statement-level
trigger on ``aging_snapshot`` recomputes the totals of every day a statement touched, from
that day's snapshots, so the totals always equal the snapshots whoever writes them.

``ix_invoice_due_on_amounts`` (due date, with currency and amount; invoices only) and
``ix_payment_received_on_amounts`` (received date, with currency and amount; payments not
reversed) let the weekly "new overdue" and "collected" figures be read by index-only scans
of the weeks shown.

Revision ID: 0005
Revises: 0004 (the lead rechains)
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOTALS = """
WITH snap AS (
    SELECT s.snapshot_on, c.currency, s.balance, s.overdue, s.bands
    FROM aging_snapshot AS s
    JOIN customer AS c ON c.id = s.customer_id
    WHERE s.snapshot_on IN ({days})
), totals AS (
    SELECT snapshot_on, currency, count(*) AS customers,
           sum(balance) AS balance, sum(overdue) AS overdue
    FROM snap
    GROUP BY snapshot_on, currency
), per_band AS (
    SELECT snapshot_on, currency, u.n, sum(u.v) AS total
    FROM snap CROSS JOIN LATERAL unnest(snap.bands) WITH ORDINALITY AS u(v, n)
    GROUP BY snapshot_on, currency, u.n
), band_arrays AS (
    SELECT snapshot_on, currency, array_agg(total ORDER BY n) AS bands
    FROM per_band
    GROUP BY snapshot_on, currency
)
INSERT INTO aging_total (snapshot_on, currency, customers, balance, overdue, bands)
SELECT t.snapshot_on, t.currency, t.customers, t.balance, t.overdue, coalesce(b.bands, '{{}}')
FROM totals AS t
LEFT JOIN band_arrays AS b USING (snapshot_on, currency)
"""
"""The totals of the days ``{days}`` (a subquery of dates) from their snapshots."""

RECOMPUTE = """
CREATE FUNCTION aging_total_recompute() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM aging_total WHERE snapshot_on IN (SELECT DISTINCT snapshot_on FROM changed);
    TOTALS;
    RETURN NULL;
END;
$$
""".replace("TOTALS", TOTALS.format(days="SELECT DISTINCT snapshot_on FROM changed").strip())
"""The trigger function: the totals of every day a statement touched, recomputed."""

TRIGGERS = {
    "aging_total_after_insert": ("INSERT", "NEW"),
    "aging_total_after_update": ("UPDATE", "NEW"),
    "aging_total_after_delete": ("DELETE", "OLD"),
}


def upgrade() -> None:
    op.create_table(
        "aging_total",
        sa.Column("snapshot_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("balance", sa.Numeric(), nullable=False),
        sa.Column("overdue", sa.Numeric(), nullable=False),
        sa.Column("bands", postgresql.ARRAY(sa.Numeric()), nullable=False),
        sa.CheckConstraint("customers > 0", name=op.f("ck_aging_total_customers_positive")),
        sa.PrimaryKeyConstraint("snapshot_on", "currency", name=op.f("pk_aging_total")),
    )
    op.execute(RECOMPUTE)
    for name, (event, rows) in TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON aging_snapshot "
            f"REFERENCING {rows} TABLE AS changed "
            "FOR EACH STATEMENT EXECUTE FUNCTION aging_total_recompute()"
        )
    # Totals for the snapshots already written: what the trigger would have made.
    op.execute(TOTALS.format(days="SELECT DISTINCT snapshot_on FROM aging_snapshot"))
    op.create_index(
        "ix_invoice_due_on_amounts",
        "invoice",
        ["due_on"],
        unique=False,
        postgresql_include=["currency", "amount"],
        postgresql_where=sa.text("kind = 'invoice'"),
    )
    op.create_index(
        "ix_payment_received_on_amounts",
        "payment",
        ["received_on"],
        unique=False,
        postgresql_include=["currency", "amount"],
        postgresql_where=sa.text("reversed_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_payment_received_on_amounts",
        table_name="payment",
        postgresql_where=sa.text("reversed_at IS NULL"),
    )
    op.drop_index(
        "ix_invoice_due_on_amounts",
        table_name="invoice",
        postgresql_where=sa.text("kind = 'invoice'"),
    )
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON aging_snapshot")
    op.execute("DROP FUNCTION aging_total_recompute()")
    op.drop_table("aging_total")
