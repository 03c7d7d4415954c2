"""The pages of case handling (``/app/t/{tenant}/zaken/…``) and the process guardian's overview
(``/app/procesbewaker``). One case page shows each viewer what their seat allows: the reporting point
routes and seats the panel; a panel member first declares; a declared decision maker or expert sees the
content; the process guardian sees the process only. Forms keep what was typed when something is wrong."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.cases import services
from meldpunt.cases.errors import DeclareFirst, NotOnThePanel
from meldpunt.cases.schemas import LADDER, DeclarationIn, ExclusionIn, MemberIn, RoutingIn, Step
from meldpunt.dossiers.keys import Keyring
from meldpunt.errors import DomainError
from meldpunt.identity import services as identity
from meldpunt.identity.policy import Actor, may
from meldpunt.identity.roles import Action, Role
from meldpunt.retention import services as retention
from meldpunt.web.forms import form_fields
from meldpunt.web.pages import language, same_language, shell_context
from meldpunt.web.pro_texts import CASE_NAMES, COMMUNICATION_TEMPLATES, WORDS


async def _candidates(db: AsyncSession, found: Any) -> dict[str, list[tuple[str, str]]]:
    """Who may sit in each role here: "<tenant>:<account>" and a name."""
    holders = {role: await identity.role_holders(db, found.id, role) for role in services.PANEL_ROLES}
    names = await services.account_names(db, found, [who for people in holders.values() for who in people])
    return {
        role: sorted(((f"{h.tenant_id}:{h.id}", names.get(h.id, str(h.id))) for h in people), key=lambda x: x[1])
        for role, people in holders.items()
    }


async def _case_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    keyring: Keyring,
    actor: Actor,
    slug: str,
    case_id: uuid.UUID,
    *,
    message: str | None = None,
    entered: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    found = await identity.tenant_acting_in(db, actor, Action.CASE_PROCESS, slug)
    who = actor.ref
    is_point = Role.REPORTING_POINT in actor.roles_in(slug)
    seat = await services.may_see_process(db, found, case_id, who, is_point)
    content = None
    if seat is not None and seat.role in services.CONTENT_ROLES and seat.declaration == "not_involved":
        content = await services.read_content(db, keyring, who, found, case_id)
        view = content.process
    else:
        view = await services.process_view(db, found, case_id)
    chosen = language(request)
    return Template(
        "case.html",
        status_code=status_code,
        context={
            **shell_context(request, actor, slug),
            **CASE_NAMES[chosen],
            "view": view,
            "seat": seat,
            "content": content,
            "is_point": is_point,
            "ladder": LADDER,
            "templates": COMMUNICATION_TEMPLATES[chosen],
            "candidates": await _candidates(db, found) if is_point else {},
            "message": message,
            "entered": entered or {},
            "today": date.today(),
        },
    )


@get("/app/t/{tenant:str}/zaken", include_in_schema=False)
async def cases_page(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
) -> Template:
    """The cases here: all of them for the reporting point; the ones with your seat for panel members."""
    found = await identity.tenant_acting_in(db, actor, Action.CASE_PROCESS, tenant)
    every = Role.REPORTING_POINT in actor.roles_in(tenant)
    cases = await services.list_cases(db, found, None if every else actor.ref)
    return Template(
        "cases.html",
        context={
            **shell_context(request, actor, tenant),
            **CASE_NAMES[language(request)],
            "cases": cases,
            "destroyed": await retention.destroyed_cases(db, [found.id]) if every else [],
        },
    )


@get("/app/t/{tenant:str}/zaken/{case_id:uuid}", include_in_schema=False)
async def case_page(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    case_id: FromPath[uuid.UUID],
) -> Template:
    return await _case_page(request, db, keyring, actor, tenant, case_id)


def _step_from(form: dict[str, Any]) -> Step:
    kind = form.get("type", "")
    data: dict[str, Any] = {"type": kind}
    if kind == "weighing":
        every = [option for _, options in LADDER for option in options]
        chosen = [o for o in every if form.get(f"choice_{o}") == "chosen"]
        data.update(
            interpretation=form.get("interpretation", ""),
            goals=_list(form.get("goals")),
            chosen=chosen,
            reasons_rejected={
                o: form.get(f"reason_{o}", "") for o in every if o not in chosen and form.get(f"reason_{o}")
            },
            reporter_input=form.get("reporter_input", ""),
        )
    elif kind == "rights_explained":
        data.update(party=form.get("party"), explained={item: form.get("on") for item in _list(form.get("items"))})
    else:
        for key, value in form.items():
            if key in ("type", "_csrf_token") or value in ("", None):
                continue
            data[key] = (
                {"on": True, "yes": True}.get(value, value)
                if key in ("adviser_offered", "in_writing", "other_reports_known")
                else value
            )
        if "staff_present" in data:
            data["staff_present"] = int(data["staff_present"]) if str(data["staff_present"]).isdigit() else 0
        if kind == "first_conversation":
            data.setdefault("adviser_offered", False)
    step: Step = msgspec.convert(data, Step, strict=False)
    return step


def _list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list) else [value]


def _account(value: Any) -> tuple[str, str]:
    tenant_id, _, account_id = str(value or "").partition(":")
    return tenant_id, account_id


@post("/app/t/{tenant:str}/zaken/{case_id:uuid}/{what:str}", include_in_schema=False, status_code=200)
async def case_act(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    case_id: FromPath[uuid.UUID],
    what: FromPath[str],
) -> Template | Redirect:
    """The forms of the case page; each checks the role here and the seat in the service."""
    form = form_fields(await request.form())
    who = actor.ref
    try:
        if what == "doorzetten":
            found = await identity.tenant_acting_in(db, actor, Action.CASE_ROUTE, tenant)
            data = msgspec.convert(
                {
                    "classified_as": form.get("classified_as") or None,
                    "route": form.get("route") or None,
                    "reason": form.get("reason", ""),
                    "legal_duties": _list(form.get("legal_duties")),
                    "escalation": form.get("escalation") or None,
                    "alternative": form.get("alternative") or None,
                },
                RoutingIn,
            )
            await services.route_case(db, keyring, who, found, case_id, data)
        elif what == "plaats":
            found = await identity.tenant_acting_in(db, actor, Action.CASE_PANEL, tenant)
            account_tenant, account = _account(form.get("account"))
            await services.assign_member(
                db,
                who,
                found,
                case_id,
                msgspec.convert(
                    {"account_tenant_id": account_tenant, "account_id": account, "role": form.get("role")}, MemberIn
                ),
            )
        elif what == "pool":
            found = await identity.tenant_acting_in(db, actor, Action.CASE_PANEL, tenant)
            await services.assign_pooled_guardian(db, who, found, case_id)
        elif what == "uitsluiten":
            found = await identity.tenant_acting_in(db, actor, Action.CASE_PANEL, tenant)
            account_tenant, account = _account(form.get("account"))
            await services.exclude(
                db,
                who,
                found,
                case_id,
                msgspec.convert(
                    {"account_tenant_id": account_tenant, "account_id": account, "reason": form.get("reason")},
                    ExclusionIn,
                ),
            )
        elif what == "verklaring":
            found = await identity.tenant_acting_in(db, actor, Action.CASE_DECLARE, tenant)
            data_declaration = msgspec.convert(
                {"involved": form.get("involved") == "yes", "statement": form.get("statement", "")}, DeclarationIn
            )
            await services.declare(db, keyring, who, found, case_id, data_declaration)
        elif what == "stap":
            found = await identity.tenant_acting_in(db, actor, Action.CASE_DECIDE, tenant)
            await services.record_step(db, keyring, who, found, case_id, _step_from(form))
        elif what == "zorg":
            found = await identity.tenant_acting_in(db, actor, Action.CASE_CONCERN, tenant)
            await services.raise_concern(db, keyring, who, found, case_id, str(form.get("text", "")).strip() or "—")
        elif what == "reactie":
            found = await identity.tenant_acting_in(db, actor, Action.CASE_DECIDE, tenant)
            await services.acknowledge_concern(
                db, keyring, who, found, case_id, uuid.UUID(str(form.get("concern_id"))), str(form.get("response", ""))
            )
        else:
            return Redirect(same_language(request, f"/app/t/{tenant}/zaken/{case_id}"), status_code=303)
    except (msgspec.ValidationError, ValueError):
        return await _case_page(
            request,
            db,
            keyring,
            actor,
            tenant,
            case_id,
            message=WORDS[language(request)]["form_incomplete"],
            entered=form,
            status_code=400,
        )
    except (NotOnThePanel, DeclareFirst):
        raise
    except DomainError as refused:
        if refused.status in (403, 404):
            raise
        await db.rollback()
        return await _case_page(
            request,
            db,
            keyring,
            actor,
            tenant,
            case_id,
            message=refused.detail,
            entered=form,
            status_code=refused.status,
        )
    return Redirect(same_language(request, f"/app/t/{tenant}/zaken/{case_id}"), status_code=303)


@get("/app/procesbewaker", include_in_schema=False)
async def guardian_page(
    request: Request[Any, Any, Any], db: NamedDependency[AsyncSession], actor: NamedDependency[Actor]
) -> Template:
    """Across the organisations this process guardian serves: each guarded case's next deadline and breaches."""
    tenants = await identity.tenants_where(db, actor, Action.CASE_GUARD)
    rows = await services.guarded_cases(db, actor.ref, tenants)
    return Template(
        "guardian.html",
        context={
            **shell_context(request, actor, None),
            **CASE_NAMES[language(request)],
            "rows": rows,
            "may_guard": any(may(actor, Action.CASE_GUARD, slug) for slug in actor.access),
        },
    )


ROUTES = (cases_page, case_page, case_act, guardian_page)
