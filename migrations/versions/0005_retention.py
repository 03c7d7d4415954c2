"""Retention: policies per tenant and record class, case events that start periods, legal holds, and the
stored due date of each document.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldpunt.db.rls import isolate_tenant_table

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_policies",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("record_class", sa.String(32), nullable=False),
        sa.Column("trigger", sa.String(32), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("inherited", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_retention_policies_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "record_class", name="pk_retention_policies"),
        sa.CheckConstraint("days > 0", name="ck_retention_policies_days"),
    )
    op.create_table(
        "case_events",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("trigger", sa.String(32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_case_events_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "case_id", "trigger", name="pk_case_events"),
    )
    op.create_table(
        "legal_holds",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("sealed_reason", sa.LargeBinary(), nullable=False),
        sa.Column("placed_by", sa.String(128), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("released_by", sa.String(128)),
        sa.Column("released_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_legal_holds_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_legal_holds"),
        sa.CheckConstraint(
            "kind IN ('objection', 'court_proceedings', 'new_investigation')", name="ck_legal_holds_kind"
        ),
    )
    op.create_index("ix_legal_holds_tenant_id_case_id", "legal_holds", ["tenant_id", "case_id"])
    op.add_column("documents", sa.Column("due_at", sa.DateTime(timezone=True)))
    # Who is reminded before destruction: the account that stored the document (else the tenant's admins).
    op.add_column("documents", sa.Column("owner_account_tenant_id", sa.Uuid()))
    op.add_column("documents", sa.Column("owner_account_id", sa.Uuid()))
    op.create_index("ix_documents_tenant_id_due_at", "documents", ["tenant_id", "due_at"])
    for table in ("retention_policies", "case_events", "legal_holds"):
        for statement in isolate_tenant_table(table):
            op.execute(statement)


def downgrade() -> None:
    op.drop_index("ix_documents_tenant_id_due_at", "documents")
    op.drop_column("documents", "owner_account_id")
    op.drop_column("documents", "owner_account_tenant_id")
    op.drop_column("documents", "due_at")
    op.drop_table("legal_holds")
    op.drop_table("case_events")
    op.drop_table("retention_policies")
