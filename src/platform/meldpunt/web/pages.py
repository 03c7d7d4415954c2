"""HTML pages shared by all modules: the landing page and the professional shell at ``/app``."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.identity.policy import Actor, require
from meldpunt.identity.roles import Action
from meldpunt.identity.services import load_actor
from meldpunt.identity.sessions import SESSION_COOKIE, SessionStore
from meldpunt.tenancy.models import Tenant
from meldpunt.web.i18n import context_for, language_of


def language(request: Request[Any, Any, Any]) -> str:
    return language_of(request.query_params.get("lang"), request.headers.get("accept-language"))


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
    current = require(actor, Action.TENANT_VIEW, tenant)
    organisations = sorted(actor.access.values(), key=lambda access: access.display_name)
    return Template(
        "shell.html",
        context={**context_for(language(request)), "actor": actor, "current": current, "organisations": organisations},
    )


ROUTES = (home, app_start, app_tenant)
