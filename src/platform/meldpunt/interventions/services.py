"""Phase 2, carried out (seed-000 §2.4, §3.2; DESIGN §7): every move of an intervention is one service call
that checks its preconditions, writes the change, an audit entry (no content words) and its deadline.

Who sees what: the declared decision maker of the case's panel starts, seats, prepares and stops, and reads
everything; whoever carries it out sits at that one intervention for a time, declares first, and reads only
the points the reporter agreed may be shared (each read audited); the process guardian (and the reporting
point) sees process facts and deadlines (``process``)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit import services as audit
from meldpunt.cases import follow_up
from meldpunt.cases import services as cases
from meldpunt.cases.follow_up import At
from meldpunt.cases.models import CaseExclusion, CaseStep, ExclusionReason, Involvement, PanelRole
from meldpunt.cases.schemas import DeclarationIn
from meldpunt.dossiers.cipher import CaseCipher, case_cipher
from meldpunt.dossiers.documents import DocumentMeta, RecordClass, store_document
from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.identity import services as identity
from meldpunt.identity.models import AccountRef
from meldpunt.identity.roles import Role
from meldpunt.intake import services as intake
from meldpunt.intake.attachments import Checked, attach
from meldpunt.intake.models import Case, CaseStatus, Deadline, DeadlineKind, move_case
from meldpunt.interventions.errors import (
    DeclareFirstHere,
    InterventionNotFound,
    InterventionRefused,
    InterventionSeatRefused,
    NotChosen,
    NotSeated,
)
from meldpunt.interventions.models import (
    CARRIED_OUT_BY,
    ENDED,
    Intervention,
    InterventionKind,
    InterventionSeat,
    InterventionStatus,
    SeatRole,
    move_intervention,
)
from meldpunt.interventions.schemas import (
    BemiddelingPrepared,
    Completion,
    CorrectiveDone,
    DenialIn,
    GroupDone,
    GroupPrepared,
    HeldIn,
    MediationPrepared,
    PlanIn,
    Preparation,
    SeatIn,
    StopIn,
)
from meldpunt.tenancy.models import Tenant
from meldpunt.tenancy.terms import terms_of

PURPOSE = "intervention"  # the purpose every text of phase 2 is sealed for
STARTS_FROM = follow_up.STARTS_FROM
# The weighing's basis that allows a corrective conversation (seed-000 §3.2: "established or aannemelijk").
TEXT_FIELDS = frozenset({"agreed_points", "sharing_afterwards", "outcome", "warning", "shared_afterwards"})


def _now() -> datetime:
    return datetime.now(UTC)


def _at(day: date, *, end: bool = False) -> datetime:
    moment = datetime.combine(day, datetime.max.time() if end else datetime.min.time())
    return moment.replace(tzinfo=UTC)


# ---------------------------------------------------------------- reading the case


def behaviour_plausible(weighing: CaseStep, cipher: CaseCipher) -> bool:
    """Whether the weighing recorded the facts that make the behaviour *aannemelijk* (``plausibility_basis``,
    sealed with the step's content). ``cases.services`` refuses a weighing that chooses the corrective
    conversation without them; the conversation checks it again where it starts."""
    if weighing.sealed_content is None:
        return False
    content = cipher.open_value(weighing.sealed_content, dict, cases.HANDLING, weighing.id)
    return len(str(content.get("plausibility_basis") or "").strip()) >= 3


async def _excluded(session: AsyncSession, case: Case, role: SeatRole | None = None) -> set[AccountRef]:
    """Who is kept out of the case. The accused's line manager is kept off the panel and out of the dossier,
    yet may hold a conversation with their own employee as its line manager (seed-000 §3.2: "leidinggevende
    en beschuldigde"): they read only the agreed points there."""
    rows = await session.execute(
        select(CaseExclusion.account_tenant_id, CaseExclusion.account_id, CaseExclusion.reason).where(
            CaseExclusion.tenant_id == case.tenant_id, CaseExclusion.case_id == case.id
        )
    )
    return {
        AccountRef(row.account_tenant_id, row.account_id)
        for row in rows
        if not (role == SeatRole.LINE_MANAGER and row.reason == ExclusionReason.ACCUSED_MANAGER)
    }


# ---------------------------------------------------------------- who acts


async def _managed(
    session: AsyncSession, keyring: Keyring, who: AccountRef, tenant: Tenant, case_id: uuid.UUID
) -> tuple[Case, CaseCipher]:
    """The case, for its declared decision maker (``cases.services.declared_seat``)."""
    case = await cases.panel_case(session, tenant, case_id)
    await cases.declared_seat(session, case, who, (PanelRole.DECISION_MAKER,))
    return case, await case_cipher(session, keyring, tenant.id, case.id)


async def _find(session: AsyncSession, case: Case, intervention_id: uuid.UUID, *, lock: bool = False) -> Intervention:
    query = select(Intervention).where(
        Intervention.tenant_id == case.tenant_id, Intervention.case_id == case.id, Intervention.id == intervention_id
    )
    found = (await session.execute(query.with_for_update() if lock else query)).scalar()
    if found is None:
        raise InterventionNotFound()
    return found


async def _seats(session: AsyncSession, intervention: Intervention) -> list[InterventionSeat]:
    rows = await session.execute(
        select(InterventionSeat)
        .where(
            InterventionSeat.tenant_id == intervention.tenant_id,
            InterventionSeat.intervention_id == intervention.id,
        )
        .order_by(InterventionSeat.assigned_at)
    )
    return list(rows.scalars())


def _current(seat: InterventionSeat, now: datetime) -> bool:
    return seat.left_at is None and seat.valid_from <= now <= seat.valid_to


async def _seat_of(
    session: AsyncSession, case: Case, intervention: Intervention, who: AccountRef, *, declared: bool = True
) -> InterventionSeat:
    """The caller's seat at this intervention, now within its time and not excluded from the case since;
    declared first unless ``declared`` is off."""
    now = _now()
    for seat in await _seats(session, intervention):
        if (seat.account_tenant_id, seat.account_id) == who and _current(seat, now):
            if who in await _excluded(session, case, seat.role):
                raise NotSeated()
            if declared and seat.declaration != Involvement.NOT_INVOLVED:
                raise DeclareFirstHere()
            return seat
    raise NotSeated()


def leads(intervention: Intervention, seat: InterventionSeat) -> bool:
    return seat.role == CARRIED_OUT_BY[intervention.kind][0]


def _content(cipher: CaseCipher, intervention: Intervention) -> dict[str, Any]:
    if intervention.sealed_content is None:
        return {}
    return cipher.open_value(intervention.sealed_content, dict, PURPOSE, intervention.id)


def _add_content(cipher: CaseCipher, intervention: Intervention, **more: Any) -> None:
    content = {**_content(cipher, intervention), **{k: v for k, v in more.items() if v is not None}}
    intervention.sealed_content = cipher.seal_value(content, PURPOSE, intervention.id)


def _add_facts(intervention: Intervention, **more: Any) -> None:
    intervention.facts = {**intervention.facts, **more}


async def _record(session: AsyncSession, who: AccountRef, case: Case, event: str, **details: Any) -> None:
    await audit.record(
        session, case.tenant_id, cases.actor_of(who), f"intervention.{event}", "case", case.id, **details
    )


# ---------------------------------------------------------------- the decision maker


def _check_plan(case: Case, weighing: CaseStep | None, data: PlanIn, cipher: CaseCipher) -> None:
    if case.status not in STARTS_FROM:
        raise InterventionRefused("not-decided")
    if weighing is None or data.kind not in weighing.facts.get("chosen", []):
        raise NotChosen()
    corrective = InterventionKind(data.kind) == InterventionKind.CORRECTIVE_CONVERSATION
    if corrective and not behaviour_plausible(weighing, cipher):
        raise InterventionRefused("not-plausible")
    if data.due_on is not None and data.due_on < date.today():
        raise InterventionRefused("due-in-past")


async def start(at: At, data: PlanIn) -> Intervention:
    """Start a follow-up the weighing chose, in parallel or after another one; the first moves the case to
    ``following_up``. Its FOLLOW_UP deadline is the panel's term or the tenant's."""
    session, keyring, who, tenant, case_id = at.parts()
    case, cipher = await _managed(session, keyring, who, tenant, case_id)
    _check_plan(case, await follow_up.latest_weighing(session, case), data, cipher)
    if data.after_id is not None:
        await _find(session, case, data.after_id)
    term = terms_of(tenant.procedure).follow_up_days  # the tenant's term, when the panel sets none
    due = _at(data.due_on, end=True) if data.due_on else _now() + timedelta(days=term)
    intervention = Intervention(
        tenant_id=tenant.id,
        id=uuid.uuid4(),
        case_id=case.id,
        kind=InterventionKind(data.kind),
        status=InterventionStatus.PLANNED,
        after_id=data.after_id,
        facts={"in_sequence": data.after_id is not None, "panel_term": data.due_on is not None},
        due_at=due,
        created_by_tenant_id=who.tenant_id,
        created_by_id=who.id,
    )
    session.add(intervention)
    await session.flush()
    intake.add_deadline(session, case, DeadlineKind.FOLLOW_UP, due, "decision_maker", intervention.id, responsible=who)
    if case.status != CaseStatus.FOLLOWING_UP:
        move_case(case, CaseStatus.FOLLOWING_UP)
    await _record(session, who, case, "started", kind=data.kind, in_sequence=data.after_id is not None)
    return intervention


async def _check_seat(
    session: AsyncSession, tenant: Tenant, case: Case, intervention: Intervention, data: SeatIn
) -> None:
    seated = AccountRef(data.account_tenant_id, data.account_id)
    if intervention.status in ENDED:
        raise InterventionSeatRefused("ended")
    if SeatRole(data.role) not in CARRIED_OUT_BY[intervention.kind]:
        raise InterventionSeatRefused("role-not-for-kind")
    if data.valid_to < data.valid_from or data.valid_to < date.today():
        raise InterventionSeatRefused("time-box")
    if seated in await _excluded(session, case, SeatRole(data.role)):
        raise InterventionSeatRefused("excluded")
    if any((s.account_tenant_id, s.account_id) == seated for s in await _seats(session, intervention)):
        raise InterventionSeatRefused("one-seat")
    held = await identity.active_roles(session, tenant.id, *seated)
    if Role(data.role) not in held:
        raise InterventionSeatRefused("role-not-held")
    if SeatRole(data.role) == SeatRole.MEDIATOR and await follow_up.is_adviser(session, tenant, seated, held):
        raise InterventionSeatRefused("adviser")
    refusal = await follow_up.investigator_role_refusal(session, case, seated, data.role)
    if refusal is not None:
        raise InterventionSeatRefused(refusal)  # the case's internal investigator carries nothing out later
    if intervention.kind == InterventionKind.MEDIATION and not data.registration_number:
        raise InterventionSeatRefused("registration-missing")


async def seat(at: At, intervention_id: uuid.UUID, data: SeatIn) -> InterventionSeat:
    """Seat who carries it out, for a time: the role held here and meant for this kind; never someone
    excluded from the case or who declared a link, never the case's internal investigator, never the
    confidential adviser as mediator, a mediation's
    mediator with their registration number. The leading seat answers for the FOLLOW_UP deadline."""
    session, keyring, who, tenant, case_id = at.parts()
    case, _ = await _managed(session, keyring, who, tenant, case_id)
    intervention = await _find(session, case, intervention_id, lock=True)
    await _check_seat(session, tenant, case, intervention, data)
    row = InterventionSeat(
        tenant_id=tenant.id,
        case_id=case.id,
        intervention_id=intervention.id,
        account_tenant_id=data.account_tenant_id,
        account_id=data.account_id,
        role=SeatRole(data.role),
        facts={"registration_number": data.registration_number} if data.registration_number else {},
        valid_from=_at(data.valid_from),
        valid_to=_at(data.valid_to, end=True),
    )
    session.add(row)
    follow_up.hold_role(session, case, AccountRef(row.account_tenant_id, row.account_id), row.role.value)
    await session.flush()
    if leads(intervention, row):
        await _answer_for(session, case, intervention, AccountRef(row.account_tenant_id, row.account_id), row.role)
    await _record(session, who, case, "seated", kind=intervention.kind, role=data.role)
    return row


async def _answer_for(
    session: AsyncSession, case: Case, intervention: Intervention, account: AccountRef, role: str
) -> None:
    """The intervention's open FOLLOW_UP deadline is now the seated person's (reminders go to them alone)."""
    for deadline in await intake.open_deadlines(session, case):
        if deadline.kind == DeadlineKind.FOLLOW_UP and deadline.subject_id == intervention.id:
            deadline.responsible_role = role
            deadline.responsible_tenant_id, deadline.responsible_id = account.tenant_id, account.id


async def prepare(at: At, intervention_id: uuid.UUID, data: Preparation) -> Intervention:
    """Record the kind's preconditions (seed-000 §3.2) once the one who leads it has declared, and after
    the intervention it follows has ended."""
    session, keyring, who, tenant, case_id = at.parts()
    case, cipher = await _managed(session, keyring, who, tenant, case_id)
    intervention = await _find(session, case, intervention_id, lock=True)
    if type(data).__struct_config__.tag != intervention.kind.value:
        raise InterventionRefused("other-kind")
    await _may_prepare(session, intervention)
    _check_preparation(data)
    raw = msgspec.to_builtins(data)
    raw.pop("type", None)
    if isinstance(data, GroupPrepared) and follow_up.traceable(
        [data.agreed_points], await follow_up.names_in_case(session, keyring, tenant, case)
    ):
        raise InterventionRefused("traceable")
    move_intervention(intervention, InterventionStatus.PREPARED)
    _add_facts(intervention, **{k: v for k, v in raw.items() if k not in TEXT_FIELDS})
    _add_content(cipher, intervention, **{k: v for k, v in raw.items() if k in TEXT_FIELDS})
    await _record(session, who, case, "prepared", kind=intervention.kind)
    return intervention


async def _may_prepare(session: AsyncSession, intervention: Intervention) -> None:
    lead = CARRIED_OUT_BY[intervention.kind][0]
    now = _now()
    declared = {
        s.role for s in await _seats(session, intervention) if _current(s, now) and s.declaration == "not_involved"
    }
    if lead not in declared:
        raise InterventionRefused("nobody-declared")
    if intervention.after_id is not None:
        before = await session.get(Intervention, (intervention.tenant_id, intervention.after_id))
        if before is not None and before.status not in ENDED:
            raise InterventionRefused("waits-for-previous")


def _check_preparation(data: Preparation) -> None:
    if isinstance(data, GroupPrepared) and len(data.consents_on) < data.affected_count:
        raise InterventionRefused("consent-missing")
    if isinstance(data, GroupPrepared) and not data.leaders_presence_checked:
        raise InterventionRefused("leaders-unchecked")
    if isinstance(data, BemiddelingPrepared) and data.power_difference == "large":
        raise InterventionRefused("power-difference")
    if isinstance(data, BemiddelingPrepared) and data.severity == "serious":
        raise InterventionRefused("too-serious")
    consents: list[date] = []
    if isinstance(data, BemiddelingPrepared | MediationPrepared):
        consents = [data.reporter_consented_on, data.accused_consented_on]
    if isinstance(data, GroupPrepared):
        consents = list(data.consents_on)
    if any(day > date.today() for day in consents):
        raise InterventionRefused("consent-in-future")


async def stop(at: At, intervention_id: uuid.UUID, data: StopIn) -> Intervention:
    """End an intervention before its outcome, with a reason; its deadline is met."""
    session, keyring, who, tenant, case_id = at.parts()
    case, cipher = await _managed(session, keyring, who, tenant, case_id)
    intervention = await _find(session, case, intervention_id, lock=True)
    move_intervention(intervention, InterventionStatus.STOPPED)
    _add_content(cipher, intervention, stop_reason=data.reason)
    await _end(session, case, intervention)
    await follow_up.decision_due(session, tenant, case)
    await _record(session, who, case, "stopped", kind=intervention.kind)
    return intervention


async def _end(session: AsyncSession, case: Case, intervention: Intervention) -> None:
    intervention.ended_at = _now()
    await intake.meet_deadlines(session, case, DeadlineKind.FOLLOW_UP, intervention.id)


# ---------------------------------------------------------------- who carries it out


async def _carried(
    session: AsyncSession, tenant: Tenant, case_id: uuid.UUID, intervention_id: uuid.UUID, *, lock: bool = True
) -> tuple[Case, Intervention]:
    case = await intake.find_case(session, tenant, case_id)
    return case, await _find(session, case, intervention_id, lock=lock)


async def declare(at: At, intervention_id: uuid.UUID, data: DeclarationIn) -> Brief:
    """The seated person's own written declaration, for this case, before anything of it. "Involved" ends
    the seat and keeps them out of the case."""
    session, keyring, who, tenant, case_id = at.parts()
    case, intervention = await _carried(session, tenant, case_id, intervention_id)
    row = await _seat_of(session, case, intervention, who, declared=False)
    if row.declaration is not None:
        raise InterventionSeatRefused("already-declared")
    cipher = await case_cipher(session, keyring, tenant.id, case.id)
    row.declaration = Involvement.INVOLVED if data.involved else Involvement.NOT_INVOLVED
    row.declared_at = _now()
    row.sealed_declaration = cipher.seal(data.statement, PURPOSE, row.id)
    if data.involved:
        row.left_at = _now()
        await follow_up.keep_out(session, case, who)
    await session.flush()
    await _record(session, who, case, "declaration", role=row.role, involved=data.involved)
    return Brief(intervention, row, None, None)


async def hold(at: At, intervention_id: uuid.UUID, data: HeldIn) -> Intervention:
    """The conversation took place (the one who leads records it); any seat adds its own notes, sealed. A
    mediation stores nothing of its sessions; a group conversation nothing that names someone."""
    session, keyring, who, tenant, case_id = at.parts()
    case, intervention = await _carried(session, tenant, case_id, intervention_id)
    row = await _seat_of(session, case, intervention, who)
    if data.notes and intervention.kind == InterventionKind.MEDIATION:
        raise InterventionRefused("no-session-content")
    if data.held_on > date.today():
        raise InterventionRefused("held-in-future")
    if (
        intervention.kind == InterventionKind.MEDIATION
        and intervention.document_id is None
        and leads(intervention, row)
    ):
        raise InterventionRefused("agreement-missing")
    group = intervention.kind == InterventionKind.GROUP_CONVERSATION
    if (
        data.notes
        and group
        and follow_up.traceable([data.notes], await follow_up.names_in_case(session, keyring, tenant, case))
    ):
        raise InterventionRefused("traceable")
    if leads(intervention, row):
        move_intervention(intervention, InterventionStatus.HELD)
        _add_facts(intervention, held_on=data.held_on.isoformat())
    elif intervention.status not in (InterventionStatus.PREPARED, InterventionStatus.HELD):
        raise InterventionRefused("not-prepared")
    if data.notes:
        cipher = await case_cipher(session, keyring, tenant.id, case.id)
        notes = {**_content(cipher, intervention).get("notes", {}), row.role.value: data.notes}
        _add_content(cipher, intervention, notes=notes)
    await _record(session, who, case, "held", kind=intervention.kind, role=row.role, notes=bool(data.notes))
    return intervention


async def complete(at: At, store: ObjectStore, intervention_id: uuid.UUID, data: Completion) -> Intervention:
    """Record the outcome (the one who leads): a corrective conversation's official warning becomes a
    document of the case for the personnel file; a group's agreements keep their monitoring dates."""
    session, keyring, who, tenant, case_id = at.parts()
    case, intervention = await _carried(session, tenant, case_id, intervention_id)
    row = await _seat_of(session, case, intervention, who)
    if not leads(intervention, row):
        raise InterventionRefused("not-leading")
    if type(data).__struct_config__.tag != intervention.kind.value:
        raise InterventionRefused("other-kind")
    cipher = await case_cipher(session, keyring, tenant.id, case.id)
    if isinstance(data, GroupDone):
        texts = [agreement.text for agreement in data.agreements]
        if follow_up.traceable(texts, await follow_up.names_in_case(session, keyring, tenant, case)):
            raise InterventionRefused("traceable")
        _add_facts(intervention, monitor_on=sorted(a.monitor_on.isoformat() for a in data.agreements))
        _add_content(cipher, intervention, agreements=texts)
    move_intervention(intervention, InterventionStatus.COMPLETED)
    raw = {k: v for k, v in msgspec.to_builtins(data).items() if k not in ("type", "agreements")}
    _add_facts(intervention, **{k: v for k, v in raw.items() if k not in TEXT_FIELDS})
    _add_content(cipher, intervention, **{k: v for k, v in raw.items() if k in TEXT_FIELDS})
    if isinstance(data, CorrectiveDone):
        intervention.document_id = await _warning_document(session, keyring, store, who, case, data.warning)
    await _end(session, case, intervention)
    await follow_up.decision_due(session, tenant, case)
    await _record(session, who, case, "completed", kind=intervention.kind, document=data.__class__ is CorrectiveDone)
    return intervention


async def _warning_document(
    session: AsyncSession, keyring: Keyring, store: ObjectStore, who: AccountRef, case: Case, warning: str
) -> uuid.UUID:
    async def body() -> AsyncIterator[bytes]:
        yield warning.encode()

    meta = DocumentMeta(filename="waarschuwing.txt", content_type="text/plain", title="Officiële waarschuwing")
    document = await store_document(
        session, keyring, store, cases.actor_of(who), case.tenant_id, case.id, RecordClass.SANCTION, body(), meta
    )
    return document.id


async def attach_agreement(
    at: At, store: ObjectStore, intervention_id: uuid.UUID, files: Sequence[Checked]
) -> Intervention:
    """The signed mediation agreement (voluntariness, secrecy, commitment, autonomy: seed-000 H7) as a document
    of the case, cleaned and encrypted like every attachment: besides the outcome, the one thing of a mediation
    that is kept. The mediator who leads hands it in once the mediation is prepared and before it is held."""
    session, keyring, who, tenant, case_id = at.parts()
    case, intervention = await _carried(session, tenant, case_id, intervention_id)
    row = await _seat_of(session, case, intervention, who)
    if intervention.kind != InterventionKind.MEDIATION:
        raise InterventionRefused("agreement-only-mediation")
    if not leads(intervention, row):
        raise InterventionRefused("not-leading")
    if intervention.status != InterventionStatus.PREPARED or intervention.document_id is not None:
        raise InterventionRefused("agreement-when-prepared")
    if len(files) != 1:
        raise InterventionRefused("agreement-one-file")
    (document,) = await attach(session, keyring, store, tenant.id, case, files, cases.actor_of(who))
    intervention.document_id = document.id
    await _record(session, who, case, "agreement_attached", kind=intervention.kind)
    return intervention


async def deny(at: At, intervention_id: uuid.UUID, data: DenialIn) -> Intervention:
    """The accused denies in a corrective conversation: not on, but back to the panel, which weighs again
    (seed-000 §3.2 "If the beschuldigde denies it, investigate instead"): the case moves to ``in_progress``."""
    session, _, who, tenant, case_id = at.parts()
    case, intervention = await _carried(session, tenant, case_id, intervention_id)
    row = await _seat_of(session, case, intervention, who)
    if intervention.kind != InterventionKind.CORRECTIVE_CONVERSATION:
        raise InterventionRefused("denial-only-corrective")
    if not leads(intervention, row):
        raise InterventionRefused("not-leading")
    move_intervention(intervention, InterventionStatus.BACK_TO_PANEL)
    _add_facts(intervention, denied_on=data.denied_on.isoformat())
    await _end(session, case, intervention)
    if case.status == CaseStatus.FOLLOWING_UP:
        move_case(case, CaseStatus.IN_PROGRESS)
    await _record(session, who, case, "denied", kind=intervention.kind)
    return intervention


# ---------------------------------------------------------------- views


@dataclass(frozen=True)
class InterventionView:
    intervention: Intervention
    seats: list[InterventionSeat]
    names: dict[uuid.UUID, str]
    deadlines: list[Deadline]
    content: dict[str, Any] | None = None


async def _views(session: AsyncSession, tenant: Tenant, case: Case) -> list[InterventionView]:
    rows = await session.execute(
        select(Intervention)
        .where(Intervention.tenant_id == tenant.id, Intervention.case_id == case.id)
        .order_by(Intervention.created_at)
    )
    deadlines = (
        await session.execute(
            select(Deadline).where(
                Deadline.tenant_id == tenant.id, Deadline.case_id == case.id, Deadline.kind == DeadlineKind.FOLLOW_UP
            )
        )
    ).scalars()
    by_subject: dict[uuid.UUID | None, list[Deadline]] = {}
    for deadline in deadlines:
        by_subject.setdefault(deadline.subject_id, []).append(deadline)
    views = []
    for intervention in rows.scalars():
        seats = await _seats(session, intervention)
        refs = [AccountRef(s.account_tenant_id, s.account_id) for s in seats]
        names = await cases.account_names(session, tenant, refs) if refs else {}
        views.append(InterventionView(intervention, seats, names, by_subject.get(intervention.id, [])))
    return views


async def process(at: At, reporting_point: bool) -> list[InterventionView]:
    """Every follow-up of the case as process facts, seats and deadlines: for the process guardian (and any
    panel member or the reporting point who sees the case's process). No content."""
    session, _, who, tenant, case_id = at.parts()
    await cases.may_see_process(session, tenant, case_id, who, reporting_point)
    return await _views(session, tenant, await intake.find_case(session, tenant, case_id))


async def read_all(at: At) -> list[InterventionView]:
    """Every follow-up with what was said in it, for the declared decision maker (the read is audited)."""
    session, keyring, who, tenant, case_id = at.parts()
    case, cipher = await _managed(session, keyring, who, tenant, case_id)
    views = [
        InterventionView(v.intervention, v.seats, v.names, v.deadlines, _content(cipher, v.intervention))
        for v in await _views(session, tenant, case)
    ]
    await _record(session, who, case, "content_read")
    return views


async def one(at: At, iid: uuid.UUID) -> InterventionView:
    """One follow-up for the decision maker (after a change): its process and content."""
    for view in await read_all(at):
        if view.intervention.id == iid:
            return view
    raise InterventionNotFound()


@dataclass(frozen=True)
class Brief:
    intervention: Intervention
    seat: InterventionSeat
    agreed_points: str | None
    own_notes: str | None


async def brief(at: At, intervention_id: uuid.UUID) -> Brief:
    """What the seated person's part needs: before their declaration only the kind and dates; after it the
    points the reporter agreed may be shared and their own notes. Never the dossier; the read is audited."""
    session, keyring, who, tenant, case_id = at.parts()
    case, intervention = await _carried(session, tenant, case_id, intervention_id, lock=False)
    row = await _seat_of(session, case, intervention, who, declared=False)
    if row.declaration != Involvement.NOT_INVOLVED:
        return Brief(intervention, row, None, None)
    content = _content(await case_cipher(session, keyring, tenant.id, case.id), intervention)
    await _record(session, who, case, "brief_read", kind=intervention.kind, role=row.role)
    return Brief(intervention, row, content.get("agreed_points"), content.get("notes", {}).get(row.role.value))


@dataclass(frozen=True)
class Assignment:
    tenant: Tenant
    intervention: Intervention
    seat: InterventionSeat


async def assignments(session: AsyncSession, who: AccountRef, tenant: Tenant) -> list[Assignment]:
    """The seated person's follow-ups here, within their seat's time: their own, nothing of others."""
    rows = await follow_up.own_current_seats(
        session, who, tenant, InterventionSeat, Intervention, InterventionSeat.intervention_id
    )
    return [Assignment(tenant, intervention, seat) for seat, intervention in rows]


@dataclass(frozen=True)
class FollowUps:
    """A case's follow-ups for one viewer: with their content and the forms for its declared decision maker,
    their process facts for whoever else sees the case's process; the kinds its weighing chose."""

    views: list[InterventionView]
    manages: bool
    chosen: list[str]


async def follow_ups(at: At, reporting_point: bool) -> FollowUps:
    """The case's follow-ups as this viewer may see them (``read_all`` for its decision maker, else ``process``)."""
    session, _, who, tenant, case_id = at.parts()
    panel_seat = await cases.may_see_process(session, tenant, case_id, who, reporting_point)
    case = await intake.find_case(session, tenant, case_id)
    weighing = await follow_up.latest_weighing(session, case)
    kinds = {kind.value for kind in InterventionKind}
    chosen = [option for option in (weighing.facts.get("chosen", []) if weighing else []) if option in kinds]
    if cases.sees_content(panel_seat) and panel_seat is not None and panel_seat.role == PanelRole.DECISION_MAKER:
        return FollowUps(await read_all(at), True, chosen)
    return FollowUps(await _views(session, tenant, case), False, chosen)


async def seat_candidates(session: AsyncSession, tenant: Tenant) -> dict[str, list[tuple[AccountRef, str]]]:
    """Who holds each role that carries out a follow-up here, by name (``seat`` still checks each rule)."""
    holders = {role.value: await identity.role_holders(session, tenant.id, role.value) for role in SeatRole}
    everyone = [who for people in holders.values() for who in people]
    names = await cases.account_names(session, tenant, everyone) if everyone else {}
    return {
        role: sorted(((who, names.get(who.id, str(who.id))) for who in people), key=lambda candidate: candidate[1])
        for role, people in holders.items()
    }
