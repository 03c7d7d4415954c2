"""Intake: cases (reports, signals, complaints), their deadlines and messages, and receipt salts.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from meldpunt.db.rls import isolate_tenant_table

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("anonymity", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("attributes", postgresql.JSONB(), nullable=False),
        sa.Column("reporter_role", sa.String(32), nullable=False),
        sa.Column("reporter_is_affected", sa.Boolean(), nullable=False),
        sa.Column("accused_role", sa.String(32)),
        sa.Column("setting", sa.String(32)),
        sa.Column("wishes", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("sealed_narrative", sa.LargeBinary(), nullable=False),
        sa.Column("sealed_identity", sa.LargeBinary()),
        sa.Column("receipt_hash", sa.LargeBinary(32)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_cases_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_cases"),
        sa.UniqueConstraint("tenant_id", "receipt_hash", name="uq_cases_tenant_id_receipt_hash"),
        sa.CheckConstraint("kind IN ('report', 'signal', 'complaint')", name="ck_cases_kind"),
        # seed-000 §2.1: a complaint is never anonymous and only by the affected person.
        sa.CheckConstraint(
            "kind <> 'complaint' OR (anonymity = 'confidential' AND reporter_is_affected)",
            name="ck_cases_complaint_named_and_affected",
        ),
    )
    for table in ("deadlines", "case_messages"):
        columns = (
            [
                sa.Column("kind", sa.String(32), nullable=False),
                sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
                sa.Column("met_at", sa.DateTime(timezone=True)),
            ]
            if table == "deadlines"
            else [
                sa.Column("author", sa.String(64), nullable=False),
                sa.Column("sealed_body", sa.LargeBinary(), nullable=False),
                sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
            ]
        )
        op.create_table(
            table,
            sa.Column("tenant_id", sa.Uuid(), nullable=False),
            sa.Column("id", sa.Uuid(), nullable=False),
            sa.Column("case_id", sa.Uuid(), nullable=False),
            *columns,
            sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants"),
            sa.ForeignKeyConstraint(
                ["tenant_id", "case_id"], ["cases.tenant_id", "cases.id"], name=f"fk_{table}_tenant_id_cases"
            ),
            sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{table}"),
        )
        op.create_index(f"ix_{table}_tenant_id_case_id", table, ["tenant_id", "case_id"])
    op.create_table(
        "receipt_salts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("salt", sa.LargeBinary(16), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_receipt_salts_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_receipt_salts"),
    )
    for table in ("cases", "deadlines", "case_messages", "receipt_salts"):
        for statement in isolate_tenant_table(table):
            op.execute(statement)


def downgrade() -> None:
    op.drop_table("receipt_salts")
    op.drop_table("case_messages")
    op.drop_table("deadlines")
    op.drop_table("cases")
