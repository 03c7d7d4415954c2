"""The moves of the complaint track after registration (DESIGN §7; seed-003 §4.4; anchors-next §2.3), each a
service call: admissibility, the defence, the hearings, the draft advice and its reply round, the advice, the
employer's decision, the notification, the objection, aftercare and closure; withdrawal until the advice,
suspension for mediation and resumption, extensions with a reason, and the accused's notice.

    registered ─▶ admissible ─▶ hearing ─▶ heard ─▶ [draft_advice] ─▶ advised ─▶ decided ─▶ notified
                  └─ (an investigation the chair commissions; the advice waits for it) ─┘
        │                                                                              ├─▶ objection ─┐
        └─▶ inadmissible ─▶ closed                                                     └─▶ aftercare ◀┘ ─▶ closed
    any state before the advice ─▶ withdrawn ─▶ closed
    any state before the advice ─▶ suspended ─▶ (the state it left, terms recomputed) | settled ─▶ closed
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from meldpunt.cases import follow_up
from meldpunt.cases import outcome as case_outcome
from meldpunt.cases import services as cases
from meldpunt.cases.models import ExclusionReason
from meldpunt.cases.outcome_schemas import ClosureIn as CaseClosureIn
from meldpunt.cases.parties import notice_letter
from meldpunt.catalogues import text
from meldpunt.complaints.errors import ComplaintRefused
from meldpunt.complaints.models import (
    BEFORE_ADVICE,
    UNFOUNDED,
    Complaint,
    ComplaintRecord,
    ComplaintStatus,
    InadmissibleReason,
    Outcome,
    RecordKind,
    SeatRole,
    move_complaint,
)
from meldpunt.complaints.schemas import (
    AdmissibilityIn,
    AdviceIn,
    AftercareIn,
    DecisionIn,
    ExtensionIn,
    HearingIn,
    NoticeIn,
    ObjectionIn,
    RecordIn,
    ResumptionIn,
    SuspensionIn,
    WithdrawalIn,
)
from meldpunt.complaints.services import (
    WITHDRAWS_FROM,
    At,
    _end_of,
    _now,
    acting,
    active_terms,
    add_content,
    add_facts,
    add_record,
    add_term,
    as_document,
    case_of,
    content_of,
    declared,
    end_track_terms,
    open_terms,
    record_act,
    records_of,
    seats_of,
    share_records,
    stop_investigations,
    term_days,
)
from meldpunt.dossiers.cipher import case_cipher
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.identity.models import AccountRef
from meldpunt.intake import services as intake
from meldpunt.intake.models import CaseStatus, DeadlineKind, may_move, move_case
from meldpunt.investigations import services as investigations
from meldpunt.investigations.models import Investigation, OnBehalfOf
from meldpunt.investigations.schemas import CommissionIn
from meldpunt.parties import services as parties
from meldpunt.parties.models import PartyRole
from meldpunt.parties.schemas import ShareIn
from meldpunt.retention.models import Trigger
from meldpunt.retention.services import record_case_event
from meldpunt.tenancy.terms import complaint_rules_of

CHAIR = (SeatRole.CHAIR,)
RUNS = (SeatRole.CHAIR, SeatRole.SECRETARY)  # who runs the procedure's practical steps
COMMITTEE_SEATS = (SeatRole.CHAIR, SeatRole.MEMBER, SeatRole.SECRETARY)
# seed-003 §4.5: what an unfounded complaint sets in motion, for the member's decision maker to carry out.
UNFOUNDED_DUTIES = (
    "minimal_communication",  # communication as limited as possible, the outcome agreed with those involved
    "reputation_restored",  # an internal message that the matter is closed and integrity established
    "career_neutral_record",  # written confirmation for the personnel file: unfounded, no measures
    "aftercare_complainant",
    "aftercare_accused",
    "no_reprisals",  # the complainant in good faith is not sanctioned (only for established bad faith)
)
NOTIFIED_MESSAGE = (
    "De klachtencommissie heeft uw klacht afgehandeld en de werkgever heeft een besluit genomen. U vindt het advies "
    "en het besluit in uw portaal of ontvangt ze schriftelijk."
)


# ---------------------------------------------------------------- admissibility and the defence


async def judge_admissibility(at: At, complaint_id: uuid.UUID, data: AdmissibilityIn) -> Complaint:
    """The declared chair, with at least one declared member beside them, judges admissibility: admissible (the
    accused's written defence is asked for within its term) or inadmissible with a reason of the closed list.
    The accused's one-month notice runs on in both cases."""
    complaint, _ = await acting(at, complaint_id, CHAIR)
    terms = active_terms(at.tenant)
    if complaint.status != ComplaintStatus.REGISTERED:
        raise ComplaintRefused("not-registered")
    if not declared(await seats_of(at.session, complaint), (SeatRole.MEMBER,)):
        raise ComplaintRefused("committee-incomplete")
    case = await case_of(at.session, at.tenant, complaint)
    await intake.meet_deadlines(at.session, case, DeadlineKind.COMPLAINT_ADMISSIBILITY)
    if data.admissible:
        if data.reason is not None:
            raise ComplaintRefused("reason-for-inadmissible")
        move_complaint(complaint, ComplaintStatus.ADMISSIBLE)
        add_facts(complaint, admissible_on=date.today().isoformat())
        if case.status == CaseStatus.ROUTED:
            move_case(case, CaseStatus.IN_PROGRESS)
        await add_term(
            at.session,
            case,
            complaint,
            DeadlineKind.COMPLAINT_DEFENCE,
            _now() + term_days(terms, "complaint_defence_days"),
        )
    else:
        reason = _inadmissible_reason(at, data)
        move_complaint(complaint, ComplaintStatus.INADMISSIBLE)
        complaint.inadmissible_reason = reason
        complaint.ended_at = _now()
        await end_track_terms(at.session, case, "inadmissible")
        if reason == InadmissibleReason.INTERNAL_ROUTE_FIRST:
            # The regulation asks for the internal route first: the case goes back to the reporting point to be
            # routed that way (the complaint itself ends here; the complainant may come back to the committee).
            await cases.hand_back(at.session, at.who, at.tenant, case)
    if data.note:
        add_content(
            await case_cipher(at.session, at.keyring, at.tenant.id, case.id), complaint, admissibility=data.note
        )
    await record_act(at, complaint, "admissibility", admissible=data.admissible, reason=data.reason)
    return complaint


def _inadmissible_reason(at: At, data: AdmissibilityIn) -> InadmissibleReason:
    if data.reason is None:
        raise ComplaintRefused("reason-missing")
    reason = InadmissibleReason(data.reason)
    # LKOG: "internal route first" is a configured rule of the regulation, never the committee's own invention.
    if (
        reason == InadmissibleReason.INTERNAL_ROUTE_FIRST
        and not complaint_rules_of(at.tenant.procedure).internal_route_first
    ):
        raise ComplaintRefused("no-internal-route-rule")
    return reason


async def add_to_dossier(at: At, store: ObjectStore, complaint_id: uuid.UUID, data: RecordIn) -> ComplaintRecord:
    """A declared committee seat adds to the dossier: the accused's written defence (which opens the hearings),
    evidence (both parties read it), a deliberation note (the committee only), or a party's reaction to their
    hearing record (which meets that reaction's term)."""
    complaint, _ = await acting(at, complaint_id, COMMITTEE_SEATS)
    kind = RecordKind(data.kind)
    if complaint.status not in BEFORE_ADVICE - {ComplaintStatus.REGISTERED} and kind != RecordKind.DELIBERATION:
        raise ComplaintRefused("dossier-closed")
    if kind == RecordKind.DEFENCE and complaint.status != ComplaintStatus.ADMISSIBLE:
        raise ComplaintRefused("defence-when-admissible")
    if kind == RecordKind.REACTION and data.party is None:
        raise ComplaintRefused("reaction-of-whom")
    row = await add_record(
        at, store, complaint, kind, data.text, party=data.party if kind == RecordKind.REACTION else None
    )
    if kind == RecordKind.DEFENCE:
        await _to_hearings(at, complaint, defence=True)
    if kind == RecordKind.REACTION:
        await _reacted(at, complaint, str(data.party))
    await record_act(at, complaint, "dossier_added", kind=kind, party=row.party)
    return row


async def _reacted(at: At, complaint: Complaint, party: str) -> None:
    """A party's reaction meets their hearing record's term; in a reply round, both parties' reactions meet the
    draft advice's term."""
    case = await case_of(at.session, at.tenant, complaint)
    for record in await records_of(at.session, complaint):
        if record.kind == RecordKind.HEARING_RECORD and record.party == party:
            await intake.meet_deadlines(at.session, case, DeadlineKind.COMPLAINT_RECORD_REPLY, record.id)
    if complaint.status == ComplaintStatus.DRAFT_ADVICE:
        reacted = sorted({*complaint.facts.get("draft_reactions", []), party})
        add_facts(complaint, draft_reactions=reacted)
        if reacted == ["accused", "complainant"]:
            await intake.meet_deadlines(at.session, case, DeadlineKind.COMPLAINT_DRAFT_REPLY)


async def _to_hearings(at: At, complaint: Complaint, *, defence: bool) -> None:
    terms = active_terms(at.tenant)
    case = await case_of(at.session, at.tenant, complaint)
    await intake.meet_deadlines(at.session, case, DeadlineKind.COMPLAINT_DEFENCE)
    move_complaint(complaint, ComplaintStatus.HEARING)
    add_facts(complaint, defence_received=defence)
    await add_term(
        at.session, case, complaint, DeadlineKind.COMPLAINT_HEARING, _now() + term_days(terms, "complaint_hearing_days")
    )


async def without_defence(at: At, complaint_id: uuid.UUID) -> Complaint:
    """The defence's term passed without one: the hearings go on (a missed term is recorded, never a bar)."""
    complaint, _ = await acting(at, complaint_id, RUNS)
    if complaint.status != ComplaintStatus.ADMISSIBLE:
        raise ComplaintRefused("defence-when-admissible")
    case = await case_of(at.session, at.tenant, complaint)
    open_defence = await open_terms(at.session, case, {DeadlineKind.COMPLAINT_DEFENCE})
    if any(deadline.due_at > _now() for deadline in open_defence):
        raise ComplaintRefused("defence-term-runs")
    await _to_hearings(at, complaint, defence=False)
    await record_act(at, complaint, "without_defence")
    return complaint


# ---------------------------------------------------------------- hearings


async def hear(at: At, store: ObjectStore, complaint_id: uuid.UUID, data: HearingIn) -> Complaint:
    """One side heard (together or separately; someone brought along recorded), or its refusal after an
    invitation recorded. A hearing record goes to that party, who may react within the term. Both sides heard
    or refused: the complaint is heard."""
    complaint, _ = await acting(at, complaint_id, RUNS)
    terms = active_terms(at.tenant)
    if complaint.status != ComplaintStatus.HEARING:
        raise ComplaintRefused("not-hearing")
    _check_hearing(data)
    hearings: dict[str, Any] = dict(complaint.facts.get("hearings", {}))
    if data.party in hearings:
        raise ComplaintRefused("already-heard")
    hearings[data.party] = {
        "mode": data.mode,
        "invited_on": data.invited_on.isoformat(),
        "held_on": data.held_on.isoformat() if data.held_on else None,
        "attendance": data.attendance,
        "brought_someone": data.brought_someone,
    }
    add_facts(complaint, hearings=hearings)
    case = await case_of(at.session, at.tenant, complaint)
    if data.record:
        row = await add_record(at, store, complaint, RecordKind.HEARING_RECORD, data.record, party=data.party)
        due = _now() + term_days(terms, "complaint_record_reply_days")
        await add_term(at.session, case, complaint, DeadlineKind.COMPLAINT_RECORD_REPLY, due, subject_id=row.id)
    if set(hearings) == {"complainant", "accused"}:
        move_complaint(complaint, ComplaintStatus.HEARD)
        await intake.meet_deadlines(at.session, case, DeadlineKind.COMPLAINT_HEARING)
    await record_act(at, complaint, "heard", party=data.party, mode=data.mode, attendance=data.attendance)
    return complaint


def _check_hearing(data: HearingIn) -> None:
    today = date.today()
    if data.invited_on > today or (data.held_on is not None and data.held_on > today):
        raise ComplaintRefused("hearing-in-future")
    if data.attendance == "attended" and (data.held_on is None or data.record is None):
        raise ComplaintRefused("hearing-record-missing")
    if data.held_on is not None and data.held_on < data.invited_on:
        raise ComplaintRefused("held-before-invited")
    if data.attendance == "refused" and data.record is not None:
        raise ComplaintRefused("refused-without-record")


# ---------------------------------------------------------------- an investigation the committee commissions

# Facts are investigated once the complaint is admissible and before the (draft) advice rests on them.
INVESTIGATES_IN = frozenset({ComplaintStatus.ADMISSIBLE, ComplaintStatus.HEARING, ComplaintStatus.HEARD})


async def commission_investigation(
    at: At, store: ObjectStore, complaint_id: uuid.UUID, data: CommissionIn
) -> Investigation:
    """The declared chair has facts investigated before the committee advises (issue 15; seed-000 H7): an
    investigation of the complaint's case on behalf of the committee (``investigations.services.commission``),
    with every rule of an investigation (its protocol, the Wpbr for fact-finding about persons, no person named
    in a culture or system investigation, the investigator's independence). The chair then controls it: its
    protocol, investigator, assignment, stop and adoption. The advice waits while it is open (``_may_advise``)."""
    complaint, _ = await acting(at, complaint_id, CHAIR)
    if complaint.status not in INVESTIGATES_IN:
        raise ComplaintRefused("not-investigable")
    case = await case_of(at.session, at.tenant, complaint)
    commissioner = investigations.Commissioner(at.who, OnBehalfOf.COMPLAINTS_COMMITTEE)
    investigation = await investigations.commission(
        follow_up.At(at.session, at.keyring, at.who, at.tenant, case.id), store, data, commissioner
    )
    add_facts(complaint, investigations=[*complaint.facts.get("investigations", []), str(investigation.id)])
    await record_act(at, complaint, "investigation_commissioned", kind=data.kind, investigation=str(investigation.id))
    return investigation


# ---------------------------------------------------------------- the advice


async def _may_advise(at: At, complaint: Complaint) -> None:
    """Both sides heard; the hearing records' reaction terms met or passed; an investigation of the case finished
    (``investigations/`` records its work as the case's ``follow_up`` deadlines, met at its adoption or stop;
    the chair commissions one with ``commission_investigation``); the reply round closed."""
    case = await case_of(at.session, at.tenant, complaint)
    waiting = await open_terms(
        at.session, case, {DeadlineKind.COMPLAINT_RECORD_REPLY, DeadlineKind.COMPLAINT_DRAFT_REPLY}
    )
    if any(deadline.due_at > _now() for deadline in waiting):
        raise ComplaintRefused("reactions-awaited")
    if await open_terms(at.session, case, {DeadlineKind.FOLLOW_UP}):
        raise ComplaintRefused("investigation-open")
    for deadline in waiting:  # passed without a reaction: recorded as such
        deadline.met_at, deadline.ended_by = _now(), "no_reaction"


async def draft_advice(at: At, store: ObjectStore, complaint_id: uuid.UUID, data: AdviceIn) -> ComplaintRecord:
    """Where the regulation provides a reply round on the draft advice (``complaint_draft_reply_days``), the
    chair sends the draft to both parties, who may react within that term."""
    complaint, _ = await acting(at, complaint_id, CHAIR)
    terms = active_terms(at.tenant)
    if terms.complaint_draft_reply_days is None:
        raise ComplaintRefused("no-reply-round")
    if complaint.status != ComplaintStatus.HEARD:
        raise ComplaintRefused("not-heard")
    await _may_advise(at, complaint)
    body = _advice_text(data)
    row = await add_record(at, store, complaint, RecordKind.DRAFT_ADVICE, body, facts={"outcome": data.outcome})
    move_complaint(complaint, ComplaintStatus.DRAFT_ADVICE)
    case = await case_of(at.session, at.tenant, complaint)
    due = _now() + term_days(terms, "complaint_draft_reply_days")
    await add_term(at.session, case, complaint, DeadlineKind.COMPLAINT_DRAFT_REPLY, due, subject_id=row.id)
    await record_act(at, complaint, "draft_advice", outcome=data.outcome)
    return row


def _advice_text(data: AdviceIn) -> str:
    measures = f"\n\nAanbevolen maatregelen:\n{data.measures}" if data.measures else ""
    return f"{data.text}{measures}"


async def advise(at: At, store: ObjectStore, complaint_id: uuid.UUID, data: AdviceIn) -> Complaint:
    """The committee's reasoned advice to the competent authority (well founded, partly, not well founded, not
    established; recommended measures). The complaint is judged: withdrawal ends here; the decision's term
    starts, for the member's decision maker, who now reads the dossier that the parties read."""
    complaint, _ = await acting(at, complaint_id, CHAIR)
    terms = active_terms(at.tenant)
    draft_round = terms.complaint_draft_reply_days is not None
    expected = ComplaintStatus.DRAFT_ADVICE if draft_round else ComplaintStatus.HEARD
    if complaint.status != expected:
        raise ComplaintRefused(
            "draft-first" if draft_round and complaint.status == ComplaintStatus.HEARD else "not-heard"
        )
    await _may_advise(at, complaint)
    await add_record(at, store, complaint, RecordKind.ADVICE, _advice_text(data), facts={"outcome": data.outcome})
    move_complaint(complaint, ComplaintStatus.ADVISED)
    complaint.advice_outcome = Outcome(data.outcome)
    add_facts(complaint, advised_on=date.today().isoformat(), measures_recommended=bool(data.measures))
    case = await case_of(at.session, at.tenant, complaint)
    if case.status == CaseStatus.IN_PROGRESS:
        move_case(case, CaseStatus.JUDGED)
    await intake.meet_deadlines(at.session, case, DeadlineKind.COMPLAINT_ADVICE)
    deciders = declared(await seats_of(at.session, complaint), (SeatRole.DECISION_MAKER,))
    responsible = (deciders[0].account_tenant_id, deciders[0].account_id) if deciders else None
    await add_term(
        at.session,
        case,
        complaint,
        DeadlineKind.COMPLAINT_DECISION,
        _now() + term_days(terms, "complaint_decision_days"),
        responsible=None if responsible is None else AccountRef(*responsible),
        role=SeatRole.DECISION_MAKER.value,
    )
    await record_act(at, complaint, "advised", outcome=data.outcome)
    return complaint


# ---------------------------------------------------------------- the employer's decision


async def decide(at: At, store: ObjectStore, complaint_id: uuid.UUID, data: DecisionIn) -> Complaint:
    """The member's competent authority decides on the advice within the term, with reasons when it departs
    from it. The accused's manager decides only beside an independent decision maker (``seat`` checked the
    escalation). An unfounded complaint sets seed-003 §4.5's duties in motion; the decision starts retention."""
    complaint, _ = await acting(at, complaint_id, (SeatRole.DECISION_MAKER,))
    if complaint.status != ComplaintStatus.ADVISED:
        raise ComplaintRefused("not-advised")
    case = await case_of(at.session, at.tenant, complaint)
    if (await cases.exclusions(at.session, case)).get(at.who) == ExclusionReason.ACCUSED_MANAGER:
        raise ComplaintRefused("independent-decides")  # seed-000 §2.6 D6: the independent one records it
    departs = not data.follows_advice or data.outcome != complaint.advice_outcome
    if departs and not (data.reasons and data.reasons.strip()):
        raise ComplaintRefused("reasons-for-departing")
    if data.measures_due_on is not None and data.measures_due_on < date.today():
        raise ComplaintRefused("measures-due-in-past")
    if data.measures and data.measures_due_on is None:
        raise ComplaintRefused("measures-term-missing")  # the decision states the term of its measures (Wkkgz)
    parts = [f"Besluit: {text('nl', f'complaint.outcome.{data.outcome}')}"]
    parts += [f"Motivering:\n{data.reasons}"] if data.reasons else []
    parts += [f"Maatregelen (uiterlijk {data.measures_due_on:%d-%m-%Y}):\n{data.measures}"] if data.measures else []
    await add_record(at, store, complaint, RecordKind.DECISION, "\n\n".join(parts), facts={"outcome": data.outcome})
    move_complaint(complaint, ComplaintStatus.DECIDED)
    complaint.decision_outcome = Outcome(data.outcome)
    add_facts(complaint, decided_on=date.today().isoformat(), departs_from_advice=departs)
    await intake.meet_deadlines(at.session, case, DeadlineKind.COMPLAINT_DECISION)
    if complaint.decision_outcome in UNFOUNDED:
        await _unfounded_duties(at, complaint)
    await record_case_event(at.session, cases.actor_of(at.who), at.tenant.id, case.id, Trigger.DECISION_TAKEN, _now())
    await record_act(at, complaint, "decided", outcome=data.outcome, departs=departs)
    return complaint


async def _unfounded_duties(at: At, complaint: Complaint) -> None:
    """seed-003 §4.5: each duty an aftercare deadline of the case (it outlives closure) for the decision maker;
    the career-neutral record and the restored reputation are recorded facts the closure checks."""
    case = await case_of(at.session, at.tenant, complaint)
    due = _now() + timedelta(days=28)
    for _duty in UNFOUNDED_DUTIES:
        intake.add_deadline(
            at.session,
            case,
            DeadlineKind.AFTERCARE,
            due,
            SeatRole.DECISION_MAKER.value,
            complaint.id,
            responsible=at.who,
        )
    add_facts(complaint, unfounded_duties=list(UNFOUNDED_DUTIES))


async def notify(at: At, complaint_id: uuid.UUID) -> Complaint:
    """Both parties are told in writing: the advice and the decision are in their portal (shared when made),
    the complainant also hears it in the receipt inbox, in procedure words only. The objection's term starts
    where the regulation provides one."""
    complaint, _ = await acting(at, complaint_id, RUNS)
    if complaint.status != ComplaintStatus.DECIDED:
        raise ComplaintRefused("not-decided")
    case = await case_of(at.session, at.tenant, complaint)
    await share_records(at, complaint)
    if case.receipt_hash is not None:
        await intake.add_message(at.session, at.keyring, at.tenant, case, f"account:{at.who.id}", NOTIFIED_MESSAGE)
    move_complaint(complaint, ComplaintStatus.NOTIFIED)
    add_facts(complaint, notified_on=date.today().isoformat())
    days = active_terms(at.tenant).complaint_objection_days
    if days is not None:
        await add_term(at.session, case, complaint, DeadlineKind.COMPLAINT_OBJECTION, _now() + timedelta(days=days))
    await record_act(at, complaint, "notified", objection_term=days is not None)
    return complaint


# ---------------------------------------------------------------- objection, aftercare, closure


async def objection(at: At, complaint_id: uuid.UUID, data: ObjectionIn) -> Complaint:
    """Where the regulation provides an objection: lodged by a party (the objection is then heard outside this
    track and its outcome recorded with the aftercare), or the term passed / waived."""
    complaint, _ = await acting(at, complaint_id, RUNS)
    if complaint.status != ComplaintStatus.NOTIFIED:
        raise ComplaintRefused("not-notified")
    if active_terms(at.tenant).complaint_objection_days is None:
        raise ComplaintRefused("no-objection-in-regulation")
    if data.lodged and data.party is None:
        raise ComplaintRefused("objection-by-whom")
    case = await case_of(at.session, at.tenant, complaint)
    await intake.meet_deadlines(at.session, case, DeadlineKind.COMPLAINT_OBJECTION)
    add_facts(complaint, objection={"lodged": data.lodged, "party": data.party, "on": date.today().isoformat()})
    if data.lodged:
        move_complaint(complaint, ComplaintStatus.OBJECTION)
    await record_act(at, complaint, "objection", lodged=data.lodged)
    return complaint


async def plan_aftercare(at: At, complaint_id: uuid.UUID, data: AftercareIn) -> Complaint:
    """Aftercare for both parties (seed-003 §5.4), each an aftercare deadline that outlives closure."""
    complaint, _ = await acting(at, complaint_id, RUNS)
    if complaint.status not in (ComplaintStatus.NOTIFIED, ComplaintStatus.OBJECTION):
        raise ComplaintRefused("not-notified")
    if data.due_on < date.today():
        raise ComplaintRefused("aftercare-due-in-past")
    case = await case_of(at.session, at.tenant, complaint)
    open_objection = await open_terms(at.session, case, {DeadlineKind.COMPLAINT_OBJECTION})
    if any(deadline.due_at > _now() for deadline in open_objection) and complaint.status == ComplaintStatus.NOTIFIED:
        raise ComplaintRefused("objection-term-runs")
    for deadline in open_objection:
        deadline.met_at, deadline.ended_by = _now(), "no_objection"
    cipher = await case_cipher(at.session, at.keyring, at.tenant.id, case.id)
    add_content(cipher, complaint, aftercare={"complainant": data.for_complainant, "accused": data.for_accused})
    for side in ("complainant", "accused"):
        intake.add_deadline(
            at.session,
            case,
            DeadlineKind.AFTERCARE,
            _end_of(data.due_on),
            "committee_secretary",
            complaint.id,
            responsible=at.who,
        )
        add_facts(complaint, **{f"aftercare_{side}": data.due_on.isoformat()})
    move_complaint(complaint, ComplaintStatus.AFTERCARE)
    await record_act(at, complaint, "aftercare_planned")
    return complaint


CLOSES_FROM = frozenset(
    {ComplaintStatus.AFTERCARE, ComplaintStatus.INADMISSIBLE, ComplaintStatus.WITHDRAWN, ComplaintStatus.SETTLED}
)


async def close(at: At, complaint_id: uuid.UUID, reason: str) -> Complaint:
    """The secretary closes the complaint and its case through the case's one closure
    (``cases.outcome.close_case``: refused while a mandatory term is open, the accused's notice among them;
    it starts retention and ends the parties' access). Aftercare outlives it."""
    complaint, _ = await acting(at, complaint_id, (SeatRole.SECRETARY,))
    if complaint.status not in CLOSES_FROM:
        raise ComplaintRefused("not-closable")
    # The committee closes as the route's owner; the case's closure checks what is still open. A case handed back
    # for the internal route first is that route's now: only the complaint closes.
    if complaint.inadmissible_reason != InadmissibleReason.INTERNAL_ROUTE_FIRST:
        await case_outcome.close_case(
            at.session,
            at.keyring,
            at.who,
            at.tenant,
            complaint.case_id,
            CaseClosureIn(reason=reason),
            reporting_point=True,
        )
    move_complaint(complaint, ComplaintStatus.CLOSED)
    complaint.ended_at = complaint.ended_at or _now()
    await record_act(at, complaint, "closed")
    return complaint


# ---------------------------------------------------------------- withdrawal, mediation, extensions


async def withdraw(at: At, complaint_id: uuid.UUID, data: WithdrawalIn) -> Complaint:
    """The complainant's written withdrawal, until the advice (recorded by the secretary; through the receipt
    inbox the case follows by itself). The track's terms end; the accused's notice does not."""
    complaint, _ = await acting(at, complaint_id, RUNS)
    if complaint.status not in WITHDRAWS_FROM:
        raise ComplaintRefused("withdraw-until-advice")
    if data.withdrawn_on > date.today():
        raise ComplaintRefused("withdrawn-in-future")
    case = await case_of(at.session, at.tenant, complaint)
    move_complaint(complaint, ComplaintStatus.WITHDRAWN)
    if may_move(case, CaseStatus.WITHDRAWN):
        move_case(case, CaseStatus.WITHDRAWN)
    complaint.ended_at = _now()
    add_facts(complaint, withdrawn_on=data.withdrawn_on.isoformat(), withdrawn_through="in_writing")
    await end_track_terms(at.session, case, "withdrawn")
    await stop_investigations(at, complaint, case, "complaint_withdrawn")
    await record_act(at, complaint, "withdrawn")
    return complaint


async def suspend(at: At, complaint_id: uuid.UUID, data: SuspensionIn) -> Complaint:
    """The committee proposes mediation and suspends, with both parties' consent: its open terms pause (what is
    left of each is kept); the accused's notice never pauses."""
    complaint, _ = await acting(at, complaint_id, CHAIR)
    if complaint.status not in BEFORE_ADVICE:
        raise ComplaintRefused("suspend-until-advice")
    if max(data.complainant_consented_on, data.accused_consented_on) > date.today():
        raise ComplaintRefused("consent-in-future")
    case = await case_of(at.session, at.tenant, complaint)
    now = _now()
    paused = []
    for deadline in await open_terms(at.session, case):
        left = max(0, int((deadline.due_at - now).total_seconds()))
        paused.append({"kind": deadline.kind.value, "subject": str(deadline.subject_id), "seconds": left})
        deadline.met_at, deadline.ended_by = now, "suspended"
    suspended_in = complaint.status.value
    move_complaint(complaint, ComplaintStatus.SUSPENDED)
    add_facts(complaint, suspended_in=suspended_in, paused=paused, suspended_on=date.today().isoformat())
    await record_act(at, complaint, "suspended", paused=len(paused))
    return complaint


async def resume(at: At, store: ObjectStore, complaint_id: uuid.UUID, data: ResumptionIn) -> Complaint:
    """After mediation: settled (only the agreement is kept, for both parties) or resumed where it stopped, each
    paused term recomputed from today with what was left of it. A failed mediation is recorded as a fact only."""
    complaint, _ = await acting(at, complaint_id, CHAIR)
    if complaint.status != ComplaintStatus.SUSPENDED:
        raise ComplaintRefused("not-suspended")
    if data.settled and not data.agreement:
        raise ComplaintRefused("agreement-missing")
    if not data.settled and data.agreement:
        raise ComplaintRefused("no-mediation-content")
    case = await case_of(at.session, at.tenant, complaint)
    if data.settled:
        assert data.agreement is not None
        await add_record(at, store, complaint, RecordKind.MEDIATION_AGREEMENT, data.agreement)
        move_complaint(complaint, ComplaintStatus.SETTLED)
        complaint.ended_at = _now()
        await stop_investigations(at, complaint, case, "complaint_settled")
    else:
        move_complaint(complaint, ComplaintStatus(complaint.facts["suspended_in"]))
        for term in complaint.facts.get("paused", []):
            subject = uuid.UUID(term["subject"]) if term["subject"] != "None" else None
            due = _now() + timedelta(seconds=term["seconds"])
            await add_term(at.session, case, complaint, DeadlineKind(term["kind"]), due, subject_id=subject)
    add_facts(complaint, mediation="settled" if data.settled else "no_result", resumed_on=date.today().isoformat())
    await record_act(at, complaint, "resumed", settled=data.settled)
    return complaint


async def extend(at: At, complaint_id: uuid.UUID, data: ExtensionIn) -> Complaint:
    """The chair extends an open term of the track, with a reason (sealed; the count and days are facts)."""
    complaint, _ = await acting(at, complaint_id, CHAIR)
    case = await case_of(at.session, at.tenant, complaint)
    open_now = await open_terms(at.session, case, {DeadlineKind(data.term)})
    if not open_now:
        raise ComplaintRefused("term-not-open")
    for deadline in open_now:
        deadline.due_at += timedelta(days=data.days)
        deadline.breach_reported_at = None
    cipher = await case_cipher(at.session, at.keyring, at.tenant.id, case.id)
    extensions = [*content_of(cipher, complaint).get("extensions", []), {"term": data.term, "reason": data.reason}]
    add_content(cipher, complaint, extensions=extensions)
    add_facts(complaint, extensions=int(complaint.facts.get("extensions", 0)) + 1)
    await record_act(at, complaint, "extended", term=data.term, days=data.days)
    return complaint


async def send_notice(at: At, store: ObjectStore, complaint_id: uuid.UUID, data: NoticeIn) -> uuid.UUID:
    """The accused's written notice (AVG art. 14), the secretary's for a complaint: in any state, also when the
    complaint is inadmissible, withdrawn or suspended for mediation. The letter is a document of the case shared
    with that accused; the deadline is met."""
    complaint, _ = await acting(at, complaint_id, (SeatRole.SECRETARY,))
    case = await case_of(at.session, at.tenant, complaint)
    accused = next(
        (
            p
            for p in await parties.parties_of(at.session, at.keyring, at.tenant, case.id)
            if p.party.id == data.party_id
        ),
        None,
    )
    if accused is None or accused.party.role != PartyRole.ACCUSED:
        raise ComplaintRefused("notice-to-accused")
    letter = notice_letter(
        data.language,
        organisation=at.tenant.display_name,
        name=accused.name,
        received=case.created_at.strftime("%d-%m-%Y"),
        category=text(data.language, f"public.option.category.{case.category}"),
        source=None,
    )
    title = text(data.language, "case.notice.title")
    document_id = await as_document(at, store, complaint, RecordKind.EVIDENCE, letter, title)
    await parties.share(
        at.session, at.who, at.tenant, case.id, ShareIn(document_id=document_id, party_id=data.party_id)
    )
    await intake.meet_deadlines(at.session, case, DeadlineKind.INFORM_ACCUSED)
    add_facts(complaint, accused_informed_on=date.today().isoformat())
    await record_act(at, complaint, "accused_informed")
    return document_id
