"""HTML pages shared by all modules: the landing page and the professional shell at ``/app``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any, NamedTuple

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit import services as audit
from meldpunt.audit.models import MAX_SEQ
from meldpunt.audit.services import AuditActor
from meldpunt.catalogues import text
from meldpunt.errors import DomainError
from meldpunt.identity import services as identity
from meldpunt.identity.policy import Actor, may
from meldpunt.identity.roles import Action, Role
from meldpunt.identity.schemas import GrantIn
from meldpunt.identity.services import load_actor
from meldpunt.identity.sessions import SESSION_COOKIE, SessionStore
from meldpunt.tenancy.models import Tenant
from meldpunt.web.forms import decode_form, form_fields
from meldpunt.web.i18n import context_for, in_language, language_of
from meldpunt.web.pro_texts import INTAKE_NAMES, WORDS


def language(request: Request[Any, Any, Any]) -> str:
    return language_of(request.query_params.get("lang"), request.headers.get("accept-language"))


def same_language(request: Request[Any, Any, Any], path: str) -> str:
    """Where to send the browser after a form: ``path`` in the language the form was sent in."""
    return in_language(path, language(request))


class StartPages(Controller):
    """The deployment's front page and the way into the professional pages."""

    path = "/"
    include_in_schema = False

    @get("/")
    async def home(self, request: Request[Any, Any, Any], db: NamedDependency[AsyncSession]) -> Template:
        """The deployment's front page: its reporting points, and sign-in for professionals per organisation."""
        rows = await db.execute(
            select(Tenant).where(Tenant.archived_at.is_(None)).order_by(Tenant.kind, Tenant.display_name)
        )
        tenants = rows.scalars().all()
        members = [tenant for tenant in tenants if tenant.kind == "member"]
        return Template("home.html", context={**context_for(language(request)), "tenants": tenants, "members": members})

    @get("/app")
    async def app_start(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        sessions: NamedDependency[SessionStore],
    ) -> Redirect | Template:
        """To the first organisation the grants allow; without a session to the front page."""
        session = await sessions.load(request.cookies.get(SESSION_COOKIE))
        actor = await load_actor(db, session.account_tenant_id, session.account_id) if session else None
        if actor is None:
            return Redirect("/", status_code=303)
        if not actor.access:
            context = context_for(language(request))
            words = context["t"]
            return Template(
                "message.html",
                context={**context, "title": words["your_organisations"], "detail": words["no_organisations"]},
            )
        first = min(actor.access.values(), key=lambda access: access.display_name)
        return Redirect(f"/app/t/{first.slug}", status_code=303)


# What the shell links to, by the action its page needs (the template's names).
SHELL_LINKS = {
    "may_view_grants": Action.GRANTS_VIEW,
    "may_read_audit": Action.AUDIT_READ,
    "may_list_submissions": Action.INTAKE_LIST,
    "may_use_vault": Action.VAULT_USE,
    "may_read_signals": Action.SIGNALS_READ,
    "may_handle_cases": Action.CASE_PROCESS,
    "may_guard": Action.CASE_GUARD,
    "may_carry_out": Action.INTERVENTION_CARRY_OUT,
    "may_read_trends": Action.TRENDS_READ,
    "may_see_figures": Action.MEMBER_FIGURES,
    "may_investigate": Action.INVESTIGATION_CARRY_OUT,
    "may_see_complaints": Action.COMPLAINT_PROCESS,
    "may_report_complaints": Action.COMPLAINT_REPORT,
    "may_read_sector_report": Action.SECTOR_REPORT,
}


@dataclass(frozen=True)
class AtTenant:
    """A signed-in professional on a page of the acting tenant (the route's action checked by ``acting``)."""

    request: Request[Any, Any, Any]
    db: AsyncSession
    actor: Actor
    acting: Tenant

    def shell(self) -> dict[str, Any]:
        return shell_context(self.request, self.actor, self.acting.slug)

    def back(self, where: str) -> Redirect:
        """After a form: to ``where`` below the tenant, in the language the form was sent in."""
        return Redirect(same_language(self.request, f"/app/t/{self.acting.slug}{where}"), status_code=303)


def provide_at_tenant(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    actor: NamedDependency[Actor],
    acting: NamedDependency[Tenant],
) -> AtTenant:
    return AtTenant(request, db, actor, acting)


# What a tenant page's controller declares: ``dependencies = AT_TENANT`` gives its handlers ``at: AtTenant``.
AT_TENANT = {"at": Provide(provide_at_tenant, sync_to_thread=False)}


class TenantPages(Controller):
    """One organisation's shell, its grants (tenant_admin, dpo) and its audit log (dpo)."""

    path = "/app/t/{tenant:str}"
    include_in_schema = False
    dependencies = AT_TENANT

    @get("/", action=Action.TENANT_VIEW)
    async def app_tenant(self, at: NamedDependency[AtTenant]) -> Template:
        """The shell of one organisation: the switcher lists exactly the tenants the grants allow."""
        links = {name: may(at.actor, action, at.acting.slug) for name, action in SHELL_LINKS.items()}
        links["may_read_sector_report"] &= at.acting.kind == "branch"  # only a branch has a sector report
        return Template("shell.html", context={**at.shell(), **links})

    @get("/grants", action=Action.GRANTS_VIEW)
    async def grants_page(self, at: NamedDependency[AtTenant]) -> Template:
        """Who holds which role here, since when and until when (tenant_admin, dpo)."""
        return await grants_view(at)

    @post("/grants", action=Action.GRANTS_MANAGE, status_code=303)
    async def grants_add(self, at: NamedDependency[AtTenant]) -> Redirect | Template:
        """Give a role from the form; on a refusal the page comes back with the reason and the choice kept."""
        fields = form_fields(await at.request.form())
        fields.pop("_csrf_token", None)
        said = language(at.request)
        try:
            wanted = decode_form(fields, GrantIn)
        except msgspec.ValidationError:
            return await grants_view(at, Refusal(text(said, "site.choose_person_and_role"), 400), fields)
        try:
            await identity.grant_by_admin(at.db, AuditActor.account(at.actor.account_id), at.acting, wanted)
        except DomainError as error:
            await at.db.rollback()
            await at.db.refresh(at.acting)  # the rollback expired it; the page reads it again
            return await grants_view(at, Refusal(error.detail_in(said), error.status), fields)
        return at.back("/grants")

    @post("/grants/{grant_id:uuid}/end", action=Action.GRANTS_MANAGE, status_code=303)
    async def grants_end(self, at: NamedDependency[AtTenant], grant_id: FromPath[uuid.UUID]) -> Redirect:
        """End a grant an admin gave, now; the list shows it ended."""
        await identity.end_grant(at.db, AuditActor.account(at.actor.account_id), at.acting, grant_id, by_admin=True)
        return at.back("/grants")

    @get("/audit", action=Action.AUDIT_READ)
    async def audit_page(
        self, at: NamedDependency[AtTenant], before: Annotated[int | None, QueryParameter(ge=1, le=MAX_SEQ)] = None
    ) -> Template:
        """The tenant's audit log for the data protection officer, newest first, 100 per page; the advisers'
        vault entries only as yearly counts (DESIGN §6)."""
        entries = await audit.list_entries(at.db, at.acting.id, before=before, limit=100)
        return Template(
            "audit.html",
            context={
                **at.shell(),
                "entries": entries,
                "older": entries[-1].seq if len(entries) == 100 else None,
                "vault_counts": await audit.vault_entry_counts(at.db, at.acting.id),
            },
        )


class Refusal(NamedTuple):
    """Why the grants form was refused, shown above it, and the status the page comes back with."""

    message: str
    status: int


async def grants_view(at: AtTenant, refusal: Refusal | None = None, entered: dict[str, Any] | None = None) -> Template:
    tenant = at.acting
    return Template(
        "grants.html",
        status_code=refusal.status if refusal else 200,
        context={
            **at.shell(),
            "tenant": tenant,
            "grants": await identity.list_grants(at.db, tenant),
            "accounts": await identity.accounts_for(at.db, tenant),
            "roles": [role.value for role in Role],
            "may_manage": may(at.actor, Action.GRANTS_MANAGE, tenant.slug),
            "message": refusal.message if refusal else None,
            "entered": entered or {},
            "now": identity.now(),
        },
    )


def shell_context(request: Request[Any, Any, Any], actor: Actor, slug: str | None) -> dict[str, Any]:
    """What every professional page's shell needs: words, the organisation switcher, the current one (the
    first, on pages that belong to no single organisation)."""
    organisations = sorted(actor.access.values(), key=lambda a: a.display_name)
    chosen = language(request)
    current = actor.access[slug] if slug else (organisations[0] if organisations else None)
    return {
        **context_for(chosen),
        **INTAKE_NAMES[chosen],
        "w": WORDS[chosen],
        "actor": actor,
        "current": current,
        "organisations": organisations,
        # Whether the actor may do an action in the current organisation (a link shown only to who may follow it).
        "may_here": lambda action: current is not None and may(actor, action, current.slug),
    }


ROUTES = (StartPages, TenantPages)
