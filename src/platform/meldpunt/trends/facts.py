"""Writing the facts (DESIGN §10): a sweep over one member's cases finds each milestone that has no fact yet
and writes it in the branch's tenant, with its mark in the member's. The milestones are read from what the
modules below already record in their own terms (the case row, its routing, its follow-ups, its case events),
so no module below names this one. Idempotent: a fact's key is a keyed digest of the case and milestone, unique
in the branch; a second sweep, or two at once, write nothing twice."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.cases.context import CaseContext
from meldpunt.cases.models import CaseRouting, CaseStep, StepKind
from meldpunt.cases.outcome_models import CaseDecision
from meldpunt.complaints.models import Complaint
from meldpunt.db.context import also_in
from meldpunt.intake.models import Case, CaseStatus
from meldpunt.intake.services import AMSTERDAM
from meldpunt.interventions.models import Intervention
from meldpunt.investigations.models import Investigation
from meldpunt.retention.models import CaseEvent
from meldpunt.tenancy.models import Tenant
from meldpunt.trends.models import TrendFact, TrendMark

MILESTONES = ("registered", "routed", "followed_up", "decided", "closed", "advised", "complaint_decided")
# Days from the report to the milestone, in buckets (never the date itself).
DAY_BUCKETS = ((14, "under_2_weeks"), (42, "2_to_6_weeks"), (91, "6_to_13_weeks"), (182, "13_to_26_weeks"))


def quarter_of(moment: datetime) -> str:
    local = moment.astimezone(AMSTERDAM)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def size_class(fte: int | None) -> str:
    """The member's size as CBS counts it (fewer than 10, 10–49, 50–249, 250 and more)."""
    if fte is None:
        return "unknown"
    for bound, name in ((10, "under_10"), (50, "10_to_49"), (250, "50_to_249")):
        if fte < bound:
            return name
    return "250_and_more"


def days_bucket(start: datetime, end: datetime) -> str:
    days = (end - start).days
    return next((name for bound, name in DAY_BUCKETS if days < bound), "over_26_weeks")


def _digest(secret: bytes, *parts: object) -> bytes:
    return hmac.new(secret, ":".join(str(part) for part in parts).encode(), hashlib.sha256).digest()


def fact_secret(secret_key: str) -> bytes:
    """The key of the facts' digests, derived from the deployment's secret (never stored with the facts)."""
    return ("meldpunt-trend-facts:" + secret_key).encode()


def member_key(secret: bytes, member_id: uuid.UUID) -> str:
    """The opaque key a member's facts carry: the same for all its facts, leading back to nobody without the
    secret (a report on some members tells their facts from the rest of the branch's by it)."""
    return _digest(secret, "member", member_id).hex()[:32]


@dataclass(frozen=True)
class Reached:
    """One milestone of one case, and when it was reached."""

    case: Case
    milestone: str
    at: datetime


async def _first_times(session: AsyncSession, member: Tenant, model: Any, column: Any) -> dict[uuid.UUID, Any]:
    """The first moment per case of ``model``'s rows (a routing, a follow-up started)."""
    rows = await session.execute(
        select(model.case_id, func.min(column)).where(model.tenant_id == member.id).group_by(model.case_id)
    )
    return {case_id: at for case_id, at in rows.all()}


def _earliest(*found: dict[uuid.UUID, datetime]) -> dict[uuid.UUID, datetime]:
    merged: dict[uuid.UUID, datetime] = {}
    for times in found:
        for case_id, at in times.items():
            merged[case_id] = min(at, merged.get(case_id, at))
    return merged


async def _complaint_times(session: AsyncSession, member: Tenant) -> dict[str, dict[uuid.UUID, datetime]]:
    """A complaint's advice and the employer's decision on it (the days its procedure recorded them)."""
    rows = (await session.execute(select(Complaint).where(Complaint.tenant_id == member.id))).scalars()
    found: dict[str, dict[uuid.UUID, datetime]] = {"advised": {}, "complaint_decided": {}}
    for complaint in rows:
        for milestone, fact in (("advised", "advised_on"), ("complaint_decided", "decided_on")):
            if isinstance(complaint.facts.get(fact), str):
                day = date.fromisoformat(complaint.facts[fact])
                found[milestone][complaint.case_id] = datetime.combine(day, time.min, tzinfo=AMSTERDAM)
    return found


async def _events(session: AsyncSession, member: Tenant, trigger: str) -> dict[uuid.UUID, datetime]:
    rows = await session.execute(
        select(CaseEvent.case_id, CaseEvent.occurred_at).where(
            CaseEvent.tenant_id == member.id, CaseEvent.trigger == trigger
        )
    )
    return {case_id: at for case_id, at in rows.all()}


async def reached(session: AsyncSession, member: Tenant) -> list[Reached]:
    """Every milestone the member's cases have reached that has no mark yet (dismissed flood junk: none). A case
    whose closure has its fact is done (no milestone follows closure), so a sweep reads only the cases still
    under way and those closed since the last sweep, not every case the member ever had."""
    finished = select(TrendMark.case_id).where(
        TrendMark.tenant_id == member.id, TrendMark.case_id == Case.id, TrendMark.milestone == "closed"
    )
    open_cases = (
        select(Case).where(Case.tenant_id == member.id, Case.status != CaseStatus.DISMISSED).where(~finished.exists())
    )
    cases = list((await session.execute(open_cases)).scalars())
    marks = await session.execute(
        select(TrendMark.case_id, TrendMark.milestone).where(
            TrendMark.tenant_id == member.id, TrendMark.case_id.in_([case.id for case in cases])
        )
    )
    done = {(case_id, milestone) for case_id, milestone in marks.all()}
    times = {
        "routed": await _first_times(session, member, CaseRouting, CaseRouting.decided_at),
        "followed_up": _earliest(
            await _first_times(session, member, Intervention, Intervention.created_at),
            await _first_times(session, member, Investigation, Investigation.created_at),
        ),
        "decided": await _events(session, member, "decision_taken"),
        "closed": await _events(session, member, "case_closed"),
        **await _complaint_times(session, member),
    }
    found = []
    for case in cases:
        moments = {"registered": case.created_at, **{m: times[m].get(case.id) for m in times}}
        found += [
            Reached(case, milestone, at)
            for milestone, at in moments.items()
            if at is not None and (case.id, milestone) not in done
        ]
    return found


async def _chosen(session: AsyncSession, case: Case) -> list[str]:
    """The follow-up options the latest weighing chose (codes of the ladder)."""
    step = (
        await session.execute(
            select(CaseStep)
            .where(
                CaseStep.tenant_id == case.tenant_id, CaseStep.case_id == case.id, CaseStep.kind == StepKind.WEIGHING
            )
            .order_by(CaseStep.recorded_at.desc())
            .limit(1)
        )
    ).scalar()
    return sorted(step.facts.get("chosen", [])) if step is not None else []


async def _finding(session: AsyncSession, case: Case) -> str | None:
    decision = (
        await session.execute(
            select(CaseDecision.finding)
            .where(CaseDecision.tenant_id == case.tenant_id, CaseDecision.case_id == case.id)
            .order_by(CaseDecision.decided_at.desc())
            .limit(1)
        )
    ).scalar()
    return str(decision) if decision is not None else None


# A complaint decision's outcome in the words of a case decision's finding, where they differ: the employer's
# decision on a complaint is the case's decision, so the ``decided`` facts of a complaint's case carry it.
FINDING_OF_OUTCOME = {"partly": "partly_well_founded"}


def _as_finding(outcome: str | None) -> str | None:
    return FINDING_OF_OUTCOME.get(outcome, outcome) if outcome is not None else None


async def _complaint_outcome(session: AsyncSession, case: Case, milestone: str) -> str | None:
    complaint = (
        await session.execute(
            select(Complaint).where(Complaint.tenant_id == case.tenant_id, Complaint.case_id == case.id)
        )
    ).scalar_one_or_none()
    if complaint is None:
        return None
    outcome = complaint.advice_outcome if milestone == "advised" else complaint.decision_outcome
    return str(outcome) if outcome is not None else None


async def dimensions(session: AsyncSession, point: Reached) -> tuple[dict[str, Any], list[str]]:
    """The fact's coded dimensions and its risk factors: closed lists only, nothing typed by a person."""
    case = point.case
    context = (
        await session.execute(
            select(CaseContext).where(CaseContext.tenant_id == case.tenant_id, CaseContext.case_id == case.id)
        )
    ).scalar_one_or_none()
    coded: dict[str, Any] = {
        "kind": str(case.kind),
        "category": case.category,
        "anonymous": str(case.anonymity) == "anonymous",
        "relation": case.reporter_role,
        "accused": case.accused_role,
        "setting": case.setting,
        "route": case.route,
        "days": days_bucket(case.created_at, point.at),
        "power_difference": context.power_difference if context else None,
        "contract_form": context.contract_form if context else None,
    }
    if point.milestone in ("followed_up", "decided", "closed"):
        coded["follow_up"] = await _chosen(session, case)
    if point.milestone in ("decided", "closed"):
        coded["finding"] = await _finding(session, case) or _as_finding(
            await _complaint_outcome(session, case, "complaint_decided")
        )
    if point.milestone in ("advised", "complaint_decided"):
        coded["finding"] = await _complaint_outcome(session, case, point.milestone)
    risks = [*context.structural_risks, *context.context_factors] if context else []
    return coded, sorted(risks)


async def write_facts(session: AsyncSession, secret: bytes, member: Tenant, now: datetime) -> int:
    """Write the fact of every milestone the member's cases reached since the last sweep; how many were new.
    The session is scoped to the member; the facts go to its branch (or itself, a tenant without a branch)."""
    branch_id = member.branch_id or member.id
    written = 0
    for point in await reached(session, member):
        coded, risks = await dimensions(session, point)
        fact = {
            "tenant_id": branch_id,
            "id": uuid.uuid4(),
            "fact_key": _digest(secret, "fact", point.case.id, point.milestone),
            "member_key": member_key(secret, member.id),
            "milestone": point.milestone,
            "quarter": quarter_of(now),
            "size_class": size_class(member.fte),
            "sector_code": (member.sector_code or "")[:2] or "00",
            "fte": member.fte,
            "dimensions": coded,
            "risk_factors": risks,
        }
        async with also_in(session, branch_id):
            added = await session.execute(
                insert(TrendFact).values(**fact).on_conflict_do_nothing().returning(TrendFact.id)
            )
            written += len(added.all())
        mark = {"tenant_id": member.id, "id": uuid.uuid4(), "case_id": point.case.id, "milestone": point.milestone}
        await session.execute(insert(TrendMark).values(**mark).on_conflict_do_nothing())
    return written
