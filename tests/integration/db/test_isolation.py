"""Tenant isolation holds in the database itself, with the application's own filters removed.

Every query here is raw SQL as ``meldpunt_app`` (tests run as a superuser or the owner would pass
without testing anything, DESIGN §5).
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine

from meldpunt.db.context import also_in, current_tenant_ids, tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.db.rls import isolate_tenant_table
from meldpunt.settings import Settings
from tests.conftest import MakeTenant, TenantRef

TENANT_TABLES_SQL = (
    "SELECT c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE a.attname = 'tenant_id' AND NOT a.attisdropped "
    "AND c.relkind IN ('r', 'p') AND n.nspname = 'public' ORDER BY 1"
)


async def tenant_tables(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return list((await connection.execute(text(TENANT_TABLES_SQL))).scalars())


async def isolation_problems(connection: AsyncConnection) -> list[str]:
    """Everything DESIGN §5 requires of a tenant table that some table lacks (empty: all is well)."""
    problems = []
    for table in (await connection.execute(text(TENANT_TABLES_SQL))).scalars():
        flags = (
            await connection.execute(
                text("SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = to_regclass(:t)"),
                {"t": table},
            )
        ).one()
        if flags != (True, True):
            problems.append(f"{table}: row-level security not enabled and forced")
        policies = (
            await connection.execute(
                text("SELECT qual, with_check, cmd, permissive FROM pg_policies WHERE tablename = :t"), {"t": table}
            )
        ).all()
        if not policies:
            problems.append(f"{table}: no policy")
        for policy in policies:
            if policy.cmd != "ALL" or policy.permissive != "PERMISSIVE":
                problems.append(f"{table}: policy must be PERMISSIVE for ALL commands")
            if any("meldpunt_current_tenants()" not in (clause or "") for clause in (policy.qual, policy.with_check)):
                problems.append(f"{table}: USING and WITH CHECK must both read meldpunt_current_tenants()")
        may_truncate = (
            await connection.execute(text("SELECT has_table_privilege('meldpunt_app', :t, 'TRUNCATE')"), {"t": table})
        ).scalar_one()
        if may_truncate:
            problems.append(f"{table}: meldpunt_app may TRUNCATE")
        # A table that belongs to an adviser's vault also restricts every row to its adviser (DESIGN §7).
        owned = (
            await connection.execute(
                text(
                    "SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass(:t) "
                    "AND attname = 'adviser_account_id' AND NOT attisdropped"
                ),
                {"t": table},
            )
        ).scalar_one()
        if owned and any(
            "meldpunt_vault_owner()" not in (clause or "")
            for policy in policies
            for clause in (policy.qual, policy.with_check)
        ):
            problems.append(f"{table}: a vault table's policy must also read meldpunt_vault_owner()")
        constraints = (
            await connection.execute(
                text(
                    "SELECT con.conname, con.contype, ref.relname AS referenced, "
                    "  (SELECT array_agg(a.attname::text) FROM pg_attribute a "
                    "   WHERE a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey)) AS columns "
                    "FROM pg_constraint con LEFT JOIN pg_class ref ON ref.oid = con.confrelid "
                    "WHERE con.conrelid = to_regclass(:t) AND con.contype IN ('u', 'p', 'f')"
                ),
                {"t": table},
            )
        ).all()
        for constraint in constraints:
            if constraint.contype == "f" and constraint.referenced == "tenants":
                continue
            # A key must include tenant_id; a deliberate cross-tenant reference (a shared professional's grant
            # pointing at their branch account) names the other tenant in an explicit *_tenant_id column.
            if not any(column == "tenant_id" or column.endswith("_tenant_id") for column in constraint.columns):
                problems.append(f"{table}.{constraint.conname}: must include tenant_id (RLS does not cover it)")
    return problems


async def insert_outbox_row(session: AsyncSession, tenant: TenantRef) -> uuid.UUID:
    row_id = uuid.uuid4()
    await session.execute(
        text(
            "INSERT INTO outbox_messages (tenant_id, id, actor_name, queue_name, kwargs) "
            "VALUES (:t, :i, 'system.heartbeat', 'default', '{}')"
        ),
        {"t": tenant.id, "i": row_id},
    )
    return row_id


async def test_the_application_role_is_neither_superuser_nor_owner_nor_bypassing_rls(app_engine: AsyncEngine) -> None:
    async with app_engine.connect() as connection:
        role = (
            await connection.execute(
                text(
                    "SELECT current_user AS name, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles "
                    "WHERE rolname = current_user"
                )
            )
        ).one()
        owners = set(
            (await connection.execute(text("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'"))).scalars()
        )
    assert role.name == "meldpunt_app"
    assert not (role.rolsuper or role.rolbypassrls or role.rolcreaterole or role.rolcreatedb)
    assert owners == {"meldpunt_owner"}


async def test_every_tenant_table_has_forced_rls_a_policy_composite_keys_and_no_truncate(
    app_engine: AsyncEngine,
) -> None:
    assert "outbox_messages" in await tenant_tables(app_engine)
    async with app_engine.connect() as connection:
        assert await isolation_problems(connection) == []


@pytest.mark.parametrize(
    ("ddl", "expected"),
    [
        (
            "CREATE TABLE forgotten (tenant_id uuid NOT NULL REFERENCES tenants, id uuid, PRIMARY KEY (tenant_id, id))",
            ["forgotten: row-level security not enabled and forced", "forgotten: no policy"],
        ),
        (
            "CREATE TABLE forgotten (tenant_id uuid NOT NULL REFERENCES tenants, id uuid, ref text UNIQUE, "
            "PRIMARY KEY (tenant_id, id)); " + "; ".join(isolate_tenant_table("forgotten")),
            ["forgotten.forgotten_ref_key: must include tenant_id (RLS does not cover it)"],
        ),
        (
            "CREATE TABLE forgotten (tenant_id uuid NOT NULL REFERENCES tenants, id uuid, "
            "PRIMARY KEY (tenant_id, id)); "
            + "; ".join(isolate_tenant_table("forgotten"))
            + "; GRANT TRUNCATE ON forgotten TO meldpunt_app",
            ["forgotten: meldpunt_app may TRUNCATE"],
        ),
        (
            "CREATE TABLE forgotten (tenant_id uuid NOT NULL REFERENCES tenants, id uuid, adviser_account_id uuid, "
            "PRIMARY KEY (tenant_id, id)); " + "; ".join(isolate_tenant_table("forgotten")),
            ["forgotten: a vault table's policy must also read meldpunt_vault_owner()"],
        ),
    ],
)
async def test_the_guard_fails_for_a_table_that_forgets_isolation(
    owner_engine: AsyncEngine, ddl: str, expected: list[str]
) -> None:
    """The guard above is not vacuous: each omission makes it report the table (rolled back after)."""
    async with owner_engine.connect() as connection:
        transaction = await connection.begin()
        for statement in ddl.split("; "):
            await connection.execute(text(statement))
        problems = await isolation_problems(connection)
        await transaction.rollback()
    assert problems == expected


async def test_without_a_tenant_context_every_tenant_table_is_empty(
    app_engine: AsyncEngine, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    sessions = create_sessionmaker(app_engine)
    async with sessions() as session:
        await tenant_context(session, [tenant.id])
        await insert_outbox_row(session, tenant)
        await session.commit()
    async with app_engine.connect() as connection:
        for table in await tenant_tables(app_engine):
            count = (await connection.execute(text(f'SELECT count(*) FROM "{table}"'))).scalar_one()
            assert count == 0, f"{table} shows {count} rows without a tenant context"


async def test_a_context_shows_exactly_its_own_tenants_rows(app_engine: AsyncEngine, make_tenant: MakeTenant) -> None:
    a, b = await make_tenant(), await make_tenant()
    sessions = create_sessionmaker(app_engine)
    async with sessions() as session:
        await tenant_context(session, [a.id])
        a_row = await insert_outbox_row(session, a)
        await session.commit()
    async with sessions() as session:
        await tenant_context(session, [b.id])
        b_row = await insert_outbox_row(session, b)
        await session.commit()
    async with sessions() as session:
        await tenant_context(session, [a.id])
        seen = set((await session.execute(text("SELECT id FROM outbox_messages"))).scalars())
        assert a_row in seen and b_row not in seen
        tenants_seen = set((await session.execute(text("SELECT tenant_id FROM outbox_messages"))).scalars())
        assert tenants_seen == {a.id}
        # Naming B's row explicitly does not help either.
        assert (
            await session.execute(text("SELECT count(*) FROM outbox_messages WHERE id = :i"), {"i": b_row})
        ).scalar_one() == 0
    async with sessions() as session:
        await tenant_context(session, [a.id, b.id])
        both = set((await session.execute(text("SELECT id FROM outbox_messages"))).scalars())
        assert {a_row, b_row} <= both


async def test_also_in_widens_the_context_for_its_block_only_even_when_the_block_fails(
    app_engine: AsyncEngine, make_tenant: MakeTenant
) -> None:
    a, b = await make_tenant(), await make_tenant()
    sessions = create_sessionmaker(app_engine)
    async with sessions() as session:
        await tenant_context(session, [b.id])
        b_row = await insert_outbox_row(session, b)
        await session.commit()

    async def sees_b(session: AsyncSession) -> bool:
        query = text("SELECT count(*) FROM outbox_messages WHERE id = :i")
        return bool((await session.execute(query, {"i": b_row})).scalar_one())

    async with sessions() as session:
        await tenant_context(session, [a.id])
        async with also_in(session, b.id):
            assert await sees_b(session)
        assert not await sees_b(session) and current_tenant_ids(session) == (a.id,)

        async def failing_half_way() -> None:
            async with also_in(session, b.id, a.id):
                assert current_tenant_ids(session) == (a.id, b.id)
                raise LookupError("the block fails half-way")

        with pytest.raises(LookupError):
            await failing_half_way()
        assert not await sees_b(session) and current_tenant_ids(session) == (a.id,)


async def test_writing_another_tenants_rows_is_rejected_by_the_policy(
    app_engine: AsyncEngine, make_tenant: MakeTenant
) -> None:
    a, b = await make_tenant(), await make_tenant()
    sessions = create_sessionmaker(app_engine)
    async with sessions() as session:
        await tenant_context(session, [a.id])
        with pytest.raises(DBAPIError, match="row-level security"):
            await insert_outbox_row(session, b)
    async with sessions() as session:
        await tenant_context(session, [a.id])
        a_row = await insert_outbox_row(session, a)
        await session.commit()
    async with sessions() as session:
        await tenant_context(session, [a.id])
        with pytest.raises(DBAPIError, match="row-level security"):
            await session.execute(
                text("UPDATE outbox_messages SET tenant_id = :b WHERE id = :i"), {"b": b.id, "i": a_row}
            )
    async with sessions() as session:
        await tenant_context(session, [b.id])
        updated = await session.execute(text("UPDATE outbox_messages SET attempts = 99 WHERE id = :i"), {"i": a_row})
        deleted = await session.execute(text("DELETE FROM outbox_messages WHERE id = :i"), {"i": a_row})
        assert updated.rowcount == 0 and deleted.rowcount == 0  # type: ignore[attr-defined]
        await session.commit()
    async with sessions() as session:
        await tenant_context(session, [a.id])
        attempts = (
            await session.execute(text("SELECT attempts FROM outbox_messages WHERE id = :i"), {"i": a_row})
        ).scalar_one()
        assert attempts == 0


async def test_the_app_role_cannot_truncate_or_switch_context_to_bypass(app_engine: AsyncEngine) -> None:
    async with app_engine.connect() as connection:
        with pytest.raises(DBAPIError, match="permission denied"):
            await connection.execute(text("TRUNCATE outbox_messages"))
        await connection.rollback()
        with pytest.raises(DBAPIError):
            await connection.execute(text("SET ROLE meldpunt_owner"))
        await connection.rollback()
        with pytest.raises(DBAPIError, match=r"permission denied|must be owner"):
            await connection.execute(text("ALTER TABLE outbox_messages DISABLE ROW LEVEL SECURITY"))


async def test_the_context_survives_a_commit_in_the_middle_of_a_session(
    app_engine: AsyncEngine, make_tenant: MakeTenant
) -> None:
    a = await make_tenant()
    sessions = create_sessionmaker(app_engine)
    async with sessions() as session:
        await tenant_context(session, [a.id])
        row = await insert_outbox_row(session, a)
        await session.commit()
        # A new transaction begins here; the after_begin hook must scope it again.
        assert (
            await session.execute(text("SELECT count(*) FROM outbox_messages WHERE id = :i"), {"i": row})
        ).scalar_one() == 1


async def test_no_context_leaks_through_the_pool_over_a_thousand_transactions(
    settings: Settings, make_tenant: MakeTenant
) -> None:
    a, b = await make_tenant(), await make_tenant()
    engine = create_async_engine(settings.database_url, pool_size=2, max_overflow=0)
    sessions = create_sessionmaker(engine)
    try:
        rows = {}
        for tenant in (a, b):
            async with sessions() as session:
                await tenant_context(session, [tenant.id])
                rows[tenant.id] = {await insert_outbox_row(session, tenant) for _ in range(3)}
                await session.commit()
        for i in range(1000):
            tenant = (a, b)[i % 2]
            async with sessions() as session:
                if i % 7 == 0:
                    # A session that never opens a context, on a connection just used by a tenant.
                    assert (await session.execute(text("SELECT count(*) FROM outbox_messages"))).scalar_one() == 0
                    continue
                await tenant_context(session, [tenant.id])
                seen = set((await session.execute(text("SELECT id FROM outbox_messages"))).scalars())
                other = rows[(b if tenant is a else a).id]
                assert seen >= rows[tenant.id] and not (seen & other), f"transaction {i} saw another tenant"
                if i % 5 == 0:
                    with pytest.raises(DBAPIError):
                        await session.execute(text("SELECT 1/0"))
                    await session.rollback()
                    after = set((await session.execute(text("SELECT id FROM outbox_messages"))).scalars())
                    assert after >= rows[tenant.id] and not (after & other), "context lost after a failure"
        status = engine.pool.status()
        assert "Pool size: 2" in status
    finally:
        await engine.dispose()
