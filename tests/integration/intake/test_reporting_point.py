"""The reporting point's side: list what arrived across its tenants, open one (audited), answer the reporter."""

from __future__ import annotations

import uuid
from typing import Any

import redis.asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.audit.services import AuditActor
from meldpunt.db.engine import create_sessionmaker
from meldpunt.identity import services as identity
from meldpunt.identity.roles import Role
from meldpunt.identity.sessions import SESSION_COOKIE, SessionStore
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from tests.conftest import MakeTenant, TenantRef
from tests.integration.intake.test_submissions import NARRATIVE, submit


async def reporting_point(
    app_engine: AsyncEngine, settings: Settings, home: TenantRef, *serves: TenantRef, role: Role = Role.REPORTING_POINT
) -> str:
    """A professional of ``home`` holding ``role`` in ``serves``; returns a live session token."""
    async with create_sessionmaker(app_engine)() as session:
        home_tenant = await session.get(Tenant, home.id)
        assert home_tenant is not None
        account = await identity.find_or_create_account(
            session, home_tenant, "https://idp.test", str(uuid.uuid4()), {"name": "Meldpunt"}
        )
        for served in serves:
            where = await session.get(Tenant, served.id)
            assert where is not None
            await identity.grant_role(session, AuditActor.system("test"), where, account, role, "admin")
        await session.commit()
        ids = account.tenant_id, account.id
    redis = aioredis.Redis.from_url(settings.redis_url)
    try:
        return await SessionStore(redis, settings).create(*ids)
    finally:
        await redis.aclose()


async def as_professional(client: Any, token: str) -> None:
    client.cookies.set(SESSION_COOKIE, token)
    await client.get("/api/v1/me")
    client.headers["x-csrf-token"] = client.cookies.get("mp_csrf")


async def test_the_reporting_point_sees_arrivals_of_its_tenants_without_content(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    branch = await make_tenant()
    a, b, other = [await make_tenant(branch=branch) for _ in range(3)]
    for tenant in (a, b, other):
        assert (await submit(client, tenant.slug)).status_code == 201
    await as_professional(client, await reporting_point(app_engine, settings, branch, a, b))
    listed = (await client.get("/api/v1/submissions")).json()
    assert sorted(item["tenant"] for item in listed) == sorted([a.slug, b.slug])
    assert all(item["acknowledged"] is False and item["acknowledge_by"] for item in listed)
    assert "marker-7b2f0a" not in str(listed) and "narrative" not in str(listed)


async def test_opening_a_submission_shows_what_was_written_and_is_audited(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    await submit(client, tenant.slug)
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant))
    case_id = (await client.get("/api/v1/submissions")).json()[0]["id"]
    opened = await client.get(f"/api/v1/t/{tenant.slug}/submissions/{case_id}")
    assert opened.status_code == 200 and opened.json()["narrative"] == NARRATIVE
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        last = (
            await connection.execute(text("SELECT action, resource_id FROM audit_entries ORDER BY seq DESC LIMIT 1"))
        ).one()
    assert tuple(last) == ("case.read", case_id)


async def test_an_answer_reaches_the_reporters_inbox_and_acknowledges_receipt(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    receipt = (await submit(client, tenant.slug)).json()["receipt"]
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant))
    case_id = (await client.get("/api/v1/submissions")).json()[0]["id"]
    answered = await client.post(
        f"/api/v1/t/{tenant.slug}/submissions/{case_id}/messages",
        json={"text": "Dank voor uw melding. Wilt u een gesprek met een vertrouwenspersoon?"},
    )
    assert answered.status_code == 201, answered.text
    assert (await client.get("/api/v1/submissions")).json()[0]["acknowledged"] is True
    client.cookies.clear()
    inbox = (await client.post(f"/api/v1/public/{tenant.slug}/inbox", json={"receipt": receipt})).json()
    assert [(m["from_reporter"], m["text"][:19]) for m in inbox["messages"]] == [(False, "Dank voor uw meldin")]


async def test_a_fully_anonymous_report_cannot_be_answered(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    await submit(client, tenant.slug, anonymity="anonymous")
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant))
    case_id = (await client.get("/api/v1/submissions")).json()[0]["id"]
    refused = await client.post(f"/api/v1/t/{tenant.slug}/submissions/{case_id}/messages", json={"text": "Hallo"})
    assert refused.status_code == 409 and refused.json()["type"].endswith("/no-channel-back")


async def test_a_professional_of_a_sees_nothing_of_b(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    a, b = await make_tenant(), await make_tenant()
    await submit(client, b.slug)
    await as_professional(client, await reporting_point(app_engine, settings, b, b))
    b_case = (await client.get("/api/v1/submissions")).json()[0]["id"]
    await as_professional(client, await reporting_point(app_engine, settings, a, a))
    assert (await client.get("/api/v1/submissions")).json() == []
    for method, path in (
        ("GET", f"/api/v1/t/{b.slug}/submissions/{b_case}"),
        ("POST", f"/api/v1/t/{b.slug}/submissions/{b_case}/messages"),
        ("GET", f"/api/v1/t/{a.slug}/submissions/{b_case}"),
        ("POST", f"/api/v1/t/{a.slug}/submissions/{b_case}/messages"),
    ):
        response = await client.request(method, path, json={"text": "x"} if method == "POST" else None)
        assert response.status_code in (403, 404), (method, path, response.status_code)
        assert "marker-7b2f0a" not in response.text


async def test_an_adviser_is_not_the_reporting_point(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    await submit(client, tenant.slug)
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.ADVISER))
    assert (await client.get("/api/v1/submissions")).json() == []


async def test_the_reporting_point_answers_from_its_pages(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    import re

    tenant = await make_tenant()
    receipt = (await submit(client, tenant.slug)).json()["receipt"]
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant))
    html = {"accept": "text/html"}
    shell = await client.get(f"/app/t/{tenant.slug}", headers=html)
    assert f'href="/app/t/{tenant.slug}/meldingen"' in shell.text
    listing = await client.get(f"/app/t/{tenant.slug}/meldingen", headers=html)
    assert listing.status_code == 200 and "Seksueel grensoverschrijdend gedrag" in listing.text
    assert "marker-7b2f0a" not in listing.text
    link = re.search(rf'href="(/app/t/{tenant.slug}/meldingen/[0-9a-f-]+)"', listing.text).group(1)  # type: ignore[union-attr]
    detail = await client.get(link, headers=html)
    assert detail.status_code == 200 and "marker-7b2f0a" in detail.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', detail.text).group(1)  # type: ignore[union-attr]
    sent = await client.post(
        f"{link}/bericht", data={"_csrf_token": token, "text": "We nemen contact op."}, headers=html
    )
    assert sent.status_code == 200 and "We nemen contact op." in sent.text  # back on the case, answer shown
    client.cookies.clear()
    inbox = (await client.post(f"/api/v1/public/{tenant.slug}/inbox", json={"receipt": receipt})).json()
    assert [m["text"] for m in inbox["messages"]] == ["We nemen contact op."]


async def test_no_reporting_point_page_of_b_opens_for_a_and_a_receipt_of_a_opens_nothing_at_b(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    a, b = await make_tenant(), await make_tenant()
    receipt_a = (await submit(client, a.slug)).json()["receipt"]
    await submit(client, b.slug)
    html = {"accept": "text/html"}
    wrong_place = await client.post(f"/m/{b.slug}/inbox", data={"receipt": receipt_a}, headers=html)
    assert wrong_place.status_code == 401 and "marker-7b2f0a" not in wrong_place.text
    await as_professional(client, await reporting_point(app_engine, settings, b, b))
    b_case = (await client.get("/api/v1/submissions")).json()[0]["id"]
    await as_professional(client, await reporting_point(app_engine, settings, a, a))
    for path in (
        f"/app/t/{b.slug}/meldingen",
        f"/app/t/{b.slug}/meldingen/{b_case}",
        f"/app/t/{a.slug}/meldingen/{b_case}",
    ):
        response = await client.get(path, headers=html)
        assert response.status_code in (403, 404), path
        assert "marker-7b2f0a" not in response.text


async def test_the_arrival_email_names_no_content(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, smtp
) -> None:
    from email import message_from_bytes

    from msgspec.structs import replace

    from meldpunt.notifications.services import send_pending

    smtp_url, inbox = smtp
    tenant = await make_tenant()
    address = f"meldpunt-{uuid.uuid4().hex[:8]}@org.test"
    async with create_sessionmaker(app_engine)() as session:
        home = await session.get(Tenant, tenant.id)
        assert home is not None
        account = await identity.find_or_create_account(
            session, home, "https://idp.test", str(uuid.uuid4()), {"name": "Meldpunt", "email": address}
        )
        await identity.grant_role(session, AuditActor.system("test"), home, account, Role.REPORTING_POINT, "admin")
        await session.commit()
    assert (await submit(client, tenant.slug)).status_code == 201
    await send_pending(create_sessionmaker(app_engine), replace(settings, smtp_url=smtp_url))
    mine = [raw for recipients, raw in inbox.messages if recipients == [address]]
    assert len(mine) == 1
    message = message_from_bytes(mine[0])
    readable = (message["Subject"] + message.get_payload(decode=True).decode()).lower()  # type: ignore[union-attr]
    assert "er is iets binnengekomen" in readable
    for secret in ("marker-7b2f0a", "leidinggevende", "kerstborrel", "seksueel", "sexual_harassment", "melder"):
        assert secret not in readable
