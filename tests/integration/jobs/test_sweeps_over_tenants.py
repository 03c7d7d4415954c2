"""A periodic sweep over every tenant: one tenant that fails does not stop the tenants after it.

The failure is real: a tenant whose key-encryption key was wrapped under another root key (as after a
restore from another environment) cannot be rotated. The tenant after it is rotated all the same, and
the job fails as a whole, so that it is retried and shows in the logs.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import msgspec
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.jobs import rotate_tenant_keys
from meldpunt.dossiers.keys import Keyring, LocalRootKey
from meldpunt.jobs.runtime import JobRuntime, install_runtime
from meldpunt.jobs.tenants import TenantsFailed
from meldpunt.settings import Settings
from tests.conftest import MakeTenant, TenantRef


async def with_a_tenant_key_aged(
    app_engine: AsyncEngine, owner_engine: AsyncEngine, keyring: Keyring, tenant: TenantRef, age: str
) -> None:
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [tenant.id])
        await keyring.case_key(session, tenant.id, uuid.uuid4(), create=True)
        await session.commit()
    async with owner_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        await connection.execute(text(f"UPDATE tenant_keys SET created_at = now() - interval '{age}'"))


async def epochs(app_engine: AsyncEngine, tenant: TenantRef) -> list[int]:
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [tenant.id])
        return list((await session.execute(text("SELECT epoch FROM tenant_keys"))).scalars())


async def test_a_tenant_that_cannot_be_rotated_does_not_stop_the_rotation_of_the_others(
    tmp_path: Path, settings: Settings, app_engine: AsyncEngine, owner_engine: AsyncEngine, make_tenant: MakeTenant
) -> None:
    key_file = tmp_path / "root-keys.json"
    restored, healthy = await make_tenant(), await make_tenant()  # the broken one comes first
    await with_a_tenant_key_aged(
        app_engine, owner_engine, Keyring(LocalRootKey(tmp_path / "another-root.json")), restored, "40 days"
    )
    await with_a_tenant_key_aged(app_engine, owner_engine, Keyring(LocalRootKey(key_file)), healthy, "40 days")
    runtime = JobRuntime(msgspec.structs.replace(settings, root_key_file=str(key_file), tenant_key_rotation_days=30))
    install_runtime(runtime)
    try:
        with pytest.raises(TenantsFailed) as failed:
            await rotate_tenant_keys()
    finally:
        install_runtime(None)
        await runtime.close()
    try:
        assert restored.id in failed.value.tenant_ids
        assert await epochs(app_engine, healthy) == [2]
        assert await epochs(app_engine, restored) == [1]
    finally:
        # Their keys go, so that no later rotation in this session (a root rotation covers every tenant)
        # trips over a key wrapped under a root key that only this test knew.
        async with owner_engine.begin() as connection:
            await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{restored.id},{healthy.id}}}'"))
            await connection.execute(text("DELETE FROM case_keys"))
            await connection.execute(text("DELETE FROM tenant_keys"))
