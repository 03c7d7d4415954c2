"""The intake form as data (seed-003-004 §1; seed-000 §2.1, Implications A): closed lists, a few flags,
and free text only where the reporter writes it (encrypted at once)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec

Kind = Literal["report", "signal", "complaint"]
# a: anonymous, no channel back; b: anonymous with a two-way inbox (receipt); c: named but confidential.
Anonymity = Literal["anonymous", "anonymous_with_contact", "confidential"]
Category = Literal["sexual_harassment", "aggression", "bullying", "discrimination", "integrity", "unclear"]
ReporterRole = Literal[
    "employee",
    "manager",
    "flex_worker",
    "intern",
    "volunteer",
    "applicant",
    "former_employee",
    "client_or_third_party",
    "witness",
]
AccusedRole = Literal["colleague", "manager", "director_or_board", "third_party", "unknown"]
Setting = Literal["workplace", "event", "outing", "online", "travel", "other"]
Wish = Literal["listening_ear", "advice", "solution"]
When = Literal["this_week", "this_month", "this_year", "longer_ago", "still_going_on"]
DiscriminationGround = Literal[
    "race",
    "sex",
    "sexual_orientation",
    "age",
    "disability_or_chronic_illness",
    "political_opinion",
    "marital_status",
    "nationality",
    "religion",
    "belief",
    "working_hours",
    "contract_type",
    "care_leave",
]

Narrative = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]


class Attributes(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    physical: bool = False
    online: bool = False
    power_difference: bool = False
    possibly_criminal: bool = False
    repeated: bool = False
    discrimination_grounds: tuple[DiscriminationGround, ...] = ()
    when: When | None = None  # roughly when (a closed list: a date could identify the reporter)


class Identity(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Only when the reporter chooses to be known (mode c); encrypted with the case key."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    contact: Annotated[str, msgspec.Meta(min_length=3, max_length=200)]


class SubmissionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    kind: Kind
    anonymity: Anonymity
    category: Category
    reporter_role: ReporterRole
    reporter_is_affected: bool
    narrative: Narrative
    attributes: Attributes = Attributes()
    accused_role: AccusedRole | None = None
    setting: Setting | None = None
    wishes: tuple[Wish, ...] = ()
    identity: Identity | None = None


class SubmissionOut(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    receipt: str | None  # shown once; None when the reporter chose no channel back
    acknowledge_by: date


Receipt = Annotated[str, msgspec.Meta(min_length=16, max_length=24)]


class InboxIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    receipt: Receipt


class MessageIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    receipt: Receipt
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=10_000)]


class MessageOut(msgspec.Struct, frozen=True, kw_only=True):
    from_reporter: bool
    text: str
    at: date


class AttachmentOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    filename: str
    content_type: str
    size_bytes: int
    added_at: datetime
    from_reporter: bool


class InboxOut(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    status: str
    messages: list[MessageOut]
    attachments: list[AttachmentOut]
    identity_known: bool
    may_reveal_identity: bool
    may_withdraw: bool


class RevealIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    receipt: Receipt
    identity: Identity


class DismissalIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Which marked submissions to dismiss: the chosen ones, or all received in a period (dates inclusive)."""

    case_ids: Annotated[list[uuid.UUID], msgspec.Meta(max_length=10_000)] = []
    received_from: date | None = None
    received_until: date | None = None


class DismissalOut(msgspec.Struct, frozen=True, kw_only=True):
    dismissed: int


class ChallengeOut(msgspec.Struct, frozen=True, kw_only=True):
    """A proof-of-work challenge: find a decimal ``answer`` so that SHA-256 of ``challenge:answer`` starts with
    ``bits`` zero bits, and send both with the submission (headers ``Meldpunt-Challenge``, ``Meldpunt-Answer``)."""

    challenge: str
    bits: int


class SubmissionSummaryOut(msgspec.Struct, frozen=True, kw_only=True):
    """What the list of arrivals shows: kinds and dates, nothing the reporter wrote."""

    tenant: str
    id: uuid.UUID
    kind: str
    category: str
    anonymity: str
    status: str
    received_at: datetime
    acknowledge_by: datetime | None
    acknowledged: bool
    flood_marked: bool = False  # arrived during a flood without a solved challenge


class SubmissionDetailOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    kind: str
    category: str
    anonymity: str
    status: str
    attributes: dict[str, Any]
    reporter_role: str
    reporter_is_affected: bool
    accused_role: str | None
    setting: str | None
    wishes: list[str]
    narrative: str
    messages: list[MessageOut]
    identity: Identity | None
    attachments: list[AttachmentOut]


class ReplyIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=10_000)]
