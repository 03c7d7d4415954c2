"""The professional pages: shell, grants (tenant_admin) and audit log (dpo), in Dutch, with CSRF, and closed
to other tenants."""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from tests.conftest import TenantRef
from tests.integration.identity.conftest import Providers, grant, sign_in, unique_subject

HTML = {"accept": "text/html"}


def csrf_field(page: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert match, "the form carries no CSRF token"
    return match.group(1)


async def test_the_shell_lists_exactly_the_granted_tenants_and_roles_in_dutch(
    client, org_a: TenantRef, org_b: TenantRef, make_tenant, providers: Providers, app_engine: AsyncEngine
) -> None:
    other = await make_tenant(branch=org_a)  # a member of A's branch: A's people may hold roles there
    subject = unique_subject()
    await grant(app_engine, org_a, providers.a.issuer, subject, Role.TENANT_ADMIN)
    await grant(app_engine, other, providers.a.issuer, subject, Role.DPO, home=org_a)
    await sign_in(client, org_a.slug, subject)
    page = await client.get(f"/app/t/{org_a.slug}", headers=HTML)
    assert page.status_code == 200
    assert '<html lang="nl">' in page.text and "beheerder" in page.text
    switcher = page.text.split('class="switcher"')[1].split("</nav>")[0]
    assert f'href="/app/t/{org_a.slug}"' in switcher and f'href="/app/t/{other.slug}"' in switcher
    assert org_b.slug not in page.text
    assert "functionaris gegevensbescherming" in page.text  # the role in the other organisation
    assert f'href="/app/t/{org_a.slug}/grants"' in page.text  # a tenant_admin reaches the grants page
    assert f'href="/app/t/{org_a.slug}/audit"' not in page.text  # but is no dpo here
    english = await client.get(f"/app/t/{org_a.slug}?lang=en", headers=HTML)
    assert '<html lang="en">' in english.text and "administrator" in english.text


async def test_a_tenant_admin_manages_roles_in_the_page_and_a_refusal_keeps_the_choice(
    client, org_a: TenantRef, providers: Providers, app_engine: AsyncEngine
) -> None:
    admin = unique_subject()
    await grant(app_engine, org_a, providers.a.issuer, admin, Role.TENANT_ADMIN)
    colleague = await grant(app_engine, org_a, providers.a.issuer, "collega-" + unique_subject(), Role.ADVISER)
    await sign_in(client, org_a.slug, admin)
    page = await client.get(f"/app/t/{org_a.slug}/grants", headers=HTML)
    assert page.status_code == 200 and "vertrouwenspersoon" in page.text
    token = csrf_field(page.text)
    refused = await client.post(
        f"/app/t/{org_a.slug}/grants",
        headers=HTML,
        data={"_csrf_token": token, "account_id": str(colleague), "role": "expert"},
    )
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text and "seed-000 §1.7" in refused.text
    assert (
        f'<option value="{colleague}" selected>' in refused.text and '<option value="expert" selected>' in refused.text
    )
    added = await client.post(
        f"/app/t/{org_a.slug}/grants",
        headers=HTML,
        data={"_csrf_token": token, "account_id": str(colleague), "role": "hr"},
    )
    assert added.status_code == 303
    listed = (await client.get(f"/api/v1/t/{org_a.slug}/grants")).json()
    assert {(g["account_id"], g["role"]) for g in listed} >= {(str(colleague), "hr"), (str(colleague), "adviser")}


async def test_an_incomplete_grants_form_comes_back_with_what_was_chosen(
    client, org_a: TenantRef, providers: Providers, app_engine: AsyncEngine
) -> None:
    admin = unique_subject()
    colleague = await grant(app_engine, org_a, providers.a.issuer, admin, Role.TENANT_ADMIN)
    await sign_in(client, org_a.slug, admin)
    token = csrf_field((await client.get(f"/app/t/{org_a.slug}/grants", headers=HTML)).text)
    for form in ({"account_id": str(colleague), "role": ""}, {"account_id": "niet-een-id", "role": "hr"}):
        refused = await client.post(f"/app/t/{org_a.slug}/grants", headers=HTML, data={"_csrf_token": token, **form})
        assert refused.status_code == 400
        assert 'role="alert"' in refused.text and "Kies een persoon en een rol." in refused.text
    assert '<option value="hr" selected>' in refused.text


async def test_a_form_without_the_csrf_token_is_refused(
    client, org_a: TenantRef, providers: Providers, app_engine: AsyncEngine
) -> None:
    admin = unique_subject()
    await grant(app_engine, org_a, providers.a.issuer, admin, Role.TENANT_ADMIN)
    await sign_in(client, org_a.slug, admin)
    client.headers.pop("x-csrf-token", None)
    response = await client.post(f"/app/t/{org_a.slug}/grants", data={"account_id": "x", "role": "hr"})
    assert response.status_code == 403
    api = await client.post(f"/api/v1/t/{org_a.slug}/grants", json={"account_id": str(admin), "role": "hr"})
    assert api.status_code == 403


async def test_the_dpo_reads_the_audit_log_page_and_others_do_not(
    client, org_a: TenantRef, providers: Providers, app_engine: AsyncEngine
) -> None:
    dpo, admin = unique_subject(), unique_subject()
    await grant(app_engine, org_a, providers.a.issuer, dpo, Role.DPO)
    await grant(app_engine, org_a, providers.a.issuer, admin, Role.TENANT_ADMIN)
    await sign_in(client, org_a.slug, dpo)
    page = await client.get(f"/app/t/{org_a.slug}/audit", headers=HTML)
    assert page.status_code == 200 and "auth.sign_in" in page.text and "grant.create" in page.text
    await sign_in(client, org_a.slug, admin)
    refused = await client.get(f"/app/t/{org_a.slug}/audit", headers=HTML)
    assert refused.status_code == 403 and "Geen toegang" in refused.text


async def test_no_page_of_tenant_b_opens_for_a_session_of_tenant_a(
    client, org_a: TenantRef, org_b: TenantRef, providers: Providers, app_engine: AsyncEngine
) -> None:
    subject = unique_subject()
    await grant(app_engine, org_a, providers.a.issuer, subject, Role.TENANT_ADMIN, Role.DPO)
    await grant(app_engine, org_b, providers.b.issuer, unique_subject(), Role.DPO)
    await sign_in(client, org_a.slug, subject)
    for path in (f"/app/t/{org_b.slug}", f"/app/t/{org_b.slug}/grants", f"/app/t/{org_b.slug}/audit"):
        response = await client.get(path, headers=HTML)
        assert response.status_code == 403, path
        assert "Organisatie " + org_b.slug not in response.text
    token = client.headers["x-csrf-token"]
    forged = await client.post(
        f"/app/t/{org_b.slug}/grants", headers=HTML, data={"_csrf_token": token, "account_id": "x", "role": "hr"}
    )
    assert forged.status_code == 403


async def test_a_browser_without_a_session_is_sent_to_the_start(client, org_a: TenantRef) -> None:
    response = await client.get(f"/app/t/{org_a.slug}", headers=HTML)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert (await client.get(f"/api/v1/t/{org_a.slug}/audit")).status_code == 401


async def test_public_responses_set_no_cookies(client, org_a: TenantRef) -> None:
    for path in ("/", f"/api/v1/public/{org_a.slug}", "/health/live"):
        response = await client.get(path, headers=HTML)
        assert response.status_code == 200, path
        assert "set-cookie" not in response.headers, path
