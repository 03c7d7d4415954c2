"""Investigations as JSON under ``/api/v1/t/{tenant}/cases/{case}/investigations…`` and the investigator's own
assignments under ``/api/v1/t/{tenant}/investigator-assignments``. The role is checked here (identity.policy);
the panel seat, the investigator's seat, its time and the declaration in the services."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.cases.controllers import OnCase, deadline_out, provide_on_case
from meldpunt.cases.follow_up import At
from meldpunt.cases.schemas import DeclarationIn
from meldpunt.db.rows import from_row
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.identity.policy import Actor
from meldpunt.identity.roles import Action
from meldpunt.intake import services as intake
from meldpunt.investigations import services, work
from meldpunt.investigations.models import Investigation
from meldpunt.investigations.schemas import (
    AdoptionIn,
    AssignmentChangeIn,
    CommissionIn,
    DraftIn,
    ExtensionIn,
    FinalIn,
    HandlingIn,
    InterviewIn,
    InterviewOut,
    InvestigationAssignmentOut,
    InvestigationBriefOut,
    InvestigationOut,
    InvestigationProcessOut,
    InvestigatorIn,
    InvestigatorOut,
    ProtocolChangeIn,
    ReactionOut,
    RecordIn,
    RecordOut,
    ReturnIn,
    ReuseIn,
    StopIn,
)
from meldpunt.tenancy.models import Tenant

MANAGE = Action.INVESTIGATION_MANAGE
CARRY_OUT = Action.INVESTIGATION_CARRY_OUT
ONE = "/{investigation_id:uuid}"


def at(on: OnCase) -> At:
    """The services' view of the path's case for the signed-in actor."""
    return At(on.db, on.keyring, on.who, on.tenant, on.case_id)


def process_out(view: services.InvestigationView) -> InvestigationProcessOut:
    moment = datetime.now(UTC)
    return from_row(
        InvestigationProcessOut,
        view.investigation,
        investigators=[
            from_row(InvestigatorOut, s, name=view.names.get(s.account_id, ""), active=services.current(s, moment))
            for s in view.seats
        ],
        interviews=[
            from_row(InterviewOut, i, answer=view.answers.get(i.share_id) if i.share_id else None)
            for i in view.interviews
        ],
        reactions=[from_row(ReactionOut, r, answer=view.answers.get(r.share_id)) for r in view.reactions],
        deadlines=[deadline_out(d) for d in view.deadlines],
    )


def investigation_out(view: services.InvestigationView) -> InvestigationOut:
    return InvestigationOut(process=process_out(view), content=view.content or {})


def brief_out(brief: services.Brief, slug: str) -> InvestigationBriefOut:
    return InvestigationBriefOut(
        tenant=slug,
        process=process_out(brief.view),
        declared=brief.seat.declaration is not None,
        assignment=brief.assignment,
        parties=brief.parties,
    )


class InvestigationsController(Controller):
    """A case's investigations: the decision maker commissions, completes the protocol, seats the investigator,
    changes the assignment, decides on reuse, stops and adopts; the investigator declares, agrees the protocol,
    interviews, shares the draft, handles the reactions, finalises, or returns the assignment."""

    path = "/api/v1/t/{tenant:str}/cases/{case_id:uuid}/investigations"
    tags = ("investigations",)
    dependencies = {"on": Provide(provide_on_case)}  # noqa: RUF012 - read once by Litestar, never changed

    async def _one(self, on: OnCase, investigation_id: uuid.UUID) -> InvestigationOut:
        return investigation_out(await services.one(at(on), investigation_id))

    async def _brief(self, on: OnCase, investigation_id: uuid.UUID) -> InvestigationBriefOut:
        return brief_out(await services.brief(at(on), investigation_id), on.slug)

    @get("/", operation_id="ListInvestigations", action=MANAGE)
    async def list_investigations(self, on: NamedDependency[OnCase]) -> list[InvestigationOut]:
        """Every investigation of the case with its assignment, for the declared decision maker (audited)."""
        return [investigation_out(v) for v in await services.read_all(at(on))]

    @get("/process", operation_id="InvestigationsProcess", action=Action.CASE_PROCESS)
    async def investigations_process(self, on: NamedDependency[OnCase]) -> list[InvestigationProcessOut]:
        """Stages, dates, seats and deadlines, for whoever sees the case's process (the guardian). No content."""
        return [process_out(v) for v in await services.process(at(on), on.is_point)]

    @post("/", operation_id="CommissionInvestigation", status_code=201, action=MANAGE)
    async def commission(
        self, on: NamedDependency[OnCase], store: NamedDependency[ObjectStore], data: JSONBody[CommissionIn]
    ) -> InvestigationOut:
        """Commission the investigation the weighing chose (seed-000 §2.4 steps 1–3)."""
        started = await services.commission(at(on), store, data)
        return await self._one(on, started.id)

    @post(ONE + "/protocol", operation_id="SetInvestigationProtocol", status_code=201, action=MANAGE)
    async def protocol(
        self,
        on: NamedDependency[OnCase],
        store: NamedDependency[ObjectStore],
        investigation_id: FromPath[uuid.UUID],
        data: JSONBody[ProtocolChangeIn],
    ) -> InvestigationOut:
        """Complete or correct the protocol before the investigator agrees it."""
        await services.set_protocol(at(on), store, investigation_id, data)
        return await self._one(on, investigation_id)

    @post(ONE + "/investigator", operation_id="SeatInvestigator", status_code=201, action=MANAGE)
    async def seat(
        self, on: NamedDependency[OnCase], investigation_id: FromPath[uuid.UUID], data: JSONBody[InvestigatorIn]
    ) -> InvestigationOut:
        """Seat the investigator for a time (a firm investigating persons with its Wpbr licence)."""
        await services.seat_investigator(at(on), investigation_id, data)
        return await self._one(on, investigation_id)

    @post(ONE + "/assignment", operation_id="ChangeInvestigationAssignment", status_code=201, action=MANAGE)
    async def change(
        self,
        on: NamedDependency[OnCase],
        store: NamedDependency[ObjectStore],
        investigation_id: FromPath[uuid.UUID],
        data: JSONBody[AssignmentChangeIn],
    ) -> InvestigationOut:
        """Change the assignment with reasons; every seated member declares again."""
        await services.change_assignment(at(on), store, investigation_id, data)
        return investigation_out(await services.view_of(on.db, on.tenant, await _found(on, investigation_id)))

    @post(ONE + "/reuse", operation_id="DecideStatementReuse", status_code=201, action=MANAGE)
    async def reuse(
        self, on: NamedDependency[OnCase], investigation_id: FromPath[uuid.UUID], data: JSONBody[ReuseIn]
    ) -> InvestigationOut:
        """Allow, with reasons, an interview of another investigation of the case to be used in this one."""
        await work.decide_reuse(at(on), investigation_id, data)
        return await self._one(on, investigation_id)

    @post(ONE + "/stop", operation_id="StopInvestigation", status_code=201, action=MANAGE)
    async def stop(
        self, on: NamedDependency[OnCase], investigation_id: FromPath[uuid.UUID], data: JSONBody[StopIn]
    ) -> InvestigationOut:
        await services.stop(at(on), investigation_id, data)
        return await self._one(on, investigation_id)

    @post(ONE + "/adoption", operation_id="AdoptInvestigation", status_code=201, action=MANAGE)
    async def adopt(
        self,
        on: NamedDependency[OnCase],
        store: NamedDependency[ObjectStore],
        investigation_id: FromPath[uuid.UUID],
        data: JSONBody[AdoptionIn],
    ) -> InvestigationOut:
        """The panel's decision on the final report; every party told in writing."""
        await work.adopt(at(on), store, investigation_id, data)
        return await self._one(on, investigation_id)

    # ------------------------------------------------------------ the investigator

    @get(ONE + "/brief", operation_id="InvestigationBrief", action=CARRY_OUT)
    async def brief(self, on: NamedDependency[OnCase], investigation_id: FromPath[uuid.UUID]) -> InvestigationBriefOut:
        """The assignment and the parties it needs, after the declaration (audited)."""
        return await self._brief(on, investigation_id)

    @post(ONE + "/declaration", operation_id="DeclareIndependence", status_code=201, action=CARRY_OUT)
    async def declare(
        self, on: NamedDependency[OnCase], investigation_id: FromPath[uuid.UUID], data: JSONBody[DeclarationIn]
    ) -> InvestigationBriefOut:
        declared = await services.declare(at(on), investigation_id, data)
        if data.involved:  # the seat has ended: the assignment is not theirs to read
            return brief_out(declared, on.slug)
        return await self._brief(on, investigation_id)

    @post(ONE + "/agreement", operation_id="AgreeInvestigationProtocol", status_code=201, action=CARRY_OUT)
    async def agree(self, on: NamedDependency[OnCase], investigation_id: FromPath[uuid.UUID]) -> InvestigationBriefOut:
        """Agree the complete protocol: the investigation starts."""
        await services.agree_protocol(at(on), investigation_id)
        return await self._brief(on, investigation_id)

    @post(ONE + "/return", operation_id="ReturnInvestigation", status_code=201, action=CARRY_OUT)
    async def give_back(
        self, on: NamedDependency[OnCase], investigation_id: FromPath[uuid.UUID], data: JSONBody[ReturnIn]
    ) -> InvestigationProcessOut:
        """Return the assignment, with a reason; the seat ends."""
        await services.return_assignment(at(on), investigation_id, data)
        return process_out(await services.view_of(on.db, on.tenant, await _found(on, investigation_id)))

    @post(ONE + "/interviews", operation_id="ScheduleInterview", status_code=201, action=CARRY_OUT)
    async def schedule(
        self, on: NamedDependency[OnCase], investigation_id: FromPath[uuid.UUID], data: JSONBody[InterviewIn]
    ) -> InvestigationBriefOut:
        await work.schedule_interview(at(on), investigation_id, data)
        return await self._brief(on, investigation_id)

    @post(
        ONE + "/interviews/{interview_id:uuid}/record",
        operation_id="RecordInterview",
        status_code=201,
        action=CARRY_OUT,
    )
    async def record(
        self,
        on: NamedDependency[OnCase],
        store: NamedDependency[ObjectStore],
        investigation_id: FromPath[uuid.UUID],
        interview_id: FromPath[uuid.UUID],
        data: JSONBody[RecordIn],
    ) -> InvestigationBriefOut:
        """The record, shared with the interviewee in the party portal for approval or comment."""
        await work.record_interview(at(on), store, investigation_id, interview_id, data)
        return await self._brief(on, investigation_id)

    @post(
        ONE + "/interviews/{interview_id:uuid}/cancel",
        operation_id="CancelInterview",
        status_code=201,
        action=CARRY_OUT,
    )
    async def cancel(
        self, on: NamedDependency[OnCase], investigation_id: FromPath[uuid.UUID], interview_id: FromPath[uuid.UUID]
    ) -> InvestigationBriefOut:
        await work.cancel_interview(at(on), investigation_id, interview_id)
        return await self._brief(on, investigation_id)

    @get(ONE + "/interviews/{interview_id:uuid}/record", operation_id="ReadInterviewRecord", action=CARRY_OUT)
    async def read_record(
        self,
        on: NamedDependency[OnCase],
        store: NamedDependency[ObjectStore],
        investigation_id: FromPath[uuid.UUID],
        interview_id: FromPath[uuid.UUID],
    ) -> RecordOut:
        """A record of this investigation, or of another one after the panel's reuse decision (audited)."""
        text, answer = await work.read_record(at(on), store, investigation_id, interview_id)
        return RecordOut(interview_id=interview_id, record=text, answer=answer)

    @post(ONE + "/drafts", operation_id="ShareDraftReport", status_code=201, action=CARRY_OUT)
    async def draft(
        self,
        on: NamedDependency[OnCase],
        store: NamedDependency[ObjectStore],
        investigation_id: FromPath[uuid.UUID],
        data: JSONBody[DraftIn],
    ) -> InvestigationBriefOut:
        """The draft report to the parties for their written reaction by the term."""
        await work.share_draft(at(on), store, investigation_id, data)
        return await self._brief(on, investigation_id)

    @post(
        ONE + "/reactions/{reaction_id:uuid}/extension",
        operation_id="ExtendReactionTerm",
        status_code=201,
        action=CARRY_OUT,
    )
    async def extend(
        self,
        on: NamedDependency[OnCase],
        investigation_id: FromPath[uuid.UUID],
        reaction_id: FromPath[uuid.UUID],
        data: JSONBody[ExtensionIn],
    ) -> InvestigationBriefOut:
        await work.extend_term(at(on), investigation_id, reaction_id, data)
        return await self._brief(on, investigation_id)

    @post(
        ONE + "/reactions/{reaction_id:uuid}/handling", operation_id="HandleReaction", status_code=201, action=CARRY_OUT
    )
    async def handle(
        self,
        on: NamedDependency[OnCase],
        store: NamedDependency[ObjectStore],
        investigation_id: FromPath[uuid.UUID],
        reaction_id: FromPath[uuid.UUID],
        data: JSONBody[HandlingIn],
    ) -> InvestigationBriefOut:
        await work.handle_reaction(at(on), store, investigation_id, reaction_id, data)
        return await self._brief(on, investigation_id)

    @post(ONE + "/final", operation_id="FinaliseInvestigation", status_code=201, action=CARRY_OUT)
    async def final(
        self,
        on: NamedDependency[OnCase],
        store: NamedDependency[ObjectStore],
        investigation_id: FromPath[uuid.UUID],
        data: JSONBody[FinalIn],
    ) -> InvestigationBriefOut:
        await work.finalise(at(on), store, investigation_id, data)
        return await self._brief(on, investigation_id)


async def _found(on: OnCase, investigation_id: uuid.UUID) -> Investigation:
    case = await intake.find_case(on.db, on.tenant, on.case_id)
    return await services.find(on.db, case, investigation_id)


class InvestigatorAssignmentsController(Controller):
    """The investigator's own investigations in one organisation."""

    path = "/api/v1/t/{tenant:str}/investigator-assignments"
    tags = ("investigations",)

    @get("/", operation_id="MyInvestigations", action=CARRY_OUT)
    async def assignments(
        self, db: NamedDependency[AsyncSession], actor: NamedDependency[Actor], acting: NamedDependency[Tenant]
    ) -> list[InvestigationAssignmentOut]:
        """The investigations the signed-in investigator is seated for here, whose time has not run out."""
        return [
            InvestigationAssignmentOut(
                tenant=a.tenant.slug,
                case_id=a.investigation.case_id,
                investigation_id=a.investigation.id,
                kind=a.investigation.kind,
                status=a.investigation.status,
                valid_to=a.seat.valid_to,
                declared=a.seat.declaration is not None,
            )
            for a in await services.assignments(db, actor.ref, acting)
        ]


ROUTES = (InvestigationsController, InvestigatorAssignmentsController)
