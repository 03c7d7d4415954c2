"""Retention of the adviser's vault: when a closed consultation's notes are due (record class
``adviser_note``), readable by the purge without opening any vault; the application may delete vault rows
(the purge does, as the vault's owner, after destroying the consultation's key).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldpunt.db.rls import isolate_tenant_table
from meldpunt.settings import APP_ROLE

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

VAULT_TABLES = ("consultations", "consultation_contacts", "consent_records", "disclosures")


def upgrade() -> None:
    # No content here, and deliberately no ``adviser_account_id``: the purge must find what is due without
    # being the vault's owner. ``owner_*`` says whose vault to open to delete the rows.
    op.create_table(
        "vault_retention",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),  # the consultation
        sa.Column("owner_account_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("owner_account_id", sa.Uuid(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_vault_retention_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_vault_retention"),
    )
    op.create_index("ix_vault_retention_due", "vault_retention", ["tenant_id", "due_at"])
    for statement in isolate_tenant_table("vault_retention", "SELECT, INSERT, DELETE"):
        op.execute(statement)
    for table in VAULT_TABLES:
        op.execute(f'GRANT DELETE ON "{table}" TO {APP_ROLE}')


def downgrade() -> None:
    for table in VAULT_TABLES:
        op.execute(f'REVOKE DELETE ON "{table}" FROM {APP_ROLE}')
    op.drop_table("vault_retention")
