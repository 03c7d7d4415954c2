"""The periodic deadline sweep: reminders before, and breaches to the process guardian after."""

from __future__ import annotations

from meldpunt.cases.deadlines import sweep_tenant
from meldpunt.jobs.registry import job
from meldpunt.jobs.tenants import sweep_every_tenant


@job("cases.deadlines", max_retries=3, time_limit_seconds=900, max_backoff_seconds=900)
async def sweep_deadlines() -> None:
    """Idempotent: reminders are marked per day and breaches once, so a rerun queues nothing new."""
    await sweep_every_tenant("cases.deadlines", sweep_tenant)
