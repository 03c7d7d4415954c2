"""Which identity provider a tenant's people sign in with: its own, else its branch's."""

from __future__ import annotations

import os

from meldpunt.identity.errors import NoIdentityProvider
from meldpunt.identity.oidc import DEMO_ISSUER, IdentityProviderConfig
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant

DEMO_CLIENT_ID = "meldpunt-demo"


def provider_for(settings: Settings, tenant: Tenant, branch: Tenant | None) -> IdentityProviderConfig:
    for owner in (tenant, branch):
        if owner is None:
            continue
        declared = owner.identity_provider or {}
        if declared.get("demo"):
            if not settings.demo_identity_provider:
                raise NoIdentityProvider()
            return IdentityProviderConfig(
                DEMO_ISSUER,
                DEMO_CLIENT_ID,
                demo_client_secret(settings),
                discovery_url=settings.public_url.rstrip("/") + "/demo-idp/.well-known/openid-configuration",
            )
        if declared.get("issuer") and declared.get("client_id"):
            secret = os.environ.get(declared.get("client_secret_env") or "", "")
            if not secret:
                raise NoIdentityProvider()
            return IdentityProviderConfig(
                declared["issuer"],
                declared["client_id"],
                secret,
                tuple(d.lower() for d in declared.get("email_domains") or ()),
            )
    raise NoIdentityProvider()


def demo_client_secret(settings: Settings) -> str:
    """The demo relying party's secret: derived per demo data set, never used outside demo mode."""
    import hashlib

    return hashlib.sha256(f"meldpunt-demo:{settings.database_url}".encode()).hexdigest()
