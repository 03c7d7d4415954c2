"""Investigations commissioned by the panel (seed-000 §2.4 *Stappenplan onderzoek* and principles A–G, §3.2;
DESIGN §7 "Phase 2"): every move is one service call that checks its rule, writes the change, an audit entry
(no content words) and its deadline. Interviews, reports and adoption are in ``work.py``.

Who sees what: the declared decision maker of the case's panel commissions, changes the assignment, seats
the investigator, stops and adopts, and reads everything; an investigation the complaints committee commissioned
(``complaints.procedure.commission_investigation``, on behalf of ``OnBehalfOf.COMPLAINTS_COMMITTEE``) is
controlled the same way by the chair who commissioned it (``controlling``); the investigator sits at that one
investigation for a time, declares their independence in writing first, and reads the assignment and the
parties it needs (each read audited); the process guardian sees stages, dates and deadlines (``process``), never
content."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit import services as audit
from meldpunt.cases import follow_up
from meldpunt.cases import services as cases
from meldpunt.cases.follow_up import At
from meldpunt.cases.models import Involvement, PanelRole
from meldpunt.cases.schemas import DeclarationIn
from meldpunt.dossiers.cipher import CaseCipher, case_cipher
from meldpunt.dossiers.documents import DocumentMeta, RecordClass, store_document
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.identity import services as identity
from meldpunt.identity.models import AccountRef
from meldpunt.identity.roles import Role
from meldpunt.intake import services as intake
from meldpunt.intake.models import Case, CaseStatus, Deadline, DeadlineKind, move_case
from meldpunt.investigations.errors import (
    DeclareIndependenceFirst,
    InvestigationNotChosen,
    InvestigationNotFound,
    InvestigationRefused,
    InvestigatorRefused,
    NotCommissioner,
    NotInvestigator,
)
from meldpunt.investigations.models import (
    ENDED,
    InterviewStatus,
    Investigation,
    InvestigationInterview,
    InvestigationKind,
    InvestigationReaction,
    InvestigationStatus,
    InvestigatorSeat,
    OnBehalfOf,
    move_investigation,
)
from meldpunt.investigations.schemas import (
    COMMON_PROTOCOL,
    FACT_PROTOCOL,
    AssignmentChangeIn,
    CommissionIn,
    InvestigatorIn,
    ProtocolChangeIn,
    ProtocolIn,
    ReturnIn,
    StopIn,
)
from meldpunt.parties.models import CaseParty, PartyResponse
from meldpunt.retention import services as retention
from meldpunt.retention.models import HoldKind, LegalHold
from meldpunt.tenancy.models import Tenant
from meldpunt.tenancy.terms import ProcedureTerms, terms_of

PURPOSE = "investigation"  # the purpose every text of an investigation is sealed for
STAGES = ("protocol", "draft", "final")  # the stage terms; "overall" is the adoption, the decision maker's


def now() -> datetime:
    return datetime.now(UTC)


def end_of(day: date) -> datetime:
    """A term "by <day>" holds through that day."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


# ---------------------------------------------------------------- reading and writing an investigation


def content(cipher: CaseCipher, investigation: Investigation) -> dict[str, Any]:
    return cipher.open_value(investigation.sealed_content, dict, PURPOSE, investigation.id)


def add_content(cipher: CaseCipher, investigation: Investigation, **more: Any) -> None:
    merged = {**content(cipher, investigation), **{k: v for k, v in more.items() if v is not None}}
    investigation.sealed_content = cipher.seal_value(merged, PURPOSE, investigation.id)


def add_facts(investigation: Investigation, **more: Any) -> None:
    investigation.facts = {**investigation.facts, **more}


async def record(session: AsyncSession, who: AccountRef, case: Case, event: str, **details: Any) -> None:
    """The audit entry of one act (``investigation.<event>``): process facts only, never content words."""
    await audit.record(
        session, case.tenant_id, cases.actor_of(who), f"investigation.{event}", "case", case.id, **details
    )


async def find(session: AsyncSession, case: Case, investigation_id: uuid.UUID, *, lock: bool = False) -> Investigation:
    query = select(Investigation).where(
        Investigation.tenant_id == case.tenant_id,
        Investigation.case_id == case.id,
        Investigation.id == investigation_id,
    )
    found = (await session.execute(query.with_for_update() if lock else query)).scalar()
    if found is None:
        raise InvestigationNotFound()
    return found


async def managed(at: At) -> tuple[Case, CaseCipher]:
    """The case, for its declared decision maker (``cases.services.declared_seat``)."""
    session, keyring, who, tenant, case_id = at.parts()
    case = await cases.panel_case(session, tenant, case_id)
    await cases.declared_seat(session, case, who, (PanelRole.DECISION_MAKER,))
    return case, await case_cipher(session, keyring, tenant.id, case.id)


@dataclass(frozen=True)
class Commissioner:
    """Who commissions an investigation (``by``) and on behalf of what. The panel's decision maker commissions
    what the case's weighing chose; a module above commissions in these terms for its own body (the complaints
    committee's chair, once the complaint track checked the seat and the stage), and then controls it."""

    by: AccountRef
    on_behalf_of: OnBehalfOf = OnBehalfOf.PANEL


def on_behalf_of(investigation: Investigation) -> OnBehalfOf:
    return OnBehalfOf(investigation.facts.get("on_behalf_of", OnBehalfOf.PANEL.value))


def commissioner_role(investigation: Investigation) -> str:
    """Who answers for the investigation's own deadlines when no investigator does."""
    return "decision_maker" if on_behalf_of(investigation) == OnBehalfOf.PANEL else "committee_chair"


async def of_case(session: AsyncSession, case: Case, *, lock: bool = False) -> list[Investigation]:
    """Every investigation of the case, in the order they were made (locked for update when ``lock``)."""
    query = (
        select(Investigation)
        .where(Investigation.tenant_id == case.tenant_id, Investigation.case_id == case.id)
        .order_by(Investigation.created_at, Investigation.id)
    )
    return list((await session.execute(query.with_for_update() if lock else query)).scalars())


def controller_of(investigation: Investigation) -> AccountRef:
    """Who carries an investigation that is not the panel's: the account that commissioned it, or the one its
    commissioner's module handed it to since (``hand_over``)."""
    handed = investigation.facts.get("controlled_by")
    if handed:
        return AccountRef(uuid.UUID(handed["tenant_id"]), uuid.UUID(handed["id"]))
    return AccountRef(investigation.created_by_tenant_id, investigation.created_by_id)


async def _commissioner_controls(at: At, case: Case, investigation: Investigation) -> bool:
    """For an investigation not of the panel: its controller, unless kept out of the case since."""
    return controller_of(investigation) == at.who and at.who not in await follow_up.exclusions(at.session, case)


async def hand_over(
    session: AsyncSession, case: Case, on_behalf: OnBehalfOf, before: AccountRef, after: AccountRef
) -> int:
    """The commissioner's module hands the control of its investigations of the case that ``before`` carried to
    ``after`` (a deputy chair declared for a chair who declared a link): every later step is theirs from now on.
    Audited; how many."""
    mine = [found for found in await of_case(session, case, lock=True) if on_behalf_of(found) == on_behalf]
    handed = [found for found in mine if controller_of(found) == before]
    for investigation in handed:
        add_facts(investigation, controlled_by={"tenant_id": str(after.tenant_id), "id": str(after.id)})
        overall = await stage_deadline(session, investigation, "overall")
        if overall is not None and (overall.responsible_tenant_id, overall.responsible_id) == tuple(before):
            overall.responsible_tenant_id, overall.responsible_id = after.tenant_id, after.id
        await record(session, after, case, "handed_over", investigation=str(investigation.id))
    return len(handed)


async def controls_one(at: At) -> bool:
    """Whether the viewer controls an investigation of the case that is not the panel's (the committee chair's).
    A destroyed case has none (that it was destroyed is the reporting point's to learn: ``cases.may_see_process``)."""
    try:
        case = await intake.find_case(at.session, at.tenant, at.case_id)
    except retention.CaseDestroyed:
        return False
    for investigation in await of_case(at.session, case):
        if on_behalf_of(investigation) != OnBehalfOf.PANEL and await _commissioner_controls(at, case, investigation):
            return True
    return False


async def controlling(
    at: At, investigation_id: uuid.UUID, *, lock: bool = True
) -> tuple[Case, CaseCipher, Investigation]:
    """The case and the investigation, for whoever controls it on behalf of its commissioner: the panel's
    declared decision maker (``managed``), or, for the complaints committee, the chair who commissioned it
    (``NotCommissioner`` for anyone else: the panel included)."""
    case = await intake.find_case(at.session, at.tenant, at.case_id)
    query = select(Investigation).where(
        Investigation.tenant_id == case.tenant_id,
        Investigation.case_id == case.id,
        Investigation.id == investigation_id,
    )
    found = (await at.session.execute(query.with_for_update() if lock else query)).scalar()
    if found is None or on_behalf_of(found) == OnBehalfOf.PANEL:
        case, cipher = await managed(at)
        return case, cipher, await find(at.session, case, investigation_id, lock=lock)
    if not await _commissioner_controls(at, case, found):
        raise NotCommissioner()
    return case, await case_cipher(at.session, at.keyring, at.tenant.id, case.id), found


async def store_text(
    at: At, store: ObjectStore, case: Case, record_class: RecordClass, title: str, text: str
) -> uuid.UUID:
    """A text of the investigation kept as an encrypted document of the case's dossier."""

    async def body() -> AsyncIterator[bytes]:
        yield text.encode()

    meta = DocumentMeta(filename=f"{title.lower().replace(' ', '-')}.txt", content_type="text/plain", title=title)
    document = await store_document(
        at.session, at.keyring, store, cases.actor_of(at.who), case.tenant_id, case.id, record_class, body(), meta
    )
    return document.id


def add_document(investigation: Investigation, what: str, document_id: uuid.UUID, **more: Any) -> None:
    """The investigation's documents by what they are (ids and kinds: process facts)."""
    entry = {"what": what, "id": str(document_id), "on": date.today().isoformat(), **more}
    add_facts(investigation, documents=[*investigation.facts.get("documents", []), entry])


async def party_of(session: AsyncSession, case: Case, party_id: uuid.UUID) -> CaseParty:
    """A party of this case (not removed); another case's party is not found."""
    party = (
        await session.execute(
            select(CaseParty).where(
                CaseParty.tenant_id == case.tenant_id,
                CaseParty.case_id == case.id,
                CaseParty.id == party_id,
                CaseParty.removed_at.is_(None),
            )
        )
    ).scalar()
    if party is None:
        raise InvestigationRefused("not-a-party")
    return party


async def no_person_named(at: At, case: Case, investigation: Investigation, texts: list[str]) -> None:
    """A culture or system investigation holds no person identifiers (seed-000 §3.2): refused when a text
    names a party or the reporter of the case."""
    if investigation.kind.about_persons:
        return
    names = await follow_up.names_in_case(at.session, at.keyring, at.tenant, case)
    if follow_up.traceable(texts, names):
        raise InvestigationRefused("names-a-person")


# ---------------------------------------------------------------- deadlines


def _stage_due(terms: ProcedureTerms, stage: str, given: date | None) -> datetime:
    days = {
        "protocol": terms.investigation_protocol_days,
        "draft": terms.investigation_draft_days,
        "final": terms.investigation_final_days,
        "overall": terms.investigation_days,
    }[stage]
    return end_of(given) if given else now() + timedelta(days=days)


def add_stage(at: At, case: Case, investigation: Investigation, stage: str, responsible: AccountRef | None) -> None:
    """The FOLLOW_UP deadline of one stage (the panel's term or the tenant's), the investigation as subject;
    the investigator answers for it once seated (else the case's decision maker)."""
    given = investigation.facts.get("terms", {}).get(f"{stage}_by")
    due = _stage_due(terms_of(at.tenant.procedure), stage, date.fromisoformat(given) if given else None)
    role = "investigator" if responsible and stage != "overall" else commissioner_role(investigation)
    deadline = intake.add_deadline(
        at.session, case, DeadlineKind.FOLLOW_UP, due, role, investigation.id, responsible=responsible
    )
    add_facts(investigation, deadlines={**investigation.facts.get("deadlines", {}), stage: str(deadline.id)})


async def stage_deadline(session: AsyncSession, investigation: Investigation, stage: str) -> Deadline | None:
    """The open deadline of one stage, if there is one."""
    deadline_id = investigation.facts.get("deadlines", {}).get(stage)
    if deadline_id is None:
        return None
    deadline = await session.get(Deadline, (investigation.tenant_id, uuid.UUID(deadline_id)))
    return deadline if deadline is not None and deadline.met_at is None else None


async def meet_stage(session: AsyncSession, investigation: Investigation, stage: str) -> None:
    deadline = await stage_deadline(session, investigation, stage)
    if deadline is not None:
        deadline.met_at = now()


async def answer_for(session: AsyncSession, investigation: Investigation, account: AccountRef | None) -> None:
    """The investigation's open stage and reaction deadlines are now the investigator's (reminders to them
    alone), or, without one, the decision maker's again."""
    stages = [await stage_deadline(session, investigation, stage) for stage in STAGES]
    reactions = await session.execute(
        select(Deadline)
        .join(
            InvestigationReaction,
            (InvestigationReaction.tenant_id == Deadline.tenant_id)
            & (InvestigationReaction.deadline_id == Deadline.id),
        )
        .where(InvestigationReaction.investigation_id == investigation.id, Deadline.met_at.is_(None))
    )
    for deadline in [*stages, *reactions.scalars()]:
        if deadline is None:
            continue
        deadline.responsible_role = "investigator" if account else commissioner_role(investigation)
        deadline.responsible_tenant_id = account.tenant_id if account else None
        deadline.responsible_id = account.id if account else None


async def end(at: At, case: Case, investigation: Investigation) -> None:
    """The investigation ended (adopted or stopped): its deadlines are met, and when it was the last follow-up
    the decision is due (``cases.follow_up.decision_due``)."""
    investigation.ended_at = now()
    await intake.meet_deadlines(at.session, case, DeadlineKind.FOLLOW_UP, investigation.id)
    await follow_up.decision_due(at.session, at.tenant, case)


# ---------------------------------------------------------------- commissioning (the decision maker)


def _check_commission(data: CommissionIn) -> None:
    kind = InvestigationKind(data.kind)
    if kind.about_persons and len(data.norms_framework.strip()) < 3:
        raise InvestigationRefused("norms-missing")  # behaviour is investigated against a known norm (D)
    if kind.about_persons and not data.subjects:
        raise InvestigationRefused("subjects-missing")
    if not kind.about_persons and data.subjects:
        raise InvestigationRefused("no-persons")  # "geen onderzoek naar personen"
    terms = [day for day in msgspec.structs.astuple(data.terms) if day is not None]
    if any(day < date.today() for day in terms):
        raise InvestigationRefused("term-in-past")


async def _commissioning(at: At, commissioner: Commissioner, kind: InvestigationKind) -> tuple[Case, CaseCipher]:
    """The case to commission in: for the panel, its declared decision maker's, decided, the weighing having chosen
    this kind; for a body above (the complaints committee), the case as it is (that body checked its own)."""
    if commissioner.on_behalf_of != OnBehalfOf.PANEL:
        case = await intake.find_case(at.session, at.tenant, at.case_id)
        return case, await case_cipher(at.session, at.keyring, at.tenant.id, case.id)
    case, cipher = await managed(at)
    if case.status not in follow_up.STARTS_FROM:
        raise InvestigationRefused("not-decided")
    if not await follow_up.chosen_by_weighing(at.session, case, kind.option):
        raise InvestigationNotChosen()
    return case, cipher


def _assignment_texts(data: CommissionIn | AssignmentChangeIn, protocol: ProtocolIn | None = None) -> list[str]:
    texts = [data.goal or "", *(data.questions or ()), data.norms_framework or ""]
    if isinstance(data, CommissionIn):
        texts += [text for outcome in data.outcomes for text in (outcome.outcome, outcome.follows)]
    if protocol is not None:
        texts += [str(value) for value in msgspec.structs.astuple(protocol)]
    return texts


def assignment_text(assignment: dict[str, Any], version: int) -> str:
    """The assignment and its protocol as the document of the dossier (plain text)."""
    lines = [f"Onderzoeksopdracht, versie {version}", "", f"Doel: {assignment.get('goal', '')}", "Vragen:"]
    lines += [f"- {question}" for question in assignment.get("questions", [])]
    if assignment.get("norms_framework"):
        lines += ["", f"Normenkader: {assignment['norms_framework']}"]
    lines += ["", "Mogelijke uitkomsten en wat volgt:"]
    lines += [f"- {o['outcome']}: {o['follows']}" for o in assignment.get("outcomes", [])]
    lines += ["", "Onderzoeksprotocol:"]
    lines += [f"{field}: {value}" for field, value in assignment.get("protocol", {}).items() if value]
    if assignment.get("change"):
        lines += ["", f"Wijziging ({assignment['change']['cause']}): {assignment['change']['reasons']}"]
    return "\n".join(lines) + "\n"


async def commission(
    at: At, store: ObjectStore, data: CommissionIn, commissioner: Commissioner | None = None
) -> Investigation:
    """The panel commissions the investigation its weighing chose (seed-000 §2.4 steps 1–3): the goal and
    questions, the norms a fact-finding tests against, the possible outcomes and what follows each, the protocol
    (completed before the investigator agrees it), the terms per stage. The case moves to ``following_up``;
    a new investigation of the same persons places a legal hold on their other cases (DESIGN §9).

    On behalf of the complaints committee (``commissioner``), its chair commissions: the panel's seat and the
    weighing's choice are not asked (the complaint track checked its chair and its stage) and the case stays in
    its status; every other rule of an investigation holds, and its open ``follow_up`` deadlines are what the
    committee's advice waits for."""
    commissioner = commissioner or Commissioner(at.who)
    kind = InvestigationKind(data.kind)
    case, cipher = await _commissioning(at, commissioner, kind)
    _check_commission(data)
    for subject in data.subjects:
        await party_of(at.session, case, subject)
    investigation_id = uuid.uuid4()
    terms = {k: v.isoformat() for k, v in msgspec.structs.asdict(data.terms).items() if v is not None}
    assignment = msgspec.to_builtins(data)
    for plain in ("kind", "terms", "subjects"):
        assignment.pop(plain)
    investigation = Investigation(
        tenant_id=at.tenant.id,
        id=investigation_id,
        case_id=case.id,
        kind=kind,
        status=InvestigationStatus.COMMISSIONED,
        facts={
            "terms": terms,
            "subjects": [str(s) for s in data.subjects],
            "questions": len(data.questions),
            "on_behalf_of": commissioner.on_behalf_of.value,
        },
        sealed_content=cipher.seal_value(assignment, PURPOSE, investigation_id),
        due_at=_stage_due(terms_of(at.tenant.procedure), "overall", data.terms.adopt_by),
        created_by_tenant_id=commissioner.by.tenant_id,
        created_by_id=commissioner.by.id,
    )
    await no_person_named(at, case, investigation, _assignment_texts(data, data.protocol))
    at.session.add(investigation)
    await at.session.flush()
    add_document(investigation, "assignment", await _assignment_document(at, store, case, assignment, 1), version=1)
    add_stage(at, case, investigation, "overall", commissioner.by)
    add_stage(at, case, investigation, "protocol", None)
    if commissioner.on_behalf_of == OnBehalfOf.PANEL and case.status != CaseStatus.FOLLOWING_UP:
        move_case(case, CaseStatus.FOLLOWING_UP)
    held = await _hold_same_persons(at, case, investigation)
    await record(
        at.session, at.who, case, "commissioned", kind=kind, holds=held, on_behalf_of=commissioner.on_behalf_of
    )
    return investigation


async def _assignment_document(
    at: At, store: ObjectStore, case: Case, assignment: dict[str, Any], version: int
) -> uuid.UUID:
    title = f"Onderzoeksopdracht versie {version}"
    return await store_text(
        at, store, case, RecordClass.INVESTIGATION_PROTOCOL, title, assignment_text(assignment, version)
    )


async def _hold_same_persons(at: At, case: Case, investigation: Investigation) -> int:
    """The tenant's other cases about a person this investigation is about (by the parties' keyed name index)
    are kept from destruction: a new investigation of the same persons (seed-000 §2.4 step 6, DESIGN §9)."""
    subjects = [uuid.UUID(s) for s in investigation.facts.get("subjects", [])]
    if not subjects:
        return 0
    same = select(CaseParty.name_index).where(
        CaseParty.tenant_id == case.tenant_id, CaseParty.id.in_(subjects), CaseParty.name_index.is_not(None)
    )
    others = await at.session.execute(
        select(CaseParty.case_id)
        .where(CaseParty.tenant_id == case.tenant_id, CaseParty.case_id != case.id, CaseParty.name_index.in_(same))
        .distinct()
    )
    held = 0
    for other in others.scalars():
        on_hold = await at.session.execute(
            select(LegalHold.id).where(
                LegalHold.tenant_id == case.tenant_id,
                LegalHold.case_id == other,
                LegalHold.kind == HoldKind.NEW_INVESTIGATION.value,
                LegalHold.released_at.is_(None),
            )
        )
        if on_hold.first() is None:
            reason = f"Nieuw onderzoek naar dezelfde betrokkene (onderzoek {investigation.id})."
            await retention.place_hold(
                at.session,
                at.keyring,
                cases.actor_of(at.who),
                case.tenant_id,
                other,
                HoldKind.NEW_INVESTIGATION,
                reason,
            )
            held += 1
    return held


def missing_in_protocol(kind: InvestigationKind, protocol: dict[str, Any], external: bool) -> list[str]:
    """The protocol's fields still empty (seed-000 §2.4 step 3); the investigator agrees only a complete one."""
    needed = [*COMMON_PROTOCOL, *(FACT_PROTOCOL if kind.about_persons else ())]
    if external and kind.about_persons:
        needed.append("legal_protocol")  # the Wpbr's legal protocol for an external investigator of persons
    return [name for name in needed if len(str(protocol.get(name) or "").strip()) < 3]


async def set_protocol(
    at: At, store: ObjectStore, investigation_id: uuid.UUID, data: ProtocolChangeIn
) -> Investigation:
    """The panel completes or corrects the protocol before the investigator agrees it (a new version)."""
    case, cipher, investigation = await controlling(at, investigation_id)
    if investigation.status != InvestigationStatus.COMMISSIONED:
        raise InvestigationRefused("protocol-agreed")
    await no_person_named(at, case, investigation, [str(v) for v in msgspec.structs.astuple(data.protocol)])
    add_content(cipher, investigation, protocol=msgspec.to_builtins(data.protocol))
    investigation.assignment_version += 1
    version = investigation.assignment_version
    document = await _assignment_document(at, store, case, content(cipher, investigation), version)
    add_document(investigation, "protocol", document, version=version)
    await record(at.session, at.who, case, "protocol_set", version=version)
    return investigation


# ---------------------------------------------------------------- the investigator's seat


async def seats(session: AsyncSession, investigation: Investigation) -> list[InvestigatorSeat]:
    rows = await session.execute(
        select(InvestigatorSeat)
        .where(
            InvestigatorSeat.tenant_id == investigation.tenant_id,
            InvestigatorSeat.investigation_id == investigation.id,
        )
        .order_by(InvestigatorSeat.assigned_at)
    )
    return list(rows.scalars())


def current(seat: InvestigatorSeat, moment: datetime) -> bool:
    return seat.left_at is None and seat.valid_from <= moment <= seat.valid_to


def licence_holds(investigation: Investigation, seat: InvestigatorSeat, day: date) -> bool:
    """An external firm investigating persons holds a valid Wpbr licence on ``day`` (seed-000 §1.4: "Van een
    vergunningplicht is sprake zodra er gerapporteerd wordt over personen"); others need none."""
    if not (seat.external and investigation.kind.about_persons):
        return True
    return bool(seat.licence_number) and seat.licence_valid_until is not None and seat.licence_valid_until >= day


async def _check_investigator(at: At, case: Case, investigation: Investigation, data: InvestigatorIn) -> None:
    seated = AccountRef(data.account_tenant_id, data.account_id)
    if investigation.status in ENDED:
        raise InvestigatorRefused("ended")
    if any(s.left_at is None and s.valid_to >= now() for s in await seats(at.session, investigation)):
        raise InvestigatorRefused("one-investigator")  # seated now, or from a later date
    if data.valid_to < data.valid_from or data.valid_to < date.today():
        raise InvestigatorRefused("time-box")
    if seated in await follow_up.exclusions(at.session, case):
        raise InvestigatorRefused("excluded")
    if await cases.seat_of(at.session, case, seated) is not None:
        raise InvestigatorRefused("on-the-panel")  # impartial: not who weighs and decides (seed-000 §2.4 C)
    refusal = await follow_up.investigator_role_refusal(at.session, case, seated, follow_up.INVESTIGATOR)
    if refusal is not None:
        raise InvestigatorRefused(refusal)  # a role in the case before: at a follow-up, a complaint, the panel
    held = await identity.active_roles(at.session, at.tenant.id, *seated)
    if Role.INVESTIGATOR not in held:
        raise InvestigatorRefused("role-not-held")
    if await follow_up.is_adviser(at.session, at.tenant, seated, held):
        raise InvestigatorRefused("adviser")  # the adviser "staat naast de melder" (seed-000 §1.4)
    if data.external and investigation.kind.about_persons:
        if not data.licence_number or data.licence_valid_until is None:
            raise InvestigatorRefused("licence-missing")
        if data.licence_valid_until < max(date.today(), data.valid_from):
            raise InvestigatorRefused("licence-expired")


async def seat_investigator(at: At, investigation_id: uuid.UUID, data: InvestigatorIn) -> InvestigatorSeat:
    """Seat the investigator for a time: an investigator of this organisation, never excluded from the case,
    never on its panel nor holding another role in the case before, never its (or its branch's) confidential
    adviser; an external firm investigating persons with its Wpbr licence, valid now. An internal investigator
    takes no later role in the case (``follow_up.investigator_role_refusal``). The investigator answers for the
    stage deadlines."""
    case, _, investigation = await controlling(at, investigation_id)
    await _check_investigator(at, case, investigation, data)
    keeps_licence = data.external and investigation.kind.about_persons
    row = InvestigatorSeat(
        tenant_id=at.tenant.id,
        case_id=case.id,
        investigation_id=investigation.id,
        account_tenant_id=data.account_tenant_id,
        account_id=data.account_id,
        external=data.external,
        licence_number=data.licence_number if keeps_licence else None,
        licence_valid_until=data.licence_valid_until if keeps_licence else None,
        valid_from=_start_of(data.valid_from),
        valid_to=end_of(data.valid_to),
    )
    at.session.add(row)
    seated = AccountRef(row.account_tenant_id, row.account_id)
    follow_up.hold_role(at.session, case, seated, follow_up.INVESTIGATOR, internal=not data.external)
    await at.session.flush()
    await answer_for(at.session, investigation, seated)
    await record(at.session, at.who, case, "investigator_seated", kind=investigation.kind, external=data.external)
    return row


async def carried(at: At, investigation_id: uuid.UUID, *, lock: bool = True) -> tuple[Case, Investigation]:
    case = await intake.find_case(at.session, at.tenant, at.case_id)
    return case, await find(at.session, case, investigation_id, lock=lock)


async def seat_of(at: At, case: Case, investigation: Investigation, *, declared: bool = True) -> InvestigatorSeat:
    """The caller's seat at this investigation, now within its time and not excluded from the case since;
    their declaration of independence first unless ``declared`` is off."""
    for seat in await seats(at.session, investigation):
        if (seat.account_tenant_id, seat.account_id) == at.who and current(seat, now()):
            if at.who in await follow_up.exclusions(at.session, case):
                raise NotInvestigator()
            if declared and seat.declaration != Involvement.NOT_INVOLVED:
                raise DeclareIndependenceFirst()
            return seat
    raise NotInvestigator()


async def investigating(at: At, investigation_id: uuid.UUID) -> tuple[Case, Investigation, InvestigatorSeat]:
    """The case, the investigation and the caller's declared seat, for the investigator's moves."""
    case, investigation = await carried(at, investigation_id)
    return case, investigation, await seat_of(at, case, investigation)


async def declare(at: At, investigation_id: uuid.UUID, data: DeclarationIn) -> Brief:
    """The investigator's own written declaration of independence for this case, before anything of it;
    "involved" ends the seat and keeps them out of the case."""
    case, investigation = await carried(at, investigation_id)
    row = await seat_of(at, case, investigation, declared=False)
    if row.declaration is not None:
        raise InvestigatorRefused("already-declared")
    cipher = await case_cipher(at.session, at.keyring, at.tenant.id, case.id)
    row.declaration = Involvement.INVOLVED if data.involved else Involvement.NOT_INVOLVED
    row.declared_at = now()
    row.sealed_declaration = cipher.seal(data.statement, PURPOSE, row.id)
    if data.involved:
        row.left_at = now()
        await follow_up.keep_out(at.session, case, at.who)
        await answer_for(at.session, investigation, None)
    await at.session.flush()
    await record(at.session, at.who, case, "declaration", involved=data.involved)
    return Brief(await view_of(at.session, at.tenant, investigation), row, None, None)


async def agree_protocol(at: At, investigation_id: uuid.UUID) -> Investigation:
    """The investigator agrees the complete protocol of the current assignment: only now does the
    investigation start (seed-000 §2.4 step 3)."""
    case, investigation, row = await investigating(at, investigation_id)
    if investigation.status != InvestigationStatus.COMMISSIONED:
        raise InvestigationRefused("not-commissioned")
    cipher = await case_cipher(at.session, at.keyring, at.tenant.id, case.id)
    missing = missing_in_protocol(investigation.kind, content(cipher, investigation).get("protocol", {}), row.external)
    if missing:
        raise InvestigationRefused("protocol-incomplete", fields=", ".join(missing))
    if not licence_holds(investigation, row, date.today()):
        raise InvestigatorRefused("licence-expired")
    move_investigation(investigation, InvestigationStatus.UNDER_WAY)
    row.protocol_agreed_version = investigation.assignment_version
    add_facts(investigation, protocol_agreed_on=date.today().isoformat())
    await meet_stage(at.session, investigation, "protocol")
    if "draft" not in investigation.facts.get("deadlines", {}):
        add_stage(at, case, investigation, "draft", at.who)
    await record(at.session, at.who, case, "protocol_agreed", version=investigation.assignment_version)
    return investigation


async def return_assignment(at: At, investigation_id: uuid.UUID, data: ReturnIn) -> Investigation:
    """The investigator returns the assignment (seed-000 §2.4 G), with a reason: their seat ends and the panel
    adjusts or extends it. A culture or system investigation drifting towards persons says so: it needs a new,
    person-directed assignment (a fact-finding, with the Wpbr)."""
    case, investigation, row = await investigating(at, investigation_id)
    if investigation.status in ENDED or investigation.status == InvestigationStatus.FINAL:
        raise InvestigationRefused("cannot-return")
    if data.towards_persons and investigation.kind.about_persons:
        raise InvestigationRefused("already-about-persons")
    cipher = await case_cipher(at.session, at.keyring, at.tenant.id, case.id)
    returns = [*content(cipher, investigation).get("returns", []), data.reason]
    add_content(cipher, investigation, returns=returns)
    row.left_at = row.returned_at = now()
    if investigation.status != InvestigationStatus.COMMISSIONED:
        move_investigation(investigation, InvestigationStatus.COMMISSIONED)
    add_facts(investigation, returned=len(returns), towards_persons=data.towards_persons or None)
    await answer_for(at.session, investigation, None)
    await record(at.session, at.who, case, "returned", towards_persons=data.towards_persons)
    return investigation


async def change_assignment(
    at: At, store: ObjectStore, investigation_id: uuid.UUID, data: AssignmentChangeIn
) -> Investigation:
    """The panel changes the assignment (on the investigator's request or new information), with reasons: a new
    version kept as a document; the investigator declares again and agrees the changed protocol; every seated
    member of the panel declares again (``cases.services.scope_changed``, casus Abigail/Douwe). A culture or
    system investigation is never turned towards persons: that needs a new, person-directed assignment."""
    case, cipher, investigation = await controlling(at, investigation_id)
    if investigation.status in ENDED or investigation.status == InvestigationStatus.FINAL:
        raise InvestigationRefused("cannot-change")
    if data.subjects and not investigation.kind.about_persons:
        raise InvestigationRefused("needs-person-directed")
    if data.final_by is not None and data.final_by < date.today():
        raise InvestigationRefused("term-in-past")
    for subject in data.subjects or ():
        await party_of(at.session, case, subject)
    await no_person_named(at, case, investigation, [*_assignment_texts(data), data.scope or ""])
    await _apply_change(at, cipher, investigation, data)
    investigation.assignment_version += 1
    document = await _assignment_document(
        at, store, case, content(cipher, investigation), investigation.assignment_version
    )
    add_document(investigation, "assignment_change", document, version=investigation.assignment_version)
    for row in await seats(at.session, investigation):
        if row.left_at is None:
            row.declaration, row.declared_at = None, None  # independence is declared again for the new scope
    if investigation.status in (InvestigationStatus.UNDER_WAY, InvestigationStatus.DRAFT):
        move_investigation(investigation, InvestigationStatus.COMMISSIONED)
    again = await cases.scope_changed(at.session, case, "assignment_changed")
    await record(at.session, at.who, case, "assignment_changed", cause=data.cause, declare_again=again)
    return investigation


async def _apply_change(at: At, cipher: CaseCipher, investigation: Investigation, data: AssignmentChangeIn) -> None:
    assignment = content(cipher, investigation)
    protocol = dict(assignment.get("protocol", {}))
    if data.scope is not None:
        protocol["scope"] = data.scope
    change = {"cause": data.cause, "reasons": data.reasons}
    changes = [*assignment.get("changes", []), change]
    add_content(
        cipher,
        investigation,
        goal=data.goal,
        questions=list(data.questions) if data.questions else None,
        norms_framework=data.norms_framework,
        protocol=protocol,
        change=change,
        changes=changes,
    )
    if data.subjects is not None:
        add_facts(investigation, subjects=[str(s) for s in data.subjects])
        await _hold_same_persons(at, await intake.find_case(at.session, at.tenant, at.case_id), investigation)
    if data.questions:
        add_facts(investigation, questions=len(data.questions))
    if data.final_by is not None:
        add_facts(investigation, terms={**investigation.facts.get("terms", {}), "final_by": data.final_by.isoformat()})
        await _move_stage(at.session, investigation, "final", end_of(data.final_by))


async def _move_stage(session: AsyncSession, investigation: Investigation, stage: str, due: datetime) -> None:
    deadline = await stage_deadline(session, investigation, stage)
    if deadline is not None:
        deadline.due_at, deadline.breach_reported_at = due, None


async def stop(at: At, investigation_id: uuid.UUID, data: StopIn) -> Investigation:
    """The panel ends an investigation before its adoption, with a reason; its deadlines are met."""
    case, cipher, investigation = await controlling(at, investigation_id)
    move_investigation(investigation, InvestigationStatus.STOPPED)
    add_content(cipher, investigation, stop_reason=data.reason)
    await end(at, case, investigation)
    await record(at.session, at.who, case, "stopped", kind=investigation.kind)
    return investigation


async def assignment_versions(session: AsyncSession, case: Case, on_behalf: OnBehalfOf) -> dict[str, int]:
    """The assignment's version (raised by each ``change_assignment``) of each investigation of the case
    commissioned on ``on_behalf``'s behalf, by id: for the commissioner's own module, whose seats declare again
    when the assignment they declared for has changed (casus Abigail/Douwe)."""
    found = await of_case(session, case)
    return {str(row.id): row.assignment_version for row in found if on_behalf_of(row) == on_behalf}


async def stop_with_procedure(at: At, on_behalf: OnBehalfOf, reason: str) -> int:
    """The procedure that commissioned them ended before it could rest on them (a complaint withdrawn or settled
    in mediation): the case's open investigations on its behalf stop, with ``reason`` (a code), and their
    deadlines are met, so nothing is left for the case to wait on. For the commissioner's own module to call;
    how many stopped."""
    case = await intake.find_case(at.session, at.tenant, at.case_id)
    found = await of_case(at.session, case, lock=True)
    open_ones = [row for row in found if row.status not in ENDED and on_behalf_of(row) == on_behalf]
    if open_ones:
        cipher = await case_cipher(at.session, at.keyring, at.tenant.id, case.id)
    for investigation in open_ones:
        move_investigation(investigation, InvestigationStatus.STOPPED)
        add_content(cipher, investigation, stop_reason=reason)
        await end(at, case, investigation)
        await record(at.session, at.who, case, "stopped", kind=investigation.kind, with_procedure=reason)
    return len(open_ones)


# ---------------------------------------------------------------- views


@dataclass(frozen=True)
class InvestigationView:
    investigation: Investigation
    seats: list[InvestigatorSeat]
    names: dict[uuid.UUID, str]
    interviews: list[InvestigationInterview]
    reactions: list[InvestigationReaction]
    answers: dict[uuid.UUID, str]  # share → the latest verdict (approved, commented)
    deadlines: list[Deadline]
    content: dict[str, Any] | None = None


async def answers_to(session: AsyncSession, tenant: Tenant, share_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The latest verdict given to each shared record (a process fact; the comments stay sealed)."""
    if not share_ids:
        return {}
    rows = await session.execute(
        select(PartyResponse.share_id, PartyResponse.verdict)
        .where(PartyResponse.tenant_id == tenant.id, PartyResponse.share_id.in_(share_ids))
        .order_by(PartyResponse.responded_at)
    )
    return {row.share_id: str(row.verdict) for row in rows}


async def of_investigation(session: AsyncSession, model: Any, investigation: Investigation, order: Any) -> list[Any]:
    rows = await session.execute(
        select(model)
        .where(model.tenant_id == investigation.tenant_id, model.investigation_id == investigation.id)
        .order_by(order)
    )
    return list(rows.scalars())


async def interviews_of(session: AsyncSession, investigation: Investigation) -> list[InvestigationInterview]:
    return await of_investigation(session, InvestigationInterview, investigation, InvestigationInterview.scheduled_at)


async def view_of(session: AsyncSession, tenant: Tenant, investigation: Investigation) -> InvestigationView:
    seated = await seats(session, investigation)
    refs = [AccountRef(s.account_tenant_id, s.account_id) for s in seated]
    names = await cases.account_names(session, tenant, refs) if refs else {}
    interviews = await of_investigation(
        session, InvestigationInterview, investigation, InvestigationInterview.scheduled_at
    )
    reactions = await of_investigation(session, InvestigationReaction, investigation, InvestigationReaction.round)
    shares = [i.share_id for i in interviews if i.share_id] + [r.share_id for r in reactions]
    deadlines = await session.execute(
        select(Deadline)
        .where(Deadline.tenant_id == tenant.id, Deadline.subject_id == investigation.id)
        .order_by(Deadline.due_at)
    )
    answers = await answers_to(session, tenant, shares)
    return InvestigationView(investigation, seated, names, interviews, reactions, answers, list(deadlines.scalars()))


async def views(session: AsyncSession, tenant: Tenant, case: Case) -> list[InvestigationView]:
    return [await view_of(session, tenant, investigation) for investigation in await of_case(session, case)]


async def process(at: At, reporting_point: bool) -> list[InvestigationView]:
    """Every investigation of the case as stages, dates, seats and deadlines, for the process guardian (and any
    panel member or the reporting point who sees the case's process). No content."""
    await cases.may_see_process(at.session, at.tenant, at.case_id, at.who, reporting_point)
    return await views(at.session, at.tenant, await intake.find_case(at.session, at.tenant, at.case_id))


async def read_all(at: At) -> list[InvestigationView]:
    """Every investigation with its assignment, for the declared decision maker; for the chair who commissioned
    some of the case's investigations on behalf of the complaints committee, those (the read is audited)."""
    case = await intake.find_case(at.session, at.tenant, at.case_id)
    every = await views(at.session, at.tenant, case)
    mine = [
        v
        for v in every
        if on_behalf_of(v.investigation) != OnBehalfOf.PANEL and await _commissioner_controls(at, case, v.investigation)
    ]
    if not mine:
        case, _ = await managed(at)
        mine = every
    cipher = await case_cipher(at.session, at.keyring, at.tenant.id, case.id)
    found = [replace(v, content=content(cipher, v.investigation)) for v in mine]
    await record(at.session, at.who, case, "content_read")
    return found


async def one(at: At, investigation_id: uuid.UUID) -> InvestigationView:
    """One investigation with its assignment, for whoever controls it (``controlling``; the read is audited)."""
    case, cipher, investigation = await controlling(at, investigation_id, lock=False)
    view = await view_of(at.session, at.tenant, investigation)
    await record(at.session, at.who, case, "content_read")
    return replace(view, content=content(cipher, investigation))


@dataclass(frozen=True)
class Brief:
    view: InvestigationView
    seat: InvestigatorSeat
    assignment: dict[str, Any] | None
    parties: list[dict[str, str]] | None


async def brief(at: At, investigation_id: uuid.UUID) -> Brief:
    """What the investigator's assignment needs: before the declaration only the kind, stage and dates; after
    it the assignment and protocol and the parties of the case (to interview them). Never the rest of the
    dossier; the read is audited."""
    case, investigation = await carried(at, investigation_id, lock=False)
    row = await seat_of(at, case, investigation, declared=False)
    view = await view_of(at.session, at.tenant, investigation)
    if row.declaration != Involvement.NOT_INVOLVED:
        return Brief(view, row, None, None)
    cipher = await case_cipher(at.session, at.keyring, at.tenant.id, case.id)
    parties = await at.session.execute(
        select(CaseParty)
        .where(CaseParty.tenant_id == at.tenant.id, CaseParty.case_id == case.id, CaseParty.removed_at.is_(None))
        .order_by(CaseParty.added_at)
    )
    named = [
        {"id": str(p.id), "role": str(p.role), "name": cipher.open(p.sealed_name, "party-name", p.id) or ""}
        for p in parties.scalars()
    ]
    await record(at.session, at.who, case, "brief_read", kind=investigation.kind)
    return Brief(view, row, content(cipher, investigation), named)


@dataclass(frozen=True)
class Assignment:
    tenant: Tenant
    investigation: Investigation
    seat: InvestigatorSeat


async def assignments(session: AsyncSession, who: AccountRef, tenant: Tenant) -> list[Assignment]:
    """The investigator's own investigations here, within their seat's time: nothing of others."""
    rows = await follow_up.own_current_seats(
        session, who, tenant, InvestigatorSeat, Investigation, InvestigatorSeat.investigation_id
    )
    return [Assignment(tenant, investigation, seat) for seat, investigation in rows]


def interview_counted(interview: InvestigationInterview, answers: dict[uuid.UUID, str]) -> bool:
    """Only an approved or commented record counts (seed-000 §2.4 D)."""
    return interview.status == InterviewStatus.SHARED and interview.share_id in answers
