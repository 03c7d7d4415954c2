"""Inputs and outputs of the end of a case. The closed lists are the enums of ``outcome_models`` (a unit test
keeps them equal); free text is sealed by the services and shown only to a declared decision maker or
expert (``content``), the process facts to whoever sees the case's process."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec

Text = Annotated[str, msgspec.Meta(min_length=3, max_length=20_000)]
Note = Annotated[str, msgspec.Meta(max_length=5_000)]

Finding = Literal["well_founded", "partly_well_founded", "not_well_founded", "not_established"]
MeasureKind = Literal[
    "official_warning",
    "improvement_plan",
    "leave_from_work",
    "suspension",
    "transfer",
    "pay_sanction",
    "demotion",
    "career_limitation",
    "dismissal",
    "disciplinary_complaint",
]
TeamTemplate = Literal["handled", "concluded", "aftercare_offered", "where_to_go"]
AftercareParty = Literal["reporter", "accused", "witnesses", "team"]
AftercareKind = Literal["support", "check_in", "external_help", "rehabilitation", "trust_restoration"]
Perspective = Literal["reporter", "accused", "panel", "others"]


class MeasureIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A labour-law or disciplinary measure (seed-000 §3.4): what it is, why, when the accused was heard."""

    kind: MeasureKind
    description: Text
    reasons: Text
    heard_on: date | None = None  # the accused's side heard first (hoor en wederhoor)
    ends_on: date | None = None  # passing it records ``sanction_ended``


class DecisionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    finding: Finding
    reasons: Text
    measures: tuple[MeasureIn, ...] = ()
    monitor_on: date | None = None  # the first monitoring entry is due then


class ReporterToldIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The outcome in plain words in the reporter's inbox; ``note``: what concerns the reporter only."""

    note: Note = ""
    language: Literal["nl", "en"] = "nl"


class AccusedToldIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    party_id: uuid.UUID
    note: Note = ""
    language: Literal["nl", "en"] = "nl"


class TeamToldIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    template: TeamTemplate


class MonitoringIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    behaviour_stopped: bool
    work_restored: bool
    note: Text
    next_on: date | None = None  # the next entry is due then
    escalate: bool = False  # back up the ladder: the panel weighs again
    escalation_reason: Note = ""


class AftercareIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    party: AftercareParty
    kind: AftercareKind
    owner_tenant_id: uuid.UUID
    owner_id: uuid.UUID
    due_on: date
    text: Text


class AftercareDoneIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    note: Note = ""


class EvaluationIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The organisation's evaluation of the procedure: each perspective's view, the findings, the actions."""

    perspectives: dict[Perspective, str]
    findings: Text
    actions: Text


class ClosureIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    reason: Note = ""  # required for the police, no-action and other routes handled elsewhere


class MeasureOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    kind: str
    heard_on: date | None
    ends_on: date | None
    ended_at: datetime | None
    content: dict[str, Any] | None = None


class DecisionOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    finding: str
    decided_at: datetime
    measures: list[MeasureOut]
    reasons: str | None = None


class MessageOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    audience: str
    template: str | None
    sent_at: datetime


class MonitoringOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    behaviour_stopped: bool
    work_restored: bool
    escalated: bool
    next_on: date | None
    recorded_at: datetime
    note: str | None = None


class AftercareOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    case_id: uuid.UUID
    party: str
    kind: str
    owner_id: uuid.UUID
    due_on: date
    done_at: datetime | None
    text: str | None = None


class EvaluationOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    perspectives: list[str]
    recorded_at: datetime
    content: dict[str, Any] | None = None


class ClosureOut(msgspec.Struct, frozen=True, kw_only=True):
    closed_at: datetime
    route: str | None
    reason: str | None = None


class OutcomeOut(msgspec.Struct, frozen=True, kw_only=True):
    """The end of a case: process facts for whoever sees its process; the texts only with ``content``."""

    case_id: uuid.UUID
    status: str
    content: bool
    decisions: list[DecisionOut]
    messages: list[MessageOut]
    monitoring: list[MonitoringOut]
    aftercare: list[AftercareOut]
    evaluations: list[EvaluationOut]
    closure: ClosureOut | None
