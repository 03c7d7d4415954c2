"""The adviser's pages (``/app/vertrouwenspersoon``, ``/app/t/{tenant}/vertrouwenspersoon/…``) and the
organisation's page of adviser signals (``/app/t/{tenant}/signalen``). Forms keep what was typed when
something is wrong, and say what, in Dutch (or English with ``?lang=en``)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.dossiers.keys import Keyring
from meldpunt.errors import DomainError
from meldpunt.identity import services as identity
from meldpunt.identity.policy import Actor
from meldpunt.identity.roles import Action
from meldpunt.intake.schemas import SubmissionIn
from meldpunt.intake.services import format_receipt
from meldpunt.vault import services
from meldpunt.vault.schemas import ConsentIn, ConsultationIn, ContactIn, DisclosureIn, SignalIn
from meldpunt.web.forms import form_fields
from meldpunt.web.pages import language, same_language, shell_context
from meldpunt.web.pro_texts import VAULT_NAMES, WORDS
from meldpunt.web.public_texts import OPTIONS


def _context(request: Request[Any, Any, Any], actor: Actor, slug: str | None) -> dict[str, Any]:
    chosen = language(request)
    return {
        **shell_context(request, actor, slug),
        **VAULT_NAMES[chosen],
        "options": OPTIONS[chosen],
        "today": date.today(),
    }


async def adviser_in(db: AsyncSession, actor: Actor, slug: str) -> services.Adviser:
    tenant = await identity.tenant_acting_in(db, actor, Action.VAULT_USE, slug)
    adviser = services.Adviser(actor.ref, tenant)
    await services.enter_vault(db, adviser)
    return adviser


def _incomplete(request: Request[Any, Any, Any]) -> str:
    return WORDS[language(request)]["form_incomplete"]


@get("/app/vertrouwenspersoon", include_in_schema=False)
async def vault_home(
    request: Request[Any, Any, Any], db: NamedDependency[AsyncSession], actor: NamedDependency[Actor]
) -> Template:
    """One inbox across the employers that hired this adviser; each vault opens on its own."""
    tenants = await identity.tenants_where(db, actor, Action.VAULT_USE)
    counts = await services.open_consultation_counts(db, actor.account_id, tenants)
    return Template(
        "vault_home.html",
        context={**_context(request, actor, None), "vaults": [(t, counts[t.id]) for t in tenants]},
    )


async def _list_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    keyring: Keyring,
    actor: Actor,
    slug: str,
    *,
    message: str | None = None,
    entered: dict[str, Any] | None = None,
    status_code: int = 200,
    draft_code: str | None = None,
) -> Template:
    adviser = await adviser_in(db, actor, slug)
    return Template(
        "vault_list.html",
        status_code=status_code,
        context={
            **_context(request, actor, slug),
            "consultations": await services.list_consultations(db, keyring, adviser),
            "message": message,
            "entered": entered or {},
            "draft_code": draft_code,
        },
    )


async def _list_again(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    keyring: Keyring,
    actor: Actor,
    slug: str,
    entered: dict[str, Any],
) -> Template:
    """The vault page again after a form that was not complete: what was typed is kept."""
    return await _list_page(
        request, db, keyring, actor, slug, message=_incomplete(request), entered=entered, status_code=400
    )


@get("/app/t/{tenant:str}/vertrouwenspersoon", include_in_schema=False)
async def vault_list(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
) -> Template:
    return await _list_page(request, db, keyring, actor, tenant)


@post("/app/t/{tenant:str}/vertrouwenspersoon", include_in_schema=False, status_code=200)
async def vault_open(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
) -> Template | Redirect:
    adviser = await adviser_in(db, actor, tenant)
    entered = form_fields(await request.form())
    try:
        data = msgspec.convert(
            {
                "label": entered.get("label", ""),
                "category": entered.get("category") or None,
                "reporter_role": entered.get("reporter_role") or None,
            },
            ConsultationIn,
        )
    except msgspec.ValidationError:
        return await _list_again(request, db, keyring, actor, tenant, entered)
    consultation = await services.open_consultation(db, keyring, adviser, data)
    return Redirect(same_language(request, f"/app/t/{tenant}/vertrouwenspersoon/{consultation.id}"), status_code=303)


@post("/app/t/{tenant:str}/vertrouwenspersoon/signaal", include_in_schema=False, status_code=200)
async def vault_signal(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
) -> Template:
    adviser = await adviser_in(db, actor, tenant)
    form = await request.form()
    try:
        data = msgspec.convert(
            {
                "category": form.get("signal_category") or None,
                "setting": form.get("signal_setting") or None,
                "accused_role": form.get("signal_accused_role") or None,
                "attributes": dict.fromkeys(form.getall("signal_attributes", []), True),
                "suggestions": form.getall("signal_suggestions", []),
            },
            SignalIn,
        )
    except msgspec.ValidationError:
        return await _list_again(request, db, keyring, actor, tenant, form_fields(form))
    await services.send_signal(db, keyring, adviser, data)
    return await _list_page(request, db, keyring, actor, tenant, message=WORDS[language(request)]["signal_sent"])


@post("/app/t/{tenant:str}/vertrouwenspersoon/concept", include_in_schema=False, status_code=200)
async def vault_draft(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
) -> Template:
    """Prepare a report with the reporter; the code is for them (shown once)."""
    adviser = await adviser_in(db, actor, tenant)
    form = await request.form()
    try:
        data = msgspec.convert(
            {
                "kind": form.get("draft_kind") or None,
                "anonymity": form.get("draft_anonymity") or None,
                "category": form.get("draft_category") or None,
                "reporter_role": form.get("draft_reporter_role") or None,
                "reporter_is_affected": {"true": True, "false": False}.get(str(form.get("draft_affected", ""))),
                "narrative": str(form.get("draft_narrative", "")).strip(),
            },
            SubmissionIn,
        )
    except msgspec.ValidationError:
        return await _list_again(request, db, keyring, actor, tenant, form_fields(form))
    code, _ = await services.prepare_draft(db, keyring, adviser, data)
    return await _list_page(request, db, keyring, actor, tenant, draft_code=format_receipt(code))


async def _detail_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    keyring: Keyring,
    actor: Actor,
    slug: str,
    consultation_id: uuid.UUID,
    *,
    message: str | None = None,
    entered: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    adviser = await adviser_in(db, actor, slug)
    detail = await services.read_consultation(db, keyring, adviser, consultation_id)
    return Template(
        "vault_detail.html",
        status_code=status_code,
        context={**_context(request, actor, slug), "detail": detail, "message": message, "entered": entered or {}},
    )


@get("/app/t/{tenant:str}/vertrouwenspersoon/{consultation_id:uuid}", include_in_schema=False)
async def vault_detail(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    consultation_id: FromPath[uuid.UUID],
) -> Template:
    return await _detail_page(request, db, keyring, actor, tenant, consultation_id)


@post(
    "/app/t/{tenant:str}/vertrouwenspersoon/{consultation_id:uuid}/{what:str}", include_in_schema=False, status_code=200
)
async def vault_act(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    consultation_id: FromPath[uuid.UUID],
    what: FromPath[str],
) -> Template | Redirect:
    """The forms of one consultation: contact, consent, withdrawal, disclosure, closure."""
    adviser = await adviser_in(db, actor, tenant)
    form = await request.form()
    entered = form_fields(form)
    try:
        if what == "contact":
            await services.record_contact(
                db,
                keyring,
                adviser,
                consultation_id,
                msgspec.convert(
                    {
                        "held_on": form.get("held_on") or None,
                        "channel": form.get("channel") or None,
                        "minutes": int(str(form.get("minutes"))) if str(form.get("minutes", "")).isdigit() else None,
                        "note": str(form.get("note", "")).strip() or None,
                    },
                    ContactIn,
                    strict=False,
                ),
            )
        elif what == "toestemming":
            await services.record_consent(
                db,
                keyring,
                adviser,
                consultation_id,
                msgspec.convert(
                    {
                        "basis": form.get("basis") or None,
                        "recipient": form.get("recipient") or None,
                        "scopes": form.getall("scopes", []),
                        "given_on": form.get("given_on") or None,
                        "valid_until": form.get("valid_until") or None,
                        "note": str(form.get("consent_note", "")).strip() or None,
                    },
                    ConsentIn,
                    strict=False,
                ),
            )
        elif what == "intrekken":
            await services.withdraw_consent(db, adviser, consultation_id, uuid.UUID(str(form.get("consent_id"))))
        elif what == "delen":
            await services.disclose(
                db,
                keyring,
                adviser,
                consultation_id,
                msgspec.convert(
                    {
                        "recipient": form.get("disclose_recipient") or None,
                        "scope": form.get("disclose_scope") or None,
                        "content": str(form.get("content", "")).strip(),
                    },
                    DisclosureIn,
                ),
            )
        elif what == "afsluiten":
            await services.close_consultation(db, adviser, consultation_id)
        else:
            return Redirect(
                same_language(request, f"/app/t/{tenant}/vertrouwenspersoon/{consultation_id}"), status_code=303
            )
    except (msgspec.ValidationError, ValueError):
        return await _detail_page(
            request,
            db,
            keyring,
            actor,
            tenant,
            consultation_id,
            message=_incomplete(request),
            entered=entered,
            status_code=400,
        )
    except DomainError as refused:
        if refused.status == 404:
            raise
        return await _detail_page(
            request,
            db,
            keyring,
            actor,
            tenant,
            consultation_id,
            message=refused.detail,
            entered=entered,
            status_code=refused.status,
        )
    return Redirect(same_language(request, f"/app/t/{tenant}/vertrouwenspersoon/{consultation_id}"), status_code=303)


@get("/app/t/{tenant:str}/signalen", include_in_schema=False)
async def signals_page(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
) -> Template:
    """The anonymised signals that advisers sent to this organisation, with their discrimination grounds."""
    found = await identity.tenant_acting_in(db, actor, Action.SIGNALS_READ, tenant)
    return Template(
        "signals.html",
        context={**_context(request, actor, tenant), "signals": await services.list_signals(db, keyring, found)},
    )


ROUTES = (vault_home, vault_list, vault_open, vault_signal, vault_draft, vault_detail, vault_act, signals_page)
