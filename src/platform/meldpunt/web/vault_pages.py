"""The adviser's pages (``/app/vertrouwenspersoon``, ``/app/t/{tenant}/vertrouwenspersoon/…``) and the
organisation's page of adviser signals (``/app/t/{tenant}/signalen``). One handler per form, each decoding
its fields into the API's struct and calling the API's service; a refused form shows the page again with what
was typed and what is wrong, in Dutch (or English with ``?lang=en``)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any, TypeVar

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.dossiers.keys import Keyring
from meldpunt.errors import DomainError
from meldpunt.identity.policy import Actor
from meldpunt.identity.roles import Action
from meldpunt.intake.schemas import SubmissionIn
from meldpunt.intake.services import format_receipt
from meldpunt.tenancy.models import Tenant
from meldpunt.vault import services
from meldpunt.vault.dependencies import provide_adviser, provide_employers
from meldpunt.vault.schemas import ConsentIn, ConsultationIn, ContactIn, DisclosureIn, SignalIn
from meldpunt.web.forms import decode_form, form_fields
from meldpunt.web.pages import AT_TENANT, AtTenant, language, same_language, shell_context
from meldpunt.web.pro_texts import VAULT_NAMES, WORDS
from meldpunt.web.public_texts import OPTIONS

Again = Callable[[str, dict[str, Any], int], Awaitable[Template]]  # the page again: message, what was typed, status
Shown = Template | Redirect
S = TypeVar("S", bound=msgspec.Struct)
# A service that adds an entry to a consultation (a contact, a consent, a disclosure), as the API calls it.
Entry = Callable[[AsyncSession, Keyring, services.Adviser, uuid.UUID, S], Awaitable[object]]


def _context(request: Request[Any, Any, Any], actor: Actor, slug: str | None) -> dict[str, Any]:
    chosen = language(request)
    return {
        **shell_context(request, actor, slug),
        **VAULT_NAMES[chosen],
        "options": OPTIONS[chosen],
        "today": date.today(),
    }


def _filled(entered: dict[str, Any], prefix: str = "", **renamed: str) -> dict[str, Any]:
    """One form's fields on a page of several forms: without the form's prefix (or ``renamed``), trimmed, and
    the empty ones left out, so that a required field is missing and an optional one absent."""
    fields = {}
    for key, value in entered.items():
        name = key.removeprefix(prefix)
        trimmed = [v.strip() for v in value] if isinstance(value, list) else str(value).strip()
        if trimmed:
            fields[renamed.get(name, name)] = trimmed
    return fields


def _checked(entered: dict[str, Any], key: str) -> list[str]:
    """The ticked boxes of a checkbox group (one value arrives as a text, several as a list)."""
    value = entered.get(key, [])
    return value if isinstance(value, list) else [value]


async def _refused(
    again: Again, request: Request[Any, Any, Any], refused: Exception, entered: dict[str, Any]
) -> Template:
    """A refused form: the page again with what was typed and why (a form that does not decode: "something
    is missing"). Something that does not exist stays a 404."""
    if not isinstance(refused, DomainError):
        return await again(WORDS[language(request)]["form_incomplete"], entered, 400)
    if refused.status == 404:
        raise refused
    return await again(refused.detail_in(language(request)), entered, refused.status)


@dataclass(frozen=True)
class VaultPage:
    """What every page of one vault renders with: the request, the adviser in their vault, and the keys."""

    request: Request[Any, Any, Any]
    db: AsyncSession
    keyring: Keyring
    actor: Actor
    adviser: services.Adviser

    def href(self, path: str = "") -> str:
        return same_language(self.request, f"/app/t/{self.adviser.tenant.slug}/vertrouwenspersoon{path}")

    async def vault(
        self,
        message: str | None = None,
        entered: dict[str, Any] | None = None,
        status_code: int = 200,
        *,
        draft_code: str | None = None,
    ) -> Template:
        """The vault: the consultations and the forms to open one, send a signal or prepare a draft."""
        return Template(
            "vault_list.html",
            status_code=status_code,
            context={
                **_context(self.request, self.actor, self.adviser.tenant.slug),
                "consultations": await services.list_consultations(self.db, self.keyring, self.adviser),
                "message": message,
                "entered": entered or {},
                "draft_code": draft_code,
            },
        )

    async def consultation(
        self,
        consultation_id: uuid.UUID,
        message: str | None = None,
        entered: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> Template:
        """One consultation with its contacts, consents and disclosures (the read is audited)."""
        detail = await services.read_consultation(self.db, self.keyring, self.adviser, consultation_id)
        return Template(
            "vault_detail.html",
            status_code=status_code,
            context={
                **_context(self.request, self.actor, self.adviser.tenant.slug),
                "detail": detail,
                "message": message,
                "entered": entered or {},
            },
        )

    def back_to(self, consultation_id: uuid.UUID) -> Redirect:
        return Redirect(self.href(f"/{consultation_id}"), status_code=303)

    async def attempt(self, again: Again, act: Callable[[dict[str, Any]], Awaitable[Shown]]) -> Shown:
        """A form: ``act`` on what was typed; refused, ``again`` shows the page with it."""
        entered = form_fields(await self.request.form())
        try:
            return await act(entered)
        except (ValueError, DomainError) as refused:  # msgspec.ValidationError is a ValueError
            return await _refused(again, self.request, refused, entered)

    async def change(self, consultation_id: uuid.UUID, change: Callable[[dict[str, Any]], Awaitable[object]]) -> Shown:
        """A form of one consultation: the change, then back to the consultation."""

        async def act(entered: dict[str, Any]) -> Shown:
            await change(entered)
            return self.back_to(consultation_id)

        return await self.attempt(partial(self.consultation, consultation_id), act)

    async def add(self, consultation_id: uuid.UUID, service: Entry[S], kind: type[S], prefix: str = "") -> Shown:
        """A form that adds to a consultation: decoded into the API's struct, handed to the API's service."""
        return await self.change(
            consultation_id,
            lambda entered: service(
                self.db, self.keyring, self.adviser, consultation_id, decode_form(_filled(entered, prefix), kind)
            ),
        )


async def provide_vault_page(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    adviser: NamedDependency[services.Adviser],
) -> VaultPage:
    return VaultPage(request, db, keyring, actor, adviser)


class VaultHomePage(Controller):
    path = "/app/vertrouwenspersoon"
    include_in_schema = False
    dependencies = {"employers": Provide(provide_employers)}  # noqa: RUF012 (Litestar reads it off the class)

    @get(action=Action.VAULT_USE)
    async def vault_home(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        employers: NamedDependency[list[Tenant]],
    ) -> Template:
        """One inbox across the employers that hired this adviser; each vault opens on its own."""
        vaults = await services.vaults_of(db, actor.account_id, employers)
        return Template("vault_home.html", context={**_context(request, actor, None), "vaults": vaults})


class VaultPages(Controller):
    """One adviser's vault in one organisation, one handler per form."""

    path = "/app/t/{tenant:str}/vertrouwenspersoon"
    include_in_schema = False
    dependencies = {  # noqa: RUF012 (Litestar reads it off the class)
        "adviser": Provide(provide_adviser),
        "page": Provide(provide_vault_page),
    }

    @get(action=Action.VAULT_USE)
    async def vault_list(self, page: NamedDependency[VaultPage]) -> Template:
        return await page.vault()

    @post(action=Action.VAULT_USE, status_code=200)
    async def vault_open(self, page: NamedDependency[VaultPage]) -> Shown:
        async def open_consultation(entered: dict[str, Any]) -> Shown:
            data = decode_form(_filled(entered), ConsultationIn)
            consultation = await services.open_consultation(page.db, page.keyring, page.adviser, data)
            return page.back_to(consultation.id)

        return await page.attempt(page.vault, open_consultation)

    @post("/signaal", action=Action.VAULT_USE, status_code=200)
    async def vault_signal(self, page: NamedDependency[VaultPage]) -> Shown:
        async def send_signal(entered: dict[str, Any]) -> Shown:
            attributes = dict.fromkeys(_checked(entered, "signal_attributes"), True)
            data = decode_form(_filled(entered, "signal_"), SignalIn, attributes=attributes)
            await services.send_signal(page.db, page.keyring, page.adviser, data)
            return await page.vault(WORDS[language(page.request)]["signal_sent"])

        return await page.attempt(page.vault, send_signal)

    @post("/concept", action=Action.VAULT_USE, status_code=200)
    async def vault_draft(self, page: NamedDependency[VaultPage]) -> Shown:
        """Prepare a report with the reporter; the code is for them (shown once)."""

        async def prepare_draft(entered: dict[str, Any]) -> Shown:
            data = decode_form(_filled(entered, "draft_", affected="reporter_is_affected"), SubmissionIn)
            code, _ = await services.prepare_draft(page.db, page.keyring, page.adviser, data)
            return await page.vault(draft_code=format_receipt(code))

        return await page.attempt(page.vault, prepare_draft)

    @get("/{consultation_id:uuid}", action=Action.VAULT_USE)
    async def vault_detail(self, page: NamedDependency[VaultPage], consultation_id: FromPath[uuid.UUID]) -> Template:
        return await page.consultation(consultation_id)

    @post("/{consultation_id:uuid}/contact", action=Action.VAULT_USE, status_code=200)
    async def record_contact(self, page: NamedDependency[VaultPage], consultation_id: FromPath[uuid.UUID]) -> Shown:
        return await page.add(consultation_id, services.record_contact, ContactIn)

    @post("/{consultation_id:uuid}/toestemming", action=Action.VAULT_USE, status_code=200)
    async def record_consent(self, page: NamedDependency[VaultPage], consultation_id: FromPath[uuid.UUID]) -> Shown:
        return await page.add(consultation_id, services.record_consent, ConsentIn, "consent_")

    @post("/{consultation_id:uuid}/intrekken", action=Action.VAULT_USE, status_code=200)
    async def withdraw_consent(self, page: NamedDependency[VaultPage], consultation_id: FromPath[uuid.UUID]) -> Shown:
        return await page.change(
            consultation_id,
            lambda entered: services.withdraw_consent(
                page.db, page.adviser, consultation_id, uuid.UUID(str(entered.get("consent_id")))
            ),
        )

    @post("/{consultation_id:uuid}/delen", action=Action.VAULT_USE, status_code=200)
    async def disclose(self, page: NamedDependency[VaultPage], consultation_id: FromPath[uuid.UUID]) -> Shown:
        return await page.add(consultation_id, services.disclose, DisclosureIn, "disclose_")

    @post("/{consultation_id:uuid}/afsluiten", action=Action.VAULT_USE, status_code=200)
    async def close_consultation(self, page: NamedDependency[VaultPage], consultation_id: FromPath[uuid.UUID]) -> Shown:
        return await page.change(
            consultation_id, lambda _: services.close_consultation(page.db, page.adviser, consultation_id)
        )

    @post("/{consultation_id:uuid}/{what:str}", action=Action.VAULT_USE, status_code=200)
    async def unknown_form(self, page: NamedDependency[VaultPage], consultation_id: FromPath[uuid.UUID]) -> Redirect:
        """A form this page does not have: back to the consultation."""
        return page.back_to(consultation_id)


class SignalsPage(Controller):
    path = "/app/t/{tenant:str}/signalen"
    include_in_schema = False
    dependencies = AT_TENANT

    @get(action=Action.SIGNALS_READ)
    async def signals_page(self, at: NamedDependency[AtTenant], keyring: NamedDependency[Keyring]) -> Template:
        """The anonymised signals that advisers sent to this organisation, with their discrimination grounds."""
        signals = await services.list_signals(at.db, keyring, at.acting)
        return Template("signals.html", context={**_context(at.request, at.actor, at.acting.slug), "signals": signals})


ROUTES = (VaultHomePage, VaultPages, SignalsPage)
