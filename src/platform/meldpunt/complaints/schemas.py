"""Inputs and outputs of the complaint track. What someone said or wrote is free text and sealed; the rest are
process facts from closed lists."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec

from meldpunt.cases.schemas import DeadlineOut

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=5_000)]
Party = Literal["complainant", "accused"]
OutcomeName = Literal["well_founded", "partly", "not_well_founded", "not_established"]
EmployerName = Literal["this_member", "other_member", "branch", "external"]
InadmissibleName = Literal[
    "not_affected", "out_of_scope", "internal_route_first", "too_late", "already_judged", "anonymous"
]
# Why the informal route was skipped (seed-003 Implications 45): any reason lets the complaint through.
SkippedBecause = Literal["severity", "criminal_offence", "power_difference", "tried_before", "complainant_choice"]
TermName = Literal[
    "complaint_admissibility",
    "complaint_defence",
    "complaint_hearing",
    "complaint_record_reply",
    "complaint_draft_reply",
    "committee_advice",
    "complaint_decision",
    "complaint_objection",
]


class RegisterIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The secretary registers a complaint the reporting point routed to the committee: the informal options
    were shown, and considered or skipped (with why); it never blocks the complaint."""

    case_id: uuid.UUID
    informal: Literal["considered", "skipped"]
    skipped_because: SkippedBecause | None = None
    informal_note: Text | None = None
    events_on: date | None = None  # when it happened, for the regulation's complaint window
    employer: EmployerName  # the secretary's own employer (seated at registration)
    employer_tenant_id: uuid.UUID | None = None


class SeatIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    account_tenant_id: uuid.UUID
    account_id: uuid.UUID
    role: Literal["committee_chair", "committee_member", "committee_secretary", "decision_maker", "process_guardian"]
    employer: EmployerName
    employer_tenant_id: uuid.UUID | None = None
    deputy_for: uuid.UUID | None = None  # the seat that declared a link
    escalation_reason: Reason | None = None  # a decision maker who manages the accused: why, and who decides along


class DeclareIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The seat's own written independence declaration, per complaint (seed-003 Implications 23)."""

    involved: bool  # involved in what the complaint is about
    interest: bool  # an interest in either party
    reporting_line: bool  # in a party's reporting line
    statement: Reason


class AdmissibilityIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    admissible: bool
    reason: InadmissibleName | None = None
    note: Text | None = None


class RecordIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    kind: Literal["defence", "evidence", "deliberation", "reaction"]
    party: Party | None = None  # whose reaction
    text: Text


# GDPR art. 23(1): what may justify keeping a record of the dossier from one party (seed-003 §4.4: evidence parity
# is the rule; a restriction is the exception, with its reason recorded).
RestrictionReason = Literal["rights_of_others", "safety_of_a_person", "evidence_at_risk"]


class RestrictionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Keep one record from one party: the reason from the closed list, the committee's explanation (sealed, never
    shown to that party) and, where it can be given, a summary that party reads instead."""

    withheld_from: Party
    reason: RestrictionReason
    explanation: Text
    summary: Text | None = None


class LiftIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    withheld_from: Party


class HearingIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    party: Party
    mode: Literal["together", "separately"]
    invited_on: date
    held_on: date | None = None
    attendance: Literal["attended", "refused"]  # a refusal after invitation is recorded, and the hearing goes on
    brought_someone: bool = False
    record: Text | None = None  # the hearing record, shared with that party for their reaction


class AdviceIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    outcome: OutcomeName
    measures: Text | None = None  # recommended measures
    text: Text  # the reasoned advice


class DecisionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    outcome: OutcomeName
    follows_advice: bool
    reasons: Reason | None = None  # required when the decision departs from the advice
    measures: Text | None = None
    measures_due_on: date | None = None  # the term within which the measures are realised


class ObjectionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    lodged: bool
    party: Party | None = None


class AftercareIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    for_complainant: Reason
    for_accused: Reason
    due_on: date


class ClosureIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    reason: Reason


class WithdrawalIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    withdrawn_on: date
    in_writing: Literal[True]


class SuspensionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    complainant_consented_on: date
    accused_consented_on: date


class ResumptionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    settled: bool
    agreement: Text | None = None  # only the agreement or the outcome, never what was said in mediation


class ExtensionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    term: TermName
    days: Annotated[int, msgspec.Meta(ge=1, le=365)]
    reason: Reason


class NoticeIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    party_id: uuid.UUID
    language: Literal["nl", "en"] = "nl"


class SeatOut(msgspec.Struct, frozen=True):
    id: uuid.UUID
    account_tenant_id: uuid.UUID
    account_id: uuid.UUID
    name: str
    role: str
    employer: str
    declaration: str | None
    declared_at: datetime | None
    left_at: datetime | None


class RecordOut(msgspec.Struct, frozen=True):
    id: uuid.UUID
    kind: str
    visibility: str
    party: str | None
    recorded_at: datetime
    text: str | None = None  # only for who may read it
    withheld_from: list[str] = msgspec.field(default_factory=list)  # art. 23: the parties it is kept from


class ComplaintOut(msgspec.Struct, frozen=True):
    """A complaint as one viewer may see it: the process always, the records where the seat allows."""

    id: uuid.UUID
    case_id: uuid.UUID
    status: str
    registered_at: datetime
    inadmissible_reason: str | None
    advice_outcome: str | None
    decision_outcome: str | None
    facts: dict[str, Any]
    seats: list[SeatOut]
    deadlines: list[DeadlineOut]
    records: list[RecordOut] | None = None
    content: dict[str, Any] | None = None


class StatusOut(msgspec.Struct, frozen=True):
    """What the reporting point that routed it sees: the status and its dates."""

    id: uuid.UUID
    case_id: uuid.UUID
    status: str
    registered_at: datetime
    ended_at: datetime | None


class RegisterEntry(msgspec.Struct, frozen=True):
    id: uuid.UUID | None  # none: routed to the committee, not registered yet
    case_id: uuid.UUID
    status: str
    since: datetime


class CountsOut(msgspec.Struct, frozen=True):
    year: int
    received: int
    admissible: int
    inadmissible: dict[str, int]
    withdrawn: int
    settled: int
    advice_outcomes: dict[str, int]
    decision_outcomes: dict[str, int]
    terms_kept: int
    terms_late: int


class DeclaredOut(msgspec.Struct, frozen=True, kw_only=True):
    seat_id: uuid.UUID
    declaration: str
    seated: bool  # false: a declared link ended the seat (a deputy is asked for)
