"""The facts of sector trends (DESIGN §10): each milestone a case reaches is written once, in the branch's
tenant, with closed codes only; the panel's context tags go with it; the sweep runs as a scheduled job, twice
or two at once without writing anything twice; a member cannot read the facts."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.jobs.runtime import JobRuntime, install_runtime
from meldpunt.jobs.scheduler import schedule_table
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from meldpunt.trends.facts import write_facts
from meldpunt.trends.jobs import fact_secret, sweep_facts
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import Cast, as_, cast
from tests.integration.cases.test_outcome import REASONS, api, decided, sql
from tests.integration.cases.test_routes import HTML
from tests.integration.complaints.conftest import NOT_LINKED, committee, post, registered, seat_of
from tests.integration.complaints.test_complaint_track import TODAY, _heard

TAGS = {
    "structural_risks": ["power_and_hierarchy", "lack_of_time"],
    "context_factors": ["form_verbal", "repeated_reports_same_person"],
    "power_difference": "formal",
    "contract_form": "temporary",
}


async def sweep(app_engine: AsyncEngine, c: Cast) -> int:
    async with create_sessionmaker(app_engine)() as session, session.begin():
        await tenant_context(session, [c.member.id])
        member = await session.get(Tenant, c.member.id)
        assert member is not None
        return await write_facts(session, b"test-secret", member, datetime.now(UTC))


async def facts(app_engine: AsyncEngine, c: Cast) -> list[Any]:
    return await sql(
        app_engine, c.branch, "SELECT milestone, dimensions, risk_factors, size_class, quarter FROM trend_facts"
    )


async def test_each_milestone_is_written_once_in_the_branch_with_codes_only(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, _ = await decided(client, c, app_engine)
    await as_(client, c.decider)
    tagged = await client.put(f"{api(c, case)}/context", json=TAGS)
    assert tagged.status_code == 200 and tagged.json()["power_difference"] == "formal"

    assert await sweep(app_engine, c) == 3  # registered, routed, decided (a measure only: no follow-up)
    assert await asyncio.gather(sweep(app_engine, c), sweep(app_engine, c)) == [0, 0]  # twice, and two at once
    written = await facts(app_engine, c)
    assert sorted(f.milestone for f in written) == ["decided", "registered", "routed"]
    decided_fact = next(f for f in written if f.milestone == "decided")
    assert decided_fact.dimensions["finding"] == "well_founded" and decided_fact.dimensions["route"] == "decision_panel"
    assert decided_fact.risk_factors == sorted([*TAGS["structural_risks"], *TAGS["context_factors"]])
    assert decided_fact.quarter.startswith(str(datetime.now(UTC).year)) and decided_fact.size_class
    everything = str(await sql(app_engine, c.branch, "SELECT * FROM trend_facts"))
    for leak in (case, str(c.member.id), c.member.slug, REASONS, "marker-"):
        assert leak not in everything
    assert await sql(app_engine, c.member, "SELECT id FROM trend_facts") == []  # the member reads no facts


async def test_the_tags_are_closed_codes_set_by_the_decision_maker_of_this_case_only(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, _ = await decided(client, c, app_engine)
    await as_(client, c.decider)
    unknown = await client.put(f"{api(c, case)}/context", json={"context_factors": ["the manager Jan"]})
    assert unknown.status_code == 400
    await as_(client, c.expert)
    assert (await client.put(f"{api(c, case)}/context", json=TAGS)).status_code == 403
    await as_(client, c.pooled)  # the process guardian sees the codes (process facts)
    seen = await client.get(f"{api(c, case)}/context")
    assert seen.status_code == 200 and seen.json()["structural_risks"] == []
    other = await cast(app_engine, settings, make_tenant)
    await as_(client, other.decider)
    foreign = f"/api/v1/t/{other.member.slug}/cases/{case}/context"  # this case through another tenant
    assert (await client.put(foreign, json=TAGS)).status_code == 404
    missing = f"/api/v1/t/{other.member.slug}/cases/{uuid.uuid4()}/context"
    assert (await client.get(missing)).status_code == 404
    assert (await client.put(f"{api(c, case)}/context", json=TAGS)).status_code == 403  # not of this tenant


async def test_the_sweep_is_a_scheduled_job_that_writes_each_fact_and_mark_once(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    assert "trends.facts" in {entry.job_name for entry in schedule_table(settings)}
    c = await cast(app_engine, settings, make_tenant)
    case, _ = await decided(client, c, app_engine)
    runtime = JobRuntime(settings)
    install_runtime(runtime)
    try:
        await sweep_facts()
        await sweep_facts()
    finally:
        install_runtime(None)
        await runtime.close()
    assert sorted(f.milestone for f in await facts(app_engine, c)) == ["decided", "registered", "routed"]
    assert fact_secret("a") != fact_secret("b")
    marks = await sql(app_engine, c.member, "SELECT milestone FROM trend_marks WHERE case_id = :c", c=case)
    assert len(marks) == 3


async def test_the_decision_maker_tags_on_the_case_page_and_the_guardian_sees_the_codes(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, _ = await decided(client, c, app_engine)
    await as_(client, c.decider)
    page = f"/app/t/{c.member.slug}/zaken/{case}"
    shown = await client.get(page, headers=HTML)
    assert 'name="structural_risks" value="lack_of_time"' in shown.text
    token = client.cookies.get("mp_csrf") or ""
    form = {"structural_risks": ["lack_of_time", "nature_of_work"], "power_difference": "informal", "contract_form": ""}
    sent = await client.post(
        f"{page}/context", data=form, headers={**HTML, "x-csrf-token": token}, follow_redirects=False
    )
    assert sent.status_code == 303
    bad = await client.post(f"{page}/context", data={"context_factors": "Jan"}, headers={**HTML, "x-csrf-token": token})
    assert bad.status_code == 400 and "Aard van het werk" in bad.text  # refused, the page shows again
    await as_(client, c.pooled)
    seen = await client.get(page, headers=HTML)
    assert "Gebrek aan tijd en prioriteit" in seen.text and "Informeel" in seen.text
    assert 'action="' + f"{page}/context" not in seen.text  # the guardian sees, does not tag


async def test_a_complaint_adds_its_advice_and_the_employers_decision_as_facts(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    _, url = await registered(client, c, app_engine)
    await _heard(client, c, url)
    for party in ("accused", "complainant"):
        await post(client, c.secretary, f"{url}/records", {"kind": "reaction", "party": party, "text": "Akkoord."})
    await post(client, c.chair, f"{url}/advice", {"outcome": "partly", "measures": "Training.", "text": "Deels."})
    await post(client, c.secretary, f"{url}/seats", seat_of(c.decider, "decision_maker", "this_member"))
    await post(client, c.decider, f"{url}/declaration", NOT_LINKED)
    decision = {"outcome": "partly", "follows_advice": True, "measures": "Training.", "measures_due_on": TODAY}
    await post(client, c.decider, f"{url}/decision", decision)
    async with create_sessionmaker(app_engine)() as session, session.begin():
        await tenant_context(session, [c.member.id])
        member = await session.get(Tenant, c.member.id)
        assert member is not None
        await write_facts(session, b"test-secret", member, datetime.now(UTC))
    written = await sql(app_engine, c.branch, "SELECT milestone, dimensions FROM trend_facts")
    by_milestone = {row.milestone: row.dimensions for row in written}
    assert {"registered", "routed", "advised", "decided", "complaint_decided"} <= set(by_milestone)
    assert by_milestone["advised"]["finding"] == by_milestone["complaint_decided"]["finding"] == "partly"
    # the employer's decision is the case's decision: its fact carries the outcome as a case decision's finding
    assert by_milestone["decided"]["finding"] == "partly_well_founded"
    assert by_milestone["decided"]["route"] == "complaints_committee"
    assert by_milestone["advised"]["kind"] == "complaint" and "Training" not in str(written)
    assert len(written) == len(by_milestone)  # each milestone once
    async with create_sessionmaker(app_engine)() as session, session.begin():
        await tenant_context(session, [c.member.id])
        member = await session.get(Tenant, c.member.id)
        assert member is not None
        assert await write_facts(session, b"test-secret", member, datetime.now(UTC)) == 0  # once per milestone
