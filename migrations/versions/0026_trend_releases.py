"""Sector trends, the releases (issue 16, DESIGN §10): per branch, population and period, the protected tables
with their status (audited or refused → requested → published), the suppression pattern and the audit report
(which holds true values: never shown to a board). A published release is immutable: a trigger refuses any
change to it, and no row is ever deleted (``meldpunt_app`` may SELECT, INSERT and UPDATE).

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from meldpunt.db.rls import isolate_tenant_table

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

IMMUTABLE = """
CREATE FUNCTION meldpunt_release_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'published' THEN
    RAISE EXCEPTION 'a published release is immutable' USING ERRCODE = 'check_violation';
  END IF;
  RETURN COALESCE(NEW, OLD);
END $$
"""


def upgrade() -> None:
    op.create_table(
        "trend_releases",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("population", sa.String(16), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("quarters", postgresql.ARRAY(sa.String(7)), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rules", postgresql.JSONB(), nullable=False),
        sa.Column("tables", postgresql.JSONB(), nullable=False),
        sa.Column("hidden", postgresql.JSONB(), nullable=False),
        sa.Column("cells", postgresql.JSONB(), nullable=False),
        sa.Column("audit", postgresql.JSONB(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("requested_by_tenant_id", sa.Uuid()),
        sa.Column("requested_by_id", sa.Uuid()),
        sa.Column("approved_by_tenant_id", sa.Uuid()),
        sa.Column("approved_by_id", sa.Uuid()),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_trend_releases_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_trend_releases"),
        sa.UniqueConstraint("tenant_id", "population", "period", name="uq_trend_releases_period"),
        sa.CheckConstraint(
            "status IN ('audited', 'refused', 'requested', 'published')", name="ck_trend_releases_status"
        ),
        sa.CheckConstraint(
            "status <> 'published' OR (approved_by_id IS NOT NULL AND approved_by_id <> requested_by_id)",
            name="ck_trend_releases_four_eyes",
        ),
    )
    op.execute(IMMUTABLE)
    op.execute(
        "CREATE TRIGGER trend_releases_immutable BEFORE UPDATE OR DELETE ON trend_releases "
        "FOR EACH ROW EXECUTE FUNCTION meldpunt_release_immutable()"
    )
    for statement in isolate_tenant_table("trend_releases", "SELECT, INSERT, UPDATE"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("trend_releases")
    op.execute("DROP FUNCTION meldpunt_release_immutable()")
