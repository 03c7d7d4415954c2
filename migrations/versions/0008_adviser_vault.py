"""The adviser's vault: consultations, contacts, the consent ledger and disclosures (visible only to their
adviser, in the database itself), anonymised adviser signals, and report drafts for the reporter.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from meldpunt.db.rls import VAULT_OWNER_FUNCTION, isolate_tenant_table, isolate_vault_table

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

VAULT_TABLES = ("consultations", "consultation_contacts", "consent_records", "disclosures")


def _owned(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("adviser_account_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("adviser_account_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{table}"),
    ]


def _of_consultation(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("consultation_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "consultation_id"],
            ["consultations.tenant_id", "consultations.id"],
            name=f"fk_{table}_tenant_id_consultations",
        ),
    ]


def upgrade() -> None:
    op.execute(VAULT_OWNER_FUNCTION)
    op.create_table(
        "consultations",
        *_owned("consultations"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date()),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("reporter_role", sa.String(32)),
        sa.Column("sealed_label", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["adviser_account_tenant_id", "adviser_account_id"],
            ["accounts.tenant_id", "accounts.id"],
            name="fk_consultations_adviser_account_tenant_id_accounts",
        ),
        sa.CheckConstraint("status IN ('open', 'closed')", name="ck_consultations_status"),
    )
    op.create_index("ix_consultations_owner", "consultations", ["tenant_id", "adviser_account_id", "status"])
    op.create_table(
        "consultation_contacts",
        *_owned("consultation_contacts"),
        *_of_consultation("consultation_contacts"),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("minutes", sa.Integer()),
        sa.Column("sealed_note", sa.LargeBinary()),
    )
    op.create_table(
        "consent_records",
        *_owned("consent_records"),
        *_of_consultation("consent_records"),
        sa.Column("basis", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(32), nullable=False),
        sa.Column("scopes", postgresql.JSONB(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date()),
        sa.Column("withdrawn_on", sa.Date()),
        sa.Column("sealed_note", sa.LargeBinary()),
        sa.CheckConstraint("basis IN ('consent', 'duty_to_report', 'court_order')", name="ck_consent_records_basis"),
    )
    op.create_table(
        "disclosures",
        *_owned("disclosures"),
        *_of_consultation("disclosures"),
        sa.Column("consent_id", sa.Uuid(), nullable=False),
        sa.Column("recipient", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(32), nullable=False),
        sa.Column("disclosed_on", sa.Date(), nullable=False),
        sa.Column("sealed_content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "consent_id"],
            ["consent_records.tenant_id", "consent_records.id"],
            name="fk_disclosures_tenant_id_consent_records",
        ),
    )
    for table in ("consultation_contacts", "consent_records", "disclosures"):
        op.create_index(f"ix_{table}_tenant_id_consultation_id", table, ["tenant_id", "consultation_id"])
    op.create_table(
        "adviser_signals",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("setting", sa.String(32)),
        sa.Column("accused_role", sa.String(32)),
        sa.Column("attributes", postgresql.JSONB(), nullable=False),
        sa.Column("suggestions", postgresql.JSONB(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_adviser_signals_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_adviser_signals"),
    )
    op.create_table(
        "report_drafts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("sealed_submission", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_report_drafts_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_report_drafts"),
        sa.UniqueConstraint("tenant_id", "code_hash", name="uq_report_drafts_tenant_id_code_hash"),
    )
    # Vault rows are never deleted by the application: the retention purge destroys their keys.
    for table in VAULT_TABLES:
        for statement in isolate_vault_table(table):
            op.execute(statement)
    for statement in isolate_tenant_table("adviser_signals", "SELECT, INSERT"):
        op.execute(statement)
    for statement in isolate_tenant_table("report_drafts", "SELECT, INSERT, UPDATE"):
        op.execute(statement)


def downgrade() -> None:
    for table in ("report_drafts", "adviser_signals", "disclosures", "consent_records", "consultation_contacts"):
        op.drop_table(table)
    op.drop_table("consultations")
    op.execute("DROP FUNCTION IF EXISTS meldpunt_vault_owner()")
