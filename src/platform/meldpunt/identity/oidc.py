"""OpenID Connect sign-in as a relying party: one client per identity provider, issuer pinned.

Built on authlib's framework-neutral parts (authorisation URL, PKCE) and joserfc (ID-token signature
and claims); the token request is one httpx POST. Always state, nonce and PKCE (S256). An ID token is
accepted only when its signature verifies against the provider's JWKS and its issuer, audience, expiry,
issue time and nonce are right.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from meldpunt.errors import DomainError

# The built-in demo provider's issuer: a fixed name, so that demo accounts survive a change of port.
DEMO_ISSUER = "https://demo-idp.meldpunt.invalid"
ID_TOKEN_ALGORITHMS = ("RS256", "PS256", "ES256", "EdDSA")
METADATA_TTL_SECONDS = 3600
CLOCK_LEEWAY_SECONDS = 30


class SignInFailed(DomainError, status=401, slug="sign-in-failed"):
    """Sign-in was refused; ``reason`` is a short code for the audit log, never token content."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__()


@dataclass(frozen=True)
class IdentityProviderConfig:
    """One relying-party registration at one provider."""

    issuer: str
    client_id: str
    client_secret: str
    email_domains: tuple[str, ...] = ()
    discovery_url: str | None = None  # default: the issuer's /.well-known/openid-configuration


@dataclass(frozen=True)
class PendingSignIn:
    """What the server keeps between the redirect to the provider and the callback (never the browser)."""

    tenant_slug: str
    issuer: str
    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    expires_at: float
    back: str = ""  # where the browser goes after signing in (``services.return_path``), else the tenant's start

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class _Discovered:
    metadata: dict[str, Any]
    keys: KeySet
    fetched_at: float


@dataclass
class OidcClient:
    """Discovery, authorisation URLs, code exchange and ID-token validation, cached per issuer."""

    http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=10))
    _discovered: dict[str, _Discovered] = field(default_factory=dict)

    async def _discover(self, provider: IdentityProviderConfig, *, refresh_keys: bool = False) -> _Discovered:
        issuer = provider.issuer
        known = self._discovered.get(issuer)
        if known and not refresh_keys and time.monotonic() - known.fetched_at < METADATA_TTL_SECONDS:
            return known
        try:
            url = provider.discovery_url or issuer.rstrip("/") + "/.well-known/openid-configuration"
            response = await self.http.get(url)
            response.raise_for_status()
            metadata = response.json()
        except (httpx.HTTPError, ValueError):
            raise SignInFailed("provider_unreachable") from None
        # Pin the issuer: discovery must name exactly the issuer configured for the tenant.
        if metadata.get("issuer") != issuer:
            raise SignInFailed("issuer_mismatch")
        try:
            keys = KeySet.import_key_set((await self.http.get(metadata["jwks_uri"])).json())
        except (httpx.HTTPError, ValueError, KeyError, JoseError):
            raise SignInFailed("jwks_unavailable") from None
        found = _Discovered(metadata, keys, time.monotonic())
        self._discovered[issuer] = found
        return found

    async def start(
        self, provider: IdentityProviderConfig, tenant_slug: str, redirect_uri: str, lifetime_seconds: int = 600
    ) -> tuple[str, PendingSignIn]:
        """The URL to send the browser to, and what to keep server-side until the callback."""
        discovered = await self._discover(provider)
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        url = prepare_grant_uri(
            discovered.metadata["authorization_endpoint"],
            provider.client_id,
            "code",
            redirect_uri=redirect_uri,
            scope="openid email profile",
            state=state,
            nonce=nonce,
            code_challenge=create_s256_code_challenge(verifier),
            code_challenge_method="S256",
        )
        pending = PendingSignIn(
            tenant_slug, provider.issuer, state, nonce, verifier, redirect_uri, time.time() + lifetime_seconds
        )
        return url, pending

    async def finish(self, provider: IdentityProviderConfig, pending: PendingSignIn, code: str) -> dict[str, Any]:
        """Exchange the code (with the PKCE verifier) and return the validated ID-token claims."""
        if pending.issuer != provider.issuer:
            raise SignInFailed("issuer_mismatch")
        if time.time() > pending.expires_at:
            raise SignInFailed("sign_in_expired")
        discovered = await self._discover(provider)
        try:
            response = await self.http.post(
                discovered.metadata["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": pending.redirect_uri,
                    "code_verifier": pending.code_verifier,
                    "client_id": provider.client_id,
                    "client_secret": provider.client_secret,
                },
            )
        except httpx.HTTPError:
            raise SignInFailed("provider_unreachable") from None
        if response.status_code != 200:
            raise SignInFailed("code_rejected")
        id_token = response.json().get("id_token")
        if not isinstance(id_token, str):
            raise SignInFailed("no_id_token")
        return await self.validate_id_token(provider, id_token, pending.nonce)

    async def validate_id_token(self, provider: IdentityProviderConfig, id_token: str, nonce: str) -> dict[str, Any]:
        discovered = await self._discover(provider)
        try:
            token = jwt.decode(id_token, discovered.keys, algorithms=ID_TOKEN_ALGORITHMS)
        except JoseError:
            # An unknown key id may mean the provider rotated its keys: fetch them once more.
            discovered = await self._discover(provider, refresh_keys=True)
            try:
                token = jwt.decode(id_token, discovered.keys, algorithms=ID_TOKEN_ALGORITHMS)
            except JoseError:
                raise SignInFailed("bad_signature") from None
        claims = token.claims
        registry = jwt.JWTClaimsRegistry(
            now=int(time.time()),
            leeway=CLOCK_LEEWAY_SECONDS,
            iss={"essential": True, "value": provider.issuer},
            aud={"essential": True, "value": provider.client_id},
            nonce={"essential": True, "value": nonce},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
        )
        try:
            registry.validate(claims)
        except JoseError as error:
            raise SignInFailed(f"token_{type(error).__name__}") from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != provider.client_id:
            raise SignInFailed("claim_azp")
        if provider.email_domains:
            email = str(claims.get("email", ""))
            if not claims.get("email_verified") or email.rsplit("@", 1)[-1].lower() not in provider.email_domains:
                raise SignInFailed("email_domain")
        return dict(claims)
