"""Inputs and outputs of phase 2. Each kind's preparation and completion is tagged by the kind; what is said
(agreed points, notes, outcomes, agreements) is free text and sealed, the rest are process facts."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec

from meldpunt.cases.schemas import DeadlineOut

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=5_000)]
Kind = Literal["informal_conversation", "corrective_conversation", "group_conversation", "bemiddeling", "mediation"]
SeatRole = Literal["line_manager", "hr", "facilitator", "mediator"]


class PlanIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Start a follow-up the weighing chose; ``due_on`` is the panel's term (else the tenant's), ``after_id``
    an intervention of the case it follows (in sequence; none: in parallel)."""

    kind: Kind
    due_on: date | None = None
    after_id: uuid.UUID | None = None


class SeatIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    account_tenant_id: uuid.UUID
    account_id: uuid.UUID
    role: SeatRole
    valid_from: date
    valid_to: date
    registration_number: Annotated[str, msgspec.Meta(min_length=3, max_length=64)] | None = None  # a mediator's


class StopIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: Reason


# ---------------------------------------------------------------- preparations (the decision maker)


class InformalPrepared(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="informal_conversation"):
    """The reporter was asked beforehand what may be shared (seed-000 §3.2 "Respect the melder's wishes")."""

    reporter_checked_on: date
    agreed_points: Text  # what the reporter agreed may be shared: all the line manager reads


class CorrectivePrepared(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="corrective_conversation"):
    """The accused is told the purpose in advance and that they may bring someone."""

    reporter_checked_on: date
    purpose_told_on: date
    may_bring_someone_told: Literal[True]
    agreed_points: Text


class GroupPrepared(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="group_conversation"):
    """Each affected person agreed beforehand (one date each); only non-traceable content for the group."""

    affected_count: Annotated[int, msgspec.Meta(ge=1, le=200)]
    consents_on: tuple[date, ...]
    leaders_presence_checked: bool
    agreed_points: Text


class BemiddelingPrepared(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="bemiddeling"):
    """Both parties consent; no large power difference, limited severity; what is shared afterwards is agreed."""

    reporter_consented_on: date
    accused_consented_on: date
    power_difference: Literal["none", "small", "large"]
    severity: Literal["limited", "serious"]
    sharing_afterwards: Text


class MediationPrepared(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="mediation"):
    """Both parties consent and sign the agreement (voluntariness, secrecy, commitment, autonomy)."""

    reporter_consented_on: date
    accused_consented_on: date
    agreement_signed_on: date
    principles_agreed: Literal[True]


Preparation = InformalPrepared | CorrectivePrepared | GroupPrepared | BemiddelingPrepared | MediationPrepared


class HeldIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The conversation took place; notes are each seat's own (the third person's too), sealed."""

    held_on: date
    notes: Text | None = None


# ---------------------------------------------------------------- completions (who leads it)


class InformalDone(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="informal_conversation"):
    result: Literal["apology", "support", "norm_clarified", "no_result"]
    outcome: Text


class CorrectiveDone(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="corrective_conversation"):
    """The official warning, kept as a document of the case for the personnel file."""

    warning: Text
    outcome: Text


class Agreement(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    text: Text
    monitor_on: date


class GroupDone(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="group_conversation"):
    agreements: Annotated[tuple[Agreement, ...], msgspec.Meta(min_length=1)]


class BemiddelingDone(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="bemiddeling"):
    result: Literal["restored", "partly_restored", "not_restored"]
    shared_afterwards: Text | None = None  # only what was agreed beforehand may be shared


class MediationDone(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="mediation"):
    """The outcome only: nothing of the sessions is stored (seed-000 §3.2 "Nothing is shared")."""

    result: Literal["agreement_reached", "partial_agreement", "no_agreement"]


Completion = InformalDone | CorrectiveDone | GroupDone | BemiddelingDone | MediationDone


class DenialIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    denied_on: date


# ---------------------------------------------------------------- outputs


class SeatOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    account_id: uuid.UUID
    name: str
    role: str
    valid_from: datetime
    valid_to: datetime
    declaration: str | None
    declared_at: datetime | None
    active: bool
    facts: dict[str, Any]


class InterventionProcessOut(msgspec.Struct, frozen=True, kw_only=True):
    """What the process guardian sees of a follow-up: process facts, seats and deadlines; no content."""

    id: uuid.UUID
    case_id: uuid.UUID
    kind: str
    status: str
    after_id: uuid.UUID | None
    facts: dict[str, Any]
    due_at: datetime
    created_at: datetime
    ended_at: datetime | None
    document_id: uuid.UUID | None
    seats: list[SeatOut]
    deadlines: list[DeadlineOut]


class InterventionOut(msgspec.Struct, frozen=True, kw_only=True):
    """The decision maker's view: the process and what was said."""

    process: InterventionProcessOut
    content: dict[str, Any]


class BriefOut(msgspec.Struct, frozen=True, kw_only=True):
    """What one who carries out a follow-up reads: their part, never the dossier."""

    tenant: str
    case_id: uuid.UUID
    intervention_id: uuid.UUID
    kind: str
    status: str
    role: str
    leads: bool
    due_at: datetime
    valid_to: datetime
    declared: bool
    agreed_points: str | None
    own_notes: str | None
    agreement_on_file: bool = False  # a mediation's signed agreement was handed in (SignedAgreement)


class AssignmentOut(msgspec.Struct, frozen=True, kw_only=True):
    tenant: str
    case_id: uuid.UUID
    intervention_id: uuid.UUID
    kind: str
    status: str
    role: str
    valid_to: datetime
    declared: bool
