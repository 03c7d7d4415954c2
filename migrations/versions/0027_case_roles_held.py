"""Who took which role in a case (case_roles_held): every seat at the panel, at an intervention, at an
investigation and at the complaint, written by the module that seats, so that the rule that the organisation's
internal investigator plays no later role in the case (seed-000 §1.4, H7 B–C) is read on one floor. Filled from
the seats that exist; under tenant isolation; the retention purge deletes a case's rows through the foreign key to
``cases``, so ``meldpunt_app`` may DELETE them.

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldpunt.db.rls import isolate_tenant_table

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

TABLE = "case_roles_held"
# The seats that exist: (table, the role column's expression, the internal flag's expression).
SEATS = (
    ("panel_members", "role", "false"),
    ("intervention_seats", "role", "false"),
    ("complaint_seats", "role", "false"),
    ("investigator_seats", "'investigator'", "NOT external"),
)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("account_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=f"fk_{TABLE}_tenant_id_tenants"),
        sa.ForeignKeyConstraint(["tenant_id", "case_id"], ["cases.tenant_id", "cases.id"], name=f"fk_{TABLE}_cases"),
        sa.ForeignKeyConstraint(
            ["account_tenant_id", "account_id"], ["accounts.tenant_id", "accounts.id"], name=f"fk_{TABLE}_accounts"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{TABLE}"),
        sa.CheckConstraint("internal = false OR role = 'investigator'", name=f"ck_{TABLE}_internal"),
    )
    op.create_index(f"ix_{TABLE}_tenant_id_case_id", TABLE, ["tenant_id", "case_id"])
    for table, role, internal in SEATS:
        op.execute(
            f"INSERT INTO {TABLE} (tenant_id, id, case_id, account_tenant_id, account_id, role, internal, taken_at) "
            f"SELECT tenant_id, gen_random_uuid(), case_id, account_tenant_id, account_id, {role}, {internal}, "
            f"assigned_at FROM {table}"
        )
    for statement in isolate_tenant_table(TABLE):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table(TABLE)
