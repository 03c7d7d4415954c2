"""Dossiers: tenant key-encryption keys per epoch, case data keys, and encrypted documents.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldpunt.db.rls import isolate_tenant_table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenant_keys",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("root_key_id", sa.String(128), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_tenant_keys_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "epoch", name="pk_tenant_keys"),
    )
    op.create_table(
        "case_keys",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_case_keys_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "case_id", name="pk_case_keys"),
    )
    op.create_table(
        "documents",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("record_class", sa.String(32), nullable=False),
        sa.Column("object_key", sa.String(160), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sealed_meta", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_documents_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_documents"),
    )
    op.create_index("ix_documents_tenant_id_case_id", "documents", ["tenant_id", "case_id"])
    for table in ("tenant_keys", "case_keys", "documents"):
        for statement in isolate_tenant_table(table):
            op.execute(statement)


def downgrade() -> None:
    op.drop_table("documents")
    op.drop_table("case_keys")
    op.drop_table("tenant_keys")
