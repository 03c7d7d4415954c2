"""Sector trends, the facts (issue 16, DESIGN §10): the panel's context tags of a case (case_context, in the
member's tenant), the anonymised fact rows written at a case's milestones (trend_facts, in the branch's tenant:
coded dimensions only, insert-only, never updated or deleted), and which milestones of a case have had their
fact written (trend_marks, in the member's tenant, so a sweep writes each fact once; the retention purge deletes
them with the case).

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from meldpunt.db.rls import isolate_tenant_table

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

CODES = postgresql.ARRAY(sa.String(48))


def _case_key(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"], ["cases.tenant_id", "cases.id"], name=f"fk_{table}_tenant_id_cases"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{table}"),
    ]


def upgrade() -> None:
    op.create_table(
        "case_context",
        *_case_key("case_context"),
        sa.Column("power_difference", sa.String(16)),
        sa.Column("contract_form", sa.String(32)),
        sa.Column("structural_risks", CODES, nullable=False),
        sa.Column("context_factors", CODES, nullable=False),
        sa.Column("recorded_by_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("tenant_id", "case_id", name="uq_case_context_case"),
    )
    op.create_table(
        "trend_marks",
        *_case_key("trend_marks"),
        sa.Column("milestone", sa.String(24), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("tenant_id", "case_id", "milestone", name="uq_trend_marks_case_milestone"),
    )
    op.create_table(
        "trend_facts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("fact_key", sa.LargeBinary(32), nullable=False),  # keyed digest of case and milestone
        sa.Column("member_key", sa.String(32), nullable=False),  # keyed digest of the member: counts members
        sa.Column("milestone", sa.String(24), nullable=False),
        sa.Column("quarter", sa.String(7), nullable=False),
        sa.Column("size_class", sa.String(16), nullable=False),
        sa.Column("sector_code", sa.String(8), nullable=False),
        sa.Column("fte", sa.Integer()),
        sa.Column("dimensions", postgresql.JSONB(), nullable=False),  # closed codes only (trends.facts.DIMENSIONS)
        sa.Column("risk_factors", CODES, nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_trend_facts_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_trend_facts"),
        sa.UniqueConstraint("tenant_id", "fact_key", name="uq_trend_facts_fact_key"),
        sa.CheckConstraint(
            "milestone IN ('registered', 'routed', 'followed_up', 'decided', 'closed', 'advised', 'complaint_decided')",
            name="ck_trend_facts_milestone",
        ),
        sa.CheckConstraint("quarter ~ '^[0-9]{4}-Q[1-4]$'", name="ck_trend_facts_quarter"),
    )
    op.create_index("ix_trend_facts_quarter", "trend_facts", ["tenant_id", "quarter", "milestone"])
    for statement in isolate_tenant_table("case_context"):
        op.execute(statement)
    for statement in isolate_tenant_table("trend_marks", "SELECT, INSERT, DELETE"):
        op.execute(statement)
    for statement in isolate_tenant_table("trend_facts", "SELECT, INSERT"):  # immutable once written
        op.execute(statement)


def downgrade() -> None:
    for table in ("trend_facts", "trend_marks", "case_context"):
        op.drop_table(table)
