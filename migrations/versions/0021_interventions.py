"""Phase 2: the chosen follow-ups carried out (interventions) and who carries them out, per case and for a
time (intervention_seats). Both under tenant isolation; the retention purge deletes a case's rows, so
``meldpunt_app`` may DELETE them.

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from meldpunt.db.rls import isolate_tenant_table

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

TABLES = ("intervention_seats", "interventions")
KINDS = "'informal_conversation', 'corrective_conversation', 'group_conversation', 'bemiddeling', 'mediation'"
STATUSES = "'planned', 'prepared', 'held', 'completed', 'stopped', 'back_to_panel'"


def _key(table: str) -> list[sa.SchemaItem]:
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


def _at(name: str, nullable: bool = False) -> sa.Column[object]:
    if nullable:
        return sa.Column(name, sa.DateTime(timezone=True))
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "interventions",
        *_key("interventions"),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("after_id", sa.Uuid()),
        sa.Column("facts", JSONB(), nullable=False),
        sa.Column("sealed_content", sa.LargeBinary()),
        sa.Column("document_id", sa.Uuid()),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=False),
        _at("created_at"),
        _at("ended_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "after_id"], ["interventions.tenant_id", "interventions.id"], name="fk_interventions_after"
        ),
        sa.CheckConstraint(f"kind IN ({KINDS})", name="ck_interventions_kind"),
        sa.CheckConstraint(f"status IN ({STATUSES})", name="ck_interventions_status"),
    )
    op.create_index("ix_interventions_tenant_id_case_id", "interventions", ["tenant_id", "case_id"])
    op.create_table(
        "intervention_seats",
        *_key("intervention_seats"),
        sa.Column("intervention_id", sa.Uuid(), nullable=False),
        sa.Column("account_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("facts", JSONB(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("declaration", sa.String(16)),
        _at("declared_at", nullable=True),
        sa.Column("sealed_declaration", sa.LargeBinary()),
        _at("assigned_at"),
        _at("left_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "intervention_id"],
            ["interventions.tenant_id", "interventions.id"],
            name="fk_intervention_seats_interventions",
        ),
        sa.ForeignKeyConstraint(
            ["account_tenant_id", "account_id"],
            ["accounts.tenant_id", "accounts.id"],
            name="fk_intervention_seats_accounts",
        ),
        sa.UniqueConstraint(
            "tenant_id", "intervention_id", "account_tenant_id", "account_id", name="uq_intervention_seats_person"
        ),
        sa.CheckConstraint(
            "role IN ('line_manager', 'hr', 'facilitator', 'mediator')", name="ck_intervention_seats_role"
        ),
        sa.CheckConstraint(
            "declaration IS NULL OR declaration IN ('not_involved', 'involved')",
            name="ck_intervention_seats_declaration",
        ),
        sa.CheckConstraint("valid_to >= valid_from", name="ck_intervention_seats_time_box"),
    )
    op.create_index(
        "ix_intervention_seats_account", "intervention_seats", ["tenant_id", "account_tenant_id", "account_id"]
    )
    for table in TABLES:
        for statement in isolate_tenant_table(table):
            op.execute(statement)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
