"""Inputs and outputs of the investigations. What is said or written (the goal, the questions, the norms, the
protocol, the records, the reports, reasons) is free text and sealed; the rest are process facts."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec

from meldpunt.cases.schemas import DeadlineOut

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
Field = Annotated[str, msgspec.Meta(max_length=20_000)]  # a protocol field; empty until it is written
Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=5_000)]
Kind = Literal["fact", "culture", "system"]


class ProtocolIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The research protocol of seed-000 §2.4 step 3, agreed with the investigator. Every field is needed
    before the investigator may agree it; a fact-finding also needs the last three."""

    independence_and_expertise: Field = ""
    behaviour_type: Field = ""
    client: Field = ""  # the opdrachtgever: the panel
    powers_rights_duties: Field = ""  # of the investigators and everyone involved
    information_to_involved: Field = ""
    communication: Field = ""  # internal and external, before, during and after
    scope: Field = ""
    method: Field = ""  # confidential data and AVG, sources
    duration: Field = ""  # doorlooptijd
    purpose_of_use: Field = ""
    report_recipients: Field = ""  # how and to whom the report goes
    draft_report_contents: Field = ""
    data_and_archive: Field = ""  # what happens to the research data and the investigator's archive
    assistance: Field = ""  # whether an adviser or lawyer may assist, and how
    # A fact-finding adds (seed-000 §2.4 step 3):
    report_description: Field = ""  # a description of the report (melding)
    hoor_en_wederhoor: Field = ""
    rights_of_involved: Field = ""
    # An external investigator of persons follows the legal protocol under the Wpbr:
    legal_protocol: Field = ""


COMMON_PROTOCOL = (
    "independence_and_expertise",
    "behaviour_type",
    "client",
    "powers_rights_duties",
    "information_to_involved",
    "communication",
    "scope",
    "method",
    "duration",
    "purpose_of_use",
    "report_recipients",
    "draft_report_contents",
    "data_and_archive",
    "assistance",
)
FACT_PROTOCOL = ("report_description", "hoor_en_wederhoor", "rights_of_involved")


class Outcome(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A possible outcome and what follows it, thought through beforehand (seed-000 §2.4 step 1)."""

    outcome: Text
    follows: Text


class TermsIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The panel's terms per stage (else the tenant's ``procedure.terms``)."""

    protocol_by: date | None = None
    draft_by: date | None = None
    final_by: date | None = None
    adopt_by: date | None = None


class CommissionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The panel's assignment: the kind, goal and questions, the norms a fact-finding tests against, the
    possible outcomes, the protocol, the terms, and for a fact-finding the parties it is about."""

    kind: Kind
    goal: Text
    questions: Annotated[tuple[Text, ...], msgspec.Meta(min_length=1, max_length=50)]
    norms_framework: Field = ""
    outcomes: Annotated[tuple[Outcome, ...], msgspec.Meta(min_length=1, max_length=20)]
    protocol: ProtocolIn = ProtocolIn()
    terms: TermsIn = TermsIn()
    subjects: Annotated[tuple[uuid.UUID, ...], msgspec.Meta(max_length=20)] = ()  # parties it is about


class ProtocolChangeIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The protocol completed or corrected before the investigator agrees it."""

    protocol: ProtocolIn


class AssignmentChangeIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A change of the assignment by the panel, on the investigator's request or new information (seed-000
    §2.4 G, casus Abigail/Douwe), with reasons; what it changes replaces the old."""

    cause: Literal["investigator_request", "new_information"]
    reasons: Reason
    goal: Text | None = None
    questions: Annotated[tuple[Text, ...], msgspec.Meta(min_length=1, max_length=50)] | None = None
    norms_framework: Text | None = None
    scope: Text | None = None
    subjects: Annotated[tuple[uuid.UUID, ...], msgspec.Meta(max_length=20)] | None = None
    final_by: date | None = None  # an extension of the term


class InvestigatorIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Seat the investigator for a time; an external firm investigating persons names its Wpbr licence."""

    account_tenant_id: uuid.UUID
    account_id: uuid.UUID
    valid_from: date
    valid_to: date
    external: bool
    licence_number: Annotated[str, msgspec.Meta(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9 ./-]+$")] | None = (
        None
    )
    licence_valid_until: date | None = None


class ReturnIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The investigator returns the assignment (seed-000 §2.4 G), with a reason; ``towards_persons``: a
    culture or system investigation drifts towards persons and needs a person-directed assignment."""

    reason: Reason
    towards_persons: bool = False


class StopIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: Reason


class InterviewIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """An interview with a party of the case, who was told they may bring someone (an adviser, a lawyer)."""

    party_id: uuid.UUID
    scheduled_at: datetime
    companion_told_on: date


class RecordIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The interview was held; its record goes to the interviewee for approval or comment by ``respond_by``."""

    held_on: date
    record: Text
    respond_by: date


class ReuseIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The panel's decision that an interview of another investigation may be used in this one."""

    interview_id: uuid.UUID
    reasons: Reason


class DraftIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A draft report with the contents seed-000 §2.4 step 3 lists, to the parties for their written reaction
    by ``respond_by``; ``essential_change``: a later round after an essential change."""

    approach_and_question: Text
    how_obtained: Text
    functionaries: Text
    findings: Text
    conclusions: Text
    recommendations: Text
    to: Annotated[tuple[uuid.UUID, ...], msgspec.Meta(min_length=1, max_length=50)]
    respond_by: date
    essential_change: bool = False


class ExtensionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A party asked for more time to react; the new date and the reason."""

    respond_by: date
    reason: Reason


class HandlingIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    handling: Literal["incorporated", "annexed", "none_given"]


class FinalIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The final report after hoor en wederhoor."""

    findings: Text
    conclusions: Text
    recommendations: Text
    reactions_dealt_with: Text


class Told(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """How one party is told the outcome in writing."""

    party_id: uuid.UUID
    channel: Literal["portal", "letter"]


class AdoptionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The panel's decision on the final report (seed-000 §2.4 step 4): whether it adopts the conclusions and
    the recommendations, its reasons, what follows, who is told and how; for a culture or system investigation
    the report's distribution."""

    conclusions_adopted: bool
    recommendations_adopted: bool
    reasons: Reason
    outcome_letter: Text  # what every party is told in writing
    told: Annotated[tuple[Told, ...], msgspec.Meta(max_length=50)]
    distribution: (
        tuple[Literal["participating_employees", "all_employees", "management", "works_council", "supervisor"], ...]
        | None
    ) = None


# ---------------------------------------------------------------- outputs


class InvestigatorOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    account_id: uuid.UUID
    name: str
    external: bool
    licence_number: str | None
    licence_valid_until: date | None
    valid_from: datetime
    valid_to: datetime
    declaration: str | None
    declared_at: datetime | None
    protocol_agreed_version: int | None
    returned_at: datetime | None
    active: bool


class InterviewOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    party_id: uuid.UUID
    status: str
    scheduled_at: datetime
    companion_told_on: date
    held_on: date | None
    document_id: uuid.UUID | None
    share_id: uuid.UUID | None
    answer: str | None  # approved, commented, or none yet: only an answered record counts


class ReactionOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    party_id: uuid.UUID
    round: int
    share_id: uuid.UUID
    respond_by: date
    extensions: int
    handling: str | None
    answer: str | None


class InvestigationProcessOut(msgspec.Struct, frozen=True, kw_only=True):
    """What the process guardian sees of an investigation: stages, dates, seats and deadlines; no content."""

    id: uuid.UUID
    case_id: uuid.UUID
    kind: str
    status: str
    assignment_version: int
    round: int
    facts: dict[str, Any]
    due_at: datetime
    created_at: datetime
    ended_at: datetime | None
    investigators: list[InvestigatorOut]
    interviews: list[InterviewOut]
    reactions: list[ReactionOut]
    deadlines: list[DeadlineOut]


class InvestigationOut(msgspec.Struct, frozen=True, kw_only=True):
    """The decision maker's view: the process and the assignment."""

    process: InvestigationProcessOut
    content: dict[str, Any]


class InvestigationBriefOut(msgspec.Struct, frozen=True, kw_only=True):
    """What the investigator reads: the assignment, and the parties it needs; never the rest of the dossier."""

    tenant: str
    process: InvestigationProcessOut
    declared: bool
    assignment: dict[str, Any] | None
    parties: list[dict[str, str]] | None


class InvestigationAssignmentOut(msgspec.Struct, frozen=True, kw_only=True):
    tenant: str
    case_id: uuid.UUID
    investigation_id: uuid.UUID
    kind: str
    status: str
    valid_to: datetime
    declared: bool


class RecordOut(msgspec.Struct, frozen=True, kw_only=True):
    interview_id: uuid.UUID
    record: str
    answer: str | None
