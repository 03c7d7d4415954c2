"""The party portal's pages (``/p/{tenant}/uitnodiging/{token}``), without JavaScript: the link opens a form for
the one-time code (or, later, the portal key); the portal shows exactly what is shared with the party, their
terms, their thread, who accompanies them and their rights. The key travels in each form's body, never in an
address or a cookie (the public side sets none), and nothing identifying about the request is kept."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Stream, Template
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.catalogues import text
from meldpunt.dossiers.downloads import attachment_response
from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.errors import DomainError
from meldpunt.identity.models import AccountRef
from meldpunt.identity.sessions import SessionStore
from meldpunt.intake import ratelimit
from meldpunt.intake.attachments import MAX_REQUEST_BYTES, check_uploads
from meldpunt.intake.challenge import Verdict
from meldpunt.intake.errors import TooManyAttempts
from meldpunt.intake.ratelimit import FloodGuard
from meldpunt.intake.uploads import read_posted_form
from meldpunt.parties import services
from meldpunt.parties.controllers import signed_in
from meldpunt.parties.errors import PartyRefused, PortalClosed
from meldpunt.parties.rights import rights_in
from meldpunt.parties.schemas import CompanionIn, ResponseIn
from meldpunt.tenancy.dependencies import PUBLIC, PublicTenant
from meldpunt.tenancy.models import Tenant
from meldpunt.web.forms import decode_form, form_fields
from meldpunt.web.public_texts import error_text, language_for, public_context


def _language(request: Request[Any, Any, Any], tenant: Tenant) -> str:
    return language_for(request.query_params.get("lang"), tenant.locale)


async def _page(
    request: Request[Any, Any, Any],
    guard: FloodGuard,
    tenant: Tenant,
    token: str,
    template: str,
    status_code: int = 200,
    **context: Any,
) -> Template:
    language = _language(request, tenant)
    bits = await ratelimit.challenge_bits(guard.limiter, guard.rules, tenant.id)
    return Template(
        template,
        status_code=status_code,
        context={
            **public_context(language, tenant.locale),
            "tenant": tenant,
            "here": f"/p/{tenant.slug}/uitnodiging/{token}",
            "challenge_bits": bits,
            "new_challenge": lambda: guard.challenges.issue(tenant.id, bits),
            "entered": {},
            **context,
        },
    )


@dataclass(frozen=True)
class _Visit:
    """Someone at a party's invitation link for one request: the organisation, the link's token and what the
    page needs to answer (the portal key travels in each form, never here)."""

    request: Request[Any, Any, Any]
    db: AsyncSession
    keyring: Keyring
    guard: FloodGuard
    found: Tenant
    token: str
    account: AccountRef | None  # a professional session: a staff party whose invitation may be bound to it

    @property
    def language(self) -> str:
        return _language(self.request, self.found)

    async def code_form(self, status_code: int = 200, **context: Any) -> Template:
        """The form for the one-time code (or the key); signed in, the choice to bind the invitation."""
        page = self.request, self.guard, self.found, self.token, "p/open.html", status_code
        return await _page(*page, signed_in=self.account is not None, **context)

    async def closed(self, refused: DomainError) -> Template:
        """The code form again with why it did not open (the same words for every reason)."""
        return await self.code_form(refused.status, error=error_text(refused, self.language))

    async def portal(self, access: services.PartyAccess, key: str, status_code: int = 200, **context: Any) -> Template:
        """The portal as ``services.portal_view`` has it for the party of ``access``."""
        view = await services.portal_view(self.db, self.keyring, access)
        rights = rights_in(_language(self.request, access.tenant))
        bound = access.invitation.bound_account_id is not None
        page = self.request, self.guard, access.tenant, self.token, "p/portal.html", status_code
        return await _page(*page, view=view, key=key, rights=rights, bound=bound, **context)

    async def entered(self, key: str) -> services.PartyAccess | Template:
        """The party of the link and the form's key (or the signed-in account the invitation is bound to), or
        the code form again with why it did not open."""
        try:
            account = None if key else self.account
            return await services.enter(self.db, self.guard.limiter, self.found, self.token, key, account=account)
        except (PortalClosed, TooManyAttempts) as refused:
            return await self.closed(refused)

    async def act(
        self, key: str, action: Callable[[services.PartyAccess], Awaitable[object]], entered: dict[str, Any]
    ) -> Template:
        """Do what the form asks as the party of the key; a refusal shows the portal again with what was typed
        (the services refuse before they write anything, so the portal is shown again in this transaction)."""
        access = await self.entered(key)
        if isinstance(access, Template):
            return access
        try:
            await action(access)
        except (DomainError, ValueError) as refused:
            error = (
                error_text(refused, self.language) if isinstance(refused, DomainError) else _incomplete(self.language)
            )
            status = refused.status if isinstance(refused, DomainError) else 400
            return await self.portal(access, key, status, error=error, entered=entered)
        return await self.portal(access, key, notice=_notice(self.language))


async def provide_visit(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    flood_guard: NamedDependency[FloodGuard],
    sessions: NamedDependency[SessionStore],
    public: NamedDependency[PublicTenant],
    token: FromPath[str],
) -> _Visit:
    return _Visit(request, db, keyring, flood_guard, public.tenant, token, await signed_in(request, sessions))


class PartyPages(Controller):
    path = "/p/{tenant:str}/uitnodiging/{token:str}"
    include_in_schema = False
    dependencies = {**PUBLIC, "visit": Provide(provide_visit)}  # noqa: RUF012 - read once

    @get("/")
    async def open_form(self, visit: NamedDependency[_Visit]) -> Template:
        """The link: a form for the code from the letter (the link alone opens nothing); the portal itself for
        the signed-in account the invitation is bound to."""
        if visit.account is None:
            return await visit.code_form()
        try:
            access = await services.enter(
                visit.db, visit.guard.limiter, visit.found, visit.token, "", account=visit.account
            )
        except PortalClosed:
            return await visit.code_form()
        except TooManyAttempts as refused:
            return await visit.closed(refused)
        return await visit.portal(access, "")

    @post("/", status_code=200)
    async def open_portal(self, visit: NamedDependency[_Visit]) -> Template:
        """The one-time code (first time: the portal key is shown once) or the portal key (later)."""
        form = form_fields(await visit.request.form())
        typed = str(form.get("code") or "")
        proof = str(form.get("challenge") or ""), str(form.get("answer") or "")
        verified = await visit.guard.verdict(visit.found.id, *proof) is Verdict.SOLVED
        limiter, found, token = visit.guard.limiter, visit.found, visit.token
        try:
            if services.is_key(typed):
                access = await services.enter(visit.db, limiter, found, token, typed, verified=verified)
                return await visit.portal(access, typed)
            bind_to = visit.account if form.get("bind") == "yes" else None
            access, key = await services.activate(
                visit.db, limiter, found, token, typed, verified=verified, bind_to=bind_to
            )
        except (PortalClosed, TooManyAttempts, PartyRefused) as refused:
            return await visit.closed(refused)
        return await visit.portal(access, key, new_key=key)

    @post("/bericht", status_code=200, request_max_body_size=MAX_REQUEST_BYTES)
    async def reply(self, visit: NamedDependency[_Visit], store: NamedDependency[ObjectStore]) -> Template:
        """A message, files, or both, to the case's handlers (files cleaned like the reporter's)."""
        form = await read_posted_form(visit.request)
        body = form.get("text").strip()

        async def reply(access: services.PartyAccess) -> None:
            await services.reply(visit.db, visit.keyring, store, access, body, await check_uploads(form.files))

        return await visit.act(form.get("key"), reply, {"text": body})

    @post("/termijn/{term_id:uuid}", status_code=200, request_max_body_size=MAX_REQUEST_BYTES)
    async def answer_term(
        self, visit: NamedDependency[_Visit], store: NamedDependency[ObjectStore], term_id: FromPath[uuid.UUID]
    ) -> Template:
        """The answer to what the panel asked by a date (text, files or both): it meets the term."""
        form = await read_posted_form(visit.request)
        body = form.get("text").strip()

        async def answer(access: services.PartyAccess) -> None:
            files = await check_uploads(form.files)
            await services.answer_term(visit.db, visit.keyring, store, access, term_id, body, files)

        return await visit.act(form.get("key"), answer, {"text": body, "term": str(term_id)})

    @post("/antwoord/{share_id:uuid}", status_code=200)
    async def respond(self, visit: NamedDependency[_Visit], share_id: FromPath[uuid.UUID]) -> Template:
        """Approve a record shared for approval, or comment on it."""
        form = form_fields(await visit.request.form())
        return await visit.act(
            str(form.get("key") or ""),
            lambda access: services.respond(visit.db, visit.keyring, access, share_id, decode_form(form, ResponseIn)),
            {"comment": form.get("comment", ""), "share": str(share_id)},
        )

    @post("/begeleider", status_code=200)
    async def companion(self, visit: NamedDependency[_Visit]) -> Template:
        """Who accompanies the party; empty: nobody."""
        form = form_fields(await visit.request.form())
        return await visit.act(
            str(form.get("key") or ""),
            lambda access: services.set_companion(visit.db, visit.keyring, access, decode_form(form, CompanionIn)),
            {"companion": form.get("companion", "")},
        )

    @post("/document/{document_id:uuid}", status_code=200)
    async def download(
        self, visit: NamedDependency[_Visit], store: NamedDependency[ObjectStore], document_id: FromPath[uuid.UUID]
    ) -> Stream | Template:
        """A document shared with the party, as a download (the read is audited with the party as actor)."""
        form = form_fields(await visit.request.form())
        access = await visit.entered(str(form.get("key") or ""))
        if isinstance(access, Template):
            return access
        return attachment_response(await services.open_shared(visit.db, visit.keyring, store, access, document_id))


def _notice(language: str) -> str:
    return text(language, "party.sent")


def _incomplete(language: str) -> str:
    return text(language, "party.form_incomplete")


ROUTES = (PartyPages,)
