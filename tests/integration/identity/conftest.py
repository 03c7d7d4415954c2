"""Two real, independent OpenID providers (npm oidc-provider) and helpers to sign in through them."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.app import create_app
from meldpunt.audit.services import AuditActor
from meldpunt.db.engine import create_sessionmaker
from meldpunt.identity import services
from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from tests.conftest import MakeTenant, TenantRef
from tests.support.oidc import OidcClient, RunningProvider, sign_in_at_provider, start_provider

CALLBACK = "http://127.0.0.1:8000/auth/callback"
CLIENTS = {
    "a": OidcClient("meldpunt-a", "secret-a", CALLBACK),
    "b": OidcClient("meldpunt-b", "secret-b", CALLBACK),
}


@dataclass(frozen=True)
class Providers:
    a: RunningProvider  # the IdP of organisation A (two clients registered: a and b)
    b: RunningProvider  # an unrelated IdP of organisation B


@pytest.fixture(scope="session")
def providers() -> Iterator[Providers]:
    a = start_provider([CLIENTS["a"], CLIENTS["b"]], email_domain="org-a.test")
    b = start_provider([CLIENTS["b"]], email_domain="org-b.test")
    yield Providers(a, b)
    a.stop()
    b.stop()


@pytest.fixture(autouse=True)
def client_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_IDP_SECRET_A", CLIENTS["a"].client_secret)
    monkeypatch.setenv("TEST_IDP_SECRET_B", CLIENTS["b"].client_secret)


async def use_provider(owner_engine: AsyncEngine, tenant: TenantRef, issuer: str, client: str) -> None:
    """Configure ``tenant`` to sign in with ``issuer`` as client ``client`` ('a' or 'b')."""
    import json

    provider = {
        "issuer": issuer,
        "client_id": CLIENTS[client].client_id,
        "client_secret_env": f"TEST_IDP_SECRET_{client.upper()}",
        "email_domains": [],
    }
    async with owner_engine.begin() as connection:
        await connection.execute(
            text("UPDATE tenants SET identity_provider = CAST(:p AS jsonb) WHERE id = :t"),
            {"p": json.dumps(provider), "t": tenant.id},
        )


async def grant(
    app_engine: AsyncEngine,
    tenant: TenantRef,
    issuer: str,
    subject: str,
    *roles: Role,
    home: TenantRef | None = None,
    source: str = "admin",
) -> uuid.UUID:
    """Declare ``subject`` at ``issuer`` as an account of ``home`` (default: tenant) with ``roles`` in tenant."""
    async with create_sessionmaker(app_engine)() as session:
        where = await session.get(Tenant, tenant.id)
        account_home = await session.get(Tenant, (home or tenant).id)
        assert where is not None and account_home is not None
        account = await services.find_or_create_account(session, account_home, issuer, subject, {"name": subject})
        for role in roles:
            await services.grant_role(session, AuditActor.system("test"), where, account, role, source)
        await session.commit()
        return account.id


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(create_app(settings), base_url="http://127.0.0.1:8000") as test_client:
        test_client.follow_redirects = False  # the browser is played explicitly, hop by hop
        yield test_client


async def start_login(client: AsyncTestClient, slug: str) -> str:  # type: ignore[type-arg]
    response = await client.get("/auth/login", params={"tenant": slug})
    assert response.status_code == 302, response.text
    return response.headers["location"]


async def at_provider(authorization_url: str, username: str) -> str:
    return await asyncio.to_thread(sign_in_at_provider, authorization_url, username)


async def callback(client: AsyncTestClient, redirect: str) -> Any:  # type: ignore[type-arg]
    parts = urlsplit(redirect)
    return await client.get(f"{parts.path}?{parts.query}")


async def sign_in(client: AsyncTestClient, slug: str, username: str) -> Any:  # type: ignore[type-arg]
    """Sign in as a browser would, then carry the CSRF token as a page's script would for API writes."""
    response = await callback(client, await at_provider(await start_login(client, slug), username))
    await client.get("/api/v1/me")
    if "mp_csrf" in client.cookies:
        client.headers["x-csrf-token"] = client.cookies["mp_csrf"]
    return response


def unique_subject() -> str:
    return f"user-{secrets.token_hex(4)}"


@pytest.fixture
async def org_a(make_tenant: MakeTenant, owner_engine: AsyncEngine, providers: Providers) -> TenantRef:
    tenant = await make_tenant()
    await use_provider(owner_engine, tenant, providers.a.issuer, "a")
    return tenant


@pytest.fixture
async def org_b(make_tenant: MakeTenant, owner_engine: AsyncEngine, providers: Providers) -> TenantRef:
    tenant = await make_tenant()
    await use_provider(owner_engine, tenant, providers.b.issuer, "b")
    return tenant
