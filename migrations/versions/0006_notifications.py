"""Notifications: messages to professionals, deduplicated per tenant, sent at most once.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from meldpunt.db.rls import isolate_tenant_table

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("counts", postgresql.JSONB(), nullable=False),
        sa.Column("dedup_key", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("undeliverable", sa.String(64)),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_notifications_tenant_id_tenants"),
        sa.ForeignKeyConstraint(
            ["account_tenant_id", "account_id"],
            ["accounts.tenant_id", "accounts.id"],
            name="fk_notifications_account_tenant_id_accounts",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_notifications"),
        sa.UniqueConstraint("tenant_id", "dedup_key", name="uq_notifications_tenant_id_dedup_key"),
    )
    op.create_index("ix_notifications_tenant_id_sent_at", "notifications", ["tenant_id", "sent_at"])
    for statement in isolate_tenant_table("notifications"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("notifications")
