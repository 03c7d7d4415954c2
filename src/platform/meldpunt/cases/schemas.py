"""Inputs and outputs of case handling. Each phase-1 step has its process facts (closed lists, dates,
flags: what a process guardian sees) and its content (free text, encrypted: only declared panel members)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=5_000)]

# The closed lists of the API; their values are the enums of models.py (tests/unit keeps them equal).
Route = Literal["adviser_only", "decision_panel", "complaints_committee", "whistleblower", "police", "no_action"]
LegalDuty = Literal["police_report_duty", "care_sector_duty", "education_sector_duty", "whistleblower_wrongdoing"]
Escalation = Literal["higher_manager", "supervisory_board", "branch"]
PanelRole = Literal["decision_maker", "expert", "process_guardian"]
ExclusionReason = Literal["accused", "accused_manager", "declared_link"]

# The follow-up options as the escalation ladder of seed-000 §3.1, from light to heavy.
LADDER: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("restore", ("informal_conversation", "corrective_conversation", "group_conversation", "bemiddeling", "mediation")),
    ("inform", ("fact_investigation", "culture_investigation", "system_investigation")),
    ("sanction", ("labour_law_measure", "disciplinary_measure")),
    ("criminal_or_wrongdoing", ("police_report", "whistleblower_report")),
)
EVERY_OPTION: tuple[str, ...] = tuple(option for _, options in LADDER for option in options)
Option = Literal[
    "informal_conversation",
    "corrective_conversation",
    "group_conversation",
    "bemiddeling",
    "mediation",
    "fact_investigation",
    "culture_investigation",
    "system_investigation",
    "labour_law_measure",
    "disciplinary_measure",
    "police_report",
    "whistleblower_report",
]
Goal = Literal["restore_safety", "norm_setting", "establish_facts", "sanction", "learn_and_prevent"]
InterimMeasure = Literal["no_contact", "other_shift_or_location", "leave_with_pay", "other_work", "supervision"]
DeferralReason = Literal["traceability_of_reporter", "reprisal_risk", "evidence_at_risk", "reporter_safety"]
LeakScenario = Literal["no_communication", "internal_leak", "external_leak", "public_without_report"]
Party = Literal["reporter", "accused"]
RightsItem = Literal[
    "confidentiality",
    "information_and_timeline",
    "expectations",
    "right_of_reply",
    "right_of_defence",
    "support_person",
    "aftercare",
    "complaint_or_objection",
]


class RoutingIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    classified_as: Literal["report", "signal", "complaint"]
    route: Route
    reason: Reason
    legal_duties: tuple[LegalDuty, ...] = ()
    escalation: Escalation | None = None
    alternative: Reason | None = None  # required when nothing is done (seed-000 §2.2 Tip 2)


class MemberIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    account_tenant_id: uuid.UUID
    account_id: uuid.UUID
    role: PanelRole


class ExclusionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    account_tenant_id: uuid.UUID
    account_id: uuid.UUID
    reason: ExclusionReason


class DeclarationIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    involved: bool
    statement: Reason  # written, per case (seed-000 §1.4 "schriftelijk vastleggen")


class ConcernIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    text: Reason


class AcknowledgementIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    response: Reason


# Phase-1 steps. Each is tagged; ``facts`` of a step are everything but its text fields.
class FirstConversation(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="first_conversation"):
    held_on: date
    staff_present: Annotated[int, msgspec.Meta(ge=1, le=10)]
    adviser_offered: bool
    notes: Text


class Exploration(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="exploration"):
    """The exploration and context questions of seed-000 §2.3 Stap 1: not an investigation."""

    held_on: date
    what_happened: Text
    context: Text
    other_reports_known: bool = False


class ReporterTold(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="reporter_told"):
    """The reporter is told before the accused is informed (seed-000 Implications D.26)."""

    told_on: date


class AccusedInformed(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="accused_informed"):
    informed_on: date
    in_writing: Literal[True]
    summary: Text


class NoticeDeferred(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="notice_deferred"):
    """GDPR art. 23: informing the accused is deferred, with a reason and a date to review it."""

    reason: DeferralReason
    review_on: date
    explanation: Text


class InterimMeasureStep(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="interim_measure"):
    measure: InterimMeasure
    starts_on: date
    review_on: date | None = None
    expires_on: date | None = None
    reason: Text = ""


class Weighing(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="weighing"):
    """The weighing framework (seed-000 §2.3 Stap 4): A interpretation, B goal, C choice, with a reason
    for every option not chosen."""

    interpretation: Text
    goals: Annotated[tuple[Goal, ...], msgspec.Meta(min_length=1)]
    chosen: Annotated[tuple[Option, ...], msgspec.Meta(min_length=1)]
    reasons_rejected: dict[Option, str]
    reporter_input: Text


class RightsExplained(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="rights_explained"):
    party: Party
    explained: dict[RightsItem, date]


class Communication(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="communication"):
    """A process-only statement (who was told what about the process, never about the content)."""

    scenario: LeakScenario
    audience: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    statement: Text
    on: date


Step = (
    FirstConversation
    | Exploration
    | ReporterTold
    | AccusedInformed
    | NoticeDeferred
    | InterimMeasureStep
    | Weighing
    | RightsExplained
    | Communication
)
TEXT_FIELDS = frozenset(
    {
        "notes",
        "what_happened",
        "context",
        "summary",
        "explanation",
        "reason",
        "interpretation",
        "reasons_rejected",
        "reporter_input",
        "statement",
        "audience",
    }
)


class MemberOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    account_id: uuid.UUID
    name: str
    role: str
    pooled: bool
    declaration: str | None
    declared_at: datetime | None
    active: bool


class DeadlineOut(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    due_at: datetime
    met_at: datetime | None
    responsible_role: str
    breached: bool


class StepOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    kind: str
    facts: dict[str, Any]
    recorded_at: datetime
    content: dict[str, Any] | None = None  # only for declared panel members


class ConcernOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    raised_at: datetime
    acknowledged_at: datetime | None
    text: str | None = None
    response: str | None = None


class ProcessOut(msgspec.Struct, frozen=True, kw_only=True):
    """The process of a case: what a process guardian sees. No content."""

    case_id: uuid.UUID
    tenant: str
    kind: str
    status: str
    route: str | None
    escalation: str | None
    legal_duties: list[str]
    members: list[MemberOut]
    steps: list[StepOut]
    deadlines: list[DeadlineOut]
    concerns: list[ConcernOut]


class CaseContentOut(msgspec.Struct, frozen=True, kw_only=True):
    process: ProcessOut
    narrative: str
    routing_reason: str | None
    routing_alternative: str | None


class GuardedCaseOut(msgspec.Struct, frozen=True, kw_only=True):
    tenant: str
    case_id: uuid.UUID
    status: str
    next_deadline: DeadlineOut | None
    breaches: int
    open_concerns: int
