"""The dossiers' periodic work: rotating every tenant's key-encryption key, and anchoring the audit chains.

Key rotation (DESIGN §8): a database backup holds wrapped case keys; they stay readable only while the
tenant key of their epoch exists. Rotating every ``tenant_key_rotation_days`` and destroying the old epoch
bounds how long a shredded case can be revived from a backup: backup retention plus one rotation period.

The audit checkpoint (DESIGN §13) lives here, beside the signer that writes it: it verifies every chain and
anchors its head in object storage. It runs as the owner role (``migration_database_url``), like
``meldpunt audit verify``: only it sees every adviser's vault chain. A broken chain is logged (tenant,
chain, entry) and never anchored.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import func, select

from meldpunt.audit.services import verify_tenants
from meldpunt.db.context import tenant_context
from meldpunt.dossiers.keys import Keyring, TenantKey, create_root_key
from meldpunt.jobs.registry import job
from meldpunt.jobs.runtime import current_runtime
from meldpunt.jobs.tenants import for_every_tenant

log = structlog.get_logger(__name__)


@job("keys.rotate_tenants", max_retries=2, time_limit_seconds=3600, max_backoff_seconds=3600)
async def rotate_tenant_keys() -> None:
    """Rotate each tenant key older than the rotation period (idempotent: young keys are left alone)."""
    runtime = current_runtime()
    keyring = Keyring(create_root_key(runtime.settings))
    cutoff = datetime.now(UTC) - timedelta(days=runtime.settings.tenant_key_rotation_days)

    async def rotate(tenant_id: uuid.UUID) -> None:
        async with runtime.sessionmaker() as session:
            await tenant_context(session, [tenant_id])
            newest = (
                await session.execute(select(func.max(TenantKey.created_at)).where(TenantKey.tenant_id == tenant_id))
            ).scalar()
            if newest is not None and newest < cutoff:
                await keyring.rotate_tenant(session, tenant_id)
                await session.commit()

    await for_every_tenant("keys.rotate_tenants", rotate)


@job("audit.checkpoint", max_retries=3, time_limit_seconds=3600, max_backoff_seconds=900)
async def checkpoint_audit_chains() -> None:
    """Idempotent: a checkpoint is only written for a head newer than the chain's latest checkpoint."""
    for slug, reports in await verify_tenants(current_runtime().settings):
        for report in reports:
            if report.problem is not None:
                log.error(
                    "audit.chain_broken",
                    tenant=slug,
                    chain=str(report.vault_owner_id),
                    entry=report.problem.seq,
                    reason=report.problem.reason,
                )
