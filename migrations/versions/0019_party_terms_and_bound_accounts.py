"""The party portal, finished: a party's terms (what the panel asks of one party and by when, a deadline of
the case) and the account a staff party bound their invitation to (signed in with OIDC, with the one-time
code). ``party_terms`` is under tenant isolation; the retention purge deletes a case's rows.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldpunt.db.rls import isolate_tenant_table

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("party_invitations", sa.Column("bound_account_tenant_id", sa.Uuid()))
    op.add_column("party_invitations", sa.Column("bound_account_id", sa.Uuid()))
    op.add_column("party_invitations", sa.Column("bound_at", sa.DateTime(timezone=True)))
    op.create_foreign_key(
        "fk_party_invitations_bound_account",
        "party_invitations",
        "accounts",
        ["bound_account_tenant_id", "bound_account_id"],
        ["tenant_id", "id"],
    )
    op.create_index(
        "ix_party_invitations_bound_account",
        "party_invitations",
        ["tenant_id", "bound_account_tenant_id", "bound_account_id"],
    )
    op.create_table(
        "party_terms",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.Column("deadline_id", sa.Uuid(), nullable=False),
        sa.Column("sealed_ask", sa.LargeBinary(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("set_by_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("set_by_id", sa.Uuid(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("met_at", sa.DateTime(timezone=True)),
        sa.Column("met_by_party", sa.Boolean()),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_party_terms_tenant_id_tenants"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"], ["cases.tenant_id", "cases.id"], name="fk_party_terms_tenant_id_cases"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "party_id"],
            ["case_parties.tenant_id", "case_parties.id"],
            name="fk_party_terms_tenant_id_case_parties",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "deadline_id"], ["deadlines.tenant_id", "deadlines.id"], name="fk_party_terms_deadlines"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_party_terms"),
    )
    op.create_index("ix_party_terms_tenant_id_party_id", "party_terms", ["tenant_id", "party_id"])
    for statement in isolate_tenant_table("party_terms"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("party_terms")
    op.drop_index("ix_party_invitations_bound_account", table_name="party_invitations")
    op.drop_constraint("fk_party_invitations_bound_account", "party_invitations", type_="foreignkey")
    for column in ("bound_at", "bound_account_id", "bound_account_tenant_id"):
        op.drop_column("party_invitations", column)
