"""Foundation: the tenant-context function, tenants, and the job outbox under row-level security.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from meldpunt.db.rls import CURRENT_TENANTS_FUNCTION, isolate_tenant_table
from meldpunt.settings import APP_ROLE

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(CURRENT_TENANTS_FUNCTION)
    op.create_table(
        "tenants",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("slug", sa.String(63), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("branch_id", sa.Uuid(), sa.ForeignKey("tenants.id", name="fk_tenants_branch_id_tenants")),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("fte", sa.Integer()),
        sa.Column("sector_code", sa.String(32), nullable=False),
        sa.Column("branch_services", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("branding", postgresql.JSONB(), nullable=False),
        sa.Column("identity_provider", postgresql.JSONB(), nullable=False),
        sa.Column("procedure", postgresql.JSONB(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("kind IN ('branch', 'member')", name="ck_tenants_kind"),
        sa.CheckConstraint("(kind = 'branch') = (branch_id IS NULL)", name="ck_tenants_member_has_branch"),
        sa.CheckConstraint("slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'", name="ck_tenants_slug_format"),
        sa.PrimaryKeyConstraint("id", name="pk_tenants"),
        sa.UniqueConstraint("slug", name="uq_tenants_slug"),
    )
    op.create_index("ix_tenants_branch_id", "tenants", ["branch_id"])
    # Tenants are read by every request and written by `tenants apply`; never deleted (archived instead).
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON tenants TO {APP_ROLE}")

    op.create_table(
        "outbox_messages",
        sa.Column(
            "tenant_id",
            sa.Uuid(),
            sa.ForeignKey("tenants.id", name="fk_outbox_messages_tenant_id_tenants"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("actor_name", sa.String(128), nullable=False),
        sa.Column("queue_name", sa.String(64), nullable=False),
        sa.Column("kwargs", postgresql.JSONB(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_outbox_messages"),
    )
    op.create_index("ix_outbox_messages_tenant_id_created_at", "outbox_messages", ["tenant_id", "created_at"])
    for statement in isolate_tenant_table("outbox_messages"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("outbox_messages")
    op.drop_table("tenants")
    op.execute("DROP FUNCTION IF EXISTS meldpunt_current_tenants()")
