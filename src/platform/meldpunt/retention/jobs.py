"""The periodic retention sweep: destroy, tenant by tenant, what is due and not on hold.

The vault's consultations are swept by its own job, ``vault.sweep`` (``meldpunt.vault.jobs``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from meldpunt.dossiers.keys import Keyring, create_root_key
from meldpunt.dossiers.storage import create_object_store
from meldpunt.jobs.registry import job
from meldpunt.jobs.runtime import current_runtime
from meldpunt.jobs.tenants import for_every_tenant, sweep_every_tenant
from meldpunt.retention.reconcile import reconcile_store
from meldpunt.retention.services import purge_tenant, remind_owners


@job("retention.sweep", max_retries=3, time_limit_seconds=3600, max_backoff_seconds=900)
async def sweep_retention() -> None:
    """Idempotent and resumable: a run cut short is finished by the next (see services.purge_tenant)."""
    runtime = current_runtime()
    keyring = Keyring(create_root_key(runtime.settings))
    store = create_object_store(runtime.settings)
    now = datetime.now(UTC)

    async def sweep(tenant_id: uuid.UUID) -> None:
        await purge_tenant(runtime.sessionmaker, keyring, store, tenant_id, now)

    await for_every_tenant("retention.sweep", sweep)


@job("retention.remind", max_retries=3, time_limit_seconds=900, max_backoff_seconds=900)
async def remind_retention_owners() -> None:
    """Queue the reminders before destruction; deduplicated per person and day, so reruns are harmless."""
    await sweep_every_tenant("retention.remind", remind_owners)


@job("retention.reconcile", max_retries=3, time_limit_seconds=3600, max_backoff_seconds=900)
async def reconcile_objects() -> None:
    """Remove what killed uploads left in the object store (after the grace period); reruns are harmless."""
    runtime = current_runtime()
    grace = timedelta(seconds=runtime.settings.reconcile_grace_seconds)
    store = create_object_store(runtime.settings)
    await reconcile_store(runtime.sessionmaker, store, datetime.now(UTC), grace)
