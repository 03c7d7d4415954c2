"""The periodic deadline sweep: reminders before, and breaches to the process guardian after."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from meldpunt.cases.deadlines import sweep_tenant
from meldpunt.jobs.registry import job
from meldpunt.jobs.runtime import current_runtime
from meldpunt.jobs.tenants import for_every_tenant


@job("cases.deadlines", max_retries=3, time_limit_seconds=900, max_backoff_seconds=900)
async def sweep_deadlines() -> None:
    """Idempotent: reminders are marked per day and breaches once, so a rerun queues nothing new."""
    runtime = current_runtime()
    now = datetime.now(UTC)

    async def sweep(tenant_id: uuid.UUID) -> None:
        async with runtime.sessionmaker() as session:
            await sweep_tenant(session, tenant_id, now)
            await session.commit()

    await for_every_tenant("cases.deadlines", sweep)
