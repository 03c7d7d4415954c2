"""The complaint track (DESIGN §7 "Complaint track"; seed-003 §4; seed-000 §2.6 D3, D6): one complaint per case
that the reporting point routed to the complaints committee, in the member's tenant. Every move is one service
call that checks its preconditions, writes the change, an audit entry (no content words) and its deadlines.

Who reaches a complaint: the committee the member uses (the branch's, through the ``complaints_committee``
branch service, or the member's own) holds its roles in the member's tenant by grants; a role opens no
complaint. The secretary registers a complaint and seats the chair and members, the member's competent authority
and a process guardian; each seat declares its independence in writing (and its employer is recorded) before it
reads anything. A seat that declared a link is kept out of the case and asks for a deputy; whoever has no live
seat finds nothing, not even that the complaint exists (``ComplaintNotFound``). The secretaries of the committee
see the register (process only) and the cases routed to it that wait for registration."""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit import services as audit
from meldpunt.cases import follow_up
from meldpunt.cases import services as cases
from meldpunt.cases.models import CaseExclusion, ExclusionReason, Involvement, Route
from meldpunt.complaints.errors import (
    ComplaintDeclareFirst,
    ComplaintNotFound,
    ComplaintRefused,
    ComplaintSeatRefused,
    NotForThisSeat,
    ProcedureInactive,
)
from meldpunt.complaints.models import (
    BEFORE_ADVICE,
    COMMITTEE,
    COMPLAINT_MOVES,
    Complaint,
    ComplaintRecord,
    ComplaintSeat,
    ComplaintStatus,
    Employer,
    RecordKind,
    SeatRole,
    Visibility,
    move_complaint,
)
from meldpunt.complaints.schemas import RegisterIn, SeatIn
from meldpunt.dossiers.cipher import CaseCipher, case_cipher
from meldpunt.dossiers.documents import DocumentMeta, RecordClass, store_document
from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.errors import DomainError, Named
from meldpunt.identity import services as identity
from meldpunt.identity.models import AccountRef
from meldpunt.identity.roles import Role
from meldpunt.intake import services as intake
from meldpunt.intake.models import Case, CaseKind, CaseStatus, Deadline, DeadlineKind
from meldpunt.investigations import services as investigations
from meldpunt.investigations.models import OnBehalfOf
from meldpunt.notifications import services as notifications
from meldpunt.parties import services as parties
from meldpunt.parties.models import PartyRole
from meldpunt.parties.schemas import ShareIn
from meldpunt.tenancy.models import Tenant
from meldpunt.tenancy.terms import ProcedureTerms, complaint_rules_of, missing_complaint_terms, terms_of

PURPOSE = "complaint"  # the purpose every text of the complaint track is sealed for
# The deadlines of the track itself (the accused's notice is not one of them: it never pauses and outlives it).
TRACK_TERMS = frozenset(
    {
        DeadlineKind.COMPLAINT_RECEIPT,
        DeadlineKind.COMPLAINT_ADMISSIBILITY,
        DeadlineKind.COMPLAINT_DEFENCE,
        DeadlineKind.COMPLAINT_HEARING,
        DeadlineKind.COMPLAINT_RECORD_REPLY,
        DeadlineKind.COMPLAINT_DRAFT_REPLY,
        DeadlineKind.COMPLAINT_ADVICE,
        DeadlineKind.COMPLAINT_DECISION,
        DeadlineKind.COMPLAINT_OBJECTION,
    }
)
# Who a party of the portal is, by the complaint's two sides (the complainant may be an external one).
SIDES: dict[str, tuple[PartyRole, ...]] = {
    "complainant": (PartyRole.AFFECTED, PartyRole.EXTERNAL_COMPLAINANT),
    "accused": (PartyRole.ACCUSED,),
}
ENDED = frozenset({ComplaintStatus.CLOSED})
WITHDRAWS_FROM = BEFORE_ADVICE | {ComplaintStatus.SUSPENDED}  # the complainant withdraws until the advice
RECEIVED_MESSAGE = (
    "De klachtencommissie heeft uw klacht ontvangen en ingeschreven. Eerst beoordeelt zij of de klacht in behandeling "
    "kan worden genomen. U hoort van de commissie wat de volgende stap is."
)


def _now() -> datetime:
    return datetime.now(UTC)


def _end_of(day: date) -> datetime:
    return datetime.combine(day, datetime.max.time()).replace(tzinfo=UTC)


@dataclass(frozen=True)
class At:
    """Where and by whom a service of the complaint track is asked."""

    session: AsyncSession
    keyring: Keyring
    who: AccountRef
    tenant: Tenant


# ---------------------------------------------------------------- terms and activation


def active_terms(tenant: Tenant) -> ProcedureTerms:
    """The tenant's procedure terms, once every stage of the complaint track has one: the procedure is not
    active before (seed-003 Implications 16: the seeds give no terms; onboarding blocks activation)."""
    terms = terms_of(tenant.procedure)
    missing = missing_complaint_terms(terms)
    if missing:
        raise ProcedureInactive(missing=Named(*(f"complaint.term.{name}" for name in missing)))
    return terms


def term_days(terms: ProcedureTerms, name: str) -> timedelta:
    value = getattr(terms, name)
    assert value is not None  # active_terms checked it
    return timedelta(days=value)


def committee_of(tenant: Tenant) -> uuid.UUID:
    """Whose committee hears the member's complaints: the branch's, when it uses that branch service."""
    if tenant.branch_id is not None and "complaints_committee" in tenant.branch_services:
        return tenant.branch_id
    return tenant.id


# ---------------------------------------------------------------- reading


async def _complaint(
    session: AsyncSession, tenant: Tenant, complaint_id: uuid.UUID, *, lock: bool = False
) -> Complaint:
    query = select(Complaint).where(Complaint.tenant_id == tenant.id, Complaint.id == complaint_id)
    found = (await session.execute(query.with_for_update() if lock else query)).scalar()
    if found is None:
        raise ComplaintNotFound()
    return found


Row = TypeVar("Row", ComplaintSeat, ComplaintRecord)


async def _of(session: AsyncSession, complaint: Complaint, model: type[Row], order: Any) -> list[Row]:
    """The complaint's seats or records, in ``order``."""
    query = select(model).where(model.tenant_id == complaint.tenant_id, model.complaint_id == complaint.id)
    return list((await session.execute(query.order_by(order))).scalars())


async def seats_of(session: AsyncSession, complaint: Complaint) -> list[ComplaintSeat]:
    return await _of(session, complaint, ComplaintSeat, ComplaintSeat.assigned_at)


def _ref(seat: ComplaintSeat) -> AccountRef:
    return AccountRef(seat.account_tenant_id, seat.account_id)


def _case(complaint: Complaint) -> Case:
    """The complaint's case by its key, for the case's own rules (not loaded: only its ids are read)."""
    return Case(tenant_id=complaint.tenant_id, id=complaint.case_id)


def _live(seats: list[ComplaintSeat]) -> list[ComplaintSeat]:
    return [seat for seat in seats if seat.left_at is None]


def declared(seats: list[ComplaintSeat], roles: Collection[SeatRole]) -> list[ComplaintSeat]:
    return [s for s in _live(seats) if s.role in roles and s.declaration == Involvement.NOT_INVOLVED]


async def _is_secretary(session: AsyncSession, tenant: Tenant, who: AccountRef) -> bool:
    return Role.COMMITTEE_SECRETARY in await identity.active_roles(session, tenant.id, *who)


async def _excluded(session: AsyncSession, complaint: Complaint) -> dict[AccountRef, ExclusionReason]:
    return await cases.exclusions(session, _case(complaint))


async def _seat(session: AsyncSession, complaint: Complaint, who: AccountRef) -> ComplaintSeat | None:
    """The caller's live seat at the complaint, unless they are kept out of its case since."""
    if who in await _excluded(session, complaint) and not await _manager_deciding(session, complaint, who):
        return None
    live = _live(await seats_of(session, complaint))
    await _declare_again_after_changes(session, complaint, live)
    return next((s for s in live if _ref(s) == who), None)


SEEN = "assignments_seen"  # a seat's facts: the version of each committee investigation's assignment it declared for
EARLIER = "earlier_declarations"  # a seat's facts: the declarations it made before an assignment changed


async def _committee_assignments(session: AsyncSession, complaint: Complaint) -> dict[str, int]:
    """The version of each investigation's assignment the committee commissioned for this complaint (none asked
    for when it commissioned none: ``facts.investigations``, kept by ``procedure.commission_investigation``)."""
    if not complaint.facts.get("investigations"):
        return {}
    return await investigations.assignment_versions(session, _case(complaint), OnBehalfOf.COMPLAINTS_COMMITTEE)


async def _declare_again_after_changes(session: AsyncSession, complaint: Complaint, live: list[ComplaintSeat]) -> None:
    """A change of the assignment of an investigation the committee commissioned asks every seat that declared
    for the assignment as it was to declare again before it reads or does anything more (casus Abigail/Douwe;
    the panel's seats: ``cases.services.scope_changed``). The earlier declaration is kept in the seat's facts;
    each seat is told, without naming the complaint. Followed on the next read of the complaint, as the change is
    the investigation's (a floor below)."""
    versions = await _committee_assignments(session, complaint)

    def declared_before(seat: ComplaintSeat) -> bool:
        seen = seat.facts.get(SEEN, {})
        return seat.declaration == Involvement.NOT_INVOLVED and any(v > seen.get(k, 1) for k, v in versions.items())

    outdated = []
    for seat in live:
        if declared_before(seat):
            await session.refresh(seat, with_for_update=True)  # two reads at once: the second finds it done
            outdated += [seat] if declared_before(seat) else []
    for seat in outdated:
        assert seat.declared_at is not None and seat.sealed_declaration is not None
        earlier = {
            "declared_at": seat.declared_at.isoformat(),
            "sealed": base64.b64encode(seat.sealed_declaration).decode(),  # the statement, as sealed for the seat
        }
        kept = [*seat.facts.get(EARLIER, []), earlier]
        seat.facts = {**seat.facts, EARLIER: kept}
        seat.declaration, seat.declared_at, seat.sealed_declaration = None, None, None
        await notifications.notify(
            session,
            complaint.tenant_id,
            _ref(seat),
            "complaint.declare_again",
            {"count": 1},
            dedup_key=f"complaint-again:{seat.id}:{len(kept)}",
        )
    if outdated:
        await session.flush()
        await audit.record(
            session,
            complaint.tenant_id,
            cases.SCOPE,
            "complaint.declare_again",
            "case",
            complaint.case_id,
            complaint=str(complaint.id),
            seats=len(outdated),
        )


async def _manager_deciding(session: AsyncSession, complaint: Complaint, who: AccountRef) -> bool:
    """The accused's line manager may still hold a decision maker's seat beside an independent one."""
    excluded = await _excluded(session, complaint)
    if excluded.get(who) != ExclusionReason.ACCUSED_MANAGER:
        return False
    seats = _live(await seats_of(session, complaint))
    deciders = [_ref(s) for s in seats if s.role == SeatRole.DECISION_MAKER]
    return who in deciders and cases.decider_refusal(who, deciders, excluded) is None


async def acting(
    at: At, complaint_id: uuid.UUID, roles: Collection[SeatRole], *, lock: bool = True
) -> tuple[Complaint, ComplaintSeat]:
    """The complaint and the caller's declared seat in one of ``roles``. No live seat: not found (a member who
    may not sit learns nothing); a seat not declared yet: declare first; another role's seat: not for it."""
    complaint = await _complaint(at.session, at.tenant, complaint_id, lock=lock)
    seat = await _seat(at.session, complaint, at.who)
    if seat is None:
        raise ComplaintNotFound()
    if seat.declaration != Involvement.NOT_INVOLVED:
        raise ComplaintDeclareFirst()
    if seat.role not in roles:
        raise NotForThisSeat()
    await _follow_case(at, complaint)
    return complaint, seat


async def _follow_case(at: At, complaint: Complaint) -> None:
    """A complainant who withdrew through their receipt inbox (``intake.withdraw_complaint``) withdrew the
    complaint too, and a case the reporting point closed once nothing was open closed it: the track follows."""
    session = at.session
    case = await session.get(Case, (complaint.tenant_id, complaint.case_id))
    if (
        case is not None
        and case.status == CaseStatus.CLOSED
        and ComplaintStatus.CLOSED in COMPLAINT_MOVES[complaint.status]
    ):
        move_complaint(complaint, ComplaintStatus.CLOSED)  # closed by the reporting point once nothing was open
        complaint.ended_at = complaint.ended_at or _now()
    if case is not None and case.status == CaseStatus.WITHDRAWN and complaint.status in WITHDRAWS_FROM:
        move_complaint(complaint, ComplaintStatus.WITHDRAWN)
        add_facts(complaint, withdrawn_on=date.today().isoformat(), withdrawn_through="inbox")
        complaint.ended_at = _now()
        await end_track_terms(session, case, "withdrawn")
        await stop_investigations(at, complaint, case, "complaint_withdrawn")


async def stop_investigations(at: At, complaint: Complaint, case: Case, reason: str) -> None:
    """A complaint that ends before the advice (withdrawn, settled) leaves no investigation of the committee's
    open: it stops, its terms met (``investigations.services.stop_with_procedure``)."""
    on_case = follow_up.At(at.session, at.keyring, at.who, at.tenant, case.id)
    if stopped := await investigations.stop_with_procedure(on_case, OnBehalfOf.COMPLAINTS_COMMITTEE, reason):
        await record_act(at, complaint, "investigations_stopped", count=stopped)


def content_of(cipher: CaseCipher, complaint: Complaint) -> dict[str, Any]:
    if complaint.sealed_content is None:
        return {}
    return cipher.open_value(complaint.sealed_content, dict, PURPOSE, complaint.id)


def add_content(cipher: CaseCipher, complaint: Complaint, **more: Any) -> None:
    content = {**content_of(cipher, complaint), **{k: v for k, v in more.items() if v is not None}}
    complaint.sealed_content = cipher.seal_value(content, PURPOSE, complaint.id)


def add_facts(complaint: Complaint, **more: Any) -> None:
    complaint.facts = {**complaint.facts, **more}


async def record_act(at: At, complaint: Complaint, event: str, **details: Any) -> None:
    await audit.record(
        at.session,
        complaint.tenant_id,
        cases.actor_of(at.who),
        f"complaint.{event}",
        "case",
        complaint.case_id,
        complaint=str(complaint.id),
        **details,
    )


async def case_of(session: AsyncSession, tenant: Tenant, complaint: Complaint) -> Case:
    return await intake.find_case(session, tenant, complaint.case_id)


# ---------------------------------------------------------------- deadlines


async def _guardian(session: AsyncSession, complaint: Complaint) -> AccountRef | None:
    seats = _live(await seats_of(session, complaint))
    return next((_ref(s) for s in seats if s.role == SeatRole.PROCESS_GUARDIAN), None)


async def _secretary(session: AsyncSession, complaint: Complaint) -> AccountRef | None:
    seats = declared(await seats_of(session, complaint), (SeatRole.SECRETARY,))
    seats = seats or [s for s in _live(await seats_of(session, complaint)) if s.role == SeatRole.SECRETARY]
    return _ref(seats[0]) if seats else None


async def add_term(
    session: AsyncSession,
    case: Case,
    complaint: Complaint,
    kind: DeadlineKind,
    due: datetime,
    *,
    subject_id: uuid.UUID | None = None,
    responsible: AccountRef | None = None,
    role: str = SeatRole.SECRETARY.value,
) -> Deadline:
    """A term of the track: reminded to the secretary (or ``responsible``), a breach to the process guardian."""
    owner = responsible or await _secretary(session, complaint)
    guardian = await _guardian(session, complaint)
    return intake.add_deadline(
        session, case, kind, due, role, subject_id or complaint.id, responsible=owner, guardian=guardian
    )


async def open_terms(session: AsyncSession, case: Case, kinds: Collection[str] = TRACK_TERMS) -> list[Deadline]:
    return [d for d in await intake.open_deadlines(session, case) if d.kind in kinds]


async def end_track_terms(session: AsyncSession, case: Case, why: str) -> None:
    """The track ended (inadmissible, withdrawn, settled): its open terms end with it, unmet, with the reason.
    The accused's one-month notice stays: it applies also when the complaint turns out inadmissible."""
    for deadline in await open_terms(session, case):
        deadline.met_at, deadline.ended_by = _now(), why


# ---------------------------------------------------------------- registration


def _check_case(case: Case) -> None:
    if case.route != Route.COMPLAINTS_COMMITTEE or case.kind != CaseKind.COMPLAINT:
        raise ComplaintRefused("not-routed-to-committee")
    if case.status not in (CaseStatus.ROUTED, CaseStatus.IN_PROGRESS):
        raise ComplaintRefused("case-ended")


async def register(at: At, data: RegisterIn) -> Complaint:
    """The secretary registers a complaint routed to the committee, once the tenant's procedure is active. The
    informal options were shown: considered, or skipped with why (recorded, never blocking). Its receipt is
    confirmed now (the term counts from the complaint's arrival); the admissibility and advice terms start; the
    accused's one-month notice becomes the secretary's."""
    session, tenant = at.session, at.tenant
    terms = active_terms(tenant)
    if not await _is_secretary(session, tenant, at.who):
        raise ComplaintRefused("secretary-registers")
    case = await intake.find_case(session, tenant, data.case_id)
    _check_case(case)
    if at.who in await cases.exclusions(session, case):
        raise ComplaintRefused("secretary-excluded")  # the accused, their manager, a declared link: a deputy registers
    if (
        await session.execute(
            select(Complaint.id).where(Complaint.tenant_id == tenant.id, Complaint.case_id == case.id)
        )
    ).first():
        raise ComplaintRefused("already-registered")
    if data.informal == "skipped" and data.skipped_because is None:
        raise ComplaintRefused("informal-why-skipped")
    if data.events_on is not None and data.events_on > date.today():
        raise ComplaintRefused("events-in-future")
    complaint = Complaint(
        tenant_id=tenant.id,
        id=uuid.uuid4(),
        case_id=case.id,
        status=ComplaintStatus.REGISTERED,
        committee_tenant_id=committee_of(tenant),
        facts=_registration_facts(terms, data),
        registered_by_tenant_id=at.who.tenant_id,
        registered_by_id=at.who.id,
    )
    await _insert_once(session, complaint, ComplaintRefused("already-registered"))
    if data.informal_note:
        add_content(await case_cipher(session, at.keyring, tenant.id, case.id), complaint, informal=data.informal_note)
    await _seat_secretary(at, complaint, data)
    await _registration_terms(session, terms, case, complaint, at.who)
    if case.receipt_hash is not None:  # the complainant's receipt inbox: procedure words only
        await intake.add_message(session, at.keyring, tenant, case, f"account:{at.who.id}", RECEIVED_MESSAGE)
    await record_act(at, complaint, "registered", informal=data.informal, late=complaint.facts.get("late", False))
    return complaint


async def _insert_once(session: AsyncSession, row: Complaint | ComplaintSeat, taken: DomainError) -> None:
    """Insert a row whose unique key another request may have just taken (two registrations of one case, two
    seats of one person at once): the loser is refused like the checks before it refuse, never a 500."""
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise taken from None


def _registration_facts(terms: ProcedureTerms, data: RegisterIn) -> dict[str, Any]:
    facts: dict[str, Any] = {"informal": data.informal, "received_on": date.today().isoformat()}
    if data.skipped_because:
        facts["skipped_because"] = data.skipped_because
    if data.events_on is not None:
        facts["events_on"] = data.events_on.isoformat()
        window = terms.complaint_window_days
        # Outside the regulation's window: the committee may find it too late; registering is never refused.
        facts["late"] = window is not None and (date.today() - data.events_on).days > window
    return facts


async def _seat_secretary(at: At, complaint: Complaint, data: RegisterIn) -> None:
    _check_employer(at.tenant, SeatRole.SECRETARY, data.employer, data.employer_tenant_id)
    refusal = await follow_up.investigator_role_refusal(at.session, _case(complaint), at.who, SeatRole.SECRETARY)
    if refusal is not None:
        raise ComplaintSeatRefused(refusal)
    at.session.add(
        ComplaintSeat(
            tenant_id=at.tenant.id,
            case_id=complaint.case_id,
            complaint_id=complaint.id,
            account_tenant_id=at.who.tenant_id,
            account_id=at.who.id,
            role=SeatRole.SECRETARY,
            employer=Employer(data.employer),
            employer_tenant_id=data.employer_tenant_id,
            facts={},
        )
    )
    follow_up.hold_role(at.session, _case(complaint), at.who, SeatRole.SECRETARY)
    await at.session.flush()


async def _registration_terms(
    session: AsyncSession, terms: ProcedureTerms, case: Case, complaint: Complaint, secretary: AccountRef
) -> None:
    now = _now()
    receipt = await add_term(
        session,
        case,
        complaint,
        DeadlineKind.COMPLAINT_RECEIPT,
        case.created_at + term_days(terms, "complaint_receipt_days"),
    )
    receipt.met_at = now
    await add_term(
        session,
        case,
        complaint,
        DeadlineKind.COMPLAINT_ADMISSIBILITY,
        now + term_days(terms, "complaint_admissibility_days"),
    )
    await add_term(
        session, case, complaint, DeadlineKind.COMPLAINT_ADVICE, now + term_days(terms, "committee_advice_days")
    )
    await intake.meet_deadlines(session, case, DeadlineKind.ACKNOWLEDGE)
    await take_over_notice(session, terms, case, secretary)


async def take_over_notice(session: AsyncSession, terms: ProcedureTerms, case: Case, secretary: AccountRef) -> None:
    """The accused's one-month notice (AVG art. 14) is the committee secretary's for a complaint: the open
    deadline routing handed to the committee now names the secretary; one that is missing runs from the report."""
    notice = [d for d in await intake.open_deadlines(session, case) if d.kind == DeadlineKind.INFORM_ACCUSED]
    for deadline in notice:
        deadline.responsible_role = SeatRole.SECRETARY.value
        deadline.responsible_tenant_id, deadline.responsible_id = secretary.tenant_id, secretary.id
    if notice:
        return
    informed = select(Deadline.id).where(
        Deadline.tenant_id == case.tenant_id,
        Deadline.case_id == case.id,
        Deadline.kind == DeadlineKind.INFORM_ACCUSED,
        Deadline.ended_by.is_(None),
    )
    if (await session.execute(informed)).first() is None:
        due = case.created_at + timedelta(days=terms.inform_accused_days)
        intake.add_deadline(
            session, case, DeadlineKind.INFORM_ACCUSED, due, SeatRole.SECRETARY.value, responsible=secretary
        )


# ---------------------------------------------------------------- seats and declarations


def _check_employer(tenant: Tenant, role: SeatRole, employer: str, employer_tenant_id: uuid.UUID | None) -> None:
    """The committee is never employed by the parties' member (seed-003 Implications 23); the chair external
    where the regulation requires it."""
    if role not in COMMITTEE:
        return
    if employer == Employer.THIS_MEMBER or employer_tenant_id == tenant.id:
        raise ComplaintSeatRefused("employed-by-member")
    if role == SeatRole.CHAIR and complaint_rules_of(tenant.procedure).external_chair and employer != Employer.EXTERNAL:
        raise ComplaintSeatRefused("chair-external")


async def _check_seat(at: At, complaint: Complaint, data: SeatIn) -> dict[str, Any]:
    seated, role = AccountRef(data.account_tenant_id, data.account_id), SeatRole(data.role)
    if complaint.status in ENDED:
        raise ComplaintSeatRefused("ended")
    _check_employer(at.tenant, role, data.employer, data.employer_tenant_id)
    seats = await seats_of(at.session, complaint)
    if any(_ref(s) == seated for s in seats):
        raise ComplaintSeatRefused("one-seat")
    held = await identity.active_roles(at.session, at.tenant.id, *seated)
    if Role(role.value) not in held:
        raise ComplaintSeatRefused("role-not-held")
    if role == SeatRole.DECISION_MAKER and Role.HR in held:
        raise ComplaintSeatRefused("hr-never-decides")  # seed-003 §6.1.2: "niet de leidinggevende of HR"
    refusal = cases.guardian_refusal(at.tenant, seated, held) if role == SeatRole.PROCESS_GUARDIAN else None
    if refusal is not None:
        raise ComplaintSeatRefused(refusal)  # as at the panel: the adviser never; the pool's guardians only
    refusal = await follow_up.investigator_role_refusal(at.session, _case(complaint), seated, role.value)
    if refusal is not None:
        raise ComplaintSeatRefused(refusal)  # the case's internal investigator takes no seat here
    facts: dict[str, Any] = {}
    excluded = await _excluded(at.session, complaint)
    if role == SeatRole.DECISION_MAKER:
        facts = _check_decider(seated, seats, excluded, data)
    elif seated in excluded:
        raise ComplaintSeatRefused("excluded")
    if data.deputy_for is not None:
        if not any(s.id == data.deputy_for and s.left_at is not None for s in seats):
            raise ComplaintSeatRefused("deputy-for-unknown")
        facts["deputy_for"] = str(data.deputy_for)
    return facts


def _check_decider(
    seated: AccountRef, seats: list[ComplaintSeat], excluded: dict[AccountRef, ExclusionReason], data: SeatIn
) -> dict[str, Any]:
    """The competent authority is never the accused nor kept out of the case; when it is the accused's own
    manager (a small member), the decision moves up or is taken with a second decision maker, seated first,
    and the reason is recorded (seed-000 §2.6 D6; ``cases.services.decider_refusal``)."""
    deciders = [_ref(s) for s in _live(seats) if s.role == SeatRole.DECISION_MAKER]
    refusal = cases.decider_refusal(seated, deciders, excluded)
    if refusal is not None:
        raise ComplaintSeatRefused(refusal)
    if excluded.get(seated) == ExclusionReason.ACCUSED_MANAGER:
        if data.escalation_reason is None:
            raise ComplaintSeatRefused("escalation-reason-missing")
        return {"beside_independent": True}
    return {}


async def seat(at: At, complaint_id: uuid.UUID, data: SeatIn) -> ComplaintSeat:
    """The declared secretary or chair seats the committee's chair and members, a deputy, the member's
    competent authority and the process guardian: each holds the role here, the committee never employed by the
    parties' member, nobody kept out of the case. The guardian's seat receives the track's breaches."""
    complaint, _ = await acting(at, complaint_id, (SeatRole.SECRETARY, SeatRole.CHAIR))
    facts = await _check_seat(at, complaint, data)
    cipher = await case_cipher(at.session, at.keyring, at.tenant.id, complaint.case_id)
    row = ComplaintSeat(
        tenant_id=at.tenant.id,
        id=uuid.uuid4(),
        case_id=complaint.case_id,
        complaint_id=complaint.id,
        account_tenant_id=data.account_tenant_id,
        account_id=data.account_id,
        role=SeatRole(data.role),
        employer=Employer(data.employer),
        employer_tenant_id=data.employer_tenant_id,
        facts=facts,
    )
    if data.escalation_reason:
        add_content(cipher, complaint, **{f"escalation:{row.id}": data.escalation_reason})
    await _insert_once(at.session, row, ComplaintSeatRefused("one-seat"))
    follow_up.hold_role(at.session, _case(complaint), _ref(row), row.role.value)
    await _answer_for(at.session, complaint, row)
    await record_act(
        at, complaint, "seated", role=data.role, employer=data.employer, deputy=data.deputy_for is not None
    )
    return row


async def _answer_for(session: AsyncSession, complaint: Complaint, row: ComplaintSeat) -> None:
    """A process guardian seated now receives the breaches of the open terms; a decision maker answers for
    the decision's term."""
    for deadline in await intake.open_deadlines(session, _case(complaint)):
        if row.role == SeatRole.PROCESS_GUARDIAN and deadline.kind in TRACK_TERMS | {DeadlineKind.INFORM_ACCUSED}:
            deadline.guardian_tenant_id, deadline.guardian_id = row.account_tenant_id, row.account_id
        if row.role == SeatRole.DECISION_MAKER and deadline.kind == DeadlineKind.COMPLAINT_DECISION:
            deadline.responsible_tenant_id, deadline.responsible_id = row.account_tenant_id, row.account_id


async def declare(
    at: At, complaint_id: uuid.UUID, involved: bool, interest: bool, line: bool, statement: str
) -> ComplaintSeat:
    """The seat's own written declaration, before anything of the complaint: not involved, no interest in
    either party, not in their reporting line. A declared link ends the seat, keeps them out of the case (they
    find nothing of it from now on) and asks the chair and the secretary for a deputy."""
    complaint = await _complaint(at.session, at.tenant, complaint_id, lock=True)
    row = await _seat(at.session, complaint, at.who)
    if row is None:
        raise ComplaintNotFound()
    if row.declaration is not None:
        raise ComplaintRefused("already-declared")
    cipher = await case_cipher(at.session, at.keyring, at.tenant.id, complaint.case_id)
    linked = involved or interest or line
    row.declaration = Involvement.INVOLVED if linked else Involvement.NOT_INVOLVED
    row.declared_at = _now()
    row.sealed_declaration = cipher.seal(statement, PURPOSE, row.id)
    seen = await _committee_assignments(at.session, complaint)
    row.facts = {**row.facts, "interest": interest, "reporting_line": line, "involved": involved, SEEN: seen}
    if linked:
        row.left_at = _now()
        if at.who not in await _excluded(at.session, complaint):
            at.session.add(
                CaseExclusion(
                    tenant_id=at.tenant.id,
                    case_id=complaint.case_id,
                    account_tenant_id=at.who.tenant_id,
                    account_id=at.who.id,
                    reason=ExclusionReason.DECLARED_LINK,
                )
            )
        await _ask_deputy(at.session, complaint, row)
    else:
        await _take_over(at, complaint, row)
    await at.session.flush()
    again = bool(row.facts.get(EARLIER))
    await record_act(at, complaint, "declaration", role=row.role, linked=linked, again=again)
    return row


async def _take_over(at: At, complaint: Complaint, row: ComplaintSeat) -> None:
    """A deputy chair, declared, carries on the investigations the chair they replace commissioned or carried:
    the committee's investigation never stays without a chair who controls it."""
    if row.role != SeatRole.CHAIR or "deputy_for" not in row.facts:
        return
    replaced = next(s for s in await seats_of(at.session, complaint) if str(s.id) == row.facts["deputy_for"])
    before, after = _ref(replaced), _ref(row)
    if taken := await investigations.hand_over(
        at.session, _case(complaint), OnBehalfOf.COMPLAINTS_COMMITTEE, before, after
    ):
        await record_act(at, complaint, "investigations_handed_over", count=taken)


async def _ask_deputy(session: AsyncSession, complaint: Complaint, row: ComplaintSeat) -> None:
    """Who seats asks for a deputy: the complaint's chair and secretary (or the committee's secretaries when the
    secretary's own seat declared the link). The message names no complaint and no content."""
    asked = {
        _ref(s) for s in _live(await seats_of(session, complaint)) if s.role in (SeatRole.CHAIR, SeatRole.SECRETARY)
    }
    if row.role == SeatRole.SECRETARY or not asked:
        asked |= set(await identity.role_holders(session, complaint.tenant_id, Role.COMMITTEE_SECRETARY.value))
    for account in sorted(asked - {_ref(row)}, key=str):
        await notifications.notify(
            session,
            complaint.tenant_id,
            account,
            "complaint.deputy_needed",
            {"count": 1},
            dedup_key=f"complaint-deputy:{row.id}:{account.id}",
        )


# ---------------------------------------------------------------- documents the parties read


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


RECORD_CLASS = {RecordKind.ADVICE: RecordClass.ADVICE, RecordKind.DECISION: RecordClass.DECISION}
TITLES = {
    RecordKind.DEFENCE: "Verweerschrift",
    RecordKind.HEARING_RECORD: "Verslag van de hoorzitting",
    RecordKind.REACTION: "Reactie",
    RecordKind.EVIDENCE: "Stuk in het dossier",
    RecordKind.DRAFT_ADVICE: "Conceptadvies",
    RecordKind.ADVICE: "Advies van de klachtencommissie",
    RecordKind.DECISION: "Besluit",
    RecordKind.MEDIATION_AGREEMENT: "Afspraken uit de mediation",
}


async def add_record(
    at: At,
    store: ObjectStore,
    complaint: Complaint,
    kind: RecordKind,
    body: str,
    *,
    party: str | None = None,
    facts: dict[str, Any] | None = None,
) -> ComplaintRecord:
    """A record of the dossier, sealed, with its visibility by kind: internal deliberation stays with the
    committee; a hearing record or a reaction is that party's and the committee's; everything else the committee
    relies on is both parties' (evidence parity), kept as a document of the case and shared in the portal. Evidence
    for one ``party`` (the summary it reads of a record withheld from it) is that party's and the committee's."""
    visibility = (
        Visibility.COMMITTEE
        if kind == RecordKind.DELIBERATION
        else Visibility.OWN_PARTY
        if party is not None or kind in (RecordKind.HEARING_RECORD, RecordKind.REACTION)
        else Visibility.PARTIES
    )
    cipher = await case_cipher(at.session, at.keyring, at.tenant.id, complaint.case_id)
    row = ComplaintRecord(
        tenant_id=at.tenant.id,
        id=uuid.uuid4(),
        case_id=complaint.case_id,
        complaint_id=complaint.id,
        kind=kind,
        visibility=visibility,
        party=party,
        facts=facts or {},
        sealed_body=b"",
        recorded_by_tenant_id=at.who.tenant_id,
        recorded_by_id=at.who.id,
    )
    row.sealed_body = cipher.seal(body, PURPOSE, row.id)
    if visibility != Visibility.COMMITTEE:
        row.document_id = await as_document(at, store, complaint, kind, body)
    at.session.add(row)
    await at.session.flush()
    if row.document_id is not None:
        await share_records(at, complaint)
    return row


async def as_document(
    at: At, store: ObjectStore, complaint: Complaint, kind: RecordKind, body: str, title: str | None = None
) -> uuid.UUID:
    meta = DocumentMeta(
        filename=f"{kind.value}.txt", content_type="text/plain; charset=utf-8", title=title or TITLES[kind]
    )
    record_class = RECORD_CLASS.get(kind, RecordClass.COMPLAINT_DOSSIER)
    document = await store_document(
        at.session,
        at.keyring,
        store,
        cases.actor_of(at.who),
        at.tenant.id,
        complaint.case_id,
        record_class,
        _chunks(body.encode()),
        meta,
    )
    return document.id


async def share_records(at: At, complaint: Complaint) -> int:
    """Every record the parties may read, shared with the parties now on the case (a party added later gets
    what it may read at the notification, or when the secretary shares again). Returns how many shares."""
    present = {
        v.party.role: v.party.id for v in await parties.parties_of(at.session, at.keyring, at.tenant, complaint.case_id)
    }
    existing = {
        (s.share.document_id, s.share.party_role)
        for s in await parties.shares_of(at.session, at.keyring, at.tenant, complaint.case_id)
    }
    shared = 0
    for row in await records_of(at.session, complaint):
        if row.document_id is None:
            continue
        sides = [row.party] if row.party else ["complainant", "accused"]
        roles = [r for side in sides if side not in withheld_from(row) for r in SIDES[side] if r in present]
        for role in roles:
            if (row.document_id, role) not in existing:
                await parties.share(
                    at.session,
                    at.who,
                    at.tenant,
                    complaint.case_id,
                    ShareIn(document_id=row.document_id, party_role=role),
                )
                shared += 1
    return shared


def withheld_from(record: ComplaintRecord) -> list[str]:
    """The parties an art. 23 restriction keeps this record from (``complaints.restrictions``)."""
    return sorted(record.facts.get("withheld", {}))


async def records_of(session: AsyncSession, complaint: Complaint) -> list[ComplaintRecord]:
    return await _of(session, complaint, ComplaintRecord, ComplaintRecord.recorded_at)
