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
