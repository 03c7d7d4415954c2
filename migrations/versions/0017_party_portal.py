"""The party portal: parties on a case, their invitations (hashes only), what is shared with them, their
messages and answers, and links between cases about the same named accused. Every table under tenant
isolation; the retention purge deletes a case's rows, so ``meldpunt_app`` may DELETE them.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldpunt.db.rls import isolate_tenant_table

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLES = (
    "reporter_agreements",
    "case_links",
    "party_responses",
    "party_messages",
    "party_shares",
    "party_invitations",
    "case_parties",
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


def _party(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "party_id"],
            ["case_parties.tenant_id", "case_parties.id"],
            name=f"fk_{table}_tenant_id_case_parties",
        ),
    ]


def _at(name: str, nullable: bool = False) -> sa.Column[object]:
    if nullable:
        return sa.Column(name, sa.DateTime(timezone=True))
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "case_parties",
        *_key("case_parties"),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("accompanies_id", sa.Uuid()),
        sa.Column("sealed_name", sa.LargeBinary(), nullable=False),
        sa.Column("sealed_contact", sa.LargeBinary()),
        sa.Column("sealed_companion", sa.LargeBinary()),
        sa.Column("name_index", sa.LargeBinary(32)),
        sa.Column("added_by_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("added_by_id", sa.Uuid(), nullable=False),
        _at("added_at"),
        _at("removed_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "accompanies_id"],
            ["case_parties.tenant_id", "case_parties.id"],
            name="fk_case_parties_tenant_id_case_parties",
        ),
        sa.CheckConstraint(
            "role IN ('accused', 'witness', 'affected', 'external_complainant', 'companion')",
            name="ck_case_parties_role",
        ),
    )
    op.create_index("ix_case_parties_tenant_id_case_id", "case_parties", ["tenant_id", "case_id"])
    op.create_index("ix_case_parties_tenant_id_name_index", "case_parties", ["tenant_id", "name_index"])
    op.create_table(
        "party_invitations",
        *_key("party_invitations"),
        *_party("party_invitations"),
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("code_hash", sa.String(128), nullable=False),
        sa.Column("key_hash", sa.String(128)),
        sa.Column("created_by_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=False),
        _at("created_at"),
        _at("activated_at", nullable=True),
        _at("revoked_at", nullable=True),
        sa.UniqueConstraint("tenant_id", "token_hash", name="uq_party_invitations_tenant_id_token_hash"),
    )
    op.create_table(
        "party_shares",
        *_key("party_shares"),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("party_role", sa.String(24)),
        sa.Column("party_id", sa.Uuid()),
        sa.Column("for_approval", sa.Boolean(), nullable=False),
        sa.Column("respond_by", sa.Date()),
        sa.Column("shows_reporter", sa.Boolean(), nullable=False),
        sa.Column("shared_by_tenant_id", sa.Uuid()),  # none for the party's own files
        sa.Column("shared_by_id", sa.Uuid()),
        _at("shared_at"),
        _at("withdrawn_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "document_id"], ["documents.tenant_id", "documents.id"], name="fk_party_shares_documents"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "party_id"], ["case_parties.tenant_id", "case_parties.id"], name="fk_party_shares_parties"
        ),
        sa.CheckConstraint("num_nonnulls(party_role, party_id) = 1", name="ck_party_shares_audience"),
    )
    op.create_index("ix_party_shares_tenant_id_case_id", "party_shares", ["tenant_id", "case_id"])
    op.create_table(
        "party_messages",
        *_key("party_messages"),
        *_party("party_messages"),
        sa.Column("from_party", sa.Boolean(), nullable=False),
        sa.Column("author_tenant_id", sa.Uuid()),
        sa.Column("author_id", sa.Uuid()),
        sa.Column("sealed_body", sa.LargeBinary(), nullable=False),
        _at("created_at"),
    )
    op.create_index("ix_party_messages_tenant_id_party_id", "party_messages", ["tenant_id", "party_id"])
    op.create_table(
        "party_responses",
        *_key("party_responses"),
        *_party("party_responses"),
        sa.Column("share_id", sa.Uuid(), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("sealed_comment", sa.LargeBinary()),
        _at("responded_at"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "share_id"], ["party_shares.tenant_id", "party_shares.id"], name="fk_party_responses_shares"
        ),
        sa.CheckConstraint("verdict IN ('approved', 'commented')", name="ck_party_responses_verdict"),
    )
    op.create_table(
        "case_links",
        *_key("case_links"),
        sa.Column("linked_case_id", sa.Uuid(), nullable=False),
        sa.Column("linked_by_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("linked_by_id", sa.Uuid(), nullable=False),
        _at("linked_at"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "linked_case_id"], ["cases.tenant_id", "cases.id"], name="fk_case_links_linked_case"
        ),
        sa.UniqueConstraint("tenant_id", "case_id", "linked_case_id", name="uq_case_links_pair"),
    )
    op.create_table(
        "reporter_agreements",
        *_key("reporter_agreements"),
        _at("agreed_at"),
        _at("withdrawn_at", nullable=True),
    )
    for table in TABLES:
        for statement in isolate_tenant_table(table):
            op.execute(statement)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
