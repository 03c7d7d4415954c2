"""The demo's own OpenID provider: pick a demo person, get signed in through the real sign-in code path.

Mounted only when ``MELDPUNT_DEMO_IDENTITY_PROVIDER`` is on, which settings allow only with
``MELDPUNT_ENV=demo``. Authorisation code flow with PKCE (S256), RS256 ID tokens from a key made at
start; codes live 60 seconds in Redis and work once.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import redis.asyncio as aioredis
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.catalogues import text
from meldpunt.db.context import tenant_context
from meldpunt.db.tenants import all_tenant_ids
from meldpunt.errors import Refused
from meldpunt.identity.models import Account, Grant
from meldpunt.identity.oidc import DEMO_ISSUER
from meldpunt.identity.providers import DEMO_CLIENT_ID, demo_client_secret
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant

_KEY = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8), "use": "sig", "alg": "RS256"})
CODE_SECONDS = 60


class DemoRequestRefused(Refused, status=400, slug="demo-sign-in-refused"):
    """``unknown-client`` (client or return address) or ``pkce`` (no S256 challenge)."""


def _base(settings: Settings) -> str:
    return settings.public_url.rstrip("/") + "/demo-idp"


@get("/demo-idp/.well-known/openid-configuration", include_in_schema=False)
async def discovery(settings: NamedDependency[Settings]) -> dict[str, Any]:
    base = _base(settings)
    return {
        "issuer": DEMO_ISSUER,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/token",
        "jwks_uri": f"{base}/jwks",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
    }


@get("/demo-idp/jwks", include_in_schema=False)
async def jwks() -> dict[str, Any]:
    return dict(KeySet([_KEY]).as_dict(private=False))


def _check_client(settings: Settings, client_id: str, redirect_uri: str) -> None:
    if client_id != DEMO_CLIENT_ID or redirect_uri != settings.public_url.rstrip("/") + "/auth/callback":
        raise DemoRequestRefused("unknown-client")


async def demo_people(db: AsyncSession) -> list[tuple[str, list[tuple[Account, list[str]]]]]:
    """Every demo account with a summary of its active grants, for the picker, grouped by the organisation
    that declares the person (the branch first, then its members by name)."""
    await tenant_context(db, await all_tenant_ids(db))
    accounts = (
        (await db.execute(select(Account).where(Account.issuer == DEMO_ISSUER).order_by(Account.display_name)))
        .scalars()
        .all()
    )
    tenants = {tenant.id: tenant for tenant in (await db.execute(select(Tenant))).scalars()}
    grants = (await db.execute(select(Grant).where(Grant.valid_to.is_(None)))).scalars().all()
    homes: dict[uuid.UUID, list[tuple[Account, list[str]]]] = {}
    for account in accounts:
        places: dict[str, list[str]] = {}
        for grant in grants:
            if grant.account_id == account.id:
                places.setdefault(text("nl", f"role.{grant.role}"), []).append(tenants[grant.tenant_id].display_name)
        held = [f"{role}: {', '.join(sorted(where))}" for role, where in sorted(places.items())]
        homes.setdefault(account.tenant_id, []).append((account, held))
    order = sorted(homes, key=lambda home: (tenants[home].kind != "branch", tenants[home].display_name))
    return [(tenants[home].display_name, homes[home]) for home in order]


def _picker(groups: list[tuple[str, list[tuple[Account, list[str]]]]], hidden: str) -> str:
    return "".join(
        f'<h2>{html.escape(home)}</h2><ul class="people">'
        + "".join(
            f'<li><form method="post"><button name="subject" value="{html.escape(a.subject)}">'
            f"{html.escape(a.display_name)}</button>{hidden}<span>{html.escape(', '.join(held) or 'geen rollen')}"
            "</span></form></li>"
            for a, held in people
        )
        + "</ul>"
        for home, people in groups
    )


@get("/demo-idp/authorize", include_in_schema=False)
async def authorize_page(
    request: Request[Any, Any, Any], db: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
) -> Response[str]:
    query = dict(request.query_params)
    _check_client(settings, query.get("client_id", ""), query.get("redirect_uri", ""))
    if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
        raise DemoRequestRefused("pkce")
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in query.items()
        if k in {"client_id", "redirect_uri", "state", "nonce", "code_challenge"}
    )
    rows = _picker(await demo_people(db), hidden)
    page = (
        f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Demo-aanmelding</title>'
        f'<link rel="stylesheet" href="/static/app.css"></head><body><main class="narrow">'
        f"<h1>Demo-aanmelding</h1><p>Kies als wie u zich aanmeldt. Dit scherm bestaat alleen in de demo; "
        f"echte organisaties melden zich aan bij hun eigen identiteitsprovider.</p>"
        f"{rows}</main></body></html>"
    )
    return Response(page, media_type="text/html")


@post("/demo-idp/authorize", include_in_schema=False, status_code=303)
async def authorize(
    request: Request[Any, Any, Any], redis: NamedDependency[aioredis.Redis], settings: NamedDependency[Settings]
) -> Redirect:
    form = dict(await request.form())
    _check_client(settings, str(form.get("client_id", "")), str(form.get("redirect_uri", "")))
    code = secrets.token_urlsafe(32)
    grant = {key: str(form.get(key, "")) for key in ("subject", "nonce", "code_challenge", "redirect_uri")}
    await redis.set(f"meldpunt:demo-idp:code:{code}", json.dumps(grant), ex=CODE_SECONDS)
    return Redirect(
        f"{form['redirect_uri']}?" + urlencode({"code": code, "state": form.get("state", ""), "iss": DEMO_ISSUER}),
        status_code=303,
    )


@post("/demo-idp/token", include_in_schema=False, status_code=200)
async def token(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    redis: NamedDependency[aioredis.Redis],
    settings: NamedDependency[Settings],
) -> Response[Any]:
    form = dict(await request.form())
    if form.get("client_id") != DEMO_CLIENT_ID or form.get("client_secret") != demo_client_secret(settings):
        return Response({"error": "invalid_client"}, status_code=401)
    raw = await redis.getdel(f"meldpunt:demo-idp:code:{form.get('code', '')}")
    if raw is None:
        return Response({"error": "invalid_grant"}, status_code=400)
    grant = json.loads(raw)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(str(form.get("code_verifier", "")).encode()).digest())
    if challenge.rstrip(b"=").decode() != grant["code_challenge"] or form.get("redirect_uri") != grant["redirect_uri"]:
        return Response({"error": "invalid_grant"}, status_code=400)
    await tenant_context(db, await all_tenant_ids(db))
    account = (
        (await db.execute(select(Account).where(Account.issuer == DEMO_ISSUER, Account.subject == grant["subject"])))
        .scalars()
        .first()
    )
    now = int(time.time())
    claims = {
        "iss": DEMO_ISSUER,
        "sub": grant["subject"],
        "aud": DEMO_CLIENT_ID,
        "iat": now,
        "exp": now + 300,
        "nonce": grant["nonce"],
        "name": account.display_name if account else grant["subject"],
    }
    id_token = jwt.encode({"alg": "RS256", "kid": _KEY.kid}, claims, _KEY)
    return Response(
        {"access_token": secrets.token_urlsafe(32), "token_type": "Bearer", "expires_in": 300, "id_token": id_token}
    )


ROUTES = (discovery, jwks, authorize_page, authorize, token)
