"""The party portal's pages (``/p/{tenant}/uitnodiging/{token}``), without JavaScript: the link opens a form for
the one-time code (or, later, the portal key); the portal shows exactly what is shared with the party, their
terms, their thread, who accompanies them and their rights. The key travels in each form's body, never in an
address or a cookie (the public side sets none), and nothing identifying about the request is kept."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Stream, Template
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.catalogues import text
from meldpunt.dossiers.downloads import attachment_response
from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.errors import DomainError
from meldpunt.intake import ratelimit
from meldpunt.intake.attachments import MAX_REQUEST_BYTES, AttachmentRefused, check_uploads
from meldpunt.intake.challenge import Verdict
from meldpunt.intake.errors import TooManyAttempts
from meldpunt.intake.ratelimit import FloodGuard
from meldpunt.intake.uploads import read_posted_form
from meldpunt.parties import services
from meldpunt.parties.errors import PortalClosed
from meldpunt.parties.rights import rights_in
from meldpunt.parties.schemas import CompanionIn, ResponseIn
from meldpunt.tenancy.models import Tenant
from meldpunt.tenancy.services import find_public_tenant
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


async def _portal(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    keyring: Keyring,
    guard: FloodGuard,
    access: services.PartyAccess,
    token: str,
    key: str,
    status_code: int = 200,
    **context: Any,
) -> Template:
    language = _language(request, access.tenant)
    view = await services.portal_view(db, keyring, access)
    return await _page(
        request,
        guard,
        access.tenant,
        token,
        "p/portal.html",
        status_code,
        view=view,
        key=key,
        rights=rights_in(language),
        **context,
    )


class PartyPages(Controller):
    path = "/p/{tenant:str}/uitnodiging/{token:str}"
    include_in_schema = False

    async def _closed(
        self, request: Request[Any, Any, Any], guard: FloodGuard, tenant: Tenant, token: str, refused: DomainError
    ) -> Template:
        """The code form again with why it did not open (the same words for every reason)."""
        error = error_text(refused, _language(request, tenant))
        return await _page(request, guard, tenant, token, "p/open.html", refused.status, error=error)

    async def _access(
        self, db: AsyncSession, guard: FloodGuard, tenant: Tenant, token: str, key: str
    ) -> services.PartyAccess:
        return await services.enter(db, guard.limiter, tenant, token, key)

    @get("/")
    async def open_form(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        flood_guard: NamedDependency[FloodGuard],
        tenant: FromPath[str],
        token: FromPath[str],
    ) -> Template:
        """The link: a form for the code from the letter (the link alone opens nothing)."""
        found, _ = await find_public_tenant(db, tenant)
        return await _page(request, flood_guard, found, token, "p/open.html")

    @post("/", status_code=200)
    async def open_portal(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        keyring: NamedDependency[Keyring],
        flood_guard: NamedDependency[FloodGuard],
        tenant: FromPath[str],
        token: FromPath[str],
    ) -> Template:
        """The one-time code (first time: the portal key is shown once) or the portal key (later)."""
        found, _ = await find_public_tenant(db, tenant)
        form = form_fields(await request.form())
        typed = str(form.get("code") or "")
        proof = str(form.get("challenge") or ""), str(form.get("answer") or "")
        verified = await flood_guard.verdict(found.id, *proof) is Verdict.SOLVED
        try:
            if services.is_key(typed):
                access = await services.enter(db, flood_guard.limiter, found, token, typed, verified=verified)
                return await _portal(request, db, keyring, flood_guard, access, token, typed)
            access, key = await services.activate(db, flood_guard.limiter, found, token, typed, verified=verified)
        except (PortalClosed, TooManyAttempts) as refused:
            return await self._closed(request, flood_guard, found, token, refused)
        return await _portal(request, db, keyring, flood_guard, access, token, key, new_key=key)

    @post("/bericht", status_code=200, request_max_body_size=MAX_REQUEST_BYTES)
    async def reply(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        keyring: NamedDependency[Keyring],
        store: NamedDependency[ObjectStore],
        flood_guard: NamedDependency[FloodGuard],
        tenant: FromPath[str],
        token: FromPath[str],
    ) -> Template:
        """A message, files, or both, to the case's handlers (files cleaned like the reporter's)."""
        found, _ = await find_public_tenant(db, tenant)
        form = await read_posted_form(request)
        key, body = form.get("key"), form.get("text").strip()
        try:
            access = await self._access(db, flood_guard, found, token, key)
        except (PortalClosed, TooManyAttempts) as refused:
            return await self._closed(request, flood_guard, found, token, refused)
        language = _language(request, found)
        try:
            files = await check_uploads(form.files)
            await services.reply(db, keyring, store, access, body, files)
        except (AttachmentRefused, DomainError) as refused:
            # Every refusal comes before anything is written: the portal is shown again in this transaction.
            return await _portal(
                request,
                db,
                keyring,
                flood_guard,
                access,
                token,
                key,
                refused.status,
                error=error_text(refused, language),
                entered={"text": body},
            )
        notice = _notice(language)
        return await _portal(request, db, keyring, flood_guard, access, token, key, notice=notice)

    @post("/antwoord/{share_id:uuid}", status_code=200)
    async def respond(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        keyring: NamedDependency[Keyring],
        flood_guard: NamedDependency[FloodGuard],
        tenant: FromPath[str],
        token: FromPath[str],
        share_id: FromPath[uuid.UUID],
    ) -> Template:
        """Approve a record shared for approval, or comment on it."""
        found, _ = await find_public_tenant(db, tenant)
        form = form_fields(await request.form())
        key = str(form.get("key") or "")
        try:
            access = await self._access(db, flood_guard, found, token, key)
        except (PortalClosed, TooManyAttempts) as refused:
            return await self._closed(request, flood_guard, found, token, refused)
        return await self._act(
            request,
            db,
            keyring,
            flood_guard,
            access,
            token,
            key,
            form,
            lambda: services.respond(db, keyring, access, share_id, decode_form(form, ResponseIn)),
            {"comment": form.get("comment", ""), "share": str(share_id)},
        )

    @post("/begeleider", status_code=200)
    async def companion(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        keyring: NamedDependency[Keyring],
        flood_guard: NamedDependency[FloodGuard],
        tenant: FromPath[str],
        token: FromPath[str],
    ) -> Template:
        """Who accompanies the party; empty: nobody."""
        found, _ = await find_public_tenant(db, tenant)
        form = form_fields(await request.form())
        key = str(form.get("key") or "")
        try:
            access = await self._access(db, flood_guard, found, token, key)
        except (PortalClosed, TooManyAttempts) as refused:
            return await self._closed(request, flood_guard, found, token, refused)
        return await self._act(
            request,
            db,
            keyring,
            flood_guard,
            access,
            token,
            key,
            form,
            lambda: services.set_companion(db, keyring, access, decode_form(form, CompanionIn)),
            {"companion": form.get("companion", "")},
        )

    async def _act(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        keyring: Keyring,
        guard: FloodGuard,
        access: services.PartyAccess,
        token: str,
        key: str,
        form: dict[str, Any],
        action: Any,
        entered: dict[str, Any],
    ) -> Template:
        """Do what the form asks; a refusal shows the portal again with what was typed (the services refuse
        before they write anything)."""
        language = _language(request, access.tenant)
        try:
            await action()
        except (DomainError, ValueError) as refused:
            # The services refuse before they write: the portal is shown again in this transaction.
            error = error_text(refused, language) if isinstance(refused, DomainError) else _incomplete(language)
            status = refused.status if isinstance(refused, DomainError) else 400
            return await _portal(request, db, keyring, guard, access, token, key, status, error=error, entered=entered)
        return await _portal(request, db, keyring, guard, access, token, key, notice=_notice(language))

    @post("/document/{document_id:uuid}", status_code=200)
    async def download(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        keyring: NamedDependency[Keyring],
        store: NamedDependency[ObjectStore],
        flood_guard: NamedDependency[FloodGuard],
        tenant: FromPath[str],
        token: FromPath[str],
        document_id: FromPath[uuid.UUID],
    ) -> Stream | Template:
        """A document shared with the party, as a download (the read is audited with the party as actor)."""
        found, _ = await find_public_tenant(db, tenant)
        form = form_fields(await request.form())
        try:
            access = await self._access(db, flood_guard, found, token, str(form.get("key") or ""))
        except (PortalClosed, TooManyAttempts) as refused:
            return await self._closed(request, flood_guard, found, token, refused)
        return attachment_response(await services.open_shared(db, keyring, store, access, document_id))


def _notice(language: str) -> str:
    return text(language, "party.sent")


def _incomplete(language: str) -> str:
    return text(language, "party.form_incomplete")


ROUTES = (PartyPages,)
