"""A staff party signed in with their account (OIDC) binds their invitation to it by spending the one-time code
while signed in; from then on the link and that session open the portal without the key. The invitation still
decides which case: a bound account opens only the cases whose invitation is bound to it, a professional's
roles open no portal, a session without the code binds nothing, revocation and closure end it, and nothing
about the account is logged on the portal's routes."""

from __future__ import annotations

import re
import uuid

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.identity.sessions import SESSION_COOKIE
from meldpunt.settings import Settings
from tests.conftest import MakeTenant, TenantRef
from tests.integration.cases.test_case_handling import Person, person
from tests.integration.parties.test_portal_api import Invited, invite_in, invited
from tests.support.dump import where_stored

HTML = {"Accept": "text/html"}


def _page(who: Invited) -> str:
    return f"/p/{who.tenant.slug}/uitnodiging/{who.token}"


async def _staff(app_engine: AsyncEngine, settings: Settings, home: TenantRef, *roles: Role) -> Person:
    """An employee with an account of ``home`` (no role unless given), signed in."""
    return await person(app_engine, settings, home, {home: roles} if roles else {})


async def _bound_account(app_engine: AsyncEngine, who: Invited) -> uuid.UUID | None:
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{who.tenant.id}}}'"))
        found = await connection.execute(
            text("SELECT bound_account_id FROM party_invitations WHERE party_id = :p AND revoked_at IS NULL"),
            {"p": who.party_id},
        )
        return found.scalar()


async def _in(app_engine: AsyncEngine, tenant: TenantRef, statement: str) -> None:
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        assert (await connection.execute(text(statement))).rowcount > 0  # type: ignore[attr-defined]


async def _bind(client, who: Invited, staff: Person) -> str:  # type: ignore[no-untyped-def]
    """Sign in as ``staff`` and spend the code with the choice to bind; the portal key shown once."""
    client.cookies.set(SESSION_COOKIE, staff.token)
    form = await client.get(_page(who), headers=HTML)
    assert form.status_code == 200 and 'name="bind"' in form.text and "Inloggen met uw account" not in form.text
    opened = await client.post(_page(who), data={"code": who.code, "bind": "yes"}, headers=HTML)
    assert opened.status_code == 200, opened.text
    assert "gekoppeld aan een account" in opened.text
    key = re.search(r"<strong>(\d{4} \d{4} \d{4} \d{4})</strong>", opened.text)
    assert key
    return key.group(1)


async def test_a_signed_in_staff_party_binds_with_the_code_and_then_opens_the_portal_without_the_key(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    who = await invited(client, make_tenant, app_engine, settings)
    signed_out = await client.get(_page(who), headers=HTML)
    assert "Inloggen met uw account" in signed_out.text and 'name="bind"' not in signed_out.text
    staff = await _staff(app_engine, settings, who.tenant)
    key = await _bind(client, who, staff)
    assert await _bound_account(app_engine, who) == staff.account_id

    again = await client.get(_page(who), headers=HTML)  # the link and the session: the portal, no key asked
    assert again.status_code == 200 and "Kennisgeving" in again.text and 'name="code"' not in again.text
    replied = await client.post(f"{_page(who)}/bericht", data={"key": "", "text": "Ik reageer."}, headers=HTML)
    assert replied.status_code == 200 and "Ik reageer." in replied.text
    api = await client.get(f"/api/v1/p/{who.tenant.slug}/portal", headers={"X-Party-Link": who.token})
    assert api.status_code == 200 and api.json()["role"] == "accused"

    client.cookies.clear()  # signed out: the link alone opens nothing, the key still does
    assert 'name="code"' in (await client.get(_page(who), headers=HTML)).text
    with_key = await client.post(_page(who), data={"code": key}, headers=HTML)
    assert with_key.status_code == 200 and "Ik reageer." in with_key.text
    alone = await client.get(f"/api/v1/p/{who.tenant.slug}/portal", headers={"X-Party-Link": who.token})
    assert alone.status_code == 403


async def test_the_api_binds_with_the_code_and_a_session_and_refuses_binding_signed_out(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    who = await invited(client, make_tenant, app_engine, settings)
    base = f"/api/v1/p/{who.tenant.slug}"
    signed_out = await client.post(f"{base}/activation", json={"token": who.token, "code": who.code, "bind": True})
    assert signed_out.status_code == 409 and signed_out.json()["type"].endswith("/party-refused")
    staff = await _staff(app_engine, settings, who.tenant)
    client.cookies.set(SESSION_COOKIE, staff.token)
    bound = await client.post(f"{base}/activation", json={"token": who.token, "code": who.code, "bind": True})
    assert bound.status_code == 201 and bound.json()["bound"] is True
    portal = await client.get(f"{base}/portal", headers={"X-Party-Link": who.token})
    assert portal.status_code == 200 and [s["title"] for s in portal.json()["shared"]] == ["Kennisgeving"]


async def test_a_session_without_the_code_binds_nothing_and_a_professionals_roles_open_no_portal(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    who = await invited(client, make_tenant, app_engine, settings)
    thief = await _staff(app_engine, settings, who.tenant, Role.DECISION_MAKER, Role.TENANT_ADMIN)
    client.cookies.set(SESSION_COOKIE, thief.token)
    wrong = await client.post(_page(who), data={"code": "ABCDEFGHJK", "bind": "yes"}, headers=HTML)
    assert wrong.status_code == 403 and await _bound_account(app_engine, who) is None
    portal = await client.get(_page(who), headers=HTML)  # roles in the tenant open no party portal
    assert portal.status_code == 200 and 'name="code"' in portal.text and "Kennisgeving" not in portal.text
    api = await client.get(f"/api/v1/p/{who.tenant.slug}/portal", headers={"X-Party-Link": who.token})
    assert api.status_code == 403
    # The party spends the code without binding; the key in a session's hands binds nothing either.
    client.cookies.clear()
    opened = await client.post(_page(who), data={"code": who.code}, headers=HTML)
    key = re.search(r"<strong>(\d{4} \d{4} \d{4} \d{4})</strong>", opened.text)
    assert key
    client.cookies.set(SESSION_COOKIE, thief.token)
    await client.post(_page(who), data={"code": key.group(1), "bind": "yes"}, headers=HTML)
    again = await client.post(
        f"/api/v1/p/{who.tenant.slug}/activation", json={"token": who.token, "code": who.code, "bind": True}
    )
    assert again.status_code == 403 and await _bound_account(app_engine, who) is None


async def test_a_bound_account_opens_only_its_own_invitation_not_another_case_or_tenant(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    who = await invited(client, make_tenant, app_engine, settings)
    other_case = await invited(client, make_tenant, app_engine, settings)
    staff = await _staff(app_engine, settings, who.tenant)
    await _bind(client, who, staff)
    # Another case's invitation (another organisation here): the session opens nothing there.
    theirs = await client.get(_page(other_case), headers=HTML)
    assert 'name="code"' in theirs.text and "Kennisgeving" not in theirs.text
    foreign = await client.get(f"/p/{other_case.tenant.slug}/uitnodiging/{who.token}", headers=HTML)
    assert 'name="code"' in foreign.text and "Kennisgeving" not in foreign.text
    api = await client.get(f"/api/v1/p/{other_case.tenant.slug}/portal", headers={"X-Party-Link": who.token})
    assert api.status_code == 403
    # An account of another organisation cannot bind here, and the code is not spent by trying.
    outsider = await _staff(app_engine, settings, other_case.tenant)
    client.cookies.set(SESSION_COOKIE, outsider.token)
    refused = await client.post(
        f"/api/v1/p/{who.tenant.slug}/activation", json={"token": who.token, "code": "X", "bind": True}
    )
    assert refused.status_code == 409 and "andere organisatie" in refused.json()["detail"]


async def test_a_second_case_of_the_same_organisation_needs_its_own_binding(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    who = await invited(client, make_tenant, app_engine, settings)
    second = await invite_in(client, who.tenant, app_engine, settings)
    assert second.case_id != who.case_id
    staff = await _staff(app_engine, settings, who.tenant)
    await _bind(client, who, staff)
    assert 'name="code"' in (await client.get(_page(second), headers=HTML)).text
    await _bind(client, second, staff)
    assert "Kennisgeving" in (await client.get(_page(second), headers=HTML)).text


async def test_revocation_and_closure_end_a_bound_portal(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    who = await invited(client, make_tenant, app_engine, settings)
    staff = await _staff(app_engine, settings, who.tenant)
    await _bind(client, who, staff)
    await _in(app_engine, who.tenant, "UPDATE cases SET status = 'closed'")
    closed = await client.get(_page(who), headers=HTML)
    assert 'name="code"' in closed.text and "Kennisgeving" not in closed.text
    second = await invited(client, make_tenant, app_engine, settings)
    await _bind(client, second, await _staff(app_engine, settings, second.tenant))
    await _in(app_engine, second.tenant, "UPDATE party_invitations SET revoked_at = now()")
    revoked = await client.get(f"/api/v1/p/{second.tenant.slug}/portal", headers={"X-Party-Link": second.token})
    assert revoked.status_code == 403


async def test_nothing_about_the_account_or_the_session_is_logged_on_the_portal(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, test_database
) -> None:
    who = await invited(client, make_tenant, app_engine, settings)
    staff = await _staff(app_engine, settings, who.tenant)
    with structlog.testing.capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        await _bind(client, who, staff)
        await client.get(_page(who), headers=HTML)
        await client.get(f"/api/v1/p/{who.tenant.slug}/portal", headers={"X-Party-Link": who.token})
    logged = repr(logs)
    assert str(staff.account_id) not in logged and staff.token not in logged and who.token not in logged
    assert await where_stored(test_database.url("postgres"), [staff.token]) == []
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{who.tenant.id}}}'"))
        entries = (
            await connection.execute(
                text("SELECT actor, details::text FROM audit_entries WHERE action = 'party.bound'")
            )
        ).all()
    assert [actor for actor, _ in entries] == [f"party:{who.party_id}"]
    assert str(staff.account_id) not in str(entries)
