"""The audit log is append-only and tamper-evident: any alteration, deletion, reordering, recomputation,
truncation, insertion or appended forgery is found, by an attacker with SQL rights but not the signing key."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.audit import services as audit
from meldpunt.audit.models import TENANT_CHAIN
from meldpunt.audit.services import AuditActor, AuditDetailRefused, canonical_content, chain_hash, verify_chain
from meldpunt.audit.signing import current_signer
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers import signing
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


async def rows(owner_engine: AsyncEngine, tenant: TenantRef) -> list[Any]:
    async with owner_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        result = await connection.execute(
            text("SELECT * FROM audit_entries WHERE tenant_id = :t AND vault_owner_id = :n ORDER BY seq"),
            {"t": tenant.id, "n": TENANT_CHAIN},
        )
        return list(result.mappings())


def rehash(entries: list[Any], start_seq: int) -> list[dict[str, Any]]:
    """What an attacker who knows the code computes: every hash from ``start_seq`` on, chained correctly."""
    out, prev = [], entries[0]["prev_hash"]
    for entry in entries:
        entry = dict(entry)
        if entry["seq"] >= start_seq:
            entry["prev_hash"] = prev
            content = canonical_content(
                entry["tenant_id"],
                entry["seq"],
                entry["occurred_at"],
                entry["actor"],
                entry["action"],
                entry["resource_type"],
                entry["resource_id"],
                entry["details"],
            )
            entry["entry_hash"] = chain_hash(prev, content)
        prev = entry["entry_hash"]
        out.append(entry)
    return out


REWRITE = (
    "INSERT INTO audit_entries (tenant_id, vault_owner_id, seq, occurred_at, actor, action, resource_type, "
    "resource_id, details, prev_hash, entry_hash, signing_key, signature) VALUES (:tenant_id, :vault_owner_id, "
    ":seq, :occurred_at, :actor, :action, :resource_type, :resource_id, CAST(:details AS jsonb), :prev_hash, "
    ":entry_hash, :signing_key, :signature)"
)


async def rewrite(owner_engine: AsyncEngine, tenant: TenantRef, entries: list[dict[str, Any]]) -> None:
    """Replace the tenant's chain and head with ``entries``, as the owner with the guard triggers off."""
    async with owner_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        await connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
        await connection.execute(text("DELETE FROM audit_entries WHERE tenant_id = :t"), {"t": tenant.id})
        for entry in entries:
            await connection.execute(text(REWRITE), {**entry, "details": json.dumps(entry["details"])})
        last = entries[-1]
        await connection.execute(
            text("UPDATE audit_heads SET seq = :s, entry_hash = :h WHERE tenant_id = :t"),
            {"s": last["seq"], "h": last["entry_hash"], "t": tenant.id},
        )
        await connection.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))


async def assert_broken_at(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tenant: TenantRef, seq: int, why: str
) -> None:
    code, output = await run_verify(settings, monkeypatch, tenant.slug)
    assert code == 1, output
    assert f"BROKEN  {tenant.slug}: entry {seq} " in output and why in output, output


async def test_a_recomputed_chain_is_found(
    app_engine: AsyncEngine,
    owner_engine: AsyncEngine,
    make_tenant: MakeTenant,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant = await make_tenant()
    await write_entries(app_engine, tenant, 5)
    entries = [dict(entry) for entry in await rows(owner_engine, tenant)]
    entries[2]["action"] = "grant.delete"
    await rewrite(owner_engine, tenant, rehash(entries, 3))
    _, problem = await verify(app_engine, tenant)  # every hash and the head agree: only signatures tell
    assert problem is not None and problem.seq == 3 and "not signed" in problem.reason
    await assert_broken_at(settings, monkeypatch, tenant, 3, "not signed by the application")


async def test_a_truncated_tail_with_the_head_moved_back_is_found_by_the_checkpoint(
    app_engine: AsyncEngine,
    owner_engine: AsyncEngine,
    make_tenant: MakeTenant,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant = await make_tenant()
    await write_entries(app_engine, tenant, 5)
    code, output = await run_verify(settings, monkeypatch, tenant.slug)  # anchors entry 5 outside the database
    assert code == 0, output
    entries = [dict(entry) for entry in await rows(owner_engine, tenant)]
    await rewrite(owner_engine, tenant, entries[:3])
    _, problem = await verify(app_engine, tenant)
    assert problem is not None and problem.seq == 4 and "checkpoint" in problem.reason
    await assert_broken_at(settings, monkeypatch, tenant, 4, "says the chain reached entry 5")


async def test_a_periodic_checkpoint_anchors_the_head_without_a_verify(
    app_engine: AsyncEngine,
    owner_engine: AsyncEngine,
    make_tenant: MakeTenant,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from meldpunt.dossiers.jobs import checkpoint_audit_chains
    from meldpunt.jobs.runtime import JobRuntime, install_runtime

    tenant = await make_tenant()
    await write_entries(app_engine, tenant, 4)
    install_runtime(JobRuntime(settings))
    try:
        await checkpoint_audit_chains()
    finally:
        install_runtime(None)
    checkpoint = await current_signer().latest_checkpoint(tenant.id, TENANT_CHAIN)
    assert checkpoint is not None and checkpoint.seq == 4
    entries = [dict(entry) for entry in await rows(owner_engine, tenant)]
    await rewrite(owner_engine, tenant, entries[:2])
    await assert_broken_at(settings, monkeypatch, tenant, 3, "says the chain reached entry 4")


async def test_a_forged_insertion_is_found(
    app_engine: AsyncEngine,
    owner_engine: AsyncEngine,
    make_tenant: MakeTenant,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant = await make_tenant()
    await write_entries(app_engine, tenant, 5)
    entries = [dict(entry) for entry in await rows(owner_engine, tenant)]
    forged = {**entries[1], "action": "grant.end", "signature": entries[1]["signature"]}
    shifted = [*entries[:2], forged, *entries[2:]]
    for number, entry in enumerate(shifted, start=1):
        entry["seq"] = number
    await rewrite(owner_engine, tenant, rehash(shifted, 3))
    await assert_broken_at(settings, monkeypatch, tenant, 3, "not signed by the application")


async def test_a_correctly_hashed_entry_appended_by_the_application_role_is_found(
    app_engine: AsyncEngine, make_tenant: MakeTenant, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """meldpunt_app, with SQL alone, through the guard trigger: the hash is right, the signature cannot be."""
    tenant = await make_tenant()
    await write_entries(app_engine, tenant, 3)
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [tenant.id])
        last = (
            (
                await session.execute(
                    text("SELECT * FROM audit_entries WHERE tenant_id = :t ORDER BY seq DESC LIMIT 1"), {"t": tenant.id}
                )
            )
            .mappings()
            .one()
        )
        occurred_at = datetime.now(UTC)
        content = canonical_content(tenant.id, 4, occurred_at, ACTOR.label, "grant.create", "grant", None, {})
        entry_hash = chain_hash(last["entry_hash"], content)
        await session.execute(
            text(REWRITE),
            {
                **last,
                "seq": 4,
                "occurred_at": occurred_at,
                "action": "grant.create",
                "resource_type": "grant",
                "resource_id": None,
                "details": "{}",
                "prev_hash": last["entry_hash"],
                "entry_hash": entry_hash,
            },
        )
        await session.commit()
    await assert_broken_at(settings, monkeypatch, tenant, 4, "not signed by the application")


async def test_an_unsigned_entry_is_refused_by_the_trigger(app_engine: AsyncEngine, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [tenant.id])
        with pytest.raises(DBAPIError, match="not signed by the application"):
            await session.execute(
                text(
                    "INSERT INTO audit_entries (tenant_id, seq, occurred_at, actor, action, resource_type, details, "
                    "prev_hash, entry_hash) VALUES (:t, 1, now(), 'x', 'x', 'x', '{}', :g, :g)"
                ),
                {"t": tenant.id, "g": bytes(32)},
            )


async def signing_keys(engine: AsyncEngine, tenant: TenantRef) -> set[str]:
    async with create_sessionmaker(engine)() as session:
        await tenant_context(session, [tenant.id])
        query = text("SELECT signing_key FROM audit_entries WHERE tenant_id = :t")
        return set((await session.execute(query, {"t": tenant.id})).scalars())


async def test_an_untouched_chain_verifies_across_checkpoints_and_a_root_key_rotation(
    app_engine: AsyncEngine, make_tenant: MakeTenant, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from meldpunt.dossiers.keys import rotate_keys

    tenant = await make_tenant()
    await write_entries(app_engine, tenant, 3)
    assert (await run_verify(settings, monkeypatch, tenant.slug))[0] == 0
    await write_entries(app_engine, tenant, 2)
    assert (await run_verify(settings, monkeypatch, tenant.slug))[0] == 0
    # A running process notices the new root key and signs with a new key from then on.
    monkeypatch.setattr(signing, "_ROOT_RECHECK_SECONDS", 0.0)
    await rotate_keys(settings, root=True, tenant_slug=None)  # the old root key material is forgotten
    await write_entries(app_engine, tenant, 2)
    code, output = await run_verify(settings, monkeypatch, tenant.slug)
    assert code == 0, output
    assert f"ok      {tenant.slug}: 7 entries" in output
    assert len(await signing_keys(app_engine, tenant)) == 2


async def test_entries_are_written_while_object_storage_is_down_and_verify_once_it_is_back(
    app_engine: AsyncEngine,
    make_tenant: MakeTenant,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A process whose store fails from its start still audits (a report is never refused for it); its
    stand-in key is published when the store answers again, and everything it signed verifies."""
    blocker = tmp_path / "store"
    blocker.write_text("not a directory")  # the store's directory cannot be made: every call fails
    down = msgspec.structs.replace(settings, storage_directory=str(blocker / "objects"))
    monkeypatch.setattr(signing, "_ROOT_RECHECK_SECONDS", 0.0)
    signing.install_signer(down)
    try:
        tenant = await make_tenant()
        await write_entries(app_engine, tenant, 2)
        blocker.unlink()
        await write_entries(app_engine, tenant, 1)  # the store is back: the stand-in key is published
        code, output = await run_verify(down, monkeypatch, tenant.slug)
    finally:
        signing.install_signer(settings)
    assert code == 0, output
    assert f"ok      {tenant.slug}: 3 entries" in output
    assert len(await signing_keys(app_engine, tenant)) == 2  # the stand-in, then the stored key


async def test_a_checkpoint_changed_in_object_storage_is_refused(
    app_engine: AsyncEngine, make_tenant: MakeTenant, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone who can write the bucket but lacks the key cannot move a checkpoint back to hide a truncation."""
    tenant = await make_tenant()
    await write_entries(app_engine, tenant, 3)
    assert (await run_verify(settings, monkeypatch, tenant.slug))[0] == 0
    latest = Path(settings.storage_directory) / f"audit/{tenant.id}/checkpoints/latest"
    checkpoint = json.loads(latest.read_text())
    latest.write_text(json.dumps({**checkpoint, "seq": 2}))
    await assert_broken_at(settings, monkeypatch, tenant, 1, "does not carry a valid signature")
