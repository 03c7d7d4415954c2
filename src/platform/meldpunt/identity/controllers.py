"""Sign-in, sign-out, the signed-in account, grants and the audit log, over HTTP. Thin: rules live in
services and policy."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Annotated, Any

import msgspec
import structlog
from litestar import Controller, Request, Response, delete, get, post, route
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit import services as audit
from meldpunt.audit.models import MAX_SEQ, AuditEntry
from meldpunt.audit.services import AuditActor
from meldpunt.db.context import vault_context
from meldpunt.identity import services
from meldpunt.identity.errors import NotSignedIn, SessionsUnavailable
from meldpunt.identity.models import Account
from meldpunt.identity.oidc import OidcClient, PendingSignIn, SignInFailed
from meldpunt.identity.policy import Actor
from meldpunt.identity.providers import provider_for
from meldpunt.identity.roles import Action
from meldpunt.identity.schemas import AuditEntryOut, GrantIn, GrantOut, Me, TenantRoles, VaultEntryCountOut
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


class AuthController(Controller):
    """Signing in through the tenant's identity provider, and out."""

    path = "/auth"
    tags = ("auth",)

    @get("/login", operation_id="SignIn")
    async def sign_in(
        self,
        db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        oidc: NamedDependency[OidcClient],
        sessions: NamedDependency[SessionStore],
        tenant: FromQuery[str],
        back: FromQuery[str | None] = None,
    ) -> Redirect:
        """Start signing in for a tenant: to its identity provider (or its branch's), with state, nonce, PKCE.
        ``back``: a page of this tenant to return to afterwards (a party's invitation); kept server-side only."""
        found, branch = await find_public_tenant(db, tenant)
        provider = provider_for(settings, found, branch)
        url, pending = await oidc.start(provider, found.slug, settings.public_url.rstrip("/") + "/auth/callback")
        pending = replace(pending, back=services.return_path(found.slug, back))
        token = await sessions.remember_sign_in(pending.to_dict())
        response = Redirect(url, status_code=302)
        response.set_cookie(SIGN_IN_COOKIE, token, **cookie_attributes(settings, SIGN_IN_SECONDS))
        return response

    @route("/callback", http_method=["GET", "POST"])
    async def sign_in_callback(
        self,
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
        pending = await sessions.take_sign_in(request.cookies.get(SIGN_IN_COOKIE))
        tenant, account = await signed_in_account(db, settings, oidc, pending, values)
        await sessions.end(request.cookies.get(SESSION_COOKIE))
        token = await sessions.create(account.tenant_id, account.id)
        back = services.return_path(tenant.slug, str((pending or {}).get("back") or ""))
        response: Response[Any] = Redirect(back or f"/app/t/{tenant.slug}", status_code=303)
        lifetime = settings.session_absolute_hours * 3600
        response.set_cookie(SESSION_COOKIE, token, **cookie_attributes(settings, lifetime))
        response.delete_cookie(SIGN_IN_COOKIE, path="/")
        return response

    @post("/logout", operation_id="SignOut", status_code=303)
    async def sign_out(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        sessions: NamedDependency[SessionStore],
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


async def signed_in_account(
    db: AsyncSession,
    settings: Settings,
    oidc: OidcClient,
    pending_record: dict[str, Any] | None,
    values: dict[str, Any],
) -> tuple[Tenant, Account]:
    """The tenant and account the provider's answer signs in; a failure is logged and audited by its reason
    (never by what the provider sent) and raised as SignInFailed."""
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
        return tenant, await services.record_sign_in(db, tenant, provider.issuer, claims)
    except (SignInFailed, TenantNotFound) as error:
        reason = error.reason if isinstance(error, SignInFailed) else "unknown_tenant"
        log.warning("auth.sign_in_failed", reason=reason)
        if tenant is not None:
            await services.record_failed_sign_in(db, tenant, reason)
            await db.commit()
        raise SignInFailed(reason) from None


class MeController(Controller):
    path = "/api/v1/me"
    tags = ("identity",)

    @get("/", operation_id="GetMe")
    async def get_me(self, actor: NamedDependency[Actor]) -> Me:
        """The signed-in account and, per tenant its grants allow, its roles there."""
        return Me(
            account_id=actor.account_id,
            display_name=actor.display_name,
            tenants=tenants_of(actor),
            account_tenant_id=actor.account_tenant_id,
        )


def tenants_of(actor: Actor) -> list[TenantRoles]:
    return [
        TenantRoles(slug=a.slug, display_name=a.display_name, roles=sorted(a.roles))
        for a in sorted(actor.access.values(), key=lambda a: a.display_name)
    ]


def grant_out(row: services.GrantRow) -> GrantOut:
    grant = row.grant
    return GrantOut(
        id=grant.id,
        account_id=grant.account_id,
        account_name=row.account_name,
        role=grant.role,
        source=grant.source,
        valid_from=grant.valid_from,
        valid_to=grant.valid_to,
    )


class GrantController(Controller):
    """Who holds which role in a tenant; a tenant_admin gives and ends roles (audited)."""

    path = "/api/v1/t/{tenant:str}/grants"
    tags = ("identity",)

    @get("/", operation_id="ListGrants", action=Action.GRANTS_VIEW)
    async def list_grants(self, db: NamedDependency[AsyncSession], acting: NamedDependency[Tenant]) -> list[GrantOut]:
        """Every grant in this tenant, current and ended (tenant_admin, dpo)."""
        return [grant_out(row) for row in await services.list_grants(db, acting)]

    @post("/", operation_id="CreateGrant", action=Action.GRANTS_MANAGE)
    async def create_grant(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        acting: NamedDependency[Tenant],
        data: JSONBody[GrantIn],
    ) -> GrantOut:
        """Give an account of this organisation or its branch a role here (tenant_admin; audited)."""
        return grant_out(await services.grant_by_admin(db, AuditActor.account(actor.account_id), acting, data))

    @delete("/{grant_id:uuid}", operation_id="EndGrant", action=Action.GRANTS_MANAGE)
    async def end_grant(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        acting: NamedDependency[Tenant],
        grant_id: FromPath[uuid.UUID],
    ) -> None:
        """End a grant now (tenant_admin; audited). Grants are never deleted."""
        await services.end_grant(db, AuditActor.account(actor.account_id), acting, grant_id, by_admin=True)


def audit_entries_out(entries: list[AuditEntry]) -> list[AuditEntryOut]:
    """The entries as the API shows them, field by field by name (never their hashes or signatures)."""
    return [msgspec.convert(entry, AuditEntryOut, from_attributes=True) for entry in entries]


class AuditController(Controller):
    """The audit log of a tenant: the dpo's, and each adviser's own vault chain."""

    path = "/api/v1/t/{tenant:str}/audit"
    tags = ("audit",)

    @get("/", operation_id="ListAuditEntries", action=Action.AUDIT_READ)
    async def list_audit(
        self,
        db: NamedDependency[AsyncSession],
        acting: NamedDependency[Tenant],
        before: Annotated[int | None, QueryParameter(ge=1, le=MAX_SEQ)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> list[AuditEntryOut]:
        """The tenant's audit log, newest first (dpo): who, what, when, on which resource; never content, and
        never an adviser's vault (those are counted: CountVaultAuditEntries)."""
        return audit_entries_out(await audit.list_entries(db, acting.id, before=before, limit=limit))

    @get("/vault", operation_id="ListOwnVaultAuditEntries", action=Action.VAULT_USE)
    async def list_own_vault_audit(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        acting: NamedDependency[Tenant],
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> list[AuditEntryOut]:
        """The signed-in adviser's own vault chain of the audit log, newest first: only she can read it."""
        await vault_context(db, actor.account_id)
        return audit_entries_out(await audit.list_vault_entries(db, acting.id, actor.account_id, limit=limit))

    @get("/vault-counts", operation_id="CountVaultAuditEntries", action=Action.AUDIT_READ)
    async def count_vault_audit(
        self, db: NamedDependency[AsyncSession], acting: NamedDependency[Tenant]
    ) -> list[VaultEntryCountOut]:
        """How many entries the advisers' vaults added to the audit log, per year (dpo). Their entries are
        readable only by each adviser: no ids, no advisers, no days here (DESIGN §6)."""
        counts = await audit.vault_entry_counts(db, acting.id)
        return [msgspec.convert(count, VaultEntryCountOut, from_attributes=True) for count in counts]


ROUTES = (AuthController, MeController, GrantController, AuditController)
