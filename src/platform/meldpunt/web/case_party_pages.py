"""The panel's page of a case's parties (``/app/t/{tenant}/zaken/{case}/partijen``): who takes part through the
portal, their invitations (link and code shown once), the thread with each, the accused's notice and its
printable letter, and the pattern of cases about the same accused. Each form has its own handler and calls
the API's service (``cases/parties.py``); a refusal shows the page again with what was typed."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template

from meldpunt.cases import parties
from meldpunt.cases.controllers import OnCase
from meldpunt.cases.party_controllers import invitation_link
from meldpunt.dossiers.downloads import attachment_response
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.identity.policy import may
from meldpunt.identity.roles import Action
from meldpunt.parties.models import PartyRole
from meldpunt.parties.schemas import LinkIn, PartyIn, ReplyIn, ShareIn, TermIn
from meldpunt.settings import Settings
from meldpunt.web.forms import decode_form
from meldpunt.web.page_forms import case_page_dependencies, submit_on_case
from meldpunt.web.pages import language, same_language, shell_context

Form = dict[str, Any]


@dataclass(frozen=True)
class PartiesPage:
    request: Request[Any, Any, Any]
    on: OnCase

    @property
    def here(self) -> str:
        return f"/app/t/{self.on.slug}/zaken/{self.on.case_id}/partijen"

    async def render(
        self,
        *,
        message: str | None = None,
        entered: Form | None = None,
        status: int = 200,
        invitation: dict[str, str] | None = None,
    ) -> Template:
        on = self.on
        views = await parties.parties_of(on.db, on.keyring, on.who, on.tenant, on.case_id)
        threads = {
            view.party.id: await parties.thread(on.db, on.keyring, on.who, on.tenant, on.case_id, view.party.id)
            for view in views
        }
        terms = {
            view.party.id: await parties.terms(on.db, on.keyring, on.who, on.tenant, on.case_id, view.party.id)
            for view in views
        }
        files = {
            view.party.id: await parties.files_from(on.db, on.keyring, on.who, on.tenant, on.case_id, view.party.id)
            for view in views
        }
        return Template(
            "case_parties.html",
            status_code=status,
            context={
                **shell_context(self.request, on.actor, on.slug),
                "case_id": on.case_id,
                "parties": views,
                "threads": threads,
                "terms": terms,
                "files": files,
                "shares": await parties.shares(on.db, on.keyring, on.who, on.tenant, on.case_id),
                "documents": await parties.documents(on.db, on.keyring, on.who, on.tenant, on.case_id),
                "held_until": await parties.notice_held_until(on.db, on.who, on.tenant, on.case_id),
                "names": {view.party.id: view.name for view in views},
                "pattern": await parties.pattern(on.db, on.who, on.tenant, on.case_id),
                "manages": may(on.actor, Action.CASE_PARTIES, on.slug),
                "roles": [role.value for role in PartyRole],
                "invitation": invitation,
                "message": message,
                "entered": entered or {},
            },
        )

    async def submit(
        self, act: Callable[[Form], Awaitable[object]], entered: Form | None = None
    ) -> Template | Redirect:
        """Do what the form asks, then back to the page (``entered``: what else the page shows again)."""
        return await submit_on_case(self, act, self.here, entered)


def share_from(form: Form) -> ShareIn:
    """The share form's audience is one choice, ``party:<id>`` or ``role:<role>``: the API's ``party_id`` or
    ``party_role``."""
    kind, _, value = str(form.get("audience") or "").partition(":")
    audience = {"party": {"party_id": value}, "role": {"party_role": value}}.get(kind, {})
    fields = {k: v for k, v in form.items() if k not in ("audience", "party_id", "party_role")}
    return decode_form({**fields, **audience}, ShareIn)


class CasePartyPages(Controller):
    path = "/app/t/{tenant:str}/zaken/{case_id:uuid}/partijen"
    include_in_schema = False
    dependencies = case_page_dependencies(PartiesPage)

    @get("/", action=Action.CASE_READ)
    async def show(self, page: NamedDependency[PartiesPage]) -> Template:
        return await page.render()

    @post("/", status_code=200, action=Action.CASE_PARTIES)
    async def add(self, page: NamedDependency[PartiesPage]) -> Template | Redirect:
        """Add a party; a person newly named takes the decision maker to the case page to declare again."""
        on = page.on
        added: list[parties.Added] = []

        async def act(form: Form) -> None:
            data = decode_form({k: v for k, v in form.items() if v != ""}, PartyIn)
            added.append(await parties.add_party(on.db, on.keyring, on.who, on.tenant, on.case_id, data))

        answer = await page.submit(act)
        if added and added[0].declare_again and isinstance(answer, Redirect):
            case_page = f"/app/t/{on.slug}/zaken/{on.case_id}"
            return Redirect(same_language(page.request, case_page), status_code=303)
        return answer

    @post("/{party_id:uuid}/uitnodiging", status_code=200, action=Action.CASE_PARTIES)
    async def invite(
        self, page: NamedDependency[PartiesPage], settings: NamedDependency[Settings], party_id: FromPath[uuid.UUID]
    ) -> Template:
        """A new invitation: the link and the code, shown on this page once (never sent together)."""
        on = page.on
        invitation = await parties.invite(on.db, on.who, on.tenant, on.case_id, party_id)
        link = invitation_link(settings, on.slug, invitation.token)
        return await page.render(invitation={"link": link, "code": invitation.code})

    @post("/{party_id:uuid}/bericht", status_code=200, action=Action.CASE_PARTIES)
    async def write(self, page: NamedDependency[PartiesPage], party_id: FromPath[uuid.UUID]) -> Template | Redirect:
        on = page.on

        async def act(form: Form) -> None:
            body = decode_form(form, ReplyIn).text
            await parties.write_to_party(on.db, on.keyring, on.who, on.tenant, on.case_id, party_id, body)

        return await page.submit(act, {"party": str(party_id)})

    @post("/{party_id:uuid}/termijn", status_code=200, action=Action.CASE_PARTIES)
    async def set_term(self, page: NamedDependency[PartiesPage], party_id: FromPath[uuid.UUID]) -> Template | Redirect:
        """Ask the party for something by a date: in their portal, and a deadline of the case."""
        on = page.on

        async def act(form: Form) -> None:
            data = decode_form(form, TermIn)
            await parties.set_term(on.db, on.keyring, on.who, on.tenant, on.case_id, party_id, data)

        return await page.submit(act, {"term_party": str(party_id)})

    @post("/{party_id:uuid}/termijn/{term_id:uuid}/voldaan", status_code=200, action=Action.CASE_PARTIES)
    async def meet_term(
        self, page: NamedDependency[PartiesPage], party_id: FromPath[uuid.UUID], term_id: FromPath[uuid.UUID]
    ) -> Template | Redirect:
        """The panel marks the party's term met."""
        on = page.on

        async def act(form: Form) -> None:
            await parties.meet_term(on.db, on.who, on.tenant, on.case_id, term_id)

        return await page.submit(act)

    @post("/delen", status_code=200, action=Action.CASE_PARTIES)
    async def share(self, page: NamedDependency[PartiesPage]) -> Template | Redirect:
        """Share a document of the case with one party or every party of a role (perhaps for approval)."""
        on = page.on

        async def act(form: Form) -> None:
            await parties.share(on.db, on.who, on.tenant, on.case_id, share_from(form))

        return await page.submit(act)

    @post("/{party_id:uuid}/kennisgeving", status_code=200, action=Action.CASE_PARTIES)
    async def notice(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[PartiesPage],
        store: NamedDependency[ObjectStore],
        party_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """The accused's written notice; then its printable letter."""
        on = page.on
        made: list[uuid.UUID] = []

        async def act(form: Form) -> None:
            document = await parties.send_notice(
                on.db, on.keyring, store, on.who, on.tenant, on.case_id, party_id, language(request)
            )
            made.append(document.id)

        answer = await page.submit(act)
        if made:
            return Redirect(same_language(request, f"{page.here}/{party_id}/brief/{made[0]}"), status_code=303)
        return answer

    @get("/{party_id:uuid}/brief/{document_id:uuid}", action=Action.CASE_READ)
    async def letter(
        self,
        page: NamedDependency[PartiesPage],
        store: NamedDependency[ObjectStore],
        party_id: FromPath[uuid.UUID],
        document_id: FromPath[uuid.UUID],
    ) -> Template:
        """The notice as a printable letter (the read is audited)."""
        on = page.on
        meta, body = await parties.read_letter(on.db, on.keyring, store, on.who, on.tenant, on.case_id, document_id)
        return Template(
            "letter.html", context={"lang": language(page.request), "title": meta.title or "", "letter": body}
        )

    @get("/{party_id:uuid}/bestand/{document_id:uuid}", action=Action.CASE_READ)
    async def party_file(
        self,
        page: NamedDependency[PartiesPage],
        store: NamedDependency[ObjectStore],
        party_id: FromPath[uuid.UUID],
        document_id: FromPath[uuid.UUID],
    ) -> Stream:
        """A file the party sent with a reply, as a download (the read is audited)."""
        on = page.on
        opened = await parties.open_file_from(
            on.db, on.keyring, store, on.who, on.tenant, on.case_id, party_id, document_id
        )
        return attachment_response(opened)

    @post("/koppelen", status_code=200, action=Action.CASE_PARTIES)
    async def link(self, page: NamedDependency[PartiesPage]) -> Template | Redirect:
        on = page.on

        async def act(form: Form) -> None:
            other = decode_form(form, LinkIn).case_id
            await parties.link(on.db, on.who, on.tenant, on.case_id, other)

        return await page.submit(act)


ROUTES = (CasePartyPages,)
