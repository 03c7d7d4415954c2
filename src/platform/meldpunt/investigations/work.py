"""An investigation carried out (seed-000 §2.4 steps 4–5, principle D *hoor en wederhoor*): the investigator
schedules the interviews (the interviewee told they may bring someone, the firm's Wpbr licence checked
before each), records each and shares the record with the interviewee through the party portal for approval
or comment; only an answered record counts. The draft report goes to the parties for their written reaction
within a term (extendable on request, with a reason); each reaction is incorporated or annexed; an essential
change repeats the round; then the final report, and the panel's adoption, which tells every party in
writing and meets the investigation's FOLLOW_UP deadline so the case's decision follows."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any, TypeVar

import msgspec
from sqlalchemy import select

from meldpunt.cases import services as cases
from meldpunt.cases.follow_up import At
from meldpunt.dossiers.cipher import case_cipher
from meldpunt.dossiers.documents import RecordClass, open_document
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.intake import services as intake
from meldpunt.intake.models import Case, Deadline, DeadlineKind
from meldpunt.investigations import services as s
from meldpunt.investigations.errors import InvestigationNotFound, InvestigationRefused, InvestigatorRefused
from meldpunt.investigations.models import (
    InterviewStatus,
    Investigation,
    InvestigationInterview,
    InvestigationReaction,
    InvestigationStatus,
    ReactionHandling,
    move_investigation,
)
from meldpunt.investigations.schemas import (
    AdoptionIn,
    DraftIn,
    ExtensionIn,
    FinalIn,
    HandlingIn,
    InterviewIn,
    RecordIn,
    ReuseIn,
)
from meldpunt.parties import services as parties
from meldpunt.parties.schemas import ShareIn

Row = TypeVar("Row", InvestigationInterview, InvestigationReaction)
FIELDWORK = frozenset({InvestigationStatus.UNDER_WAY, InvestigationStatus.DRAFT})


# ---------------------------------------------------------------- interviews


async def schedule_interview(at: At, investigation_id: uuid.UUID, data: InterviewIn) -> InvestigationInterview:
    """An interview with a party of the case, once the protocol is agreed; the interviewee was told they may
    bring someone; an external firm's licence must hold on the day."""
    case, investigation, seat = await s.investigating(at, investigation_id)
    if investigation.status not in FIELDWORK:
        raise InvestigationRefused("not-under-way")
    await s.party_of(at.session, case, data.party_id)
    if data.scheduled_at.tzinfo is None or data.scheduled_at < s.now():
        raise InvestigationRefused("interview-in-past")
    if data.scheduled_at > s.now() + timedelta(days=366):
        raise InvestigationRefused("interview-too-far")  # investigations must not take months (seed-000 §2.4 F)
    if data.companion_told_on > date.today():
        raise InvestigationRefused("told-in-future")
    if not s.licence_holds(investigation, seat, data.scheduled_at.date()):
        raise InvestigatorRefused("licence-expired")
    interview = InvestigationInterview(
        tenant_id=at.tenant.id,
        id=uuid.uuid4(),
        case_id=case.id,
        investigation_id=investigation.id,
        party_id=data.party_id,
        status=InterviewStatus.SCHEDULED,
        scheduled_at=data.scheduled_at,
        companion_told_on=data.companion_told_on,
    )
    at.session.add(interview)
    await at.session.flush()
    await s.record(at.session, at.who, case, "interview_scheduled", kind=investigation.kind)
    return interview


async def _interview(at: At, investigation: Investigation, interview_id: uuid.UUID) -> InvestigationInterview:
    """An interview of this case (of this investigation or another one of the case), locked."""
    of_case = InvestigationInterview.case_id == investigation.case_id
    return await _locked(at, InvestigationInterview, of_case, interview_id)


async def _locked(at: At, model: type[Row], scope: Any, row_id: uuid.UUID) -> Row:
    """A row of ``model`` in the acting tenant, within ``scope``, locked; else not found."""
    query = select(model).where(model.tenant_id == at.tenant.id, scope, model.id == row_id)
    found = (await at.session.execute(query.with_for_update())).scalar()
    if found is None:
        raise InvestigationNotFound()
    return found


async def record_interview(
    at: At, store: ObjectStore, investigation_id: uuid.UUID, interview_id: uuid.UUID, data: RecordIn
) -> InvestigationInterview:
    """The interview was held: its record is a document of the dossier, shared with the interviewee through the
    party portal for approval or comment by ``respond_by``. A culture or system record names nobody."""
    case, investigation, seat = await s.investigating(at, investigation_id)
    interview = await _interview(at, investigation, interview_id)
    if interview.investigation_id != investigation.id:
        raise InvestigationNotFound()
    if interview.status != InterviewStatus.SCHEDULED:
        raise InvestigationRefused("interview-recorded")
    if data.held_on > date.today() or data.held_on < interview.companion_told_on:
        raise InvestigationRefused("held-on")
    if data.respond_by < date.today():
        raise InvestigationRefused("term-in-past")
    if not s.licence_holds(investigation, seat, data.held_on):
        raise InvestigatorRefused("licence-expired")
    await s.no_person_named(at, case, investigation, [data.record])
    document = await s.store_text(at, store, case, RecordClass.INTERVIEW_RECORD, "Gespreksverslag", data.record)
    share = ShareIn(document_id=document, party_id=interview.party_id, for_approval=True, respond_by=data.respond_by)
    shared = await parties.share(at.session, at.who, at.tenant, case.id, share)
    interview.status, interview.held_on = InterviewStatus.SHARED, data.held_on
    interview.document_id, interview.share_id = document, shared.id
    await s.record(at.session, at.who, case, "interview_recorded", kind=investigation.kind)
    return interview


async def cancel_interview(at: At, investigation_id: uuid.UUID, interview_id: uuid.UUID) -> InvestigationInterview:
    case, investigation, _ = await s.investigating(at, investigation_id)
    interview = await _interview(at, investigation, interview_id)
    if interview.investigation_id != investigation.id:
        raise InvestigationNotFound()
    if interview.status != InterviewStatus.SCHEDULED:
        raise InvestigationRefused("interview-recorded")
    interview.status = InterviewStatus.CANCELLED
    await s.record(at.session, at.who, case, "interview_cancelled")
    return interview


async def decide_reuse(at: At, investigation_id: uuid.UUID, data: ReuseIn) -> Investigation:
    """The panel decides, with reasons, that a statement gathered in another investigation of the case may be
    used in this one (seed-000 H6 Stap 3: "niet zomaar gebruikt … voor een opvolgend ander onderzoek")."""
    case, cipher, investigation = await s.controlling(at, investigation_id)
    interview = await _interview(at, investigation, data.interview_id)
    if interview.investigation_id == investigation.id:
        raise InvestigationRefused("reuse-same")
    reasons = {**s.content(cipher, investigation).get("reuse_reasons", {}), str(interview.id): data.reasons}
    s.add_content(cipher, investigation, reuse_reasons=reasons)
    s.add_facts(investigation, reused=sorted({*investigation.facts.get("reused", []), str(interview.id)}))
    await s.record(at.session, at.who, case, "reuse_decided")
    return investigation


async def read_record(
    at: At, store: ObjectStore, investigation_id: uuid.UUID, interview_id: uuid.UUID
) -> tuple[str, str | None]:
    """An interview record for the investigator: of their own investigation, or of another one of the case
    only after the panel's recorded decision. The read is audited."""
    case, investigation, _ = await s.investigating(at, investigation_id)
    interview = await _interview(at, investigation, interview_id)
    own = interview.investigation_id == investigation.id
    if not own and str(interview.id) not in investigation.facts.get("reused", []):
        raise InvestigationRefused("reuse-needs-decision")
    if interview.document_id is None or interview.share_id is None:
        raise InvestigationRefused("no-record")
    opened = await open_document(
        at.session, at.keyring, store, cases.actor_of(at.who), at.tenant.id, interview.document_id
    )
    text = b"".join([chunk async for chunk in opened.content]).decode()
    answers = await s.answers_to(at.session, at.tenant, [interview.share_id])
    await s.record(at.session, at.who, case, "record_read", reused=not own)
    return text, answers.get(interview.share_id)


async def reused_records(at: At, investigation: Investigation) -> list[InvestigationInterview]:
    """The interviews of other investigations of the case whose records the panel decided may be used in this
    one (``decide_reuse``): what the investigator may read back with ``read_record``. Process facts only."""
    ids = [uuid.UUID(i) for i in investigation.facts.get("reused", [])]
    if not ids:
        return []
    rows = await at.session.execute(
        select(InvestigationInterview)
        .where(
            InvestigationInterview.tenant_id == at.tenant.id,
            InvestigationInterview.case_id == investigation.case_id,
            InvestigationInterview.id.in_(ids),
        )
        .order_by(InvestigationInterview.scheduled_at)
    )
    return list(rows.scalars())


# ---------------------------------------------------------------- the draft report and the reactions


async def _reactions(at: At, investigation: Investigation, round_: int | None = None) -> list[InvestigationReaction]:
    query = select(InvestigationReaction).where(
        InvestigationReaction.tenant_id == at.tenant.id, InvestigationReaction.investigation_id == investigation.id
    )
    if round_ is not None:
        query = query.where(InvestigationReaction.round == round_)
    return list((await at.session.execute(query)).scalars())


async def _ready_for_draft(at: At, case: Case, investigation: Investigation, data: DraftIn) -> None:
    """Every held interview's record answered; for a fact-finding every person it is about heard and among the
    recipients; the round repeated only after an essential change, once the earlier reactions are handled."""
    if investigation.status == InvestigationStatus.DRAFT and not data.essential_change:
        raise InvestigationRefused("round-open")
    if investigation.status not in FIELDWORK:
        raise InvestigationRefused("not-under-way")
    if data.respond_by < date.today():
        raise InvestigationRefused("term-in-past")
    if any(r.handling is None for r in await _reactions(at, investigation)):
        raise InvestigationRefused("reactions-open")
    interviews = await s.interviews_of(at.session, investigation)
    answers = await s.answers_to(at.session, at.tenant, [i.share_id for i in interviews if i.share_id])
    if any(i.status != InterviewStatus.CANCELLED and not s.interview_counted(i, answers) for i in interviews):
        raise InvestigationRefused("records-unanswered")
    heard = {str(i.party_id) for i in interviews if s.interview_counted(i, answers)}
    subjects = set(investigation.facts.get("subjects", []))
    if not subjects <= heard:
        raise InvestigationRefused("subject-not-heard")  # hoor en wederhoor
    if not subjects <= {str(p) for p in data.to}:
        raise InvestigationRefused("subject-not-told")
    for party in data.to:
        await s.party_of(at.session, case, party)


def _report_text(data: DraftIn | FinalIn, title: str) -> str:
    fields = {k: v for k, v in msgspec.structs.asdict(data).items() if isinstance(v, str)}
    return title + "\n\n" + "\n\n".join(f"{name}:\n{text}" for name, text in fields.items()) + "\n"


async def share_draft(at: At, store: ObjectStore, investigation_id: uuid.UUID, data: DraftIn) -> Investigation:
    """The draft report (approach and question, how the information was obtained, the functionaries involved,
    findings, draft conclusions and recommendations) to each party for their written reaction by the term;
    each reaction is a deadline the investigator answers for. A later round only after an essential change."""
    case, investigation, _ = await s.investigating(at, investigation_id)
    await _ready_for_draft(at, case, investigation, data)
    texts = [v for v in msgspec.structs.astuple(data) if isinstance(v, str)]
    await s.no_person_named(at, case, investigation, texts)
    move_investigation(investigation, InvestigationStatus.DRAFT)
    investigation.round += 1
    title = f"Conceptrapport ronde {investigation.round}"
    document = await s.store_text(at, store, case, RecordClass.INVESTIGATION_REPORT, title, _report_text(data, title))
    s.add_document(investigation, "draft_report", document, round=investigation.round)
    for party in dict.fromkeys(data.to):
        share = ShareIn(document_id=document, party_id=party, for_approval=True, respond_by=data.respond_by)
        shared = await parties.share(at.session, at.who, at.tenant, case.id, share)
        deadline = intake.add_deadline(
            at.session,
            case,
            DeadlineKind.FOLLOW_UP,
            s.end_of(data.respond_by),
            "investigator",
            investigation.id,
            responsible=at.who,
        )
        at.session.add(
            InvestigationReaction(
                tenant_id=at.tenant.id,
                id=uuid.uuid4(),
                case_id=case.id,
                investigation_id=investigation.id,
                party_id=party,
                round=investigation.round,
                share_id=shared.id,
                deadline_id=deadline.id,
                respond_by=data.respond_by,
            )
        )
    if investigation.round == 1:
        await s.meet_stage(at.session, investigation, "draft")
        s.add_stage(at, case, investigation, "final", at.who)
    await at.session.flush()
    await s.record(at.session, at.who, case, "draft_shared", round=investigation.round, parties=len(set(data.to)))
    return investigation


async def _reaction(at: At, investigation: Investigation, reaction_id: uuid.UUID) -> InvestigationReaction:
    of_investigation = InvestigationReaction.investigation_id == investigation.id
    return await _locked(at, InvestigationReaction, of_investigation, reaction_id)


async def extend_term(
    at: At, investigation_id: uuid.UUID, reaction_id: uuid.UUID, data: ExtensionIn
) -> InvestigationReaction:
    """A party asked for more time to react to the draft: a later date, with the reason (seed-000 §2.4 D,
    "extendable on request"); the portal and the deadline follow."""
    case, investigation, _ = await s.investigating(at, investigation_id)
    reaction = await _reaction(at, investigation, reaction_id)
    if reaction.handling is not None:
        raise InvestigationRefused("reaction-handled")
    if data.respond_by <= reaction.respond_by:
        raise InvestigationRefused("extension-not-later")
    await parties.extend_respond_by(at.session, at.who, at.tenant, case.id, reaction.share_id, data.respond_by)
    cipher = await case_cipher(at.session, at.keyring, at.tenant.id, case.id)
    opened = (
        cipher.open_value(reaction.sealed_extension_reasons, list, s.PURPOSE, reaction.id)
        if reaction.sealed_extension_reasons
        else []
    )
    reaction.sealed_extension_reasons = cipher.seal_value([*opened, data.reason], s.PURPOSE, reaction.id)
    reaction.respond_by, reaction.extensions = data.respond_by, reaction.extensions + 1
    deadline = await at.session.get(Deadline, (at.tenant.id, reaction.deadline_id))
    if deadline is not None and deadline.met_at is None:
        deadline.due_at, deadline.breach_reported_at = s.end_of(data.respond_by), None
    await s.record(at.session, at.who, case, "term_extended", round=reaction.round)
    return reaction


async def handle_reaction(
    at: At, store: ObjectStore, investigation_id: uuid.UUID, reaction_id: uuid.UUID, data: HandlingIn
) -> InvestigationReaction:
    """What the investigator did with a party's reaction: incorporated or annexed (the reaction kept as a
    document of the dossier), or none given once the term has passed."""
    case, investigation, _ = await s.investigating(at, investigation_id)
    reaction = await _reaction(at, investigation, reaction_id)
    if reaction.handling is not None:
        raise InvestigationRefused("reaction-handled")
    handling = ReactionHandling(data.handling)
    answers = await parties.responses_to(at.session, at.keyring, at.tenant, case.id, reaction.share_id)
    if handling == ReactionHandling.NONE_GIVEN and (answers or reaction.respond_by >= date.today()):
        raise InvestigationRefused("reaction-term-open")
    if handling != ReactionHandling.NONE_GIVEN and not answers:
        raise InvestigationRefused("no-reaction")
    if answers:
        response, comment = answers[-1]
        text = comment or str(response.verdict)
        title = f"Reactie op conceptrapport ronde {reaction.round}"
        reaction.document_id = await s.store_text(at, store, case, RecordClass.INVESTIGATION_REACTION, title, text)
    reaction.handling, reaction.handled_at = handling, s.now()
    deadline = await at.session.get(Deadline, (at.tenant.id, reaction.deadline_id))
    if deadline is not None and deadline.met_at is None:
        deadline.met_at = s.now()
    await s.record(at.session, at.who, case, "reaction_handled", handling=handling, round=reaction.round)
    return reaction


async def finalise(at: At, store: ObjectStore, investigation_id: uuid.UUID, data: FinalIn) -> Investigation:
    """The final report, once every reaction of every round is incorporated, annexed or its term passed."""
    case, investigation, _ = await s.investigating(at, investigation_id)
    if investigation.status != InvestigationStatus.DRAFT:
        raise InvestigationRefused("no-draft")
    if any(r.handling is None for r in await _reactions(at, investigation)):
        raise InvestigationRefused("reactions-open")
    await s.no_person_named(at, case, investigation, [v for v in msgspec.structs.astuple(data) if isinstance(v, str)])
    document = await s.store_text(
        at, store, case, RecordClass.INVESTIGATION_REPORT, "Eindrapport", _report_text(data, "Eindrapport")
    )
    s.add_document(investigation, "final_report", document)
    move_investigation(investigation, InvestigationStatus.FINAL)
    s.add_facts(investigation, final_on=date.today().isoformat())
    await s.meet_stage(at.session, investigation, "final")
    await s.record(at.session, at.who, case, "finalised", rounds=investigation.round)
    return investigation


# ---------------------------------------------------------------- adoption (the panel)


async def _betrokkenen(at: At, investigation: Investigation) -> set[uuid.UUID]:
    """Every party who took part: the persons it is about, the interviewees, who reacted to a draft."""
    interviews = await s.interviews_of(at.session, investigation)
    return (
        {uuid.UUID(p) for p in investigation.facts.get("subjects", [])}
        | {i.party_id for i in interviews if i.status != InterviewStatus.CANCELLED}
        | {r.party_id for r in await _reactions(at, investigation)}
    )


async def adopt(at: At, store: ObjectStore, investigation_id: uuid.UUID, data: AdoptionIn) -> Investigation:
    """The panel decides whether it adopts the conclusions and the recommendations, with its reasons, who is
    told and how; every party who took part is told the outcome in writing (the letter kept as a document and,
    for the portal, shared there). A culture or system report goes out as the panel distributes it. The
    investigation's deadlines are met; the case's decision (``cases.outcome.decide``) follows."""
    case, cipher, investigation = await s.controlling(at, investigation_id)
    if investigation.status != InvestigationStatus.FINAL:
        raise InvestigationRefused("no-final-report")
    if not investigation.kind.about_persons and not data.distribution:
        raise InvestigationRefused("distribution-missing")
    told = {t.party_id: t.channel for t in data.told}
    for party in told:
        await s.party_of(at.session, case, party)
    if not await _betrokkenen(at, investigation) <= set(told):
        raise InvestigationRefused("party-not-told")
    await s.no_person_named(at, case, investigation, [data.reasons, data.outcome_letter])
    letter = await s.store_text(
        at, store, case, RecordClass.INVESTIGATION_REPORT, "Uitkomst van het onderzoek", data.outcome_letter
    )
    for party, channel in told.items():
        if channel == "portal":
            await parties.share(at.session, at.who, at.tenant, case.id, ShareIn(document_id=letter, party_id=party))
    s.add_document(investigation, "outcome_letter", letter)
    s.add_content(cipher, investigation, adoption_reasons=data.reasons, outcome_letter=data.outcome_letter)
    s.add_facts(
        investigation,
        conclusions_adopted=data.conclusions_adopted,
        recommendations_adopted=data.recommendations_adopted,
        told=[{"party_id": str(p), "channel": c} for p, c in told.items()],
        distribution=list(data.distribution or ()),
        adopted_on=date.today().isoformat(),
    )
    move_investigation(investigation, InvestigationStatus.ADOPTED)
    await s.end(at, case, investigation)
    await s.record(at.session, at.who, case, "adopted", conclusions=data.conclusions_adopted, told=len(told))
    return investigation
