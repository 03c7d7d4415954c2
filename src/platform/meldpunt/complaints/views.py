"""Who sees what of a complaint (anchors-next §2.3; DESIGN §7): the declared committee reads the whole dossier,
its deliberation notes included; the member's competent authority reads what the parties read, and only with
the advice; the process guardian sees the process (status, dates, terms, seats and declarations); the reporting
point that routed it sees its status; the secretaries of the committee see the register. Every read of content
is audited, without the content. Nobody else learns that a complaint exists. The counts for the committee's
annual report are numbers only."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.cases import services as cases
from meldpunt.cases.models import Involvement, Route
from meldpunt.complaints.errors import ComplaintNotFound
from meldpunt.complaints.models import (
    COMMITTEE,
    Complaint,
    ComplaintRecord,
    ComplaintSeat,
    ComplaintStatus,
    SeatRole,
    Visibility,
)
from meldpunt.complaints.schemas import CountsOut
from meldpunt.complaints.services import (
    PURPOSE,
    TRACK_TERMS,
    At,
    _complaint,
    _excluded,
    _follow_case,
    _is_secretary,
    _seat,
    content_of,
    record_act,
    records_of,
    seats_of,
)
from meldpunt.dossiers.cipher import case_cipher
from meldpunt.identity import services as identity
from meldpunt.identity.models import AccountRef
from meldpunt.identity.roles import Role
from meldpunt.intake import services as intake
from meldpunt.intake.models import Case, Deadline, DeadlineKind
from meldpunt.tenancy.models import Tenant

WITH_ADVICE = frozenset(
    {
        ComplaintStatus.ADVISED,
        ComplaintStatus.DECIDED,
        ComplaintStatus.NOTIFIED,
        ComplaintStatus.OBJECTION,
        ComplaintStatus.AFTERCARE,
        ComplaintStatus.CLOSED,
    }
)
NOTICE_AND_TRACK = TRACK_TERMS | {DeadlineKind.INFORM_ACCUSED, DeadlineKind.AFTERCARE}


@dataclass(frozen=True)
class RecordView:
    record: ComplaintRecord
    text: str | None


@dataclass(frozen=True)
class ComplaintView:
    complaint: Complaint
    seats: list[ComplaintSeat]
    names: dict[uuid.UUID, str]
    deadlines: list[Deadline]
    records: list[RecordView] | None  # None: the viewer sees the process only
    content: dict[str, Any] | None
    seat: ComplaintSeat | None


async def _process(session: AsyncSession, at: At, complaint: Complaint, seat: ComplaintSeat | None) -> ComplaintView:
    seats = await seats_of(session, complaint)
    names = await cases.account_names(
        session, at.tenant, [AccountRef(s.account_tenant_id, s.account_id) for s in seats]
    )
    case = Case(tenant_id=complaint.tenant_id, id=complaint.case_id)
    rows = await session.execute(
        select(Deadline)
        .where(Deadline.tenant_id == case.tenant_id, Deadline.case_id == case.id, Deadline.kind.in_(NOTICE_AND_TRACK))
        .order_by(Deadline.due_at)
    )
    return ComplaintView(complaint, seats, names, list(rows.scalars()), None, None, seat)


async def _viewer(at: At, complaint_id: uuid.UUID) -> tuple[Complaint, ComplaintSeat | None]:
    """The complaint and the viewer's live seat; without one, a secretary of the committee (not kept out of the
    case) sees the process of the register; anyone else finds nothing."""
    complaint = await _complaint(at.session, at.tenant, complaint_id)
    await _follow_case(at, complaint)
    seat = await _seat(at.session, complaint, at.who)
    if seat is None and not await _register_secretary(at, complaint):
        raise ComplaintNotFound()
    return complaint, seat


async def _register_secretary(at: At, complaint: Complaint) -> bool:
    if at.who in await _excluded(at.session, complaint):
        return False
    return await _is_secretary(at.session, at.tenant, at.who)


def _reads(seat: ComplaintSeat | None, complaint: Complaint) -> frozenset[Visibility] | None:
    """Which records a seat reads: the declared committee all; the declared decision maker those the parties
    read, from the advice on; anyone else none."""
    if seat is None or seat.declaration != Involvement.NOT_INVOLVED:
        return None
    if seat.role in COMMITTEE:
        return frozenset(Visibility)
    if seat.role == SeatRole.DECISION_MAKER and complaint.status in WITH_ADVICE:
        return frozenset({Visibility.PARTIES, Visibility.OWN_PARTY})
    return None


async def view(at: At, complaint_id: uuid.UUID) -> ComplaintView:
    """The complaint as this viewer may see it (the read of content audited)."""
    complaint, seat = await _viewer(at, complaint_id)
    base = await _process(at.session, at, complaint, seat)
    reads = _reads(seat, complaint)
    if reads is None:
        return base
    cipher = await case_cipher(at.session, at.keyring, at.tenant.id, complaint.case_id)
    records = [
        RecordView(row, cipher.open(row.sealed_body, PURPOSE, row.id))
        for row in await records_of(at.session, complaint)
        if row.visibility in reads
    ]
    assert seat is not None
    content = content_of(cipher, complaint) if seat.role in COMMITTEE else None
    await record_act(at, complaint, "content_read", role=seat.role)
    return ComplaintView(complaint, base.seats, base.names, base.deadlines, records, content, seat)


async def status_for_reporting_point(at: At, complaint_id: uuid.UUID) -> Complaint:
    """The reporting point that routed the complaint sees its status and dates, nothing of its dossier."""
    if Role.REPORTING_POINT not in await identity.active_roles(at.session, at.tenant.id, *at.who):
        raise ComplaintNotFound()
    complaint = await _complaint(at.session, at.tenant, complaint_id)
    await _follow_case(at, complaint)
    return complaint


@dataclass(frozen=True)
class Entry:
    complaint: Complaint | None  # None: routed to the committee and waiting for registration
    case: Case
    since: datetime
    opens: bool = True  # False: the reporting point sees its status, not its page


async def register_of(at: At) -> list[Entry]:
    """The complaints this viewer may know of here: a secretary of the committee the register and the cases that
    wait for registration (minus those they are kept out of); the reporting point that routed them their status;
    anyone else only those they hold a live seat at."""
    session, tenant = at.session, at.tenant
    secretary = await _is_secretary(session, tenant, at.who)
    point = Role.REPORTING_POINT in await identity.active_roles(session, tenant.id, *at.who)
    rows = await session.execute(
        select(Case, Complaint)
        .outerjoin(Complaint, (Complaint.tenant_id == Case.tenant_id) & (Complaint.case_id == Case.id))
        .where(Case.tenant_id == tenant.id, Case.route == Route.COMPLAINTS_COMMITTEE.value, intake.not_destroyed())
        .order_by(Case.created_at)
    )
    entries = []
    for case, complaint in rows.all():
        if complaint is None:
            if secretary and case.status in ("routed", "in_progress"):
                entries.append(Entry(None, case, case.created_at))
            continue
        opens = await _seat(session, complaint, at.who) is not None or (
            secretary and await _register_secretary(at, complaint)
        )
        if opens or point:
            entries.append(Entry(complaint, case, complaint.registered_at, opens))
    return entries


# ---------------------------------------------------------------- counts for the annual report


async def annual_counts(session: AsyncSession, tenant_ids: list[uuid.UUID], year: int) -> CountsOut:
    """The committee's annual report (LKOG-style, seed-003 Implications 38): the complaints registered in
    ``year`` across these tenants (the members the committee serves), counted: received, admissible, each
    inadmissibility reason, withdrawn, settled in mediation, the outcomes of advice and decision, and how many
    of their terms were kept. Numbers only: no names, no case ids."""
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    complaints = list(
        (
            await session.execute(
                select(Complaint).where(
                    Complaint.tenant_id.in_(tenant_ids), Complaint.registered_at >= start, Complaint.registered_at < end
                )
            )
        ).scalars()
    )
    cases_of = [(c.tenant_id, c.case_id) for c in complaints]
    kept = late = 0
    if cases_of:
        deadlines = await session.execute(
            select(Deadline).where(
                Deadline.tenant_id.in_(tenant_ids),
                Deadline.case_id.in_([case_id for _, case_id in cases_of]),
                Deadline.kind.in_(TRACK_TERMS),
                Deadline.ended_by.is_(None),
                Deadline.met_at.is_not(None),
            )
        )
        for deadline in deadlines.scalars():
            assert deadline.met_at is not None
            kept, late = (kept + 1, late) if deadline.met_at <= deadline.due_at else (kept, late + 1)
    return CountsOut(
        year=year,
        received=len(complaints),
        admissible=sum(1 for c in complaints if c.facts.get("admissible_on")),
        inadmissible=dict(Counter(c.inadmissible_reason.value for c in complaints if c.inadmissible_reason)),
        withdrawn=sum(1 for c in complaints if c.status == ComplaintStatus.WITHDRAWN),
        settled=sum(1 for c in complaints if c.status == ComplaintStatus.SETTLED),
        advice_outcomes=dict(Counter(c.advice_outcome.value for c in complaints if c.advice_outcome)),
        decision_outcomes=dict(Counter(c.decision_outcome.value for c in complaints if c.decision_outcome)),
        terms_kept=kept,
        terms_late=late,
    )


SEATED_ROLES = tuple(role.value for role in SeatRole)


async def seat_candidates(session: AsyncSession, tenant: Tenant) -> list[tuple[str, str, str]]:
    """Who holds a role that sits at a complaint here: (role, "<tenant>:<account>", name), by role and name
    (``services.seat`` still checks every rule)."""
    holders = {role: await identity.role_holders(session, tenant.id, role) for role in SEATED_ROLES}
    everyone = [who for people in holders.values() for who in people]
    names = await cases.account_names(session, tenant, everyone) if everyone else {}
    return sorted(
        (role, f"{who.tenant_id}:{who.id}", names.get(who.id, str(who.id)))
        for role, people in holders.items()
        for who in people
    )
