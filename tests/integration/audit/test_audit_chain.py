"""The audit log is append-only and tamper-evident: any alteration, deletion or reordering is found."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.audit import services as audit
from meldpunt.audit.services import AuditActor, AuditDetailRefused, verify_chain
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.settings import Settings
from tests.conftest import MakeTenant, TenantRef

ACTOR = AuditActor.account(uuid.UUID(int=7))


async def write_entries(engine: AsyncEngine, tenant: TenantRef, count: int) -> None:
    async with create_sessionmaker(engine)() as session:
        await tenant_context(session, [tenant.id])
        for number in range(count):
            await audit.record(
                session, tenant.id, ACTOR, "grant.create", "grant", uuid.uuid4(), role="adviser", number=number
            )
        await session.commit()


async def verify(engine: AsyncEngine, tenant: TenantRef) -> tuple[int, audit.ChainBreak | None]:
    async with create_sessionmaker(engine)() as session:
        await tenant_context(session, [tenant.id])
        return await verify_chain(session, tenant.id)


async def tamper(owner_engine: AsyncEngine, tenant: TenantRef, *statements: str) -> None:
    """What an attacker with the owner's rights might do: switch off the guard trigger and edit rows."""
    async with owner_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        await connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
        for statement in statements:
            await connection.execute(text(statement), {"t": tenant.id})
        await connection.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))


async def run_verify(settings: Settings, monkeypatch: pytest.MonkeyPatch, slug: str) -> tuple[int, str]:
    """`meldpunt audit verify --tenant SLUG`, in a thread because the command runs its own event loop."""
    from meldpunt.cli import main

    for name, value in {
        "DATABASE_URL": settings.database_url,
        "MIGRATION_DATABASE_URL": settings.migration_database_url,
        "STORAGE_BACKEND": settings.storage_backend,
        "STORAGE_DIRECTORY": settings.storage_directory,
        "ROOT_KEY_FILE": settings.root_key_file,
        "LOG_LEVEL": "warning",
    }.items():
        monkeypatch.setenv(f"MELDPUNT_{name}", value)
    result = await asyncio.to_thread(CliRunner().invoke, main, ["audit", "verify", "--tenant", slug])
    return result.exit_code, result.output


async def test_an_intact_chain_verifies(
    app_engine: AsyncEngine, make_tenant: MakeTenant, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant()
    await write_entries(app_engine, tenant, 5)
    assert await verify(app_engine, tenant) == (5, None)
    code, output = await run_verify(settings, monkeypatch, tenant.slug)
    assert code == 0, output
    assert f"ok      {tenant.slug}: 5 entries" in output


Tampering = Callable[[AsyncEngine, TenantRef], Awaitable[None]]


@pytest.mark.parametrize(
    ("statements", "seq", "reason"),
    [
        (["UPDATE audit_entries SET action = 'grant.delete' WHERE tenant_id = :t AND seq = 3"], 3, "altered"),
        (
            ['UPDATE audit_entries SET details = \'{"role": "dpo", "number": 1}\' WHERE tenant_id = :t AND seq = 2'],
            2,
            "altered",
        ),
        (["DELETE FROM audit_entries WHERE tenant_id = :t AND seq = 3"], 3, "missing"),
        (["DELETE FROM audit_entries WHERE tenant_id = :t AND seq = 5"], 5, "missing"),
        (
            [
                "UPDATE audit_entries SET seq = 100 WHERE tenant_id = :t AND seq = 2",
                "UPDATE audit_entries SET seq = 2 WHERE tenant_id = :t AND seq = 3",
                "UPDATE audit_entries SET seq = 3 WHERE tenant_id = :t AND seq = 100",
            ],
            2,
            "does not follow",
        ),
        (
            ["UPDATE audit_entries SET occurred_at = occurred_at - interval '1 day' WHERE tenant_id = :t AND seq = 4"],
            4,
            "altered",
        ),
    ],
)
async def test_altering_deleting_or_reordering_one_entry_is_found_and_named(
    app_engine: AsyncEngine,
    owner_engine: AsyncEngine,
    make_tenant: MakeTenant,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    statements: list[str],
    seq: int,
    reason: str,
) -> None:
    tenant = await make_tenant()
    await write_entries(app_engine, tenant, 5)
    await tamper(owner_engine, tenant, *statements)
    _, problem = await verify(app_engine, tenant)
    assert problem is not None
    assert problem.seq == seq and reason in problem.reason
    code, output = await run_verify(settings, monkeypatch, tenant.slug)
    assert code == 1
    assert f"BROKEN  {tenant.slug}: entry {seq} " in output


async def test_the_application_role_can_neither_update_nor_delete_entries(
    app_engine: AsyncEngine, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    await write_entries(app_engine, tenant, 2)
    for statement in (
        "UPDATE audit_entries SET action = 'x' WHERE tenant_id = :t",
        "DELETE FROM audit_entries WHERE tenant_id = :t",
        "TRUNCATE audit_entries",
        "UPDATE audit_heads SET seq = 1 WHERE tenant_id = :t",
        "ALTER TABLE audit_entries DISABLE TRIGGER USER",
    ):
        async with create_sessionmaker(app_engine)() as session:
            await tenant_context(session, [tenant.id])
            with pytest.raises(DBAPIError, match=r"permission denied|must be owner"):
                await session.execute(text(statement), {"t": tenant.id})
    assert await verify(app_engine, tenant) == (2, None)


async def test_the_owner_is_stopped_by_the_trigger_unless_it_switches_it_off(
    owner_engine: AsyncEngine, app_engine: AsyncEngine, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    await write_entries(app_engine, tenant, 1)
    for statement in (
        "UPDATE audit_entries SET action = 'x' WHERE tenant_id = :t",
        "DELETE FROM audit_entries WHERE tenant_id = :t",
    ):
        async with owner_engine.connect() as connection:
            await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
            with pytest.raises(DBAPIError, match="append-only"):
                await connection.execute(text(statement), {"t": tenant.id})
            await connection.rollback()


async def test_an_entry_that_does_not_extend_the_chain_is_refused(
    app_engine: AsyncEngine, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    await write_entries(app_engine, tenant, 2)
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [tenant.id])
        with pytest.raises(DBAPIError, match="does not extend the chain"):
            await session.execute(
                text(
                    "INSERT INTO audit_entries (tenant_id, seq, occurred_at, actor, action, resource_type, details, "
                    "prev_hash, entry_hash) VALUES (:t, 7, now(), 'x', 'x', 'x', '{}', '\\x00'::bytea, '\\x00'::bytea)"
                ),
                {"t": tenant.id},
            )


async def test_chains_are_per_tenant_and_invisible_to_other_tenants(
    app_engine: AsyncEngine, make_tenant: MakeTenant
) -> None:
    a, b = await make_tenant(), await make_tenant()
    await write_entries(app_engine, a, 3)
    await write_entries(app_engine, b, 1)
    assert await verify(app_engine, a) == (3, None)
    assert await verify(app_engine, b) == (1, None)
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [b.id])
        assert (
            await session.execute(text("SELECT count(*) FROM audit_entries WHERE tenant_id = :a"), {"a": a.id})
        ).scalar_one() == 0
        with pytest.raises(PermissionError):
            await audit.record(session, a.id, ACTOR, "grant.create", "grant")


async def test_details_hold_ids_and_kinds_never_free_text(app_engine: AsyncEngine, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [tenant.id])
        with pytest.raises(AuditDetailRefused):
            await audit.record(session, tenant.id, ACTOR, "case.read", "case", note="x" * 500)
