"""The panel's side of the party portal as JSON under ``/api/v1/t/{tenant}/cases/{case}/…``: parties, their
invitations, what is shared with them, the thread with each, their answers, the accused's notice and the
pattern of cases about the same accused. The role is the route's action; the seat and its declaration are
checked in ``cases/parties.py``."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Stream

from meldpunt.cases import parties
from meldpunt.cases.controllers import OnCase, provide_on_case
from meldpunt.db.rows import from_row
from meldpunt.dossiers.downloads import attachment_response
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.identity.roles import Action
from meldpunt.parties.models import PartyMessage, PartyResponse, PartyShare, PartyTerm
from meldpunt.parties.schemas import (
    InvitationOut,
    LinkIn,
    NoticeOut,
    PartyIn,
    PartyOut,
    PatternOut,
    ReplyIn,
    ResponseOut,
    ShareIn,
    ShareOut,
    ShareWithAnswersOut,
    TermIn,
    TermOut,
    ThreadMessageOut,
)
from meldpunt.parties.services import CaseShare, PartyView
from meldpunt.settings import Settings


def party_out(view: PartyView) -> PartyOut:
    return PartyOut(
        id=view.party.id,
        role=view.party.role,
        name=view.name,
        contact=view.contact,
        companion=view.companion,
        accompanies=view.party.accompanies_id,
        invited=view.invited,
        activated=view.activated,
    )


def share_out(row: PartyShare) -> ShareOut:
    return from_row(ShareOut, row)


def thread_out(rows: list[tuple[PartyMessage, str]]) -> list[ThreadMessageOut]:
    return [
        ThreadMessageOut(id=row.id, from_party=row.from_party, text=body, at=row.created_at.isoformat())
        for row, body in rows
    ]


def response_out(row: PartyResponse, comment: str) -> ResponseOut:
    return ResponseOut(party_id=row.party_id, verdict=row.verdict, comment=comment, at=row.responded_at.isoformat())


def term_out(term: PartyTerm, ask: str) -> TermOut:
    met_at = term.met_at.isoformat() if term.met_at else None
    return TermOut(
        id=term.id, party_id=term.party_id, ask=ask, due_on=term.due_on, met_at=met_at, met_by_party=term.met_by_party
    )


def case_share_out(found: CaseShare) -> ShareWithAnswersOut:
    share = found.share
    return ShareWithAnswersOut(
        id=share.id,
        document_id=share.document_id,
        title=found.meta.title or found.meta.filename,
        party_role=share.party_role,
        party_id=share.party_id,
        for_approval=share.for_approval,
        respond_by=share.respond_by,
        answers=[response_out(row, comment) for row, comment in found.answers],
    )


def invitation_link(settings: Settings, slug: str, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}/p/{slug}/uitnodiging/{token}"


class CasePartiesController(Controller):
    """Who takes part in a case through the portal, and what they see; the declared decision maker decides."""

    path = "/api/v1/t/{tenant:str}/cases/{case_id:uuid}"
    tags = ("party portal",)
    dependencies = {"on": Provide(provide_on_case)}  # noqa: RUF012 - read once by Litestar, never changed

    @post("/parties", operation_id="AddParty", status_code=201, action=Action.CASE_PARTIES)
    async def add_party(self, on: NamedDependency[OnCase], data: JSONBody[PartyIn]) -> PartyOut:
        """A party on the case (name and contact sealed); an accused by name starts the notice deadline; a person
        newly named asks every seat to declare again."""
        added = await parties.add_party(on.db, on.keyring, on.who, on.tenant, on.case_id, data)
        return party_out(added.view)

    @get("/parties", operation_id="ListParties", action=Action.CASE_READ)
    async def list_parties(self, on: NamedDependency[OnCase]) -> list[PartyOut]:
        return [party_out(v) for v in await parties.parties_of(on.db, on.keyring, on.who, on.tenant, on.case_id)]

    @delete("/parties/{party_id:uuid}", operation_id="RemoveParty", status_code=204, action=Action.CASE_PARTIES)
    async def remove_party(self, on: NamedDependency[OnCase], party_id: FromPath[uuid.UUID]) -> None:
        """The party leaves the case; an invitation it had stops opening."""
        await parties.remove_party(on.db, on.who, on.tenant, on.case_id, party_id)

    @post(
        "/parties/{party_id:uuid}/invitation", operation_id="InviteParty", status_code=201, action=Action.CASE_PARTIES
    )
    async def invite(
        self, on: NamedDependency[OnCase], settings: NamedDependency[Settings], party_id: FromPath[uuid.UUID]
    ) -> InvitationOut:
        """A new invitation (an earlier one stops opening): the link and the one-time code, shown this once,
        to be delivered each its own way."""
        invitation = await parties.invite(on.db, on.who, on.tenant, on.case_id, party_id)
        link = invitation_link(settings, on.slug, invitation.token)
        return InvitationOut(party_id=party_id, link=link, code=invitation.code)

    @delete(
        "/parties/{party_id:uuid}/invitation",
        operation_id="RevokeInvitation",
        status_code=204,
        action=Action.CASE_PARTIES,
    )
    async def revoke(self, on: NamedDependency[OnCase], party_id: FromPath[uuid.UUID]) -> None:
        await parties.revoke(on.db, on.who, on.tenant, on.case_id, party_id)

    @post("/parties/{party_id:uuid}/messages", operation_id="WriteToParty", status_code=201, action=Action.CASE_PARTIES)
    async def write(
        self, on: NamedDependency[OnCase], party_id: FromPath[uuid.UUID], data: JSONBody[ReplyIn]
    ) -> list[ThreadMessageOut]:
        await parties.write_to_party(on.db, on.keyring, on.who, on.tenant, on.case_id, party_id, data.text)
        return thread_out(await parties.thread(on.db, on.keyring, on.who, on.tenant, on.case_id, party_id))

    @get("/parties/{party_id:uuid}/messages", operation_id="PartyThread", action=Action.CASE_READ)
    async def read_thread(self, on: NamedDependency[OnCase], party_id: FromPath[uuid.UUID]) -> list[ThreadMessageOut]:
        return thread_out(await parties.thread(on.db, on.keyring, on.who, on.tenant, on.case_id, party_id))

    @post(
        "/parties/{party_id:uuid}/notice", operation_id="SendAccusedNotice", status_code=201, action=Action.CASE_PARTIES
    )
    async def notice(
        self,
        on: NamedDependency[OnCase],
        store: NamedDependency[ObjectStore],
        party_id: FromPath[uuid.UUID],
        lang: Annotated[str, QueryParameter(pattern="^(nl|en)$")] = "nl",
    ) -> NoticeOut:
        """The accused's written notice (AVG art. 14): made from the template, shared in the portal,
        printable, recorded as the step that meets the deadline; kept back by an art. 23 deferral."""
        document = await parties.send_notice(on.db, on.keyring, store, on.who, on.tenant, on.case_id, party_id, lang)
        return NoticeOut(document_id=document.id, party_id=party_id)

    @post("/shares", operation_id="ShareWithParties", status_code=201, action=Action.CASE_PARTIES)
    async def share(self, on: NamedDependency[OnCase], data: JSONBody[ShareIn]) -> ShareOut:
        """Make a document of the case visible to a role's parties or one party (perhaps for approval)."""
        return share_out(await parties.share(on.db, on.who, on.tenant, on.case_id, data))

    @get("/shares", operation_id="ListShares", action=Action.CASE_READ)
    async def list_shares(self, on: NamedDependency[OnCase]) -> list[ShareWithAnswersOut]:
        """What the panel shared with the parties, each with the document's title and the answers to it."""
        return [
            case_share_out(found) for found in await parties.shares(on.db, on.keyring, on.who, on.tenant, on.case_id)
        ]

    @post("/parties/{party_id:uuid}/terms", operation_id="SetPartyTerm", status_code=201, action=Action.CASE_PARTIES)
    async def set_term(
        self, on: NamedDependency[OnCase], party_id: FromPath[uuid.UUID], data: JSONBody[TermIn]
    ) -> TermOut:
        """Ask one party for something by a date (a written reaction): in their portal and a case deadline."""
        term = await parties.set_term(on.db, on.keyring, on.who, on.tenant, on.case_id, party_id, data)
        return term_out(term, data.ask.strip())

    @get("/parties/{party_id:uuid}/terms", operation_id="ListPartyTerms", action=Action.CASE_READ)
    async def list_terms(self, on: NamedDependency[OnCase], party_id: FromPath[uuid.UUID]) -> list[TermOut]:
        rows = await parties.terms(on.db, on.keyring, on.who, on.tenant, on.case_id, party_id)
        return [term_out(term, ask) for term, ask in rows]

    @post(
        "/parties/{party_id:uuid}/terms/{term_id:uuid}/met",
        operation_id="MeetPartyTerm",
        status_code=200,
        action=Action.CASE_PARTIES,
    )
    async def meet_term(
        self, on: NamedDependency[OnCase], party_id: FromPath[uuid.UUID], term_id: FromPath[uuid.UUID]
    ) -> list[TermOut]:
        """The panel marks the party's term met; the case deadline is met with it."""
        await parties.meet_term(on.db, on.who, on.tenant, on.case_id, term_id)
        rows = await parties.terms(on.db, on.keyring, on.who, on.tenant, on.case_id, party_id)
        return [term_out(term, ask) for term, ask in rows]

    @get("/parties/{party_id:uuid}/files/{document_id:uuid}", operation_id="DownloadPartyFile", action=Action.CASE_READ)
    async def party_file(
        self,
        on: NamedDependency[OnCase],
        store: NamedDependency[ObjectStore],
        party_id: FromPath[uuid.UUID],
        document_id: FromPath[uuid.UUID],
    ) -> Stream:
        """A file the party sent with a reply (the read is audited)."""
        opened = await parties.open_file_from(
            on.db, on.keyring, store, on.who, on.tenant, on.case_id, party_id, document_id
        )
        return attachment_response(opened)

    @get("/shares/{share_id:uuid}/responses", operation_id="ShareResponses", action=Action.CASE_READ)
    async def responses(self, on: NamedDependency[OnCase], share_id: FromPath[uuid.UUID]) -> list[ResponseOut]:
        rows = await parties.responses(on.db, on.keyring, on.who, on.tenant, on.case_id, share_id)
        return [response_out(row, comment) for row, comment in rows]

    @get("/pattern", operation_id="AccusedPattern", action=Action.CASE_READ)
    async def pattern(self, on: NamedDependency[OnCase]) -> PatternOut:
        """Other cases of this organisation about an accused of the same name, and the linked cases."""
        found = await parties.pattern(on.db, on.who, on.tenant, on.case_id)
        return PatternOut(same_accused=found.same_accused, linked=found.linked)

    @post("/links", operation_id="LinkCase", status_code=201, action=Action.CASE_PARTIES)
    async def link(self, on: NamedDependency[OnCase], data: JSONBody[LinkIn]) -> PatternOut:
        found = await parties.link(on.db, on.who, on.tenant, on.case_id, data.case_id)
        return PatternOut(same_accused=found.same_accused, linked=found.linked)


ROUTES = (CasePartiesController,)
