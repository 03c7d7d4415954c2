"""The vault's inputs and outputs: closed lists wherever the adviser is not writing a note."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

import msgspec

from meldpunt.intake.schemas import AccusedRole, Attributes, Category, ReporterRole, Setting

Channel = Literal["in_person", "phone", "video", "email", "chat"]
Basis = Literal["consent", "duty_to_report", "court_order"]
Recipient = Literal[
    "reporting_point", "decision_panel", "complaints_committee", "police", "company_doctor", "care_provider"
]
Scope = Literal["fact_of_contact", "summary", "identity", "documents"]
Suggestion = Literal[
    "team_conversation", "leadership_training", "code_of_conduct", "workload", "working_alone", "information"
]
Note = Annotated[str, msgspec.Meta(max_length=20_000)]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class ConsultationIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    label: Label  # the adviser's own name for it; encrypted
    category: Category
    reporter_role: ReporterRole | None = None
    opened_on: date | None = None


class ContactIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    held_on: date
    channel: Channel
    minutes: Annotated[int, msgspec.Meta(ge=1, le=600)] | None = None
    note: Note | None = None


class ConsentIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    basis: Basis
    recipient: Recipient
    scopes: Annotated[tuple[Scope, ...], msgspec.Meta(min_length=1)]
    given_on: date
    valid_until: date | None = None
    note: Note | None = None


class DisclosureIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    recipient: Recipient
    scope: Scope
    content: Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]


class SignalIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Closed lists only: a signal can name no one (seed-000 §1.3)."""

    category: Category
    setting: Setting | None = None
    accused_role: AccusedRole | None = None
    attributes: Attributes = Attributes()
    suggestions: tuple[Suggestion, ...] = ()


class ConsultationOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    label: str
    category: str
    reporter_role: str | None
    status: str
    opened_on: date
    closed_on: date | None
    contacts: int


class ContactOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    held_on: date
    channel: str
    minutes: int | None
    note: str | None


class ConsentOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    basis: str
    recipient: str
    scopes: list[str]
    given_on: date
    valid_until: date | None
    withdrawn_on: date | None
    note: str | None


class DisclosureOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    consent_id: uuid.UUID
    recipient: str
    scope: str
    disclosed_on: date
    content: str


class ConsultationDetailOut(msgspec.Struct, frozen=True, kw_only=True):
    consultation: ConsultationOut
    contacts: list[ContactOut]
    consents: list[ConsentOut]
    disclosures: list[DisclosureOut]


class SignalOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    month: date
    category: str
    setting: str | None
    accused_role: str | None
    attributes: dict[str, object]
    suggestions: list[str]


class DraftOut(msgspec.Struct, frozen=True, kw_only=True):
    code: str  # shown once, to give to the reporter
    expires_on: date


class VaultTenantOut(msgspec.Struct, frozen=True, kw_only=True):
    tenant: str
    display_name: str
    open_consultations: int


class ContactCountsOut(msgspec.Struct, frozen=True, kw_only=True):
    year: int
    contacts: int
    consultations: int
    by_category: dict[str, int]
    by_channel: dict[str, int]
