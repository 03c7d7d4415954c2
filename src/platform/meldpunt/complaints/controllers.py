"""The complaint track as JSON under ``/api/v1/t/{tenant}/complaints…`` (the member's tenant). The role is checked
here (identity.policy); the per-complaint seat, its declaration and the state in the services."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.cases.controllers import deadline_out
from meldpunt.cases.party_controllers import invitation_link, party_out
from meldpunt.complaints import parties as complaint_parties
from meldpunt.complaints import procedure, restrictions, services, views
from meldpunt.complaints.models import Complaint
from meldpunt.complaints.schemas import (
    AdmissibilityIn,
    AdviceIn,
    AftercareIn,
    ClosureIn,
    ComplaintOut,
    CountsOut,
    DecisionIn,
    DeclaredOut,
    DeclareIn,
    ExtensionIn,
    HearingIn,
    LiftIn,
    NoticeIn,
    ObjectionIn,
    RecordIn,
    RecordOut,
    RegisterEntry,
    RegisterIn,
    RestrictionIn,
    ResumptionIn,
    SeatIn,
    SeatOut,
    StatusOut,
    SuspensionIn,
    WithdrawalIn,
)
from meldpunt.db.rows import from_row
from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.identity.policy import Actor
from meldpunt.identity.roles import Action
from meldpunt.investigations.schemas import CommissionIn
from meldpunt.parties.schemas import InvitationOut, PartyIn, PartyOut
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant

Year = Annotated[int, Parameter(ge=2000, le=2100)]


def _at(db: AsyncSession, keyring: Keyring, actor: Actor, acting: Tenant) -> services.At:
    return services.At(db, keyring, actor.ref, acting)


def complaint_out(found: views.ComplaintView) -> ComplaintOut:
    now = datetime.now(UTC)
    return from_row(
        ComplaintOut,
        found.complaint,
        seats=[from_row(SeatOut, s, name=found.names.get(s.account_id, "")) for s in found.seats],
        deadlines=[deadline_out(d, now) for d in found.deadlines],
        records=None
        if found.records is None
        else [
            from_row(RecordOut, r.record, text=r.text, withheld_from=services.withheld_from(r.record))
            for r in found.records
        ],
        content=found.content,
    )


class ComplaintsController(Controller):
    """The committee registers, seats, declares, hears and advises; the member's competent authority decides;
    the process guardian and the reporting point see the process and the status."""

    path = "/api/v1/t/{tenant:str}/complaints"
    tags = ("complaints",)

    @get("/", operation_id="ComplaintRegister", action=Action.COMPLAINT_PROCESS)
    async def register_list(
        self,
        db: NamedDependency[AsyncSession],
        keyring: NamedDependency[Keyring],
        actor: NamedDependency[Actor],
        acting: NamedDependency[Tenant],
    ) -> list[RegisterEntry]:
        """The complaints the signed-in person may know of here (a secretary: the register and what waits for
        registration; anyone else: the complaints they sit at). Process only."""
        entries = await views.register_of(_at(db, keyring, actor, acting))
        return [
            RegisterEntry(
                id=e.complaint.id if e.complaint else None,
                case_id=e.case.id,
                status=e.complaint.status.value if e.complaint else "awaiting_registration",
                since=e.since,
            )
            for e in entries
        ]

    @post("/", operation_id="RegisterComplaint", status_code=201, action=Action.COMPLAINT_HANDLE)
    async def register(
        self,
        db: NamedDependency[AsyncSession],
        keyring: NamedDependency[Keyring],
        actor: NamedDependency[Actor],
        acting: NamedDependency[Tenant],
        data: JSONBody[RegisterIn],
    ) -> ComplaintOut:
        """The secretary registers a complaint routed to the committee (refused until the procedure's terms are set)."""
        at = _at(db, keyring, actor, acting)
        complaint = await services.register(at, data)
        return complaint_out(await views.view(at, complaint.id))

    @get("/counts", operation_id="ComplaintCounts", action=Action.COMPLAINT_REPORT)
    async def counts(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        acting: NamedDependency[Tenant],
        year: Year,
    ) -> CountsOut:
        """The committee's annual counts for this organisation (numbers only)."""
        del actor
        return await views.annual_counts(db, [acting.id], year)


@dataclass(frozen=True)
class OnComplaint:
    """The complaint of the path, in the acting tenant, for the signed-in actor."""

    at: services.At
    complaint_id: uuid.UUID

    async def after(self, move: Awaitable[object]) -> ComplaintOut:
        """Make the move, then show the complaint as the actor may see it now."""
        await move
        return complaint_out(await views.view(self.at, self.complaint_id))


async def provide_on_complaint(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    acting: NamedDependency[Tenant],
    complaint_id: FromPath[uuid.UUID],
) -> OnComplaint:
    return OnComplaint(_at(db, keyring, actor, acting), complaint_id)


Store = NamedDependency[ObjectStore]
On = NamedDependency[OnComplaint]


class ComplaintController(Controller):
    """One complaint's moves; each answers with the complaint as the actor may see it after the move."""

    path = "/api/v1/t/{tenant:str}/complaints/{complaint_id:uuid}"
    tags = ("complaints",)
    dependencies = {"on": Provide(provide_on_complaint)}  # noqa: RUF012 - read once by Litestar, never changed

    @get("/", operation_id="ComplaintView", action=Action.COMPLAINT_PROCESS)
    async def one(self, on: On) -> ComplaintOut:
        """The complaint as the viewer's seat allows: the dossier for the declared committee, what the parties
        read for the decision maker from the advice on, the process for anyone else seated (reads audited)."""
        return complaint_out(await views.view(on.at, on.complaint_id))

    @get("/status", operation_id="ComplaintStatus", action=Action.COMPLAINT_PROCESS)
    async def status(self, on: On) -> StatusOut:
        """For the reporting point that routed it: the status and dates, nothing of the dossier."""
        found: Complaint = await views.status_for_reporting_point(on.at, on.complaint_id)
        return from_row(StatusOut, found)

    @post("/seats", operation_id="SeatOnComplaint", status_code=201, action=Action.COMPLAINT_HANDLE)
    async def seat(self, on: On, data: JSONBody[SeatIn]) -> ComplaintOut:
        """Seat a chair, member, deputy, the competent authority or the process guardian, with their employer."""
        return await on.after(services.seat(on.at, on.complaint_id, data))

    @post("/declaration", operation_id="DeclareOnComplaint", status_code=201, action=Action.COMPLAINT_PROCESS)
    async def declare(self, on: On, data: JSONBody[DeclareIn]) -> DeclaredOut:
        """The seat's written independence declaration, before anything of the complaint. A declared link ends
        the seat: from then on the complaint is not found for them."""
        seat = await services.declare(
            on.at, on.complaint_id, data.involved, data.interest, data.reporting_line, data.statement
        )
        return DeclaredOut(seat_id=seat.id, declaration=str(seat.declaration), seated=seat.left_at is None)

    @post("/admissibility", operation_id="JudgeAdmissibility", status_code=201, action=Action.COMPLAINT_HANDLE)
    async def admissibility(self, on: On, data: JSONBody[AdmissibilityIn]) -> ComplaintOut:
        return await on.after(procedure.judge_admissibility(on.at, on.complaint_id, data))

    @post("/records", operation_id="AddComplaintRecord", status_code=201, action=Action.COMPLAINT_HANDLE)
    async def record(self, on: On, store: Store, data: JSONBody[RecordIn]) -> ComplaintOut:
        """The defence, evidence, a deliberation note (committee only) or a party's reaction."""
        return await on.after(procedure.add_to_dossier(on.at, store, on.complaint_id, data))

    @post(
        "/records/{record_id:uuid}/restriction",
        operation_id="RestrictPartyReading",
        status_code=201,
        action=Action.COMPLAINT_HANDLE,
    )
    async def restriction(
        self, on: On, store: Store, record_id: FromPath[uuid.UUID], data: JSONBody[RestrictionIn]
    ) -> ComplaintOut:
        """Art. 23: the chair keeps the defence or a piece of evidence from one party, with the reason, the
        explanation and perhaps a summary that party reads instead."""
        return await on.after(restrictions.restrict_reading(on.at, store, on.complaint_id, record_id, data))

    @post(
        "/records/{record_id:uuid}/restriction/lifting",
        operation_id="LiftPartyRestriction",
        status_code=201,
        action=Action.COMPLAINT_HANDLE,
    )
    async def lifting(self, on: On, record_id: FromPath[uuid.UUID], data: JSONBody[LiftIn]) -> ComplaintOut:
        """The chair lifts a restriction: the record is shared with that party again."""
        return await on.after(restrictions.lift_restriction(on.at, on.complaint_id, record_id, data.withheld_from))

    @post("/without-defence", operation_id="ComplaintWithoutDefence", status_code=201, action=Action.COMPLAINT_HANDLE)
    async def without_defence(self, on: On) -> ComplaintOut:
        return await on.after(procedure.without_defence(on.at, on.complaint_id))

    @post("/hearings", operation_id="RecordHearing", status_code=201, action=Action.COMPLAINT_HANDLE)
    async def hearing(self, on: On, store: Store, data: JSONBody[HearingIn]) -> ComplaintOut:
        return await on.after(procedure.hear(on.at, store, on.complaint_id, data))

    @post(
        "/investigation",
        operation_id="CommissionComplaintInvestigation",
        status_code=201,
        action=Action.COMPLAINT_HANDLE,
    )
    async def investigation(self, on: On, store: Store, data: JSONBody[CommissionIn]) -> ComplaintOut:
        """The chair has facts investigated before the committee advises: an investigation of the complaint's case
        on behalf of the committee (its id in ``facts.investigations``), carried on under
        ``/cases/{case}/investigations/{id}`` with the chair in the panel's place. The advice waits for it."""
        return await on.after(procedure.commission_investigation(on.at, store, on.complaint_id, data))

    @post("/draft-advice", operation_id="DraftAdvice", status_code=201, action=Action.COMPLAINT_HANDLE)
    async def draft(self, on: On, store: Store, data: JSONBody[AdviceIn]) -> ComplaintOut:
        return await on.after(procedure.draft_advice(on.at, store, on.complaint_id, data))

    @post("/advice", operation_id="IssueAdvice", status_code=201, action=Action.COMPLAINT_HANDLE)
    async def advice(self, on: On, store: Store, data: JSONBody[AdviceIn]) -> ComplaintOut:
        return await on.after(procedure.advise(on.at, store, on.complaint_id, data))

    @post("/decision", operation_id="DecideOnAdvice", status_code=201, action=Action.COMPLAINT_DECIDE)
    async def decision(self, on: On, store: Store, data: JSONBody[DecisionIn]) -> ComplaintOut:
        """The member's competent authority decides, with reasons when it departs from the advice."""
        return await on.after(procedure.decide(on.at, store, on.complaint_id, data))

    @post("/notification", operation_id="NotifyParties", status_code=201, action=Action.COMPLAINT_HANDLE)
    async def notification(self, on: On) -> ComplaintOut:
        return await on.after(procedure.notify(on.at, on.complaint_id))

    @post("/objection", operation_id="RecordObjection", status_code=201, action=Action.COMPLAINT_HANDLE)
    async def objection(self, on: On, data: JSONBody[ObjectionIn]) -> ComplaintOut:
        return await on.after(procedure.objection(on.at, on.complaint_id, data))

    @post("/aftercare", operation_id="PlanComplaintAftercare", status_code=201, action=Action.COMPLAINT_HANDLE)
    async def aftercare(self, on: On, data: JSONBody[AftercareIn]) -> ComplaintOut:
        return await on.after(procedure.plan_aftercare(on.at, on.complaint_id, data))

    @post("/closure", operation_id="CloseComplaint", status_code=201, action=Action.COMPLAINT_HANDLE)
    async def closure(self, on: On, data: JSONBody[ClosureIn]) -> ComplaintOut:
        return await on.after(procedure.close(on.at, on.complaint_id, data.reason))

    @post("/withdrawal", operation_id="RecordComplaintWithdrawal", status_code=201, action=Action.COMPLAINT_HANDLE)
    async def withdrawal(self, on: On, data: JSONBody[WithdrawalIn]) -> ComplaintOut:
        return await on.after(procedure.withdraw(on.at, on.complaint_id, data))

    @post("/suspension", operation_id="SuspendForMediation", status_code=201, action=Action.COMPLAINT_HANDLE)
    async def suspension(self, on: On, data: JSONBody[SuspensionIn]) -> ComplaintOut:
        return await on.after(procedure.suspend(on.at, on.complaint_id, data))

    @post("/resumption", operation_id="ResumeAfterMediation", status_code=201, action=Action.COMPLAINT_HANDLE)
    async def resumption(self, on: On, store: Store, data: JSONBody[ResumptionIn]) -> ComplaintOut:
        return await on.after(procedure.resume(on.at, store, on.complaint_id, data))

    @post("/extensions", operation_id="ExtendComplaintTerm", status_code=201, action=Action.COMPLAINT_HANDLE)
    async def extension(self, on: On, data: JSONBody[ExtensionIn]) -> ComplaintOut:
        return await on.after(procedure.extend(on.at, on.complaint_id, data))

    @post("/notice", operation_id="NoticeToAccused", status_code=201, action=Action.COMPLAINT_HANDLE)
    async def notice(self, on: On, store: Store, data: JSONBody[NoticeIn]) -> ComplaintOut:
        """The accused's written notice (AVG art. 14), also when the complaint is inadmissible."""
        return await on.after(procedure.send_notice(on.at, store, on.complaint_id, data))

    @get("/parties", operation_id="ComplaintParties", action=Action.COMPLAINT_HANDLE)
    async def parties_list(self, on: On) -> list[PartyOut]:
        """The complaint's parties by name, for its declared committee (audited)."""
        return [party_out(view) for view in await complaint_parties.parties_of(on.at, on.complaint_id)]

    @post("/parties", operation_id="AddComplaintParty", status_code=201, action=Action.COMPLAINT_HANDLE)
    async def add_party(self, on: On, data: JSONBody[PartyIn]) -> list[PartyOut]:
        """The complainant (also an external one), the accused or a companion; their side's records are shared."""
        await complaint_parties.add_party(on.at, on.complaint_id, data)
        return [party_out(view) for view in await complaint_parties.parties_of(on.at, on.complaint_id)]

    @post(
        "/parties/{party_id:uuid}/invitation",
        operation_id="InviteComplaintParty",
        status_code=201,
        action=Action.COMPLAINT_HANDLE,
    )
    async def invite(self, on: On, settings: NamedDependency[Settings], party_id: FromPath[uuid.UUID]) -> InvitationOut:
        """A link and a one-time code for the party, shown once, to be delivered each its own way."""
        invitation = await complaint_parties.invite(on.at, on.complaint_id, party_id)
        link = invitation_link(settings, on.at.tenant.slug, invitation.token)
        return InvitationOut(party_id=party_id, link=link, code=invitation.code)


ROUTES = (ComplaintsController, ComplaintController)
