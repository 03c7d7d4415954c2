"""The audit log: append-only, hash-chained entries per tenant, and each chain's head.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from meldpunt.db.rls import isolate_tenant_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The head of each tenant's chain is kept by this trigger, which runs as the owner: the application can
# read heads but not move them, so deleting the newest entries is noticed. It also refuses an entry that
# does not extend the chain (wrong sequence number or previous hash).
ADVANCE_HEAD = """
CREATE FUNCTION audit_advance_head() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE head audit_heads%ROWTYPE;
BEGIN
  SELECT * INTO head FROM audit_heads WHERE tenant_id = NEW.tenant_id FOR UPDATE;
  IF NOT FOUND THEN
    IF NEW.seq <> 1 OR NEW.prev_hash <> decode(repeat('00', 32), 'hex') THEN
      RAISE EXCEPTION 'audit entry % does not start the chain of tenant %', NEW.seq, NEW.tenant_id;
    END IF;
    INSERT INTO audit_heads (tenant_id, seq, entry_hash) VALUES (NEW.tenant_id, NEW.seq, NEW.entry_hash);
  ELSE
    IF NEW.seq <> head.seq + 1 OR NEW.prev_hash <> head.entry_hash THEN
      RAISE EXCEPTION 'audit entry % does not extend the chain of tenant %', NEW.seq, NEW.tenant_id;
    END IF;
    UPDATE audit_heads SET seq = NEW.seq, entry_hash = NEW.entry_hash WHERE tenant_id = NEW.tenant_id;
  END IF;
  RETURN NULL;
END $$
"""

REFUSE_CHANGE = """
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("resource_type", sa.String(64), nullable=False),
        sa.Column("resource_id", sa.String(128)),
        sa.Column("details", postgresql.JSONB(), nullable=False),
        sa.Column("prev_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("entry_hash", sa.LargeBinary(32), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_audit_entries_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "seq", name="pk_audit_entries"),
    )
    op.create_index("ix_audit_entries_tenant_id_occurred_at", "audit_entries", ["tenant_id", "occurred_at"])
    op.create_table(
        "audit_heads",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.LargeBinary(32), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_audit_heads_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_audit_heads"),
    )
    for statement in isolate_tenant_table("audit_entries", privileges="SELECT, INSERT"):
        op.execute(statement)
    for statement in isolate_tenant_table("audit_heads", privileges="SELECT"):
        op.execute(statement)
    op.execute(ADVANCE_HEAD)
    op.execute(REFUSE_CHANGE)
    op.execute("REVOKE ALL ON FUNCTION audit_advance_head() FROM PUBLIC")
    op.execute(
        "CREATE TRIGGER audit_entries_advance_head AFTER INSERT ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION audit_advance_head()"
    )
    op.execute(
        "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()"
    )


def downgrade() -> None:
    op.drop_table("audit_heads")
    op.drop_table("audit_entries")
    op.execute("DROP FUNCTION audit_refuse_change()")
    op.execute("DROP FUNCTION audit_advance_head()")
