"""SQL that migrations use to put a table under tenant isolation (DESIGN §5).

Every table with a ``tenant_id`` column gets RLS enabled *and forced* and one policy on
``meldpunt_current_tenants()``, in the same migration that creates it. ``meldpunt_app`` never gets
TRUNCATE, which row-level security does not cover.
"""

from __future__ import annotations

from meldpunt.settings import APP_ROLE

CURRENT_TENANTS_FUNCTION = """
CREATE OR REPLACE FUNCTION meldpunt_current_tenants() RETURNS uuid[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(nullif(current_setting('meldpunt.tenant_ids', true), ''), '{}')::uuid[]
$$
"""


# The sub-select makes the tenant list an InitPlan: evaluated once per query and opaque to the planner.
# Written as a plain function call, the planner folds the list while estimating, multiplies its
# selectivity with the application's own `tenant_id = :t` filter, underestimates by the number of
# tenants, and sorts instead of walking the (tenant_id, …) index: 7x slower for "latest 50" with 200
# tenants (benchmarks/rls_overhead.py).
TENANT_PREDICATE = "tenant_id = ANY ((SELECT meldpunt_current_tenants())::uuid[])"

VAULT_OWNER_FUNCTION = """
CREATE OR REPLACE FUNCTION meldpunt_vault_owner() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT nullif(current_setting('meldpunt.vault_owner', true), '')::uuid
$$
"""
# A vault row is visible only in its tenant AND to its adviser (seed-000 Implications B.9): a tenant
# admin, a decision maker, another adviser or the reporting point never has this owner set.
VAULT_PREDICATE = f"{TENANT_PREDICATE} AND adviser_account_id = (SELECT meldpunt_vault_owner())"


def isolate_tenant_table(
    table: str, privileges: str = "SELECT, INSERT, UPDATE, DELETE", predicate: str = TENANT_PREDICATE
) -> list[str]:
    """The statements that put ``table`` under tenant isolation, granting ``meldpunt_app`` ``privileges``."""
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'CREATE POLICY tenant_isolation ON "{table}" USING ({predicate}) WITH CHECK ({predicate})',
        f'REVOKE ALL ON "{table}" FROM {APP_ROLE}',
        f'GRANT {privileges} ON "{table}" TO {APP_ROLE}',
    ]


def isolate_vault_table(table: str, privileges: str = "SELECT, INSERT, UPDATE") -> list[str]:
    """Tenant isolation plus the vault owner: only the adviser whose vault it is sees or writes a row."""
    return isolate_tenant_table(table, privileges, VAULT_PREDICATE)
