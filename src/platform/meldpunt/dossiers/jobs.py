"""Periodic rotation of every tenant's key-encryption key (DESIGN §8).

A database backup holds wrapped case keys; they stay readable only while the tenant key of their epoch
exists. Rotating every ``tenant_key_rotation_days`` and destroying the old epoch bounds how long a
shredded case can be revived from a backup: backup retention plus one rotation period.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from meldpunt.db.context import tenant_context
from meldpunt.db.tenants import all_tenant_ids
from meldpunt.dossiers.keys import Keyring, TenantKey, create_root_key
from meldpunt.jobs.registry import job
from meldpunt.jobs.runtime import current_runtime
from meldpunt.jobs.tenants import for_each_tenant


@job("keys.rotate_tenants", max_retries=2, time_limit_seconds=3600, max_backoff_seconds=3600)
async def rotate_tenant_keys() -> None:
    """Rotate each tenant key older than the rotation period (idempotent: young keys are left alone)."""
    runtime = current_runtime()
    keyring = Keyring(create_root_key(runtime.settings))
    cutoff = datetime.now(UTC) - timedelta(days=runtime.settings.tenant_key_rotation_days)
    async with runtime.sessionmaker() as session:
        tenant_ids = await all_tenant_ids(session)

    async def rotate(tenant_id: uuid.UUID) -> None:
        async with runtime.sessionmaker() as session:
            await tenant_context(session, [tenant_id])
            newest = (
                await session.execute(select(func.max(TenantKey.created_at)).where(TenantKey.tenant_id == tenant_id))
            ).scalar()
            if newest is not None and newest < cutoff:
                await keyring.rotate_tenant(session, tenant_id)
                await session.commit()

    await for_each_tenant("keys.rotate_tenants", tenant_ids, rotate)
