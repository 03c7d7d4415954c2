"""Case handling, phase 1: every transition is a service call that checks its preconditions, writes an
audit entry and may create or meet deadlines (DESIGN §7).

Who may do what is two questions: the role (``identity.policy``, asked by the controllers) and the seat:
content is shown only to a decision maker or expert who sits at this case's panel and has declared, in
writing, not to be involved; a process guardian sees the process and never the content.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit import services as audit
from meldpunt.audit.services import ANONYMOUS, AuditActor
from meldpunt.cases import follow_up
from meldpunt.cases.errors import (
    CaseEnded,
    ConcernNotFound,
    ConcernOpen,
    DeclareAgain,
    DeclareFirst,
    NotAPanelCase,
    NotOnThePanel,
    PanelIncomplete,
    ReporterCloseRefused,
    ReporterFirst,
    RouteStepRefused,
    RoutingRefused,
    SeatRefused,
    StepRefused,
)
from meldpunt.cases.models import (
    CaseExclusion,
    CaseRouting,
    CaseStep,
    Escalation,
    ExclusionReason,
    IgjAnswer,
    Involvement,
    PanelMember,
    PanelRole,
    ProcessConcern,
    Route,
    ScopeChange,
    StepKind,
    declare_seat,
)
from meldpunt.cases.schemas import (
    EVERY_OPTION,
    LADDER,
    TEXT_FIELDS,
    AccusedInformed,
    DeclarationIn,
    ExclusionIn,
    FirstConversation,
    InterimMeasureStep,
    InterimReview,
    MemberIn,
    NoticeDeferred,
    PoliceReport,
    ReporterClosed,
    ReporterClosedIn,
    RouteStep,
    RoutingIn,
    ScopeChangeStep,
    Step,
    Weighing,
    WhistleblowerAcknowledged,
    WhistleblowerFeedback,
)
from meldpunt.db.context import also_in
from meldpunt.dossiers.cipher import case_cipher
from meldpunt.dossiers.keys import Keyring
from meldpunt.errors import Named
from meldpunt.identity import services as identity
from meldpunt.identity.models import Account, AccountRef
from meldpunt.identity.roles import Role
from meldpunt.intake import services as intake
from meldpunt.intake.models import Case, CaseKind, CaseStatus, Deadline, DeadlineKind, may_move, move_case
from meldpunt.notifications import services as notifications
from meldpunt.retention.services import CaseDestroyed
from meldpunt.tenancy.models import Tenant
from meldpunt.tenancy.terms import terms_of

PANEL_ROLES = tuple(PanelRole)
CONTENT_ROLES = frozenset({PanelRole.DECISION_MAKER, PanelRole.EXPERT})
HANDLING = "handling"  # the purpose every text of case handling is sealed for (DESIGN §9)
STEP_MEETS = {"first_conversation": "first_conversation", "accused_informed": "inform_accused", "weighing": "choice"}


SCOPE = AuditActor.system("scope")  # a change of scope may come from another module's service (parties)


def actor_of(who: AccountRef) -> AuditActor:
    return AuditActor.account(who.id)


def _now() -> datetime:
    return datetime.now(UTC)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


# ---------------------------------------------------------------- routing (seed-000 §2.2)

OVERRIDE_MESSAGE = (
    "Het meldpunt heeft uw melding bekeken. Er geldt een wettelijke plicht die zwaarder weegt dan wat u "
    "wilde: de organisatie moet hier iets mee doen. U hoort wat dat voor u betekent; u kunt altijd met "
    "een vertrouwenspersoon praten."
)


# SBI: health care, residential care, and social work without lodging for the elderly and disabled (88.1) fall
# under the Wkkgz; child care (88.91) does not (the Wet kinderopvang has its own duty). A bare "88" may be either.
CARE_SECTOR = ("86", "87", "88.1")


def is_care_sector(tenant: Tenant) -> bool:
    """A care organisation by its SBI sector code (``86``, ``87.1``, ``88.10`` …): asked the Wkkgz/IGJ question.
    A code that does not say which part of 88 it is (``88``) is asked too."""
    code = tenant.sector_code.strip()
    return code.startswith(CARE_SECTOR) or code == "88"


def _check_routing(tenant: Tenant, case: Case, data: RoutingIn) -> None:
    """The choice itself: an open case, "do nothing" with an alternative (seed-000 §2.2 Tip 2), a complaint
    only from who it happened to and never anonymous, a police report duty to the police or the panel, each
    legal duty with its own reason, and a care organisation's answer to the Wkkgz/IGJ question."""
    if not may_move(case, CaseStatus.ROUTED):  # withdrawn, judged, closed or dismissed: it has ended
        raise RoutingRefused("ended")
    if data.route == "no_action" and not data.alternative:
        raise RoutingRefused("no-action-needs-alternative")
    if data.classified_as == "complaint" and (case.anonymity != "confidential" or not case.reporter_is_affected):
        raise RoutingRefused("complaint-by-affected")
    if "police_report_duty" in data.legal_duties and data.route not in ("police", "decision_panel"):
        raise RoutingRefused("police-duty")
    unexplained = [duty for duty in data.legal_duties if duty not in data.duty_reasons]
    if unexplained:
        raise RoutingRefused("duty-reasons-missing", missing=Named(*(f"case.duties.{d}" for d in unexplained)))
    if set(data.duty_reasons) - set(data.legal_duties):
        raise RoutingRefused("reason-without-duty")
    if is_care_sector(tenant) and data.igj_answer is None:
        raise RoutingRefused("igj-question")
    if data.igj_answer == "reportable" and "care_sector_duty" not in data.legal_duties:
        raise RoutingRefused("igj-duty")


def _check_escalation(case: Case, data: RoutingIn) -> None:
    """An accused director or board member: the supervisory board or the branch decides; an accused manager:
    at least one level up (seed-000 Implications C.20)."""
    if case.accused_role == "director_or_board" and data.escalation not in ("supervisory_board", "branch"):
        raise RoutingRefused("board-accused")
    if case.accused_role == "manager" and data.route == "decision_panel" and data.escalation is None:
        raise RoutingRefused("manager-accused")


def _overrides_wish(case: Case, data: RoutingIn) -> bool:
    """A legal duty weighs more than the reporter's wish: when they asked only to be heard or advised, or
    the case goes further than the adviser."""
    wished_only_support = set(case.wishes) <= {"listening_ear", "advice"} and bool(case.wishes)
    return bool(data.legal_duties) and (wished_only_support or data.route != "adviser_only")


# Who holds the statutory month to inform the accused (started by intake for a report or complaint), by route:
# the panel's decision maker, or the complaints committee (its track, issue 15). Any other route has no one who
# handles the accused's side: the route ends it unmet, with its name as the reason (DESIGN §7).
INFORM_ACCUSED_HOLDER = {Route.DECISION_PANEL: "decision_maker", Route.COMPLAINTS_COMMITTEE: "complaints_committee"}
# A route's own terms; re-routed elsewhere, the route no longer answers for them.
ROUTE_TERMS = {Route.DECISION_PANEL: frozenset({DeadlineKind.PANEL})}


# A route that has taken the case on, by the mark it leaves in intake's terms: the complaints committee's receipt
# of a registered complaint (``complaints.services.register`` writes it, met, and nothing ends it). From then on
# the case is that route's: only it ends the case (inadmissible, withdrawn, closed), routing sends it nowhere else.
TAKEN_ON = {Route.COMPLAINTS_COMMITTEE: (DeadlineKind.COMPLAINT_RECEIPT, "complaint-registered")}


HANDED_BACK = "handed_back"  # the taken-on mark's ``ended_by`` once the route gave the case back


async def _check_taken_on(session: AsyncSession, case: Case) -> None:
    """Routing is refused once the case's route has taken it on (``TAKEN_ON``), with that route's reason, until
    that route hands it back (``hand_back``)."""
    taken = TAKEN_ON.get(Route(case.route)) if case.route else None
    if taken is None:
        return
    held = select(func.count()).where(
        Deadline.tenant_id == case.tenant_id,
        Deadline.case_id == case.id,
        Deadline.kind == taken[0],
        Deadline.ended_by.is_distinct_from(HANDED_BACK),
    )
    if (await session.execute(held)).scalar_one():
        raise RoutingRefused(taken[1])


async def hand_back(session: AsyncSession, who: AccountRef, tenant: Tenant, case: Case) -> None:
    """The route that took the case on gives it back to the reporting point, which routes it again within its
    routing term (a complaint the committee found inadmissible because the regulation asks for the internal
    route first: the case goes that way, and the report is not lost)."""
    taken = TAKEN_ON.get(Route(case.route)) if case.route else None
    if taken is None:
        return
    marks = await session.execute(
        select(Deadline).where(
            Deadline.tenant_id == case.tenant_id, Deadline.case_id == case.id, Deadline.kind == taken[0]
        )
    )
    for mark in marks.scalars():
        mark.ended_by = HANDED_BACK
    terms = terms_of(tenant.procedure)
    intake.add_deadline(session, case, DeadlineKind.ROUTE, _now() + timedelta(days=terms.route_days), "reporting_point")
    await audit.record(session, tenant.id, actor_of(who), "case.handed_back", "case", case.id, route=case.route)


async def _hand_over_deadlines(session: AsyncSession, tenant: Tenant, case: Case, route: Route) -> None:
    """The case's open terms follow the route: the month to inform the accused goes to who handles that side
    here or ends with the route; a previous route's own terms end; back at the panel the month runs again
    (from the report) when a route ended it."""
    now = _now()
    for deadline in await intake.open_deadlines(session, case):
        ended = deadline.kind in {kind for other, kinds in ROUTE_TERMS.items() if other != route for kind in kinds}
        if deadline.kind == DeadlineKind.INFORM_ACCUSED:
            holder = INFORM_ACCUSED_HOLDER.get(route)
            ended = holder is None
            deadline.responsible_role = holder or deadline.responsible_role
        if ended:
            deadline.met_at, deadline.ended_by = now, route.value
    if route == Route.DECISION_PANEL and case.kind != CaseKind.SIGNAL:
        rows = select(Deadline).where(
            Deadline.tenant_id == case.tenant_id,
            Deadline.case_id == case.id,
            Deadline.kind == DeadlineKind.INFORM_ACCUSED,
            Deadline.ended_by.is_(None),
        )
        if (await session.execute(rows)).first() is None:
            due = case.created_at + timedelta(days=terms_of(tenant.procedure).inform_accused_days)
            intake.add_deadline(session, case, DeadlineKind.INFORM_ACCUSED, due, "decision_maker")


async def _routing_deadlines(session: AsyncSession, tenant: Tenant, case: Case, route: Route, who: AccountRef) -> None:
    """The terms a route starts, each with the reporting point account that routed it as responsible:
    composing the panel; the whistleblower regime's acknowledgement (7 days from the report) and feedback
    (3 months). Those the case already has are kept (a re-route does not restart them)."""
    await _hand_over_deadlines(session, tenant, case, route)
    terms = terms_of(tenant.procedure)
    starts: dict[DeadlineKind, datetime] = {}
    if route == Route.DECISION_PANEL:
        starts[DeadlineKind.PANEL] = _now() + timedelta(days=terms.panel_days)
    if route == Route.WHISTLEBLOWER:
        starts[DeadlineKind.WHISTLEBLOWER_ACKNOWLEDGEMENT] = case.created_at + timedelta(days=terms.acknowledge_days)
        starts[DeadlineKind.WHISTLEBLOWER_FEEDBACK] = _now() + timedelta(days=terms.whistleblower_feedback_days)
    open_kinds = {deadline.kind for deadline in await intake.open_deadlines(session, case)}
    for kind, due in starts.items():
        if kind not in open_kinds and (kind == DeadlineKind.PANEL or not await _has(session, Deadline, case, kind)):
            intake.add_deadline(session, case, kind, due, "reporting_point", responsible=who)


async def route_case(
    session: AsyncSession, keyring: Keyring, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, data: RoutingIn
) -> CaseRouting:
    """Classify and route a case, with a reason. "Do nothing" needs a recorded alternative; a legal duty
    overrides the reporter's wish and the reporter is told so; an accused manager or director moves the
    decision up."""
    case = await intake.find_case(session, tenant, case_id)
    _check_routing(tenant, case, data)
    await _check_taken_on(session, case)
    _check_escalation(case, data)
    cipher = await case_cipher(session, keyring, tenant.id, case.id)
    routing_id = uuid.uuid4()
    overrides = _overrides_wish(case, data)
    routing = CaseRouting(
        tenant_id=tenant.id,
        id=routing_id,
        case_id=case.id,
        classified_as=data.classified_as,
        route=Route(data.route),
        legal_duties=list(data.legal_duties),
        overrides_wish=overrides,
        escalation=Escalation(data.escalation) if data.escalation else None,
        sealed_reason=cipher.seal(data.reason, HANDLING, routing_id),
        sealed_alternative=cipher.seal(data.alternative, HANDLING, routing_id) if data.alternative else None,
        sealed_duty_reasons=cipher.seal_value(dict(data.duty_reasons), HANDLING, routing_id)
        if data.legal_duties
        else None,
        igj_answer=IgjAnswer(data.igj_answer) if data.igj_answer else None,
        decided_by_tenant_id=who.tenant_id,
        decided_by_id=who.id,
    )
    session.add(routing)
    case.route = data.route
    move_case(case, CaseStatus.ROUTED)
    case.kind = CaseKind(data.classified_as)
    await session.flush()
    await intake.meet_deadlines(session, case, "route")
    await _routing_deadlines(session, tenant, case, Route(data.route), who)
    if overrides and case.anonymity != "anonymous":
        await intake.add_message(session, keyring, tenant, case, actor_of(who).label, OVERRIDE_MESSAGE)
    await audit.record(
        session,
        tenant.id,
        actor_of(who),
        "case.routed",
        "case",
        case.id,
        route=data.route,
        legal_duties=len(data.legal_duties),
        overrides_wish=overrides,
        igj=data.igj_answer,
    )
    return routing


# ---------------------------------------------------------------- the decision panel (seed-000 §1.4)


async def panel_case(session: AsyncSession, tenant: Tenant, case_id: uuid.UUID) -> Case:
    case = await intake.find_case(session, tenant, case_id)
    if case.route != "decision_panel":
        raise NotAPanelCase()
    return case


async def _seats(session: AsyncSession, case: Case, *, active_only: bool = True) -> list[PanelMember]:
    query = select(PanelMember).where(PanelMember.tenant_id == case.tenant_id, PanelMember.case_id == case.id)
    if active_only:
        query = query.where(PanelMember.left_at.is_(None))
    return list((await session.execute(query.order_by(PanelMember.assigned_at))).scalars())


async def _exclusions(session: AsyncSession, case: Case) -> dict[AccountRef, ExclusionReason]:
    """Who is kept out of the case, and why."""
    rows = await session.execute(
        select(CaseExclusion.account_tenant_id, CaseExclusion.account_id, CaseExclusion.reason).where(
            CaseExclusion.tenant_id == case.tenant_id, CaseExclusion.case_id == case.id
        )
    )
    return {AccountRef(row.account_tenant_id, row.account_id): row.reason for row in rows}


def _independent_deciders(seats: list[PanelMember], excluded: dict[AccountRef, ExclusionReason]) -> list[PanelMember]:
    """The decision makers seated here who are not the accused's line manager (seed-000 §1.7)."""
    return [
        seat
        for seat in seats
        if seat.role == PanelRole.DECISION_MAKER
        and excluded.get(AccountRef(seat.account_tenant_id, seat.account_id)) != ExclusionReason.ACCUSED_MANAGER
    ]


def _may_sit(
    seated: AccountRef, role: PanelRole, seats: list[PanelMember], excluded: dict[AccountRef, ExclusionReason]
) -> None:
    """Someone kept out does not sit, with one exception: the accused's line manager may be a decision maker,
    never the only one (seed-000 §1.7): a second, independent decision maker is seated first."""
    if excluded.get(seated) is not None and role != PanelRole.DECISION_MAKER:
        raise SeatRefused("excluded")
    deciders = [AccountRef(s.account_tenant_id, s.account_id) for s in seats if s.role == PanelRole.DECISION_MAKER]
    refusal = decider_refusal(seated, deciders, excluded)
    if refusal is not None:
        raise SeatRefused(refusal)


def decider_refusal(
    seated: AccountRef, deciders: Collection[AccountRef], excluded: dict[AccountRef, ExclusionReason]
) -> str | None:
    """The "manager-not-alone" rule (seed-000 §1.7, §2.6 D6), also for a decision outside the panel (the
    complaint track's competent authority): someone kept out of the case never decides, except the accused's
    line manager beside an independent decision maker among ``deciders``. The refusal's reason, or None."""
    reason = excluded.get(seated)
    if reason is None:
        return None
    if reason != ExclusionReason.ACCUSED_MANAGER:
        return "excluded"
    independent = [d for d in deciders if d != seated and excluded.get(d) != ExclusionReason.ACCUSED_MANAGER]
    return None if independent else "manager-not-alone"


async def exclusions(session: AsyncSession, case: Case) -> dict[AccountRef, ExclusionReason]:
    """Who is kept out of the case, and why: for a module above that seats people on it."""
    return await _exclusions(session, case)


def _add_exclusion(session: AsyncSession, case: Case, who: AccountRef, reason: ExclusionReason) -> None:
    session.add(
        CaseExclusion(
            tenant_id=case.tenant_id,
            case_id=case.id,
            account_tenant_id=who.tenant_id,
            account_id=who.id,
            reason=reason,
        )
    )


async def seat_of(session: AsyncSession, case: Case, who: AccountRef) -> PanelMember | None:
    for seat in await _seats(session, case):
        if (seat.account_tenant_id, seat.account_id) == who:
            return seat
    return None


def _uses_guardian_pool(tenant: Tenant) -> bool:
    return tenant.branch_id is not None and "process_guardians" in tenant.branch_services


def guardian_refusal(tenant: Tenant, seated: AccountRef, held: Collection[Role]) -> str | None:
    """Who may not guard a case's process (seed-000 §1.7), at the panel and outside it (the complaint track's
    guardian seat): never the organisation's confidential adviser; where the member uses the branch's pool of
    process guardians, never someone of the member itself. The refusal's reason, or None."""
    if Role.ADVISER in held:
        return "adviser"
    if _uses_guardian_pool(tenant) and seated.tenant_id == tenant.id:
        return "pool-only"
    return None


async def assign_member(
    session: AsyncSession, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, data: MemberIn, *, pooled: bool = False
) -> PanelMember:
    """Seat someone at the case's panel, after every rule: the role's grant here, one seat a person, not
    excluded, the adviser never expert or process guardian, a pooled guardian never from this member, the case's
    internal investigator never (``follow_up.investigator_role_refusal``)."""
    case = await panel_case(session, tenant, case_id)
    seated = AccountRef(data.account_tenant_id, data.account_id)
    role = PanelRole(data.role)
    _may_sit(seated, role, await _seats(session, case), await _exclusions(session, case))
    if any((s.account_tenant_id, s.account_id) == seated for s in await _seats(session, case, active_only=False)):
        raise SeatRefused("one-seat")
    held = await identity.active_roles(session, tenant.id, *seated)
    if Role(role) not in held:
        raise SeatRefused("role-not-held")
    if role == PanelRole.EXPERT and Role.ADVISER in held:
        raise SeatRefused("adviser")
    refusal = guardian_refusal(tenant, seated, held) if role == PanelRole.PROCESS_GUARDIAN else None
    refusal = refusal or await follow_up.investigator_role_refusal(session, case, seated, role.value)
    if refusal is not None:
        raise SeatRefused(refusal)
    seat = PanelMember(
        tenant_id=tenant.id,
        case_id=case.id,
        account_tenant_id=seated.tenant_id,
        account_id=seated.id,
        role=role,
        pooled=pooled,
    )
    session.add(seat)
    follow_up.hold_role(session, case, seated, role.value)
    await session.flush()
    await audit.record(session, tenant.id, actor_of(who), "case.panel_seat", "case", case.id, role=role, pooled=pooled)
    return seat


async def assign_pooled_guardian(
    session: AsyncSession, who: AccountRef, tenant: Tenant, case_id: uuid.UUID
) -> PanelMember:
    """A process guardian from the branch's pool: never from this member, never someone excluded or who
    sat here before; the one with the fewest seats in this organisation goes first."""
    case = await panel_case(session, tenant, case_id)
    if not _uses_guardian_pool(tenant):
        raise SeatRefused("no-pool")
    excluded = set(await _exclusions(session, case))
    before = {(s.account_tenant_id, s.account_id) for s in await _seats(session, case, active_only=False)}
    advisers = set(await identity.role_holders(session, tenant.id, Role.ADVISER.value))
    load = dict(
        (
            await session.execute(
                select(PanelMember.account_id, func.count())
                .where(PanelMember.tenant_id == tenant.id, PanelMember.left_at.is_(None))
                .group_by(PanelMember.account_id)
            )
        ).all()
    )
    eligible = [
        candidate
        for candidate in await identity.role_holders(session, tenant.id, Role.PROCESS_GUARDIAN.value)
        if candidate.tenant_id != tenant.id and candidate not in before | excluded | advisers
    ]
    if not eligible:
        raise SeatRefused("pool-empty")
    chosen = min(eligible, key=lambda c: (load.get(c.id, 0), str(c.id)))
    return await assign_member(
        session,
        who,
        tenant,
        case_id,
        MemberIn(account_tenant_id=chosen.tenant_id, account_id=chosen.id, role="process_guardian"),
        pooled=True,
    )


async def exclude(
    session: AsyncSession, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, data: ExclusionIn
) -> None:
    """Keep someone out of this case: the accused, the accused's line manager, a declared link. A seat they
    held is ended; the line manager's decision-maker seat stays when an independent decision maker sits beside
    it (``_may_sit``)."""
    case = await intake.find_case(session, tenant, case_id)
    excluded: AccountRef = AccountRef(data.account_tenant_id, data.account_id)
    known = await _exclusions(session, case)
    if excluded not in known:
        _add_exclusion(session, case, excluded, ExclusionReason(data.reason))
        known[excluded] = ExclusionReason(data.reason)
    seat = await seat_of(session, case, excluded)
    if seat is not None:
        others = [s for s in await _seats(session, case) if s.id != seat.id]
        try:
            _may_sit(excluded, seat.role, others, known)
        except SeatRefused:
            seat.left_at = _now()
    await session.flush()
    await audit.record(session, tenant.id, actor_of(who), "case.exclusion", "case", case.id, reason=data.reason)


async def declare(
    session: AsyncSession, keyring: Keyring, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, data: DeclarationIn
) -> PanelMember:
    """The written declaration of a panel member, per case, before any content; after a change of the case's
    scope (``scope_changed``) the same declaration once more. "Involved" ends the seat and asks the reporting
    point for a deputy."""
    case = await panel_case(session, tenant, case_id)
    seat = await seat_of(session, case, who)
    if seat is None:
        raise NotOnThePanel()
    cipher = await case_cipher(session, keyring, tenant.id, case.id)
    again = seat.redeclare_from is not None
    if again:
        seat.redeclare_from, seat.redeclared_at = None, _now()
        seat.sealed_redeclaration = cipher.seal(data.statement, HANDLING, seat.id)
    else:
        declare_seat(seat, Involvement.INVOLVED if data.involved else Involvement.NOT_INVOLVED)
        seat.declared_at = _now()
        seat.sealed_declaration = cipher.seal(data.statement, HANDLING, seat.id)
    if data.involved:
        await _leave_involved(session, tenant, case, seat)
    await session.flush()
    await audit.record(
        session,
        tenant.id,
        actor_of(who),
        "case.declaration",
        "case",
        case.id,
        role=seat.role,
        involved=data.involved,
        again=again,
    )
    if not data.involved and await panel_complete(session, case):
        await _panel_ready(session, tenant, case)
    return seat


async def _leave_involved(session: AsyncSession, tenant: Tenant, case: Case, seat: PanelMember) -> None:
    """An involved member leaves the seat and is kept out; the reporting point is asked for a deputy."""
    seat.left_at = _now()
    _add_exclusion(session, case, AccountRef(seat.account_tenant_id, seat.account_id), ExclusionReason.DECLARED_LINK)
    for account in await identity.role_holders(session, tenant.id, "reporting_point"):
        await notifications.notify(
            session, tenant.id, account, "case.deputy_needed", {"count": 1}, dedup_key=f"deputy:{seat.id}:{account.id}"
        )


async def _panel_ready(session: AsyncSession, tenant: Tenant, case: Case) -> None:
    """The panel is complete: its composing term is met and phase 1's terms start (once), to the case's
    decision maker (the seat: ``deadlines.responsible_for``)."""
    await intake.meet_deadlines(session, case, "panel")
    if not await _has(session, Deadline, case, "first_conversation"):
        terms = terms_of(tenant.procedure)
        intake.add_deadline(
            session,
            case,
            "first_conversation",
            _now() + timedelta(days=terms.first_conversation_days),
            "decision_maker",
        )
        intake.add_deadline(session, case, "choice", _now() + timedelta(days=terms.choice_days), "decision_maker")
    if case.status == CaseStatus.ROUTED:  # a deputy declaring later leaves a decided case decided
        move_case(case, CaseStatus.IN_PROGRESS)


async def _tell_seats(session: AsyncSession, case: Case, seats: list[PanelMember], kind: str, once: str) -> None:
    """Each of these seats: the message ``kind`` once per ``once`` (it names no case and no content)."""
    for seat in seats:
        await notifications.notify(
            session,
            case.tenant_id,
            (seat.account_tenant_id, seat.account_id),
            kind,
            {"count": 1},
            dedup_key=f"{once}:{seat.account_id}",
        )


async def scope_changed(session: AsyncSession, case: Case, reason: ScopeChange | str) -> int:
    """The case's scope changed or new people were named (a party added, an investigation's assignment
    changed, a ``scope_change`` step): every seat that declared declares again before it sees the content
    (``declared_seat`` refuses with ``DeclareAgain``); each is told so, without naming the case. Returns how
    many seats must declare again. For ``cases.parties`` and ``investigations`` to call."""
    change = ScopeChange(reason)
    now = _now()
    pending = [seat for seat in await _seats(session, case) if seat.declaration is not None]
    for seat in pending:
        seat.redeclare_from = seat.redeclare_from or now
    await _tell_seats(session, case, pending, "case.declare_again", f"again:{now.isoformat()}")
    await session.flush()
    await audit.record(
        session, case.tenant_id, SCOPE, "case.scope_changed", "case", case.id, reason=change, seats=len(pending)
    )
    return len(pending)


async def _has(session: AsyncSession, rows: type[Deadline | CaseStep], case: Case, kind: str) -> bool:
    """Whether the case has a deadline, or a step, of this kind."""
    found = select(func.count()).where(rows.tenant_id == case.tenant_id, rows.case_id == case.id, rows.kind == kind)
    return bool((await session.execute(found)).scalar_one())


async def panel_complete(session: AsyncSession, case: Case) -> bool:
    """At least one decision maker who is not the accused's line manager, an expert and a process guardian,
    each declared not involved."""
    declared = [s for s in await _seats(session, case) if s.declaration == Involvement.NOT_INVOLVED]
    independent = _independent_deciders(declared, await _exclusions(session, case))
    return set(PANEL_ROLES) <= {s.role for s in declared} and bool(independent)


# ---------------------------------------------------------------- content and process views


async def declared_seat(
    session: AsyncSession, case: Case, who: AccountRef, roles: Collection[PanelRole]
) -> PanelMember:
    seat = await seat_of(session, case, who)
    if seat is None or seat.role not in roles:
        raise NotOnThePanel()
    if seat.declaration != Involvement.NOT_INVOLVED:
        raise DeclareFirst()
    if seat.redeclare_from is not None:
        raise DeclareAgain()
    return seat


async def account_names(session: AsyncSession, tenant: Tenant, accounts: list[AccountRef]) -> dict[uuid.UUID, str]:
    """Display names of these accounts (their rows live in their home tenants: a branch's, for a pooled
    guardian); the session returns to the tenant's context after."""
    async with also_in(session, *{account.tenant_id for account in accounts}):
        rows = (
            await session.execute(
                select(Account.id, Account.display_name).where(Account.id.in_([account.id for account in accounts]))
            )
        ).all()
    return {row.id: row.display_name for row in rows}


@dataclass(frozen=True)
class ProcessView:
    case: Case
    routing: CaseRouting | None
    seats: list[PanelMember]
    names: dict[uuid.UUID, str]
    steps: list[CaseStep]
    deadlines: list[Deadline]
    concerns: list[ProcessConcern]


async def process_view(session: AsyncSession, tenant: Tenant, case_id: uuid.UUID) -> ProcessView:
    """Steps, dates, deadlines, seats, declarations and concerns: no content (the caller checks the seat)."""
    return await _process_view(session, tenant, await intake.find_case(session, tenant, case_id))


async def _process_view(session: AsyncSession, tenant: Tenant, case: Case) -> ProcessView:
    routing = (
        await session.execute(
            select(CaseRouting)
            .where(CaseRouting.tenant_id == tenant.id, CaseRouting.case_id == case.id)
            .order_by(CaseRouting.decided_at.desc())
            .limit(1)
        )
    ).scalar()
    seats = await _seats(session, case, active_only=False)

    async def of_case(model: Any, order: Any) -> list[Any]:
        query = select(model).where(model.tenant_id == tenant.id, model.case_id == case.id).order_by(order)
        return list((await session.execute(query)).scalars())

    steps: list[CaseStep] = await of_case(CaseStep, CaseStep.recorded_at)
    deadlines: list[Deadline] = await of_case(Deadline, Deadline.due_at)
    concerns: list[ProcessConcern] = await of_case(ProcessConcern, ProcessConcern.raised_at)
    names = await account_names(session, tenant, [AccountRef(s.account_tenant_id, s.account_id) for s in seats])
    return ProcessView(case, routing, seats, names, steps, deadlines, concerns)


async def may_see_process(
    session: AsyncSession, tenant: Tenant, case_id: uuid.UUID, who: AccountRef, reporting_point: bool
) -> PanelMember | None:
    """The reporting point sees every case's process here; panel members only the cases they sit at.
    Returns the viewer's seat at the case (None for a reporting point without one). That a case was
    destroyed, and when, is told only to the reporting point: its seats are gone with it."""
    try:
        case = await intake.find_case(session, tenant, case_id)
    except CaseDestroyed:
        if not reporting_point:
            raise NotOnThePanel() from None
        raise
    seat = await seat_of(session, case, who)
    if seat is None and not reporting_point:
        raise NotOnThePanel()
    return seat


@dataclass(frozen=True)
class ContentView:
    process: ProcessView
    narrative: str
    routing_reason: str | None
    routing_alternative: str | None
    step_content: dict[uuid.UUID, dict[str, Any]]
    concern_texts: dict[uuid.UUID, tuple[str | None, str | None]]


async def read_content(
    session: AsyncSession, keyring: Keyring, who: AccountRef, tenant: Tenant, case_id: uuid.UUID
) -> ContentView:
    """The case with its content, for a decision maker or expert at its panel who declared not to be
    involved (the read is audited)."""
    case = await panel_case(session, tenant, case_id)
    await declared_seat(session, case, who, CONTENT_ROLES)
    view = await _process_view(session, tenant, case)
    cipher = await case_cipher(session, keyring, tenant.id, case.id)
    routing = view.routing
    step_content: dict[uuid.UUID, dict[str, Any]] = {
        step.id: cipher.open_value(step.sealed_content, dict, HANDLING, step.id) if step.sealed_content else {}
        for step in view.steps
    }
    concern_texts = {
        c.id: (cipher.open(c.sealed_text, HANDLING, c.id), cipher.open(c.sealed_response, HANDLING, c.id))
        for c in view.concerns
    }
    await audit.record(session, tenant.id, actor_of(who), "case.content_read", "case", case.id)
    return ContentView(
        view,
        cipher.open(case.sealed_narrative, "narrative") or "",
        cipher.open(routing.sealed_reason, HANDLING, routing.id) if routing else None,
        cipher.open(routing.sealed_alternative, HANDLING, routing.id) if routing else None,
        step_content,
        concern_texts,
    )


def sees_content(seat: PanelMember | None) -> bool:
    """A decision maker or expert at the case's panel who declared, in writing, not to be involved
    (seed-000 §1.4); a process guardian never."""
    return (
        seat is not None
        and seat.role in CONTENT_ROLES
        and seat.declaration == Involvement.NOT_INVOLVED
        and seat.redeclare_from is None
    )


@dataclass(frozen=True)
class CaseView:
    """One viewer's case: the process always, their seat (if any), the content only where the seat allows."""

    process: ProcessView
    seat: PanelMember | None
    content: ContentView | None


async def case_view(
    session: AsyncSession,
    keyring: Keyring,
    who: AccountRef,
    tenant: Tenant,
    case_id: uuid.UUID,
    reporting_point: bool,
    *,
    content: bool = True,
) -> CaseView:
    """What a case shows this viewer: who may see the process sees it (``may_see_process``); a declared
    decision maker or expert also reads the content (audited, ``read_content``) unless ``content`` is off
    (the API's process route: the process only, whatever the seat)."""
    seat = await may_see_process(session, tenant, case_id, who, reporting_point)
    if content and sees_content(seat):
        read = await read_content(session, keyring, who, tenant, case_id)
        return CaseView(read.process, seat, read)
    return CaseView(await process_view(session, tenant, case_id), seat, None)


async def panel_candidates(session: AsyncSession, tenant: Tenant) -> dict[str, list[tuple[AccountRef, str]]]:
    """Who holds each panel role here (their seat is still checked by ``assign_member``), by name."""
    holders = {role: await identity.role_holders(session, tenant.id, role) for role in PANEL_ROLES}
    names = await account_names(session, tenant, [who for people in holders.values() for who in people])
    return {
        role: sorted(((who, names.get(who.id, str(who.id))) for who in people), key=lambda candidate: candidate[1])
        for role, people in holders.items()
    }


# ---------------------------------------------------------------- process concerns


async def raise_concern(
    session: AsyncSession, keyring: Keyring, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, text: str
) -> ProcessConcern:
    """A process guardian's concern about the process; the next step waits until it is acknowledged."""
    case = await panel_case(session, tenant, case_id)
    await declared_seat(session, case, who, (PanelRole.PROCESS_GUARDIAN,))
    cipher = await case_cipher(session, keyring, tenant.id, case.id)
    concern_id = uuid.uuid4()
    concern = ProcessConcern(
        tenant_id=tenant.id,
        id=concern_id,
        case_id=case.id,
        raised_by_tenant_id=who.tenant_id,
        raised_by_id=who.id,
        sealed_text=cipher.seal(text, HANDLING, concern_id),
    )
    session.add(concern)
    await session.flush()
    deciders = [seat for seat in await _seats(session, case) if seat.role == PanelRole.DECISION_MAKER]
    await _tell_seats(session, case, deciders, "case.process_concern", f"concern:{concern_id}")
    await audit.record(session, tenant.id, actor_of(who), "case.concern_raised", "case", case.id)
    return concern


async def acknowledge_concern(
    session: AsyncSession,
    keyring: Keyring,
    who: AccountRef,
    tenant: Tenant,
    case_id: uuid.UUID,
    concern_id: uuid.UUID,
    response: str,
) -> None:
    case = await panel_case(session, tenant, case_id)
    await declared_seat(session, case, who, (PanelRole.DECISION_MAKER,))
    concern = (
        await session.execute(
            select(ProcessConcern).where(
                ProcessConcern.tenant_id == tenant.id,
                ProcessConcern.case_id == case.id,
                ProcessConcern.id == concern_id,
            )
        )
    ).scalar()
    if concern is None:
        raise ConcernNotFound()
    cipher = await case_cipher(session, keyring, tenant.id, case.id)
    concern.acknowledged_at = _now()
    concern.acknowledged_by_id = who.id
    concern.sealed_response = cipher.seal(response, HANDLING, concern.id)
    await audit.record(session, tenant.id, actor_of(who), "case.concern_acknowledged", "case", case.id)


# ---------------------------------------------------------------- phase-1 steps (seed-000 §2.3)


def _split(step: Step | RouteStep | ReporterClosed) -> tuple[str, dict[str, Any], dict[str, Any]]:
    raw = msgspec.to_builtins(step)
    kind = str(raw.pop("type", type(step).__struct_config__.tag))
    facts = {k: v for k, v in raw.items() if k not in TEXT_FIELDS}
    content = {k: v for k, v in raw.items() if k in TEXT_FIELDS}
    return kind, facts, content


def _check_measure(step: InterimMeasureStep) -> None:
    """A measure, or "none", has its reason; a measure has its review date; one that affects the reporter
    has the reporter's agreement, how and when it was given (seed-000 §2.3 Stap 2: "in overleg")."""
    if len(step.reason.strip()) < 3:
        raise StepRefused("measure-without-reason")
    if step.measure == "none":
        return
    if step.review_on is None:
        raise StepRefused("measure-without-date")
    if step.applies_to != "accused" and (step.reporter_agreement is None or step.reporter_agreed_on is None):
        raise StepRefused("reporter-agreement-missing")


def _check_weighing(step: Weighing) -> None:
    """A reason for every option not chosen, none for a chosen one; the corrective conversation only on a
    recorded basis that the behaviour is *aannemelijk* (seed-000 §3.2)."""
    missing = [
        option
        for option in EVERY_OPTION
        if option not in step.chosen and len(step.reasons_rejected.get(option, "").strip()) < 3  # type: ignore[call-overload]
    ]
    if missing:
        raise StepRefused("reasons-missing", missing=Named(*(f"case.options.{option}" for option in missing)))
    if set(step.chosen) & set(step.reasons_rejected):
        raise StepRefused("chosen-and-rejected")
    if "corrective_conversation" in step.chosen and len(step.plausibility_basis.strip()) < 3:
        raise StepRefused("not-plausible")


def _check_step(step: Step) -> None:
    if isinstance(step, FirstConversation) and step.staff_present < 2 and not step.adviser_offered:
        raise StepRefused("first-conversation-alone")
    if isinstance(step, InterimMeasureStep):
        _check_measure(step)
    if isinstance(step, NoticeDeferred) and step.review_on <= date.today():
        raise StepRefused("review-in-past")
    due_again = step.next_review_on if isinstance(step, InterimReview) and step.outcome == "continue" else date.max
    if due_again is None or due_again <= date.today():
        raise StepRefused("next-review-missing")
    if isinstance(step, Weighing):
        _check_weighing(step)


def step_warnings(case: Case, step: Step | RouteStep | ReporterClosed) -> list[str]:
    """What is recorded but should be minded (message ids): fact-finding on a fully anonymous report, where
    nobody can be asked again and the accused's right of reply is limited (seed-000 §2.1 a)."""
    if isinstance(step, Weighing) and "fact_investigation" in step.chosen and case.anonymity == "anonymous":
        return ["case.warnings.anonymous_fact_finding"]
    return []


async def _may_record(session: AsyncSession, tenant: Tenant, case: Case, step: Step) -> None:
    """A step waits for a complete panel and for the answer to a process concern, keeps its own rules, and
    the accused is informed only once the reporter was told (seed-000 Implications D.26); a review is of a
    measure of this case. A closed case takes no step any more."""
    if case.status == CaseStatus.CLOSED:
        raise CaseEnded()
    if not await panel_complete(session, case):
        raise PanelIncomplete()
    if (await _open_concerns(session, tenant, [case.id])).get(case.id):
        raise ConcernOpen()
    _check_step(step)
    if isinstance(step, AccusedInformed) and not await _has(session, CaseStep, case, StepKind.REPORTER_TOLD):
        raise ReporterFirst()
    if isinstance(step, InterimReview) and await _measure(session, case, step.measure_id) is None:
        raise StepRefused("no-such-measure")


async def _measure(session: AsyncSession, case: Case, step_id: uuid.UUID) -> CaseStep | None:
    query = select(CaseStep).where(
        CaseStep.tenant_id == case.tenant_id,
        CaseStep.case_id == case.id,
        CaseStep.id == step_id,
        CaseStep.kind == StepKind.INTERIM_MEASURE,
    )
    return (await session.execute(query)).scalar()


async def _write_step(
    session: AsyncSession, keyring: Keyring, case: Case, step: Step | RouteStep | ReporterClosed, by: AccountRef | None
) -> CaseStep:
    """The step's row: its kind and facts in the clear (with any warnings), its text sealed with the case key;
    ``by`` None is the reporter (from the inbox)."""
    kind, facts, content = _split(step)
    warnings = step_warnings(case, step)
    cipher = await case_cipher(session, keyring, case.tenant_id, case.id)
    step_id = uuid.uuid4()
    row = CaseStep(
        tenant_id=case.tenant_id,
        id=step_id,
        case_id=case.id,
        kind=StepKind(kind),
        facts={**facts, **({"warnings": warnings} if warnings else {})},
        sealed_content=cipher.seal_value(content, HANDLING, step_id) if content else None,
        recorded_by_tenant_id=by.tenant_id if by else None,
        recorded_by_id=by.id if by else None,
    )
    session.add(row)
    await session.flush()
    return row


async def record_step(
    session: AsyncSession, keyring: Keyring, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, step: Step
) -> CaseStep:
    """Record a phase-1 step as a declared decision maker, once the panel is complete and no process
    concern waits for an answer. The row's ``facts["warnings"]`` says what to mind (``step_warnings``)."""
    case = await panel_case(session, tenant, case_id)
    await declared_seat(session, case, who, (PanelRole.DECISION_MAKER,))
    await _may_record(session, tenant, case, step)
    row = await _write_step(session, keyring, case, step, who)
    await _step_deadlines(session, case, step, row)
    if isinstance(step, Weighing):
        move_case(case, CaseStatus.DECIDED)
        decision_due_after_weighing(session, tenant, case, step, who)
    if isinstance(step, ScopeChangeStep):
        await scope_changed(session, case, step.change)
    await audit.record(session, tenant.id, actor_of(who), f"case.step.{row.kind}", "case", case.id)
    return row


# The options carried out as a follow-up (interventions/, investigations/): their end makes the decision due.
FOLLOWED_UP = frozenset(option for group, options in LADDER if group in ("restore", "inform") for option in options)


def decision_due_after_weighing(
    session: AsyncSession, tenant: Tenant, case: Case, step: Weighing, who: AccountRef
) -> None:
    """A weighing that chose no follow-up to carry out (only a measure, a police or whistleblower report) makes
    the decision the open work at once: a ``decision`` deadline by the tenant's term for the decision maker who
    weighed (``outcome.decide`` meets it). A chosen follow-up makes it due when the last follow-up ends."""
    if FOLLOWED_UP.intersection(step.chosen):
        return
    due = _now() + timedelta(days=terms_of(tenant.procedure).decision_days)
    intake.add_deadline(session, case, DeadlineKind.DECISION, due, "decision_maker", responsible=who)


async def _step_deadlines(session: AsyncSession, case: Case, step: Step, row: CaseStep) -> None:
    """What a step meets and starts: its own term; a deferral's review; a measure's review (about the
    measure), met by its review, which continues it to a new date or ends it (a change is a new measure)."""
    if row.kind in STEP_MEETS:
        await intake.meet_deadlines(session, case, STEP_MEETS[row.kind])
    if isinstance(step, NoticeDeferred):
        await intake.meet_deadlines(session, case, "inform_accused")
        await intake.meet_deadlines(session, case, "deferral_review")
        intake.add_deadline(session, case, "deferral_review", _start_of(step.review_on), "decision_maker", row.id)
    if isinstance(step, InterimMeasureStep) and step.review_on is not None:
        intake.add_deadline(session, case, "interim_review", _start_of(step.review_on), "decision_maker", row.id)
    if isinstance(step, InterimReview):
        await intake.meet_deadlines(session, case, "interim_review", step.measure_id)
        if step.outcome == "continue" and step.next_review_on is not None:
            due = _start_of(step.next_review_on)
            intake.add_deadline(session, case, "interim_review", due, "decision_maker", step.measure_id)


# ---------------------------------------------------------------- the routes without a panel (DESIGN §7 "Routing")

ROUTE_STEP_ROUTES: dict[str, Route] = {
    "whistleblower_acknowledged": Route.WHISTLEBLOWER,
    "whistleblower_feedback": Route.WHISTLEBLOWER,
    "police_report": Route.POLICE,
}
# The whistleblower's acknowledgement is the Wbk's acknowledgement of receipt: it meets the reporting point's
# ``acknowledge`` term too (one act, not two to record).
ROUTE_STEP_MEETS: dict[str, tuple[DeadlineKind, ...]] = {
    "whistleblower_acknowledged": (DeadlineKind.WHISTLEBLOWER_ACKNOWLEDGEMENT, DeadlineKind.ACKNOWLEDGE),
    "whistleblower_feedback": (DeadlineKind.WHISTLEBLOWER_FEEDBACK,),
}


def _step_date(step: RouteStep) -> date:
    if isinstance(step, WhistleblowerAcknowledged):
        return step.acknowledged_on
    return step.given_on if isinstance(step, WhistleblowerFeedback) else step.reported_on


async def record_route_step(
    session: AsyncSession, keyring: Keyring, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, step: RouteStep
) -> CaseStep:
    """A step of a route without a panel, by the reporting point that routed it: the whistleblower's
    acknowledgement (meets the 7 days) and feedback (meets the 3 months, after the acknowledgement), the
    report to the police (then the case is routed again or closed with a reason: ``close_case``)."""
    case = await intake.find_case(session, tenant, case_id)
    kind = type(step).__struct_config__.tag
    if case.route != ROUTE_STEP_ROUTES[str(kind)]:
        raise RouteStepRefused("not-this-route", route=Named(f"case.routes.{ROUTE_STEP_ROUTES[str(kind)]}"))
    if case.status != CaseStatus.ROUTED:
        raise RouteStepRefused("ended")
    if _step_date(step) > date.today():
        raise RouteStepRefused("date-in-future")
    if isinstance(step, WhistleblowerFeedback) and not await _has(
        session, CaseStep, case, StepKind.WHISTLEBLOWER_ACKNOWLEDGED
    ):
        raise RouteStepRefused("acknowledge-first")
    if isinstance(step, PoliceReport) and await _has(session, CaseStep, case, StepKind.POLICE_REPORT):
        raise RouteStepRefused("already-recorded")
    row = await _write_step(session, keyring, case, step, who)
    for meets in ROUTE_STEP_MEETS.get(str(kind), ()):
        await intake.meet_deadlines(session, case, meets)
    await audit.record(session, tenant.id, actor_of(who), f"case.step.{kind}", "case", case.id)
    return row


def may_say_closed(case: Case) -> bool:
    """An adviser-only case that is still open: its reporter may say, from the inbox, that it may close."""
    return case.route == Route.ADVISER_ONLY and case.status == CaseStatus.ROUTED


async def reporter_closes(
    session: AsyncSession, keyring: Keyring, tenant: Tenant, case: Case, data: ReporterClosedIn
) -> CaseStep:
    """The reporter (holding the receipt: ``case`` comes from it) says their adviser-only case may be closed:
    a ``reporter_closed`` step without a recording account, the reporting point told (it closes the case:
    ``close_case``). Refused on another route, on an ended case, and when said before."""
    if case.route != Route.ADVISER_ONLY:
        raise ReporterCloseRefused("not-adviser-only")
    if not may_say_closed(case):
        raise ReporterCloseRefused("ended")
    if await _has(session, CaseStep, case, StepKind.REPORTER_CLOSED):
        raise ReporterCloseRefused("already")
    step = ReporterClosed(said_on=date.today(), remark=data.remark)
    row = await _write_step(session, keyring, case, step, None)
    await intake.tell_reporting_point(session, tenant, case)
    await audit.record(session, tenant.id, ANONYMOUS, "case.step.reporter_closed", "case", case.id)
    return row


async def reporter_said_closed(session: AsyncSession, case: Case) -> bool:
    """Whether the reporter said the case may close (for the inbox and for ``close_case``)."""
    return await _has(session, CaseStep, case, StepKind.REPORTER_CLOSED)


# ---------------------------------------------------------------- the process guardian's dashboard


@dataclass(frozen=True)
class Guarded:
    tenant: Tenant
    case: Case
    next_deadline: Deadline | None
    breaches: int
    open_concerns: int
    unowned: int = 0


def owned(deadline: Deadline, seated: Collection[str]) -> bool:
    """Whether someone on the case answers for this deadline, given the roles seated there: the account it
    names, the seat in its role, or the reporting point desk for its own terms (``deadlines.responsible_for``)."""
    return (
        deadline.responsible_id is not None
        or deadline.responsible_role == "reporting_point"
        or deadline.responsible_role in seated
    )


async def list_cases(
    session: AsyncSession,
    tenant: Tenant,
    seated: AccountRef | None,
    *,
    role: str | None = None,
    newest_first: bool = True,
) -> list[Case]:
    """The cases here, or (with ``seated``) those where that person holds a seat (in ``role``)."""
    order = Case.created_at.desc() if newest_first else Case.created_at
    query = select(Case).where(Case.tenant_id == tenant.id, intake.not_destroyed()).order_by(order)
    if seated is not None:
        query = query.join(
            PanelMember, (PanelMember.tenant_id == Case.tenant_id) & (PanelMember.case_id == Case.id)
        ).where(
            PanelMember.account_tenant_id == seated.tenant_id,
            PanelMember.account_id == seated.id,
            PanelMember.left_at.is_(None),
            *([PanelMember.role == role] if role else []),
        )
    return list((await session.execute(query)).scalars())


async def _open_concerns(session: AsyncSession, tenant: Tenant, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Per case, the process concerns the decision maker has not answered yet."""
    rows = await session.execute(
        select(ProcessConcern.case_id, func.count())
        .where(
            ProcessConcern.tenant_id == tenant.id,
            ProcessConcern.case_id.in_(case_ids),
            ProcessConcern.acknowledged_at.is_(None),
        )
        .group_by(ProcessConcern.case_id)
    )
    return {row[0]: row[1] for row in rows}


async def guarded_cases(session: AsyncSession, who: AccountRef, tenants: list[Tenant]) -> list[Guarded]:
    """Across the organisations this process guardian serves: every case they guard, its next deadline,
    its breached and unowned deadlines and unanswered concerns (four queries an organisation)."""
    now = _now()
    return [guarded for tenant in tenants for guarded in await _guarded_in(session, who, tenant, now)]


async def _guarded_in(session: AsyncSession, who: AccountRef, tenant: Tenant, now: datetime) -> list[Guarded]:
    async with also_in(session, tenant.id):
        cases = await list_cases(session, tenant, who, role=PanelRole.PROCESS_GUARDIAN, newest_first=False)
        ids = [case.id for case in cases]
        pending: dict[uuid.UUID, list[Deadline]] = {}
        for deadline in (
            await session.execute(
                select(Deadline)
                .where(Deadline.tenant_id == tenant.id, Deadline.case_id.in_(ids), Deadline.met_at.is_(None))
                .order_by(Deadline.due_at)
            )
        ).scalars():
            pending.setdefault(deadline.case_id, []).append(deadline)
        concerns = await _open_concerns(session, tenant, ids)
        seated: dict[uuid.UUID, set[str]] = {}
        for case_id, role in await session.execute(
            select(PanelMember.case_id, PanelMember.role).where(
                PanelMember.tenant_id == tenant.id, PanelMember.case_id.in_(ids), PanelMember.left_at.is_(None)
            )
        ):
            seated.setdefault(case_id, set()).add(str(role))
    return [
        Guarded(
            tenant,
            case,
            pending[case.id][0] if case.id in pending else None,
            sum(1 for d in pending.get(case.id, []) if d.due_at < now),
            concerns.get(case.id, 0),
            sum(1 for d in pending.get(case.id, []) if not owned(d, seated.get(case.id, set()))),
        )
        for case in cases
    ]
