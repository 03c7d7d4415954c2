"""The vault's periodic sweep: destroy, tenant by tenant, the closed consultations that are due and not on hold.

Its own job beside ``retention.sweep`` (same interval, ``retention_sweep_seconds``), so that retention,
a floor below the vault, never imports it; the vault uses retention's policies, holds and case locks.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from meldpunt.dossiers.keys import Keyring, create_root_key
from meldpunt.jobs.registry import job
from meldpunt.jobs.runtime import current_runtime
from meldpunt.jobs.tenants import for_every_tenant
from meldpunt.vault.services import purge_vaults


@job("vault.sweep", max_retries=3, time_limit_seconds=3600, max_backoff_seconds=900)
async def sweep_vaults() -> None:
    """Idempotent: a consultation is destroyed once; one another sweep is destroying is left to it."""
    runtime = current_runtime()
    keyring = Keyring(create_root_key(runtime.settings))
    now = datetime.now(UTC)

    async def sweep(tenant_id: uuid.UUID) -> None:
        await purge_vaults(runtime.sessionmaker, keyring, tenant_id, now)

    await for_every_tenant("vault.sweep", sweep)
