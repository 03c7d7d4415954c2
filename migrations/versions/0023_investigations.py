"""Investigations of phase 2: the investigations the panel commissions (investigations), their investigator
per case and for a time (investigator_seats), the interviews (investigation_interviews) and the parties'
reactions to each round of the draft report (investigation_reactions). All under tenant isolation; the
retention purge deletes a case's rows through their foreign keys to ``cases``, so ``meldpunt_app`` may
DELETE them.

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from meldpunt.db.rls import isolate_tenant_table

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

TABLES = ("investigation_reactions", "investigation_interviews", "investigator_seats", "investigations")
STATUSES = "'commissioned', 'under_way', 'draft', 'final', 'adopted', 'stopped'"


def _key(table: str, *, of_investigation: bool = True) -> list[sa.SchemaItem]:
    items: list[sa.SchemaItem] = [
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"], ["cases.tenant_id", "cases.id"], name=f"fk_{table}_tenant_id_cases"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{table}"),
    ]
    if of_investigation:
        items += [
            sa.Column("investigation_id", sa.Uuid(), nullable=False),
            sa.ForeignKeyConstraint(
                ["tenant_id", "investigation_id"],
                ["investigations.tenant_id", "investigations.id"],
                name=f"fk_{table}_investigations",
            ),
        ]
    return items


def _party(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "party_id"], ["case_parties.tenant_id", "case_parties.id"], name=f"fk_{table}_party"
        ),
    ]


def _at(name: str, nullable: bool = False) -> sa.Column[object]:
    if nullable:
        return sa.Column(name, sa.DateTime(timezone=True))
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _investigations() -> None:
    op.create_table(
        "investigations",
        *_key("investigations", of_investigation=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assignment_version", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("facts", JSONB(), nullable=False),
        sa.Column("sealed_content", sa.LargeBinary(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=False),
        _at("created_at"),
        _at("ended_at", nullable=True),
        sa.CheckConstraint("kind IN ('fact', 'culture', 'system')", name="ck_investigations_kind"),
        sa.CheckConstraint(f"status IN ({STATUSES})", name="ck_investigations_status"),
    )
    op.create_index("ix_investigations_tenant_id_case_id", "investigations", ["tenant_id", "case_id"])


def _seats() -> None:
    op.create_table(
        "investigator_seats",
        *_key("investigator_seats"),
        sa.Column("account_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("external", sa.Boolean(), nullable=False),
        sa.Column("licence_number", sa.String(64)),
        sa.Column("licence_valid_until", sa.Date()),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("declaration", sa.String(16)),
        _at("declared_at", nullable=True),
        sa.Column("sealed_declaration", sa.LargeBinary()),
        sa.Column("protocol_agreed_version", sa.Integer()),
        _at("assigned_at"),
        _at("left_at", nullable=True),
        _at("returned_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["account_tenant_id", "account_id"],
            ["accounts.tenant_id", "accounts.id"],
            name="fk_investigator_seats_accounts",
        ),
        sa.CheckConstraint(
            "declaration IS NULL OR declaration IN ('not_involved', 'involved')",
            name="ck_investigator_seats_declaration",
        ),
        sa.CheckConstraint("valid_to >= valid_from", name="ck_investigator_seats_time_box"),
    )
    op.create_index(
        "ix_investigator_seats_account", "investigator_seats", ["tenant_id", "account_tenant_id", "account_id"]
    )


def _interviews_and_reactions() -> None:
    op.create_table(
        "investigation_interviews",
        *_key("investigation_interviews"),
        *_party("investigation_interviews"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("companion_told_on", sa.Date(), nullable=False),
        sa.Column("held_on", sa.Date()),
        sa.Column("document_id", sa.Uuid()),
        sa.Column("share_id", sa.Uuid()),
        _at("created_at"),
        sa.CheckConstraint("status IN ('scheduled', 'shared', 'cancelled')", name="ck_investigation_interviews_status"),
    )
    op.create_table(
        "investigation_reactions",
        *_key("investigation_reactions"),
        *_party("investigation_reactions"),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("share_id", sa.Uuid(), nullable=False),
        sa.Column("deadline_id", sa.Uuid(), nullable=False),
        sa.Column("respond_by", sa.Date(), nullable=False),
        sa.Column("extensions", sa.Integer(), nullable=False),
        sa.Column("sealed_extension_reasons", sa.LargeBinary()),
        sa.Column("handling", sa.String(16)),
        sa.Column("document_id", sa.Uuid()),
        _at("handled_at", nullable=True),
        sa.CheckConstraint(
            "handling IS NULL OR handling IN ('incorporated', 'annexed', 'none_given')",
            name="ck_investigation_reactions_handling",
        ),
    )


def upgrade() -> None:
    _investigations()
    _seats()
    _interviews_and_reactions()
    for table in TABLES:
        for statement in isolate_tenant_table(table):
            op.execute(statement)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
