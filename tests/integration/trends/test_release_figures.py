"""The figures a release is built from: counted in SQL exactly as the disclosure tables count them from the facts
(a code outside its closed list is ``unknown``), kept with the release, and taken from there by a later build, which
then protects exactly as one that counted every published period's facts again."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from meldpunt import disclosure
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.identity.models import AccountRef
from meldpunt.intake.taxonomy import STRUCTURAL_RISKS
from meldpunt.tenancy.models import Tenant
from meldpunt.trends import releases
from meldpunt.trends.facts import quarter_of
from meldpunt.trends.models import TrendFact
from meldpunt.trends.synthetic import past_quarters, synthetic_facts, synthetic_members
from tests.conftest import MakeTenant, TenantRef

QUARTERS = past_quarters(quarter_of(datetime.now(UTC)), 2)


def code_in_python(row: TrendFact, dim: str) -> str | None:
    """Where a fact keeps each dimension, read in Python (the SQL reads the same places)."""
    if dim == "size":
        return row.size_class
    if dim.startswith("risk_"):
        return "yes" if dim.removeprefix("risk_") in row.risk_factors else "no"
    found = row.dimensions.get({"advice": "finding"}.get(dim, dim))  # a complaint's advice is in its finding
    return found if isinstance(found, str) else None


def odd_facts(branch: TenantRef, quarter: str) -> list[dict[str, Any]]:
    """Facts whose codes are not in the closed lists, or missing: the tables count them as ``unknown``."""
    odd = []
    for n, (size, category, setting) in enumerate((("huge", "no-such", None), ("under_10", None, "moon"))):
        odd.append(
            {
                "tenant_id": branch.id,
                "id": uuid.uuid4(),
                "fact_key": uuid.uuid4().bytes * 2,
                "member_key": f"odd{n}",
                "milestone": "registered",
                "quarter": quarter,
                "size_class": size,
                "sector_code": "88",
                "fte": None,
                "dimensions": {"category": category, "setting": setting},
                "risk_factors": [STRUCTURAL_RISKS[0], "not-a-risk"],
            }
        )
    return odd


async def history(app_engine: AsyncEngine, branch: TenantRef) -> None:
    members = synthetic_members(branch.id, 12, "88")
    rows = [*synthetic_facts(branch.id, members, QUARTERS, 40), *odd_facts(branch, QUARTERS[0])]
    async with create_sessionmaker(app_engine)() as session, session.begin():
        await tenant_context(session, [branch.id])
        await session.execute(insert(TrendFact).values(rows))


async def facts_in_python(session: AsyncSession, branch: Tenant, population: str) -> list[disclosure.Fact]:
    """Every fact of the population as a disclosure fact, coded in Python (one row each)."""
    dims = sorted({dim for spec in releases.STANDARD_TABLES[population] for dim in spec.dims})
    closed = {dim: releases.SOURCES[dim][1] for dim in dims}
    milestone = releases.MILESTONE_OF.get(population, population)
    query = select(TrendFact).where(TrendFact.tenant_id == branch.id, TrendFact.milestone == milestone)
    found = []
    for row in (await session.execute(query)).scalars():
        codes = {dim: code_in_python(row, dim) for dim in dims}
        coded = {dim: code if code in closed[dim] else releases.UNKNOWN for dim, code in codes.items()}
        found.append(disclosure.fact(row.quarter, row.member_key, 1, **coded))
    return found


async def publish(session: AsyncSession, branch: Tenant, label: str) -> releases.Built:
    built = await releases.build(session, branch, label, "registered", datetime.now(UTC))
    assert built.row.status == "audited"
    first, second = AccountRef(branch.id, uuid.uuid4()), AccountRef(branch.id, uuid.uuid4())
    await releases.request_publication(session, first, branch, built.row.id)
    await releases.approve(session, second, branch, built.row.id)
    return built


def pattern(cells: Sequence[dict[str, Any]]) -> list[tuple[str, tuple[tuple[str, str], ...], int | None]]:
    return [(c["table"], tuple(sorted(c["cell"].items())), c["value"]) for c in cells]


async def test_the_cells_counted_in_sql_are_those_the_disclosure_tables_count_from_the_facts(
    make_tenant: MakeTenant, app_engine: AsyncEngine
) -> None:
    ref = await make_tenant()
    await history(app_engine, ref)
    async with create_sessionmaker(app_engine)() as session, session.begin():
        await tenant_context(session, [ref.id])
        branch = await session.get(Tenant, ref.id)
        assert branch is not None
        for population, specs in releases.STANDARD_TABLES.items():
            facts = await facts_in_python(session, branch, population)
            for period in (disclosure.quarter(QUARTERS[0]), disclosure.Period(tuple(QUARTERS))):
                counted = await releases.figures_of(session, branch, population, period, specs)
                assert counted == disclosure.tabulate(facts, period, specs), (population, period)
        registered = releases.STANDARD_TABLES["registered"]
        counted = await releases.figures_of(session, branch, "registered", disclosure.quarter(QUARTERS[0]), registered)
    unknown = disclosure.Quantity((QUARTERS[0],), (("category", releases.UNKNOWN),))
    assert counted[unknown].cases == 2  # the two odd facts count as unknown, not lost


async def test_a_later_build_takes_the_kept_figures_and_protects_as_a_full_count_would(
    make_tenant: MakeTenant, app_engine: AsyncEngine
) -> None:
    ref = await make_tenant()
    await history(app_engine, ref)
    specs = releases.STANDARD_TABLES["registered"]
    async with create_sessionmaker(app_engine)() as session, session.begin():
        await tenant_context(session, [ref.id])
        branch = await session.get(Tenant, ref.id)
        assert branch is not None
        facts = await facts_in_python(session, branch, "registered")
        first = await publish(session, branch, QUARTERS[0])
        kept = releases._stored_figures(first.row)
        assert kept == disclosure.tabulate(facts, disclosure.quarter(QUARTERS[0]), specs)  # every cell, true values
        second = await releases.build(session, branch, QUARTERS[1], "registered", datetime.now(UTC))
    rules = releases.rules_of(branch)
    # From scratch: every period's facts counted again, in Python.
    again = disclosure.protect(facts, [first.protection.release], disclosure.quarter(QUARTERS[1]), specs, rules)
    assert second.protection.release.hidden == again.release.hidden
    assert second.protection.report == again.report
    figures = disclosure.tabulate(facts, disclosure.quarter(QUARTERS[1]), specs)
    shown = [None if q in again.release.hidden else figures[q].cases for q in map(quantity_of, second.row.cells)]
    assert [value for *_, value in pattern(second.row.cells)] == shown


def quantity_of(cell: dict[str, Any]) -> disclosure.Quantity:
    assignment = tuple(sorted((d, c) for d, c in cell["cell"].items() if c != disclosure.TOTAL))
    return disclosure.Quantity((QUARTERS[1],), assignment)
