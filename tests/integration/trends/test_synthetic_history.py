"""The demo's synthetic history: the same seed gives the same facts, every one marked synthetic, written once."""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.provisioning.demo_trends import CASES_PER_QUARTER, seed_demo_history
from meldpunt.settings import Settings
from meldpunt.trends.synthetic import past_quarters, synthetic_facts, synthetic_members
from tests.conftest import MakeTenant
from tests.integration.cases.test_outcome import sql


def test_the_same_seed_gives_the_same_facts_and_each_says_it_is_synthetic() -> None:
    branch = uuid.uuid4()
    members = synthetic_members(branch, 10, "88")
    first = list(synthetic_facts(branch, members, ["2026-Q1", "2026-Q2"], 30))
    again = list(synthetic_facts(branch, synthetic_members(branch, 10, "88"), ["2026-Q1", "2026-Q2"], 30))
    assert msgspec.json.encode(first) == msgspec.json.encode(again)
    assert all(f["dimensions"]["synthetic"] is True and f["member_key"].startswith("syn") for f in first)
    assert len({f["fact_key"] for f in first}) == len(first)
    assert past_quarters("2026-Q1", 3) == ["2025-Q2", "2025-Q3", "2025-Q4"]


async def test_the_demo_history_is_written_once_for_the_branch(
    make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    branch = await make_tenant()
    written = await seed_demo_history(settings, branch.slug)
    assert written >= 4 * CASES_PER_QUARTER
    assert await seed_demo_history(settings, branch.slug) == 0
    rows = await sql(
        app_engine,
        branch,
        "SELECT count(DISTINCT quarter) AS q, bool_and((dimensions->>'synthetic')::boolean) AS s FROM trend_facts",
    )
    assert rows[0].q == 4 and rows[0].s is True
    released = await sql(app_engine, branch, "SELECT status, count(*) AS n FROM trend_releases GROUP BY status")
    statuses = {row.status: row.n for row in released}
    assert statuses.get("published", 0) >= 4 and set(statuses) <= {"published", "refused"}
    hidden = await sql(
        app_engine,
        branch,
        "SELECT count(*) AS n FROM trend_releases, jsonb_array_elements(cells) c "
        "WHERE status = 'published' AND c->'value' = 'null'::jsonb",
    )
    assert hidden[0].n > 0  # published with hidden cells
    # The invented members' FTE are recorded with the branch (no build scans the facts for them): rates shown.
    rated = await sql(
        app_engine,
        branch,
        "SELECT count(*) AS n FROM trend_releases, jsonb_array_elements(cells) c "
        "WHERE status = 'published' AND c->'per_100_fte' <> 'null'::jsonb",
    )
    assert rated[0].n > 0
