"""The panel's parties page: a declared decision maker adds the accused (a refusal keeps what was typed),
invites them (link and code shown once), sends the notice and reads it as a printable letter; another
tenant's professional is refused every form."""

from __future__ import annotations

import re
import uuid

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import as_, cast, declared_panel, person
from tests.integration.parties.test_panel_side import _tell_the_reporter

HTML = {"Accept": "text/html"}


async def _form(client, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    page = await client.get(url, headers=HTML)
    token = client.cookies.get("mp_csrf")
    return page, await client.post(url, data=data, headers={**HTML, "x-csrf-token": token or ""})


async def test_the_decision_maker_adds_invites_and_sends_the_notice_as_a_printable_letter(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case = await declared_panel(client, c, app_engine)
    await _tell_the_reporter(client, c, case)
    await as_(client, c.decider)
    page = f"/app/t/{c.member.slug}/zaken/{case}/partijen"
    shown, refused = await _form(client, page, {"role": "accused", "name": "", "contact": "jan@example.test"})
    assert shown.status_code == 200 and "Partij toevoegen" in shown.text
    assert refused.status_code == 400 and 'value="jan@example.test"' in refused.text
    token = client.cookies.get("mp_csrf") or ""
    accused = {"role": "accused", "name": "Jan de Vries"}
    added = await client.post(page, data=accused, headers={**HTML, "x-csrf-token": token}, follow_redirects=False)
    assert added.status_code == 303
    listing = await client.get(page, headers=HTML)
    assert "Jan de Vries" in listing.text and "nog niet uitgenodigd" in listing.text
    party_id = re.search(r"partijen/([0-9a-f-]{36})/uitnodiging", listing.text)
    assert party_id
    invited = await client.post(f"{page}/{party_id.group(1)}/uitnodiging", headers={**HTML, "x-csrf-token": token})
    assert invited.status_code == 200 and "/uitnodiging/" in invited.text and "Eenmalige code" in invited.text
    notice = await client.post(
        f"{page}/{party_id.group(1)}/kennisgeving", headers={**HTML, "x-csrf-token": token}, follow_redirects=False
    )
    assert notice.status_code == 303 and "/brief/" in notice.headers["location"]
    letter = await client.get(notice.headers["location"], headers=HTML)
    assert letter.status_code == 200 and "Beste Jan de Vries" in letter.text


async def test_another_tenants_professional_is_refused_the_parties_page_and_its_forms(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case = await declared_panel(client, c, app_engine)
    other = await make_tenant()
    stranger = await person(app_engine, settings, other, {other: (Role.DECISION_MAKER,)})
    await as_(client, stranger)
    page = f"/app/t/{c.member.slug}/zaken/{case}/partijen"
    await client.get(f"/app/t/{other.slug}", headers=HTML)
    token = client.cookies.get("mp_csrf") or ""
    party = uuid.uuid4()
    assert (await client.get(page, headers=HTML)).status_code == 403
    for path in ("", f"/{party}/uitnodiging", f"/{party}/bericht", f"/{party}/kennisgeving", "/koppelen"):
        response = await client.post(page + path, data={"text": "x"}, headers={**HTML, "x-csrf-token": token})
        assert response.status_code == 403, (path, response.status_code)
    assert (await client.get(f"{page}/{party}/brief/{uuid.uuid4()}", headers=HTML)).status_code == 403
