"""Phase 2 as JSON under ``/api/v1/t/{tenant}/cases/{case}/interventions…`` and the seated person's own
assignments under ``/api/v1/t/{tenant}/assignments``. The role is checked here (identity.policy); the panel
seat, the intervention's seat, its time and the declaration in the services."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.cases.controllers import OnCase, deadline_out, provide_on_case
from meldpunt.cases.follow_up import At
from meldpunt.cases.schemas import DeclarationIn
from meldpunt.db.rows import from_row
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.identity.policy import Actor
from meldpunt.identity.roles import Action
from meldpunt.intake.attachments import MAX_FILE_BYTES, MAX_REQUEST_BYTES, allowed_text, check_uploads
from meldpunt.intake.uploads import read_posted_form
from meldpunt.interventions import services
from meldpunt.interventions.models import InterventionSeat
from meldpunt.interventions.schemas import (
    AssignmentOut,
    BriefOut,
    Completion,
    DenialIn,
    HeldIn,
    InterventionOut,
    InterventionProcessOut,
    PlanIn,
    Preparation,
    SeatIn,
    SeatOut,
    StopIn,
)
from meldpunt.tenancy.models import Tenant


def at(on: OnCase) -> At:
    """The services' view of the path's case for the signed-in actor."""
    return At(on.db, on.keyring, on.who, on.tenant, on.case_id)


def seat_out(seat: InterventionSeat, names: dict[uuid.UUID, str]) -> SeatOut:
    now = datetime.now(UTC)
    active = seat.left_at is None and seat.valid_from <= now <= seat.valid_to
    return from_row(SeatOut, seat, name=names.get(seat.account_id, ""), active=active)


def process_out(view: services.InterventionView) -> InterventionProcessOut:
    return from_row(
        InterventionProcessOut,
        view.intervention,
        seats=[seat_out(s, view.names) for s in view.seats],
        deadlines=[deadline_out(d) for d in view.deadlines],
    )


def intervention_out(view: services.InterventionView) -> InterventionOut:
    return InterventionOut(process=process_out(view), content=view.content or {})


def brief_out(brief: services.Brief, slug: str) -> BriefOut:
    intervention, seat = brief.intervention, brief.seat
    return BriefOut(
        tenant=slug,
        case_id=intervention.case_id,
        intervention_id=intervention.id,
        kind=intervention.kind,
        status=intervention.status,
        role=seat.role,
        leads=services.leads(intervention, seat),
        due_at=intervention.due_at,
        valid_to=seat.valid_to,
        declared=seat.declaration is not None,
        agreed_points=brief.agreed_points,
        own_notes=brief.own_notes,
        agreement_on_file=intervention.kind == "mediation" and intervention.document_id is not None,
    )


def assignment_out(found: services.Assignment) -> AssignmentOut:
    intervention, seat = found.intervention, found.seat
    return AssignmentOut(
        tenant=found.tenant.slug,
        case_id=intervention.case_id,
        intervention_id=intervention.id,
        kind=intervention.kind,
        status=intervention.status,
        role=seat.role,
        valid_to=seat.valid_to,
        declared=seat.declaration is not None,
    )


@dataclass
class _AgreementUpload(Operation):
    """Documents the multipart body, which the handler reads itself (in memory, within limits)."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description=f"One file, the signed agreement, of at most {MAX_FILE_BYTES // 1024 // 1024} MB "
            f"({allowed_text('en')}).",
            content={
                "multipart/form-data": OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.OBJECT,
                        required=["agreement"],
                        properties={"agreement": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)},
                    )
                )
            },
        )


def _on_one(path: str, operation_id: str, action: Action) -> post:
    """A POST on one intervention of the case (``…/{intervention_id}/<path>``), answering 201."""
    return post(f"/{{intervention_id:uuid}}/{path}", operation_id=operation_id, status_code=201, action=action)


class InterventionsController(Controller):
    """A case's follow-ups: the decision maker starts, seats, prepares and stops; who is seated declares,
    reads their brief, records that it was held, its outcome, or the accused's denial."""

    path = "/api/v1/t/{tenant:str}/cases/{case_id:uuid}/interventions"
    tags = ("interventions",)
    dependencies = {"on": Provide(provide_on_case)}  # noqa: RUF012 - read once by Litestar, never changed

    async def _one(
        self, on: OnCase, intervention_id: uuid.UUID, done: Awaitable[object] | None = None
    ) -> InterventionOut:
        """The decision maker's view of the intervention, once ``done`` (a service call) has been done."""
        if done is not None:
            await done
        return intervention_out(await services.one(at(on), intervention_id))

    async def _brief(self, on: OnCase, intervention_id: uuid.UUID, done: Awaitable[object] | None = None) -> BriefOut:
        """The seated person's brief, once ``done`` (a service call) has been done."""
        if done is not None:
            await done
        return brief_out(await services.brief(at(on), intervention_id), on.slug)

    @get("/", operation_id="ListInterventions", action=Action.INTERVENTION_MANAGE)
    async def list_interventions(self, on: NamedDependency[OnCase]) -> list[InterventionOut]:
        """Every follow-up of the case with what was said in it, for the declared decision maker (audited)."""
        return [intervention_out(v) for v in await services.read_all(at(on))]

    @get("/process", operation_id="InterventionsProcess", action=Action.CASE_PROCESS)
    async def interventions_process(self, on: NamedDependency[OnCase]) -> list[InterventionProcessOut]:
        """The follow-ups' process facts, seats and deadlines, for whoever sees the case's process. No content."""
        return [process_out(v) for v in await services.process(at(on), on.is_point)]

    @post("/", operation_id="StartIntervention", status_code=201, action=Action.INTERVENTION_MANAGE)
    async def start(self, on: NamedDependency[OnCase], data: JSONBody[PlanIn]) -> InterventionOut:
        """Start a follow-up the weighing chose (seed-000 §3.1): in parallel, or after another (``after_id``)."""
        started = await services.start(at(on), data)
        return await self._one(on, started.id)

    @_on_one("seats", "SeatInterventionPerson", Action.INTERVENTION_MANAGE)
    async def seat(
        self, on: NamedDependency[OnCase], intervention_id: FromPath[uuid.UUID], data: JSONBody[SeatIn]
    ) -> InterventionOut:
        """Seat a line manager, third person (HR), facilitator or mediator for a time."""
        return await self._one(on, intervention_id, services.seat(at(on), intervention_id, data))

    @_on_one("preparation", "PrepareIntervention", Action.INTERVENTION_MANAGE)
    async def prepare(
        self, on: NamedDependency[OnCase], intervention_id: FromPath[uuid.UUID], data: JSONBody[Preparation]
    ) -> InterventionOut:
        """The kind's preconditions, tagged by ``type`` (the kind): consents, what may be shared, the purpose told."""
        return await self._one(on, intervention_id, services.prepare(at(on), intervention_id, data))

    @_on_one("stop", "StopIntervention", Action.INTERVENTION_MANAGE)
    async def stop(
        self, on: NamedDependency[OnCase], intervention_id: FromPath[uuid.UUID], data: JSONBody[StopIn]
    ) -> InterventionOut:
        return await self._one(on, intervention_id, services.stop(at(on), intervention_id, data))

    @_on_one("declaration", "DeclareForIntervention", Action.INTERVENTION_CARRY_OUT)
    async def declare(
        self, on: NamedDependency[OnCase], intervention_id: FromPath[uuid.UUID], data: JSONBody[DeclarationIn]
    ) -> BriefOut:
        """The seated person's written declaration, for this case, before anything of it."""
        declared = await services.declare(at(on), intervention_id, data)
        return brief_out(declared, on.slug)

    @get("/{intervention_id:uuid}/brief", operation_id="InterventionBrief", action=Action.INTERVENTION_CARRY_OUT)
    async def brief(self, on: NamedDependency[OnCase], intervention_id: FromPath[uuid.UUID]) -> BriefOut:
        """What the seated person's part needs: the points the reporter agreed may be shared (audited)."""
        return await self._brief(on, intervention_id)

    @_on_one("held", "InterventionHeld", Action.INTERVENTION_CARRY_OUT)
    async def held(
        self, on: NamedDependency[OnCase], intervention_id: FromPath[uuid.UUID], data: JSONBody[HeldIn]
    ) -> BriefOut:
        """It took place (the one who leads); any seat's own notes, sealed."""
        return await self._brief(on, intervention_id, services.hold(at(on), intervention_id, data))

    @_on_one("completion", "CompleteIntervention", Action.INTERVENTION_CARRY_OUT)
    async def complete(
        self,
        on: NamedDependency[OnCase],
        store: NamedDependency[ObjectStore],
        intervention_id: FromPath[uuid.UUID],
        data: JSONBody[Completion],
    ) -> BriefOut:
        """The outcome, tagged by ``type`` (the kind); a corrective conversation's warning becomes a document."""
        return await self._brief(on, intervention_id, services.complete(at(on), store, intervention_id, data))

    @post(
        "/{intervention_id:uuid}/agreement",
        operation_id="AttachSignedAgreement",
        status_code=201,
        action=Action.INTERVENTION_CARRY_OUT,
        request_max_body_size=MAX_REQUEST_BYTES,
        operation_class=_AgreementUpload,
    )
    async def agreement(
        self,
        request: Request[Any, Any, Any],
        on: NamedDependency[OnCase],
        store: NamedDependency[ObjectStore],
        intervention_id: FromPath[uuid.UUID],
    ) -> BriefOut:
        """A mediation's signed agreement (the mediator who leads; one file, cleaned and encrypted)."""
        form = await read_posted_form(request, "agreement")
        return await self._brief(
            on,
            intervention_id,
            services.attach_agreement(at(on), store, intervention_id, await check_uploads(form.files)),
        )

    @_on_one("denial", "InterventionDenied", Action.INTERVENTION_CARRY_OUT)
    async def deny(
        self, on: NamedDependency[OnCase], intervention_id: FromPath[uuid.UUID], data: JSONBody[DenialIn]
    ) -> BriefOut:
        """The accused denies in a corrective conversation: the case goes back to the panel."""
        return await self._brief(on, intervention_id, services.deny(at(on), intervention_id, data))


class AssignmentsController(Controller):
    """The seated person's own follow-ups in one organisation."""

    path = "/api/v1/t/{tenant:str}/assignments"
    tags = ("interventions",)

    @get("/", operation_id="MyAssignments", action=Action.INTERVENTION_CARRY_OUT)
    async def assignments(
        self, db: NamedDependency[AsyncSession], actor: NamedDependency[Actor], acting: NamedDependency[Tenant]
    ) -> list[AssignmentOut]:
        """The follow-ups the signed-in person is seated for here, whose time has not run out."""
        return [assignment_out(a) for a in await services.assignments(db, actor.ref, acting)]


ROUTES = (InterventionsController, AssignmentsController)
