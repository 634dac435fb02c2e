"""The whole book: staff, policies, customers, invoices, workflow, letters, history.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Trigram search on names, accounts, phones and postal codes (the debtor queue's search).
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "action_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.CheckConstraint("length(code) > 0", name=op.f("ck_action_type_code_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_type")),
        sa.UniqueConstraint("code", name=op.f("uq_action_type_code")),
    )
    op.create_table(
        "collection_agency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address_line1", sa.String(length=200), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("contact_person", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column(
            "commission_percent",
            sa.Numeric(precision=6, scale=3),
            server_default="0",
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.CheckConstraint(
            "commission_percent BETWEEN 0 AND 100",
            name=op.f("ck_collection_agency_commission_percent"),
        ),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_collection_agency_name_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_agency")),
        sa.UniqueConstraint("name", name=op.f("uq_collection_agency_name")),
    )
    op.create_table(
        "credit_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("credit_limit", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_credit_group_currency_code")),
        sa.CheckConstraint("credit_limit >= 0", name=op.f("ck_credit_group_credit_limit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_group")),
        sa.UniqueConstraint("name", name=op.f("uq_credit_group_name")),
    )
    op.create_table(
        "credit_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("payment_terms_days", sa.SmallInteger(), nullable=False),
        sa.Column("default_credit_limit", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column(
            "discount_percent", sa.Numeric(precision=6, scale=3), server_default="0", nullable=False
        ),
        sa.Column("discount_days", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column(
            "overdue_interest_percent",
            sa.Numeric(precision=6, scale=3),
            server_default="0",
            nullable=False,
        ),
        sa.Column(
            "limit_exceeded_percent",
            sa.Numeric(precision=6, scale=3),
            server_default="10",
            nullable=False,
        ),
        sa.Column("aged_once_days", sa.SmallInteger(), server_default="30", nullable=False),
        sa.Column("aged_twice_days", sa.SmallInteger(), server_default="60", nullable=False),
        sa.Column("aged_thrice_days", sa.SmallInteger(), server_default="90", nullable=False),
        sa.Column(
            "action_limit_exceeded",
            sa.Enum(
                "ok",
                "remind",
                "password",
                "hold",
                name="action_limit_exceeded",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="ok",
            nullable=False,
        ),
        sa.Column(
            "action_limit_exceeded_percent",
            sa.Enum(
                "ok",
                "remind",
                "password",
                "hold",
                name="action_limit_exceeded_percent",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="ok",
            nullable=False,
        ),
        sa.Column(
            "action_aged_once",
            sa.Enum(
                "ok",
                "remind",
                "password",
                "hold",
                name="action_aged_once",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="ok",
            nullable=False,
        ),
        sa.Column(
            "action_aged_twice",
            sa.Enum(
                "ok",
                "remind",
                "password",
                "hold",
                name="action_aged_twice",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="ok",
            nullable=False,
        ),
        sa.Column(
            "action_aged_thrice",
            sa.Enum(
                "ok",
                "remind",
                "password",
                "hold",
                name="action_aged_thrice",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="ok",
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "aged_once_days > 0 AND aged_twice_days > aged_once_days AND aged_thrice_days > aged_twice_days",
            name=op.f("ck_credit_policy_aging_thresholds"),
        ),
        sa.CheckConstraint(
            "default_credit_limit >= 0", name=op.f("ck_credit_policy_default_credit_limit")
        ),
        sa.CheckConstraint(
            "discount_days BETWEEN 0 AND 365", name=op.f("ck_credit_policy_discount_days")
        ),
        sa.CheckConstraint(
            "discount_percent BETWEEN 0 AND 100", name=op.f("ck_credit_policy_discount_percent")
        ),
        sa.CheckConstraint("length(code) > 0", name=op.f("ck_credit_policy_code_not_empty")),
        sa.CheckConstraint(
            "limit_exceeded_percent > 0", name=op.f("ck_credit_policy_limit_exceeded_percent")
        ),
        sa.CheckConstraint(
            "overdue_interest_percent BETWEEN 0 AND 100", name=op.f("ck_credit_policy_interest")
        ),
        sa.CheckConstraint(
            "payment_terms_days BETWEEN 0 AND 365", name=op.f("ck_credit_policy_payment_terms_days")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_policy")),
        sa.UniqueConstraint("code", name=op.f("uq_credit_policy_code")),
    )
    op.create_table(
        "letter_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "reminder",
                "agency",
                "invoice",
                "statement",
                name="kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("length(code) > 0", name=op.f("ck_letter_template_code_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_template")),
        sa.UniqueConstraint("code", name=op.f("uq_letter_template_code")),
    )
    op.create_table(
        "pool",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("criteria", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_pool_name_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool")),
        sa.UniqueConstraint("name", name=op.f("uq_pool_name")),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column(
            "role",
            sa.Enum(
                "agent",
                "controller",
                "supervisor",
                "admin",
                name="role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("approval_secret", sa.String(length=300), nullable=True),
        sa.Column("approval_limit", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "approval_limit IS NULL OR approval_limit >= 0", name=op.f("ck_staff_approval_limit")
        ),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_staff_name_not_empty")),
        sa.CheckConstraint(
            "login = lower(login) AND length(login) > 0", name=op.f("ck_staff_login_lowercase")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("login", name=op.f("uq_staff_login")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.CheckConstraint("length(action) > 0", name=op.f("ck_audit_log_action_not_empty")),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_audit_log_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False)
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"], unique=False)
    op.create_table(
        "customer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name2", sa.String(length=200), nullable=True),
        sa.Column("address_line1", sa.String(length=200), nullable=True),
        sa.Column("address_line2", sa.String(length=200), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("contact_person", sa.String(length=200), nullable=True),
        sa.Column("locale", sa.String(length=20), server_default="en_GB", nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payment_terms_days", sa.SmallInteger(), server_default="30", nullable=False),
        sa.Column(
            "delivery",
            sa.Enum("mail", "email", name="delivery", native_enum=False, create_constraint=True),
            server_default="mail",
            nullable=False,
        ),
        sa.Column("credit_policy_id", sa.Integer(), nullable=True),
        sa.Column("manual_settings", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "credit_limit", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False
        ),
        sa.Column("temp_credit_limit", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("temp_limit_expires_on", sa.Date(), nullable=True),
        sa.Column("credit_group_id", sa.Integer(), nullable=True),
        sa.Column(
            "credit_action",
            sa.Enum(
                "ok",
                "remind",
                "password",
                "hold",
                name="credit_action",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="ok",
            nullable=False,
        ),
        sa.Column(
            "credit_action_event",
            sa.Enum(
                "limit_exceeded",
                "limit_exceeded_percent",
                "aged_once",
                "aged_twice",
                "aged_thrice",
                "manual",
                "none",
                name="credit_action_event",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="none",
            nullable=False,
        ),
        sa.Column(
            "credit_action_since",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("risk_score", sa.SmallInteger(), nullable=True),
        sa.Column(
            "insurance_amount",
            sa.Numeric(precision=14, scale=2),
            server_default="0",
            nullable=False,
        ),
        sa.Column(
            "guarantee_amount",
            sa.Numeric(precision=14, scale=2),
            server_default="0",
            nullable=False,
        ),
        sa.Column("guarantee_note", sa.Text(), nullable=True),
        sa.Column("credit_limit_checked_on", sa.Date(), nullable=True),
        sa.Column("controller_id", sa.Integer(), nullable=True),
        sa.Column("pool_id", sa.Integer(), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("follow_up_reason", sa.Text(), nullable=True),
        sa.Column("balance", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False),
        sa.Column(
            "overdue_balance", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False
        ),
        sa.Column("oldest_due_on", sa.Date(), nullable=True),
        sa.Column("held_document_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("open_action_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_call_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "last_call_outcome",
            sa.Enum(
                "contacted",
                "unreachable",
                "document_created",
                name="last_call_outcome",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("last_contacted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_call_on", sa.Date(), nullable=True),
        sa.Column("next_promise_on", sa.Date(), nullable=True),
        sa.Column("figures_changed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "country IS NULL OR country ~ '^[A-Z]{2}$'", name=op.f("ck_customer_country_code")
        ),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_customer_currency_code")),
        sa.CheckConstraint(
            "email IS NULL OR position('@' in email) > 1", name=op.f("ck_customer_email_format")
        ),
        sa.CheckConstraint(
            "(temp_credit_limit IS NULL) = (temp_limit_expires_on IS NULL)",
            name=op.f("ck_customer_temp_limit_has_expiry"),
        ),
        sa.CheckConstraint("credit_limit >= 0", name=op.f("ck_customer_credit_limit")),
        sa.CheckConstraint(
            "held_document_count >= 0 AND open_action_count >= 0",
            name=op.f("ck_customer_counts_not_negative"),
        ),
        sa.CheckConstraint(
            "insurance_amount >= 0 AND guarantee_amount >= 0", name=op.f("ck_customer_securities")
        ),
        sa.CheckConstraint("length(account) > 0", name=op.f("ck_customer_account_not_empty")),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_customer_name_not_empty")),
        sa.CheckConstraint(
            "manual_settings OR credit_policy_id IS NOT NULL",
            name=op.f("ck_customer_policy_or_manual"),
        ),
        sa.CheckConstraint("overdue_balance >= 0", name=op.f("ck_customer_overdue_not_negative")),
        sa.CheckConstraint(
            "payment_terms_days BETWEEN 0 AND 365", name=op.f("ck_customer_payment_terms_days")
        ),
        sa.CheckConstraint(
            "risk_score IS NULL OR risk_score BETWEEN 0 AND 100",
            name=op.f("ck_customer_risk_score"),
        ),
        sa.CheckConstraint(
            "temp_credit_limit IS NULL OR temp_credit_limit >= 0",
            name=op.f("ck_customer_temp_credit_limit"),
        ),
        sa.CheckConstraint("version > 0", name=op.f("ck_customer_version_positive")),
        sa.ForeignKeyConstraint(
            ["controller_id"], ["staff.id"], name=op.f("fk_customer_controller_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["credit_group_id"],
            ["credit_group.id"],
            name=op.f("fk_customer_credit_group_id_credit_group"),
        ),
        sa.ForeignKeyConstraint(
            ["credit_policy_id"],
            ["credit_policy.id"],
            name=op.f("fk_customer_credit_policy_id_credit_policy"),
        ),
        sa.ForeignKeyConstraint(["pool_id"], ["pool.id"], name=op.f("fk_customer_pool_id_pool")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer")),
        sa.UniqueConstraint("account", name=op.f("uq_customer_account")),
    )
    op.create_index(
        "ix_customer_account_trgm",
        "customer",
        ["account"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"account": "gin_trgm_ops"},
    )
    op.create_index("ix_customer_controller_id", "customer", ["controller_id"], unique=False)
    op.create_index("ix_customer_credit_group_id", "customer", ["credit_group_id"], unique=False)
    op.create_index("ix_customer_credit_policy_id", "customer", ["credit_policy_id"], unique=False)
    op.create_index(
        "ix_customer_name2_trgm",
        "customer",
        ["name2"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"name2": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_customer_name_trgm",
        "customer",
        ["name"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_customer_phone_trgm",
        "customer",
        ["phone"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"phone": "gin_trgm_ops"},
    )
    op.create_index("ix_customer_pool_id", "customer", ["pool_id"], unique=False)
    op.create_index(
        "ix_customer_postal_code_trgm",
        "customer",
        ["postal_code"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"postal_code": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_customer_queue_overdue",
        "customer",
        [sa.literal_column("overdue_balance DESC"), "id"],
        unique=False,
        postgresql_where=sa.text("overdue_balance > 0"),
    )
    op.create_table(
        "daily_check_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "done",
                "failed",
                name="status",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="running",
            nullable=False,
        ),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("started_by_login", sa.String(length=64), nullable=True),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "changes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(status = 'running') = (finished_at IS NULL)",
            name=op.f("ck_daily_check_run_finished_when_not_running"),
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["staff.id"], name=op.f("fk_daily_check_run_started_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_check_run")),
        sa.UniqueConstraint("run_on", name=op.f("uq_daily_check_run_run_on")),
    )
    op.create_table(
        "dunning_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("step_no", sa.SmallInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("days_after_due", sa.SmallInteger(), nullable=False),
        sa.Column("letter_template_id", sa.Integer(), nullable=True),
        sa.Column("fee", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False),
        sa.Column("hands_to_agency", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.CheckConstraint("days_after_due >= 0", name=op.f("ck_dunning_step_days_after_due")),
        sa.CheckConstraint("fee >= 0", name=op.f("ck_dunning_step_fee_not_negative")),
        sa.CheckConstraint("step_no >= 1", name=op.f("ck_dunning_step_step_no_positive")),
        sa.ForeignKeyConstraint(
            ["letter_template_id"],
            ["letter_template.id"],
            name=op.f("fk_dunning_step_letter_template_id_letter_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dunning_step")),
        sa.UniqueConstraint("days_after_due", name=op.f("uq_dunning_step_days_after_due")),
        sa.UniqueConstraint("step_no", name=op.f("uq_dunning_step_step_no")),
    )
    op.create_table(
        "letter_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "reminder",
                "agency",
                "invoice",
                "statement",
                name="kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("file_path", sa.Text(), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("letter_count", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_letter_batch_sha256_hex")),
        sa.CheckConstraint(
            "page_count >= 0 AND letter_count >= 0", name=op.f("ck_letter_batch_counts")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_letter_batch_created_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_batch")),
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["staff.id"], name=op.f("fk_setting_updated_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    op.create_table(
        "staff_pool",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id"], ["pool.id"], name=op.f("fk_staff_pool_pool_id_pool"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_staff_pool_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_id", "pool_id", name=op.f("pk_staff_pool")),
    )
    op.create_index("ix_staff_pool_pool_id", "staff_pool", ["pool_id"], unique=False)
    op.create_table(
        "aging_snapshot",
        sa.Column("snapshot_on", sa.Date(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("balance", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("overdue", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("credit_limit", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("bands", postgresql.ARRAY(sa.Numeric(precision=14, scale=2)), nullable=False),
        sa.CheckConstraint("overdue >= 0", name=op.f("ck_aging_snapshot_overdue_not_negative")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_aging_snapshot_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("snapshot_on", "customer_id", name=op.f("pk_aging_snapshot")),
    )
    op.create_index(
        "ix_aging_snapshot_customer_id",
        "aging_snapshot",
        ["customer_id", "snapshot_on"],
        unique=False,
    )
    op.create_table(
        "contact",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "contacted",
                "unreachable",
                "document_created",
                name="outcome",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("next_call_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "(ended_at IS NULL) = (outcome IS NULL)", name=op.f("ck_contact_ended_has_outcome")
        ),
        sa.CheckConstraint(
            "ended_at IS NULL OR ended_at >= started_at", name=op.f("ck_contact_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_contact_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_contact_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
    )
    op.create_index(
        "ix_contact_customer_id", "contact", ["customer_id", "started_at"], unique=False
    )
    op.create_index("ix_contact_staff_id", "contact", ["staff_id", "started_at"], unique=False)
    op.create_table(
        "credit_limit_change",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("old_limit", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("new_limit", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("temporary", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                name="status",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="approved",
            nullable=False,
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "requested_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "NOT temporary OR expires_on IS NOT NULL",
            name=op.f("ck_credit_limit_change_temporary_expires"),
        ),
        sa.CheckConstraint(
            "length(reason) > 0", name=op.f("ck_credit_limit_change_reason_not_empty")
        ),
        sa.CheckConstraint("new_limit >= 0", name=op.f("ck_credit_limit_change_new_limit")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_credit_limit_change_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["staff.id"],
            name=op.f("fk_credit_limit_change_requested_by_id_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_limit_change")),
    )
    op.create_index(
        "ix_credit_limit_change_customer_id",
        "credit_limit_change",
        ["customer_id", "requested_at"],
        unique=False,
    )
    op.create_table(
        "debtor_lease",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column(
            "leased_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "expires_at > leased_at", name=op.f("ck_debtor_lease_expires_after_lease")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_debtor_lease_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_debtor_lease_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_debtor_lease")),
    )
    op.create_index("ix_debtor_lease_staff_id", "debtor_lease", ["staff_id"], unique=False)
    op.create_table(
        "held_document",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column(
            "document_kind",
            sa.Enum(
                "order", "invoice", name="document_kind", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "credit_action",
            sa.Enum(
                "ok",
                "remind",
                "password",
                "hold",
                name="credit_action",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("reasons", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column(
            "needs_supervisor", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column(
            "status",
            sa.Enum(
                "held",
                "released",
                "rejected",
                name="status",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="held",
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(status = 'held') = (decided_at IS NULL)",
            name=op.f("ck_held_document_decided_when_not_held"),
        ),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_held_document_currency_code")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_held_document_amount_positive")),
        sa.CheckConstraint("cardinality(reasons) > 0", name=op.f("ck_held_document_has_reasons")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_held_document_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_held_document_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["staff.id"], name=op.f("fk_held_document_decided_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_document")),
    )
    op.create_index("ix_held_document_customer_id", "held_document", ["customer_id"], unique=False)
    op.create_index(
        "ix_held_document_open",
        "held_document",
        ["created_at"],
        unique=False,
        postgresql_where=sa.text("status = 'held'"),
    )
    op.create_table(
        "invoice",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "invoice", "credit_note", name="kind", native_enum=False, create_constraint=True
            ),
            server_default="invoice",
            nullable=False,
        ),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column(
            "fee_amount", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False
        ),
        sa.Column(
            "interest_amount", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False
        ),
        sa.Column(
            "written_off_amount",
            sa.Numeric(precision=14, scale=2),
            server_default="0",
            nullable=False,
        ),
        sa.Column("open_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "delivery_by_mail", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("printed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dunning_level", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("last_dunned_on", sa.Date(), nullable=True),
        sa.Column(
            "collection_state",
            sa.Enum(
                "none",
                "flagged",
                "handed_over",
                name="collection_state",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="none",
            nullable=False,
        ),
        sa.Column("collection_agency_id", sa.Integer(), nullable=True),
        sa.Column("written_off_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("write_off_reason", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(collection_state = 'handed_over') = (collection_agency_id IS NOT NULL)",
            name=op.f("ck_invoice_handed_over_has_agency"),
        ),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_invoice_currency_code")),
        sa.CheckConstraint(
            "kind = 'invoice' OR (open_amount = 0 AND dunning_level = 0)",
            name=op.f("ck_invoice_credit_note_closed"),
        ),
        sa.CheckConstraint(
            "(written_off_amount > 0) = (written_off_at IS NOT NULL)",
            name=op.f("ck_invoice_write_off_dated"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_invoice_amount_positive")),
        sa.CheckConstraint("due_on >= issued_on", name=op.f("ck_invoice_due_after_issue")),
        sa.CheckConstraint("dunning_level >= 0", name=op.f("ck_invoice_dunning_level")),
        sa.CheckConstraint(
            "fee_amount >= 0 AND interest_amount >= 0 AND written_off_amount >= 0",
            name=op.f("ck_invoice_charges_not_negative"),
        ),
        sa.CheckConstraint("length(number) > 0", name=op.f("ck_invoice_number_not_empty")),
        sa.CheckConstraint(
            "open_amount >= 0 AND open_amount <= amount + fee_amount + interest_amount",
            name=op.f("ck_invoice_open_amount_range"),
        ),
        sa.ForeignKeyConstraint(
            ["collection_agency_id"],
            ["collection_agency.id"],
            name=op.f("fk_invoice_collection_agency_id_collection_agency"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_invoice_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice")),
        sa.UniqueConstraint("number", name=op.f("uq_invoice_number")),
    )
    op.create_index(
        "ix_invoice_collection",
        "invoice",
        ["collection_state", "collection_agency_id"],
        unique=False,
        postgresql_where=sa.text("collection_state <> 'none'"),
    )
    op.create_index("ix_invoice_customer_id", "invoice", ["customer_id"], unique=False)
    op.create_index(
        "ix_invoice_mail_unprinted",
        "invoice",
        ["customer_id"],
        unique=False,
        postgresql_where=sa.text("delivery_by_mail AND printed_at IS NULL"),
    )
    op.create_index(
        "ix_invoice_open_by_customer",
        "invoice",
        ["customer_id", "due_on"],
        unique=False,
        postgresql_where=sa.text("open_amount > 0"),
    )
    op.create_index(
        "ix_invoice_open_due_on",
        "invoice",
        ["due_on"],
        unique=False,
        postgresql_where=sa.text("open_amount > 0"),
    )
    op.create_table(
        "letter",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "reminder",
                "agency",
                "invoice",
                "statement",
                name="kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("dunning_step_id", sa.Integer(), nullable=True),
        sa.Column(
            "delivery",
            sa.Enum("mail", "email", name="delivery", native_enum=False, create_constraint=True),
            server_default="mail",
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "printed",
                "sent",
                "cancelled",
                name="status",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="queued",
            nullable=False,
        ),
        sa.Column("fee", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False),
        sa.Column("queued_on", sa.Date(), server_default=sa.text("CURRENT_DATE"), nullable=False),
        sa.Column("queued_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("printed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("send_attempts", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(status = 'printed') = (batch_id IS NOT NULL AND printed_at IS NOT NULL)",
            name=op.f("ck_letter_printed_has_batch"),
        ),
        sa.CheckConstraint(
            "(status = 'sent') = (sent_at IS NOT NULL)", name=op.f("ck_letter_sent_dated")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["letter_batch.id"], name=op.f("fk_letter_batch_id_letter_batch")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_letter_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["dunning_step_id"],
            ["dunning_step.id"],
            name=op.f("fk_letter_dunning_step_id_dunning_step"),
        ),
        sa.ForeignKeyConstraint(
            ["queued_by_id"], ["staff.id"], name=op.f("fk_letter_queued_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["letter_template.id"],
            name=op.f("fk_letter_template_id_letter_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter")),
    )
    op.create_index("ix_letter_batch_id", "letter", ["batch_id"], unique=False)
    op.create_index("ix_letter_customer_id", "letter", ["customer_id"], unique=False)
    op.create_index(
        "ix_letter_queued",
        "letter",
        ["kind", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'queued'"),
    )
    op.create_table(
        "note",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("note", "action", name="kind", native_enum=False, create_constraint=True),
            server_default="note",
            nullable=False,
        ),
        sa.Column("action_type_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "done", name="status", native_enum=False, create_constraint=True),
            server_default="open",
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'action') = (action_type_id IS NOT NULL)", name=op.f("ck_note_action_has_type")
        ),
        sa.CheckConstraint(
            "(status = 'done') = (done_at IS NOT NULL)", name=op.f("ck_note_done_dated")
        ),
        sa.CheckConstraint("length(body) > 0", name=op.f("ck_note_body_not_empty")),
        sa.ForeignKeyConstraint(
            ["action_type_id"], ["action_type.id"], name=op.f("fk_note_action_type_id_action_type")
        ),
        sa.ForeignKeyConstraint(["author_id"], ["staff.id"], name=op.f("fk_note_author_id_staff")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_note_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["staff.id"], name=op.f("fk_note_done_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note")),
    )
    op.create_index("ix_note_customer_id", "note", ["customer_id", "created_at"], unique=False)
    op.create_table(
        "payment",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("method", sa.String(length=30), nullable=True),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reversal_reason", sa.Text(), nullable=True),
        sa.Column("nsf_fee", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_payment_currency_code")),
        sa.CheckConstraint(
            "(reversed_at IS NULL) OR (reversal_reason IS NOT NULL)",
            name=op.f("ck_payment_reversal_reason"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payment_amount_positive")),
        sa.CheckConstraint("nsf_fee >= 0", name=op.f("ck_payment_nsf_fee")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_payment_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_payment_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment")),
    )
    op.create_index(
        "ix_payment_customer_id", "payment", ["customer_id", "received_on"], unique=False
    )
    op.create_table(
        "agency_handover",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("invoice_id", sa.BigInteger(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("handed_on", sa.Date(), nullable=False),
        sa.Column("handed_by_id", sa.Integer(), nullable=True),
        sa.Column("recalled_on", sa.Date(), nullable=True),
        sa.Column("recalled_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "recalled_on IS NULL OR recalled_on >= handed_on",
            name=op.f("ck_agency_handover_recalled_after_handed"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["collection_agency.id"],
            name=op.f("fk_agency_handover_agency_id_collection_agency"),
        ),
        sa.ForeignKeyConstraint(
            ["handed_by_id"], ["staff.id"], name=op.f("fk_agency_handover_handed_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_agency_handover_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["recalled_by_id"], ["staff.id"], name=op.f("fk_agency_handover_recalled_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_handover")),
    )
    op.create_index("ix_agency_handover_agency_id", "agency_handover", ["agency_id"], unique=False)
    op.create_index(
        "uq_agency_handover_open_invoice",
        "agency_handover",
        ["invoice_id"],
        unique=True,
        postgresql_where=sa.text("recalled_on IS NULL"),
    )
    op.create_table(
        "approval_request",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "credit_limit",
                "held_release",
                name="kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("credit_limit_change_id", sa.BigInteger(), nullable=True),
        sa.Column("held_document_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                name="status",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "requested_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'credit_limit') = (credit_limit_change_id IS NOT NULL) AND (kind = 'held_release') = (held_document_id IS NOT NULL)",
            name=op.f("ck_approval_request_subject_matches_kind"),
        ),
        sa.CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL)",
            name=op.f("ck_approval_request_decided_when_not_pending"),
        ),
        sa.ForeignKeyConstraint(
            ["credit_limit_change_id"],
            ["credit_limit_change.id"],
            name=op.f("fk_approval_request_credit_limit_change_id_credit_limit_change"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_approval_request_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["staff.id"], name=op.f("fk_approval_request_decided_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["held_document_id"],
            ["held_document.id"],
            name=op.f("fk_approval_request_held_document_id_held_document"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["staff.id"],
            name=op.f("fk_approval_request_requested_by_id_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_request")),
    )
    op.create_index(
        "ix_approval_request_customer_id", "approval_request", ["customer_id"], unique=False
    )
    op.create_index(
        "ix_approval_request_pending",
        "approval_request",
        ["requested_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "dispute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "resolved", name="status", native_enum=False, create_constraint=True),
            server_default="open",
            nullable=False,
        ),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "opened_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(status = 'resolved') = (resolved_at IS NOT NULL)",
            name=op.f("ck_dispute_resolved_dated"),
        ),
        sa.CheckConstraint("length(reason) > 0", name=op.f("ck_dispute_reason_not_empty")),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_dispute_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["staff.id"], name=op.f("fk_dispute_opened_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["staff.id"], name=op.f("fk_dispute_resolved_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute")),
    )
    op.create_index(
        "uq_dispute_open_invoice",
        "dispute",
        ["invoice_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "letter_invoice",
        sa.Column("letter_id", sa.BigInteger(), nullable=False),
        sa.Column("invoice_id", sa.BigInteger(), nullable=False),
        sa.Column("dunning_step_id", sa.Integer(), nullable=True),
        sa.Column("open_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.CheckConstraint("open_amount >= 0", name=op.f("ck_letter_invoice_open_amount")),
        sa.ForeignKeyConstraint(
            ["dunning_step_id"],
            ["dunning_step.id"],
            name=op.f("fk_letter_invoice_dunning_step_id_dunning_step"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_letter_invoice_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["letter.id"],
            name=op.f("fk_letter_invoice_letter_id_letter"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("letter_id", "invoice_id", name=op.f("pk_letter_invoice")),
    )
    op.create_index("ix_letter_invoice_invoice_id", "letter_invoice", ["invoice_id"], unique=False)
    op.create_index(
        "uq_letter_invoice_step",
        "letter_invoice",
        ["invoice_id", "dunning_step_id"],
        unique=True,
        postgresql_where=sa.text("dunning_step_id IS NOT NULL"),
    )
    op.create_table(
        "payment_allocation",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("payment_id", sa.BigInteger(), nullable=False),
        sa.Column("invoice_id", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("allocated_on", sa.Date(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payment_allocation_amount_positive")),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_payment_allocation_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payment.id"],
            name=op.f("fk_payment_allocation_payment_id_payment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_allocation")),
        sa.UniqueConstraint(
            "payment_id", "invoice_id", name=op.f("uq_payment_allocation_payment_id_invoice_id")
        ),
    )
    op.create_index(
        "ix_payment_allocation_invoice_id", "payment_allocation", ["invoice_id"], unique=False
    )
    op.create_table(
        "promise",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.BigInteger(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("promised_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "kept",
                "broken",
                "cancelled",
                name="status",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="open",
            nullable=False,
        ),
        sa.Column("evaluated_on", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(status = 'open') = (evaluated_on IS NULL)",
            name=op.f("ck_promise_evaluated_when_closed"),
        ),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_promise_currency_code")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_promise_amount_positive")),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_promise_contact_id_contact")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_promise_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_promise_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promise")),
    )
    op.create_index("ix_promise_customer_id", "promise", ["customer_id"], unique=False)
    op.create_index(
        "ix_promise_open_due",
        "promise",
        ["promised_on"],
        unique=False,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "todo",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.BigInteger(), nullable=True),
        sa.Column("contact_id", sa.BigInteger(), nullable=True),
        sa.Column("assigned_to_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "done", name="status", native_enum=False, create_constraint=True),
            server_default="open",
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'done') = (done_at IS NOT NULL)", name=op.f("ck_todo_done_dated")
        ),
        sa.CheckConstraint("length(description) > 0", name=op.f("ck_todo_description_not_empty")),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"], ["staff.id"], name=op.f("fk_todo_assigned_to_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_todo_contact_id_contact")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_todo_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_todo_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(["note_id"], ["note.id"], name=op.f("fk_todo_note_id_note")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_todo")),
    )
    op.create_index("ix_todo_customer_id", "todo", ["customer_id"], unique=False)
    op.create_index(
        "ix_todo_open",
        "todo",
        ["assigned_to_id", "due_on"],
        unique=False,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "promise_invoice",
        sa.Column("promise_id", sa.BigInteger(), nullable=False),
        sa.Column("invoice_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_promise_invoice_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["promise_id"],
            ["promise.id"],
            name=op.f("fk_promise_invoice_promise_id_promise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("promise_id", "invoice_id", name=op.f("pk_promise_invoice")),
    )
    op.create_index(
        "ix_promise_invoice_invoice_id", "promise_invoice", ["invoice_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_promise_invoice_invoice_id", table_name="promise_invoice")
    op.drop_table("promise_invoice")
    op.drop_index("ix_todo_open", table_name="todo", postgresql_where=sa.text("status = 'open'"))
    op.drop_index("ix_todo_customer_id", table_name="todo")
    op.drop_table("todo")
    op.drop_index(
        "ix_promise_open_due", table_name="promise", postgresql_where=sa.text("status = 'open'")
    )
    op.drop_index("ix_promise_customer_id", table_name="promise")
    op.drop_table("promise")
    op.drop_index("ix_payment_allocation_invoice_id", table_name="payment_allocation")
    op.drop_table("payment_allocation")
    op.drop_index(
        "uq_letter_invoice_step",
        table_name="letter_invoice",
        postgresql_where=sa.text("dunning_step_id IS NOT NULL"),
    )
    op.drop_index("ix_letter_invoice_invoice_id", table_name="letter_invoice")
    op.drop_table("letter_invoice")
    op.drop_index(
        "uq_dispute_open_invoice", table_name="dispute", postgresql_where=sa.text("status = 'open'")
    )
    op.drop_table("dispute")
    op.drop_index(
        "ix_approval_request_pending",
        table_name="approval_request",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_index("ix_approval_request_customer_id", table_name="approval_request")
    op.drop_table("approval_request")
    op.drop_index(
        "uq_agency_handover_open_invoice",
        table_name="agency_handover",
        postgresql_where=sa.text("recalled_on IS NULL"),
    )
    op.drop_index("ix_agency_handover_agency_id", table_name="agency_handover")
    op.drop_table("agency_handover")
    op.drop_index("ix_payment_customer_id", table_name="payment")
    op.drop_table("payment")
    op.drop_index("ix_note_customer_id", table_name="note")
    op.drop_table("note")
    op.drop_index(
        "ix_letter_queued", table_name="letter", postgresql_where=sa.text("status = 'queued'")
    )
    op.drop_index("ix_letter_customer_id", table_name="letter")
    op.drop_index("ix_letter_batch_id", table_name="letter")
    op.drop_table("letter")
    op.drop_index(
        "ix_invoice_open_due_on", table_name="invoice", postgresql_where=sa.text("open_amount > 0")
    )
    op.drop_index(
        "ix_invoice_open_by_customer",
        table_name="invoice",
        postgresql_where=sa.text("open_amount > 0"),
    )
    op.drop_index(
        "ix_invoice_mail_unprinted",
        table_name="invoice",
        postgresql_where=sa.text("delivery_by_mail AND printed_at IS NULL"),
    )
    op.drop_index("ix_invoice_customer_id", table_name="invoice")
    op.drop_index(
        "ix_invoice_collection",
        table_name="invoice",
        postgresql_where=sa.text("collection_state <> 'none'"),
    )
    op.drop_table("invoice")
    op.drop_index(
        "ix_held_document_open",
        table_name="held_document",
        postgresql_where=sa.text("status = 'held'"),
    )
    op.drop_index("ix_held_document_customer_id", table_name="held_document")
    op.drop_table("held_document")
    op.drop_index("ix_debtor_lease_staff_id", table_name="debtor_lease")
    op.drop_table("debtor_lease")
    op.drop_index("ix_credit_limit_change_customer_id", table_name="credit_limit_change")
    op.drop_table("credit_limit_change")
    op.drop_index("ix_contact_staff_id", table_name="contact")
    op.drop_index("ix_contact_customer_id", table_name="contact")
    op.drop_table("contact")
    op.drop_index("ix_aging_snapshot_customer_id", table_name="aging_snapshot")
    op.drop_table("aging_snapshot")
    op.drop_index("ix_staff_pool_pool_id", table_name="staff_pool")
    op.drop_table("staff_pool")
    op.drop_table("setting")
    op.drop_table("letter_batch")
    op.drop_table("dunning_step")
    op.drop_table("daily_check_run")
    op.drop_index(
        "ix_customer_queue_overdue",
        table_name="customer",
        postgresql_where=sa.text("overdue_balance > 0"),
    )
    op.drop_index(
        "ix_customer_postal_code_trgm",
        table_name="customer",
        postgresql_using="gin",
        postgresql_ops={"postal_code": "gin_trgm_ops"},
    )
    op.drop_index("ix_customer_pool_id", table_name="customer")
    op.drop_index(
        "ix_customer_phone_trgm",
        table_name="customer",
        postgresql_using="gin",
        postgresql_ops={"phone": "gin_trgm_ops"},
    )
    op.drop_index(
        "ix_customer_name_trgm",
        table_name="customer",
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.drop_index(
        "ix_customer_name2_trgm",
        table_name="customer",
        postgresql_using="gin",
        postgresql_ops={"name2": "gin_trgm_ops"},
    )
    op.drop_index("ix_customer_credit_policy_id", table_name="customer")
    op.drop_index("ix_customer_credit_group_id", table_name="customer")
    op.drop_index("ix_customer_controller_id", table_name="customer")
    op.drop_index(
        "ix_customer_account_trgm",
        table_name="customer",
        postgresql_using="gin",
        postgresql_ops={"account": "gin_trgm_ops"},
    )
    op.drop_table("customer")
    op.drop_index("ix_audit_log_entity", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("staff")
    op.drop_table("pool")
    op.drop_table("letter_template")
    op.drop_table("credit_policy")
    op.drop_table("credit_group")
    op.drop_table("collection_agency")
    op.drop_table("action_type")
