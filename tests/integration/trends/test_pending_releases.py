"""A release built while another waits for its four eyes is protected against that one too: both may be
published in the end, and two releases protected apart give each other's hidden cells away (issue 16). Here the
fourth quarter waits while the year is built: protected without it, the year would hide another cell of the
same row than the quarter did, and the year minus the three published quarters would give the fourth's small
cell away."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt import disclosure
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.identity.models import AccountRef
from meldpunt.tenancy.models import Tenant
from meldpunt.trends import releases
from meldpunt.trends.models import TrendFact
from meldpunt.trends.releases import TrendRelease
from tests.conftest import MakeTenant
from tests.support.disclosure_attacker import Attacker

YEAR = date.today().year - 1
QUARTERS = [f"{YEAR}-Q{n}" for n in range(1, 5)]
EYES = (AccountRef(uuid.uuid4(), uuid.uuid4()), AccountRef(uuid.uuid4(), uuid.uuid4()))
EARLIER = {"partly": 6, "well_founded": 12, "not_well_founded": 5}
# The fourth quarter: its one "partly" is small; "well_founded" is its smallest other cell, while in the year
# "not_well_founded" is (24 against 41).
LAST = {"partly": 1, "well_founded": 5, "not_well_founded": 9}
CODES = {"size": "10_to_49", "category": "bullying"}


def advices() -> tuple[list[dict[str, Any]], list[disclosure.Fact]]:
    """Per quarter its advices, each of its own member, as rows of the branch and as the attacker's truth."""
    rows, truth = [], []
    for quarter in QUARTERS:
        for advice, n in (LAST if quarter == QUARTERS[3] else EARLIER).items():
            for _ in range(n):
                member = uuid.uuid4().hex
                rows.append(
                    {
                        "id": uuid.uuid4(),
                        "fact_key": uuid.uuid4().bytes * 2,
                        "member_key": member,
                        "milestone": "advised",
                        "quarter": quarter,
                        "size_class": CODES["size"],
                        "sector_code": "88",
                        "fte": 20,
                        "dimensions": {"kind": "complaint", "finding": advice, "category": CODES["category"]},
                        "risk_factors": [],
                    }
                )
                truth.append(disclosure.fact(quarter, member, advice=advice, **CODES))
    return rows, truth


async def built(session: Any, branch: Tenant, label: str) -> releases.TrendRelease:
    made = await releases.build(session, branch, label, "complaints", datetime.now(UTC))
    assert made.row.status == "audited", label
    return made.row


async def publish(session: Any, branch: Tenant, *rows: releases.TrendRelease) -> None:
    for row in rows:
        await releases.request_publication(session, EYES[0], branch, row.id)
        await releases.approve(session, EYES[1], branch, row.id)


async def branch_with_three_quarters(
    make_tenant: MakeTenant, app_engine: AsyncEngine
) -> tuple[uuid.UUID, list[disclosure.Fact]]:
    """A branch with the year's advices and its first three quarters published; the attacker's truth."""
    made = await make_tenant()
    rows, truth = advices()
    async with create_sessionmaker(app_engine)() as session, session.begin():
        branch = await at_branch(session, made.id)
        await session.execute(insert(TrendFact).values([{**row, "tenant_id": branch.id} for row in rows]))
        for label in QUARTERS[:3]:
            await publish(session, branch, await built(session, branch, label))
    return made.id, truth


async def at_branch(session: Any, branch_id: uuid.UUID) -> Tenant:
    await tenant_context(session, [branch_id])
    branch = await session.get(Tenant, branch_id)
    assert branch is not None
    return branch


async def all_published_hold(app_engine: AsyncEngine, branch_id: uuid.UUID, truth: list[disclosure.Fact]) -> None:
    """With the fourth quarter and the year published too, no small cell is narrowed, by the audit nor by an
    attacker written apart from it."""
    async with create_sessionmaker(app_engine)() as session, session.begin():
        branch = await at_branch(session, branch_id)
        waiting = await session.execute(select(TrendRelease).where(TrendRelease.status == "audited"))
        await publish(session, branch, *waiting.scalars())
        ledger = await releases.ledger(session, branch, "complaints")
    assert len(ledger) == 5
    assert disclosure.audit(truth, ledger).passed
    small = Attacker(truth, ledger).interval([QUARTERS[3]], advice="partly", **CODES)
    assert small[1] - small[0] >= disclosure.PLATFORM_RULES.k - 1, small


async def test_a_release_built_while_another_waits_is_protected_against_it(
    make_tenant: MakeTenant, app_engine: AsyncEngine
) -> None:
    branch_id, truth = await branch_with_three_quarters(make_tenant, app_engine)
    async with create_sessionmaker(app_engine)() as session, session.begin():
        branch = await at_branch(session, branch_id)
        await built(session, branch, QUARTERS[3])  # audited, its publication not asked for yet
        await built(session, branch, str(YEAR))
    await all_published_hold(app_engine, branch_id, truth)


async def test_two_builds_at_once_take_turns_so_that_the_second_is_protected_against_the_first(
    make_tenant: MakeTenant, app_engine: AsyncEngine
) -> None:
    branch_id, truth = await branch_with_three_quarters(make_tenant, app_engine)
    first_built = asyncio.Event()

    async def quarter() -> None:
        async with create_sessionmaker(app_engine)() as session, session.begin():
            await built(session, await at_branch(session, branch_id), QUARTERS[3])
            first_built.set()
            await asyncio.sleep(0.5)  # not committed yet while the year is asked for

    async def year() -> None:
        await first_built.wait()
        async with create_sessionmaker(app_engine)() as session, session.begin():
            await built(session, await at_branch(session, branch_id), str(YEAR))

    await asyncio.wait_for(asyncio.gather(quarter(), year()), timeout=30)
    await all_published_hold(app_engine, branch_id, truth)
