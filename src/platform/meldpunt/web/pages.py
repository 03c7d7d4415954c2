"""HTML pages shared by all modules: the landing page and the professional shell at ``/app``."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit import services as audit
from meldpunt.audit.models import MAX_SEQ
from meldpunt.audit.services import AuditActor
from meldpunt.errors import DomainError
from meldpunt.identity import services as identity
from meldpunt.identity.models import GrantSource
from meldpunt.identity.policy import Actor, may, require
from meldpunt.identity.roles import Action, Role
from meldpunt.identity.services import load_actor
from meldpunt.identity.sessions import SESSION_COOKIE, SessionStore
from meldpunt.tenancy.models import Tenant
from meldpunt.web.i18n import context_for, in_language, language_of
from meldpunt.web.pro_texts import INTAKE_NAMES, WORDS


def language(request: Request[Any, Any, Any]) -> str:
    return language_of(request.query_params.get("lang"), request.headers.get("accept-language"))


def same_language(request: Request[Any, Any, Any], path: str) -> str:
    """Where to send the browser after a form: ``path`` in the language the form was sent in."""
    return in_language(path, language(request))


@get("/", include_in_schema=False)
async def home(request: Request[Any, Any, Any], db: NamedDependency[AsyncSession]) -> Template:
    """The deployment's front page: its reporting points, and sign-in for professionals per organisation."""
    tenants = (
        (
            await db.execute(
                select(Tenant).where(Tenant.archived_at.is_(None)).order_by(Tenant.kind, Tenant.display_name)
            )
        )
        .scalars()
        .all()
    )
    members = [tenant for tenant in tenants if tenant.kind == "member"]
    return Template("home.html", context={**context_for(language(request)), "tenants": tenants, "members": members})


@get("/app", include_in_schema=False)
async def app_start(
    request: Request[Any, Any, Any], db: NamedDependency[AsyncSession], sessions: NamedDependency[SessionStore]
) -> Redirect | Template:
    session = await sessions.load(request.cookies.get(SESSION_COOKIE))
    actor = await load_actor(db, session.account_tenant_id, session.account_id) if session else None
    if actor is None:
        return Redirect("/", status_code=303)
    if not actor.access:
        context = context_for(language(request))
        return Template(
            "message.html",
            context={
                **context,
                "title": context["t"]["your_organisations"],
                "detail": context["t"]["no_organisations"],
            },
        )
    first = min(actor.access.values(), key=lambda access: access.display_name)
    return Redirect(f"/app/t/{first.slug}", status_code=303)


@get("/app/t/{tenant:str}", include_in_schema=False)
async def app_tenant(request: Request[Any, Any, Any], actor: NamedDependency[Actor], tenant: FromPath[str]) -> Template:
    """The shell of one organisation: the switcher lists exactly the tenants the grants allow."""
    require(actor, Action.TENANT_VIEW, tenant)
    return Template(
        "shell.html",
        context={
            **shell_context(request, actor, tenant),
            "may_view_grants": may(actor, Action.GRANTS_VIEW, tenant),
            "may_read_audit": may(actor, Action.AUDIT_READ, tenant),
            "may_list_submissions": may(actor, Action.INTAKE_LIST, tenant),
            "may_use_vault": may(actor, Action.VAULT_USE, tenant),
            "may_read_signals": may(actor, Action.SIGNALS_READ, tenant),
            "may_handle_cases": may(actor, Action.CASE_PROCESS, tenant),
            "may_guard": may(actor, Action.CASE_GUARD, tenant),
        },
    )


async def _grants_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    actor: Actor,
    slug: str,
    message: str | None = None,
    entered: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    tenant = await identity.tenant_acting_in(db, actor, Action.GRANTS_VIEW, slug)
    return Template(
        "grants.html",
        status_code=status_code,
        context={
            **shell_context(request, actor, slug),
            "tenant": tenant,
            "grants": await identity.list_grants(db, tenant),
            "accounts": await identity.accounts_for(db, tenant),
            "roles": [role.value for role in Role],
            "may_manage": may(actor, Action.GRANTS_MANAGE, slug),
            "message": message,
            "entered": entered or {},
            "now": identity.now(),
        },
    )


@get("/app/t/{tenant:str}/grants", include_in_schema=False)
async def grants_page(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
) -> Template:
    """Who holds which role here, since when and until when (tenant_admin, dpo)."""
    return await _grants_page(request, db, actor, tenant)


@post("/app/t/{tenant:str}/grants", include_in_schema=False, status_code=303)
async def grants_add(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
) -> Redirect | Template:
    """Give a role from the form; on a refusal the page comes back with the reason and the choice kept."""
    found = await identity.tenant_acting_in(db, actor, Action.GRANTS_MANAGE, tenant)
    form = {key: str(value) for key, value in (await request.form()).items() if key != "_csrf_token"}
    try:
        role = Role(form.get("role", ""))
        account = await identity.find_account_for(db, found, uuid.UUID(form.get("account_id", "")))
        await identity.grant_role(db, AuditActor.account(actor.account_id), found, account, role, GrantSource.ADMIN)
    except ValueError:
        return await _grants_page(request, db, actor, tenant, "Kies een persoon en een rol.", form, 400)
    except DomainError as error:
        await db.rollback()
        return await _grants_page(request, db, actor, tenant, error.detail, form, error.status)
    return Redirect(same_language(request, f"/app/t/{tenant}/grants"), status_code=303)


@post("/app/t/{tenant:str}/grants/{grant_id:uuid}/end", include_in_schema=False, status_code=303)
async def grants_end(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    grant_id: FromPath[uuid.UUID],
) -> Redirect:
    found = await identity.tenant_acting_in(db, actor, Action.GRANTS_MANAGE, tenant)
    await identity.end_grant(db, AuditActor.account(actor.account_id), found, grant_id, by_admin=True)
    return Redirect(same_language(request, f"/app/t/{tenant}/grants"), status_code=303)


@get("/app/t/{tenant:str}/audit", include_in_schema=False)
async def audit_page(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    before: Annotated[int | None, QueryParameter(ge=1, le=MAX_SEQ)] = None,
) -> Template:
    """The tenant's audit log for the data protection officer, newest first, 100 per page; the advisers'
    vault entries only as yearly counts (DESIGN §6)."""
    found = await identity.tenant_acting_in(db, actor, Action.AUDIT_READ, tenant)
    entries = await audit.list_entries(db, found.id, before=before, limit=100)
    return Template(
        "audit.html",
        context={
            **shell_context(request, actor, tenant),
            "entries": entries,
            "older": entries[-1].seq if len(entries) == 100 else None,
            "vault_counts": await audit.vault_entry_counts(db, found.id),
        },
    )


def shell_context(request: Request[Any, Any, Any], actor: Actor, slug: str | None) -> dict[str, Any]:
    """What every professional page's shell needs: words, the organisation switcher, the current one (the
    first, on pages that belong to no single organisation)."""
    organisations = sorted(actor.access.values(), key=lambda a: a.display_name)
    chosen = language(request)
    return {
        **context_for(chosen),
        **INTAKE_NAMES[chosen],
        "w": WORDS[chosen],
        "actor": actor,
        "current": actor.access[slug] if slug else (organisations[0] if organisations else None),
        "organisations": organisations,
    }


ROUTES = (
    home,
    app_start,
    app_tenant,
    grants_page,
    grants_add,
    grants_end,
    audit_page,
)
