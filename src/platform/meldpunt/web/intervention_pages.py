"""The pages of phase 2. A case's follow-ups (``/app/t/{tenant}/zaken/{case}/opvolging``): its declared
decision maker starts what the weighing chose, seats who carries it out, records the preparation and stops;
whoever sees the case's process sees the follow-ups' process facts and deadlines there. The seated person's
own assignments (``/app/t/{tenant}/opdrachten``, "Mijn opdrachten") and one assignment's page with their
declaration, that it was held, its outcome and a denial. Each form has its own handler, decodes into the
API's struct and calls the API's service; a refusal shows the page again with what was typed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from meldpunt.cases.controllers import OnCase
from meldpunt.cases.schemas import DeclarationIn
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.identity.roles import Action
from meldpunt.intake.attachments import MAX_REQUEST_BYTES, check_uploads
from meldpunt.intake.uploads import read_posted_form
from meldpunt.interventions import services
from meldpunt.interventions.controllers import at
from meldpunt.interventions.models import CARRIED_OUT_BY, ENDED, InterventionKind
from meldpunt.interventions.schemas import (
    Agreement,
    BemiddelingDone,
    BemiddelingPrepared,
    Completion,
    CorrectiveDone,
    CorrectivePrepared,
    DenialIn,
    GroupDone,
    GroupPrepared,
    HeldIn,
    InformalDone,
    InformalPrepared,
    MediationDone,
    MediationPrepared,
    PlanIn,
    Preparation,
    SeatIn,
    StopIn,
)
from meldpunt.web.forms import decode_form
from meldpunt.web.page_forms import case_page_dependencies, submit_on_case
from meldpunt.web.pages import AT_TENANT, AtTenant, shell_context

Form = dict[str, Any]
PREPARATIONS: dict[str, type[msgspec.Struct]] = {
    kind.__struct_config__.tag: kind  # type: ignore[misc]
    for kind in (InformalPrepared, CorrectivePrepared, GroupPrepared, BemiddelingPrepared, MediationPrepared)
}
COMPLETIONS: dict[str, type[msgspec.Struct]] = {
    kind.__struct_config__.tag: kind  # type: ignore[misc]
    for kind in (InformalDone, CorrectiveDone, GroupDone, BemiddelingDone, MediationDone)
}
TICKS = ("may_bring_someone_told", "leaders_presence_checked", "principles_agreed")  # absent when not ticked
AGREEMENT_ROWS = 3


def _filled(form: Form) -> Form:
    return {key: value for key, value in form.items() if value not in ("", None)}


def preparation_of(form: Form, kind: InterventionKind) -> Preparation:
    """The kind's preparation from its form: its ticked boxes as yes or no."""
    struct = PREPARATIONS[kind.value]
    fields = {field.name for field in msgspec.structs.fields(struct)}
    ticks = {tick: form.get(tick) in ("on", "yes") for tick in TICKS if tick in fields}
    return decode_form(_filled(form), struct, **ticks)  # type: ignore[return-value]


def completion_of(form: Form, kind: InterventionKind) -> Completion:
    """The kind's outcome from its form: a group's agreements as numbered rows of text and monitoring date."""
    struct = COMPLETIONS[kind.value]
    given: dict[str, Any] = {}
    if struct is GroupDone:
        rows = [(form.get(f"agreement_{i}"), form.get(f"monitor_on_{i}")) for i in range(1, AGREEMENT_ROWS + 1)]
        given["agreements"] = [
            msgspec.convert({"text": said, "monitor_on": on}, Agreement, strict=False) for said, on in rows if said
        ]
    return decode_form(_filled(form), struct, **given)  # type: ignore[return-value]


def held_of(form: Form) -> HeldIn:
    return decode_form(_filled(form), HeldIn)


def seat_of_form(form: Form) -> SeatIn:
    """A seat: the form names the account as "<tenant>:<account>"."""
    tenant_id, _, account_id = str(form.get("account") or "").partition(":")
    return decode_form(_filled(form), SeatIn, account_tenant_id=tenant_id, account_id=account_id)


@dataclass(frozen=True)
class FollowUpPage:
    """One case's follow-ups for the signed-in viewer."""

    request: Request[Any, Any, Any]
    on: OnCase

    @property
    def here(self) -> str:
        return f"/app/t/{self.on.slug}/zaken/{self.on.case_id}/opvolging"

    async def render(self, *, message: str | None = None, entered: Form | None = None, status: int = 200) -> Template:
        on = self.on
        found = await services.follow_ups(at(on), on.is_point)
        candidates = await services.seat_candidates(on.db, on.tenant) if found.manages else {}
        return Template(
            "case_interventions.html",
            status_code=status,
            context={
                **shell_context(self.request, on.actor, on.slug),
                "case_id": on.case_id,
                "here": self.here,
                "found": found,
                "ended": ENDED,
                "carried_out_by": {
                    kind.value: [role.value for role in roles] for kind, roles in CARRIED_OUT_BY.items()
                },
                "candidates": {
                    role: [(f"{who.tenant_id}:{who.id}", name) for who, name in people]
                    for role, people in candidates.items()
                },
                "message": message,
                "entered": entered or {},
                "today": date.today(),
            },
        )

    async def submit(self, act: Any) -> Template | Redirect:
        return await submit_on_case(self, act, self.here)


class FollowUpPages(Controller):
    path = "/app/t/{tenant:str}/zaken/{case_id:uuid}/opvolging"
    include_in_schema = False
    dependencies = case_page_dependencies(FollowUpPage)

    @get("/", action=Action.CASE_PROCESS)
    async def show(self, page: NamedDependency[FollowUpPage]) -> Template:
        return await page.render()

    @post("/", status_code=200, action=Action.INTERVENTION_MANAGE)
    async def start(self, page: NamedDependency[FollowUpPage], on: NamedDependency[OnCase]) -> Template | Redirect:
        """Start a chosen follow-up (StartIntervention)."""
        return await page.submit(lambda form: services.start(at(on), decode_form(_filled(form), PlanIn)))

    @post("/{intervention_id:uuid}/plaats", status_code=200, action=Action.INTERVENTION_MANAGE)
    async def seat(
        self, page: NamedDependency[FollowUpPage], on: NamedDependency[OnCase], intervention_id: FromPath[uuid.UUID]
    ) -> Template | Redirect:
        """Seat who carries it out, for a time (SeatInterventionPerson)."""
        return await page.submit(lambda form: services.seat(at(on), intervention_id, seat_of_form(form)))

    @post("/{intervention_id:uuid}/voorbereiding", status_code=200, action=Action.INTERVENTION_MANAGE)
    async def prepare(
        self, page: NamedDependency[FollowUpPage], on: NamedDependency[OnCase], intervention_id: FromPath[uuid.UUID]
    ) -> Template | Redirect:
        """The kind's preconditions, by the form's hidden ``type`` (PrepareIntervention)."""
        return await page.submit(
            lambda form: services.prepare(
                at(on),
                intervention_id,
                preparation_of(form, InterventionKind(str(form.get("type")))),
            )
        )

    @post("/{intervention_id:uuid}/stoppen", status_code=200, action=Action.INTERVENTION_MANAGE)
    async def stop(
        self, page: NamedDependency[FollowUpPage], on: NamedDependency[OnCase], intervention_id: FromPath[uuid.UUID]
    ) -> Template | Redirect:
        """End it before its outcome, with a reason (StopIntervention)."""
        return await page.submit(lambda form: services.stop(at(on), intervention_id, decode_form(form, StopIn)))


class AssignmentsPage(Controller):
    """Mijn opdrachten: the follow-ups the signed-in person is seated for here."""

    path = "/app/t/{tenant:str}/opdrachten"
    include_in_schema = False
    dependencies = AT_TENANT

    @get("/", action=Action.INTERVENTION_CARRY_OUT)
    async def assignments(self, at: NamedDependency[AtTenant]) -> Template:
        return Template(
            "assignments.html",
            context={**at.shell(), "assignments": await services.assignments(at.db, at.actor.ref, at.acting)},
        )


@dataclass(frozen=True)
class AssignmentPage:
    """One assignment for the person seated for it: their brief and their forms."""

    request: Request[Any, Any, Any]
    on: OnCase

    def here(self, intervention_id: uuid.UUID) -> str:
        return f"/app/t/{self.on.slug}/opdrachten/{self.on.case_id}/{intervention_id}"

    @property
    def intervention_id(self) -> uuid.UUID:
        return uuid.UUID(str(self.request.path_params["intervention_id"]))

    async def render(self, *, message: str | None = None, entered: Form | None = None, status: int = 200) -> Template:
        on = self.on
        brief = await services.brief(at(on), self.intervention_id)
        return Template(
            "assignment.html",
            status_code=status,
            context={
                **shell_context(self.request, on.actor, on.slug),
                "here": self.here(self.intervention_id),
                "brief": brief,
                "leads": services.leads(brief.intervention, brief.seat),
                "rows": range(1, AGREEMENT_ROWS + 1),
                "message": message,
                "entered": entered or {},
                "today": date.today(),
            },
        )

    async def submit(self, act: Any, posted: Form | None = None) -> Template | Redirect:
        return await submit_on_case(self, act, self.here(self.intervention_id), posted=posted)


class AssignmentPages(Controller):
    path = "/app/t/{tenant:str}/opdrachten/{case_id:uuid}/{intervention_id:uuid}"
    include_in_schema = False
    dependencies = case_page_dependencies(AssignmentPage)

    @get("/", action=Action.INTERVENTION_CARRY_OUT)
    async def show(self, page: NamedDependency[AssignmentPage]) -> Template:
        return await page.render()

    @post("/verklaring", status_code=200, action=Action.INTERVENTION_CARRY_OUT)
    async def declare(self, page: NamedDependency[AssignmentPage], on: NamedDependency[OnCase]) -> Template | Redirect:
        """The seated person's written declaration (DeclareForIntervention)."""
        return await page.submit(
            lambda form: services.declare(
                at(on),
                page.intervention_id,
                decode_form(form, DeclarationIn, involved=form.get("involved") == "yes"),
            )
        )

    @post("/gehouden", status_code=200, action=Action.INTERVENTION_CARRY_OUT)
    async def held(self, page: NamedDependency[AssignmentPage], on: NamedDependency[OnCase]) -> Template | Redirect:
        """It took place, with one's own notes (InterventionHeld)."""
        return await page.submit(
            lambda form: services.hold(
                at(on),
                page.intervention_id,
                decode_form(_filled(form), HeldIn),
            )
        )

    @post("/afronden", status_code=200, action=Action.INTERVENTION_CARRY_OUT)
    async def complete(
        self, page: NamedDependency[AssignmentPage], on: NamedDependency[OnCase], store: NamedDependency[ObjectStore]
    ) -> Template | Redirect:
        """The outcome, by the form's hidden ``type`` (CompleteIntervention)."""
        return await page.submit(
            lambda form: services.complete(
                at(on),
                store,
                page.intervention_id,
                completion_of(form, InterventionKind(str(form.get("type")))),
            )
        )

    @post(
        "/overeenkomst", status_code=200, action=Action.INTERVENTION_CARRY_OUT, request_max_body_size=MAX_REQUEST_BYTES
    )
    async def agreement(
        self, page: NamedDependency[AssignmentPage], on: NamedDependency[OnCase], store: NamedDependency[ObjectStore]
    ) -> Template | Redirect:
        """A mediation's signed agreement, one file (AttachSignedAgreement)."""
        posted = await read_posted_form(page.request, "agreement")

        async def attach(_: Form) -> None:
            await services.attach_agreement(at(on), store, page.intervention_id, await check_uploads(posted.files))

        return await page.submit(attach, {key: posted.get(key) for key in posted.fields})

    @post("/ontkenning", status_code=200, action=Action.INTERVENTION_CARRY_OUT)
    async def deny(self, page: NamedDependency[AssignmentPage], on: NamedDependency[OnCase]) -> Template | Redirect:
        """The accused denies: back to the panel (InterventionDenied)."""
        return await page.submit(lambda form: services.deny(at(on), page.intervention_id, decode_form(form, DenialIn)))


ROUTES = (FollowUpPages, AssignmentsPage, AssignmentPages)
