"""The periodic fact sweep (``trends.facts``): for every member, the facts of the milestones its cases reached."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from meldpunt.db.context import tenant_context
from meldpunt.jobs.registry import job
from meldpunt.jobs.runtime import current_runtime
from meldpunt.jobs.tenants import for_every_tenant
from meldpunt.tenancy.models import Tenant
from meldpunt.trends.facts import fact_secret, quarter_of, write_facts
from meldpunt.trends.releases import build_missing
from meldpunt.trends.synthetic import past_quarters


@job("trends.facts", max_retries=3, time_limit_seconds=900, max_backoff_seconds=900)
async def sweep_facts() -> None:
    """Idempotent: a milestone with a mark is skipped, and a fact's key is unique in its branch."""
    runtime = current_runtime()
    secret = fact_secret(runtime.settings.secret_key)

    async def sweep(tenant_id: uuid.UUID) -> None:
        async with runtime.sessionmaker() as session, session.begin():
            await tenant_context(session, [tenant_id])
            member = await session.get(Tenant, tenant_id)
            if member is not None and member.archived_at is None:
                await write_facts(session, secret, member, datetime.now(UTC))

    await for_every_tenant("trends.facts", sweep)


@job("trends.release", max_retries=3, time_limit_seconds=1800, max_backoff_seconds=900)
async def release_last_quarter() -> None:
    """Every branch's releases of the quarter that ended last (and of the year, once its last quarter ended):
    built and audited, never published by the job (publication is the branch's four eyes)."""
    runtime = current_runtime()
    now = datetime.now(UTC)
    last = past_quarters(quarter_of(now), 1)[0]
    labels = [last, last[:4]] if last.endswith("Q4") else [last]

    async def release(tenant_id: uuid.UUID) -> None:
        async with runtime.sessionmaker() as session, session.begin():
            await tenant_context(session, [tenant_id])
            branch = await session.get(Tenant, tenant_id)
            if branch is not None and branch.kind == "branch" and branch.archived_at is None:
                for label in labels:
                    await build_missing(session, branch, label, now)

    await for_every_tenant("trends.release", release)
