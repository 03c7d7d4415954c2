"""The end of a case (issue 13, part C): decisions and their measures, who was told the outcome, monitoring
entries, aftercare actions, the evaluation of the procedure, and the closure. Every table under tenant
isolation; the retention purge deletes a case's rows (it finds them by their foreign keys to ``cases``, and
``case_measures`` through ``case_decisions``), so ``meldpunt_app`` may DELETE them.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from meldpunt.db.rls import isolate_tenant_table

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

# Children first, for the downgrade.
TABLES = (
    "case_closures",
    "case_evaluations",
    "aftercare_actions",
    "monitoring_entries",
    "outcome_messages",
    "case_measures",
    "case_decisions",
)


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


def _by(prefix: str) -> list[sa.Column[object]]:
    return [
        sa.Column(f"{prefix}_tenant_id", sa.Uuid(), nullable=False),
        sa.Column(f"{prefix}_id", sa.Uuid(), nullable=False),
    ]


def _one_of(table: str, column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=f"ck_{table}_{column}")


FINDINGS = ("well_founded", "partly_well_founded", "not_well_founded", "not_established")
MEASURES = (
    "official_warning",
    "improvement_plan",
    "leave_from_work",
    "suspension",
    "transfer",
    "pay_sanction",
    "demotion",
    "career_limitation",
    "dismissal",
    "disciplinary_complaint",
)


def upgrade() -> None:
    op.create_table(
        "case_decisions",
        *_key("case_decisions"),
        sa.Column("finding", sa.String(32), nullable=False),
        sa.Column("sealed_reasons", sa.LargeBinary(), nullable=False),
        *_by("decided_by"),
        _at("decided_at"),
        _one_of("case_decisions", "finding", FINDINGS),
    )
    op.create_table(
        "case_measures",
        *_key("case_measures"),
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("heard_on", sa.Date()),
        sa.Column("ends_on", sa.Date()),
        _at("ended_at", nullable=True),
        sa.Column("sealed_content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "decision_id"],
            ["case_decisions.tenant_id", "case_decisions.id"],
            name="fk_case_measures_tenant_id_case_decisions",
        ),
        _one_of("case_measures", "kind", MEASURES),
    )
    # The sanction sweep looks for measures whose end date has come and that have not ended yet.
    op.create_index(
        "ix_case_measures_due", "case_measures", ["tenant_id", "ends_on"], postgresql_where=sa.text("ended_at IS NULL")
    )
    op.create_table(
        "outcome_messages",
        *_key("outcome_messages"),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("template", sa.String(32)),
        sa.Column("document_id", sa.Uuid()),
        *_by("sent_by"),
        _at("sent_at"),
        _one_of("outcome_messages", "audience", ("reporter", "accused", "team")),
    )
    op.create_table(
        "monitoring_entries",
        *_key("monitoring_entries"),
        sa.Column("behaviour_stopped", sa.Boolean(), nullable=False),
        sa.Column("work_restored", sa.Boolean(), nullable=False),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("next_on", sa.Date()),
        sa.Column("sealed_note", sa.LargeBinary(), nullable=False),
        *_by("recorded_by"),
        _at("recorded_at"),
    )
    op.create_table(
        "aftercare_actions",
        *_key("aftercare_actions"),
        sa.Column("party", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        *_by("owner"),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("sealed_text", sa.LargeBinary(), nullable=False),
        _at("done_at", nullable=True),
        sa.Column("sealed_done_note", sa.LargeBinary()),
        _at("planned_at"),
        _one_of("aftercare_actions", "party", ("reporter", "accused", "witnesses", "team")),
    )
    op.create_index("ix_aftercare_actions_owner", "aftercare_actions", ["tenant_id", "owner_id"])
    op.create_table(
        "case_evaluations",
        *_key("case_evaluations"),
        sa.Column("perspectives", postgresql.JSONB(), nullable=False),
        sa.Column("sealed_content", sa.LargeBinary(), nullable=False),
        *_by("recorded_by"),
        _at("recorded_at"),
    )
    op.create_table(
        "case_closures",
        *_key("case_closures"),
        sa.Column("route", sa.String(32)),
        sa.Column("sealed_reason", sa.LargeBinary()),
        *_by("closed_by"),
        _at("closed_at"),
        sa.Column("facts", postgresql.JSONB(), nullable=False, server_default="{}"),
    )
    for table in TABLES:
        op.create_index(f"ix_{table}_tenant_id_case_id", table, ["tenant_id", "case_id"])
        for statement in isolate_tenant_table(table):
            op.execute(statement)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
