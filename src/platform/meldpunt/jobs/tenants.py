"""Periodic work over every tenant: a tenant whose step fails does not stop the tenants after it.

A sweep that stopped at its first failing tenant would never reach the others again (every run and every
retry stops at the same place). Each tenant's failure is logged with its id and the error's type, never
content; the job then fails as a whole, so that it is retried (capped per job) and shows in the logs.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.db.tenants import all_tenant_ids
from meldpunt.jobs.runtime import current_runtime

log = structlog.get_logger(__name__)


class TenantsFailed(RuntimeError):
    """The step failed for these tenants; it ran for every other one."""

    def __init__(self, job_name: str, tenant_ids: list[uuid.UUID]) -> None:
        self.job_name = job_name
        self.tenant_ids = tenant_ids
        super().__init__(f"{job_name}: failed for {len(tenant_ids)} tenant(s)")


async def for_each_tenant(
    job_name: str, tenant_ids: Iterable[uuid.UUID], step: Callable[[uuid.UUID], Awaitable[object]]
) -> None:
    """Run ``step`` for every tenant, whatever happens to the others; raise TenantsFailed at the end."""
    failed: list[uuid.UUID] = []
    for tenant_id in tenant_ids:
        try:
            await step(tenant_id)
        except Exception as error:
            failed.append(tenant_id)
            log.warning("job.tenant_failed", job=job_name, tenant_id=str(tenant_id), error=type(error).__name__)
    if failed:
        raise TenantsFailed(job_name, failed)


async def for_every_tenant(job_name: str, step: Callable[[uuid.UUID], Awaitable[object]]) -> None:
    """``for_each_tenant`` over every tenant in the database, read with the job runtime's sessions."""
    async with current_runtime().sessionmaker() as session:
        tenant_ids = await all_tenant_ids(session)
    await for_each_tenant(job_name, tenant_ids, step)


async def sweep_every_tenant(
    job_name: str, step: Callable[[AsyncSession, uuid.UUID, datetime], Awaitable[object]]
) -> None:
    """``for_every_tenant`` for a sweep that does one tenant's work in one session, committed per tenant, at
    the moment the job began (so that every tenant is judged against the same time)."""
    runtime = current_runtime()
    now = datetime.now(UTC)

    async def sweep(tenant_id: uuid.UUID) -> None:
        async with runtime.sessionmaker() as session:
            await step(session, tenant_id, now)
            await session.commit()

    await for_every_tenant(job_name, sweep)
