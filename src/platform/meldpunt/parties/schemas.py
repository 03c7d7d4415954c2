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
    """The link's token and the one-time code from the separate letter or message; ``bind``: a staff party
    signed in with their account (OIDC) binds the invitation to it, so that the account opens this portal."""

    token: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    bind: bool = False


class TermIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What the panel asks of one party (sealed, e.g. a written reaction) and by when."""

    ask: Annotated[str, msgspec.Meta(min_length=1, max_length=2_000)]
    due_on: date


class TermOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    party_id: uuid.UUID
    ask: str
    due_on: date
    met_at: str | None
    met_by_party: bool | None


class AgreementIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The reporter, with the receipt, agrees (or no longer agrees) that the parties may learn who reported."""

    receipt: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    agreed: bool


class AgreementOut(msgspec.Struct, kw_only=True):
    agreed: bool


class ShareWithAnswersOut(msgspec.Struct, kw_only=True):
    """A share as the panel lists it, with the document's title and the answers to it."""

    id: uuid.UUID
    document_id: uuid.UUID
    title: str
    party_role: PartyRole | None
    party_id: uuid.UUID | None
    for_approval: bool
    respond_by: date | None
    answers: list[ResponseOut]


class ActivationOut(msgspec.Struct, kw_only=True):
    """The portal key, shown once: with the link it opens the portal from now on; ``bound``: the signed-in
    account opens it too."""

    key: str
    bound: bool = False


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
    """A term that concerns the party: a shared record's (``share_id``) or one the panel set (``term_id``)."""

    title: str
    respond_by: date
    answered: bool
    share_id: uuid.UUID | None = None
    term_id: uuid.UUID | None = None


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
