"""Releases of sector trends: built and audited from the facts, published with four eyes and immutable, read by
the sector board cell by cell with the small cells hidden; the ledger of earlier releases protects the next
one; a member, another branch and a board member on a member route get nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.identity.roles import Role
from meldpunt.jobs.runtime import JobRuntime, install_runtime
from meldpunt.jobs.scheduler import schedule_table
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from meldpunt.trends import releases
from meldpunt.trends.facts import quarter_of
from meldpunt.trends.jobs import release_last_quarter
from meldpunt.trends.models import TrendFact
from meldpunt.trends.releases import build_for
from meldpunt.trends.synthetic import past_quarters, synthetic_facts, synthetic_members
from tests.conftest import MakeTenant, TenantRef
from tests.integration.cases.test_case_handling import as_, person

HTML = {"Accept": "text/html"}
QUARTERS = past_quarters(quarter_of(datetime.now(UTC)), 2)


async def with_history(app_engine: AsyncEngine, branch: TenantRef, per_quarter: int = 60) -> None:
    members = synthetic_members(branch.id, 12, "88")
    rows = list(synthetic_facts(branch.id, members, QUARTERS, per_quarter))
    async with create_sessionmaker(app_engine)() as session, session.begin():
        await tenant_context(session, [branch.id])
        await session.execute(insert(TrendFact).values(rows))


def api(branch: TenantRef) -> str:
    return f"/api/v1/t/{branch.slug}/trends/releases"


async def admins(app_engine: AsyncEngine, settings: Settings, branch: TenantRef) -> tuple[Any, Any]:
    first = await person(app_engine, settings, branch, {branch: (Role.TENANT_ADMIN,)})
    second = await person(app_engine, settings, branch, {branch: (Role.TENANT_ADMIN,)})
    return first, second


async def published(client: Any, first: Any, second: Any, branch: TenantRef, period: str) -> dict[str, Any]:
    await as_(client, first)
    built = await client.post(f"{api(branch)}/", json={"population": "registered", "period": period})
    assert built.status_code == 201, built.text
    release = built.json()
    assert release["status"] == "audited" and release["audit_passed"] is True
    assert (await client.post(f"{api(branch)}/{release['id']}/request")).status_code == 201
    await as_(client, second)
    approved = await client.post(f"{api(branch)}/{release['id']}/approval")
    assert approved.status_code == 201, approved.text
    return dict(approved.json())


async def test_a_release_is_audited_published_with_four_eyes_and_read_by_the_board_with_small_cells_hidden(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    branch = await make_tenant()
    await with_history(app_engine, branch)
    first, second = await admins(app_engine, settings, branch)
    await as_(client, first)
    built = await client.post(f"{api(branch)}/", json={"population": "registered", "period": QUARTERS[0]})
    assert built.status_code == 201, built.text
    release = built.json()
    assert release["status"] == "audited" and release["hidden_cells"] > 0
    values = [cell["value"] for cell in release["cells"]]
    assert any(v is None for v in values) and any(v is not None and v >= 5 for v in values)
    assert all(v is None or v == 0 or v >= 5 for v in values)  # nothing below k is shown
    again = await client.post(f"{api(branch)}/", json={"population": "registered", "period": QUARTERS[0]})
    assert again.status_code == 409 and again.json()["type"].endswith("/release-refused")  # no revisions
    now = quarter_of(datetime.now(UTC))
    early = await client.post(f"{api(branch)}/", json={"population": "registered", "period": now})
    assert early.status_code == 409 and "afgelopen" in early.json()["detail"]
    for odd in ("2026-Q5", "0001", "1-Q1", "2026Q1", "", "２０２５", "2019"):
        refused = await client.post(f"{api(branch)}/", json={"population": "registered", "period": odd})
        assert refused.status_code == 409 and "kwartaal" in refused.json()["detail"], odd
    empty = await make_tenant()  # a branch without any fact: every cell 0, nothing to hide, publishable
    empty_admin = await person(app_engine, settings, empty, {empty: (Role.TENANT_ADMIN,)})
    await as_(client, empty_admin)
    nothing = await client.post(f"{api(empty)}/", json={"population": "decided", "period": QUARTERS[0]})
    assert nothing.status_code == 201 and nothing.json()["status"] == "audited"
    assert {cell["value"] for cell in nothing.json()["cells"]} == {0}
    await as_(client, first)

    assert (await client.post(f"{api(branch)}/{release['id']}/approval")).status_code == 409  # not asked yet
    assert (await client.post(f"{api(branch)}/{release['id']}/request")).status_code == 201
    own = await client.post(f"{api(branch)}/{release['id']}/approval")
    assert own.status_code == 409 and "andere" in own.json()["detail"]  # four eyes: not the one who asked
    await as_(client, second)
    approved = await client.post(f"{api(branch)}/{release['id']}/approval")
    assert approved.status_code == 201 and approved.json()["status"] == "published"

    board = await person(app_engine, settings, branch, {branch: (Role.SECTOR_BOARD,)})
    await as_(client, board)
    seen = await client.get(f"/api/v1/sector/{branch.slug}/releases")
    assert seen.status_code == 200 and [r["period"] for r in seen.json()] == [QUARTERS[0]]
    assert seen.json()[0]["cells"] == approved.json()["cells"]
    assert "audit" not in seen.text and "syn" not in seen.text  # no audit values, no member keys
    assert (await client.get(api(branch))).status_code == 403  # the board does not manage releases

    async with app_engine.begin() as connection:  # published cells are immutable, even for the app's own role
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{branch.id}}}'"))
        with pytest.raises(DBAPIError, match="immutable"):
            await connection.execute(text("UPDATE trend_releases SET cells = '[]'::jsonb"))


async def test_the_next_release_and_the_year_are_protected_against_everything_published_before(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    branch = await make_tenant()
    await with_history(app_engine, branch, per_quarter=40)
    first, second = await admins(app_engine, settings, branch)
    one = await published(client, first, second, branch, QUARTERS[0])
    two = await published(client, first, second, branch, QUARTERS[1])
    # What the two quarters show, added up, never pins a cell of either quarter hidden in the other.
    shown = {(c["table"], tuple(sorted(c["cell"].items()))): c["value"] for c in one["cells"]}
    for cell in two["cells"]:
        key = (cell["table"], tuple(sorted(cell["cell"].items())))
        assert key in shown  # the same tables, the same cells: the ledger links them
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [branch.id])
        audits = (await session.execute(text("SELECT audit FROM trend_releases ORDER BY built_at"))).scalars().all()
    assert all(audit["passed"] for audit in audits) and audits[1]["cells"]


async def test_members_other_branches_and_boards_on_member_routes_get_nothing(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    branch = await make_tenant()
    member = await make_tenant(branch=branch)
    other = await make_tenant()
    await with_history(app_engine, branch)
    first, second = await admins(app_engine, settings, branch)
    release = await published(client, first, second, branch, QUARTERS[0])
    member_admin = await person(app_engine, settings, member, {member: (Role.TENANT_ADMIN, Role.SECTOR_BOARD)})
    await as_(client, member_admin)
    assert (await client.get(f"/api/v1/sector/{member.slug}/releases")).status_code == 404  # not a branch
    assert (await client.get(f"/api/v1/sector/{branch.slug}/releases")).status_code == 403
    built = await client.post(
        f"/api/v1/t/{member.slug}/trends/releases/", json={"population": "registered", "period": QUARTERS[0]}
    )
    assert built.status_code == 404
    board = await person(app_engine, settings, branch, {branch: (Role.SECTOR_BOARD,)})
    await as_(client, board)
    assert (await client.get(f"/api/v1/sector/{other.slug}/releases")).status_code == 403
    assert (await client.get(f"/api/v1/t/{member.slug}/signals")).status_code == 403  # no member route
    outsider = await person(app_engine, settings, other, {other: (Role.TENANT_ADMIN,)})
    await as_(client, outsider)
    foreign = await client.post(f"/api/v1/t/{other.slug}/trends/releases/{release['id']}/request")
    assert foreign.status_code == 404  # another branch's release is as missing as a random id
    assert (await client.post(f"/api/v1/t/{other.slug}/trends/releases/{uuid.uuid4()}/request")).status_code == 404


async def test_the_cli_and_the_scheduled_job_build_what_is_missing_and_never_publish(
    make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    assert "trends.release" in {entry.job_name for entry in schedule_table(settings)}
    branch = await make_tenant()
    await with_history(app_engine, branch)
    made = await build_for(settings, branch.slug, QUARTERS[0])
    assert sorted(population for population, _, _ in made) == ["complaints", "decided", "registered"]
    assert all(status in ("audited", "refused") for _, status, _ in made)
    assert await build_for(settings, branch.slug, QUARTERS[0]) == []  # once
    with pytest.raises(LookupError):
        await build_for(settings, "geen-branche", QUARTERS[0])
    runtime = JobRuntime(settings)
    install_runtime(runtime)
    try:
        await release_last_quarter()
        await release_last_quarter()
    finally:
        install_runtime(None)
        await runtime.close()
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{branch.id}}}'"))
        rows = (await connection.execute(text("SELECT period, status FROM trend_releases ORDER BY 1, 2"))).all()
    periods = [row.period for row in rows]
    assert periods.count(QUARTERS[1]) == 3 and periods.count(QUARTERS[0]) == 3  # each population, once
    assert "published" not in {row.status for row in rows}


async def test_the_board_reads_the_published_tables_on_its_page_with_hidden_cells_marked(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    branch = await make_tenant()
    await with_history(app_engine, branch)
    first, second = await admins(app_engine, settings, branch)
    release = await published(client, first, second, branch, QUARTERS[0])
    board = await person(app_engine, settings, branch, {branch: (Role.SECTOR_BOARD,)})
    await as_(client, board)
    start = await client.get(f"/app/t/{branch.slug}", headers=HTML)
    assert f"/app/t/{branch.slug}/sector" in start.text
    page = await client.get(f"/app/t/{branch.slug}/sector", headers=HTML)
    assert page.status_code == 200 and QUARTERS[0] in page.text
    assert "Meldingen naar soort gedrag en grootte van de organisatie" in page.text
    hidden = sum(1 for cell in release["cells"] if cell["value"] is None)
    grand = next(c for c in release["cells"] if c["table"] == "category_by_size" and set(c["cell"].values()) == {"*"})
    quarters_hidden = 1 if grand["value"] is None else 0  # the reports per quarter repeat the grand total
    kinds_hidden = sum(  # and the kinds of behaviour per quarter repeat its category margins
        1
        for c in release["cells"]
        if c["table"] == "category_by_size" and c["cell"]["size"] == "*" and c["cell"]["category"] != "*"
        if c["value"] is None
    )
    assert page.text.count('title="Verborgen"') == hidden + quarters_hidden + kinds_hidden  # each marked, no other
    assert "syn" not in page.text
    english = await client.get(f"/app/t/{branch.slug}/sector?lang=en", headers=HTML)
    assert "Reports by kind of behaviour and where it happened" in english.text


async def test_two_builds_of_one_period_at_once_make_one_release_and_refuse_the_other(
    make_tenant: MakeTenant, app_engine: AsyncEngine
) -> None:
    branch_ref = await make_tenant()
    await with_history(app_engine, branch_ref)

    async def build_once() -> str:
        async with create_sessionmaker(app_engine)() as session, session.begin():
            await tenant_context(session, [branch_ref.id])
            branch = await session.get(Tenant, branch_ref.id)
            assert branch is not None
            try:
                await releases.build(session, branch, QUARTERS[0], "registered", datetime.now(UTC))
            except releases.ReleaseRefused as refused:
                return refused.reason
            return "built"

    assert sorted(await asyncio.gather(build_once(), build_once())) == ["built", "exists"]
