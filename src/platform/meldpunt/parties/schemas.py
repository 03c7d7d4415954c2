"""What the party portal takes in: msgspec structs shared by the API and the pages."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

import msgspec

from meldpunt.parties.models import PartyRole

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Contact = Annotated[str, msgspec.Meta(max_length=300)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=10_000)]


class PartyIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A party on the case: role, a name and a way to reach them (both sealed with the case key)."""

    role: PartyRole
    name: Name
    contact: Contact = ""
    accompanies: uuid.UUID | None = None  # for a companion: the party they accompany


class ShareIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Share a document of the case with every party of a role, or with one party."""

    document_id: uuid.UUID
    party_role: PartyRole | None = None
    party_id: uuid.UUID | None = None
    for_approval: bool = False
    respond_by: date | None = None
    shows_reporter: bool = False


class ReplyIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    text: Text


class ResponseIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    verdict: Literal["approved", "commented"]
    comment: Annotated[str, msgspec.Meta(max_length=10_000)] = ""


class CompanionIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Who accompanies the party (a confidant, an adviser, a lawyer), as the party says it; empty: nobody."""

    companion: Annotated[str, msgspec.Meta(max_length=300)] = ""


class ActivationIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The link's token and the one-time code from the separate letter or message."""

    token: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class ActivationOut(msgspec.Struct, kw_only=True):
    """The portal key, shown once: with the link it opens the portal from now on."""

    key: str


class SharedOut(msgspec.Struct, kw_only=True):
    share_id: uuid.UUID
    document_id: uuid.UUID
    title: str
    filename: str
    content_type: str
    for_approval: bool
    respond_by: date | None
    answer: str | None


class MessageOut(msgspec.Struct, kw_only=True):
    from_party: bool
    text: str
    at: str


class PartyDeadlineOut(msgspec.Struct, kw_only=True):
    title: str
    respond_by: date
    answered: bool


class PortalOut(msgspec.Struct, kw_only=True):
    """What the party sees: exactly what is shared with them, their thread, their terms and their rights."""

    role: PartyRole
    shared: list[SharedOut]
    messages: list[MessageOut]
    deadlines: list[PartyDeadlineOut]
    companion: str
    rights: list[str]


class PartyOut(msgspec.Struct, kw_only=True):
    """A party as the panel sees it: opened name and contact, whether an invitation still opens."""

    id: uuid.UUID
    role: PartyRole
    name: str
    contact: str
    companion: str
    accompanies: uuid.UUID | None
    invited: bool
    activated: bool


class InvitationOut(msgspec.Struct, kw_only=True):
    """Shown once: the link and the one-time code, to be delivered each its own way (never together)."""

    party_id: uuid.UUID
    link: str
    code: str


class ShareOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    document_id: uuid.UUID
    party_role: PartyRole | None
    party_id: uuid.UUID | None
    for_approval: bool
    respond_by: date | None


class ThreadMessageOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    from_party: bool
    text: str
    at: str


class ResponseOut(msgspec.Struct, kw_only=True):
    party_id: uuid.UUID
    verdict: str
    comment: str
    at: str


class PatternOut(msgspec.Struct, kw_only=True):
    """The tenant's other cases about an accused of the same name, and the cases already linked."""

    same_accused: list[uuid.UUID]
    linked: list[uuid.UUID]


class LinkIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    case_id: uuid.UUID


class NoticeOut(msgspec.Struct, kw_only=True):
    document_id: uuid.UUID
    party_id: uuid.UUID
