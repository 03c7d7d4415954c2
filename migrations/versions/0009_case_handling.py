"""Case handling, phase 1: routing, the decision panel (seats, declarations, exclusions), process concerns,
phase-1 steps; deadlines get a responsible role, a subject and their reminder and breach marks.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from meldpunt.db.rls import isolate_tenant_table

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = ("case_routings", "panel_members", "case_exclusions", "process_concerns", "case_steps")


def _keys(table: str) -> list[sa.SchemaItem]:
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
    op.add_column("cases", sa.Column("route", sa.String(32)))
    op.add_column(
        "deadlines", sa.Column("responsible_role", sa.String(32), nullable=False, server_default="reporting_point")
    )
    op.add_column("deadlines", sa.Column("subject_id", sa.Uuid()))
    op.add_column("deadlines", sa.Column("reminded_on", sa.Date()))
    op.add_column("deadlines", sa.Column("breach_reported_at", sa.DateTime(timezone=True)))
    op.create_index(
        "ix_deadlines_open", "deadlines", ["tenant_id", "due_at"], postgresql_where=sa.text("met_at IS NULL")
    )
    op.create_table(
        "case_routings",
        *_keys("case_routings"),
        sa.Column("classified_as", sa.String(16), nullable=False),
        sa.Column("route", sa.String(32), nullable=False),
        sa.Column("legal_duties", postgresql.JSONB(), nullable=False),
        sa.Column("overrides_wish", sa.Boolean(), nullable=False),
        sa.Column("escalation", sa.String(32)),
        sa.Column("sealed_reason", sa.LargeBinary(), nullable=False),
        sa.Column("sealed_alternative", sa.LargeBinary()),
        sa.Column("decided_by_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        # seed-000 §2.2 Tip 2: "niets doen" only with a recorded alternative.
        sa.CheckConstraint(
            "route <> 'no_action' OR sealed_alternative IS NOT NULL", name="ck_case_routings_no_action_alternative"
        ),
    )
    op.create_table(
        "panel_members",
        *_keys("panel_members"),
        sa.Column("account_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("pooled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("assigned_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("declaration", sa.String(16)),
        sa.Column("declared_at", sa.DateTime(timezone=True)),
        sa.Column("sealed_declaration", sa.LargeBinary()),
        sa.Column("left_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(
            ["account_tenant_id", "account_id"],
            ["accounts.tenant_id", "accounts.id"],
            name="fk_panel_members_account_tenant_id_accounts",
        ),
        sa.UniqueConstraint(
            "tenant_id", "case_id", "account_tenant_id", "account_id", name="uq_panel_members_one_seat_a_person"
        ),
        sa.CheckConstraint("role IN ('decision_maker', 'expert', 'process_guardian')", name="ck_panel_members_role"),
    )
    op.create_table(
        "case_exclusions",
        *_keys("case_exclusions"),
        sa.Column("account_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("tenant_id", "case_id", "account_tenant_id", "account_id", name="uq_case_exclusions_once"),
    )
    op.create_table(
        "process_concerns",
        *_keys("process_concerns"),
        sa.Column("raised_by_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("raised_by_id", sa.Uuid(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("sealed_text", sa.LargeBinary(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True)),
        sa.Column("acknowledged_by_id", sa.Uuid()),
        sa.Column("sealed_response", sa.LargeBinary()),
    )
    op.create_table(
        "case_steps",
        *_keys("case_steps"),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("facts", postgresql.JSONB(), nullable=False),
        sa.Column("sealed_content", sa.LargeBinary()),
        sa.Column("recorded_by_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    for table in TABLES:
        op.create_index(f"ix_{table}_tenant_id_case_id", table, ["tenant_id", "case_id"])
        for statement in isolate_tenant_table(table):
            op.execute(statement)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
    op.drop_index("ix_deadlines_open", table_name="deadlines")
    for column in ("breach_reported_at", "reminded_on", "subject_id", "responsible_role"):
        op.drop_column("deadlines", column)
    op.drop_column("cases", "route")
