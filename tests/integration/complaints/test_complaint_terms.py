"""The complaint track's terms and what outlives it: reminders go to the secretary and a breach to the
complaint's process guardian (never to the tenant's role holders); an extension needs a reason; the counts of
the committee's annual report; and the purge destroys a closed complaint's rows with its case."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.cases.deadlines import sweep_tenant
from meldpunt.complaints import services
from meldpunt.complaints.errors import ComplaintRefused
from meldpunt.complaints.schemas import RegisterIn
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.keys import Keyring, LocalRootKey
from meldpunt.dossiers.storage import create_object_store
from meldpunt.identity.models import AccountRef
from meldpunt.retention.services import EffectiveRule, purge_tenant, sync_policies
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import as_
from tests.integration.cases.test_outcome import sql
from tests.integration.complaints.conftest import TODAY, committee, post, registered, routed_complaint

TABLES = ("complaints", "complaint_seats", "complaint_records", "documents", "deadlines")


async def _sweep(engine: AsyncEngine, tenant_id: Any) -> tuple[int, int]:
    async with create_sessionmaker(engine)() as session:
        counts = await sweep_tenant(session, tenant_id, datetime.now(UTC))
        await session.commit()
        return counts


async def test_a_reminder_goes_to_the_secretary_and_a_breach_to_the_complaints_guardian(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    case, url = await registered(client, c, app_engine)
    soon = "now() + interval '3 days' - interval '1 hour'"
    await sql(app_engine, c.member, f"UPDATE deadlines SET due_at = {soon} WHERE kind = 'complaint_admissibility'")
    await _sweep(app_engine, c.member.id)
    await sql(
        app_engine, c.member, "UPDATE deadlines SET due_at = now() - interval '1 hour' WHERE kind = 'committee_advice'"
    )
    await _sweep(app_engine, c.member.id)
    told = await sql(
        app_engine,
        c.member,
        "SELECT kind, account_id FROM notifications WHERE kind LIKE 'case.deadline%' ORDER BY kind",
    )
    assert [(row.kind, row.account_id) for row in told] == [
        ("case.deadline_breach", c.guardian.account_id),
        ("case.deadline_reminder", c.secretary.account_id),
    ]

    await as_(client, c.chair)
    no_reason = await client.post(f"{url}/extensions", json={"term": "committee_advice", "days": 14, "reason": ""})
    assert no_reason.status_code == 400
    extended = await post(
        client, c.chair, f"{url}/extensions", {"term": "committee_advice", "days": 14, "reason": "Getuige ziek."}
    )
    assert extended["facts"]["extensions"] == 1
    advice = next(d for d in extended["deadlines"] if d["kind"] == "committee_advice")
    assert advice["breached"] is False
    assert "Getuige" not in str(extended["facts"])
    closed = await client.post(f"{url}/extensions", json={"term": "complaint_defence", "days": 7, "reason": "Ziek."})
    assert closed.status_code == 409  # no such term runs now
    del case


async def test_the_annual_counts_say_numbers_only(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    _, first = await registered(client, c, app_engine)
    _, second = await registered(client, c, app_engine)
    await post(client, c.chair, f"{first}/admissibility", {"admissible": False, "reason": "anonymous"})
    await post(client, c.chair, f"{second}/admissibility", {"admissible": True})
    await post(client, c.secretary, f"{second}/withdrawal", {"withdrawn_on": TODAY, "in_writing": True})
    await as_(client, c.chair)
    counts = (await client.get(f"/api/v1/t/{c.slug}/complaints/counts?year={date.today().year}")).json()
    assert counts["received"] == 2 and counts["admissible"] == 1 and counts["withdrawn"] == 1
    assert counts["inadmissible"] == {"anonymous": 1}
    assert counts["terms_kept"] >= 4 and counts["terms_late"] == 0
    assert (await client.get(f"/api/v1/t/{c.slug}/complaints/counts?year=1999")).status_code == 400
    await as_(client, c.members[0])
    assert (await client.get(f"/api/v1/t/{c.slug}/complaints/counts?year=2026")).status_code == 403


async def test_the_purge_destroys_a_closed_complaint_with_its_case(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    case, url = await registered(client, c, app_engine)
    await post(client, c.chair, f"{url}/admissibility", {"admissible": True})
    await post(client, c.secretary, f"{url}/records", {"kind": "defence", "text": "Mijn verweer."})
    await post(client, c.secretary, f"{url}/withdrawal", {"withdrawn_on": TODAY, "in_writing": True})
    await sql(app_engine, c.member, "UPDATE deadlines SET met_at = now() WHERE kind = 'inform_accused'")
    await post(client, c.secretary, f"{url}/closure", {"reason": "Ingetrokken door de klager."})
    keyring = Keyring(LocalRootKey(Path(settings.root_key_file or "")))
    sessionmaker = create_sessionmaker(app_engine)
    async with sessionmaker() as session:
        await tenant_context(session, [c.member.id])
        await sync_policies(session, c.member.id, [EffectiveRule("complaint_dossier", "case_closed", 1, False)])
        await session.commit()
    await sql(
        app_engine,
        c.member,
        "UPDATE case_events SET occurred_at = now() - interval '3 days' WHERE case_id = :c",
        c=case,
    )
    before = await sql(app_engine, c.member, "SELECT count(*) AS n FROM complaint_records WHERE case_id = :c", c=case)
    assert before[0].n == 1
    await purge_tenant(sessionmaker, keyring, create_object_store(settings), c.member.id, datetime.now(UTC))
    left = {
        table: (await sql(app_engine, c.member, f"SELECT count(*) AS n FROM {table} WHERE case_id = :c", c=case))[0].n
        for table in TABLES
    }
    assert left == dict.fromkeys(TABLES, 0)


async def test_two_registrations_of_one_complaint_at_once_make_one_and_refuse_the_other(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    case = await routed_complaint(client, c, app_engine)
    keyring = Keyring(LocalRootKey(Path(settings.root_key_file or "")))
    who = AccountRef(c.secretary.account_tenant_id, c.secretary.account_id)
    data = RegisterIn(case_id=uuid.UUID(case), informal="considered", employer="branch")

    async def register() -> str:
        async with create_sessionmaker(app_engine)() as session:
            await tenant_context(session, [c.member.id, c.branch.id])
            tenant = await session.get(Tenant, c.member.id)
            assert tenant is not None
            try:
                await services.register(services.At(session, keyring, who, tenant), data)
                await session.commit()
                return "made"
            except ComplaintRefused as refused:
                return refused.reason

    outcomes = sorted(await asyncio.gather(register(), register()))
    assert outcomes == ["already-registered", "made"]
    assert (await sql(app_engine, c.member, "SELECT count(*) AS n FROM complaints"))[0].n == 1
