"""The committee's report and the branch's releases are one publication of the advices and of the decisions
(issue 16: "two reports cannot be combined"). A committee that serves four of a branch's seven members shows
its part of what the branch publishes in total; protected apart, its part and the branch's total would give away
the members it does not serve. The report waits until the year's releases are final, then hides enough that an
attacker with every release and the report narrows no small cell, the other members' part included."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt import disclosure
from meldpunt.catalogues import text
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.identity.models import AccountRef
from meldpunt.identity.roles import Role
from meldpunt.reports.annual import BRANCH_PARTS, FINDING_OF
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from meldpunt.trends import releases
from meldpunt.trends.facts import fact_secret, member_key
from meldpunt.trends.models import TrendFact
from tests.conftest import MakeTenant, TenantRef
from tests.integration.cases.test_case_handling import as_, person
from tests.integration.reports.test_annual_reports import rows_of, table_of
from tests.support.disclosure_attacker import Attacker

YEAR = date.today().year - 1
QUARTERS = [f"{YEAR}-Q{n}" for n in range(1, 5)]
EYES = (AccountRef(uuid.uuid4(), uuid.uuid4()), AccountRef(uuid.uuid4(), uuid.uuid4()))
# Per member (by position) its advices of the year, all in the last quarter. The committee serves the first four.
ADVICES: dict[str, tuple[int, ...]] = {
    "partly": (2, 2, 1, 1, 1, 0, 0),  # the committee's 6 of the branch's 7: the seven minus six is member 5's one
    "well_founded": (2, 2, 2, 2, 3, 3, 3),
    "not_well_founded": (2, 2, 2, 2, 2, 2, 2),
}
SERVED = 4


def facts_of(keys: list[str]) -> tuple[list[dict[str, Any]], dict[str, list[disclosure.Fact]]]:
    """Per complaint an advice and the employer's decision with the same outcome, as rows of the branch and, per
    population, as what an attacker's truth is made of (every dimension of the releases' tables and whether the
    committee serves the member)."""
    rows: list[dict[str, Any]] = []
    truth: dict[str, list[disclosure.Fact]] = {"complaints": [], "decided": []}
    for advice, per_member in ADVICES.items():
        for position, n in enumerate(per_member):
            served = "yes" if position < SERVED else "no"
            for _ in range(n):
                for milestone, finding in (("advised", advice), ("decided", FINDING_OF[advice])):
                    rows.append(
                        {
                            "id": uuid.uuid4(),
                            "fact_key": uuid.uuid4().bytes * 2,
                            "member_key": keys[position],
                            "milestone": milestone,
                            "quarter": QUARTERS[3],
                            "size_class": "10_to_49",
                            "sector_code": "88",
                            "fte": 10,
                            "dimensions": {"finding": finding, "category": "bullying", "route": "complaints_committee"},
                            "risk_factors": [],
                        }
                    )
                codes = {"size": "10_to_49", "category": "bullying", "served": served}
                truth["complaints"].append(disclosure.fact(QUARTERS[3], keys[position], advice=advice, **codes))
                decided = {"route": "complaints_committee", "finding": FINDING_OF[advice], "served": served}
                truth["decided"].append(disclosure.fact(QUARTERS[3], keys[position], **decided))
    return rows, truth


async def publish(app_engine: AsyncEngine, branch: TenantRef, labels: list[str]) -> dict[str, list[disclosure.Release]]:
    """The complaints and decisions releases of ``labels``, built and published with four eyes; the branch's
    ledger of each after."""
    async with create_sessionmaker(app_engine)() as session, session.begin():
        await tenant_context(session, [branch.id])
        row = await session.get(Tenant, branch.id)
        assert row is not None
        for label in labels:
            for population in ("complaints", "decided"):
                built = await releases.build(session, row, label, population, datetime.now(UTC))
                assert built.row.status == "audited", label
                await releases.request_publication(session, EYES[0], row, built.row.id)
                await releases.approve(session, EYES[1], row, built.row.id)
        return {population: await releases.ledger(session, row, population) for population in ("complaints", "decided")}


async def test_the_committees_advices_wait_for_the_years_releases_then_are_protected_together_with_them(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    branch = await make_tenant()
    members = [await make_tenant(branch=branch) for _ in range(7)]
    secret = fact_secret(settings.secret_key)
    rows, facts = facts_of([member_key(secret, member.id) for member in members])
    async with create_sessionmaker(app_engine)() as session, session.begin():
        await tenant_context(session, [branch.id])
        await session.execute(insert(TrendFact).values([{**r, "tenant_id": branch.id} for r in rows]))
    chair = await person(app_engine, settings, members[0], {m: (Role.COMMITTEE_CHAIR,) for m in members[:SERVED]})
    await as_(client, chair)
    url = f"/api/v1/t/{members[0].slug}/reports/committee/{YEAR}"

    await publish(app_engine, branch, QUARTERS)  # the quarters only: the year is not final yet
    waiting = (await client.get(url)).json()
    outcomes = {text("nl", f"complaint.outcome.{code}"): code for code in releases.ADVICE if code != "unknown"}
    for key in ("advice", "decision"):
        assert rows_of(waiting, key) == {name: [None] for name in outcomes}
        assert table_of(waiting, key)["note"] == text("nl", "report.committee.waits", year=YEAR)

    ledgers = await publish(app_engine, branch, [str(YEAR)])
    answer = await client.get(url)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    summary = rows_of(report, "summary")
    served_truth = {code: sum(n[:SERVED]) for code, n in ADVICES.items()}
    period = disclosure.calendar_year(YEAR)
    for part, total in zip(BRANCH_PARTS, ("report.committee.advised", "report.committee.decided"), strict=True):
        assert table_of(report, part.table.name)["note"] is None
        shown = rows_of(report, part.table.name)
        assert set(shown) == set(outcomes)  # an unknown outcome counts nothing here, so it has no row
        for name, (value,) in shown.items():
            assert value is None or value == served_truth.get(outcomes[name], 0), name
        assert shown[text("nl", "complaint.outcome.partly")] == [None]  # else 7 - 6 gives member 5's away
        assert any(value is not None and value > 0 for (value,) in shown.values())  # not everything is hidden

        # The attacker's view: every release the branch published and the report, as one ledger.
        values = {(outcomes[name],): value for name, (value,) in shown.items()}
        values[(disclosure.TOTAL,)] = summary[text("nl", total)][0]
        hidden = frozenset(
            disclosure.Quantity(period.quarters, part.split.assignment(part.cells[cell]))
            for cell, value in values.items()
            if value is None
        )
        withheld = frozenset(
            disclosure.Quantity(period.quarters, part.split.assignment(cell))
            for cell in part.split.cells()
            if cell not in set(part.cells.values())
        )
        as_report = disclosure.Release(period, (part.split,), disclosure.PLATFORM_RULES, hidden, withheld)
        ledger, truth = ledgers[part.population], facts[part.population]
        assert disclosure.audit(truth, [*ledger, as_report]).passed, part.population
        attacker = Attacker(truth, [*ledger, as_report])
        complement = dict(part.split.assignment(part.cells[("partly",)])) | {"served": "no"}
        least, most = attacker.interval(period.quarters, **complement)
        assert most - least >= disclosure.PLATFORM_RULES.k - 1, (part.population, least, most)
