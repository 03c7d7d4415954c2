"""What the reporter can still decide in the inbox: give their name after all, withdraw a complaint until it
is judged; and the public pages in English."""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.intake.test_attachments import receipt_of
from tests.integration.intake.test_pages import HTML, VALID
from tests.integration.intake.test_reporting_point import as_professional, reporting_point

COMPLAINT = {
    **VALID,
    "kind": "complaint",
    "anonymity": "confidential",
    "name": "Eva de Vries",
    "contact": "06-12345678",
}


async def _status(engine: AsyncEngine, tenant_id: object) -> list[tuple[str, str]]:
    async with engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant_id}}}'"))
        rows = await connection.execute(text("SELECT kind, status FROM cases ORDER BY created_at"))
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_an_anonymous_reporter_gives_their_name_later(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    receipt = receipt_of(await client.post(f"/m/{tenant.slug}/melden", data=VALID, headers=HTML))
    opened = await client.post(f"/m/{tenant.slug}/inbox", data={"receipt": receipt}, headers=HTML)
    assert "Uw naam toch doorgeven" in opened.text
    empty = await client.post(
        f"/m/{tenant.slug}/inbox/naam", data={"receipt": receipt, "name": "Piet", "contact": ""}, headers=HTML
    )
    assert empty.status_code == 400 and "Vul uw naam en hoe we u kunnen bereiken in" in empty.text
    assert 'value="Piet"' in empty.text
    named = await client.post(
        f"/m/{tenant.slug}/inbox/naam",
        data={"receipt": receipt, "name": "Piet Jansen", "contact": "piet@example.nl"},
        headers=HTML,
    )
    assert named.status_code == 200 and "Uw naam is doorgegeven." in named.text
    assert "Het meldpunt kent uw naam: Piet Jansen." in named.text and "Uw naam toch doorgeven" not in named.text
    again = await client.post(
        f"/api/v1/public/{tenant.slug}/inbox/identity",
        json={"receipt": receipt, "identity": {"name": "Iemand Anders", "contact": "x@example.nl"}},
    )
    assert again.status_code == 409
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant))
    case_id = (await client.get("/api/v1/submissions")).json()[0]["id"]
    detail = (await client.get(f"/api/v1/t/{tenant.slug}/submissions/{case_id}")).json()
    assert detail["anonymity"] == "confidential"
    assert detail["identity"] == {"name": "Piet Jansen", "contact": "piet@example.nl"}
    page = await client.get(f"/app/t/{tenant.slug}/meldingen/{case_id}", headers=HTML)
    assert "Piet Jansen" in page.text
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        stored = (await connection.execute(text("SELECT sealed_identity FROM cases"))).scalar()
        revealed = (
            await connection.execute(text("SELECT count(*) FROM audit_entries WHERE action = 'case.identity_revealed'"))
        ).scalar()
    assert stored is not None and b"Piet Jansen" not in stored and revealed == 1


async def test_a_complaint_is_withdrawn_until_it_is_judged(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine
) -> None:
    tenant = await make_tenant()
    receipt = receipt_of(await client.post(f"/m/{tenant.slug}/melden", data=COMPLAINT, headers=HTML))
    opened = await client.post(f"/m/{tenant.slug}/inbox", data={"receipt": receipt}, headers=HTML)
    assert "Klacht intrekken" in opened.text and "Uw naam toch doorgeven" not in opened.text
    unconfirmed = await client.post(f"/m/{tenant.slug}/inbox/intrekken", data={"receipt": receipt}, headers=HTML)
    assert unconfirmed.status_code == 400 and "Vink eerst aan" in unconfirmed.text
    assert await _status(app_engine, tenant.id) == [("complaint", "received")]
    done = await client.post(
        f"/m/{tenant.slug}/inbox/intrekken", data={"receipt": receipt, "confirm": "yes"}, headers=HTML
    )
    assert (
        done.status_code == 200
        and "Uw klacht is ingetrokken." in done.text
        and "Status: <strong>ingetrokken" in done.text
    )
    assert await _status(app_engine, tenant.id) == [("complaint", "withdrawn")]
    twice = await client.post(f"/api/v1/public/{tenant.slug}/inbox/withdrawal", json={"receipt": receipt})
    assert twice.status_code == 409 and "al ingetrokken" in twice.json()["detail"]

    judged_receipt = receipt_of(await client.post(f"/m/{tenant.slug}/melden", data=COMPLAINT, headers=HTML))
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        await connection.execute(
            text("UPDATE cases SET status = 'judged' WHERE tenant_id = :t AND status = 'received'"), {"t": tenant.id}
        )
    late = await client.post(f"/api/v1/public/{tenant.slug}/inbox/withdrawal", json={"receipt": judged_receipt})
    assert late.status_code == 409 and "al een oordeel" in late.json()["detail"]
    page = await client.post(f"/m/{tenant.slug}/inbox", data={"receipt": judged_receipt}, headers=HTML)
    assert "Klacht intrekken" not in page.text

    report_receipt = receipt_of(await client.post(f"/m/{tenant.slug}/melden", data=VALID, headers=HTML))
    report = await client.post(f"/api/v1/public/{tenant.slug}/inbox/withdrawal", json={"receipt": report_receipt})
    assert report.status_code == 409 and "Alleen een klacht" in report.json()["detail"]


async def test_the_public_pages_speak_english_on_request_and_keep_it_in_every_address(
    client, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    form = await client.get(f"/m/{tenant.slug}/melden?lang=en", headers=HTML)
    assert form.status_code == 200 and '<html lang="en">' in form.text
    assert "What happened?" in form.text and "Wat is er gebeurd?" not in form.text
    assert f'action="/m/{tenant.slug}/melden?lang=en"' in form.text
    wrong = await client.post(f"/m/{tenant.slug}/melden?lang=en", data={**VALID, "kind": "complaint"}, headers=HTML)
    assert wrong.status_code == 400 and "A complaint is filed with your name" in wrong.text
    missing = await client.post(f"/m/{tenant.slug}/melden?lang=en", data={**VALID, "category": ""}, headers=HTML)
    assert "Please choose an answer to this question." in missing.text
    done = await client.post(f"/m/{tenant.slug}/melden?lang=en", data=VALID, headers=HTML)
    assert "Thank you. Your report has been received." in done.text
    assert f'href="/m/{tenant.slug}/inbox?lang=en"' in done.text
    inbox = await client.post(f"/m/{tenant.slug}/inbox?lang=en", data={"receipt": receipt_of(done)}, headers=HTML)
    assert "Your messages" in inbox.text and "received: the reporting point is looking at it" in inbox.text
    assert re.search(r'action="/m/[^"]+/inbox/bericht\?lang=en"', inbox.text)
    bad = await client.post(f"/m/{tenant.slug}/inbox?lang=en", data={"receipt": "1234"}, headers=HTML)
    assert bad.status_code == 401 and "We do not know this code" in bad.text
    home = await client.get(f"/m/{tenant.slug}/?lang=en", headers=HTML)
    assert '<html lang="en">' in home.text and "What can you do?" in home.text
    dutch = await client.get(f"/m/{tenant.slug}/", headers=HTML)
    assert '<html lang="nl">' in dutch.text and "Wat kunt u doen?" in dutch.text


async def test_something_new_from_the_reporter_tells_the_reporting_point_once_a_day(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    await reporting_point(app_engine, settings, tenant, tenant)
    receipt = receipt_of(await client.post(f"/m/{tenant.slug}/melden", data=VALID, headers=HTML))
    for words in ("Eén ding nog.", "En nog iets."):
        await client.post(f"/m/{tenant.slug}/inbox/bericht", data={"receipt": receipt, "text": words}, headers=HTML)
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        kinds = (await connection.execute(text("SELECT kind FROM notifications ORDER BY created_at"))).scalars().all()
    assert list(kinds) == ["intake.new_submission", "intake.update"]
