"""What a board sees beside the counts (issue 16): cases per 100 FTE of all the branch's members, withheld where
the count is hidden or the FTE come from too few members or mostly one; the trend over quarters as a chart whose
alt text names every value; and the complaints committees' advice as a population of its own, protected and
published with four eyes like the others."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt import disclosure
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from meldpunt.trends.models import TrendFact
from meldpunt.trends.releases import Workforce, build_for, rate_of, with_rates
from tests.conftest import MakeTenant, TenantRef
from tests.integration.cases.test_case_handling import as_, person
from tests.integration.trends.test_releases import HTML, QUARTERS, admins, api, published, with_history

# Size class → the FTE of each member tenant of the branch in it, and the cases its members registered.
MEMBERS = {
    "10_to_49": (20, 20, 20, 40),  # four members, none above 75 %: the rate is published
    "250_and_more": (600, 300),  # two members: fewer than m = 3, the rate would give away their size
    "under_10": (1, 1, 9),  # one member holds 9 of 11 FTE: dominance, withheld
    "50_to_249": (100, 100, 100),  # fine, but its count is hidden: so is its rate
}
# The cases of members whose size was not known when they were written: the small cell that protects the hidden one.
CASES = {"10_to_49": 30, "250_and_more": 20, "under_10": 20, "50_to_249": 2, "unknown": 6}


async def members_with_fte(make_tenant: MakeTenant, owner_engine: AsyncEngine, branch: TenantRef) -> None:
    async with owner_engine.begin() as connection:
        for ftes in MEMBERS.values():
            for fte in ftes:
                member = await make_tenant(branch=branch)
                await connection.execute(
                    text("UPDATE tenants SET fte = :fte WHERE id = :id"), {"fte": fte, "id": member.id}
                )
        archived = await make_tenant(branch=branch)  # no longer a member: its FTE count nowhere
        await connection.execute(
            text("UPDATE tenants SET fte = 5000, archived_at = now() WHERE id = :id"), {"id": archived.id}
        )


def fact(branch: TenantRef, milestone: str, n: int, member: int, size: str, **coded: Any) -> dict[str, Any]:
    key = hashlib.sha256(f"{branch.id}:{milestone}:{n}".encode()).digest()
    return {
        "tenant_id": branch.id,
        "id": uuid.UUID(bytes=key[:16]),
        "fact_key": key,
        "member_key": hashlib.sha256(f"{size}:{member}".encode()).hexdigest()[:32],
        "milestone": milestone,
        "quarter": QUARTERS[0],
        "size_class": size,
        "sector_code": "88",
        "fte": None,
        "dimensions": coded,
        "risk_factors": [],
    }


async def write(app_engine: AsyncEngine, branch: TenantRef, rows: list[dict[str, Any]]) -> None:
    async with create_sessionmaker(app_engine)() as session, session.begin():
        await tenant_context(session, [branch.id])
        await session.execute(insert(TrendFact).values(rows))


def cell_of(release: dict[str, Any], table: str, **codes: str) -> dict[str, Any]:
    return next(c for c in release["cells"] if c["table"] == table and c["cell"] == codes)


async def test_rates_are_per_100_fte_of_all_members_and_withheld_for_hidden_counts_few_members_or_dominance(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, owner_engine: AsyncEngine, settings: Settings
) -> None:
    branch = await make_tenant()
    await members_with_fte(make_tenant, owner_engine, branch)
    rows, n = [], 0
    for size, cases in CASES.items():
        for i in range(cases):
            rows.append(fact(branch, "registered", n, i % 4, size, category="bullying", setting="workplace"))
            n += 1
    await write(app_engine, branch, rows)
    first, second = await admins(app_engine, settings, branch)
    release = await published(client, first, second, branch, QUARTERS[0])
    margin = {size: cell_of(release, "category_by_size", category="*", size=size) for size in (*CASES, "*")}
    assert margin["10_to_49"]["value"] == 30 and margin["10_to_49"]["per_100_fte"] == 30.0  # 30 / 100 FTE
    assert margin["250_and_more"]["value"] == 20 and margin["250_and_more"]["per_100_fte"] is None  # 2 members
    assert margin["under_10"]["value"] == 20 and margin["under_10"]["per_100_fte"] is None  # one holds 9 of 11
    assert margin["50_to_249"]["value"] is None and margin["50_to_249"]["per_100_fte"] is None  # count hidden
    total_fte = sum(sum(ftes) for ftes in MEMBERS.values())  # 1311: every member, with cases or not
    assert margin["unknown"]["per_100_fte"] is None  # no FTE behind an unknown size
    assert margin["*"]["value"] == 78 and margin["*"]["per_100_fte"] == round(78 * 100 / total_fte, 1) == 5.9
    assert cell_of(release, "category_by_size", category="bullying", size="10_to_49")["per_100_fte"] == 30.0
    for cell in release["cells"]:
        if cell["value"] is None:
            assert cell.get("per_100_fte") is None  # a rate never where its count is hidden
        if cell["table"] == "category_by_setting" and set(cell["cell"].values()) != {"*"}:
            assert cell["per_100_fte"] is None  # no size class: no denominator
    board = await person(app_engine, settings, branch, {branch: (Role.SECTOR_BOARD,)})
    await as_(client, board)
    seen = (await client.get(f"/api/v1/sector/{branch.slug}/releases")).json()
    assert cell_of(seen[0], "category_by_size", category="*", size="10_to_49")["per_100_fte"] == 30.0
    page = await client.get(f"/app/t/{branch.slug}/sector", headers=HTML)
    assert "(30,0 per\u00a0100\u00a0fte)" in page.text and "(5,9 per\u00a0100\u00a0fte)" in page.text
    english = await client.get(f"/app/t/{branch.slug}/sector?lang=en", headers=HTML)
    assert "(30.0 per\u00a0100\u00a0FTE)" in english.text


def test_a_rate_needs_its_count_m_members_no_dominant_one_and_known_sizes() -> None:
    rules = disclosure.PLATFORM_RULES
    assert rate_of(12, (100, 100, 100), rules) == 4.0
    assert rate_of(None, (100, 100, 100), rules) is None  # the count is hidden
    assert rate_of(12, (100, 100), rules) is None  # fewer than m members
    assert rate_of(12, (100, 100, 700), rules) is None  # one member holds more than 75 %: 700 of 900
    assert rate_of(12, (100, 100, 600), rules) == 1.5  # exactly 75 % is not more
    assert rate_of(12, (100, 100, 600), disclosure.Rules(5, 3, 60)) is None  # the branch's stricter share
    assert rate_of(12, (100, 100, 400), rules) == 2.0  # 400 of 600 is 67 %: published
    assert rate_of(0, (100, 100, 100), rules) == 0.0
    assert rate_of(12, (), rules) is None
    assert rate_of(12, (10, 10, 10, 10), disclosure.Rules(5, 5, 75)) is None  # the branch's own m
    unknown = Workforce({"10_to_49": (20, 20, 20)}, unknown=1)  # a member whose FTE nobody knows
    cells = [
        {"table": "t", "cell": {"size": "10_to_49", "category": "*"}, "value": 6},
        {"table": "t", "cell": {"size": "*", "category": "*"}, "value": 9},
        {"table": "t", "cell": {"size": "unknown", "category": "*"}, "value": 3},
        {"table": "u", "cell": {"setting": "workplace"}, "value": 9},
    ]
    rated = with_rates(cells, unknown, rules)
    assert [c.get("per_100_fte", "absent") for c in rated] == [10.0, None, None, "absent"]
    known = Workforce({"10_to_49": (20, 20, 20), "50_to_249": (60, 60, 60)}, unknown=0)
    assert [c.get("per_100_fte") for c in with_rates(cells, known, rules)][:2] == [10.0, 3.8]  # 9 of 240 FTE


def test_a_total_never_gives_away_the_fte_of_a_size_class_whose_rate_is_withheld() -> None:
    rules = disclosure.PLATFORM_RULES
    cells = [
        {"table": "t", "cell": {"size": "10_to_49"}, "value": 6},
        {"table": "t", "cell": {"size": "250_and_more"}, "value": 6},
        {"table": "t", "cell": {"size": "*"}, "value": 12},
    ]
    # The total's FTE minus the 60 shown would be the one large member's 900: the total's rate is withheld too.
    one = Workforce({"10_to_49": (20, 20, 20), "250_and_more": (900,)}, unknown=0)
    assert [c["per_100_fte"] for c in with_rates(cells, one, rules)] == [10.0, None, None]
    # Two withheld classes that are safe together (three members, none above 75 %) leave the total shown.
    two = Workforce({"10_to_49": (20, 20, 20), "250_and_more": (300, 400), "under_10": (5,)}, unknown=0)
    assert [c["per_100_fte"] for c in with_rates(cells, two, rules)] == [10.0, None, 1.6]  # 12 of 765 FTE
    # Together still mostly one member: withheld.
    dominated = Workforce({"10_to_49": (20, 20, 20), "250_and_more": (300, 4000), "under_10": (5,)}, unknown=0)
    assert [c["per_100_fte"] for c in with_rates(cells, dominated, rules)] == [10.0, None, None]


async def test_the_trend_over_quarters_is_a_chart_whose_alt_text_names_every_value_beside_its_table(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    branch = await make_tenant()
    await with_history(app_engine, branch)
    first, second = await admins(app_engine, settings, branch)
    releases = [await published(client, first, second, branch, quarter) for quarter in QUARTERS]
    board = await person(app_engine, settings, branch, {branch: (Role.SECTOR_BOARD,)})
    await as_(client, board)
    page = (await client.get(f"/app/t/{branch.slug}/sector", headers=HTML)).text
    assert page.count('role="img"') == 1 + 7  # the reports per quarter, and one per kind of behaviour (and unknown)
    described = page[page.index('<desc id="quarters-desc">') :].split("</desc>")[0]
    for quarter, release in zip(QUARTERS, releases, strict=True):
        grand = cell_of(release, "category_by_size", category="*", size="*")["value"]
        assert f"{quarter}: {'Verborgen' if grand is None else grand}" in described
    bullying = page[page.index('<desc id="category-2-desc">') :].split("</desc>")[0]
    for quarter, release in zip(QUARTERS, releases, strict=True):
        value = cell_of(release, "category_by_size", category="bullying", size="*")["value"]
        assert f"{quarter}: {'Verborgen' if value is None else value}" in bullying
    assert 'aria-labelledby="quarters-title quarters-desc"' in page
    assert "Het aantal meldingen van elk soort gedrag in elk gepubliceerd kwartaal" in page  # its table beside it
    assert "syn" not in page


async def test_the_complaints_advice_is_a_population_built_protected_and_published_with_four_eyes(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    branch = await make_tenant()
    outcomes = ["well_founded"] * 8 + ["partly"] * 6 + ["not_well_founded"] * 2
    rows = [
        fact(branch, "advised", n, n % 4, "10_to_49", kind="complaint", category="bullying", finding=outcome)
        for n, outcome in enumerate(outcomes)
    ]
    rows.append(fact(branch, "decided", 99, 0, "10_to_49", finding="well_founded"))  # not a complaint's advice
    await write(app_engine, branch, rows)
    first, second = await admins(app_engine, settings, branch)
    await as_(client, first)
    built = await client.post(f"{api(branch)}/", json={"population": "complaints", "period": QUARTERS[0]})
    assert built.status_code == 201, built.text
    release = built.json()
    assert release["status"] == "audited" and release["audit_passed"] and release["hidden_cells"] > 0
    assert cell_of(release, "advice_by_size", advice="*", size="*")["value"] == 16
    assert cell_of(release, "advice_by_size", advice="not_well_founded", size="10_to_49")["value"] is None  # 2
    assert all(c["value"] is None or c["value"] == 0 or c["value"] >= 5 for c in release["cells"])
    assert (await client.post(f"{api(branch)}/{release['id']}/request")).status_code == 201
    own = await client.post(f"{api(branch)}/{release['id']}/approval")
    assert own.status_code == 409  # four eyes
    await as_(client, second)
    assert (await client.post(f"{api(branch)}/{release['id']}/approval")).status_code == 201
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [branch.id])
        audit = (await session.execute(text("SELECT audit FROM trend_releases"))).scalar_one()
    assert audit["passed"] and audit["cells"]  # the audit kept with the release

    board = await person(app_engine, settings, branch, {branch: (Role.SECTOR_BOARD,)})
    await as_(client, board)
    seen = (await client.get(f"/api/v1/sector/{branch.slug}/releases")).json()
    assert [r["population"] for r in seen] == ["complaints"] and seen[0]["cells"] == release["cells"]
    page = await client.get(f"/app/t/{branch.slug}/sector", headers=HTML)
    assert "Adviezen van de klachtencommissie naar uitkomst en grootte van de organisatie" in page.text
    assert "deels gegrond" in page.text and "adviezen over klachten" in page.text
    english = await client.get(f"/app/t/{branch.slug}/sector?lang=en", headers=HTML)
    assert "The complaints committee&#39;s advice by outcome and kind of behaviour" in english.text


async def test_the_board_routes_stay_closed_to_members_and_other_branches_with_complaints_and_rates(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    branch = await make_tenant()
    member = await make_tenant(branch=branch)
    other = await make_tenant()
    await with_history(app_engine, branch)
    made = await build_for(settings, branch.slug, QUARTERS[0])
    assert "complaints" in {population for population, _, _ in made}
    member_admin = await person(app_engine, settings, member, {member: (Role.TENANT_ADMIN, Role.DECISION_MAKER)})
    await as_(client, member_admin)
    assert (await client.get(f"/api/v1/sector/{branch.slug}/releases")).status_code == 403
    assert (await client.get(f"/app/t/{branch.slug}/sector", headers=HTML)).status_code == 403
    assert (await client.get(f"/api/v1/sector/{member.slug}/releases")).status_code == 403  # no board role
    member_board = await person(app_engine, settings, member, {member: (Role.SECTOR_BOARD,)})
    await as_(client, member_board)
    assert (await client.get(f"/api/v1/sector/{member.slug}/releases")).status_code == 404  # not a branch
    assert (await client.get(f"/app/t/{member.slug}/sector", headers=HTML)).status_code == 404
    board = await person(app_engine, settings, other, {other: (Role.SECTOR_BOARD,)})
    await as_(client, board)
    assert (await client.get(f"/api/v1/sector/{branch.slug}/releases")).status_code == 403  # not its branch
    assert (await client.get(f"/app/t/{branch.slug}/sector", headers=HTML)).status_code == 403
    assert (await client.get(f"/api/v1/sector/{other.slug}/releases")).json() == []
