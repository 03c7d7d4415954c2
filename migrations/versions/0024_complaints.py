"""The complaint track (complaints/): one complaint per case routed to the committee, its seats with their
written independence declarations and employers, and the records of its dossier with their visibility. All
under tenant isolation; the retention purge deletes a case's rows (it follows the foreign keys to ``cases``),
so ``meldpunt_app`` may DELETE them. A deadline may name the process guardian its breach goes to.

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from meldpunt.db.rls import isolate_tenant_table

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

TABLES = ("complaint_records", "complaint_seats", "complaints")
STATUSES = (
    "registered",
    "admissible",
    "inadmissible",
    "hearing",
    "heard",
    "draft_advice",
    "advised",
    "decided",
    "notified",
    "objection",
    "aftercare",
    "closed",
    "withdrawn",
    "suspended",
    "settled",
)
REASONS = ("not_affected", "out_of_scope", "internal_route_first", "too_late", "already_judged", "anonymous")
OUTCOMES = ("well_founded", "partly", "not_well_founded", "not_established")
ROLES = ("committee_chair", "committee_member", "committee_secretary", "decision_maker", "process_guardian")
EMPLOYERS = ("this_member", "other_member", "branch", "external")
KINDS = (
    "defence",
    "hearing_record",
    "reaction",
    "evidence",
    "deliberation",
    "draft_advice",
    "advice",
    "decision",
    "mediation_agreement",
)
VISIBILITIES = ("committee", "parties", "own_party")


def _one_of(table: str, column: str, values: tuple[str, ...], *, nullable: bool = False) -> sa.CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    check = f"{column} IN ({listed})"
    return sa.CheckConstraint(f"{column} IS NULL OR {check}" if nullable else check, name=f"ck_{table}_{column}")


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


def _of_complaint(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "complaint_id"], ["complaints.tenant_id", "complaints.id"], name=f"fk_{table}_complaints"
        ),
    ]


def _at(name: str, nullable: bool = False) -> sa.Column[object]:
    if nullable:
        return sa.Column(name, sa.DateTime(timezone=True))
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _complaints() -> None:
    op.create_table(
        "complaints",
        *_key("complaints"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("committee_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("inadmissible_reason", sa.String(32)),
        sa.Column("advice_outcome", sa.String(24)),
        sa.Column("decision_outcome", sa.String(24)),
        sa.Column("facts", JSONB(), nullable=False),
        sa.Column("sealed_content", sa.LargeBinary()),
        sa.Column("registered_by_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("registered_by_id", sa.Uuid(), nullable=False),
        _at("registered_at"),
        _at("ended_at", nullable=True),
        sa.UniqueConstraint("tenant_id", "case_id", name="uq_complaints_case"),
        _one_of("complaints", "status", STATUSES),
        _one_of("complaints", "inadmissible_reason", REASONS, nullable=True),
        _one_of("complaints", "advice_outcome", OUTCOMES, nullable=True),
        _one_of("complaints", "decision_outcome", OUTCOMES, nullable=True),
    )


def _seats() -> None:
    op.create_table(
        "complaint_seats",
        *_key("complaint_seats"),
        *_of_complaint("complaint_seats"),
        sa.Column("account_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("employer", sa.String(16), nullable=False),
        sa.Column("employer_tenant_id", sa.Uuid()),
        sa.Column("facts", JSONB(), nullable=False),
        sa.Column("declaration", sa.String(16)),
        _at("declared_at", nullable=True),
        sa.Column("sealed_declaration", sa.LargeBinary()),
        _at("assigned_at"),
        _at("left_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["account_tenant_id", "account_id"],
            ["accounts.tenant_id", "accounts.id"],
            name="fk_complaint_seats_accounts",
        ),
        sa.UniqueConstraint(
            "tenant_id", "complaint_id", "account_tenant_id", "account_id", name="uq_complaint_seats_person"
        ),
        _one_of("complaint_seats", "role", ROLES),
        _one_of("complaint_seats", "employer", EMPLOYERS),
        _one_of("complaint_seats", "declaration", ("not_involved", "involved"), nullable=True),
    )
    op.create_index("ix_complaint_seats_account", "complaint_seats", ["tenant_id", "account_tenant_id", "account_id"])


def _records() -> None:
    op.create_table(
        "complaint_records",
        *_key("complaint_records"),
        *_of_complaint("complaint_records"),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("party", sa.String(16)),
        sa.Column("facts", JSONB(), nullable=False),
        sa.Column("sealed_body", sa.LargeBinary(), nullable=False),
        sa.Column("document_id", sa.Uuid()),
        sa.Column("recorded_by_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        _at("recorded_at"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "document_id"], ["documents.tenant_id", "documents.id"], name="fk_complaint_records_documents"
        ),
        _one_of("complaint_records", "kind", KINDS),
        _one_of("complaint_records", "visibility", VISIBILITIES),
        _one_of("complaint_records", "party", ("complainant", "accused"), nullable=True),
    )
    op.create_index("ix_complaint_records_complaint", "complaint_records", ["tenant_id", "complaint_id"])


def upgrade() -> None:
    _complaints()
    _seats()
    _records()
    for table in TABLES:
        for statement in isolate_tenant_table(table):
            op.execute(statement)
    op.add_column("deadlines", sa.Column("guardian_tenant_id", sa.Uuid()))
    op.add_column("deadlines", sa.Column("guardian_id", sa.Uuid()))
    op.create_check_constraint(
        "ck_deadlines_guardian_whole", "deadlines", "(guardian_tenant_id IS NULL) = (guardian_id IS NULL)"
    )


def downgrade() -> None:
    op.drop_constraint("ck_deadlines_guardian_whole", "deadlines", type_="check")
    op.drop_column("deadlines", "guardian_id")
    op.drop_column("deadlines", "guardian_tenant_id")
    for table in TABLES:
        op.drop_table(table)
