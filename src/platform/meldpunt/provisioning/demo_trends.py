"""The demo's synthetic history of sector trends (issue 16): facts of invented members over the last four
quarters for the demo branch, so that a release has both published and suppressed cells. Written once; each
synthetic fact and member is marked as such (``trends.synthetic``)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from meldpunt.db.context import tenant_context
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from meldpunt.trends.facts import quarter_of
from meldpunt.trends.models import TrendFact
from meldpunt.trends.synthetic import past_quarters, synthetic_facts, synthetic_members
from meldpunt.web.resources import Resources

DEMO_BRANCH = "zorg-welzijn"
SYNTHETIC_MEMBERS = 14
CASES_PER_QUARTER = 60


async def seed_demo_history(settings: Settings, branch_slug: str = DEMO_BRANCH) -> int:
    """How many synthetic facts were written (0 when the branch already has its history, or does not exist)."""
    resources = Resources.open(settings)
    try:
        async with resources.sessionmaker() as session, session.begin():
            branch = (await session.execute(select(Tenant).where(Tenant.slug == branch_slug))).scalar()
            if branch is None:
                return 0
            await tenant_context(session, [branch.id])
            synthetic = TrendFact.dimensions["synthetic"].as_boolean().is_(True)
            if (await session.execute(select(func.count()).where(synthetic))).scalar_one():
                return 0
            members = synthetic_members(branch.id, SYNTHETIC_MEMBERS, (branch.sector_code or "00")[:2])
            quarters = past_quarters(quarter_of(datetime.now(UTC)), 4)
            rows = list(synthetic_facts(branch.id, members, quarters, CASES_PER_QUARTER))
            await session.execute(insert(TrendFact).values(rows).on_conflict_do_nothing())
            return len(rows)
    finally:
        await resources.close()
