"""A staff party signs in through the organisation's own identity provider (the real npm oidc-provider, as the
login tests do), spends the one-time code with the choice to bind, and opens the portal with the link while
signed in; the invitation, not the account, decides which case."""

from __future__ import annotations

import html
import re

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.settings import Settings
from tests.conftest import TenantRef
from tests.integration.identity import conftest as login
from tests.integration.identity.conftest import at_provider, callback, sign_in, unique_subject
from tests.integration.parties.test_portal_api import invite_in

HTML = {"Accept": "text/html"}
# The login tests' fixtures, used here by name: their client (a fixed address, redirects hop by hop), the two
# providers and an organisation that signs in with provider A.
client, client_secrets, providers, org_a = login.client, login.client_secrets, login.providers, login.org_a


async def test_an_employee_signs_in_with_the_organisations_provider_binds_and_opens_the_portal(
    client,
    org_a: TenantRef,
    app_engine: AsyncEngine,
    settings: Settings,
) -> None:
    mine = await invite_in(client, org_a, app_engine, settings)
    other = await invite_in(client, org_a, app_engine, settings)
    signed_in = await sign_in(client, org_a.slug, unique_subject())  # an employee without any role
    assert signed_in.status_code == 303
    page = f"/p/{org_a.slug}/uitnodiging/{mine.token}"
    form = await client.get(page, headers=HTML)
    assert 'name="bind"' in form.text
    opened = await client.post(page, data={"code": mine.code, "bind": "yes"}, headers=HTML)
    assert opened.status_code == 200 and re.search(r"<strong>\d{4} \d{4} \d{4} \d{4}</strong>", opened.text)
    later = await client.get(page, headers=HTML)
    assert later.status_code == 200 and "Kennisgeving" in later.text and 'name="code"' not in later.text
    # The same account at another case's invitation: its code is still needed.
    elsewhere = await client.get(f"/p/{org_a.slug}/uitnodiging/{other.token}", headers=HTML)
    assert 'name="code"' in elsewhere.text and "Kennisgeving" not in elsewhere.text


async def test_signing_in_from_the_invitation_returns_to_it_and_to_no_other_address(
    client,
    org_a: TenantRef,
    app_engine: AsyncEngine,
    settings: Settings,
) -> None:
    mine = await invite_in(client, org_a, app_engine, settings)
    page = f"/p/{org_a.slug}/uitnodiging/{mine.token}"
    form = await client.get(page, headers=HTML)
    offered = re.search(r'href="(/auth/login\?[^"]+)"', form.text)
    assert offered, form.text
    started = await client.get(html.unescape(offered.group(1)))
    assert started.status_code == 302 and mine.token not in started.headers["location"]  # not to the provider
    back = await callback(client, await at_provider(started.headers["location"], unique_subject()))
    assert back.status_code == 303 and back.headers["location"] == page
    assert 'name="bind"' in (await client.get(page, headers=HTML)).text
    for elsewhere in ("https://elders.example/", f"/p/other-org/uitnodiging/{mine.token}"):
        client.cookies.clear()
        started = await client.get("/auth/login", params={"tenant": org_a.slug, "back": elsewhere})
        ended = await callback(client, await at_provider(started.headers["location"], unique_subject()))
        assert ended.status_code == 303 and ended.headers["location"] == f"/app/t/{org_a.slug}"
