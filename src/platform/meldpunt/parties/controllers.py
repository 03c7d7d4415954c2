"""The party portal as JSON under ``/api/v1/p/{tenant}/…``: a party opens it with the link's token and the
one-time code once, and with the token and their portal key from then on (headers ``X-Party-Link`` and
``X-Party-Key``, never the URL). Nothing identifying about the request is stored or logged (the middleware
strips addresses and identifying headers on this path, as on the reporting point)."""

from __future__ import annotations

import uuid
from typing import Annotated, NamedTuple

from litestar import Controller, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.dossiers.downloads import attachment_response
from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.intake.ratelimit import FloodGuard
from meldpunt.parties import services
from meldpunt.parties.rights import rights_in
from meldpunt.parties.schemas import (
    ActivationIn,
    ActivationOut,
    CompanionIn,
    MessageOut,
    PartyDeadlineOut,
    PortalOut,
    ReplyIn,
    ResponseIn,
    SharedOut,
)
from meldpunt.tenancy.services import find_public_tenant

Link = Annotated[str, HeaderParameter(name="x-party-link", max_length=100)]
Key = Annotated[str, HeaderParameter(name="x-party-key", max_length=40)]


class AtPortal(NamedTuple):
    """The party of the request's link and key, with the session and the keys to answer them."""

    db: AsyncSession
    keyring: Keyring
    access: services.PartyAccess

    async def portal(self, language: str = "nl") -> PortalOut:
        return portal_out(await services.portal_view(self.db, self.keyring, self.access), language)


async def provide_party(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    flood_guard: NamedDependency[FloodGuard],
    tenant: FromPath[str],
    link: Link,
    key: Key,
) -> AtPortal:
    """The party of the request's link and key (PortalClosed or TooManyAttempts otherwise)."""
    found, _ = await find_public_tenant(db, tenant)
    return AtPortal(db, keyring, await services.enter(db, flood_guard.limiter, found, link, key))


def portal_out(view: services.PortalView, language: str = "nl") -> PortalOut:
    return PortalOut(
        role=view.role,
        shared=[
            SharedOut(
                share_id=item.share.id,
                document_id=item.share.document_id,
                title=item.meta.title or item.meta.filename,
                filename=item.meta.filename,
                content_type=item.meta.content_type,
                for_approval=item.share.for_approval,
                respond_by=item.share.respond_by,
                answer=item.answer,
            )
            for item in view.items
        ],
        messages=[
            MessageOut(from_party=message.from_party, text=text, at=message.created_at.isoformat())
            for message, text in view.messages
        ],
        deadlines=[
            PartyDeadlineOut(title=d.title, respond_by=d.respond_by, answered=d.answered) for d in view.deadlines
        ],
        companion=view.companion,
        rights=rights_in(language),
    )


class PartyPortalController(Controller):
    path = "/api/v1/p/{tenant:str}"
    tags = ("party portal",)
    dependencies = {"party": Provide(provide_party)}  # noqa: RUF012 (Litestar reads it off the class)

    @post("/activation", operation_id="ActivatePartyInvitation", status_code=201)
    async def activate(
        self,
        db: NamedDependency[AsyncSession],
        flood_guard: NamedDependency[FloodGuard],
        tenant: FromPath[str],
        data: JSONBody[ActivationIn],
    ) -> ActivationOut:
        """Spend the one-time code; the answer holds the portal key, shown this once."""
        found, _ = await find_public_tenant(db, tenant)
        _, key = await services.activate(db, flood_guard.limiter, found, data.token, data.code)
        return ActivationOut(key=key)

    @get("/portal", operation_id="ReadPartyPortal")
    async def portal(
        self, party: NamedDependency[AtPortal], lang: Annotated[str, QueryParameter(pattern="^(nl|en)$")] = "nl"
    ) -> PortalOut:
        """Exactly what is shared with this party, their thread, their terms and their rights."""
        return await party.portal(lang)

    @get("/documents/{document_id:uuid}", operation_id="DownloadPartyDocument")
    async def download(
        self,
        store: NamedDependency[ObjectStore],
        tenant: FromPath[str],  # read by ``party``; named here to keep the schema's parameter order
        document_id: FromPath[uuid.UUID],
        party: NamedDependency[AtPortal],
    ) -> Stream:
        """A document shared with this party (the read is audited with the party as actor)."""
        db, keyring, access = party
        return attachment_response(await services.open_shared(db, keyring, store, access, document_id))

    @post("/messages", operation_id="ReplyAsParty", status_code=201)
    async def reply(
        self, store: NamedDependency[ObjectStore], party: NamedDependency[AtPortal], data: JSONBody[ReplyIn]
    ) -> PortalOut:
        await services.reply(party.db, party.keyring, store, party.access, data.text)
        return await party.portal()

    @post("/responses/{share_id:uuid}", operation_id="RespondAsParty", status_code=201)
    async def respond(
        self,
        tenant: FromPath[str],  # read by ``party``; named here to keep the schema's parameter order
        share_id: FromPath[uuid.UUID],
        party: NamedDependency[AtPortal],
        data: JSONBody[ResponseIn],
    ) -> PortalOut:
        """Approve a record shared for approval, or comment on it."""
        await services.respond(party.db, party.keyring, party.access, share_id, data)
        return await party.portal()

    @put("/companion", operation_id="SetPartyCompanion")
    async def companion(self, party: NamedDependency[AtPortal], data: JSONBody[CompanionIn]) -> PortalOut:
        """Who accompanies the party (a confidant, an adviser, a lawyer); empty: nobody."""
        await services.set_companion(party.db, party.keyring, party.access, data)
        return await party.portal()


ROUTES = (PartyPortalController,)
