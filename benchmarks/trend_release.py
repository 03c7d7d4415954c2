"""What a sector-trend release costs against the plain aggregation of the same facts, in the same run.

A branch of 200 members with N synthetic facts (default 1,000,000) over four quarters. The baseline is the raw
SQL GROUP BY of the release's cells: every cell and margin of the standard registered tables in one GROUPING
SETS query with the aggregates a cell needs (count, and count of distinct members), as ``meldpunt_app`` under
RLS. The release is ``trends.releases.build``: its cells counted in SQL (cases, members and the largest member
per cell), then primary and secondary suppression and the audit LP (HiGHS) against the quarters published
before, whose figures it takes from their releases. Printed per quarter (the fourth has three in its ledger):
both times (the median of --repetitions, taken in turns) and their ratio, and how much of the build was the
counting in SQL (the rest: the ledger, protection and the audit, the rates per 100 FTE, storing the release).

    .venv/bin/python benchmarks/trend_release.py [--facts 1000000] [--members 200] [--repetitions 3]

PostgreSQL: MELDPUNT_TEST_DATABASE_URL (a superuser URL) when set, else an embedded server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from itertools import combinations
from math import ceil
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import create_database, drop_database, with_user_and_database

from meldpunt.db.bootstrap import migrate
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_engine, create_sessionmaker
from meldpunt.identity.models import AccountRef
from meldpunt.intake import taxonomy
from meldpunt.settings import APP_ROLE, Settings
from meldpunt.tenancy.models import Tenant
from meldpunt.trends import releases
from meldpunt.trends.facts import quarter_of
from meldpunt.trends.synthetic import past_quarters, synthetic_facts, synthetic_members, with_workforce

COLUMNS = (
    "tenant_id",
    "id",
    "fact_key",
    "member_key",
    "milestone",
    "quarter",
    "size_class",
    "sector_code",
    "fte",
    "dimensions",
    "risk_factors",
)
# The baseline reads each dimension as it is stored, without the closed lists the release maps codes onto.
RAW_DIMENSIONS = {
    "size": "size_class",
    "category": "dimensions->>'category'",
    "setting": "dimensions->>'setting'",
    **{f"risk_{risk}": f"(risk_factors @> ARRAY['{risk}']::varchar[])" for risk in taxonomy.STRUCTURAL_RISKS},
}


def raw_query() -> str:
    """The plain aggregation of the release's tables: every cell and margin of the standard registered tables in
    one GROUPING SETS query, with the same aggregates a cell needs (cases, and distinct members)."""
    specs = releases.STANDARD_TABLES["registered"]
    kinds = sorted(
        {tuple(sorted(c)) for spec in specs for n in range(len(spec.dims) + 1) for c in combinations(spec.dims, n)}
    )
    sets = ", ".join("(" + ", ".join(RAW_DIMENSIONS[dim] for dim in kind) + ")" for kind in kinds)
    columns = ", ".join(RAW_DIMENSIONS[dim] for dim in sorted(RAW_DIMENSIONS))
    return (
        f"SELECT {columns}, count(*), count(DISTINCT member_key) FROM trend_facts "
        f"WHERE tenant_id = $1 AND milestone = 'registered' AND quarter = $2 GROUP BY GROUPING SETS ({sets})"
    )


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def load(su_url: str, branch: uuid.UUID, quarters: list[str], count: int, members: int) -> None:
    connection = await asyncpg.connect(plain(su_url))
    try:
        invented = synthetic_members(branch, members, "88")
        await connection.execute(
            "INSERT INTO tenants (id, slug, kind, display_name, locale, sector_code, branch_services, branding, "
            "identity_provider, procedure) VALUES ($1, 'bench-branch', 'branch', 'Bench', 'nl', '88', '{}', '{}', "
            "'{}', $2)",
            branch,
            json.dumps(with_workforce({}, invented)),
        )
        await connection.execute(f"SET meldpunt.tenant_ids = '{{{branch}}}'")
        # Each case gives 2.6 facts on average (registered; 80 % routed; half of those decided and closed).
        per_quarter = max(1, ceil(count / (len(quarters) * 2.6)))
        rows = [
            tuple({**fact, "dimensions": json.dumps(fact["dimensions"])}[c] for c in COLUMNS)
            for fact in synthetic_facts(branch, invented, quarters, per_quarter)
        ]
        # As the superuser, which RLS does not bind: COPY is refused under row-level security.
        await connection.copy_records_to_table("trend_facts", records=rows[:count], columns=COLUMNS)
        await connection.execute("ANALYZE trend_facts")
    finally:
        await connection.close()


async def raw(app_url: str, branch: uuid.UUID, quarter: str) -> float:
    connection = await asyncpg.connect(plain(app_url))
    try:
        async with connection.transaction():
            await connection.execute(f"SET LOCAL meldpunt.tenant_ids = '{{{branch}}}'")
            started = time.perf_counter()
            await connection.fetch(raw_query(), branch, quarter)
            return time.perf_counter() - started
    finally:
        await connection.close()


COUNTING: list[float] = []


def counted_in_sql() -> None:
    """Time ``figures_for`` inside ``build`` (the SQL counting), to show what protection and the audit cost."""
    counting = releases.figures_for

    async def timed(*arguments: Any) -> Any:
        started = time.perf_counter()
        try:
            return await counting(*arguments)
        finally:
            COUNTING.append(time.perf_counter() - started)

    releases.figures_for = timed  # type: ignore[assignment]


async def release(
    settings: Settings, branch_id: uuid.UUID, quarter: str, publish: bool
) -> tuple[float, float, str, int]:
    """The build's time, the part of it spent counting in SQL, its status and its hidden cells; published when
    ``publish`` (and it passed), else rolled back, so that the same quarter can be built again."""
    COUNTING.clear()
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            await session.begin()
            await tenant_context(session, [branch_id])
            branch = await session.get(Tenant, branch_id)
            assert branch is not None
            started = time.perf_counter()
            built = await releases.build(session, branch, quarter, "registered", datetime.now(UTC))
            elapsed = time.perf_counter() - started
            eyes = (AccountRef(branch_id, uuid.uuid4()), AccountRef(branch_id, uuid.uuid4()))
            if publish and built.row.status == "audited":
                await releases.request_publication(session, eyes[0], branch, built.row.id)
                await releases.approve(session, eyes[1], branch, built.row.id)
            hidden = sum(1 for cell in built.row.cells if cell["value"] is None)
            status = built.row.status
            await (session.commit() if publish else session.rollback())
            return elapsed, sum(COUNTING), status, hidden
    finally:
        await engine.dispose()


async def measured(
    settings: Settings, app_url: str, branch: uuid.UUID, quarter: str, repetitions: int
) -> tuple[float, tuple[float, float, str, int]]:
    """The raw aggregation and the build, in turns, ``repetitions`` times each (the last build is published):
    the median of each, so that a moment of load on the machine weighs on neither alone."""
    baselines, builds = [], []
    for n in range(repetitions):
        baselines.append(await raw(app_url, branch, quarter))
        builds.append(await release(settings, branch, quarter, publish=n == repetitions - 1))
    middle = sorted(builds)[len(builds) // 2]
    return statistics.median(baselines), (middle[0], middle[1], builds[-1][2], builds[-1][3])


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--facts", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--repetitions", type=int, default=3)
    options = parser.parse_args()
    superuser_url = os.environ.get("MELDPUNT_TEST_DATABASE_URL", "")
    embedded = None
    if superuser_url:
        superuser_url = "postgresql+asyncpg://" + superuser_url.split("://", 1)[1]
    else:
        from meldpunt.devserver import start_postgres

        embedded = start_postgres(Path(tempfile.mkdtemp(prefix="release-bench-")) / "data")
        superuser_url = embedded.url("postgres", "postgres")
    database = f"bench_release_{secrets.token_hex(4)}"
    await create_database(superuser_url, database)
    su_name = superuser_url.split("//")[1].split("@")[0] or "postgres"
    su_url = with_user_and_database(superuser_url, su_name, database)
    app_url = with_user_and_database(superuser_url, APP_ROLE, database)
    settings = Settings(database_url=app_url, migration_database_url=su_url)
    try:
        await migrate(settings)
        branch = uuid.uuid4()
        quarters = past_quarters(quarter_of(datetime.now(UTC)), 4)
        started = time.monotonic()
        await load(su_url, branch, quarters, options.facts, options.members)
        print(f"loaded {options.facts:,} facts of {options.members} members in {time.monotonic() - started:.1f} s")
        counted_in_sql()
        print(
            f"{'quarter':<9} {'ledger':>6} {'raw GROUP BY s':>15} {'release s':>10} {'ratio':>7}"
            f"   {'of which: SQL s':>15} {'the rest s':>15} {'hidden':>6}  status"
        )
        for position, quarter in enumerate(quarters):
            baseline, (built, counting, status, hidden) = await measured(
                settings, app_url, branch, quarter, options.repetitions
            )
            print(
                f"{quarter:<9} {position:>6} {baseline:>15.2f} {built:>10.2f} {built / baseline:>7.2f}"
                f"   {counting:>15.2f} {built - counting:>15.2f} {hidden:>6}  {status}"
            )
        print("target: release ≤ 1.5 × the raw aggregation, audit included")
    finally:
        await drop_database(superuser_url, database)
        if embedded:
            embedded.stop()


if __name__ == "__main__":
    asyncio.run(main())
