"""The party portal as JSON under ``/api/v1/p/{tenant}/…``: a party opens it with the link's token and the
one-time code once, and with the token and their portal key from then on (headers ``X-Party-Link`` and
``X-Party-Key``, never the URL). Nothing identifying about the request is stored or logged (the middleware
strips addresses and identifying headers on this path, as on the reporting point)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, NamedTuple

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.dossiers.downloads import attachment_response
from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.identity.errors import SessionsUnavailable
from meldpunt.identity.models import AccountRef
from meldpunt.identity.sessions import SESSION_COOKIE, SessionStore
from meldpunt.intake.controllers import REPORTER, Reporter
from meldpunt.intake.ratelimit import FloodGuard
from meldpunt.parties import services
from meldpunt.parties.errors import PartyRefused
from meldpunt.parties.rights import rights_in
from meldpunt.parties.schemas import (
    ActivationIn,
    ActivationOut,
    AgreementIn,
    AgreementOut,
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
Key = Annotated[str, HeaderParameter(name="x-party-key", max_length=40, required=False)]


async def signed_in(request: Request[Any, Any, Any], sessions: SessionStore) -> AccountRef | None:
    """The account of the request's professional session, if any, for a staff party's bound invitation. Read
    quietly: nothing about the account is bound to the request's log lines (unlike ``provide_actor``), and
    without a working session store the portal still opens with the key."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        session = await sessions.load(token)
    except SessionsUnavailable:
        return None
    return AccountRef(session.account_tenant_id, session.account_id) if session else None


class AtPortal(NamedTuple):
    """The party of the request's link and key, with the session and the keys to answer them."""

    db: AsyncSession
    keyring: Keyring
    access: services.PartyAccess

    async def portal(self, language: str = "nl") -> PortalOut:
        return portal_out(await services.portal_view(self.db, self.keyring, self.access), language)


async def provide_party(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    flood_guard: NamedDependency[FloodGuard],
    sessions: NamedDependency[SessionStore],
    tenant: FromPath[str],
    link: Link,
    key: Key = "",
) -> AtPortal:
    """The party of the request's link and key, or of the link and the signed-in account it is bound to
    (PortalClosed or TooManyAttempts otherwise)."""
    found, _ = await find_public_tenant(db, tenant)
    account = None if key else await signed_in(request, sessions)
    return AtPortal(db, keyring, await services.enter(db, flood_guard.limiter, found, link, key, account=account))


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
            PartyDeadlineOut(
                title=d.title, respond_by=d.respond_by, answered=d.answered, share_id=d.share_id, term_id=d.term_id
            )
            for d in view.deadlines
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
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        flood_guard: NamedDependency[FloodGuard],
        sessions: NamedDependency[SessionStore],
        tenant: FromPath[str],
        data: JSONBody[ActivationIn],
    ) -> ActivationOut:
        """Spend the one-time code; the answer holds the portal key, shown this once. With ``bind`` and a
        professional session (a staff party signed in with OIDC), the invitation is bound to that account."""
        found, _ = await find_public_tenant(db, tenant)
        account = await signed_in(request, sessions) if data.bind else None
        if data.bind and account is None:
            raise PartyRefused("bind-signed-out")
        _, key = await services.activate(db, flood_guard.limiter, found, data.token, data.code, bind_to=account)
        return ActivationOut(key=key, bound=account is not None)

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

    @post("/terms/{term_id:uuid}", operation_id="AnswerPartyTerm", status_code=201)
    async def answer_term(
        self,
        store: NamedDependency[ObjectStore],
        tenant: FromPath[str],  # read by ``party``; named here to keep the schema's parameter order
        term_id: FromPath[uuid.UUID],
        party: NamedDependency[AtPortal],
        data: JSONBody[ReplyIn],
    ) -> PortalOut:
        """Answer what the panel asked of this party by a date: a reply in the thread that meets the term."""
        await services.answer_term(party.db, party.keyring, store, party.access, term_id, data.text)
        return await party.portal()

    @put("/companion", operation_id="SetPartyCompanion")
    async def companion(self, party: NamedDependency[AtPortal], data: JSONBody[CompanionIn]) -> PortalOut:
        """Who accompanies the party (a confidant, an adviser, a lawyer); empty: nobody."""
        await services.set_companion(party.db, party.keyring, party.access, data)
        return await party.portal()


class ReporterAgreementController(Controller):
    """The reporter, in the inbox (with the receipt), agrees that the parties may learn who reported, or
    withdraws that (DESIGN §6). Here rather than in ``intake`` because the agreement is the portal's rule."""

    path = "/api/v1/public/{tenant:str}/inbox"
    tags = ("public",)
    dependencies = REPORTER

    @put("/agreement", operation_id="SetReporterAgreement")
    async def set_agreement(self, reporter: NamedDependency[Reporter], data: JSONBody[AgreementIn]) -> AgreementOut:
        case = await reporter.case_of(data.receipt)
        await services.set_reporter_agreement(reporter.db, case, data.agreed)
        return AgreementOut(agreed=await services.reporter_agreed(reporter.db, case))


ROUTES = (PartyPortalController, ReporterAgreementController)
