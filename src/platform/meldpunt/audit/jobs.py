"""The periodic anchor of the audit chains: verify every chain and checkpoint its head outside the database.

Runs as the owner role (``migration_database_url``), like ``meldpunt audit verify``: only it sees every
adviser's vault chain. A broken chain is logged (tenant, chain, entry) and never anchored.
"""

from __future__ import annotations

import structlog

from meldpunt.audit.services import verify_tenants
from meldpunt.jobs.registry import job
from meldpunt.jobs.runtime import current_runtime

log = structlog.get_logger(__name__)


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
