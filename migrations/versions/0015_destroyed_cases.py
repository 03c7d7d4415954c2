"""Destroyed cases and holds on the vault: a tombstone per destroyed case (no content: when, under which
policy, and the receipt's hash so the reporter learns it was destroyed), and legal holds that may name an
adviser's consultation instead of a case (DESIGN §9: the holds hold the vault's records too).

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldpunt.db.rls import isolate_tenant_table

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "destroyed_cases",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(16)),  # report, signal, complaint; NULL for documents without a case row
        sa.Column("receipt_hash", sa.LargeBinary(32)),
        sa.Column("record_class", sa.String(32), nullable=False),
        sa.Column("policy", sa.String(128), nullable=False),
        sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),  # rows gone and the certificate written
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_destroyed_cases_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "case_id", name="pk_destroyed_cases"),
        sa.UniqueConstraint("tenant_id", "receipt_hash", name="uq_destroyed_cases_tenant_id_receipt_hash"),
    )
    for statement in isolate_tenant_table("destroyed_cases", "SELECT, INSERT, UPDATE"):
        op.execute(statement)
    op.add_column("legal_holds", sa.Column("consultation_id", sa.Uuid()))
    op.alter_column("legal_holds", "case_id", nullable=True)
    op.execute(
        "ALTER TABLE legal_holds ADD CONSTRAINT ck_legal_holds_subject "
        "CHECK (num_nonnulls(case_id, consultation_id) = 1)"
    )
    op.create_index("ix_legal_holds_tenant_id_consultation_id", "legal_holds", ["tenant_id", "consultation_id"])


def downgrade() -> None:
    op.drop_index("ix_legal_holds_tenant_id_consultation_id", "legal_holds")
    op.execute("ALTER TABLE legal_holds DROP CONSTRAINT ck_legal_holds_subject")
    op.execute("DELETE FROM legal_holds WHERE consultation_id IS NOT NULL")
    op.alter_column("legal_holds", "case_id", nullable=False)
    op.drop_column("legal_holds", "consultation_id")
    op.drop_table("destroyed_cases")
