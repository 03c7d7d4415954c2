"""Audit entries signed by the application, and one chain per adviser's vault readable by that adviser only.

Every entry now carries an Ed25519 signature made by the application with a key the database never holds
(``meldpunt.audit.signing``), so an entry written with SQL alone, however well hashed, is found by
``meldpunt audit verify``. Vault entries (``vault_owner_id``: the adviser's account) form their own chain
per adviser, visible only while that adviser's vault is open: the tenant's DPO sees neither them nor a gap
in the tenant's chain, only yearly counts (``meldpunt_vault_audit_counts(tenant)``). The owner role may read
every chain of a tenant in context, so that ``audit verify`` (which runs as the owner) checks them all.

Entries written before this revision keep no signature; verify accepts them only before the first signed
entry of a chain. Vault entries written before it, in the tenant's chain, are hidden from the application
role (they stay in the chain for verify). Downgrading drops the vault chains' entries (the old key has no
room for them).

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldpunt.db.rls import TENANT_PREDICATE
from meldpunt.settings import APP_ROLE, OWNER_ROLE

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

NIL = "'00000000-0000-0000-0000-000000000000'::uuid"
# The tenant's own chain (nil owner), or the vault chain of the adviser whose vault is open; the owner role
# (``audit verify``, and this migration's SECURITY DEFINER functions) sees every chain of the tenants in
# context. One permissive policy for all commands, as every tenant table has (tests/integration/db).
HEAD_PREDICATE = (
    f"{TENANT_PREDICATE} AND (vault_owner_id = {NIL} OR vault_owner_id = (SELECT meldpunt_vault_owner()) "
    f"OR current_user = '{OWNER_ROLE}')"
)
# Entries: the same, except that a vault action is never in the tenant's chain: refused from now on, and
# hidden where one was written there before vault chains (the DPO then sees a gap, once, for the past).
ENTRY_PREDICATE = (
    f"{TENANT_PREDICATE} AND ((vault_owner_id = {NIL} AND action NOT LIKE 'vault.%') "
    f"OR vault_owner_id = (SELECT meldpunt_vault_owner()) OR current_user = '{OWNER_ROLE}')"
)

ADVANCE_HEAD = """
CREATE OR REPLACE FUNCTION audit_advance_head() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE head audit_heads%ROWTYPE;
BEGIN
  SELECT * INTO head FROM audit_heads
   WHERE tenant_id = NEW.tenant_id AND vault_owner_id = NEW.vault_owner_id FOR UPDATE;
  IF NOT FOUND THEN
    IF NEW.seq <> 1 OR NEW.prev_hash <> decode(repeat('00', 32), 'hex') THEN
      RAISE EXCEPTION 'audit entry % does not start the chain of tenant %', NEW.seq, NEW.tenant_id;
    END IF;
  ELSIF NEW.seq <> head.seq + 1 OR NEW.prev_hash <> head.entry_hash THEN
    RAISE EXCEPTION 'audit entry % does not extend the chain of tenant %', NEW.seq, NEW.tenant_id;
  END IF;
  IF NEW.signature IS NULL OR NEW.signing_key IS NULL THEN
    RAISE EXCEPTION 'audit entry % of tenant % is not signed by the application', NEW.seq, NEW.tenant_id;
  END IF;
  IF NOT FOUND THEN
    INSERT INTO audit_heads (tenant_id, vault_owner_id, seq, entry_hash)
    VALUES (NEW.tenant_id, NEW.vault_owner_id, NEW.seq, NEW.entry_hash);
  ELSE
    UPDATE audit_heads SET seq = NEW.seq, entry_hash = NEW.entry_hash
     WHERE tenant_id = NEW.tenant_id AND vault_owner_id = NEW.vault_owner_id;
  END IF;
  RETURN NULL;
END $$
"""

OLD_ADVANCE_HEAD = """
CREATE OR REPLACE FUNCTION audit_advance_head() RETURNS trigger
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

# The tenant learns how many vault entries there are per year: no ids, no advisers, no days.
VAULT_COUNTS = f"""
CREATE FUNCTION meldpunt_vault_audit_counts(tenant uuid) RETURNS TABLE (year integer, entries bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT extract(year FROM occurred_at AT TIME ZONE 'UTC')::integer, count(*)
    FROM audit_entries
   WHERE tenant_id = tenant AND {TENANT_PREDICATE} AND vault_owner_id <> {NIL}
   GROUP BY 1 ORDER BY 1
$$
"""


def _policies(entries: str, heads: str) -> list[str]:
    statements = []
    for table, predicate in (("audit_entries", entries), ("audit_heads", heads)):
        statements += [
            f"DROP POLICY tenant_isolation ON {table}",
            f"CREATE POLICY tenant_isolation ON {table} USING ({predicate}) WITH CHECK ({predicate})",
        ]
    return statements


def upgrade() -> None:
    for table in ("audit_entries", "audit_heads"):
        op.add_column(table, sa.Column("vault_owner_id", sa.Uuid(), nullable=False, server_default=sa.text(NIL)))
    op.add_column("audit_entries", sa.Column("signing_key", sa.String(32)))
    op.add_column("audit_entries", sa.Column("signature", sa.LargeBinary(64)))
    op.drop_constraint("pk_audit_entries", "audit_entries", type_="primary")
    op.create_primary_key("pk_audit_entries", "audit_entries", ["tenant_id", "vault_owner_id", "seq"])
    op.drop_constraint("pk_audit_heads", "audit_heads", type_="primary")
    op.create_primary_key("pk_audit_heads", "audit_heads", ["tenant_id", "vault_owner_id"])
    for statement in _policies(ENTRY_PREDICATE, HEAD_PREDICATE):
        op.execute(statement)
    op.execute(ADVANCE_HEAD)
    op.execute(VAULT_COUNTS)
    op.execute("REVOKE ALL ON FUNCTION meldpunt_vault_audit_counts(uuid) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION meldpunt_vault_audit_counts(uuid) TO {APP_ROLE}")


def downgrade() -> None:
    op.execute("DROP FUNCTION meldpunt_vault_audit_counts(uuid)")
    op.execute(OLD_ADVANCE_HEAD)
    for statement in _policies(TENANT_PREDICATE, TENANT_PREDICATE):
        op.execute(statement)
    # The owner sees every tenant's rows only with row-level security not forced on it, for these deletes.
    op.execute("ALTER TABLE audit_entries DISABLE TRIGGER USER")
    for table in ("audit_entries", "audit_heads"):
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"DELETE FROM {table} WHERE vault_owner_id <> {NIL}")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE audit_entries ENABLE TRIGGER USER")
    op.drop_constraint("pk_audit_heads", "audit_heads", type_="primary")
    op.create_primary_key("pk_audit_heads", "audit_heads", ["tenant_id"])
    op.drop_constraint("pk_audit_entries", "audit_entries", type_="primary")
    op.create_primary_key("pk_audit_entries", "audit_entries", ["tenant_id", "seq"])
    op.drop_column("audit_entries", "signature")
    op.drop_column("audit_entries", "signing_key")
    for table in ("audit_entries", "audit_heads"):
        op.drop_column(table, "vault_owner_id")
