"""Case handling as JSON under ``/api/v1/t/{tenant}/cases/{case}/…`` and the process guardian's
``/api/v1/guardian/cases``. The role is checked here (identity.policy); the seat and the declaration in
the services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.cases import services
from meldpunt.cases.models import CaseStep, PanelMember, ProcessConcern
from meldpunt.cases.schemas import (
    AcknowledgementIn,
    CaseContentOut,
    ConcernIn,
    ConcernOut,
    DeadlineOut,
    DeclarationIn,
    ExclusionIn,
    GuardedCaseOut,
    MemberIn,
    MemberOut,
    ProcessOut,
    ReporterClosedIn,
    ReporterClosedOut,
    RouteStep,
    RoutingIn,
    Step,
    StepOut,
)
from meldpunt.dossiers.keys import Keyring
from meldpunt.identity import services as identity
from meldpunt.identity.models import AccountRef
from meldpunt.identity.policy import Actor
from meldpunt.identity.roles import Action, Role
from meldpunt.intake.controllers import REPORTER, Reporter
from meldpunt.intake.models import Deadline
from meldpunt.tenancy.models import Tenant


def deadline_out(d: Deadline, now: datetime | None = None, seated: frozenset[str] | None = None) -> DeadlineOut:
    """``seated``: the roles with an active seat on the case, when known (then ``owned`` says whether anyone
    answers for the deadline: ``cases.deadlines.responsible_for``)."""
    moment = now or datetime.now(UTC)
    return DeadlineOut(
        kind=d.kind,
        due_at=d.due_at,
        met_at=d.met_at,
        responsible_role=d.responsible_role,
        breached=d.met_at is None and d.due_at < moment,
        ended_by=d.ended_by,
        owned=True if seated is None else services.owned(d, seated),
    )


def member_out(seat: PanelMember, names: dict[uuid.UUID, str]) -> MemberOut:
    return MemberOut(
        id=seat.id,
        account_id=seat.account_id,
        name=names.get(seat.account_id, ""),
        role=seat.role,
        pooled=seat.pooled,
        declaration=seat.declaration,
        declared_at=seat.declared_at,
        active=seat.left_at is None,
        redeclare=seat.redeclare_from is not None,
    )


def step_out(step: CaseStep, content: dict[str, Any] | None = None) -> StepOut:
    return StepOut(
        id=step.id,
        kind=step.kind,
        facts=step.facts,
        recorded_at=step.recorded_at,
        content=content,
        warnings=list(step.facts.get("warnings", [])),
    )


def concern_out(concern: ProcessConcern, text: str | None = None, response: str | None = None) -> ConcernOut:
    return ConcernOut(
        id=concern.id,
        raised_at=concern.raised_at,
        acknowledged_at=concern.acknowledged_at,
        text=text,
        response=response,
    )


def process_out(view: services.ProcessView, slug: str) -> ProcessOut:
    routing = view.routing
    seated = frozenset(str(seat.role) for seat in view.seats if seat.left_at is None)
    return ProcessOut(
        case_id=view.case.id,
        tenant=slug,
        kind=view.case.kind,
        status=view.case.status,
        route=view.case.route,
        escalation=routing.escalation if routing else None,
        legal_duties=list(routing.legal_duties) if routing else [],
        igj_answer=routing.igj_answer if routing else None,
        members=[member_out(seat, view.names) for seat in view.seats],
        steps=[step_out(s) for s in view.steps],
        deadlines=[deadline_out(d, seated=seated) for d in view.deadlines],
        concerns=[concern_out(c) for c in view.concerns],
    )


def content_out(view: services.ContentView, slug: str) -> CaseContentOut:
    process = msgspec.structs.replace(
        process_out(view.process, slug),
        steps=[step_out(s, view.step_content.get(s.id)) for s in view.process.steps],
        concerns=[concern_out(c, *view.concern_texts[c.id]) for c in view.process.concerns],
    )
    return CaseContentOut(
        process=process,
        narrative=view.narrative,
        routing_reason=view.routing_reason,
        routing_alternative=view.routing_alternative,
    )


def guarded_out(guarded: services.Guarded) -> GuardedCaseOut:
    return GuardedCaseOut(
        tenant=guarded.tenant.slug,
        case_id=guarded.case.id,
        status=guarded.case.status,
        next_deadline=deadline_out(guarded.next_deadline) if guarded.next_deadline else None,
        breaches=guarded.breaches,
        open_concerns=guarded.open_concerns,
        unowned=guarded.unowned,
    )


@dataclass(frozen=True)
class OnCase:
    """The case of the path, in the acting tenant, for the signed-in actor: what every case route works on
    (the page of a case too)."""

    db: AsyncSession
    keyring: Keyring
    actor: Actor
    tenant: Tenant
    slug: str
    case_id: uuid.UUID

    @property
    def who(self) -> AccountRef:
        return self.actor.ref

    @property
    def is_point(self) -> bool:
        return Role.REPORTING_POINT in self.actor.roles_in(self.slug)

    async def process(self) -> ProcessOut:
        return process_out(await services.process_view(self.db, self.tenant, self.case_id), self.slug)


async def provide_on_case(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    acting: NamedDependency[Tenant],
    tenant: FromPath[str],
    case_id: FromPath[uuid.UUID],
) -> OnCase:
    return OnCase(db, keyring, actor, acting, tenant, case_id)


class CaseHandlingController(Controller):
    """One case's routing, panel, declarations, steps and concerns; each route names its action, and
    ``on`` is the case in the tenant of the path in which the actor may do it."""

    path = "/api/v1/t/{tenant:str}/cases/{case_id:uuid}"
    tags = ("case handling",)
    dependencies = {"on": Provide(provide_on_case)}  # noqa: RUF012 - read once by Litestar, never changed

    @post("/routing", operation_id="RouteCase", status_code=201, action=Action.CASE_ROUTE)
    async def route_case(self, on: NamedDependency[OnCase], data: JSONBody[RoutingIn]) -> ProcessOut:
        """Classify and route (seed-000 §2.2): a reason always; "no_action" only with an alternative; legal
        duties override the reporter's wish (who is told so); an accused manager or director moves it up."""
        await services.route_case(on.db, on.keyring, on.who, on.tenant, on.case_id, data)
        return await on.process()

    @post("/panel", operation_id="SeatPanelMember", status_code=201, action=Action.CASE_PANEL)
    async def seat_member(self, on: NamedDependency[OnCase], data: JSONBody[MemberIn]) -> ProcessOut:
        """Seat a decision maker, expert or process guardian, after the rules of seed-000 §1.4 and §1.7."""
        await services.assign_member(on.db, on.who, on.tenant, on.case_id, data)
        return await on.process()

    @post("/panel/pooled-guardian", operation_id="SeatPooledGuardian", status_code=201, action=Action.CASE_PANEL)
    async def seat_pooled_guardian(self, on: NamedDependency[OnCase]) -> ProcessOut:
        """A process guardian from the branch's pool: never from this member, never with a declared link."""
        await services.assign_pooled_guardian(on.db, on.who, on.tenant, on.case_id)
        return await on.process()

    @post("/exclusions", operation_id="ExcludeFromCase", status_code=204, action=Action.CASE_PANEL)
    async def exclude(self, on: NamedDependency[OnCase], data: JSONBody[ExclusionIn]) -> None:
        """Keep the accused, the accused's line manager or someone with a declared link out of the case."""
        await services.exclude(on.db, on.who, on.tenant, on.case_id, data)

    @post("/declaration", operation_id="Declare", status_code=201, action=Action.CASE_DECLARE)
    async def declare(self, on: NamedDependency[OnCase], data: JSONBody[DeclarationIn]) -> ProcessOut:
        """Declare in writing, for this case, whether you are involved; nothing of the content before."""
        await services.declare(on.db, on.keyring, on.who, on.tenant, on.case_id, data)
        return await on.process()

    @get("/process", operation_id="CaseProcess", action=Action.CASE_PROCESS)
    async def case_process(self, on: NamedDependency[OnCase]) -> ProcessOut:
        """The process: steps and their dates, deadlines, seats, declarations, concerns. Never content."""
        view = await services.case_view(on.db, on.keyring, on.who, on.tenant, on.case_id, on.is_point, content=False)
        return process_out(view.process, on.slug)

    @get("/", operation_id="ReadCase", action=Action.CASE_READ)
    async def read_case(self, on: NamedDependency[OnCase]) -> CaseContentOut:
        """The case with its content, for a declared decision maker or expert of its panel (audited)."""
        return content_out(await services.read_content(on.db, on.keyring, on.who, on.tenant, on.case_id), on.slug)

    @post("/steps", operation_id="RecordStep", status_code=201, action=Action.CASE_DECIDE)
    async def record_step(self, on: NamedDependency[OnCase], data: JSONBody[Step]) -> StepOut:
        """A phase-1 step (seed-000 §2.3), tagged by ``type``: first_conversation, exploration, reporter_told,
        accused_informed, notice_deferred, interim_measure, weighing, rights_explained, communication."""
        return step_out(await services.record_step(on.db, on.keyring, on.who, on.tenant, on.case_id, data))

    @post("/route-steps", operation_id="RecordRouteStep", status_code=201, action=Action.CASE_ROUTE)
    async def record_route_step(self, on: NamedDependency[OnCase], data: JSONBody[RouteStep]) -> StepOut:
        """A step of a route without a panel, tagged by ``type``: whistleblower_acknowledged (the 7 days),
        whistleblower_feedback (the 3 months, after the acknowledgement), police_report (date, by whom, the
        reference)."""
        return step_out(await services.record_route_step(on.db, on.keyring, on.who, on.tenant, on.case_id, data))

    @post("/concerns", operation_id="RaiseConcern", status_code=201, action=Action.CASE_CONCERN)
    async def raise_concern(self, on: NamedDependency[OnCase], data: JSONBody[ConcernIn]) -> ConcernOut:
        """A process guardian's concern; the decision maker answers it before the next step."""
        concern = await services.raise_concern(on.db, on.keyring, on.who, on.tenant, on.case_id, data.text)
        return concern_out(concern, data.text)

    @post(
        "/concerns/{concern_id:uuid}/acknowledgement",
        operation_id="AcknowledgeConcern",
        status_code=204,
        action=Action.CASE_DECIDE,
    )
    async def acknowledge_concern(
        self, on: NamedDependency[OnCase], concern_id: FromPath[uuid.UUID], data: JSONBody[AcknowledgementIn]
    ) -> None:
        await services.acknowledge_concern(on.db, on.keyring, on.who, on.tenant, on.case_id, concern_id, data.response)


class GuardedCasesController(Controller):
    """The process guardian's dashboard, across tenants: the tenants come from ``tenants_where`` (no one
    path tenant, so no ``acting``); the action is named for the route table."""

    path = "/api/v1/guardian/cases"
    tags = ("case handling",)

    @get("/", operation_id="GuardedCases", action=Action.CASE_GUARD)
    async def guarded_cases(
        self, db: NamedDependency[AsyncSession], actor: NamedDependency[Actor]
    ) -> list[GuardedCaseOut]:
        """Across the organisations this process guardian serves: each guarded case's next deadline, breaches
        and unanswered concerns."""
        tenants = await identity.tenants_where(db, actor, Action.CASE_GUARD)
        return [guarded_out(g) for g in await services.guarded_cases(db, actor.ref, tenants)]


class InboxClosureController(Controller):
    """The reporter, with the receipt, at the inbox of the path's reporting point: an adviser-only case may
    close (no account, nothing of the request kept: ``intake.controllers.REPORTER``)."""

    path = "/api/v1/public/{tenant:str}/inbox"
    tags = ("public",)
    dependencies = REPORTER

    @post("/closure", operation_id="ReporterSaysClosed", status_code=201)
    async def reporter_closes(
        self, reporter: NamedDependency[Reporter], data: JSONBody[ReporterClosedIn]
    ) -> ReporterClosedOut:
        """Say that the case, which rests with the adviser, may be closed; the reporting point then closes it."""
        case = await reporter.case_of(data.receipt)
        step = await services.reporter_closes(reporter.db, reporter.keyring, reporter.tenant, case, data)
        return ReporterClosedOut(said_on=step.recorded_at.date())


ROUTES = (CaseHandlingController, GuardedCasesController, InboxClosureController)
