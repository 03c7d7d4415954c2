"""Signing in against a real, independent OpenID provider: the happy path and every way it must fail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.identity.sessions import SESSION_COOKIE
from tests.conftest import TenantRef
from tests.integration.identity.conftest import (
    Providers,
    at_provider,
    callback,
    grant,
    sign_in,
    start_login,
    unique_subject,
    use_provider,
)


async def audit_actions(app_engine: AsyncEngine, tenant: TenantRef) -> list[tuple[str, dict[str, object]]]:
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        rows = await connection.execute(text("SELECT action, details FROM audit_entries ORDER BY seq"))
        return [(row.action, row.details) for row in rows]


async def test_a_full_sign_in_opens_exactly_the_granted_tenants_and_roles(
    client, org_a: TenantRef, org_b: TenantRef, providers: Providers, app_engine: AsyncEngine
) -> None:
    subject = unique_subject()
    await grant(app_engine, org_a, providers.a.issuer, subject, Role.DPO, Role.TENANT_ADMIN)
    response = await sign_in(client, org_a.slug, subject)
    assert response.status_code == 303 and response.headers["location"] == f"/app/t/{org_a.slug}"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    me_response = await client.get("/api/v1/me")
    assert me_response.status_code == 200, me_response.text
    me = me_response.json()
    assert [(t["slug"], t["roles"]) for t in me["tenants"]] == [(org_a.slug, ["dpo", "tenant_admin"])]
    assert (await client.get(f"/api/v1/t/{org_a.slug}/audit")).status_code == 200
    assert (await client.get(f"/api/v1/t/{org_b.slug}/audit")).status_code == 403
    actions = [action for action, _ in await audit_actions(app_engine, org_a)]
    assert actions[-1] == "auth.sign_in"


async def test_the_session_token_is_new_at_every_sign_in(
    client, org_a: TenantRef, providers: Providers, app_engine: AsyncEngine
) -> None:
    subject = unique_subject()
    await grant(app_engine, org_a, providers.a.issuer, subject, Role.DPO)
    await sign_in(client, org_a.slug, subject)
    first = client.cookies.get(SESSION_COOKIE)
    await sign_in(client, org_a.slug, subject)
    second = client.cookies.get(SESSION_COOKIE)
    assert first and second and first != second
    client.cookies.set(SESSION_COOKIE, first)
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_a_wrong_state_is_refused_and_audited(
    client, org_a: TenantRef, providers: Providers, app_engine: AsyncEngine
) -> None:
    redirect = await at_provider(await start_login(client, org_a.slug), unique_subject())
    response = await callback(client, redirect.replace("state=", "state=forged"))
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert SESSION_COOKIE not in client.cookies
    assert (await audit_actions(app_engine, org_a))[-1] == ("auth.sign_in_failed", {"reason": "state_mismatch"})


async def test_a_replayed_callback_or_code_is_refused(
    client, org_a: TenantRef, providers: Providers, app_engine: AsyncEngine
) -> None:
    subject = unique_subject()
    await grant(app_engine, org_a, providers.a.issuer, subject, Role.DPO)
    redirect = await at_provider(await start_login(client, org_a.slug), subject)
    assert (await callback(client, redirect)).status_code == 303
    client.cookies.delete(SESSION_COOKIE)
    # The same callback again: its pending sign-in was used up.
    assert (await callback(client, redirect)).status_code == 401
    # The old code inside a fresh sign-in (valid state): the provider refuses the code a second time.
    fresh = await start_login(client, org_a.slug)
    state = fresh.split("state=")[1].split("&")[0]
    code = redirect.split("code=")[1].split("&")[0]
    response = await client.get("/auth/callback", params={"code": code, "state": state})
    assert response.status_code == 401
    assert (await audit_actions(app_engine, org_a))[-1] == ("auth.sign_in_failed", {"reason": "code_rejected"})
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_a_code_issued_to_another_client_is_refused(
    client, org_a: TenantRef, make_tenant, owner_engine: AsyncEngine, providers: Providers, app_engine: AsyncEngine
) -> None:
    """Tenant C uses the same provider as A with its own client: A's code does not open C."""
    org_c = await make_tenant()
    await use_provider(owner_engine, org_c, providers.a.issuer, "b")
    subject = unique_subject()
    await grant(app_engine, org_c, providers.a.issuer, subject, Role.DPO)
    redirect_for_a = await at_provider(await start_login(client, org_a.slug), subject)
    login_c = await start_login(client, org_c.slug)
    state_c = login_c.split("state=")[1].split("&")[0]
    code_for_a = redirect_for_a.split("code=")[1].split("&")[0]
    response = await client.get("/auth/callback", params={"code": code_for_a, "state": state_c})
    assert response.status_code == 401
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_an_id_token_for_another_audience_is_refused(providers: Providers) -> None:
    """A genuine ID token of client a, presented to a relying party registered as client b."""
    import httpx
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    from meldpunt.identity.oidc import IdentityProviderConfig, OidcClient, SignInFailed
    from tests.integration.identity.conftest import CALLBACK, CLIENTS

    verifier = "v" * 64
    url = httpx.URL(
        f"{providers.a.issuer}/auth",
        params={
            "client_id": "meldpunt-a",
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": CALLBACK,
            "state": "s",
            "nonce": "n",
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        },
    )
    redirect = await at_provider(str(url), unique_subject())
    code = redirect.split("code=")[1].split("&")[0]
    async with httpx.AsyncClient() as http:
        token = (
            await http.post(
                f"{providers.a.issuer}/token",
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": CALLBACK,
                    "code_verifier": verifier,
                    "client_id": "meldpunt-a",
                    "client_secret": CLIENTS["a"].client_secret,
                },
            )
        ).json()["id_token"]
    relying_party = OidcClient()
    genuine = IdentityProviderConfig(providers.a.issuer, "meldpunt-a", "x")
    assert (await relying_party.validate_id_token(genuine, token, "n"))["aud"] == "meldpunt-a"
    try:
        for config, nonce in (
            (IdentityProviderConfig(providers.a.issuer, "meldpunt-b", "x"), "n"),
            (genuine, "another-nonce"),
        ):
            with pytest.raises(SignInFailed) as refused:
                await relying_party.validate_id_token(config, token, nonce)
            assert refused.value.reason.startswith("token_")
    finally:
        await relying_party.http.aclose()


async def test_an_expired_id_token_is_refused(
    client, org_a: TenantRef, providers: Providers, app_engine: AsyncEngine
) -> None:
    subject = unique_subject()
    await grant(app_engine, org_a, providers.a.issuer, subject, Role.DPO)
    redirect = await at_provider(await start_login(client, org_a.slug), subject)
    # The provider issues ID tokens valid for 60 s; ours arrives (as far as the app can tell) 5 minutes on.
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=300), tick=True):
        response = await callback(client, redirect)
    assert response.status_code == 401
    reason = (await audit_actions(app_engine, org_a))[-1][1]["reason"]
    assert reason == "token_ExpiredTokenError"


async def test_an_unknown_or_mismatched_issuer_is_refused(
    client, make_tenant, owner_engine: AsyncEngine, providers: Providers
) -> None:
    nowhere = await make_tenant()
    await use_provider(owner_engine, nowhere, "http://127.0.0.1:9", "a")
    assert (await client.get("/auth/login", params={"tenant": nowhere.slug})).status_code == 401
    # The provider at A's address, configured under another spelling of its issuer: discovery must match.
    misnamed = await make_tenant()
    await use_provider(owner_engine, misnamed, providers.a.issuer.replace("127.0.0.1", "localhost"), "a")
    response = await client.get("/auth/login", params={"tenant": misnamed.slug})
    assert response.status_code == 401
    assert response.json()["type"].endswith("/sign-in-failed")


async def test_tenant_a_identity_provider_never_opens_tenant_b(
    client, org_a: TenantRef, org_b: TenantRef, providers: Providers, app_engine: AsyncEngine
) -> None:
    subject = unique_subject()
    await grant(app_engine, org_a, providers.a.issuer, subject, Role.DPO)
    # The same person at B's provider: B has granted nothing to A's account.
    await grant(app_engine, org_b, providers.b.issuer, subject)
    # A's code delivered into a sign-in started at B.
    redirect_a = await at_provider(await start_login(client, org_a.slug), subject)
    login_b = await start_login(client, org_b.slug)
    state_b = login_b.split("state=")[1].split("&")[0]
    response = await client.get(
        "/auth/callback", params={"code": redirect_a.split("code=")[1].split("&")[0], "state": state_b}
    )
    assert response.status_code == 401
    # Signed in properly through A: B's resources stay closed.
    assert (await sign_in(client, org_a.slug, subject)).status_code == 303
    for path in (f"/api/v1/t/{org_b.slug}/audit", f"/api/v1/t/{org_b.slug}/grants"):
        assert (await client.get(path)).status_code == 403


async def test_a_lapsed_grant_gives_403(
    client, org_a: TenantRef, providers: Providers, app_engine: AsyncEngine, owner_engine: AsyncEngine
) -> None:
    subject = unique_subject()
    account_id = await grant(app_engine, org_a, providers.a.issuer, subject, Role.DPO)
    assert (await sign_in(client, org_a.slug, subject)).status_code == 303
    assert (await client.get(f"/api/v1/t/{org_a.slug}/audit")).status_code == 200
    async with owner_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{org_a.id}}}'"))
        await connection.execute(
            text(
                "UPDATE grants SET valid_from = now() - interval '2 days', valid_to = now() - interval '1 day' "
                "WHERE account_id = :a"
            ),
            {"a": account_id},
        )
    assert (await client.get(f"/api/v1/t/{org_a.slug}/audit")).status_code == 403
    assert (await client.get("/api/v1/me")).json()["tenants"] == []


async def test_sessions_end_after_the_idle_and_the_absolute_timeout(
    client, org_a: TenantRef, providers: Providers, app_engine: AsyncEngine, settings
) -> None:
    import hashlib

    import redis.asyncio as aioredis

    subject = unique_subject()
    await grant(app_engine, org_a, providers.a.issuer, subject, Role.DPO)
    await sign_in(client, org_a.slug, subject)
    token = client.cookies.get(SESSION_COOKIE)
    as_browser = {"cookie": f"{SESSION_COOKIE}={token}"}
    # Idle: the server-side session expires idle-timeout seconds after the last request, renewed by each.
    store = aioredis.Redis.from_url(settings.redis_url)
    key = "meldpunt:session:" + hashlib.sha256(token.encode()).hexdigest()
    try:
        assert 0 < await store.ttl(key) <= settings.session_idle_minutes * 60
        await store.expire(key, 5)
        assert (await client.get("/api/v1/me", headers=as_browser)).status_code == 200
        assert await store.ttl(key) > 5
        assert await store.get(key) is not None and token not in str(await store.get(key))
    finally:
        await store.aclose()
    # Absolute: however active, the session ends this long after sign-in (and stays ended).
    later = datetime.now(UTC) + timedelta(hours=settings.session_absolute_hours, minutes=1)
    with time_machine.travel(later, tick=True):
        assert (await client.get("/api/v1/me", headers=as_browser)).status_code == 401
    assert (await client.get("/api/v1/me", headers=as_browser)).status_code == 401


async def test_signing_out_ends_the_session_and_is_audited(
    client, org_a: TenantRef, providers: Providers, app_engine: AsyncEngine
) -> None:
    subject = unique_subject()
    await grant(app_engine, org_a, providers.a.issuer, subject, Role.DPO)
    await sign_in(client, org_a.slug, subject)
    token = client.cookies.get(SESSION_COOKIE)
    response = await client.post("/auth/logout")
    assert response.status_code == 303
    client.cookies.set(SESSION_COOKIE, token)
    assert (await client.get("/api/v1/me")).status_code == 401
    assert (await audit_actions(app_engine, org_a))[-1][0] == "auth.sign_out"
