"""Identity: accounts keyed by (issuer, subject) and grants of roles in tenants, under row-level security.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldpunt.db.rls import isolate_tenant_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("issuer", sa.String(255), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_accounts_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_accounts"),
        sa.UniqueConstraint("tenant_id", "issuer", "subject", name="uq_accounts_tenant_id_issuer_subject"),
    )
    op.create_table(
        "grants",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_grants_tenant_id_tenants"),
        sa.ForeignKeyConstraint(
            ["account_tenant_id", "account_id"],
            ["accounts.tenant_id", "accounts.id"],
            name="fk_grants_account_tenant_id_accounts",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_grants"),
        sa.UniqueConstraint(
            "tenant_id",
            "account_tenant_id",
            "account_id",
            "role",
            "source",
            name="uq_grants_tenant_id_account_role_source",
        ),
        sa.CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="ck_grants_period"),
    )
    op.create_index("ix_grants_tenant_id_account", "grants", ["tenant_id", "account_tenant_id", "account_id"])
    op.create_index("ix_grants_account", "grants", ["account_tenant_id", "account_id"])
    for table in ("accounts", "grants"):
        for statement in isolate_tenant_table(table):
            op.execute(statement)


def downgrade() -> None:
    op.drop_table("grants")
    op.drop_table("accounts")
