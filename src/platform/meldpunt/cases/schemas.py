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
IgjAnswer = Literal["reportable", "not_reportable"]
ScopeChange = Literal["person_named", "scope_widened", "assignment_changed"]
# How the reporter agreed to a measure that affects them, or was told a step (seed-000 §2.3 Stap 2 "in overleg").
HowGiven = Literal["in_person", "in_writing", "by_phone", "through_inbox"]

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
InterimMeasure = Literal["none", "no_contact", "other_shift_or_location", "leave_with_pay", "other_work", "supervision"]
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
    duty_reasons: dict[LegalDuty, Reason] = msgspec.field(default_factory=dict)  # one for each legal duty
    igj_answer: IgjAnswer | None = None  # a care-sector organisation answers the Wkkgz/IGJ question


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
    """A measure with its review date, or "none" with the reason why none is needed. A measure that affects the
    reporter (``applies_to``) needs the reporter's recorded agreement: how it was given and when."""

    measure: InterimMeasure
    starts_on: date
    review_on: date | None = None
    expires_on: date | None = None
    reason: Text = ""
    applies_to: Literal["accused", "reporter", "both"] = "accused"
    reporter_agreement: HowGiven | None = None
    reporter_agreed_on: date | None = None


class InterimReview(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="interim_review"):
    """The review of an interim measure (the step ``measure_id``): continued until a new review date, changed
    (recorded as a new measure), or ended."""

    measure_id: uuid.UUID
    outcome: Literal["continue", "change", "end"]
    reviewed_on: date
    notes: Text
    next_review_on: date | None = None


class ScopeChangeStep(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="scope_change"):
    """The case is about more than the panel declared for (other behaviour, other people): every seat declares
    again before it sees the content."""

    change: ScopeChange
    description: Text


class Weighing(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="weighing"):
    """The weighing framework (seed-000 §2.3 Stap 4): A interpretation, B goal, C choice, with a reason
    for every option not chosen."""

    interpretation: Text
    goals: Annotated[tuple[Goal, ...], msgspec.Meta(min_length=1)]
    chosen: Annotated[tuple[Option, ...], msgspec.Meta(min_length=1)]
    reasons_rejected: dict[Option, str]
    reporter_input: Text
    # Which facts make the behaviour *aannemelijk*: required for the corrective conversation (seed-000 §3.2).
    plausibility_basis: str = ""


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
    | InterimReview
    | ScopeChangeStep
)


# The steps that lead a route without a panel to its end (DESIGN §7 "Routing"), recorded by the reporting point.
class WhistleblowerAcknowledged(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="whistleblower_acknowledged"
):
    """The Wbk's acknowledgement of receipt, within 7 days of the report."""

    acknowledged_on: date
    how: HowGiven


class WhistleblowerFeedback(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="whistleblower_feedback"):
    """The Wbk's feedback within 3 months: what was done with the report (the words sealed)."""

    given_on: date
    how: HowGiven
    summary: Text


class PoliceReport(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="police_report"):
    """The report to the police: when, by whom, and its reference (sealed)."""

    reported_on: date
    reported_by: Literal["reporter", "organisation", "reporting_point"]
    reference: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


RouteStep = WhistleblowerAcknowledged | WhistleblowerFeedback | PoliceReport


class ReporterClosed(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="reporter_closed"):
    """The recorded step of ``ReporterClosedIn``: the day it was said, the remark sealed."""

    said_on: date
    remark: str = ""


class ReporterClosedIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The reporter, with the receipt, says the adviser-only case may be closed (optionally why, sealed)."""

    receipt: Annotated[str, msgspec.Meta(max_length=64)]
    may_close: Literal[True]
    remark: Annotated[str, msgspec.Meta(max_length=2_000)] = ""


class ReporterClosedOut(msgspec.Struct, frozen=True, kw_only=True):
    said_on: date


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
        "plausibility_basis",
        "description",
        "reference",
        "remark",
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
    redeclare: bool = False  # the scope changed: this seat declares again before it sees the content


class DeadlineOut(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    due_at: datetime
    met_at: datetime | None
    responsible_role: str
    breached: bool
    ended_by: str | None = None  # the route that ended it unmet (DESIGN §7: "closes it with a reason")
    owned: bool = True  # someone on the case answers for it (a named account or a seat; the desk for its own)


class StepOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    kind: str
    facts: dict[str, Any]
    recorded_at: datetime
    content: dict[str, Any] | None = None  # only for declared panel members
    warnings: list[str] = msgspec.field(default_factory=list)  # message ids: recorded, but mind this


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
    igj_answer: str | None
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
    unowned: int = 0  # open deadlines nobody on the case answers for (no seat in their role)
