"""The end of a case (DESIGN §7 "Decision and communication", "Phase 3"; seed-000 §2.5, §3.4): the declared
decision maker decides with reasons once every follow-up is done, tells the reporter (inbox), the accused
(a letter in the party portal) and the team (a process-only template), monitors and may send the case back up
the ladder, plans aftercare per party, evaluates the procedure and closes the case. Every transition is one
call that checks its preconditions, writes the change, its deadlines and an audit entry without words.

Phase 2 (``interventions/``, a floor above) is learnt of only through the case's ``follow_up`` deadlines.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit import services as audit
from meldpunt.audit.services import AuditActor
from meldpunt.cases import services
from meldpunt.cases.errors import ConcernOpen
from meldpunt.cases.models import CaseStep, PanelMember, PanelRole, ProcessConcern, Route
from meldpunt.cases.outcome_errors import AftercareNotFound, ClosureRefused, DecisionRefused, OutcomeRefused
from meldpunt.cases.outcome_models import (
    FOUNDED,
    AftercareAction,
    AftercareKind,
    AftercareParty,
    Audience,
    CaseClosure,
    CaseDecision,
    CaseEvaluation,
    CaseMeasure,
    Finding,
    MeasureKind,
    MonitoringEntry,
    OutcomeMessage,
    Perspective,
)
from meldpunt.cases.outcome_schemas import (
    AccusedToldIn,
    AftercareIn,
    ClosureIn,
    DecisionIn,
    EvaluationIn,
    MonitoringIn,
    ReporterToldIn,
    TeamToldIn,
)
from meldpunt.cases.parties import LETTERS  # the letters' templates (cases/letters)
from meldpunt.catalogues import text
from meldpunt.db.context import tenant_context
from meldpunt.dossiers.cipher import CaseCipher, case_cipher
from meldpunt.dossiers.documents import DocumentMeta, RecordClass, store_document
from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.errors import Named
from meldpunt.identity import services as identity
from meldpunt.identity.models import AccountRef
from meldpunt.identity.roles import Role
from meldpunt.intake import services as intake
from meldpunt.intake.errors import NoChannelBack
from meldpunt.intake.models import OUTLIVES_CLOSURE, Anonymity, Case, CaseStatus, Deadline, may_move, move_case
from meldpunt.parties import services as parties
from meldpunt.parties.models import CaseParty, PartyRole
from meldpunt.parties.schemas import ShareIn
from meldpunt.retention.models import Trigger
from meldpunt.retention.services import record_case_event
from meldpunt.tenancy.models import Tenant
from meldpunt.tenancy.terms import terms_of

OUTCOME = "outcome"  # the purpose the texts of the end of a case are sealed for
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SYSTEM = AuditActor.system("sanctions")
EVALUATION_DAYS = 90  # the evaluation of the procedure is due this long after the decision
# The law wants the accused heard before a sanction (seed-000 §3.4: "een reële mogelijkheid … diens kant van het
# verhaal toe te lichten"); an improvement plan is agreed with them and the disciplinary board hears them itself.
HEARD_FIRST = frozenset(MeasureKind) - {MeasureKind.IMPROVEMENT_PLAN, MeasureKind.DISCIPLINARY_COMPLAINT}
# Routes handled elsewhere close with a recorded reason (seed-000 §2.2): what happened instead.
CLOSE_WITH_REASON = frozenset({Route.POLICE, Route.NO_ACTION, Route.WHISTLEBLOWER, Route.COMPLAINTS_COMMITTEE})
REPORTER_CLOSED = "reporter_closed"  # part A's step: the reporter says an adviser-only case may close


def _now() -> datetime:
    return datetime.now(UTC)


def _today() -> date:
    return datetime.now(AMSTERDAM).date()


def _start_of(day: date) -> datetime:
    """The organisation's days are Dutch days."""
    return datetime.combine(day, time.min, tzinfo=AMSTERDAM)


def _actor(who: AccountRef) -> AuditActor:
    return services.actor_of(who)


async def _decider(session: AsyncSession, tenant: Tenant, case_id: uuid.UUID, who: AccountRef) -> Case:
    """The case, when ``who`` holds a declared decision maker's seat at its panel."""
    case = await services.panel_case(session, tenant, case_id)
    await services.declared_seat(session, case, who, (PanelRole.DECISION_MAKER,))
    return case


async def _rows(session: AsyncSession, model: Any, case: Case, order: Any) -> list[Any]:
    query = select(model).where(model.tenant_id == case.tenant_id, model.case_id == case.id).order_by(order)
    return list((await session.execute(query)).scalars())


async def _latest_decision(session: AsyncSession, case: Case) -> CaseDecision | None:
    decisions: list[CaseDecision] = await _rows(session, CaseDecision, case, CaseDecision.decided_at.desc())
    return decisions[0] if decisions else None


def _open_of(deadlines: Sequence[Deadline], kind: str) -> list[Deadline]:
    return [d for d in deadlines if d.kind == kind]


# ---------------------------------------------------------------- the decision


def _check_decision(case: Case, data: DecisionIn, open_now: Sequence[Deadline]) -> None:
    """Decided after the weighing and every follow-up; a measure only when the behaviour is plausible, with the
    accused heard first where the law wants it, ending after today."""
    if not may_move(case, CaseStatus.CONCLUDED):
        reason = "already-decided" if case.status == CaseStatus.CONCLUDED else "weigh-first"
        raise DecisionRefused("ended" if case.status in (CaseStatus.CLOSED, CaseStatus.WITHDRAWN) else reason)
    if _open_of(open_now, "follow_up"):
        raise DecisionRefused("follow-up-open")
    if data.measures and Finding(data.finding) not in FOUNDED:
        raise DecisionRefused("measure-needs-finding")
    today = _today()
    for measure in data.measures:
        if MeasureKind(measure.kind) in HEARD_FIRST and measure.heard_on is None:
            raise DecisionRefused("accused-not-heard", measure=Named(f"outcome.measure.{measure.kind}"))
        if measure.heard_on is not None and measure.heard_on > today:
            raise DecisionRefused("heard-in-future")
        if measure.ends_on is not None and measure.ends_on <= today:
            raise DecisionRefused("end-in-past")
    if data.monitor_on is not None and data.monitor_on <= today:
        raise DecisionRefused("date-in-past")


def _add_measures(
    session: AsyncSession, cipher: CaseCipher, case: Case, decision: CaseDecision, data: DecisionIn, who: AccountRef
) -> None:
    """The decision's measures, each with an end date getting its ``sanction_end`` deadline."""
    for measure in data.measures:
        measure_id = uuid.uuid4()
        content = {"description": measure.description, "reasons": measure.reasons}
        session.add(
            CaseMeasure(
                tenant_id=case.tenant_id,
                id=measure_id,
                case_id=case.id,
                decision_id=decision.id,
                kind=MeasureKind(measure.kind),
                heard_on=measure.heard_on,
                ends_on=measure.ends_on,
                sealed_content=cipher.seal_value(content, OUTCOME, measure_id),
            )
        )
        if measure.ends_on is not None:
            due = _start_of(measure.ends_on)
            intake.add_deadline(session, case, "sanction_end", due, "decision_maker", measure_id, responsible=who)


async def decide(
    session: AsyncSession, keyring: Keyring, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, data: DecisionIn
) -> CaseDecision:
    """The declared decision maker decides with reasons: the finding and the measures. The case is concluded;
    retention's ``decision_taken`` starts; each measure with an end date gets its ``sanction_end`` deadline, the
    first monitoring its ``monitoring`` deadline and the evaluation of the procedure its own."""
    case = await _decider(session, tenant, case_id, who)
    await _no_open_concern(session, case)
    open_now = await intake.open_deadlines(session, case)
    _check_decision(case, data, open_now)
    cipher = await case_cipher(session, keyring, tenant.id, case.id)
    decision_id = uuid.uuid4()
    decision = CaseDecision(
        tenant_id=tenant.id,
        id=decision_id,
        case_id=case.id,
        finding=Finding(data.finding),
        sealed_reasons=cipher.seal(data.reasons, OUTCOME, decision_id),
        decided_by_tenant_id=who.tenant_id,
        decided_by_id=who.id,
    )
    session.add(decision)
    await session.flush()
    _add_measures(session, cipher, case, decision, data, who)
    await intake.meet_deadlines(session, case, "decision")
    if data.monitor_on is not None:
        intake.add_deadline(session, case, "monitoring", _start_of(data.monitor_on), "decision_maker", responsible=who)
    if not _open_of(open_now, "evaluation"):
        due = _now() + timedelta(days=EVALUATION_DAYS)
        intake.add_deadline(session, case, "evaluation", due, "decision_maker", responsible=who)
    move_case(case, CaseStatus.CONCLUDED)
    await session.flush()
    await record_case_event(session, _actor(who), tenant.id, case.id, Trigger.DECISION_TAKEN, _now())
    await audit.record(
        session,
        tenant.id,
        _actor(who),
        "case.decided",
        "case",
        case.id,
        finding=data.finding,
        measures=len(data.measures),
    )
    return decision


# ---------------------------------------------------------------- telling the outcome


async def _decided(session: AsyncSession, case: Case) -> CaseDecision:
    """The decision in force: the case is concluded (not sent back up the ladder, not closed)."""
    if case.status == CaseStatus.CLOSED:
        raise OutcomeRefused("case-closed")
    decision = await _latest_decision(session, case)
    if decision is None or case.status != CaseStatus.CONCLUDED:
        raise OutcomeRefused("decide-first")
    return decision


async def _no_open_concern(session: AsyncSession, case: Case) -> None:
    """A process guardian's concern waits for the decision maker's answer before the next step (as in phase 1)."""
    waiting = select(func.count()).where(
        ProcessConcern.tenant_id == case.tenant_id,
        ProcessConcern.case_id == case.id,
        ProcessConcern.acknowledged_at.is_(None),
    )
    if (await session.execute(waiting)).scalar_one():
        raise ConcernOpen()


def _told(tenant: Tenant, case: Case, who: AccountRef, audience: Audience, **facts: Any) -> OutcomeMessage:
    return OutcomeMessage(
        tenant_id=tenant.id,
        id=uuid.uuid4(),
        case_id=case.id,
        audience=audience,
        sent_by_tenant_id=who.tenant_id,
        sent_by_id=who.id,
        **facts,
    )


def reporter_words(language: str, finding: str, note: str = "") -> str:
    """The outcome as the reporter reads it in the inbox: plain words of the finding, then what concerns them."""
    words = text(language, f"outcome.reporter.{finding}")
    return f"{words}\n\n{note.strip()}" if note.strip() else words


async def tell_reporter(
    session: AsyncSession, keyring: Keyring, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, data: ReporterToldIn
) -> OutcomeMessage:
    """The reporter is told the outcome in the receipt inbox: the finding in plain words and what concerns them
    only (never the measures against someone else). A fully anonymous reporter has no channel back."""
    case = await _decider(session, tenant, case_id, who)
    decision = await _decided(session, case)
    if case.anonymity == Anonymity.ANONYMOUS:
        raise NoChannelBack()
    words = reporter_words(data.language, decision.finding, data.note)
    await intake.add_message(session, keyring, tenant, case, _actor(who).label, words)
    told = _told(tenant, case, who, Audience.REPORTER)
    session.add(told)
    await session.flush()
    await audit.record(session, tenant.id, _actor(who), "case.outcome_told", "case", case.id, audience="reporter")
    return told


def accused_letter(language: str, **context: object) -> str:
    """The outcome letter to the accused, in ``language`` (Dutch or English)."""
    return LETTERS.get_template(f"outcome_accused.{language}.txt").render(
        today=_today().strftime("%d-%m-%Y"), **context
    )


async def _accused(session: AsyncSession, keyring: Keyring, tenant: Tenant, case: Case, party_id: uuid.UUID) -> str:
    """The accused party's name; another party, or none, is refused."""
    for view in await parties.parties_of(session, keyring, tenant, case.id):
        if view.party.id == party_id and view.party.role == PartyRole.ACCUSED:
            return view.name
    raise OutcomeRefused("not-the-accused")


async def _letter_chunks(letter: str) -> AsyncIterator[bytes]:
    yield letter.encode()


async def tell_accused(
    session: AsyncSession,
    keyring: Keyring,
    store: ObjectStore,
    who: AccountRef,
    tenant: Tenant,
    case_id: uuid.UUID,
    data: AccusedToldIn,
) -> OutcomeMessage:
    """The accused is told the outcome in writing: a letter from the template with the finding and the measures
    taken (their kind and end date), kept as a document of the case and shared with that accused in the portal."""
    case = await _decider(session, tenant, case_id, who)
    decision = await _decided(session, case)
    name = await _accused(session, keyring, tenant, case, data.party_id)
    measures: list[CaseMeasure] = await _rows(session, CaseMeasure, case, CaseMeasure.kind)
    language = data.language
    letter = accused_letter(
        language,
        organisation=tenant.display_name,
        name=name,
        finding=text(language, f"outcome.accused.{decision.finding}"),
        measures=[
            (text(language, f"outcome.measure.{m.kind}"), m.ends_on.strftime("%d-%m-%Y") if m.ends_on else None)
            for m in measures
            if m.decision_id == decision.id
        ],
        note=data.note.strip(),
    )
    meta = DocumentMeta(
        filename="uitkomst.txt" if language == "nl" else "outcome.txt",
        content_type="text/plain; charset=utf-8",
        title=text(language, "outcome.letter_title"),
    )
    kept = RecordClass.REPORT_DOSSIER, _letter_chunks(letter), meta
    document = await store_document(session, keyring, store, _actor(who), tenant.id, case.id, *kept)
    await parties.share(session, who, tenant, case.id, ShareIn(document_id=document.id, party_id=data.party_id))
    told = _told(tenant, case, who, Audience.ACCUSED, document_id=document.id)
    session.add(told)
    await session.flush()
    await audit.record(session, tenant.id, _actor(who), "case.outcome_told", "case", case.id, audience="accused")
    return told


async def tell_team(
    session: AsyncSession, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, data: TeamToldIn
) -> OutcomeMessage:
    """The team is told only a fixed, process-only text chosen from a closed list (no case content)."""
    case = await _decider(session, tenant, case_id, who)
    await _decided(session, case)
    told = _told(tenant, case, who, Audience.TEAM, template=data.template)
    session.add(told)
    await session.flush()
    await audit.record(
        session, tenant.id, _actor(who), "case.outcome_told", "case", case.id, audience="team", template=data.template
    )
    return told


# ---------------------------------------------------------------- monitoring and escalation


async def record_monitoring(
    session: AsyncSession, keyring: Keyring, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, data: MonitoringIn
) -> MonitoringEntry:
    """A monitoring entry meets the case's due monitoring and may set the next date. ``escalate`` sends the case
    back up the ladder (``concluded → in_progress``) with a reason: the panel weighs again, within its term."""
    case = await _decider(session, tenant, case_id, who)
    if case.status != CaseStatus.CONCLUDED:
        raise OutcomeRefused("not-concluded")
    if data.next_on is not None and data.next_on <= _today():
        raise OutcomeRefused("date-in-past")
    if data.escalate and len(data.escalation_reason.strip()) < 3:
        raise OutcomeRefused("escalation-reason")
    cipher = await case_cipher(session, keyring, tenant.id, case.id)
    entry_id = uuid.uuid4()
    sealed = {"note": data.note, "escalation_reason": data.escalation_reason.strip()}
    entry = MonitoringEntry(
        tenant_id=tenant.id,
        id=entry_id,
        case_id=case.id,
        behaviour_stopped=data.behaviour_stopped,
        work_restored=data.work_restored,
        escalated=data.escalate,
        next_on=None if data.escalate else data.next_on,
        sealed_note=cipher.seal_value(sealed, OUTCOME, entry_id),
        recorded_by_tenant_id=who.tenant_id,
        recorded_by_id=who.id,
    )
    session.add(entry)
    await session.flush()
    await intake.meet_deadlines(session, case, "monitoring")
    if data.escalate:
        move_case(case, CaseStatus.IN_PROGRESS)
        due = _now() + timedelta(days=terms_of(tenant.procedure).choice_days)
        intake.add_deadline(session, case, "choice", due, "decision_maker", responsible=who)
    elif data.next_on is not None:
        intake.add_deadline(session, case, "monitoring", _start_of(data.next_on), "decision_maker", responsible=who)
    await audit.record(
        session,
        tenant.id,
        _actor(who),
        "case.monitored",
        "case",
        case.id,
        behaviour_stopped=data.behaviour_stopped,
        work_restored=data.work_restored,
        escalated=data.escalate,
    )
    return entry


# ---------------------------------------------------------------- aftercare


async def plan_aftercare(
    session: AsyncSession, keyring: Keyring, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, data: AftercareIn
) -> AftercareAction:
    """An aftercare action for one party with its owner (an account holding a role here) and due date: an
    ``aftercare`` deadline that outlives closure and reminds the owner alone."""
    case = await _decider(session, tenant, case_id, who)
    await _decided(session, case)
    owner = AccountRef(data.owner_tenant_id, data.owner_id)
    if not await identity.active_roles(session, tenant.id, *owner):
        raise OutcomeRefused("owner-unknown")
    if data.due_on < _today():
        raise OutcomeRefused("date-in-past")
    cipher = await case_cipher(session, keyring, tenant.id, case.id)
    action_id = uuid.uuid4()
    action = AftercareAction(
        tenant_id=tenant.id,
        id=action_id,
        case_id=case.id,
        party=AftercareParty(data.party),
        kind=AftercareKind(data.kind),
        owner_tenant_id=owner.tenant_id,
        owner_id=owner.id,
        due_on=data.due_on,
        sealed_text=cipher.seal(data.text, OUTCOME, action_id),
    )
    session.add(action)
    intake.add_deadline(session, case, "aftercare", _start_of(data.due_on), "aftercare", action_id, responsible=owner)
    await session.flush()
    await audit.record(
        session, tenant.id, _actor(who), "case.aftercare_planned", "case", case.id, party=data.party, kind=data.kind
    )
    return action


@dataclass(frozen=True)
class OwnedAction:
    action: AftercareAction
    text: str


async def my_aftercare(session: AsyncSession, keyring: Keyring, who: AccountRef, tenant: Tenant) -> list[OwnedAction]:
    """The aftercare actions this account owns here, with what each asks (the case's other content stays shut)."""
    await tenant_context(session, [tenant.id])
    actions = (
        await session.execute(
            select(AftercareAction)
            .where(
                AftercareAction.tenant_id == tenant.id,
                AftercareAction.owner_tenant_id == who.tenant_id,
                AftercareAction.owner_id == who.id,
            )
            .order_by(AftercareAction.done_at.is_not(None), AftercareAction.due_on)
        )
    ).scalars()
    owned = []
    for action in actions:
        cipher = await case_cipher(session, keyring, tenant.id, action.case_id)
        owned.append(OwnedAction(action, cipher.open(action.sealed_text, OUTCOME, action.id) or ""))
    return owned


async def complete_aftercare(
    session: AsyncSession, keyring: Keyring, who: AccountRef, tenant: Tenant, action_id: uuid.UUID, note: str = ""
) -> AftercareAction:
    """The owner marks their action done (after closure too); its deadline is met. Another's action is not found."""
    await tenant_context(session, [tenant.id])
    action = await session.get(AftercareAction, (tenant.id, action_id))
    if action is None or AccountRef(action.owner_tenant_id, action.owner_id) != who:
        raise AftercareNotFound()
    if action.done_at is not None:
        raise OutcomeRefused("already-done")
    case = await intake.find_case(session, tenant, action.case_id)
    action.done_at = _now()
    if note.strip():
        cipher = await case_cipher(session, keyring, tenant.id, case.id)
        action.sealed_done_note = cipher.seal(note.strip(), OUTCOME, action.id)
    await intake.meet_deadlines(session, case, "aftercare", action.id)
    await session.flush()
    await audit.record(session, tenant.id, _actor(who), "case.aftercare_done", "case", case.id, kind=action.kind)
    return action


# ---------------------------------------------------------------- evaluation


async def evaluate(
    session: AsyncSession, keyring: Keyring, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, data: EvaluationIn
) -> CaseEvaluation:
    """The organisation's own evaluation of the procedure (seed-000 §2.5: not outsourced, all perspectives): each
    of reporter, accused, panel and others heard, with findings and actions. It meets the evaluation deadline."""
    case = await _decider(session, tenant, case_id, who)
    await _decided(session, case)
    missing = [p for p in Perspective if len(data.perspectives.get(p.value, "").strip()) < 3]
    if missing:
        raise OutcomeRefused("perspectives-missing", missing=Named(*(f"outcome.perspective.{p}" for p in missing)))
    cipher = await case_cipher(session, keyring, tenant.id, case.id)
    evaluation_id = uuid.uuid4()
    content = {"perspectives": dict(data.perspectives), "findings": data.findings, "actions": data.actions}
    evaluation = CaseEvaluation(
        tenant_id=tenant.id,
        id=evaluation_id,
        case_id=case.id,
        perspectives=[p.value for p in Perspective],
        sealed_content=cipher.seal_value(content, OUTCOME, evaluation_id),
        recorded_by_tenant_id=who.tenant_id,
        recorded_by_id=who.id,
    )
    session.add(evaluation)
    await intake.meet_deadlines(session, case, "evaluation")
    await session.flush()
    await audit.record(session, tenant.id, _actor(who), "case.evaluated", "case", case.id)
    return evaluation


# ---------------------------------------------------------------- closure


async def _has_step(session: AsyncSession, case: Case, kind: str) -> bool:
    found = select(func.count()).where(
        CaseStep.tenant_id == case.tenant_id, CaseStep.case_id == case.id, CaseStep.kind == kind
    )
    return bool((await session.execute(found)).scalar_one())


async def _needs_rehabilitation(session: AsyncSession, case: Case, decision: CaseDecision) -> bool:
    """An unfounded accusation against a party of the case: the accused gets rehabilitation (seed-000 §2.5)."""
    if decision.finding in FOUNDED:
        return False
    accused = select(func.count()).where(
        CaseParty.tenant_id == case.tenant_id,
        CaseParty.case_id == case.id,
        CaseParty.role == PartyRole.ACCUSED,
        CaseParty.removed_at.is_(None),
    )
    if not (await session.execute(accused)).scalar_one():
        return False
    actions: list[AftercareAction] = await _rows(session, AftercareAction, case, AftercareAction.planned_at)
    return not any(a.party == AftercareParty.ACCUSED and a.kind == AftercareKind.REHABILITATION for a in actions)


async def _panel_may_close(session: AsyncSession, case: Case) -> None:
    """A decision-panel case: decided with reasons, evaluated, and rehabilitation planned after an unfounded
    accusation."""
    decision = await _latest_decision(session, case)
    if decision is None or case.status != CaseStatus.CONCLUDED:
        raise ClosureRefused("not-decided")
    if not await _rows(session, CaseEvaluation, case, CaseEvaluation.recorded_at):
        raise ClosureRefused("evaluation-missing")
    if await _needs_rehabilitation(session, case, decision):
        raise ClosureRefused("rehabilitation-missing")


async def _check_closure(
    session: AsyncSession, tenant: Tenant, case: Case, who: AccountRef, reporting_point: bool, data: ClosureIn
) -> None:
    """Who closes (the declared decision maker of a panel case, the reporting point otherwise), nothing mandatory
    open (named in the reader's language), and the route's own condition."""
    if case.route == Route.DECISION_PANEL:
        await services.declared_seat(session, case, who, (PanelRole.DECISION_MAKER,))
        await _no_open_concern(session, case)
    elif not reporting_point:
        raise ClosureRefused("reporting-point-closes")
    if not may_move(case, CaseStatus.CLOSED) or case.route is None:
        raise ClosureRefused("ended" if case.status == CaseStatus.CLOSED else "not-routed")
    holding = sorted({d.kind for d in await intake.open_deadlines(session, case) if d.kind not in OUTLIVES_CLOSURE})
    if holding:
        raise ClosureRefused("steps-open", open=Named(*(f"case.deadline_kinds.{kind}" for kind in holding)))
    if case.route == Route.DECISION_PANEL:
        await _panel_may_close(session, case)
    elif case.route == Route.ADVISER_ONLY and not await _has_step(session, case, REPORTER_CLOSED):
        raise ClosureRefused("reporter-not-asked")
    elif case.route in CLOSE_WITH_REASON and len(data.reason.strip()) < 3:
        raise ClosureRefused("reason-missing")


async def close_case(
    session: AsyncSession,
    keyring: Keyring,
    who: AccountRef,
    tenant: Tenant,
    case_id: uuid.UUID,
    data: ClosureIn,
    *,
    reporting_point: bool,
) -> CaseClosure:
    """The one way a case closes (DESIGN §7, §9): refused while a mandatory step is open; then ``closed``, the
    ``case_closed`` event that starts retention, the parties' access ended, audited. Aftercare and a sanction's
    end outlive it."""
    case = await intake.find_case(session, tenant, case_id)
    await _check_closure(session, tenant, case, who, reporting_point, data)
    cipher = await case_cipher(session, keyring, tenant.id, case.id)
    closure_id = uuid.uuid4()
    reason = data.reason.strip()
    closure = CaseClosure(
        tenant_id=tenant.id,
        id=closure_id,
        case_id=case.id,
        route=case.route,
        sealed_reason=cipher.seal(reason, OUTCOME, closure_id) if reason else None,
        closed_by_tenant_id=who.tenant_id,
        closed_by_id=who.id,
        facts={"status_before": str(case.status)},
    )
    session.add(closure)
    move_case(case, CaseStatus.CLOSED)
    await session.flush()
    ended = await parties.end_access_for_case(session, tenant, case.id)
    await record_case_event(session, _actor(who), tenant.id, case.id, Trigger.CASE_CLOSED, _now())
    await audit.record(
        session, tenant.id, _actor(who), "case.closed", "case", case.id, route=case.route, invitations_ended=ended
    )
    return closure


# ---------------------------------------------------------------- the sanction sweep


async def end_sanctions(session: AsyncSession, tenant_id: uuid.UUID, now: datetime) -> int:
    """Every measure whose end date has come is ended: ``sanction_ended`` is recorded for its case (retention of
    that trigger starts from the end date) and its deadline met. Ended measures are marked, so a rerun does
    nothing; returns how many ended now."""
    await tenant_context(session, [tenant_id])
    today = now.astimezone(AMSTERDAM).date()
    due = (
        await session.execute(
            select(CaseMeasure)
            .where(CaseMeasure.tenant_id == tenant_id, CaseMeasure.ended_at.is_(None), CaseMeasure.ends_on <= today)
            .order_by(CaseMeasure.ends_on)
            .with_for_update(skip_locked=True)
        )
    ).scalars()
    ended = 0
    for measure in due:
        assert measure.ends_on is not None  # the query's
        measure.ended_at = now
        case = await session.get(Case, (tenant_id, measure.case_id))
        if case is None:
            continue
        await intake.meet_deadlines(session, case, "sanction_end", measure.id)
        await record_case_event(session, SYSTEM, tenant_id, case.id, Trigger.SANCTION_ENDED, _start_of(measure.ends_on))
        ended += 1
    await session.flush()
    return ended


# ---------------------------------------------------------------- what the case shows of its end


@dataclass(frozen=True)
class OutcomeView:
    """The end of one case for one viewer: rows (process facts) always, ``texts`` by row id only with content."""

    case: Case
    seat: PanelMember | None
    content: bool
    decisions: list[CaseDecision]
    measures: list[CaseMeasure]
    messages: list[OutcomeMessage]
    monitoring: list[MonitoringEntry]
    aftercare: list[AftercareAction]
    evaluations: list[CaseEvaluation]
    closure: CaseClosure | None
    texts: dict[uuid.UUID, Any] = field(default_factory=dict)


def _opened(cipher: CaseCipher, view: OutcomeView) -> dict[uuid.UUID, Any]:
    texts: dict[uuid.UUID, Any] = {d.id: cipher.open(d.sealed_reasons, OUTCOME, d.id) for d in view.decisions}
    texts |= {m.id: cipher.open_value(m.sealed_content, dict, OUTCOME, m.id) for m in view.measures}
    texts |= {e.id: cipher.open_value(e.sealed_note, dict, OUTCOME, e.id) for e in view.monitoring}
    texts |= {a.id: cipher.open(a.sealed_text, OUTCOME, a.id) for a in view.aftercare}
    texts |= {e.id: cipher.open_value(e.sealed_content, dict, OUTCOME, e.id) for e in view.evaluations}
    if view.closure is not None:
        texts[view.closure.id] = cipher.open(view.closure.sealed_reason, OUTCOME, view.closure.id)
    return texts


async def outcome_view(
    session: AsyncSession, keyring: Keyring, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, reporting_point: bool
) -> OutcomeView:
    """Who sees the case's process (``services.may_see_process``: the reporting point, a seat at its panel) sees the
    facts of its end: kinds, dates, flags, deadlines. A declared decision maker or expert also reads the texts
    (the read audited); a process guardian never does."""
    view = await outcome_facts(session, who, tenant, case_id, reporting_point)
    if not services.sees_content(view.seat):
        return view
    view = replace(view, content=True, texts=_opened(await case_cipher(session, keyring, tenant.id, case_id), view))
    await audit.record(session, tenant.id, _actor(who), "case.outcome_read", "case", case_id)
    return view


async def outcome_facts(
    session: AsyncSession, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, reporting_point: bool
) -> OutcomeView:
    """The facts of the case's end without any text, for whoever sees its process (the case page's timeline)."""
    seat: PanelMember | None = await services.may_see_process(session, tenant, case_id, who, reporting_point)
    case = await intake.find_case(session, tenant, case_id)
    closures: list[CaseClosure] = await _rows(session, CaseClosure, case, CaseClosure.closed_at.desc())
    return OutcomeView(
        case,
        seat,
        False,
        await _rows(session, CaseDecision, case, CaseDecision.decided_at),
        await _rows(session, CaseMeasure, case, CaseMeasure.kind),
        await _rows(session, OutcomeMessage, case, OutcomeMessage.sent_at),
        await _rows(session, MonitoringEntry, case, MonitoringEntry.recorded_at),
        await _rows(session, AftercareAction, case, AftercareAction.due_on),
        await _rows(session, CaseEvaluation, case, CaseEvaluation.recorded_at),
        closures[0] if closures else None,
    )


OWNER_ROLES = (Role.ADVISER, Role.DECISION_MAKER, Role.EXPERT, Role.HR, Role.LINE_MANAGER, Role.REPORTING_POINT)


async def aftercare_owners(session: AsyncSession, tenant: Tenant) -> list[tuple[AccountRef, str]]:
    """Who may own an aftercare action here (a role of ``Action.CASE_AFTERCARE``), by name."""
    people = {who for role in OWNER_ROLES for who in await identity.role_holders(session, tenant.id, role.value)}
    names = await services.account_names(session, tenant, list(people))
    return sorted(((who, names.get(who.id, str(who.id))) for who in people), key=lambda owner: owner[1])
