"""Sign-in, sign-out, the signed-in account, grants and the audit log, over HTTP. Thin: rules live in
services and policy."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
import structlog
from litestar import Request, Response, delete, get, post, route
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit import services as audit
from meldpunt.audit.models import MAX_SEQ
from meldpunt.audit.services import AuditActor
from meldpunt.db.context import vault_context
from meldpunt.identity import services
from meldpunt.identity.errors import NotSignedIn, SessionsUnavailable
from meldpunt.identity.models import GrantSource
from meldpunt.identity.oidc import OidcClient, PendingSignIn, SignInFailed
from meldpunt.identity.policy import Actor
from meldpunt.identity.providers import provider_for
from meldpunt.identity.roles import Action, Role
from meldpunt.identity.sessions import SESSION_COOKIE, SIGN_IN_COOKIE, SIGN_IN_SECONDS, SessionStore, cookie_attributes
from meldpunt.settings import Settings
from meldpunt.tenancy.errors import TenantNotFound
from meldpunt.tenancy.models import Tenant
from meldpunt.tenancy.services import find_public_tenant

log = structlog.get_logger(__name__)


async def provide_actor(
    request: Request[Any, Any, Any], db: NamedDependency[AsyncSession], sessions: NamedDependency[SessionStore]
) -> Actor:
    """The signed-in professional with their grants as of now; NotSignedIn otherwise."""
    session = await sessions.load(request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise NotSignedIn()
    actor = await services.load_actor(db, session.account_tenant_id, session.account_id)
    if actor is None:
        raise NotSignedIn()
    structlog.contextvars.bind_contextvars(account=str(actor.account_id))
    return actor


@get("/auth/login", operation_id="SignIn", tags=["auth"])
async def sign_in(
    db: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
    oidc: NamedDependency[OidcClient],
    sessions: NamedDependency[SessionStore],
    tenant: FromQuery[str],
) -> Redirect:
    """Start signing in for a tenant: to its identity provider (or its branch's), with state, nonce, PKCE."""
    found, branch = await find_public_tenant(db, tenant)
    provider = provider_for(settings, found, branch)
    url, pending = await oidc.start(provider, found.slug, settings.public_url.rstrip("/") + "/auth/callback")
    token = await sessions.remember_sign_in(pending.to_dict())
    response = Redirect(url, status_code=302)
    response.set_cookie(SIGN_IN_COOKIE, token, **cookie_attributes(settings, SIGN_IN_SECONDS))
    return response


@route("/auth/callback", http_method=["GET", "POST"], tags=["auth"])
async def sign_in_callback(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
    oidc: NamedDependency[OidcClient],
    sessions: NamedDependency[SessionStore],
) -> Response[Any]:
    """The provider's answer: exchange the code, validate the ID token, start a new session."""
    values: dict[str, Any] = dict(request.query_params)
    if request.method == "POST":
        values.update(dict(await request.form()))
    pending_record = await sessions.take_sign_in(request.cookies.get(SIGN_IN_COOKIE))
    tenant: Tenant | None = None
    try:
        if pending_record is None:
            raise SignInFailed("no_pending_sign_in")
        pending = PendingSignIn(**pending_record)
        tenant, branch = await find_public_tenant(db, pending.tenant_slug)
        if values.get("state") != pending.state:
            raise SignInFailed("state_mismatch")
        if values.get("error") or not values.get("code"):
            raise SignInFailed("provider_refused")
        provider = provider_for(settings, tenant, branch)
        claims = await oidc.finish(provider, pending, str(values["code"]))
        account = await services.record_sign_in(db, tenant, provider.issuer, claims)
    except (SignInFailed, TenantNotFound) as error:
        reason = error.reason if isinstance(error, SignInFailed) else "unknown_tenant"
        log.warning("auth.sign_in_failed", reason=reason)
        if tenant is not None:
            await services.record_failed_sign_in(db, tenant, reason)
            await db.commit()
        raise SignInFailed(reason) from None
    await sessions.end(request.cookies.get(SESSION_COOKIE))
    token = await sessions.create(account.tenant_id, account.id)
    response: Response[Any] = Redirect(f"/app/t/{tenant.slug}", status_code=303)
    response.set_cookie(SESSION_COOKIE, token, **cookie_attributes(settings, settings.session_absolute_hours * 3600))
    response.delete_cookie(SIGN_IN_COOKIE, path="/")
    return response


@post("/auth/logout", operation_id="SignOut", tags=["auth"], status_code=303)
async def sign_out(
    request: Request[Any, Any, Any], db: NamedDependency[AsyncSession], sessions: NamedDependency[SessionStore]
) -> Redirect:
    token = request.cookies.get(SESSION_COOKIE)
    try:
        session = await sessions.load(token)
    except SessionsUnavailable:
        session = None  # Redis is down: the record expires on its own; the cookie goes now all the same
    if session is not None:
        await services.record_sign_out(db, session.account_tenant_id, session.account_id)
    await sessions.end(token)
    response = Redirect("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


class TenantRoles(msgspec.Struct, frozen=True):
    slug: str
    display_name: str
    roles: list[str]


class Me(msgspec.Struct, frozen=True):
    account_id: uuid.UUID
    display_name: str
    tenants: list[TenantRoles]
    account_tenant_id: uuid.UUID  # the account's home organisation (with account_id: how a panel seat names it)


def tenants_of(actor: Actor) -> list[TenantRoles]:
    return [
        TenantRoles(a.slug, a.display_name, sorted(a.roles))
        for a in sorted(actor.access.values(), key=lambda a: a.display_name)
    ]


@get("/api/v1/me", operation_id="GetMe", tags=["identity"])
async def get_me(actor: NamedDependency[Actor]) -> Me:
    """The signed-in account and, per tenant its grants allow, its roles there."""
    return Me(actor.account_id, actor.display_name, tenants_of(actor), actor.account_tenant_id)


class GrantOut(msgspec.Struct, frozen=True):
    id: uuid.UUID
    account_id: uuid.UUID
    account_name: str
    role: str
    source: str
    valid_from: datetime
    valid_to: datetime | None


class GrantIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    account_id: uuid.UUID
    role: Role
    valid_to: datetime | None = None


@get("/api/v1/t/{tenant:str}/grants", operation_id="ListGrants", tags=["identity"])
async def list_grants(
    db: NamedDependency[AsyncSession], actor: NamedDependency[Actor], tenant: FromPath[str]
) -> list[GrantOut]:
    """Every grant in this tenant, current and ended (tenant_admin, dpo)."""
    found = await services.tenant_acting_in(db, actor, Action.GRANTS_VIEW, tenant)
    return [
        GrantOut(
            r.grant.id,
            r.grant.account_id,
            r.account_name,
            r.grant.role,
            r.grant.source,
            r.grant.valid_from,
            r.grant.valid_to,
        )
        for r in await services.list_grants(db, found)
    ]


@post("/api/v1/t/{tenant:str}/grants", operation_id="CreateGrant", tags=["identity"])
async def create_grant(
    db: NamedDependency[AsyncSession], actor: NamedDependency[Actor], tenant: FromPath[str], data: JSONBody[GrantIn]
) -> GrantOut:
    """Give an account of this organisation or its branch a role here (tenant_admin; audited)."""
    found = await services.tenant_acting_in(db, actor, Action.GRANTS_MANAGE, tenant)
    account = await services.find_account_for(db, found, data.account_id)
    grant = await services.grant_role(
        db, AuditActor.account(actor.account_id), found, account, data.role, GrantSource.ADMIN, data.valid_to
    )
    return GrantOut(
        grant.id, account.id, account.display_name, grant.role, grant.source, grant.valid_from, grant.valid_to
    )


@delete("/api/v1/t/{tenant:str}/grants/{grant_id:uuid}", operation_id="EndGrant", tags=["identity"])
async def end_grant(
    db: NamedDependency[AsyncSession],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    grant_id: FromPath[uuid.UUID],
) -> None:
    """End a grant now (tenant_admin; audited). Grants are never deleted."""
    found = await services.tenant_acting_in(db, actor, Action.GRANTS_MANAGE, tenant)
    await services.end_grant(db, AuditActor.account(actor.account_id), found, grant_id, by_admin=True)


class AuditEntryOut(msgspec.Struct, frozen=True):
    seq: int
    occurred_at: datetime
    actor: str
    action: str
    resource_type: str
    resource_id: str | None
    details: dict[str, Any]


@get("/api/v1/t/{tenant:str}/audit", operation_id="ListAuditEntries", tags=["audit"])
async def list_audit(
    db: NamedDependency[AsyncSession],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    before: Annotated[int | None, QueryParameter(ge=1, le=MAX_SEQ)] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
) -> list[AuditEntryOut]:
    """The tenant's audit log, newest first (dpo): who, what, when, on which resource; never content, and
    never an adviser's vault (those are counted: CountVaultAuditEntries)."""
    found = await services.tenant_acting_in(db, actor, Action.AUDIT_READ, tenant)
    entries = await audit.list_entries(db, found.id, before=before, limit=limit)
    return [
        AuditEntryOut(e.seq, e.occurred_at, e.actor, e.action, e.resource_type, e.resource_id, e.details)
        for e in entries
    ]


@get("/api/v1/t/{tenant:str}/audit/vault", operation_id="ListOwnVaultAuditEntries", tags=["audit"])
async def list_own_vault_audit(
    db: NamedDependency[AsyncSession],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
) -> list[AuditEntryOut]:
    """The signed-in adviser's own vault chain of the audit log, newest first: only she can read it."""
    found = await services.tenant_acting_in(db, actor, Action.VAULT_USE, tenant)
    await vault_context(db, actor.account_id)
    entries = await audit.list_vault_entries(db, found.id, actor.account_id, limit=limit)
    return [
        AuditEntryOut(e.seq, e.occurred_at, e.actor, e.action, e.resource_type, e.resource_id, e.details)
        for e in entries
    ]


class VaultEntryCountOut(msgspec.Struct, frozen=True):
    year: int
    entries: int


@get("/api/v1/t/{tenant:str}/audit/vault-counts", operation_id="CountVaultAuditEntries", tags=["audit"])
async def count_vault_audit(
    db: NamedDependency[AsyncSession], actor: NamedDependency[Actor], tenant: FromPath[str]
) -> list[VaultEntryCountOut]:
    """How many entries the advisers' vaults added to the audit log, per year (dpo). Their entries are
    readable only by each adviser: no ids, no advisers, no days here (DESIGN §6)."""
    found = await services.tenant_acting_in(db, actor, Action.AUDIT_READ, tenant)
    return [VaultEntryCountOut(c.year, c.entries) for c in await audit.vault_entry_counts(db, found.id)]


ROUTES = (
    sign_in,
    sign_in_callback,
    sign_out,
    get_me,
    list_grants,
    create_grant,
    end_grant,
    list_audit,
    list_own_vault_audit,
    count_vault_audit,
)
