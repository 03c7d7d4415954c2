"""The party portal's pages without JavaScript: the link shows a code form, the code opens the portal once and
shows the portal key once, the key opens it afterwards (in the form body, no cookie), a party replies, answers
and names a companion, and a refusal keeps what was typed."""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.parties.test_portal_api import MARKED, invited


def _key(html: str) -> str:
    found = re.search(r"<strong>(\d{4} \d{4} \d{4} \d{4})</strong>", html)
    assert found, "the portal key is shown once"
    return found.group(1)


async def test_the_link_shows_a_form_the_code_opens_once_and_the_key_opens_afterwards(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    who = await invited(client, make_tenant, app_engine, settings)
    page = f"/p/{who.tenant.slug}/uitnodiging/{who.token}"
    form = await client.get(page, headers={**MARKED, "Accept": "text/html"})
    assert form.status_code == 200 and 'name="code"' in form.text and "Kennisgeving" not in form.text
    assert "set-cookie" not in form.headers
    wrong = await client.post(page, data={"code": "ABCDEFGHJK"}, headers={"Accept": "text/html"})
    assert wrong.status_code == 403 and "openen geen portaal" in wrong.text
    opened = await client.post(page, data={"code": who.code.lower()}, headers={**MARKED, "Accept": "text/html"})
    assert opened.status_code == 200, opened.text
    assert "set-cookie" not in opened.headers
    key = _key(opened.text)
    assert "Kennisgeving" in opened.text and "AVG art. 15" in opened.text
    spent = await client.post(page, data={"code": who.code}, headers={"Accept": "text/html"})
    assert spent.status_code == 403
    again = await client.post(page, data={"code": key}, headers={"Accept": "text/html"})
    assert again.status_code == 200 and "Kennisgeving" in again.text and "<strong>" + key not in again.text
    english = await client.post(f"{page}?lang=en", data={"code": key}, headers={"Accept": "text/html"})
    assert "What is shared with you" in english.text and "GDPR art. 15" in english.text


async def test_a_party_replies_with_a_file_names_a_companion_and_downloads_what_is_shared(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    who = await invited(client, make_tenant, app_engine, settings)
    page = f"/p/{who.tenant.slug}/uitnodiging/{who.token}"
    key = _key((await client.post(page, data={"code": who.code}, headers={"Accept": "text/html"})).text)
    html = {"Accept": "text/html"}
    empty = await client.post(f"{page}/bericht", data={"key": key, "text": " "}, headers=html)
    assert empty.status_code == 409 and "Schrijf eerst een bericht" in empty.text
    replied = await client.post(
        f"{page}/bericht",
        data={"key": key, "text": "Dit klopt niet."},
        files={"attachments": ("verweer.txt", b"Mijn verweer.", "text/plain")},
        headers=html,
    )
    assert replied.status_code == 200, replied.text
    assert "Dit klopt niet." in replied.text and "bijlage-1.txt" in replied.text
    named = await client.post(f"{page}/begeleider", data={"key": key, "companion": "Mr. B. Jansen"}, headers=html)
    assert named.status_code == 200 and 'value="Mr. B. Jansen"' in named.text
    download = await client.post(f"{page}/document/{who.document_id}", data={"key": key})
    assert download.status_code == 200 and download.content == b"Kennisgeving aan de beschuldigde"
    stranger = await client.post(
        f"{page}/document/{who.document_id}", data={"key": "1111 2222 3333 4444"}, headers=html
    )
    assert stranger.status_code == 403 and "Kennisgeving aan" not in stranger.text


async def test_a_link_of_another_tenant_opens_nothing_here(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    who = await invited(client, make_tenant, app_engine, settings)
    elsewhere = await make_tenant()
    page = f"/p/{elsewhere.slug}/uitnodiging/{who.token}"
    refused = await client.post(page, data={"code": who.code}, headers={"Accept": "text/html"})
    assert refused.status_code == 403
    own = await client.post(
        f"/p/{who.tenant.slug}/uitnodiging/{who.token}", data={"code": who.code}, headers={"Accept": "text/html"}
    )
    assert own.status_code == 200  # the code was not spent by the attempt elsewhere
