"""The demo's synthetic history of sector trends (issue 16): facts of invented members over the last four
quarters for the demo branch, and their releases published, so that the sector board finds both published and
suppressed cells. Written once; each synthetic fact and member is marked as such (``trends.synthetic``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.db.context import tenant_context
from meldpunt.identity.models import AccountRef
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from meldpunt.trends.facts import quarter_of
from meldpunt.trends.models import TrendFact
from meldpunt.trends.releases import approve, build_missing, request_publication
from meldpunt.trends.synthetic import past_quarters, synthetic_facts, synthetic_members, with_workforce
from meldpunt.web.resources import Resources

DEMO_BRANCH = "zorg-welzijn"
SYNTHETIC_MEMBERS = 14
CASES_PER_QUARTER = 60


# The demo publishes its own synthetic history: two pairs of eyes that are the demo itself, never a person.
DEMO_EYES = (AccountRef(uuid.UUID(int=0), uuid.UUID(int=1)), AccountRef(uuid.UUID(int=0), uuid.UUID(int=2)))


async def publish_history(session: AsyncSession, branch: Tenant, quarters: list[str]) -> None:
    """Each past quarter's releases, oldest first (each protected against those before it), published when
    their audit passes, so that Kees Visser (sector board) finds tables with published and hidden cells."""
    now = datetime.now(UTC)
    for label in quarters:
        for row in await build_missing(session, branch, label, now):
            if row.status == "audited":
                await request_publication(session, DEMO_EYES[0], branch, row.id)
                await approve(session, DEMO_EYES[1], branch, row.id)


async def seed_demo_history(settings: Settings, branch_slug: str = DEMO_BRANCH) -> int:
    """How many synthetic facts were written (0 when the branch already has its history, or does not exist)."""
    resources = Resources.open(settings)
    try:
        async with resources.sessionmaker() as session, session.begin():
            branch = (await session.execute(select(Tenant).where(Tenant.slug == branch_slug))).scalar()
            if branch is None:
                return 0
            await tenant_context(session, [branch.id])
            members = synthetic_members(branch.id, SYNTHETIC_MEMBERS, (branch.sector_code or "00")[:2])
            # Looked at on every start, so that a history written before the FTE were kept has them too.
            if (recorded := with_workforce(branch.procedure, members)) != branch.procedure:
                branch.procedure = recorded
            synthetic = TrendFact.dimensions["synthetic"].as_boolean().is_(True)
            if (await session.execute(select(func.count()).where(synthetic))).scalar_one():
                return 0
            quarters = past_quarters(quarter_of(datetime.now(UTC)), 4)
            rows = list(synthetic_facts(branch.id, members, quarters, CASES_PER_QUARTER))
            await session.execute(insert(TrendFact).values(rows).on_conflict_do_nothing())
            await publish_history(session, branch, quarters)
            return len(rows)
    finally:
        await resources.close()
