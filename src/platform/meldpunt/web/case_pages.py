"""The pages of case handling (``/app/t/{tenant}/zaken/…``) and the process guardian's overview
(``/app/procesbewaker``). One case page shows each viewer what their seat allows (``services.case_view``):
the reporting point routes and seats the panel; a panel member first declares; a declared decision maker or
expert sees the content; the process guardian sees the process only. Each form has its own handler, decodes
into the API's struct and calls the API's service; a refusal shows the page again with what was typed."""

from __future__ import annotations

import typing
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.cases import context, services
from meldpunt.cases.controllers import OnCase
from meldpunt.cases.schemas import (
    EVERY_OPTION,
    LADDER,
    AcknowledgementIn,
    ConcernIn,
    DeclarationIn,
    ExclusionIn,
    MemberIn,
    RightsExplained,
    RouteStep,
    RoutingIn,
    Step,
    Weighing,
)
from meldpunt.identity import services as identity
from meldpunt.identity.policy import Actor, may
from meldpunt.identity.roles import Action, Role
from meldpunt.intake import taxonomy
from meldpunt.retention import services as retention
from meldpunt.web.case_timeline import case_timeline, still_open
from meldpunt.web.forms import decode_form
from meldpunt.web.page_forms import case_page_dependencies, submit_on_case
from meldpunt.web.pages import AT_TENANT, AtTenant, language, shell_context
from meldpunt.web.pro_texts import CASE_NAMES, COMMUNICATION_TEMPLATES

Form = dict[str, Any]
Seated = TypeVar("Seated", MemberIn, ExclusionIn)

STEP_KINDS: dict[str, type[msgspec.Struct]] = {kind.__struct_config__.tag: kind for kind in typing.get_args(Step)}
ROUTE_STEP_KINDS: dict[str, type[msgspec.Struct]] = {
    kind.__struct_config__.tag: kind for kind in typing.get_args(RouteStep)
}
TAXONOMY = {
    "structural_risks": taxonomy.STRUCTURAL_RISKS,
    "context_factors": taxonomy.CONTEXT_FACTORS,
    "power_difference": taxonomy.POWER_DIFFERENCES,
    "contract_form": taxonomy.CONTRACT_FORMS,
}
CHECKBOXES = ("adviser_offered", "in_writing", "other_reports_known")  # absent when not ticked


def _seated(form: Form, kind: type[Seated]) -> Seated:
    """A member or an exclusion: the form names the account as "<tenant>:<account>"."""
    tenant_id, _, account_id = str(form.get("account") or "").partition(":")
    return decode_form(form, kind, account_tenant_id=tenant_id, account_id=account_id)


def _step(form: Form, kinds: dict[str, type[msgspec.Struct]] = STEP_KINDS) -> Any:
    """The step of the hidden ``type`` field (a phase-1 step, or with ``kinds`` a route's step); an empty field
    is an absent one (its default applies)."""
    kind = kinds.get(str(form.get("type")))
    if kind is None:
        raise msgspec.ValidationError("Unknown step type - at `$.type`")
    filled = {key: value for key, value in form.items() if value not in ("", None)}
    return decode_form(filled, kind, **_step_choices(kind, form))


def _routing(form: Form) -> RoutingIn:
    """The routing form: each ticked duty's reason in its own field ``duty_reason_<duty>``."""
    ticked = form.get("legal_duties") or []
    duties = ticked if isinstance(ticked, list) else [ticked]
    reasons = {duty: form[f"duty_reason_{duty}"] for duty in duties if form.get(f"duty_reason_{duty}")}
    return decode_form(form, RoutingIn, duty_reasons=reasons)


def _tags(form: Form) -> context.ContextIn:
    """The tag form: ticked boxes per list; an empty choice is none."""

    def ticked(name: str) -> list[str]:
        value = form.get(name) or []
        return value if isinstance(value, list) else [value]

    chosen = {name: form.get(name) or None for name in ("power_difference", "contract_form")}
    lists = {name: ticked(name) for name in ("structural_risks", "context_factors")}
    return decode_form({}, context.ContextIn, **lists, **chosen)


def _step_choices(kind: type[msgspec.Struct], form: Form) -> dict[str, Any]:
    """What a step's form says in its own way: the weighing's choice per option with a reason for each one
    not chosen, the rights explained as the ticked items on one date, a checkbox left unticked."""
    if kind is Weighing:
        chosen = [option for option in EVERY_OPTION if form.get(f"choice_{option}") == "chosen"]
        rejected = {o: form[f"reason_{o}"] for o in EVERY_OPTION if o not in chosen and form.get(f"reason_{o}")}
        return {"chosen": chosen, "reasons_rejected": rejected}
    if kind is RightsExplained:
        items = form.get("items") or []
        return {"explained": {item: form.get("on") for item in (items if isinstance(items, list) else [items])}}
    fields = {field.name for field in msgspec.structs.fields(kind)}
    return {flag: form.get(flag) in ("on", "yes") for flag in CHECKBOXES if flag in fields}


@dataclass(frozen=True)
class CasePage:
    """One case's page for the signed-in viewer in the acting tenant."""

    request: Request[Any, Any, Any]
    on: OnCase

    async def render(self, *, message: str | None = None, entered: Form | None = None, status: int = 200) -> Template:
        on, chosen = self.on, language(self.request)
        view = await services.case_view(on.db, on.keyring, on.who, on.tenant, on.case_id, on.is_point)
        candidates = await services.panel_candidates(on.db, on.tenant) if on.is_point else {}
        seated = {str(s.role) for s in view.process.seats if s.left_at is None}
        timeline = await case_timeline(on, view.process, chosen)
        tags = await context.context_of(on.db, on.who, on.tenant, on.case_id, on.is_point)
        return Template(
            "case.html",
            status_code=status,
            context={
                **shell_context(self.request, on.actor, on.slug),
                **CASE_NAMES[chosen],
                "view": view.process,
                "seat": view.seat,
                "content": view.content,
                "is_point": on.is_point,
                "ladder": LADDER,
                "templates": COMMUNICATION_TEMPLATES[chosen],
                "candidates": {
                    role: [(f"{who.tenant_id}:{who.id}", name) for who, name in people]
                    for role, people in candidates.items()
                },
                "message": message,
                "entered": entered or {},
                "today": date.today(),
                "care_sector": services.is_care_sector(on.tenant),
                "owned": lambda deadline: services.owned(deadline, seated),
                "timeline": timeline.ordered(),
                "still_open": still_open(chosen, view.process.deadlines),
                "tags": context.context_out(tags),
                "taxonomy": TAXONOMY,
            },
        )

    async def submit(self, act: Callable[[Form], Awaitable[object]]) -> Template | Redirect:
        """Do what the form asks (``act`` decodes it and calls the service), then back to the case."""
        return await submit_on_case(self, act, f"/app/t/{self.on.slug}/zaken/{self.on.case_id}")


class CasePagesController(Controller):
    """The cases of one organisation and one case's page with its forms, each with the action it needs."""

    path = "/app/t/{tenant:str}/zaken"
    include_in_schema = False
    dependencies = {**case_page_dependencies(CasePage), **AT_TENANT}  # noqa: RUF012 - read once by Litestar

    @get("/", action=Action.CASE_PROCESS)
    async def cases_page(self, at: NamedDependency[AtTenant]) -> Template:
        """The cases here: all of them for the reporting point; the ones with your seat for panel members."""
        actor, acting = at.actor, at.acting
        every = Role.REPORTING_POINT in actor.roles_in(acting.slug)
        return Template(
            "cases.html",
            context={
                **at.shell(),
                **CASE_NAMES[language(at.request)],
                "cases": await services.list_cases(at.db, acting, None if every else actor.ref),
                "destroyed": await retention.destroyed_cases(at.db, [acting.id]) if every else [],
            },
        )

    @get("/{case_id:uuid}", action=Action.CASE_PROCESS)
    async def case_page(self, page: NamedDependency[CasePage]) -> Template:
        return await page.render()

    @post("/{case_id:uuid}/doorzetten", status_code=200, action=Action.CASE_ROUTE)
    async def route_case(self, page: NamedDependency[CasePage], on: NamedDependency[OnCase]) -> Template | Redirect:
        """Classify and route the case (the API's RouteCase)."""
        return await page.submit(
            lambda form: services.route_case(on.db, on.keyring, on.who, on.tenant, on.case_id, _routing(form))
        )

    @post("/{case_id:uuid}/routestap", status_code=200, action=Action.CASE_ROUTE)
    async def record_route_step(
        self, page: NamedDependency[CasePage], on: NamedDependency[OnCase]
    ) -> Template | Redirect:
        """A step of a route without a panel, by the form's hidden ``type`` (RecordRouteStep)."""
        return await page.submit(
            lambda form: services.record_route_step(
                on.db, on.keyring, on.who, on.tenant, on.case_id, _step(form, ROUTE_STEP_KINDS)
            )
        )

    @post("/{case_id:uuid}/plaats", status_code=200, action=Action.CASE_PANEL)
    async def seat_member(self, page: NamedDependency[CasePage], on: NamedDependency[OnCase]) -> Template | Redirect:
        """Seat someone chosen from the holders of a panel role (SeatPanelMember)."""
        return await page.submit(
            lambda form: services.assign_member(on.db, on.who, on.tenant, on.case_id, _seated(form, MemberIn))
        )

    @post("/{case_id:uuid}/pool", status_code=200, action=Action.CASE_PANEL)
    async def seat_pooled_guardian(
        self, page: NamedDependency[CasePage], on: NamedDependency[OnCase]
    ) -> Template | Redirect:
        """A process guardian from the branch's pool (SeatPooledGuardian)."""
        return await page.submit(lambda _: services.assign_pooled_guardian(on.db, on.who, on.tenant, on.case_id))

    @post("/{case_id:uuid}/uitsluiten", status_code=200, action=Action.CASE_PANEL)
    async def exclude(self, page: NamedDependency[CasePage], on: NamedDependency[OnCase]) -> Template | Redirect:
        """Keep someone out of the case (ExcludeFromCase)."""
        return await page.submit(
            lambda form: services.exclude(on.db, on.who, on.tenant, on.case_id, _seated(form, ExclusionIn))
        )

    @post("/{case_id:uuid}/verklaring", status_code=200, action=Action.CASE_DECLARE)
    async def declare(self, page: NamedDependency[CasePage], on: NamedDependency[OnCase]) -> Template | Redirect:
        """The written declaration of a panel member (Declare)."""
        return await page.submit(
            lambda form: services.declare(
                on.db, on.keyring, on.who, on.tenant, on.case_id, decode_form(form, DeclarationIn)
            )
        )

    @post("/{case_id:uuid}/stap", status_code=200, action=Action.CASE_DECIDE)
    async def record_step(self, page: NamedDependency[CasePage], on: NamedDependency[OnCase]) -> Template | Redirect:
        """A phase-1 step, by the form's hidden ``type`` (RecordStep)."""
        return await page.submit(
            lambda form: services.record_step(on.db, on.keyring, on.who, on.tenant, on.case_id, _step(form))
        )

    @post("/{case_id:uuid}/context", status_code=200, action=Action.CASE_DECIDE)
    async def tag_context(self, page: NamedDependency[CasePage], on: NamedDependency[OnCase]) -> Template | Redirect:
        """The case's context tags for the sector trends (TagCaseContext): ticked codes, two choices."""
        return await page.submit(lambda form: context.set_context(on.db, on.who, on.tenant, on.case_id, _tags(form)))

    @post("/{case_id:uuid}/zorg", status_code=200, action=Action.CASE_CONCERN)
    async def raise_concern(self, page: NamedDependency[CasePage], on: NamedDependency[OnCase]) -> Template | Redirect:
        """A process guardian's concern (RaiseConcern)."""
        return await page.submit(
            lambda form: services.raise_concern(
                on.db, on.keyring, on.who, on.tenant, on.case_id, decode_form(form, ConcernIn).text
            )
        )

    @post("/{case_id:uuid}/reactie", status_code=200, action=Action.CASE_DECIDE)
    async def acknowledge_concern(
        self, page: NamedDependency[CasePage], on: NamedDependency[OnCase]
    ) -> Template | Redirect:
        """The decision maker's answer to a concern (AcknowledgeConcern)."""
        return await page.submit(
            lambda form: services.acknowledge_concern(
                on.db,
                on.keyring,
                on.who,
                on.tenant,
                on.case_id,
                uuid.UUID(str(form.get("concern_id"))),
                decode_form(form, AcknowledgementIn).response,
            )
        )


class GuardianPageController(Controller):
    """The process guardian's overview, across tenants (``tenants_where``: no one path tenant, no ``acting``)."""

    path = "/app/procesbewaker"
    include_in_schema = False

    @get("/", action=Action.CASE_GUARD)
    async def guardian_page(
        self, request: Request[Any, Any, Any], db: NamedDependency[AsyncSession], actor: NamedDependency[Actor]
    ) -> Template:
        """Across the organisations this process guardian serves: each guarded case's next deadline and breaches."""
        tenants = await identity.tenants_where(db, actor, Action.CASE_GUARD)
        return Template(
            "guardian.html",
            context={
                **shell_context(request, actor, None),
                **CASE_NAMES[language(request)],
                "rows": await services.guarded_cases(db, actor.ref, tenants),
                "may_guard": any(may(actor, Action.CASE_GUARD, slug) for slug in actor.access),
            },
        )


ROUTES = (CasePagesController, GuardianPageController)
